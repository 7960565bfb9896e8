/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap: the Go runtime's memory manager as a kernel allocator.
 *
 * The public API for other modules. See Documentation/goheap.rst.
 */
#ifndef _GOHEAP_H
#define _GOHEAP_H

#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/types.h>

/*
 * The address every zero-byte allocation returns: never NULL, never to be
 * dereferenced (it faults), freeing it is a no-op. It is the kernel's
 * ZERO_SIZE_PTR, so ZERO_OR_NULL_PTR() works on goheap results too.
 */
#define GOHEAP_ZERO_PTR		ZERO_SIZE_PTR

/* Objects up to this size come from size classes; larger from page runs. */
#define GOHEAP_MAX_SMALL_SIZE	32768

void *goheap_alloc(size_t size, gfp_t gfp);
void *goheap_alloc_array(size_t n, size_t size, gfp_t gfp);
void *goheap_alloc_node(size_t size, gfp_t gfp, int node);
void *goheap_realloc(const void *p, size_t new_size, gfp_t gfp);
void goheap_free(const void *p);
size_t goheap_size(const void *p);
size_t goheap_max_size(void);
void goheap_drain(void);
int goheap_alloc_bulk(size_t size, gfp_t gfp, size_t n, void **ptrs);
void goheap_free_bulk(size_t n, void **ptrs);
void goheap_free_rcu(const void *p);
void goheap_rcu_barrier(void);

/* ---- typed caches (kmem_cache) ------------------------------------------ */

/*
 * goheap_cache_create() flags. A cache with a constructor, with
 * GOHEAP_CACHE_TYPESAFE_BY_RCU or with GOHEAP_CACHE_NO_MERGE has spans of its
 * own; any other shares its size class's spans and fast path.
 */
/* free objects stay objects of the type until an RCU grace period passes */
#define GOHEAP_CACHE_TYPESAFE_BY_RCU	0x1U
/* objects start on a cache line (L1_CACHE_BYTES) */
#define GOHEAP_CACHE_HWCACHE_ALIGN	0x2U
/* spans of its own even without a constructor (exact slab-style figures) */
#define GOHEAP_CACHE_NO_MERGE		0x4U

struct goheap_cache;

struct goheap_cache *goheap_cache_create(const char *name, size_t size,
					 size_t align, unsigned int flags,
					 void (*ctor)(void *obj));
int goheap_cache_destroy(struct goheap_cache *c);
void *goheap_cache_alloc(struct goheap_cache *c, gfp_t gfp);
void *goheap_cache_alloc_node(struct goheap_cache *c, gfp_t gfp, int node);
void goheap_cache_free(struct goheap_cache *c, const void *p);
int goheap_cache_alloc_bulk(struct goheap_cache *c, gfp_t gfp, size_t n,
			    void **ptrs);
void goheap_cache_free_bulk(struct goheap_cache *c, size_t n, void **ptrs);
size_t goheap_cache_size(const struct goheap_cache *c);

/**
 * goheap_zalloc() - allocate zeroed memory
 * @size: bytes wanted
 * @gfp: allocation flags, as for kmalloc()
 *
 * Return: as goheap_alloc(), with the memory zeroed.
 */
static inline void *goheap_zalloc(size_t size, gfp_t gfp)
{
	return goheap_alloc(size, gfp | __GFP_ZERO);
}

