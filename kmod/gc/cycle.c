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
 *  - mutators touch domain objects only inside sections (goheap_gc_enter()
 *    to goheap_gc_exit()) and keep no object pointer across sections
 *    except in roots or in domain objects;
 *  - every pointer store into a domain object or root goes through
 *    goheap_gc_store(), the write barrier.
 *
 * No phase stops the mutators. Where Go stops the world twice, the cycle
 * flips a mode word while sections run and then waits for the sections
 * that were open at the flip to end (gh_gc_sections_wait(), a ragged
 * safepoint: new sections start meanwhile, and see the flip). A cycle:
 *
 *  start   under the domain lock: the barrier's marking bit on (stores
 *          shade the old and the new value), allocation black. Then wait
 *          for the sections open at the flip: from the moment that wait
 *          ends, T, every section running has had the barrier on from its
 *          first store.
 *  roots   shade what every root holds, while mutators run.
 *  mark    workers (the cycle's thread and helper work items, one per
 *          online CPU by default) pop gray objects and shade their pointer
 *          fields while mutators run; allocating threads may assist.
 *  end     marking is done when the gray list is empty, no thread holds
 *          gray objects, and a wait for the sections open at that moment
 *          sees no new shade. Then the marking bit goes off and the
 *          per-CPU allocation caches stop, one more wait lets every store
 *          that read the bit on and every allocation that read the caches
 *          on finish, and under the domain lock the caches give their
 *          spans back, allocation turns white and every span unswept.
 *  sweep   the worker sweeps every span (allocation sweeps the span it
 *          wants first), runs release callbacks, and frees empty spans.
 *
 * Why nothing reachable is freed. Call an object live if a root, a live
 * object or a section's local variable points to it. Take any object X
 * that is live at some moment after T and was allocated before the start
 * flip (objects allocated after it are black). A per-CPU cache reads the
 * allocation colour without the lock; an allocation that read it white
 * counts as before the flip, and it has finished by T, since fast paths
 * run with preemption off and the handshake begins with a grace period.
 * Either
 *
 *  (a) X was reachable from the roots at T. Every pointer overwritten
 *      after T is shaded first (all sections running after T have the
 *      barrier on), and the root scan reads every root after T (a root
 *      changed meanwhile shades its value, roots.c): the snapshot-at-the-
 *      beginning argument. For the marker not to reach X, some pointer on
 *      the path from a root at T must be overwritten before the marker
 *      crosses it, and that overwrite shades its old target, which starts
 *      the argument again from there. So X is marked before marking ends.
 *  (b) X was not reachable from the roots at T, so at T only sections'
 *      locals held it (sections that began between the flip and T, and
 *      loaded X while a section older than the flip could still unlink it
 *      without shading). Such a section can make X reachable again only
 *      by storing it, and that store shades it (the new value is shaded);
 *      its marking then covers what X points to, as in (a). If it never
 *      stores X, X dies with its locals: the end's waits outlast every
 *      section open at T, so that section is over before the sweep.
 *
 * Marking is done when no white object is reachable through a gray one
 * and no store is about to shade one. The end checks exactly that: the
 * gray list is empty (no overflow pending either) and no worker or assist
 * holds gray objects (each holds them only while counted in markers, and
 * lists what it has left before it stops counting, whatever the number of
 * workers); then it reads the count of shades, waits for every section
 * open at that moment (so every store that was under way has shaded what
 * it was going to shade) and finds the count unchanged and the list still
 * empty. Each shade marks an object that was white, so the loop ends.
 * After it every live object is marked, stores only shade marked objects,
 * and the marking bit can go off; the wait after that keeps a store that
 * read the bit on from setting a mark bit in a span the sweep has already
 * cleared. Allocation stays black until the sweep begins, under the same
 * lock, so nothing allocated in between is taken for garbage.
 *
 * What a mutator can wait for: the domain lock during the two flips (the
 * start, and the end's turn to white with every span unswept, a list
 * splice per type), recorded as the cycle's pauses; the gray lock for a
 * batch push; nothing else. A collector's wait never holds a lock that a
 * section takes.
 *
 * When a cycle starts is the pacer's business (pacer.c): Go's GOGC, mark
 * assists, a memory limit. A cycle runs either as the domain's work item
 * on an unbound workqueue, queued by the pacer, or in goheap_gc_collect().
 * Domains are collected independently and at the same time: each has its
 * own locks, work item and cycle mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
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
	u64 start_ns, mark_ns, end_ns;	/* phases, handshakes included */
	u64 mark_cpu_ns;		/* the workers' marking, no handshake */
	u64 pause_ns[2];		/* the domain lock held at start, end */
	u64 heap_before, heap_after, freed_before;
	ktime_t start;
};

static u64 gh_gc_ns_since(ktime_t start)
{
	return ktime_to_ns(ktime_sub(ktime_get(), start));
}

