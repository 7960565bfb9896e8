// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics (runtime.MemStats) and the debugfs directory.
 *
 * Event counters are per-CPU and summed when read, so the allocation fast
 * path writes only its own CPU's memory. Byte figures that describe the
 * heap's state (spans, caches, central lists) are computed at read time
 * from one walk over the page heap's spans under the heap lock.
 *
 * The figures add up, tier by tier, as tcmalloc's do:
 *
 *   heap_sys   = heap_inuse + heap_idle,   heap_released <= heap_idle
 *   heap_inuse = alloc + cache + central + pending + tail
 *
 * The second identity is exact at rest; while other CPUs allocate it is off
 * by whatever they do during the read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <goheap.h>
#include <kunit/visibility.h>

#include "internal.h"

DEFINE_PER_CPU(struct gh_pcpu_stats, gh_stats);

static struct dentry *gh_debugfs_dir;

long gh_counter_sum(enum gh_counter c)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&gh_stats, cpu)->cnt[c];
	return sum;
}

static long gh_class_mallocs(unsigned int cls)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&gh_stats, cpu)->class_mallocs[cls];
	return sum;
}

static long gh_class_frees(unsigned int cls)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&gh_stats, cpu)->class_frees[cls];
	return sum;
}

void gh_report_bad_free(enum gh_counter kind, const void *p, const char *why,
			unsigned long caller)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);

	gh_count(kind);
	if (__ratelimit(&rs))
		pr_err("bad free of %p from %pS: %s\n", p, (void *)caller, why);
}

struct gh_span_tally {
	struct gh_span_walk walk;
	u64 cache, central, pending, tail;
	unsigned long spans[GH_NUM_CLASSES];
};

static void gh_tally_span(struct gh_span *span, struct gh_span_walk *walk)
{
	struct gh_span_tally *t = container_of(walk, struct gh_span_tally, walk);
	u64 free_bytes;

	if (span->state != GH_SPAN_SMALL)
		return;
	free_bytes = (u64)(span->nelems - gh_span_live_objects(span)) * span->size;
	if (READ_ONCE(span->owner) == GH_NO_OWNER)
		t->central += free_bytes;
	else
		t->cache += free_bytes;
	t->pending += (u64)bitmap_weight(gh_span_remote_bits(span), span->nelems) *
		      span->size;
	t->tail += gh_classes[span->cls].tail;
	t->spans[span->cls]++;
}

static struct gh_span_tally *gh_tally_spans(void)
{
	struct gh_span_tally *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (t) {
		t->walk.visit = gh_tally_span;
		gh_heap_walk_spans(&t->walk);
	}
	return t;
}

/**
 * goheap_read_stats() - read goheap's statistics
 * @st: filled in with a snapshot; see &struct goheap_stats
 *
 * Context: process or softirq context; takes the heap lock for a walk over
 * every span, so it is not for hot paths.
 */
void goheap_read_stats(struct goheap_stats *st)
{
	struct gh_span_tally *t;
	struct gh_heap_stats hs;
	unsigned int cls;

	memset(st, 0, sizeof(*st));
	t = gh_tally_spans();
	gh_heap_read_stats(&hs);

	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		long m = gh_class_mallocs(cls), f = gh_class_frees(cls);

		st->mallocs += m;
		st->frees += f;
		st->alloc += (u64)(m - f) * gh_classes[cls].size;
		st->total_alloc += (u64)m * gh_classes[cls].size;
	}
	st->mallocs += gh_counter_sum(GH_CNT_LARGE_MALLOCS);
	st->frees += gh_counter_sum(GH_CNT_LARGE_FREES);
	st->alloc += gh_counter_sum(GH_CNT_LARGE_BYTES_ALLOC) -
		     gh_counter_sum(GH_CNT_LARGE_BYTES_FREED);
	st->total_alloc += gh_counter_sum(GH_CNT_LARGE_BYTES_ALLOC);
	st->heap_objects = st->mallocs - st->frees;

	st->heap_sys = hs.sys_bytes;
	st->heap_inuse = hs.inuse_bytes;
	st->heap_idle = hs.idle_bytes;
	st->heap_released = hs.released_bytes;
	st->meta_bytes = hs.meta_bytes;
	st->sys = hs.sys_bytes + hs.meta_bytes;
	if (t) {
		st->cache_bytes = t->cache;
		st->central_bytes = t->central;
		st->pending_bytes = t->pending;
		st->tail_bytes = t->tail;
	}
	kfree(t);

	st->invalid_frees = gh_counter_sum(GH_CNT_INVALID_FREE);
	st->double_frees = gh_counter_sum(GH_CNT_DOUBLE_FREE);
	st->oversize = gh_counter_sum(GH_CNT_OVERSIZE);
}
EXPORT_SYMBOL_GPL(goheap_read_stats);

static int stats_show(struct seq_file *m, void *v)
{
	struct goheap_stats st;

	goheap_read_stats(&st);
	seq_printf(m, "Alloc %llu\n", st.alloc);
	seq_printf(m, "TotalAlloc %llu\n", st.total_alloc);
	seq_printf(m, "Sys %llu\n", st.sys);
	seq_printf(m, "Mallocs %llu\n", st.mallocs);
	seq_printf(m, "Frees %llu\n", st.frees);
	seq_printf(m, "HeapAlloc %llu\n", st.alloc);
	seq_printf(m, "HeapSys %llu\n", st.heap_sys);
	seq_printf(m, "HeapIdle %llu\n", st.heap_idle);
	seq_printf(m, "HeapInuse %llu\n", st.heap_inuse);
	seq_printf(m, "HeapReleased %llu\n", st.heap_released);
	seq_printf(m, "HeapObjects %llu\n", st.heap_objects);
	seq_printf(m, "CacheBytes %llu\n", st.cache_bytes);
	seq_printf(m, "CentralBytes %llu\n", st.central_bytes);
	seq_printf(m, "PendingBytes %llu\n", st.pending_bytes);
	seq_printf(m, "TailBytes %llu\n", st.tail_bytes);
	seq_printf(m, "MetaBytes %llu\n", st.meta_bytes);
	seq_printf(m, "InvalidFrees %llu\n", st.invalid_frees);
	seq_printf(m, "DoubleFrees %llu\n", st.double_frees);
	seq_printf(m, "Oversize %llu\n", st.oversize);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int sizeclasses_show(struct seq_file *m, void *v)
{
	struct gh_span_tally *t = gh_tally_spans();
	unsigned int cls;

	if (!t)
		return -ENOMEM;
	seq_puts(m, "class size pages objects mallocs frees live spans bytes_inuse\n");
	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		const struct gh_class_info *c = &gh_classes[cls];
		long mallocs = gh_class_mallocs(cls), frees = gh_class_frees(cls);

		seq_printf(m, "%u %u %u %u %ld %ld %ld %lu %lu\n", cls, c->size,
			   c->npages, c->nelems, mallocs, frees, mallocs - frees,
			   t->spans[cls], t->spans[cls] * c->npages * PAGE_SIZE);
	}
	kfree(t);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sizeclasses);

int gh_stats_init(void)
{
	gh_debugfs_dir = debugfs_create_dir("goheap", NULL);
	debugfs_create_file("stats", 0400, gh_debugfs_dir, NULL, &stats_fops);
	debugfs_create_file("sizeclasses", 0400, gh_debugfs_dir, NULL,
			    &sizeclasses_fops);
	return 0;
}

void gh_stats_exit(void)
{
	debugfs_remove_recursive(gh_debugfs_dir);
}
