// SPDX-License-Identifier: GPL-2.0
/*
 * The pacer: when a cycle starts, and what allocation pays while one runs.
 *
 * Pacing follows Go's GOGC: after a cycle the heap goal is the live heap
 * (bytes marked) times 1 + GOGC/100, at least the domain's minimum heap,
 * and the next cycle starts when the allocated bytes reach a trigger 7/8 of
 * the way from the live heap to the goal, so that marking can finish before
 * the goal. A cycle also starts once the domain's spans pass 7/8 of its
 * memory limit. Both conditions are written once, in gh_gc_trigger_reached().
 *
 * The pacer sees allocation once per refill of a CPU's cache (alloc.c),
 * with the refilled span's free slots counted as allocated, as Go's
 * heapLive counts whole cached spans. A refill made while the heap is past
 * the goal and marking still runs does some marking itself (assist), for at
 * most GH_GC_ASSIST_MAX_NS, which slows the allocating thread down to the
 * pace of the marker rather than letting the heap run away from it; the
 * bound keeps an assist from standing in for a pause. A memory limit
 * starts a cycle at 7/8 of the limit; a task beginning a section waits for
 * that cycle (gh_gc_limit_wait()), and a new span beyond the limit is
 * refused. GOGC off leaves only collect(), the limit and the debugfs
 * collect file.
 *
 * Cycles started here run as the domain's work item on gh_gc_wq, which
 * gh_gc_init() allocates; cycle_queued keeps a domain from being queued
 * twice, and the work item clears it when its cycle is done.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/math64.h>

#include "gc.h"

#define GH_GC_DEFAULT_GOGC	100
#define GH_GC_DEFAULT_MIN_HEAP	(4UL << 20)
/* An assist marks in slices, and stops after its time is up. */
#define GH_GC_ASSIST_SLICE	16
#define GH_GC_ASSIST_MAX_NS	(100 * NSEC_PER_USEC)

struct workqueue_struct *gh_gc_wq;

static void gh_gc_set_goal(struct goheap_gc_domain *d, u64 live)
{
	u64 goal = live;

	d->heap_live = live;
	if (d->opts.gogc == GOHEAP_GC_OFF) {
		d->heap_goal = d->trigger = U64_MAX;
		return;
	}
	goal += div_u64(goal * d->opts.gogc, 100);
	d->heap_goal = max_t(u64, goal, d->opts.min_heap);
	d->trigger = live + div_u64((d->heap_goal - live) * 7, 8);
}

/**
 * gh_gc_pacer_init() - defaults for unset options, and the first goal
 * @d: a domain being created, not yet visible to anyone
 */
void gh_gc_pacer_init(struct goheap_gc_domain *d)
{
	if (!d->opts.gogc)
		d->opts.gogc = GH_GC_DEFAULT_GOGC;
	if (!d->opts.min_heap)
		d->opts.min_heap = GH_GC_DEFAULT_MIN_HEAP;
	gh_gc_set_goal(d, 0);
}

/**
 * gh_gc_pace() - heap goal and trigger for the next cycle
 * @d: domain, lock held
 * @live: bytes the cycle that just ended marked
 */
void gh_gc_pace(struct goheap_gc_domain *d, u64 live)
{
	lockdep_assert_held(&d->lock);
	gh_gc_set_goal(d, live);
}

/* Are @d's spans past 7/8 of its memory limit? */
static bool gh_gc_limit_near(struct goheap_gc_domain *d)
{
	return d->opts.mem_limit &&
	       READ_ONCE(d->span_bytes) >= d->opts.mem_limit / 8 * 7;
}

/*
 * The heap as the pacer counts it: allocated objects, and every free slot
 * of the spans the per-CPU caches own (alloc.c), as Go's heapLive counts
 * whole cached spans.
 */
static u64 gh_gc_paced_heap(struct goheap_gc_domain *d)
{
	lockdep_assert_held(&d->lock);
	return d->heap_alloc + d->heap_cached;
}

/* The condition that starts a cycle, the only place it is written. */
static bool gh_gc_trigger_reached(struct goheap_gc_domain *d)
{
	return gh_gc_paced_heap(d) >= d->trigger || gh_gc_limit_near(d);
}