/* Record a pause that began at @start; returns its length. */
static u64 gh_gc_pause_end(struct goheap_gc_domain *d, ktime_t start)
{
	u64 ns = gh_gc_ns_since(start);

	lockdep_assert_held(&d->lock);
	d->stats.pause_ns[d->stats.pause_next] = ns;
	d->stats.pause_next = (d->stats.pause_next + 1) % GH_GC_PAUSES;
	d->stats.pause_total_ns += ns;
	return ns;
}

/* The start: barrier on, allocation black; then the handshake. */
static void gh_gc_start(struct goheap_gc_domain *d, struct gh_gc_trace *t)
{
	ktime_t start;

	/* spare gray blocks, so that the barrier rarely needs to allocate */
	gh_gc_gray_reserve(d, GH_GC_GRAY_SPARE);
	start = ktime_get();
	spin_lock_bh(&d->lock);
	t->heap_before = gh_gc_heap_alloc(d);
	t->freed_before = d->stats.objects_freed;
	atomic64_set(&d->stats.bytes_marked, 0);
	atomic64_set(&d->mark_cpu_ns, 0);
	gh_gc_barrier_mark_on(d);
	d->alloc_black = true;
	t->pause_ns[0] = gh_gc_pause_end(d, start);
	spin_unlock_bh(&d->lock);
	gh_gc_sections_wait(d);
	t->start_ns = gh_gc_ns_since(start);
	/* after the handshake: the scan's length does not matter to anyone */
	gh_gc_shade_roots(d);
}

/*
 * No gray object anywhere, and no thread about to add one? An overflow
 * pending counts as gray objects: marked ones that no list holds.
 */
static bool gh_gc_gray_empty(struct goheap_gc_domain *d)
{
	bool empty;

	spin_lock_bh(&d->gray_lock);
	empty = list_empty(&d->gray) && !d->gray_overflow;
	spin_unlock_bh(&d->gray_lock);
	return empty && !atomic_read(&d->markers);
}

/*
 * Helper mark workers run on this per-CPU workqueue, each queued on a CPU
 * of its own: a helper woken on its waker's CPU would otherwise share it
 * with the waker until the load balancer moves one of them. CPU-intensive:
 * a helper marks for as long as there is work and must not hold back the
 * CPU's other work items meanwhile.
 */
struct workqueue_struct *gh_gc_mark_wq;

/* A helper mark worker: a work item on gh_gc_mark_wq for one mark phase. */
struct gh_gc_helper {
	struct work_struct work;
	struct goheap_gc_domain *d;
};

static void gh_gc_helper_work(struct work_struct *work)
{
	struct gh_gc_helper *h = container_of(work, struct gh_gc_helper, work);

	gh_gc_mark_help(h->d);
}

