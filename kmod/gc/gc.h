/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of goheap's collector, kmod/gc/. The design and the
 * correctness argument are at the top of cycle.c.
 *
 * Files, top to bottom; each calls only files below it:
 *
 *   domain.c   goheap_gc_create(), goheap_gc_destroy(); the registry of
 *              domains; gh_gc_init() / gh_gc_exit(), the collector's one
 *              init and exit
 *   debugfs.c  the per-domain files goheap/gc/<domain>/
 *   cycle.c    goheap_gc_collect(); the cycle: handshakes, mark, sweep
 *   alloc.c    goheap_gc_alloc(): typed objects through per-CPU caches of
 *              the domain's spans
 *   spans.c    a domain's span lists per type; allocation under the lock
 *   barrier.c  __goheap_gc_store(), the out-of-line store barrier; the
 *              barrier's mode word
 *   roots.c    goheap_gc_add_root(), goheap_gc_remove_root(); root scan
 *   section.c  goheap_gc_enter(), goheap_gc_exit(); the collector's
 *              handshake with open sections
 *   pacer.c    heap goal, trigger, mark assist, memory limit; the
 *              workqueue cycles run on
 *   types.c    a domain's record of each object type (struct gh_gc_tinfo)
 *   sweep.c    sweeping, release callbacks, freeing a whole domain
 *   mark.c     gray list, shading, scanning
 *
 * The exported functions (EXPORT_SYMBOL_GPL goheap_gc_*) are the ones named
 * above; their kernel-doc is in those files, the inline store barrier's in
 * include/goheap.h. Below the collector are the page heap and the class
 * table (heap.c, span.c's gh_span_new(), sizeclass.c) and report.c; of the
 * rest of goheap.ko only main.c calls it, for gh_gc_init() and gh_gc_exit().
 *
 * Notes on locking (outermost first):
 *
 *   gh_gc_registry_lock (mutex, domain.c)
 *	the list of live domains. Taken alone: no domain lock is taken
 *	under it, and it is not taken under one.
 *   d->cycle_lock (mutex)
 *	one cycle of @d at a time; destroy takes it to wait for a collect().
 *	The cycle's handshakes (gh_gc_sections_wait()) run under it and
 *	under nothing else: they wait for sections, which may take any lock
 *	below. A section itself is no lock: it holds a slot (section.c).
 *   d->roots_lock (mutex)
 *	the roots xarray's contents as one set (add, remove, the root scan).
 *   d->lock (spinlock)
 *	the type list (additions), every span list of every type, the alloc
 *	and pending bits of every span of @d no CPU's cache owns, the
 *	accounting (heap_alloc, heap_cached, span_bytes, heap_live,
 *	heap_goal, trigger, cycle_queued), the plain counters of d->stats,
 *	writes of the barrier's mode word and of caches_off, and which span
 *	each CPU's cache owns.
 *   d->gray_lock (spinlock)
 *	the shared gray list, the spare blocks and their count,
 *	gray_overflow.
 *   d->mark_wait (a wait queue's lock)
 *	hungry mark workers; woken with no other lock of @d held.
 *   gh_heap_lock (heap.c)
 *	the page heap; taken under d->lock when a sweep frees a span.
 *
 * Nesting: cycle_lock -> {roots_lock, d->lock} -> gray_lock, and d->lock
 * -> the page heap's locks. d->lock and gray_lock are taken with softirqs
 * off (spin_lock_bh()): allocation and stores may run in softirq context.
 * A cache's busy section (alloc.c) is no lock: it runs with preemption
 * off, under d->lock or under nothing. roots_lock and d->lock are never
 * held together. Mark bits are set with atomic test-and-set and need no
 * lock; section.c's overflow slots have a lock of their own, taken alone.
 */
#ifndef _GOHEAP_GC_H
#define _GOHEAP_GC_H

#include <linux/build_bug.h>
#include <linux/hash.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <goheap.h>

#include "../internal.h"
#include "../report.h"

#define GH_GC_NAME_LEN		32
#define GH_GC_PAUSES		256
#define GH_GC_MAX_MARK_WORKERS	256	/* goheap_gc_opts.mark_workers */

/*
 * A type as one domain uses it: the class its objects come from, the map of
 * its pointer fields, and its spans. The public struct goheap_gc_type is
 * the caller's descriptor; this is the domain's record of it (types.c).
 */
struct gh_gc_tinfo {
	struct list_head node;		/* domain's type list */
	const struct goheap_gc_type *type;
	unsigned int cls;		/* 0 for a large type: a span each */
	unsigned int obj_size;		/* class size, or whole pages */
	unsigned int span_pages;	/* a large type's span: whole pages */
	unsigned long nspans;		/* spans alive: they grow with it */
	struct list_head partial;	/* swept spans with free slots */
	struct list_head full;		/* swept spans found full */
	struct list_head cached;	/* spans a CPU's cache owns */
	struct list_head unswept;	/* spans the current sweep has not reached */
	struct list_head pending;	/* swept, garbage awaiting release() */
	/* bit n: word n is a pointer field; obj_size / 8 bits */
	unsigned long *ptr_map;
	/* ptr_map repeated for each object of the type's longest span */
	unsigned long *span_ptr_map;
	struct gh_gc_cache __percpu *caches;	/* NULL for a large type */
};

/*
 * A CPU's span of one type (alloc.c; Go's mcache entry). Written by its CPU
 * in busy sections, and with the domain lock held by the collector once no
 * busy section can run (gh_gc_caches_flush()).
 */
struct gh_gc_cache {
	struct gh_span *span;		/* owned; NULL: none */
	unsigned long window;		/* free slots not yet taken, from @base */
	unsigned int base;		/* slot of the window's bit 0 */
	unsigned int next;		/* next alloc word to look at */
	unsigned int reserved;		/* free slots when installed */
	unsigned int nalloc;		/* slots taken since */
};

/* The domain's table from type descriptor to record (alloc.c, types.c). */
#define GH_GC_TYPE_SLOT_BITS	6

static inline unsigned int gh_gc_type_slot(const struct goheap_gc_type *type)
{
	return hash_ptr((void *)type, GH_GC_TYPE_SLOT_BITS);
}

/* A chunk of the gray list: objects marked but not yet scanned. */
#define GH_GRAY_PER_BLOCK	((PAGE_SIZE - sizeof(struct list_head) - \
				  sizeof(unsigned int)) / sizeof(void *))
