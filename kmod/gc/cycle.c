// SPDX-License-Identifier: GPL-2.0
/*
 * The collector: a concurrent mark-sweep cycle over a GC domain.
 *
 * A domain is a registered object graph. The contract that makes a precise,
 * concurrent collector possible in C without stack maps:
 *
 *  - every object is typed: the type gives its size and the offsets of its
 *    pointer fields, so scanning is precise and pointer-free objects are
 *    never scanned;
 *  - roots are registered pointer slots;
 *  - mutators touch domain objects only inside sections (the read side of
 *    a per-CPU rw-semaphore) and keep no object pointer across sections
 *    except in roots or in domain objects;
 *  - every pointer store into a domain object or root goes through
 *    goheap_gc_store(), the write barrier.
 *
 * A cycle:
 *
 *  STW-1   take the write side of the section lock (wait for every section
 *          to end, hold new ones off), turn the barrier on, release.
 *  roots   shade what every root holds, while mutators run.
 *  mark    a worker pops gray objects and shades their pointer fields while
 *          mutators run. The barrier shades the value a store overwrites,
 *          and objects allocated meanwhile are black.
 *  STW-2   take the write side again, drain what the barrier grayed, turn
 *          the barrier off, make every span unswept, release.
 *  sweep   the worker sweeps every span (allocation sweeps the span it
 *          wants first), runs release callbacks, and frees empty spans.
 *
 * Why nothing reachable is freed. At STW-1 no section is open, so no
 * mutator holds a pointer in a local variable: everything a mutator can ever
 * reach is reachable from the roots in the snapshot taken then, or is
 * allocated later. The root scan after the pause still sees that snapshot:
 * a root's value at STW-1 is either still in the root when the scan reads
 * it, or was overwritten, through the barrier, or removed, and both shade
 * it; a root added since shades its value too. Objects allocated later are black. For an object
 * reachable in the snapshot, consider the path from a root to it: for the
 * marker not to reach it, some pointer on that path must be overwritten
 * before the marker crosses it, and the barrier shades the old target of
 * every overwrite, which re-starts the argument from there (the snapshot-
 * at-the-beginning, or deletion, barrier). Roots added or removed during
 * marking shade their value for the same reason. STW-2 waits for every
 * section to end, so no barrier is half done when the marker takes its last
 * look at the gray list; after it, an unmarked object was unreachable in the
 * snapshot and was not allocated since, and no mutator can obtain a pointer
 * to it, so freeing it is safe.
 *
 * The first pause only flips the barrier; the second does the final drain,
 * bounded by what mutators grayed since the marker's last pass. Neither
 * grows with the heap or with the number of roots.
 *
 * When a cycle starts is the pacer's business (pacer.c): Go's GOGC, mark
 * assists, a memory limit. A cycle runs either as the domain's work item
 * on an unbound workqueue, queued by the pacer, or in goheap_gc_collect().
 * Domains are collected independently and at the same time: each has its
 * own locks, work item and cycle mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/timekeeping.h>

#include "gc.h"
#include "../trace.h"

static int gh_gctrace;
module_param_named(gctrace, gh_gctrace, int, 0644);
MODULE_PARM_DESC(gctrace, "print one line per GC cycle, like GODEBUG=gctrace=1 (0/1)");

/* Who asked for a cycle; gctrace and NumForcedGC tell them apart. */
enum gh_gc_why {
	GH_GC_PACED,		/* the pacer, from the work item */
	GH_GC_FORCED,		/* goheap_gc_collect() */
};

struct gh_gc_trace {
	u64 stw1_ns, mark_ns, stw2_ns;
	u64 heap_before, heap_after, freed_before;
	ktime_t start;
};

/* Record a pause that began at @start; returns its length. */
static u64 gh_gc_pause_end(struct goheap_gc_domain *d, ktime_t start)
{
	u64 ns = ktime_to_ns(ktime_sub(ktime_get(), start));

	lockdep_assert_held(&d->lock);
	d->stats.pause_ns[d->stats.pause_next] = ns;
	d->stats.pause_next = (d->stats.pause_next + 1) % GH_GC_PAUSES;
	d->stats.pause_total_ns += ns;
	return ns;
}

static void gh_gc_stw1(struct goheap_gc_domain *d, struct gh_gc_trace *t)
{
	ktime_t start;

	/* spare gray blocks, so that the barrier rarely needs to allocate */
	gh_gc_gray_reserve(d, GH_GC_GRAY_SPARE);
	percpu_down_write(&d->sections);
	start = ktime_get();
	spin_lock(&d->lock);
	t->heap_before = d->heap_alloc;
	t->freed_before = d->stats.objects_freed;
	atomic64_set(&d->stats.bytes_marked, 0);
	gh_gc_barrier_mark_on(d);
	t->stw1_ns = gh_gc_pause_end(d, start);
	spin_unlock(&d->lock);
	percpu_up_write(&d->sections);
	/* after the pause: its length does not grow with the roots */
	gh_gc_shade_roots(d);
}