/* The online CPU after @cpu, wrapping around. */
static int gh_gc_next_cpu(int cpu)
{
	cpu = cpumask_next(cpu, cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

/*
 * Start the cycle's helper workers: mark_workers - 1 of them (by default
 * one per online CPU besides the cycle's own thread), on the CPUs after
 * this one. With no memory for them, the cycle marks alone.
 * Return: the helpers, or NULL.
 */
static struct gh_gc_helper *gh_gc_helpers_start(struct goheap_gc_domain *d)
{
	unsigned int i, n = d->opts.mark_workers ?: num_online_cpus();
	struct gh_gc_helper *h = NULL;
	int cpu = raw_smp_processor_id();	/* a hint: where this thread runs */

	WRITE_ONCE(d->mark_stop, false);
	if (n > 1)
		h = kcalloc(n - 1, sizeof(*h), GFP_KERNEL);
	d->mark_workers = h ? n : 1;
	for (i = 0; i + 1 < d->mark_workers; i++) {
		h[i].d = d;
		INIT_WORK(&h[i].work, gh_gc_helper_work);
		cpu = gh_gc_next_cpu(cpu);
		/* a CPU going offline meanwhile only moves its helper elsewhere */
		queue_work_on(cpu, gh_gc_mark_wq, &h[i].work);
	}
	return h;
}

/* Marking is done: stop the helpers and wait until none runs. */
static void gh_gc_helpers_stop(struct goheap_gc_domain *d,
			       struct gh_gc_helper *h)
{
	unsigned int i;

	WRITE_ONCE(d->mark_stop, true);
	wake_up_all(&d->mark_wait);
	/* one that never started is taken off the queue */
	for (i = 0; i + 1 < d->mark_workers; i++)
		cancel_work_sync(&h[i].work);
	kfree(h);
}

/*
 * Mark until a handshake finds nothing left (see the top of this file),
 * with this thread and the helpers as workers. Their marking time is the
 * mark's CPU time (d->mark_cpu_ns), which gctrace prints apart from the
 * phase's wall time: the handshakes wait for grace periods and sections,
 * which is no marking work.
 */
static void gh_gc_mark(struct goheap_gc_domain *d)
{
	struct gh_gc_helper *h = gh_gc_helpers_start(d);
	long shades;

	for (;;) {
		gh_gc_mark_drain(d);
		if (!gh_gc_gray_empty(d))
			continue;
		shades = atomic_long_read(&d->shades);
		gh_gc_sections_wait(d);
		if (atomic_long_read(&d->shades) == shades && gh_gc_gray_empty(d))
			break;
	}
	gh_gc_helpers_stop(d, h);
}

/* The end: barrier off, a handshake, then allocation white and the sweep. */
static void gh_gc_end(struct goheap_gc_domain *d, struct gh_gc_trace *t)
{
	ktime_t start = ktime_get(), pause;

	spin_lock_bh(&d->lock);
	gh_gc_barrier_mark_off(d);
	gh_gc_caches_stop(d);
	spin_unlock_bh(&d->lock);
	gh_gc_sections_wait(d);
	pause = ktime_get();
	spin_lock_bh(&d->lock);
	gh_gc_caches_flush(d);
	d->alloc_black = false;
	gh_gc_sweep_begin(d);
	gh_gc_caches_start(d);
	t->pause_ns[1] = gh_gc_pause_end(d, pause);
	spin_unlock_bh(&d->lock);
	t->end_ns = gh_gc_ns_since(start);
}

static void gh_gc_trace_print(struct goheap_gc_domain *d, struct gh_gc_trace *t,
			      enum gh_gc_why why)
{
	pr_info("gc %s #%llu @%lldms: %llu+%llu+%llu us (pauses %llu+%llu us), %llu->%llu kB, %lld kB live, %llu kB goal, %llu freed, %llu us mark cpu, %u workers%s\n",
		d->name, d->stats.num_gc, ktime_to_ms(t->start),
		div_u64(t->start_ns, 1000), div_u64(t->mark_ns, 1000),
		div_u64(t->end_ns, 1000), div_u64(t->pause_ns[0], 1000),
		div_u64(t->pause_ns[1], 1000), t->heap_before >> 10, t->heap_after >> 10,
		(long long)atomic64_read(&d->stats.bytes_marked) >> 10,
		d->heap_goal >> 10, d->stats.objects_freed - t->freed_before,
		div_u64(t->mark_cpu_ns, 1000), d->mark_workers,
		why == GH_GC_FORCED ? " (forced)" : "");
}

/* After the sweep: the next goal from what was marked, and the counts. */
static void gh_gc_cycle_end(struct goheap_gc_domain *d, struct gh_gc_trace *t,
			    enum gh_gc_why why)
{
	spin_lock_bh(&d->lock);
	gh_gc_pace(d, atomic64_read(&d->stats.bytes_marked));
	t->heap_after = gh_gc_heap_alloc(d);
	d->stats.num_gc++;
	d->stats.num_forced_gc += why == GH_GC_FORCED;
	d->stats.last_gc_ns = ktime_get_real_ns();
	spin_unlock_bh(&d->lock);
}

/* One full cycle; its number is num_gc + 1 until it ends (cycle_lock). */
static void gh_gc_cycle(struct goheap_gc_domain *d, enum gh_gc_why why)
{
	struct gh_gc_trace t = { .start = ktime_get() };
	u64 cycle = d->stats.num_gc + 1;
	ktime_t start;

	lockdep_assert_held(&d->cycle_lock);
	if (trace_gc_cycle_start_enabled()) {
		u64 heap;

		spin_lock_bh(&d->lock);
		heap = gh_gc_heap_alloc(d);	/* the caches' objects included */
		spin_unlock_bh(&d->lock);
		trace_gc_cycle_start(d->name, cycle, heap, why == GH_GC_FORCED);
	}
	gh_gc_start(d, &t);
	trace_gc_phase(d->name, cycle, "start", t.start_ns);
	start = ktime_get();
	gh_gc_mark(d);
	t.mark_ns = gh_gc_ns_since(start);
	t.mark_cpu_ns = atomic64_read(&d->mark_cpu_ns);
	trace_gc_phase(d->name, cycle, "mark", t.mark_ns);
	gh_gc_end(d, &t);
	trace_gc_phase(d->name, cycle, "end", t.end_ns);
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
	spin_lock_bh(&d->lock);
	d->cycle_queued = false;
	spin_unlock_bh(&d->lock);
	mutex_unlock(&d->cycle_lock);
}

/**
 * goheap_gc_collect() - run a full, forced collection of @d (runtime.GC)
 * @d: the domain
 *
 * Returns once the cycle's sweep is complete and its release callbacks
 * have run; a cycle already running is finished first.
 *
 * Context: process context outside every section of every domain; sleeps.
 * Return: 0, or -EDEADLK from inside a section of any domain (reported,
 * counted).
 */
int goheap_gc_collect(struct goheap_gc_domain *d)
{
	if (gh_gc_in_section()) {
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