struct gh_gray_block {
	struct list_head node;
	unsigned int n;
	void *obj[GH_GRAY_PER_BLOCK];
};

/*
 * Spare gray blocks a domain keeps between cycles, and what a mark tops
 * them up to after the barrier found none (gray_overflow). A cycle trims
 * back to GH_GC_GRAY_SPARE when it ends, so idle domains hold 16 KiB of
 * blocks, whatever their largest mark needed.
 */
#define GH_GC_GRAY_SPARE		4
#define GH_GC_GRAY_OVERFLOW_SPARE	16

/* A block is one kmalloc() of at most a page: the barrier may not sleep. */
static_assert(sizeof(struct gh_gray_block) <= PAGE_SIZE);

struct gh_gc_stats {
	u64 num_gc, num_forced_gc;
	u64 last_gc_ns;			/* ktime_get_real_ns() at cycle end */
	u64 pause_total_ns;
	u64 pause_ns[GH_GC_PAUSES];	/* circular, both pauses of a cycle */
	unsigned int pause_next;
	atomic64_t bytes_marked;	/* in this or the last cycle */
	u64 objects_freed;		/* all cycles */
	u64 assist_ns, assists, assist_max_ns;
	atomic64_t foreign_ptrs;	/* values the marker ignored */
	u64 bad_stores, bad_types, bad_sections, limit_failures;
};

/*
 * The span of a CPU's last checked store (barrier.c), flattened into what
 * the checks read, so that a store into it loads nothing else: one cache
 * line. Empty while @words is 0. Only its CPU's task context fills it; the
 * sweeper empties it before the span is freed (gh_gc_barrier_span_gone()).
 */
struct gh_gc_store_cache {
	void *base;			/* the span's first object */
	unsigned long words;		/* words its objects cover */
	unsigned long word_magic;	/* index = word * word_magic >> 32 */
	const unsigned long *alloc;	/* the span's alloc bits */
	const unsigned long *ptr_map;	/* its type's pointer words, repeated */
} ____cacheline_aligned;

struct goheap_gc_domain {
	struct goheap_gc_domain_head head;	/* first: read inline */
	/* checked domains: each CPU's last slot span */
	struct gh_gc_store_cache __percpu *store_cache;
	char name[GH_GC_NAME_LEN];
	struct list_head node;			/* registry */
	struct goheap_gc_opts opts;

	spinlock_t lock;	/* types, span lists, sweep, accounting */
	bool alloc_black;	/* from a cycle's start to its sweep */
	bool caches_off;	/* allocation bypasses the per-CPU caches */
	struct list_head types;			/* gh_gc_tinfo */
	/* a look-up table over types: any slot may hold any record, or NULL */
	struct gh_gc_tinfo *type_table[1 << GH_GC_TYPE_SLOT_BITS];
	u64 heap_alloc;		/* bytes of allocated objects, caches aside */
	u64 heap_cached;	/* bytes of free slots the caches owned at install */
	u64 span_bytes;		/* bytes of the domain's spans */

