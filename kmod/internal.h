/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap internal interfaces, shared by the module's files and its KUnit
 * tests. Nothing here is part of the public API (include/goheap.h).
 *
 * Layers, top to bottom; each calls only the ones below it:
 *
 *   malloc.c     public API: size -> class, large objects, bulk, bad input;
 *                beside it typed_cache.c (kmem_cache-like caches) and
 *                rcu_free.c (goheap_free_rcu()), which call malloc.c
 *   cache.c      per-CPU cache (Go's mcache): one owned span per class;
 *                its fast paths are inline in cache.h
 *   central.c    per-class central lists (Go's mcentral)
 *   span.c       a span's object bitmaps: allocation, remote frees
 *   heap.c       page heap (Go's mheap): arenas, page runs, page map
 *   sizeclass.c  the class table and size -> class lookup
 *
 * Beside the layers: gfp.c (the gfp flags goheap refuses, a leaf),
 * fault.c (fail_goheap, fault injection, a leaf the entry points call),
 * counters.c (the per-CPU event counters every layer
 * bumps, a leaf), stats.c (sums and snapshots; reads the layers),
 * debugfs.c (shows stats.c's figures), report.c (bad-input reports, a leaf
 * every layer may call), profile.c (the allocation profile: malloc.c asks
 * it on slow paths; it reads cache.h's countdown and calls only pprof.c,
 * its encoder, a leaf) and main.c (parameters, shrinker, init and exit;
 * calls everything). selftests/layers.sh checks, in make check, that the
 * calls between the files (counted from the object files) form no cycle.
 * The collector (gc/, its own layer list in gc/gc.h)
 * sits beside the allocator on the same spans: it calls span.c, heap.c,
 * sizeclass.c, report.c and debugfs.c's parser, and nothing above them.
 */
#ifndef _GOHEAP_INTERNAL_H
#define _GOHEAP_INTERNAL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <goheap.h>

#include "compat.h"

/* ---- size classes (sizeclass.c) ---------------------------------------- */

struct gh_class_info {
	u32 size;	/* object size in bytes */
	u16 npages;	/* pages per span */
	u16 nelems;	/* objects per span */
	u16 tail;	/* bytes left over at the end of the span */
	u32 divmagic;	/* index = (offset * divmagic) >> 32 */
};

#include "sizeclasses.h"

/**
 * gh_size_to_class() - smallest size class that holds @size bytes
 * @size: request size, 1 .. GH_MAX_SMALL_SIZE
 *
 * Inline: it is on the allocation fast path (sizeclass.c has the tables).
 *
 * Return: the class index (1 .. GH_NUM_CLASSES - 1), or 0 when @size is 0
 * or too large for a size class.
 */
static __always_inline unsigned int gh_size_to_class(size_t size)
{
	if (likely(size <= GH_SIZE_TABLE8_MAX))
		return gh_size_to_class8[DIV_ROUND_UP(size, GH_SMALL_SIZE_DIV)];
	if (size <= GH_MAX_SMALL_SIZE)
		return gh_size_to_class128[DIV_ROUND_UP(size - GH_SIZE_TABLE8_MAX,
							GH_LARGE_SIZE_DIV)];
	return 0;
}

/* ---- page heap (heap.c) ------------------------------------------------- */

/*
 * The page map resolves any direct-map address to its span in four loads:
 * a radix tree over page frame numbers, 9 bits a level below a top array,
 * whose leaves hold one span pointer per page. Physical addresses at or
 * above GH_MAP_PHYS_BITS are never used for arenas. Granules (the memory
 * one leaf covers) are 2 MiB. No pointer in the tree is NULL: a part of it
 * not populated points to a shared empty node of its level (heap.c), down
 * to an empty leaf whose slots are all NULL, so that a look-up tests only
 * what its last load found.
 */
#define GH_GRANULE_ORDER	9
#define GH_GRANULE_PAGES	(1UL << GH_GRANULE_ORDER)
#define GH_MAP_PHYS_BITS	46
#define GH_MAP_BITS		9
#define GH_MAP_FANOUT		(1UL << GH_MAP_BITS)
#define GH_MAP_PFN_BITS		(GH_MAP_PHYS_BITS - PAGE_SHIFT)
#define GH_MAP_LEVELS		3	/* below the top array */
#define GH_MAP_TOP_SHIFT	(GH_MAP_LEVELS * GH_MAP_BITS)
#define GH_MAP_TOP_SIZE		(1UL << (GH_MAP_PFN_BITS - GH_MAP_TOP_SHIFT))

struct gh_map_node {
	void *slot[GH_MAP_FANOUT];
};

extern struct gh_map_node *gh_map_top[GH_MAP_TOP_SIZE];

/*
 * Arenas: an ordinary arena is at most one bitmap word of pages (64 pages,
 * 256 KiB, on 64-bit), 16 pages by default, so that it can go back to the
 * buddy allocator whole once it is empty, and nothing is ever given back
 * piecemeal. A span longer than half an ordinary arena gets a dedicated
 * arena of its own, up to the largest block the buddy allocator serves.
 * heap.c says why 16 pages.
 */
#define GH_MAX_ARENA_ORDER	GH_MAX_PAGE_ORDER
#define GH_MAX_ARENA_PAGES	(1U << GH_MAX_ARENA_ORDER)
#define GH_ARENA_PAGES		BITS_PER_LONG
#define GH_ARENA_ORDER		ilog2(GH_ARENA_PAGES)
#define GH_ARENA_DEFAULT_ORDER	4

static_assert(GH_ARENA_PAGES <= GH_MAX_ARENA_PAGES);
static_assert(GH_ARENA_PAGES <= GH_GRANULE_PAGES);
static_assert(GH_ARENA_DEFAULT_ORDER <= GH_ARENA_ORDER);

struct gh_arena {
	struct list_head node;		/* heap's arena list, by address */
	void *base;
	unsigned int order;		/* of the buddy block it came from */
	unsigned int npages;		/* pages it holds */
	unsigned int inuse_pages;	/* pages in spans */
	unsigned int longest_free;	/* longest run of clear bits in used */
	bool dedicated;			/* holds one long span, or waits for one */
	int nid;			/* NUMA node whose requests it serves */
	/* jiffies its spans were last used; its idle start once inuse_pages is 0 */
	unsigned long idle_since;
	/* ordinary arenas: a set bit is a page in a span, or past npages */
	unsigned long used;
};

/*
 * A span's state vouches for every other field. Whoever sets a span up
 * writes all its fields first and publishes the state last with
 * smp_store_release(); whoever finds a span through the page map reads the
 * state with smp_load_acquire() before any other field. That is the one
 * publication rule; the call sites point here.
 */
enum gh_span_state {
	GH_SPAN_DEAD = 0,	/* not (or no longer) a live span */
	GH_SPAN_SMALL,		/* objects of one size class */
	GH_SPAN_LARGE,		/* one large object */
	GH_SPAN_GC,		/* objects of one type of a GC domain */
	GH_SPAN_TYPED,		/* objects of one typed cache with spans of its own */
};

#define GH_NO_OWNER		(-1)

/*
 * A span: a run of pages holding objects of one class, or one large object.
 *
 * Bitmaps live at the end: alloc[nwords] then remote[nwords], which @remote
 * points to so that the fast paths need not load @nwords. alloc has a bit
 * set for each object handed out; it is written only by the span's owner (a
 * CPU, in a busy section of its cache) or, when the span has no owner,
 * under its central lock. remote collects frees from other CPUs with atomic
 * bit operations until the owner folds them into alloc. A GC span (gc/gc.h)
 * has a third bitmap, mark, and uses remote for objects whose release
 * callback has not run yet.
 */
struct goheap_gc_domain;
struct gh_gc_tinfo;
struct gh_central;
struct gh_prof_bucket;

struct gh_span {
	void *base;
	struct gh_arena *arena;
	union {
		struct list_head node;	/* central partial/full list */
		struct rcu_head rcu;	/* on no list: freed after a grace period */
	};
	unsigned int first_page;	/* index of base in the arena */
	unsigned int npages;
	u8 state;			/* enum gh_span_state */
	u8 cls;
	u8 on_list;			/* enum gh_central_list */
	u8 kmemleak_area;		/* registered whole with kmemleak */
	u16 nelems;
	u16 nwords;
	u16 live;			/* objects in use, while unowned */
	u16 nid;			/* its arena's node: whose central lists */
	int owner;			/* owning CPU or GH_NO_OWNER */
	u32 size;			/* object size; requested size if large */
	u32 divmagic;
	u32 meta_bytes;			/* this structure and its bitmaps */
	u32 gen;			/* placements before this one: tells
					 * a span from earlier ones on its pages
					 */
	union {
		struct goheap_gc_domain *gc_domain;	/* GH_SPAN_GC: owning domain */
		struct gh_central *typed;	/* GH_SPAN_TYPED: its cache's lists */
		/* GH_SPAN_LARGE: its profile bucket if sampled (profile.h), or NULL */
		struct gh_prof_bucket *prof;
	};
	union {
		struct gh_gc_tinfo *gc_tinfo;	/* GH_SPAN_GC: its type record */
		unsigned long spare_since;	/* a central spare: jiffies it emptied */
	};
	unsigned long *remote;		/* bits + nwords */
	unsigned long bits[];
};

/* a span of up to 128 objects, alloc and remote bits, fits kmalloc-128 */
static_assert(sizeof(struct gh_span) + 2 * 2 * sizeof(unsigned long) <= 128);

/* Index of the object @offset bytes into @s (0 in a one-object span). */
static inline unsigned int gh_span_index(const struct gh_span *s,
					 unsigned long offset)
{
	return (unsigned int)(((u64)offset * s->divmagic) >> 32);
}

/*
 * Index of the object at @p in small-object span @s, or -1 if @p is not
 * the start of one: an interior pointer, or a slot-aligned address in the
 * span's tail, past its last object.
 */
static __always_inline long gh_span_start_index(const struct gh_span *s,
						const void *p)
{
	unsigned long offset = p - s->base;
	unsigned int idx = gh_span_index(s, offset);

	if (unlikely(offset != (unsigned long)idx * s->size ||
		     idx >= s->nelems))
		return -1;
	return idx;
}

/* Whether @p lies in the pages of @s. */
static inline bool gh_in_span(const struct gh_span *s, const void *p)
{
	return (unsigned long)(p - s->base) <
	       ((unsigned long)s->npages << PAGE_SHIFT);
}

/* Address of object @idx of @s. */
static inline void *gh_span_obj(const struct gh_span *s, unsigned int idx)
{
	return s->base + (size_t)idx * s->size;
}

static inline unsigned long *gh_span_alloc_bits(struct gh_span *s)
{
	return s->bits;
}

static inline unsigned long *gh_span_remote_bits(struct gh_span *s)
{
	return s->remote;
}

/* Size the bitmaps: @nwords words each. */
static inline void gh_span_set_nwords(struct gh_span *s, unsigned int nwords)
{
	s->nwords = nwords;
	s->remote = s->bits + nwords;
}

static inline unsigned long *gh_span_mark_bits(struct gh_span *s)
{
	return s->bits + 2 * s->nwords;
}

struct gh_heap_stats {
	u64 sys_bytes;		/* arena bytes (HeapSys) */
	u64 inuse_bytes;	/* bytes in spans (HeapInuse) */
	u64 idle_bytes;		/* HeapSys - HeapInuse (HeapIdle) */
	u64 meta_bytes;		/* arena, span and page-map metadata */
	unsigned long arenas;
	unsigned long spans;
};

void gh_heap_exit(void);
struct gh_span *gh_heap_alloc_span(unsigned int npages, unsigned int align,
				   size_t bitmap_bytes, int nid, gfp_t gfp);
void gh_heap_free_span(struct gh_span *span);
void gh_heap_free_idle_span(struct gh_span *span, unsigned long idle_since);

static_assert(GH_MAP_LEVELS == 3);	/* the loads gh_span_of() makes */

/**
 * gh_span_of() - the live span that holds @p
 * @p: any pointer
 *
 * Only direct-map addresses can be goheap's: anything outside the direct
 * map (vmalloc, vmap stacks, module and kernel image addresses) is turned
 * away by the range check before any lookup. Callers are in an RCU read
 * section (any flavour: spans are freed with kfree_rcu()) for as long as
 * they use the span.
 *
 * Return: the span whose pages contain @p, or NULL when @p is not in a
 * live goheap span.
 */
static inline struct gh_span *gh_span_of(const void *p)
{
	unsigned long off = (unsigned long)p - PAGE_OFFSET;
	unsigned long pfn = off >> PAGE_SHIFT;
	unsigned long top = pfn >> GH_MAP_TOP_SHIFT;
	struct gh_map_node *node;

	/* one shift and compare: off is below 1 << GH_MAP_PHYS_BITS */
	if (unlikely(top >= GH_MAP_TOP_SIZE))
		return NULL;
	/* no NULL on the way down: an unmapped pfn ends in the empty leaf */
	node = READ_ONCE(gh_map_top[top]);
	node = READ_ONCE(node->slot[(pfn >> (2 * GH_MAP_BITS)) & (GH_MAP_FANOUT - 1)]);
	node = READ_ONCE(node->slot[(pfn >> GH_MAP_BITS) & (GH_MAP_FANOUT - 1)]);
	return READ_ONCE(node->slot[pfn & (GH_MAP_FANOUT - 1)]);
}
bool gh_heap_owns(const void *p);
void gh_heap_release_all(void);
void gh_heap_release_kick(void);
void gh_heap_read_stats(struct gh_heap_stats *st);
void gh_heap_node_stats(int nid, struct gh_heap_stats *st);
/* A walk over every live span; embed it and use container_of() in visit. */
struct gh_span_walk {
	void (*visit)(struct gh_span *span, struct gh_span_walk *walk);
};

void gh_heap_walk_spans(struct gh_span_walk *walk);
void gh_heap_scan_span(struct gh_span *span, gfp_t gfp);
extern bool gh_heap_kmemleak_arenas;
bool gh_heap_search_ok(void);
bool gh_heap_accounting_ok(void);
size_t gh_heap_max_size(void);

#define GH_ARENA_MAP_CELLS	64

/* One arena as the statistics see it; map: '#' used, '+' partly, '.' free,
 * per cell of npages / GH_ARENA_MAP_CELLS pages.
 */
struct gh_arena_info {
	unsigned int order, npages, inuse;
	char map[GH_ARENA_MAP_CELLS + 1];
};

unsigned int gh_heap_arena_info(struct gh_arena_info *info, unsigned int max);

/* Tunables: module parameters (main.c), kept by the layer that reads them */
extern unsigned int gh_arena_order;
extern unsigned int gh_release_delay_ms;
extern unsigned int gh_refill_div;

/* ---- spans (span.c) ----------------------------------------------------- */

struct gh_span *gh_span_new(unsigned int cls, unsigned int nbitmaps,
			    unsigned int npages, int nid, gfp_t gfp);
struct gh_span *gh_span_new_small(unsigned int cls, int nid, gfp_t gfp,
				  unsigned int want);
unsigned int gh_span_bulk_objects(unsigned int cls, unsigned int want);
void gh_span_free_small(struct gh_span *span, unsigned long idle_since);
struct gh_span *gh_span_new_typed(struct gh_central *c, gfp_t gfp);
void gh_span_free_typed(struct gh_span *span, bool after_gp,
			unsigned long idle_since);
unsigned int gh_span_pages_of(unsigned int cls);
unsigned int gh_span_grown_pages(unsigned int cls, unsigned long alive);
unsigned int gh_span_grown_objects_max(unsigned int cls);
/* live spans of a class per doubling of its new spans' size (span.c) */
#define GH_SPAN_GROW_STEP	8
/* a span grows no further than this many objects, but for a bulk call's */
#define GH_SPAN_GROW_OBJECTS	32
static_assert(GH_SPAN_GROW_OBJECTS <= GH_MAX_SPAN_OBJECTS);
unsigned int gh_span_fold_remote(struct gh_span *span);
void gh_span_settle_raced_free(struct gh_span *span, unsigned int idx);
unsigned int gh_span_live_objects(struct gh_span *span);
unsigned long gh_span_window(struct gh_span *span, unsigned int word);
bool gh_span_remote_free(struct gh_span *span, unsigned int idx);

/* ---- central lists (central.c) ------------------------------------------ */

enum gh_central_list { GH_LIST_NONE, GH_LIST_PARTIAL, GH_LIST_FULL };

/* empty spans a central list keeps, for up to release_delay_ms (central.c) */
#define GH_CENTRAL_SPARES	8

/*
 * The central lists of a size class, or of a typed cache that has spans of
 * its own (typed_cache.c): then its spans are GH_SPAN_TYPED, no CPU ever
 * owns one, and every allocation and free takes the lock.
 */
struct gh_central {
	spinlock_t lock;
	struct list_head partial;
	struct list_head full;
	unsigned int cls;
	int nid;		/* NUMA node of its spans */
	const void *owner;	/* the typed cache whose lists these are */
	u8 span_state;		/* of its spans: GH_SPAN_SMALL or GH_SPAN_TYPED */
	bool free_after_gp;	/* empty spans wait an RCU grace period */
	void (*ctor)(void *obj);	/* run on each object of a new span */
	unsigned long allocs;	/* objects taken, and freed, under the lock */
	unsigned long frees;
	unsigned int nr_spares;	/* empty spans kept, at the end of partial */
	struct list_head typed_node;	/* registered typed caches' lists */
} ____cacheline_aligned_in_smp;

/* per possible NUMA node, an array of GH_NUM_CLASSES */
extern struct gh_central *gh_node_centrals[MAX_NUMNODES];

/* The central lists of class @cls on node @nid, a possible node. */
static inline struct gh_central *gh_central_of(int nid, unsigned int cls)
{
	return &gh_node_centrals[nid][cls];
}

int gh_central_init(void);
void gh_central_stop(void);
void gh_central_exit(void);
void gh_central_setup(struct gh_central *c, unsigned int cls, int nid,
		      u8 span_state);
unsigned long gh_central_slots(struct gh_central *c, unsigned long *spans);
void gh_central_walk(struct gh_central *c, struct gh_span_walk *walk);
unsigned long gh_central_live(struct gh_central *c, void **first,
			      unsigned int max);
struct gh_span *gh_central_take(struct gh_central *c, int cpu,
				unsigned int want, struct gh_span *old);
struct gh_span *gh_central_grow(struct gh_central *c, gfp_t gfp,
				unsigned int want);
void gh_central_put(struct gh_central *c, struct gh_span *span);
void gh_central_fold(struct gh_central *c, struct gh_span *span);
void *gh_central_alloc(struct gh_central *c, gfp_t gfp);
int gh_central_free(struct gh_central *c, struct gh_span *span,
		    unsigned int idx);
int gh_central_free_many(struct gh_central *c, struct gh_span *span,
			 const u16 *idx, unsigned int n, unsigned long *bad);
void gh_central_reclaim(struct gh_central *c);
void gh_central_reclaim_all(void);
void gh_central_register(struct gh_central *c);
void gh_central_unregister(struct gh_central *c);

/* ---- per-CPU cache (cache.c) --------------------------------------------- */

int gh_cache_init(void);
void gh_cache_exit(void);
/* The fast paths, gh_cache_alloc_fast() and gh_cache_free_local(): cache.h */
int gh_cache_free_elsewhere(struct gh_span *span, unsigned int idx);
int gh_cache_free(struct gh_span *span, unsigned int idx);
void gh_cache_drain_all(void);
unsigned long gh_cache_free_slots(unsigned int cpu, unsigned int cls);
unsigned long gh_cache_bypass_count(void);

/* ---- gfp flags (gfp.c) ---------------------------------------------------- */

/* memory goheap never holds: these allocations fail, with a warning */
#define GH_GFP_REFUSED	(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)
/* served, and dropped before the page heap sees them */
#define GH_GFP_IGNORED	(__GFP_ACCOUNT | __GFP_RECLAIMABLE | __GFP_COMP)

void *gh_gfp_refuse(gfp_t gfp, unsigned long caller);

/* ---- the manual heap's entry points, for the files beside it (malloc.c) - */

void *gh_alloc_class(unsigned int cls, size_t size, gfp_t gfp);
void *gh_alloc_class_node(unsigned int cls, size_t size, gfp_t gfp, int node);
bool gh_node_ok(int node, unsigned long caller);
int gh_alloc_bulk_class(unsigned int cls, size_t size, gfp_t gfp, size_t n,
			void **ptrs);
void gh_free_from(const void *p, unsigned long caller);
int gh_free_in_span(struct gh_span *span, const void *p, unsigned long caller);
void gh_free_bulk_from(size_t n, void **ptrs, unsigned long caller);
void gh_trace_allocs(unsigned long caller, void **ptrs, size_t n, size_t size,
		     size_t given, gfp_t gfp);
bool gh_bulk_bad_args(size_t n, void **ptrs, bool alloc, unsigned long caller);
size_t gh_live_size(const void *p);

/* ---- typed caches (typed_cache.c) and RCU frees (rcu_free.c) -------------- */

struct dentry;
void gh_typed_init(struct dentry *root);
void gh_typed_exit(void);
unsigned long gh_typed_active(struct goheap_cache *c);
void gh_rcu_free_init(void);
void gh_rcu_free_exit(void);

/* ---- statistics (stats.c) ------------------------------------------------ */

enum gh_counter {
	GH_CNT_LARGE_MALLOCS,
	GH_CNT_LARGE_FREES,
	GH_CNT_LARGE_BYTES_ALLOC,	/* pages of large objects, in bytes */
	GH_CNT_LARGE_BYTES_FREED,
	GH_CNT_INVALID_FREE,
	GH_CNT_DOUBLE_FREE,
	GH_CNT_OVERSIZE,
	GH_CNT_REFILLS,		/* cache took a span from central */
	GH_CNT_FLUSHES,		/* cache gave a span back to central */
	/* slow paths, whose locks and atomics the fast paths avoid */
	GH_CNT_CENTRAL_FREES,	/* frees that took a central lock */
	GH_CNT_CENTRAL_ALLOCS,	/* allocations that took a central lock */
	GH_CNT_REMOTE_FREES,	/* frees through a remote bit */
	GH_CNT_SPAN_ALLOCS,	/* spans the page heap placed */
	GH_CNT_SPAN_FREES,	/* spans given back to the page heap */
	GH_CNT_BAD_GFP,		/* allocations refused for their gfp flags */
	/* debug mode (debug.c) */
	GH_CNT_OVERFLOW,	/* red zones found written */
	GH_CNT_USE_AFTER_FREE,	/* poison found written */
	GH_CNT_QUARANTINED,	/* objects kept out of use for good */
	GH_CNT_VALIDATE_ERRORS,	/* other inconsistencies validation found */
	GH_CNT_FAULT_INJECTED,	/* allocations fail_goheap failed (fault.c) */
	GH_NR_COUNTERS
};

/* Per-CPU statistics; the fast path touches only its own CPU's copy. */
struct gh_pcpu_stats {
	long cnt[GH_NR_COUNTERS];
	long class_mallocs[GH_NUM_CLASSES];
	long class_frees[GH_NUM_CLASSES];
	long class_requested[GH_NUM_CLASSES];	/* bytes asked for */
};

/* counters.c: a leaf, so that counting makes no layer depend on stats.c */
DECLARE_PER_CPU(struct gh_pcpu_stats, gh_stats);

static inline void gh_count(enum gh_counter c)
{
	this_cpu_inc(gh_stats.cnt[c]);
}

static inline void gh_count_add(enum gh_counter c, long n)
{
	this_cpu_add(gh_stats.cnt[c], n);
}

/* Span bytes by role, from one walk over the heap. */
struct gh_span_tally {
	struct gh_span_walk walk;
	u64 cache, central, pending, tail, gc;
	unsigned long partial[GH_NUM_CLASSES];
	unsigned long full[GH_NUM_CLASSES];
	unsigned long owned[GH_NUM_CLASSES];
	u64 bytes[GH_NUM_CLASSES];	/* span pages, in bytes */
};

struct gh_snapshot {
	struct goheap_stats st;
	struct gh_pcpu_stats now;	/* raw sums */
	struct gh_pcpu_stats since;	/* sums since the last reset */
	struct gh_span_tally *tally;
	struct gh_heap_stats heap;
};

void gh_take_snapshot(struct gh_snapshot *snap);
u64 gh_class_bytes_allocated(const struct gh_pcpu_stats *s, unsigned int cls);
int gh_stats_reset(void);

/* ---- debugfs (debugfs.c) -------------------------------------------------- */

void gh_debugfs_init(void);
void gh_debugfs_exit(void);
struct dentry *gh_debugfs_root(void);
int gh_debugfs_parse_one(const char __user *ubuf, size_t len);

/* ---- bad input (report.c) ------------------------------------------------- */

/*
 * A bad free (or size or realloc) of @p: counted in @kind and reported once,
 * rate-limited, with the caller captured at the exported function.
 */
void gh_report_bad_free(enum gh_counter kind, const void *p,
			const char *why, unsigned long caller);

#endif /* _GOHEAP_INTERNAL_H */