/* Claim the domain's work item if a cycle should start and none is queued. */
static bool gh_gc_claim_cycle(struct goheap_gc_domain *d)
{
	lockdep_assert_held(&d->lock);
	if (d->cycle_queued || !gh_gc_trigger_reached(d))
		return false;
	d->cycle_queued = true;
	return true;
}

static void gh_gc_maybe_trigger(struct goheap_gc_domain *d)
{
	bool start;

	spin_lock_bh(&d->lock);
	start = gh_gc_claim_cycle(d);
	spin_unlock_bh(&d->lock);
	if (start)
		queue_work(gh_gc_wq, &d->cycle_work);
}

/**
 * gh_gc_pace_alloc() - account an allocation and say what it owes the pacer
 * @d: domain, lock held
 * @bytes: bytes of objects taken under the lock; 0 after a refill, whose
 *	   span's free slots the caller has added to heap_cached
 *
 * Return: what the allocating thread must do once it has dropped the lock;
 * pass it to gh_gc_pace_act().
 */
enum gh_gc_pace_step gh_gc_pace_alloc(struct goheap_gc_domain *d, u64 bytes)
{
	d->heap_alloc += bytes;
	if (gh_gc_marking(d) && gh_gc_paced_heap(d) > d->heap_goal)
		return GH_GC_PACE_ASSIST;
	return gh_gc_claim_cycle(d) ? GH_GC_PACE_START : GH_GC_PACE_NONE;
}

/*
 * Mark for the allocation that went past the goal: until no gray object is
 * left or GH_GC_ASSIST_MAX_NS have passed (one slice more at most), so that
 * an assist slows an allocating thread down without standing in for a
 * pause.
 */
static void gh_gc_assist(struct goheap_gc_domain *d)
{
	ktime_t start = ktime_get();
	bool done;
	u64 ns;

	do {
		done = gh_gc_mark_some(d, GH_GC_ASSIST_SLICE);
		ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	} while (!done && ns < GH_GC_ASSIST_MAX_NS);
	spin_lock_bh(&d->lock);
	d->stats.assist_ns += ns;
	d->stats.assists++;
	d->stats.assist_max_ns = max(d->stats.assist_max_ns, ns);
	spin_unlock_bh(&d->lock);
}

/**
 * gh_gc_pace_act() - do what gh_gc_pace_alloc() asked for
 * @d: domain, lock not held
 * @step: its answer
 */
void gh_gc_pace_act(struct goheap_gc_domain *d, enum gh_gc_pace_step step)
{
	if (step == GH_GC_PACE_ASSIST)
		gh_gc_assist(d);
	else if (step == GH_GC_PACE_START)
		queue_work(gh_gc_wq, &d->cycle_work);
}

/**
 * gh_gc_limit_wait() - at a task's first section of @d, let a cycle the
 *	memory limit started finish first
 * @d: domain; the current task is inside no section of any domain
 *
 * An allocation cannot wait for a cycle: it runs inside a section, and a
 * cycle waits for the sections open at its handshakes to end. The start of
 * a section can: the task holds no object pointer there, and no section
 * another cycle could wait for (goheap_gc_enter() waits only then). Waiting
 * here is what lets the cycle free garbage before the limit refuses a span,
 * as long as no single section allocates past the limit on its own.
 *
 * Context: process context; sleeps while the cycle runs.
 */
void gh_gc_limit_wait(struct goheap_gc_domain *d)
{
	if (READ_ONCE(d->cycle_queued) && gh_gc_limit_near(d))
		flush_work(&d->cycle_work);
}

/**
 * gh_gc_limit_allows() - may @d take a new span of @bytes?
 * @d: domain, lock not held
 * @bytes: the span's size
 * @caller: the allocation's caller, for the report
 *
 * A span beyond the memory limit is refused: reported, counted, and a
 * cycle is started to make room.
 *
 * Return: true if the span fits under the limit.
 */
bool gh_gc_limit_allows(struct goheap_gc_domain *d, u64 bytes,
			unsigned long caller)
{
	if (!d->opts.mem_limit ||
	    READ_ONCE(d->span_bytes) + bytes <= d->opts.mem_limit)
		return true;
	gh_gc_report(d, &d->stats.limit_failures, caller,
		     "memory limit of %zu bytes reached", d->opts.mem_limit);
	gh_gc_maybe_trigger(d);
	return false;
}