	struct mutex roots_lock;
	struct xarray roots;			/* slot address >> 3 -> slot */

	atomic_t markers;			/* threads draining gray now */
	atomic_long_t shades;			/* marks set by gh_gc_shade() */
	spinlock_t gray_lock;
	struct list_head gray;			/* gh_gray_block, LIFO */
	struct list_head gray_free;
	unsigned int gray_spare;		/* blocks on gray_free */
	bool gray_overflow;			/* a shade found no block */

	struct mutex cycle_lock;		/* one cycle at a time */
	struct work_struct cycle_work;
	bool cycle_queued;
	u64 heap_live, heap_goal, trigger;
	struct gh_gc_stats stats;
	struct dentry *dir;

	/* parallel marking (mark.c; cycle.c starts and stops the helpers) */
	unsigned int mark_workers;	/* this cycle's, its own thread included */
	bool mark_stop;			/* helpers: marking is done */
	atomic_t mark_hungry;		/* workers waiting for gray objects */
	wait_queue_head_t mark_wait;	/* where they wait */
	atomic64_t mark_cpu_ns;		/* this cycle's workers' marking time */
};

/* goheap_gc_store() reads the head through a cast of the domain pointer. */
static_assert(offsetof(struct goheap_gc_domain, head) == 0);

/* Bits of the barrier's mode word, goheap_gc_domain_head.barrier_mode. */
#define GH_GC_BARRIER_MARKING	0x1UL	/* shade the old and the new value */
#define GH_GC_BARRIER_CHECKED	0x2UL	/* check slot and value */

/* Does the collector mark @d now (allocate black, shade on root changes)? */
static inline bool gh_gc_marking(const struct goheap_gc_domain *d)
{
	return READ_ONCE(d->head.barrier_mode) & GH_GC_BARRIER_MARKING;
}

/* The type record of a GC span (internal.h keeps it as a void pointer). */
static inline struct gh_gc_tinfo *gh_gc_span_tinfo(const struct gh_span *span)
{
	return span->gc_tinfo;
}

/*
 * A GC span's "pending release" bits: garbage whose release callback has
 * not run yet. GC spans have no remote frees, so they lend the remote
 * bitmap to this role.
 */
static inline unsigned long *gh_gc_pending_bits(struct gh_span *span)
{
	return gh_span_remote_bits(span);
}

/*
 * The span of @d holding @p, or NULL if @p is not in a GC span of @d. The
 * caller is an RCU reader of any flavour.
 */
static __always_inline struct gh_span *
gh_gc_domain_span(struct goheap_gc_domain *d, const void *p)
{
	struct gh_span *span = gh_span_of(p);

	/* state before the fields it vouches for (spans.c publishes) */
	if (!span || smp_load_acquire(&span->state) != GH_SPAN_GC ||
	    span->gc_domain != d)
		return NULL;
	return span;
}

/* Is @idx an allocated object of @span? */
static __always_inline bool gh_gc_idx_live(struct gh_span *span, unsigned int idx)
{
	return idx < span->nelems && test_bit(idx, gh_span_alloc_bits(span));
}

/*
 * The span and index of the live object of @d that holds @p, or NULL; the
 * caller is an RCU reader of any flavour. Inline for the checked barrier
 * and the marker; gh_gc_span_of() is the same, out of line.
 */
static __always_inline struct gh_span *
gh_gc_live_span(struct goheap_gc_domain *d, const void *p, unsigned int *idx)
{
	struct gh_span *span = gh_gc_domain_span(d, p);

	if (!span)
		return NULL;
	*idx = gh_span_index(span, p - span->base);
	return gh_gc_idx_live(span, *idx) ? span : NULL;
}

/* Count one bad call of @d's user in @counter, a field of d->stats. */
static inline void gh_gc_count_bad(struct goheap_gc_domain *d, u64 *counter)
{
	spin_lock_bh(&d->lock);
	(*counter)++;
	spin_unlock_bh(&d->lock);
}

/*
 * Bad input to @d: count it, then report it through gh_report() with the
 * domain's name and @caller, the return address the exported function
 * captured (_RET_IP_ there). @fmt is a string literal.
 */