/**
 * struct goheap_stats - a snapshot of goheap's accounting, in bytes unless
 * named otherwise; the fields follow Go's runtime.MemStats
 * @alloc: bytes of live objects, small ones at their class size and large
 *	   ones at their page-run size (MemStats.Alloc, = HeapAlloc)
 * @total_alloc: bytes ever handed out (TotalAlloc)
 * @sys: bytes goheap took from the buddy allocator, metadata included (Sys)
 * @mallocs: objects ever handed out (Mallocs)
 * @frees: objects ever freed (Frees)
 * @heap_objects: live objects (HeapObjects)
 * @heap_sys: bytes of the arenas goheap holds (HeapSys)
 * @heap_inuse: bytes in spans (HeapInuse)
 * @heap_idle: bytes of arenas in no span (HeapIdle)
 * @heap_released: always 0, kept for MemStats readers: pages given back to
 *	the buddy allocator leave @heap_sys at once (HeapReleased)
 * @cache_bytes: free object bytes in spans owned by per-CPU caches
 * @central_bytes: free object bytes in spans on the central lists, and the
 *	bytes of spans being set up or on their way back to the page heap
 * @pending_bytes: bytes freed from another CPU, not yet folded into spans
 * @tail_bytes: bytes at the ends of small-object spans that fit no object
 * @gc_bytes: bytes in the spans of garbage-collected domains
 * @meta_bytes: arena, span and page-map metadata
 * @invalid_frees: frees of pointers goheap did not hand out
 * @double_frees: frees of objects already free
 * @oversize: requests larger than goheap_max_size() or overflowing
 * @refills: spans a per-CPU cache took (from central or the page heap)
 * @flushes: spans a per-CPU cache gave back to central
 * @central_frees: frees that took a central list's lock (to a span no
 *	cache owns)
 * @central_allocs: allocations that took a central list's lock (an
 *	interrupt that found its CPU's cache busy)
 * @remote_frees: frees through a span's remote bit (another CPU's span)
 * @span_allocs: spans the page heap placed
 * @span_frees: spans given back to the page heap
 * @bad_gfp: allocations refused for their gfp flags (__GFP_DMA, __GFP_DMA32,
 *	__GFP_HIGHMEM; Documentation/goheap.rst, "gfp flags")
 * @overflows: debug mode: red zones found written (writes past an object)
 * @writes_after_free: debug mode: free objects' poison found written
 * @quarantined: debug mode: corrupted objects kept out of use for good
 * @validate_errors: debug mode: other inconsistencies "validate" found
 * @fault_injected: allocations fail_goheap failed on purpose
 *	(Documentation/goheap.rst, "Fault injection")
 *
 * @refills to @span_frees count the slow paths, which take locks or atomic
 * instructions; the fast paths take neither. Like @mallocs they, and
 * @bad_gfp and @fault_injected, count from load or from the last debugfs
 * reset.
 */
struct goheap_stats {
	u64 alloc;
	u64 total_alloc;
	u64 sys;
	u64 mallocs;
	u64 frees;
	u64 heap_objects;
	u64 heap_sys;
	u64 heap_inuse;
	u64 heap_idle;
	u64 heap_released;
	u64 cache_bytes;
	u64 central_bytes;
	u64 pending_bytes;
	u64 tail_bytes;
	u64 gc_bytes;
	u64 meta_bytes;
	u64 invalid_frees;
	u64 double_frees;
	u64 oversize;
	u64 refills;
	u64 flushes;
	u64 central_frees;
	u64 central_allocs;
	u64 remote_frees;
	u64 span_allocs;
	u64 span_frees;
	u64 bad_gfp;
	u64 overflows;
	u64 writes_after_free;
	u64 quarantined;
	u64 validate_errors;
	u64 fault_injected;
};

void goheap_read_stats(struct goheap_stats *st);

/* ---- garbage-collected domains ------------------------------------------ */

/**
 * struct goheap_gc_type - what the collector knows of an object type
 * @name: for statistics and error messages
 * @size: object size in bytes, 1 .. goheap_max_size(); sizes above
 *	  %GOHEAP_MAX_SMALL_SIZE get a page run each
 * @ptr_offsets: byte offsets of the pointer fields; each must be
 *		 pointer-aligned and inside the object
 * @nr_ptrs: number of entries in @ptr_offsets; 0 makes the type pointer-free
 *	     (its objects are never scanned)
 * @release: if set, called once for each object of the type the collector
 *	     reclaims, with no goheap lock held, before its memory is reused
 *
 * Descriptors are used by address and must outlive every domain object of
 * the type.
 */