static void gh_gc_stw2(struct goheap_gc_domain *d, struct gh_gc_trace *t)
{
	ktime_t start;

	percpu_down_write(&d->sections);
	start = ktime_get();
	gh_gc_mark_drain(d);
	spin_lock(&d->lock);
	gh_gc_barrier_mark_off(d);
	gh_gc_sweep_begin(d);
	t->stw2_ns = gh_gc_pause_end(d, start);
	spin_unlock(&d->lock);
	percpu_up_write(&d->sections);
}

static void gh_gc_trace_print(struct goheap_gc_domain *d, struct gh_gc_trace *t,
			      enum gh_gc_why why)
{
	pr_info("gc %s #%llu @%lldms: %llu+%llu+%llu us, %llu->%llu kB, %lld kB live, %llu kB goal, %llu freed%s\n",
		d->name, d->stats.num_gc, ktime_to_ms(t->start),
		div_u64(t->stw1_ns, 1000), div_u64(t->mark_ns, 1000),
		div_u64(t->stw2_ns, 1000), t->heap_before >> 10, t->heap_after >> 10,
		(long long)atomic64_read(&d->stats.bytes_marked) >> 10,
		d->heap_goal >> 10, d->stats.objects_freed - t->freed_before,
		why == GH_GC_FORCED ? " (forced)" : "");
}

/* After the sweep: the next goal from what was marked, and the counts. */
static void gh_gc_cycle_end(struct goheap_gc_domain *d, struct gh_gc_trace *t,
			    enum gh_gc_why why)
{
	spin_lock(&d->lock);
	gh_gc_pace(d, atomic64_read(&d->stats.bytes_marked));
	t->heap_after = d->heap_alloc;
	d->stats.num_gc++;
	d->stats.num_forced_gc += why == GH_GC_FORCED;
	d->stats.last_gc_ns = ktime_get_real_ns();
	spin_unlock(&d->lock);
}

static u64 gh_gc_ns_since(ktime_t start)
{
	return ktime_to_ns(ktime_sub(ktime_get(), start));
}

/* One full cycle; its number is num_gc + 1 until it ends (cycle_lock). */
static void gh_gc_cycle(struct goheap_gc_domain *d, enum gh_gc_why why)
{
	struct gh_gc_trace t = { .start = ktime_get() };
	u64 cycle = d->stats.num_gc + 1;
	ktime_t start;

	lockdep_assert_held(&d->cycle_lock);
	trace_gc_cycle_start(d->name, cycle, READ_ONCE(d->heap_alloc),
			     why == GH_GC_FORCED);
	gh_gc_stw1(d, &t);
	trace_gc_phase(d->name, cycle, "stw1", t.stw1_ns);
	start = ktime_get();
	gh_gc_mark_drain(d);
	t.mark_ns = gh_gc_ns_since(start);
	trace_gc_phase(d->name, cycle, "mark", t.mark_ns);
	gh_gc_stw2(d, &t);
	trace_gc_phase(d->name, cycle, "stw2", t.stw2_ns);
	start = ktime_get();
	gh_gc_sweep_all(d);
	gh_gc_gray_trim(d, GH_GC_GRAY_SPARE);
	trace_gc_phase(d->name, cycle, "sweep", gh_gc_ns_since(start));
	gh_gc_cycle_end(d, &t, why);
	trace_gc_cycle_end(d->name, cycle, t.heap_before, t.heap_after,
			   atomic64_read(&d->stats.bytes_marked),
			   d->stats.objects_freed - t.freed_before);
	if (gh_gctrace)
		gh_gc_trace_print(d, &t, why);
}

/**
 * gh_gc_cycle_work() - the domain's work item: a cycle the pacer queued
 * @work: the domain's cycle_work
 */
void gh_gc_cycle_work(struct work_struct *work)
{
	struct goheap_gc_domain *d = container_of(work, struct goheap_gc_domain,
						  cycle_work);

	mutex_lock(&d->cycle_lock);
	gh_gc_cycle(d, GH_GC_PACED);
	spin_lock(&d->lock);
	d->cycle_queued = false;
	spin_unlock(&d->lock);
	mutex_unlock(&d->cycle_lock);
}

/**
 * goheap_gc_collect() - run a full, forced collection of @d (runtime.GC)
 * @d: the domain
 *
 * Returns once the cycle's sweep is complete and its release callbacks
 * have run; a cycle already running is finished first.
 *
 * Context: process context outside any section of @d; sleeps.
 * Return: 0, or -EDEADLK from inside a section of @d (reported, counted).
 */
int goheap_gc_collect(struct goheap_gc_domain *d)
{
	if (gh_gc_in_section(d)) {
		gh_gc_report(d, &d->stats.bad_sections, _RET_IP_,
			     "collect from inside a section");
		return -EDEADLK;
	}
	mutex_lock(&d->cycle_lock);
	gh_gc_cycle(d, GH_GC_FORCED);
	mutex_unlock(&d->cycle_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(goheap_gc_collect);