#define gh_gc_report(d, counter, caller, fmt, ...)			\
	do {								\
		gh_gc_count_bad(d, counter);				\
		gh_report(caller, "gc %s: " fmt, (d)->name, ##__VA_ARGS__); \
	} while (0)

/* domain.c */
int gh_gc_init(struct dentry *goheap_dir);
void gh_gc_exit(void);
u64 gh_gc_double_destroy_count(void);

/* debugfs.c */
void gh_gc_debugfs_add(struct goheap_gc_domain *d, struct dentry *parent);
void gh_gc_debugfs_remove(struct goheap_gc_domain *d);

/* cycle.c */
extern struct workqueue_struct *gh_gc_mark_wq;
void gh_gc_cycle_work(struct work_struct *work);

/* alloc.c */
void gh_gc_caches_stop(struct goheap_gc_domain *d);
void gh_gc_caches_flush(struct goheap_gc_domain *d);
void gh_gc_caches_start(struct goheap_gc_domain *d);
u64 gh_gc_heap_alloc(struct goheap_gc_domain *d);

/* barrier.c */
int gh_gc_barrier_init(struct goheap_gc_domain *d);
void gh_gc_barrier_exit(struct goheap_gc_domain *d);

void gh_gc_barrier_span_gone(struct goheap_gc_domain *d, struct gh_span *span);
void gh_gc_barrier_mark_on(struct goheap_gc_domain *d);
void gh_gc_barrier_mark_off(struct goheap_gc_domain *d);

/* roots.c */
bool gh_gc_is_root(struct goheap_gc_domain *d, void **slot);
void gh_gc_shade_roots(struct goheap_gc_domain *d);

/* section.c */
bool gh_gc_in_section(void);
void gh_gc_sections_init(void);
void gh_gc_sections_wait(struct goheap_gc_domain *d);

/* pacer.c */
enum gh_gc_pace_step {
	GH_GC_PACE_NONE,	/* nothing to do */
	GH_GC_PACE_ASSIST,	/* mark some before returning the object */
	GH_GC_PACE_START,	/* the trigger is reached: queue a cycle */
};

extern struct workqueue_struct *gh_gc_wq;
void gh_gc_pacer_init(struct goheap_gc_domain *d);
void gh_gc_pace(struct goheap_gc_domain *d, u64 live);
enum gh_gc_pace_step gh_gc_pace_alloc(struct goheap_gc_domain *d, u64 bytes);
void gh_gc_pace_act(struct goheap_gc_domain *d, enum gh_gc_pace_step step);
void gh_gc_limit_wait(struct goheap_gc_domain *d);
bool gh_gc_limit_allows(struct goheap_gc_domain *d, u64 bytes,
			unsigned long caller);

/* spans.c (d->lock held but for gh_gc_locked_alloc()) */
void *gh_gc_take_slot(struct goheap_gc_domain *d, struct gh_span *span);
struct gh_span *gh_gc_span_with_room_or_new(struct goheap_gc_domain *d,
					    struct gh_gc_tinfo *ti, gfp_t gfp,
					    unsigned long caller);
void *gh_gc_locked_alloc(struct goheap_gc_domain *d, struct gh_gc_tinfo *ti,
			 gfp_t gfp, unsigned long caller,
			 enum gh_gc_pace_step *step);

/* types.c */
struct gh_gc_tinfo *gh_gc_tinfo_get(struct goheap_gc_domain *d,
				    const struct goheap_gc_type *type,
				    gfp_t gfp, unsigned long caller);
void gh_gc_types_free(struct goheap_gc_domain *d);

/* sweep.c */
void gh_gc_sweep_begin(struct goheap_gc_domain *d);
void gh_gc_sweep_span(struct goheap_gc_domain *d, struct gh_span *span);
void gh_gc_span_list(struct goheap_gc_domain *d, struct gh_span *span);
void gh_gc_sweep_all(struct goheap_gc_domain *d);
void gh_gc_free_everything(struct goheap_gc_domain *d);

/* mark.c */
struct gh_span *gh_gc_span_of(struct goheap_gc_domain *d, const void *p,
			      unsigned int *idx);
void gh_gc_shade(struct goheap_gc_domain *d, const void *p);
void gh_gc_shade_store(struct goheap_gc_domain *d, const void *old,
		       const void *value);
bool gh_gc_mark_some(struct goheap_gc_domain *d, unsigned int budget);
void gh_gc_mark_drain(struct goheap_gc_domain *d);
void gh_gc_mark_help(struct goheap_gc_domain *d);
int gh_gc_gray_reserve(struct goheap_gc_domain *d, unsigned int blocks);
void gh_gc_gray_trim(struct goheap_gc_domain *d, unsigned int keep);
void gh_gc_gray_free_all(struct goheap_gc_domain *d);

#endif /* _GOHEAP_GC_H */