struct goheap_gc_type {
	const char *name;
	size_t size;
	const size_t *ptr_offsets;
	unsigned int nr_ptrs;
	void (*release)(void *obj);
};

/* goheap_gc_opts.gogc: collect only on request (Go's GOGC=off) */
#define GOHEAP_GC_OFF		(-1)
/* goheap_gc_opts.flags: skip slot and value checks in goheap_gc_store() */
#define GOHEAP_GC_UNCHECKED	0x1

/**
 * struct goheap_gc_opts - tuning of a domain
 * @gogc: heap growth, in percent of the live heap, that triggers the next
 *	  cycle (Go's GOGC; 0 means the default 100, %GOHEAP_GC_OFF disables)
 * @mem_limit: bytes the domain's heap may reach before allocation collects
 *	       and then fails (Go's GOMEMLIMIT); 0 means no limit
 * @min_heap: the heap goal is never below this (0 means 4 MiB)
 * @flags: %GOHEAP_GC_UNCHECKED
 * @mark_workers: threads that mark in each cycle, the cycle's own included
 *		  (0 means one per online CPU; at most 256)
 */
struct goheap_gc_opts {
	int gogc;
	size_t mem_limit;
	size_t min_heap;
	unsigned int flags;
	unsigned int mark_workers;
};

struct goheap_gc_domain;

struct goheap_gc_domain *goheap_gc_create(const char *name,
					  const struct goheap_gc_opts *opts);
int goheap_gc_destroy(struct goheap_gc_domain *d);
void *goheap_gc_alloc(struct goheap_gc_domain *d,
		      const struct goheap_gc_type *type, gfp_t gfp);
int goheap_gc_add_root(struct goheap_gc_domain *d, void **slot);
int goheap_gc_remove_root(struct goheap_gc_domain *d, void **slot);
int goheap_gc_enter(struct goheap_gc_domain *d);
int goheap_gc_exit(struct goheap_gc_domain *d, int token);
int __goheap_gc_store(struct goheap_gc_domain *d, void **slot, void *value);
int goheap_gc_collect(struct goheap_gc_domain *d);

/*
 * The part of a domain the store barrier reads inline: the barrier's mode
 * word, zero when a store needs nothing but the store, nonzero while the
 * collector marks or when the domain checks its stores. It is the first
 * member of every domain. Private to goheap.
 */
struct goheap_gc_domain_head {
	unsigned long barrier_mode;
};

/**
 * goheap_gc_store() - store a pointer into a domain object or root
 * @d: the domain
 * @slot: a pointer field of a live domain object, or a registered root
 * @value: a domain object (any address inside it), or NULL
 *
 * The only way to store a pointer into the domain's heap or roots. While the
 * collector marks, the old value is shaded first (a deletion barrier). With
 * %GOHEAP_GC_UNCHECKED and no collection running this is a plain store and
 * one predictable branch.
 *
 * Context: inside goheap_gc_enter() / goheap_gc_exit().
 * Return: 0, or -EINVAL if @slot is not a pointer field of a live object of
 * @d nor a root of @d, or @value is not NULL and not in @d (nothing stored).
 */
static inline int goheap_gc_store(struct goheap_gc_domain *d, void **slot,
				  void *value)
{
	const struct goheap_gc_domain_head *h = (const void *)d;

	if (likely(!READ_ONCE(h->barrier_mode))) {
		WRITE_ONCE(*slot, value);
		return 0;
	}
	return __goheap_gc_store(d, slot, value);
}

/**
 * goheap_gc_load() - read a pointer field or root of a domain
 * @slot: the field
 *
 * Return: its value. A plain load: the collector needs no read barrier.
 */
static inline void *goheap_gc_load(void *const *slot)
{
	return READ_ONCE(*slot);
}

#endif /* _GOHEAP_H */
