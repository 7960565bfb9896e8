// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics (runtime.MemStats): the counters, their sums and one snapshot
 * of the whole heap. debugfs.c shows them.
 *
 * Event counters are per-CPU and summed when read, so the allocation fast
 * path writes only its own CPU's memory. The fast paths count small
 * mallocs and frees in their own cache's class entry (struct
 * gh_cache_class), whose address they hold anyway; everything else counts
 * in gh_stats. Byte figures that describe the
 * heap's state (spans, caches, central lists) are computed at read time
 * from one walk over the page heap's spans under the heap lock.
 *
 * The figures add up, tier by tier, as tcmalloc's do:
 *
 *   heap_sys   = heap_inuse + heap_idle,   heap_released = 0
 *   heap_inuse = alloc + cache + central + pending + tail + gc
 *
 * The second identity is exact at rest; while other CPUs allocate it is off
 * by whatever they do during the read.
 *
 * gh_stats_reset() (debugfs "reset") restarts the cumulative counters
 * (Mallocs, Frees, TotalAlloc, the bad-input counts, refills and flushes)
 * from zero by keeping a baseline that later reads subtract. Figures of
 * state (Alloc, HeapObjects, live objects per class) are never reset.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <goheap.h>

#include "cache.h"
#include "internal.h"

/* gh_take_snapshot() and the reset baseline read the sums as longs */
static_assert(sizeof(struct gh_pcpu_stats) % sizeof(long) == 0);
static_assert(__alignof__(struct gh_pcpu_stats) == __alignof__(long));

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
			const struct gh_cache_class *cc = &per_cpu_ptr(&gh_caches, cpu)->cls[i];

			sum->class_mallocs[i] += s->class_mallocs[i] + READ_ONCE(cc->mallocs);
			sum->class_frees[i] += s->class_frees[i] + READ_ONCE(cc->frees);
			sum->class_requested[i] += s->class_requested[i] +
						   READ_ONCE(cc->requested);
		}
	}
}

/* ---- one walk over the spans ---------------------------------------------- */

static void gh_tally_span(struct gh_span *span, struct gh_span_walk *walk)
{
	struct gh_span_tally *t = container_of(walk, struct gh_span_tally, walk);
	unsigned int free_slots;

	if (span->state == GH_SPAN_GC)
		t->gc += (u64)span->npages * PAGE_SIZE;
	/*
	 * Not live but in the page heap: a span being set up, or one on its
	 * way back (an empty span a central list let go of, a typesafe span
	 * waiting for its grace period, a large object being freed). None of
	 * it is an object; count it with the central lists' free memory, so
	 * that the tiers add up to HeapInuse whenever the heap is at rest.
	 */
	if (span->state == GH_SPAN_DEAD)
		t->central += (u64)span->npages * PAGE_SIZE;
	if (span->state != GH_SPAN_SMALL && span->state != GH_SPAN_TYPED)
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
	t->tail += (u64)span->npages * PAGE_SIZE - (u64)span->nelems * span->size;
	t->bytes[span->cls] += (u64)span->npages * PAGE_SIZE;
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

/* Bytes of class @cls handed out (or taken back) in the sums @s. */
u64 gh_class_bytes_allocated(const struct gh_pcpu_stats *s, unsigned int cls)
{
	return (u64)s->class_mallocs[cls] * gh_classes[cls].size;
}

static u64 gh_class_bytes_freed(const struct gh_pcpu_stats *s, unsigned int cls)
{
	return (u64)s->class_frees[cls] * gh_classes[cls].size;
}

static void gh_fill_counters(struct goheap_stats *st, const struct gh_pcpu_stats *now,
			     const struct gh_pcpu_stats *since)
{
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		st->mallocs += since->class_mallocs[cls];
		st->frees += since->class_frees[cls];
		st->total_alloc += gh_class_bytes_allocated(since, cls);
		st->alloc += gh_class_bytes_allocated(now, cls) - gh_class_bytes_freed(now, cls);
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
	st->refills = since->cnt[GH_CNT_REFILLS];
	st->flushes = since->cnt[GH_CNT_FLUSHES];
	st->central_frees = since->cnt[GH_CNT_CENTRAL_FREES];
	st->central_allocs = since->cnt[GH_CNT_CENTRAL_ALLOCS];
	st->remote_frees = since->cnt[GH_CNT_REMOTE_FREES];
	st->span_allocs = since->cnt[GH_CNT_SPAN_ALLOCS];
	st->span_frees = since->cnt[GH_CNT_SPAN_FREES];
	st->bad_gfp = since->cnt[GH_CNT_BAD_GFP];
	st->overflows = since->cnt[GH_CNT_OVERFLOW];
	st->writes_after_free = since->cnt[GH_CNT_USE_AFTER_FREE];
	st->quarantined = since->cnt[GH_CNT_QUARANTINED];
	st->validate_errors = since->cnt[GH_CNT_VALIDATE_ERRORS];
	st->fault_injected = since->cnt[GH_CNT_FAULT_INJECTED];
}

/*
 * The walk over the spans and the page heap's figures. They are read apart,
 * and a span that the spare reaper or the scavenger frees in between would
 * count in the walk's tiers but no longer in HeapInuse; so they are read
 * again (a few times at most) if HeapInuse moved during the walk, and the
 * tiers add up to HeapInuse whenever nothing allocates or frees meanwhile.
 */
static void gh_snapshot_spans(struct gh_snapshot *snap)
{
	struct gh_heap_stats before;
	unsigned int tries = 0;

	snap->tally = NULL;
	do {
		kfree(snap->tally);
		gh_heap_read_stats(&before);
		snap->tally = gh_tally_spans();
		gh_heap_read_stats(&snap->heap);
	} while (snap->heap.inuse_bytes != before.inuse_bytes && ++tries < 3);
}

/**
 * gh_take_snapshot() - every figure at once
 * @snap: filled in; the caller frees snap->tally (NULL if memory was short)
 */
void gh_take_snapshot(struct gh_snapshot *snap)
{
	struct goheap_stats *st = &snap->st;
	long *since = (long *)&snap->since;
	const long *base = (const long *)&gh_baseline;
	const long *now = (const long *)&snap->now;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	gh_snapshot_spans(snap);
	gh_stats_sum(&snap->now);
	mutex_lock(&gh_reset_lock);
	for (i = 0; i < sizeof(snap->since) / sizeof(long); i++)
		since[i] = now[i] - base[i];
	mutex_unlock(&gh_reset_lock);

	gh_fill_counters(st, &snap->now, &snap->since);
	st->heap_sys = snap->heap.sys_bytes;
	st->heap_inuse = snap->heap.inuse_bytes;
	st->heap_idle = snap->heap.idle_bytes;
	st->heap_released = 0;	/* what goes back leaves HeapSys: heap.c */
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

/**
 * gh_stats_reset() - restart the cumulative counters from zero
 *
 * Return: 0, or -ENOMEM.
 */
int gh_stats_reset(void)
{
	struct gh_pcpu_stats *now = kmalloc(sizeof(*now), GFP_KERNEL);

	if (!now)
		return -ENOMEM;
	gh_stats_sum(now);
	mutex_lock(&gh_reset_lock);
	gh_baseline = *now;
	mutex_unlock(&gh_reset_lock);
	kfree(now);
	return 0;
}
