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
 *   heap_inuse = alloc + cache + central + pending + tail + gc
 *
 * The second identity is exact at rest; while other CPUs allocate it is off
 * by whatever they do during the read.
 *
 * Writing to "reset" restarts the cumulative counters (Mallocs, Frees,
 * TotalAlloc, the bad-input counts, refills and flushes) from zero by
 * keeping a baseline that later reads subtract. Figures of state (Alloc,
 * HeapObjects, live objects per class) are never reset.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <goheap.h>

#include "internal.h"
#include "report.h"

DEFINE_PER_CPU(struct gh_pcpu_stats, gh_stats);

static struct dentry *gh_debugfs_dir;
static DEFINE_MUTEX(gh_reset_lock);
static struct gh_pcpu_stats gh_baseline;	/* sums at the last reset */

/* ---- sums of per-CPU counters -------------------------------------------- */

static void gh_stats_sum(struct gh_pcpu_stats *sum)
{
	unsigned int i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct gh_pcpu_stats *s = per_cpu_ptr(&gh_stats, cpu);

		for (i = 0; i < GH_NR_COUNTERS; i++)
			sum->cnt[i] += s->cnt[i];
		for (i = 0; i < GH_NUM_CLASSES; i++) {
			sum->class_mallocs[i] += s->class_mallocs[i];
			sum->class_frees[i] += s->class_frees[i];
			sum->class_requested[i] += s->class_requested[i];
		}
	}
}

void gh_report_bad_free(enum gh_counter kind, const void *p, const char *why,
			unsigned long caller)
{
	gh_count(kind);
	gh_report(caller, "bad free of %p: %s", p, why);
}

/* ---- one walk over the spans ---------------------------------------------- */

struct gh_span_tally {
	struct gh_span_walk walk;
	u64 cache, central, pending, tail, gc;
	unsigned long partial[GH_NUM_CLASSES];
	unsigned long full[GH_NUM_CLASSES];
	unsigned long owned[GH_NUM_CLASSES];
};

static void gh_tally_span(struct gh_span *span, struct gh_span_walk *walk)
{
	struct gh_span_tally *t = container_of(walk, struct gh_span_tally, walk);
	unsigned int free_slots;

	if (span->state == GH_SPAN_GC)
		t->gc += (u64)span->npages * PAGE_SIZE;
	if (span->state != GH_SPAN_SMALL)
		return;
	free_slots = span->nelems - gh_span_live_objects(span);
	if (READ_ONCE(span->owner) != GH_NO_OWNER) {
		t->cache += (u64)free_slots * span->size;
		t->owned[span->cls]++;
	} else {
		t->central += (u64)free_slots * span->size;
		if (free_slots)
			t->partial[span->cls]++;
		else
			t->full[span->cls]++;
	}
	t->pending += (u64)bitmap_weight(gh_span_remote_bits(span), span->nelems) *
		      span->size;
	t->tail += gh_classes[span->cls].tail;
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

/* ---- goheap_read_stats() ----------------------------------------------------- */

struct gh_snapshot {
	struct goheap_stats st;
	struct gh_pcpu_stats now;	/* raw sums */
	struct gh_pcpu_stats since;	/* sums since the last reset */
	struct gh_span_tally *tally;
	struct gh_heap_stats heap;
};

static u64 gh_class_bytes(const struct gh_pcpu_stats *s, unsigned int cls,
			  bool mallocs)
{
	return (u64)(mallocs ? s->class_mallocs[cls] : s->class_frees[cls]) *
	       gh_classes[cls].size;
}

static void gh_fill_counters(struct goheap_stats *st, const struct gh_pcpu_stats *now,
			     const struct gh_pcpu_stats *since)
{
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		st->mallocs += since->class_mallocs[cls];
		st->frees += since->class_frees[cls];
		st->total_alloc += gh_class_bytes(since, cls, true);
		st->alloc += gh_class_bytes(now, cls, true) - gh_class_bytes(now, cls, false);
		st->heap_objects += now->class_mallocs[cls] - now->class_frees[cls];
	}
	st->mallocs += since->cnt[GH_CNT_LARGE_MALLOCS];
	st->frees += since->cnt[GH_CNT_LARGE_FREES];
	st->total_alloc += since->cnt[GH_CNT_LARGE_BYTES_ALLOC];
	st->alloc += now->cnt[GH_CNT_LARGE_BYTES_ALLOC] - now->cnt[GH_CNT_LARGE_BYTES_FREED];
	st->heap_objects += now->cnt[GH_CNT_LARGE_MALLOCS] - now->cnt[GH_CNT_LARGE_FREES];
	st->invalid_frees = since->cnt[GH_CNT_INVALID_FREE];
	st->double_frees = since->cnt[GH_CNT_DOUBLE_FREE];
	st->oversize = since->cnt[GH_CNT_OVERSIZE];
}

