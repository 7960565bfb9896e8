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
void *goheap_realloc(const void *p, size_t new_size, gfp_t gfp);
void goheap_free(const void *p);
size_t goheap_size(const void *p);
size_t goheap_max_size(void);
void goheap_drain(void);

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
 * @heap_sys: bytes of arenas, released holes included (HeapSys)
 * @heap_inuse: bytes in spans (HeapInuse)
 * @heap_idle: bytes of arenas in no span (HeapIdle)
 * @heap_released: idle bytes given back to the buddy allocator (HeapReleased)
 * @cache_bytes: free object bytes in spans owned by per-CPU caches
 * @central_bytes: free object bytes in spans on the central lists
 * @pending_bytes: bytes freed from another CPU, not yet folded into spans
 * @tail_bytes: bytes at the ends of small-object spans that fit no object
 * @meta_bytes: arena, span and page-map metadata
 * @invalid_frees: frees of pointers goheap did not hand out
 * @double_frees: frees of objects already free
 * @oversize: requests larger than goheap_max_size() or overflowing
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
	u64 meta_bytes;
	u64 invalid_frees;
	u64 double_frees;
	u64 oversize;
};

void goheap_read_stats(struct goheap_stats *st);

#endif /* _GOHEAP_H */
