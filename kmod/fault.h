/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fail_goheap: goheap's fault-injection attribute (fault.c), the failslab
 * of goheap's allocations. The allocating entry points ask
 * gh_fault_should_fail() while the hooks key is on (hooks.h), which the
 * attribute holds for as long as its probability is above 0.
 */
#ifndef _GOHEAP_FAULT_H
#define _GOHEAP_FAULT_H

#include <linux/types.h>

#include "hooks.h"

/* The knobs of /sys/kernel/debug/fail_goheap/, in the order shown there. */
enum gh_fault_knob {
	GH_FAULT_PROBABILITY,	/* percent; 0 disarms */
	GH_FAULT_INTERVAL,	/* every interval-th eligible call may fail */
	GH_FAULT_TIMES,		/* failures left; -1 is no limit */
	GH_FAULT_SPACE,		/* bytes that pass before any failure */
	GH_FAULT_VERBOSE,	/* 0 quiet, 1 a line per failure, 2 and a stack */
	GH_FAULT_TASK_FILTER,	/* only tasks that opted in may fail */
	GH_FAULT_TASK_PID,	/* the thread group that opted in; 0 none */
	GH_FAULT_IGNORE_GFP_WAIT,	/* never fail __GFP_DIRECT_RECLAIM */
	GH_FAULT_MIN_SIZE,	/* smallest request that may fail, bytes */
	GH_FAULT_MAX_SIZE,	/* largest, bytes; 0 is no upper bound */
	GH_FAULT_NR_KNOBS
};

bool gh_fault_should_fail(size_t size, gfp_t gfp);
int gh_fault_set(enum gh_fault_knob knob, long val);
long gh_fault_get(enum gh_fault_knob knob);
void gh_fault_reset(void);
void gh_fault_init(void);
void gh_fault_exit(void);

/*
 * For entry points that do not sit behind gh_hooks_on() already: one
 * patched-out jump while the attribute (and every other watcher) is off.
 */
static __always_inline bool gh_fault_hooked(size_t size, gfp_t gfp)
{
	return gh_hooks_on() && gh_fault_should_fail(size, gfp);
}

#endif /* _GOHEAP_FAULT_H */