/* Fill @snap; the caller frees snap->tally. */
static void gh_take_snapshot(struct gh_snapshot *snap)
{
	struct goheap_stats *st = &snap->st;
	long *since = (long *)&snap->since;
	const long *base = (const long *)&gh_baseline;
	const long *now = (const long *)&snap->now;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	snap->tally = gh_tally_spans();
	gh_heap_read_stats(&snap->heap);
	gh_stats_sum(&snap->now);
	mutex_lock(&gh_reset_lock);
	for (i = 0; i < sizeof(snap->since) / sizeof(long); i++)
		since[i] = now[i] - base[i];
	mutex_unlock(&gh_reset_lock);

	gh_fill_counters(st, &snap->now, &snap->since);
	st->heap_sys = snap->heap.sys_bytes;
	st->heap_inuse = snap->heap.inuse_bytes;
	st->heap_idle = snap->heap.idle_bytes;
	st->heap_released = snap->heap.released_bytes;
	st->meta_bytes = snap->heap.meta_bytes;
	st->sys = snap->heap.sys_bytes + snap->heap.meta_bytes;
	if (snap->tally) {
		st->cache_bytes = snap->tally->cache;
		st->central_bytes = snap->tally->central;
		st->pending_bytes = snap->tally->pending;
		st->tail_bytes = snap->tally->tail;
		st->gc_bytes = snap->tally->gc;
	}
}

/**
 * goheap_read_stats() - read goheap's statistics
 * @st: filled in with a snapshot; see &struct goheap_stats
 *
 * Context: process context; walks every span under the heap lock, so it is
 * not for hot paths.
 */
void goheap_read_stats(struct goheap_stats *st)
{
	struct gh_snapshot *snap = kmalloc(sizeof(*snap), GFP_KERNEL);

	if (!snap) {
		memset(st, 0, sizeof(*st));
		return;
	}
	gh_take_snapshot(snap);
	*st = snap->st;
	kfree(snap->tally);
	kfree(snap);
}
EXPORT_SYMBOL_GPL(goheap_read_stats);

/* ---- debugfs ------------------------------------------------------------------ */

static int stats_show(struct seq_file *m, void *v)
{
	struct goheap_stats st;
	struct gh_heap_stats hs;

	goheap_read_stats(&st);
	gh_heap_read_stats(&hs);
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
	seq_printf(m, "GCBytes %llu\n", st.gc_bytes);
	seq_printf(m, "MetaBytes %llu\n", st.meta_bytes);
	seq_printf(m, "Arenas %lu\n", hs.arenas);
	seq_printf(m, "Spans %lu\n", hs.spans);
	seq_printf(m, "InvalidFrees %llu\n", st.invalid_frees);
	seq_printf(m, "DoubleFrees %llu\n", st.double_frees);
	seq_printf(m, "Oversize %llu\n", st.oversize);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* Internal waste of a class in tenths of a percent: class bytes not asked for. */
static unsigned long gh_waste_permille(const struct gh_pcpu_stats *s, unsigned int cls)
{
	u64 given = gh_class_bytes(s, cls, true);

	if (!given)
		return 0;
	return div64_u64((given - s->class_requested[cls]) * 1000, given);
}

static int sizeclasses_show(struct seq_file *m, void *v)
{
	struct gh_snapshot *snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	unsigned int cls;

	if (!snap)
		return -ENOMEM;
	gh_take_snapshot(snap);
	if (!snap->tally) {
		kfree(snap);
		return -ENOMEM;
	}
	seq_puts(m, "class size pages objects mallocs frees live spans_cached spans_partial spans_full bytes_inuse waste_permille\n");
	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		const struct gh_class_info *c = &gh_classes[cls];
		const struct gh_span_tally *t = snap->tally;
		unsigned long spans = t->owned[cls] + t->partial[cls] + t->full[cls];

		seq_printf(m, "%u %u %u %u %ld %ld %ld %lu %lu %lu %lu %lu\n",
			   cls, c->size, c->npages, c->nelems,
			   snap->since.class_mallocs[cls], snap->since.class_frees[cls],
			   snap->now.class_mallocs[cls] - snap->now.class_frees[cls],
			   t->owned[cls], t->partial[cls], t->full[cls],
			   spans * c->npages * PAGE_SIZE,
			   gh_waste_permille(&snap->since, cls));
	}
	kfree(snap->tally);
	kfree(snap);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sizeclasses);

