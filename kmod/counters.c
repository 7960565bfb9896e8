// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU event counters (struct gh_pcpu_stats). Every layer bumps its
 * own CPU's copy with one this_cpu operation (gh_count() in internal.h);
 * stats.c sums them when they are read. Their storage is a leaf of its
 * own, so that the layers that count depend on nothing above them.
 */
#include <linux/percpu.h>

#include "internal.h"

DEFINE_PER_CPU(struct gh_pcpu_stats, gh_stats);
#if IS_ENABLED(CONFIG_KUNIT)
/* the KUnit suites emulate a lost race's second free, with its count */
EXPORT_PER_CPU_SYMBOL_GPL(gh_stats);
#endif
