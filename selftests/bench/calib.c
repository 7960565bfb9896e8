// SPDX-License-Identifier: GPL-2.0
/*
 * calib: probes of the clock and of building blocks both allocators use, to
 * read the other figures by: under icount one ns is one guest instruction.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "bench.h"

#define GHB_PROBE(name, body)						\
static noinline u64 ghb_probe_##name(void *buf, unsigned long n)	\
{									\
	unsigned long i, sink = 0;					\
	u64 t0 = ktime_get_ns();					\
									\
	for (i = 0; i < n; i++) {					\
		OPTIMIZER_HIDE_VAR(buf);				\
		body;							\
	}								\
	OPTIMIZER_HIDE_VAR(sink);					\
	return ktime_get_ns() - t0;					\
}

static DEFINE_PER_CPU(unsigned long, ghb_pcpu_counter);

GHB_PROBE(empty_loop, sink += i)
GHB_PROBE(ktime_get_ns, sink += ktime_get_ns())
/* a length the compiler cannot see, as in the allocators: the memset() call */
GHB_PROBE(memset64, size_t len = 64; OPTIMIZER_HIDE_VAR(len); memset(buf, 0, len))
GHB_PROBE(memset4096, size_t len = 4096; OPTIMIZER_HIDE_VAR(len); memset(buf, 0, len))
GHB_PROBE(rcu_read_lock, rcu_read_lock(); rcu_read_unlock())
GHB_PROBE(irq_save, unsigned long flags; local_irq_save(flags); local_irq_restore(flags))
GHB_PROBE(preempt, preempt_disable(); preempt_enable())
GHB_PROBE(this_cpu_inc, this_cpu_inc(ghb_pcpu_counter))
GHB_PROBE(virt_addr_valid, sink += virt_addr_valid(buf))

static const struct ghb_probe {
	const char *what;	/* "name" or "name size" */
	u64 (*fn)(void *buf, unsigned long n);
	unsigned int div;	/* fewer iterations for slow probes */
} ghb_probes[] = {
	{ "empty_loop", ghb_probe_empty_loop, 1 },
	{ "ktime_get_ns", ghb_probe_ktime_get_ns, 10 },
	{ "memset size=64", ghb_probe_memset64, 10 },
	{ "memset size=4096", ghb_probe_memset4096, 100 },
	{ "rcu_read_lock+unlock", ghb_probe_rcu_read_lock, 10 },
	{ "local_irq_save+restore", ghb_probe_irq_save, 10 },
	{ "preempt_disable+enable", ghb_probe_preempt, 10 },
	{ "this_cpu_inc", ghb_probe_this_cpu_inc, 10 },
	{ "virt_addr_valid", ghb_probe_virt_addr_valid, 10 },
};

/* One probe: an untimed run of a tenth, then the rounds; one result line. */
static void ghb_calib_probe(const struct ghb_probe *p, void *buf, unsigned long n)
{
	unsigned long m = max(1UL, n / p->div);
	struct ghb_samples s = {};
	unsigned int r;

	p->fn(buf, m / 10 + 1);		/* warm-up */
	for (r = 0; r < ghb_rounds(); r++)
		ghb_sample(&s, p->fn(buf, m), m);
	ghb_add("pattern=calib what=%s cpus=1 ops=%lu", p->what, m);
	ghb_add_ns("value", &s);
	ghb_emit();
}

int ghb_calib(void *unused)
{
	unsigned long n = ghb_ops(100000);
	unsigned int i;
	void *buf;

	buf = kmalloc(4096, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(ghb_probes); i++)
		ghb_calib_probe(&ghb_probes[i], buf, n);
	kfree(buf);
	return 0;
}