static int percpu_show(struct seq_file *m, void *v)
{
	int cpu;

	seq_puts(m, "cpu objects bytes refills flushes\n");
	for_each_possible_cpu(cpu) {
		const struct gh_pcpu_stats *s = per_cpu_ptr(&gh_stats, cpu);
		unsigned long objects = 0, bytes = 0, slots;
		unsigned int cls;

		rcu_read_lock();
		for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
			slots = gh_cache_free_slots(cpu, cls);
			objects += slots;
			bytes += slots * gh_classes[cls].size;
		}
		rcu_read_unlock();
		/* counts since load: reset applies to sums only */
		seq_printf(m, "%d %lu %lu %ld %ld\n", cpu, objects, bytes,
			   s->cnt[GH_CNT_REFILLS], s->cnt[GH_CNT_FLUSHES]);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(percpu);

#define GH_ARENAS_SHOWN	256

static int arenas_show(struct seq_file *m, void *v)
{
	struct gh_arena_info *info = kcalloc(GH_ARENAS_SHOWN, sizeof(*info), GFP_KERNEL);
	unsigned int n, i;

	if (!info)
		return -ENOMEM;
	n = gh_heap_arena_info(info, GH_ARENAS_SHOWN);
	seq_puts(m, "arena order pages inuse free released map\n");
	for (i = 0; i < min(n, GH_ARENAS_SHOWN); i++)
		seq_printf(m, "%u %u %u %u %u %u %s\n", i, info[i].order,
			   info[i].npages, info[i].inuse,
			   info[i].npages - info[i].inuse - info[i].released,
			   info[i].released, info[i].map);
	if (n > GH_ARENAS_SHOWN)
		seq_printf(m, "... %u more arenas\n", n - GH_ARENAS_SHOWN);
	kfree(info);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arenas);

/* Control files take exactly "1" (a trailing newline allowed). */
static int gh_control_parse(const char __user *ubuf, size_t len)
{
	char buf[4] = {};

	if (!len || len >= sizeof(buf) || copy_from_user(buf, ubuf, len))
		goto bad;
	if (!strcmp(buf, "1") || !strcmp(buf, "1\n"))
		return 0;
bad:
	pr_err("control files take \"1\"\n");
	return -EINVAL;
}

static ssize_t drain_write(struct file *f, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	int ret = gh_control_parse(ubuf, len);

	if (ret)
		return ret;
	goheap_drain();
	return len;
}

static ssize_t reset_write(struct file *f, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct gh_pcpu_stats *now;
	int ret = gh_control_parse(ubuf, len);

	if (ret)
		return ret;
	now = kmalloc(sizeof(*now), GFP_KERNEL);
	if (!now)
		return -ENOMEM;
	gh_stats_sum(now);
	mutex_lock(&gh_reset_lock);
	gh_baseline = *now;
	mutex_unlock(&gh_reset_lock);
	kfree(now);
	return len;
}

static const struct file_operations drain_fops = {
	.owner = THIS_MODULE,
	.write = drain_write,
	.llseek = noop_llseek,
};

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.write = reset_write,
	.llseek = noop_llseek,
};

struct dentry *gh_stats_debugfs_dir(void)
{
	return gh_debugfs_dir;
}

int gh_stats_init(void)
{
	gh_debugfs_dir = debugfs_create_dir("goheap", NULL);
	debugfs_create_file("stats", 0400, gh_debugfs_dir, NULL, &stats_fops);
	debugfs_create_file("sizeclasses", 0400, gh_debugfs_dir, NULL,
			    &sizeclasses_fops);
	debugfs_create_file("percpu", 0400, gh_debugfs_dir, NULL, &percpu_fops);
	debugfs_create_file("arenas", 0400, gh_debugfs_dir, NULL, &arenas_fops);
	debugfs_create_file("drain", 0200, gh_debugfs_dir, NULL, &drain_fops);
	debugfs_create_file("reset", 0200, gh_debugfs_dir, NULL, &reset_fops);
	return 0;
}

void gh_stats_exit(void)
{
	debugfs_remove_recursive(gh_debugfs_dir);
}
