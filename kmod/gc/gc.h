/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of goheap's collector (gc_*.c). See gc_cycle.c for
 * the design.
 */
#ifndef _GOHEAP_GC_H
#define _GOHEAP_GC_H

#include <linux/mutex.h>
#include <linux/percpu-rwsem.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <goheap.h>

#include "../internal.h"

#define GH_GC_NAME_LEN		32
#define GH_GC_PAUSES		256
#define GH_GC_DEFAULT_GOGC	100
#define GH_GC_DEFAULT_MIN_HEAP	(4UL << 20)

/* bits of goheap_gc_domain_head.slow_stores */
#define GH_GC_MARKING		0x1UL
#define GH_GC_CHECKED		0x2UL

/* A type as one domain uses it: its class and its spans with free room. */
struct gh_gc_type {
	struct list_head node;		/* domain's type list */
	const struct goheap_gc_type *type;
	unsigned int cls;		/* 0 for a large type: a span each */
	unsigned int obj_size;		/* class size, or whole pages */
	unsigned int span_pages;
	struct list_head partial;	/* swept spans with free slots */
	struct list_head full;		/* swept spans found full */
	struct list_head unswept;	/* spans the current sweep has not reached */
	struct list_head pending;	/* swept, garbage awaiting release() */
	unsigned long *ptr_map;		/* bit n: word n is a pointer field */
};

/* A chunk of the gray list: objects marked but not yet scanned. */
#define GH_GRAY_PER_BLOCK	((PAGE_SIZE - sizeof(struct list_head) - \
				  sizeof(unsigned int)) / sizeof(void *))
struct gh_gray_block {
	struct list_head node;
	unsigned int n;
	void *obj[GH_GRAY_PER_BLOCK];
};

struct gh_gc_stats {
	u64 num_gc, num_forced_gc;
	u64 last_gc_ns;			/* ktime_get_real_ns() at cycle end */
	u64 pause_total_ns;
	u64 pause_ns[GH_GC_PAUSES];	/* circular, both pauses of a cycle */
	unsigned int pause_next;
	atomic64_t bytes_marked;	/* in this or the last cycle */
	u64 objects_freed;		/* all cycles */
	u64 assist_ns;
	atomic64_t foreign_ptrs;	/* values the marker ignored */
	u64 bad_stores, bad_types, bad_sections, limit_failures;
};

struct goheap_gc_domain {
	struct goheap_gc_domain_head head;	/* first: read inline */
	char name[GH_GC_NAME_LEN];
	struct list_head node;			/* registry */
	struct goheap_gc_opts opts;

	struct percpu_rw_semaphore sections;
	struct xarray depth;			/* pid -> section depth */

	spinlock_t lock;	/* types, span lists, sweep, accounting */
	struct list_head types;			/* gh_gc_type */
	u32 sweepgen;
	u64 heap_alloc;		/* bytes of allocated objects */
	u64 span_bytes;		/* bytes of the domain's spans */
	u64 alloc_since_mark;	/* bytes allocated during this mark */

	struct mutex roots_lock;
	struct xarray roots;			/* slot address >> 3 -> slot */

	atomic_t markers;			/* threads draining gray now */
	spinlock_t gray_lock;
	struct list_head gray;			/* gh_gray_block, LIFO */
	struct list_head gray_free;
	bool gray_overflow;			/* a shade found no block */

	struct mutex cycle_lock;		/* one cycle at a time */
	struct work_struct cycle_work;
	bool cycle_queued;
	u64 heap_live, heap_goal, trigger;
	struct gh_gc_stats stats;
	struct dentry *dir;
};

/* gc_domain.c */
int gh_gc_section_depth(struct goheap_gc_domain *d);
bool gh_gc_is_root(struct goheap_gc_domain *d, void **slot);
void gh_gc_shade_roots(struct goheap_gc_domain *d);
__printf(3, 4)
void gh_gc_report(struct goheap_gc_domain *d, u64 *counter, const char *fmt, ...);
int gh_gc_domains_init(struct dentry *goheap_dir);
void gh_gc_domains_exit(void);
u64 gh_gc_double_destroy_count(void);

/* gc_alloc.c */
void gh_gc_types_free(struct goheap_gc_domain *d);

/* gc_mark.c */
struct gh_span *gh_gc_span_of(struct goheap_gc_domain *d, const void *p,
			      unsigned int *idx);
void gh_gc_shade(struct goheap_gc_domain *d, const void *p);
bool gh_gc_mark_some(struct goheap_gc_domain *d, unsigned int budget);
void gh_gc_mark_drain(struct goheap_gc_domain *d);
void gh_gc_gray_free_all(struct goheap_gc_domain *d);
int gh_gc_gray_reserve(struct goheap_gc_domain *d, unsigned int blocks);

/* gc_sweep.c */
void gh_gc_sweep_begin(struct goheap_gc_domain *d);
void gh_gc_sweep_span(struct goheap_gc_domain *d, struct gh_span *span);
void gh_gc_sweep_all(struct goheap_gc_domain *d);
void gh_gc_free_everything(struct goheap_gc_domain *d);

/* gc_cycle.c */
extern struct workqueue_struct *gh_gc_wq;
extern int gh_gctrace;
void gh_gc_cycle_fn(struct work_struct *work);
void gh_gc_pace(struct goheap_gc_domain *d);
void gh_gc_maybe_trigger(struct goheap_gc_domain *d);
int gh_gc_init(struct dentry *goheap_dir);
void gh_gc_exit(void);

#endif /* _GOHEAP_GC_H */
