/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap's tracepoints: the "goheap" trace system in tracefs
 * (events/goheap/). A disabled tracepoint is a static branch, patched out.
 * goheap:alloc and goheap:free hold the hooks key (hooks.h) while they
 * are on: the manual heap's entry points test that key once, at their
 * top, and take their hooked copies out of line (malloc.c), so that the
 * untraced fast path gains one patched-out jump and no register; the
 * others fire on slow paths and rare events, where they stand.
 *
 * trace.c alone defines them (CREATE_TRACE_POINTS); every other file
 * includes this header for the trace_*() calls.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM goheap

#if !defined(_GOHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GOHEAP_TRACE_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

#include "compat.h"
#include "hooks.h"

/*
 * An object handed out by an allocating entry point (goheap_alloc() and
 * its kin, the bulk calls per object, typed caches): kmem:kmalloc's fields.
 */
TRACE_EVENT_FN(alloc,
	TP_PROTO(unsigned long call_site, const void *ptr, size_t bytes_req,
		 size_t bytes_alloc, gfp_t gfp_flags),
	TP_ARGS(call_site, ptr, bytes_req, bytes_alloc, gfp_flags),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__field(size_t, bytes_req)
		__field(size_t, bytes_alloc)
		__field(unsigned long, gfp_flags)
	),
	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		__entry->bytes_req = bytes_req;
		__entry->bytes_alloc = bytes_alloc;
		__entry->gfp_flags = (__force unsigned long)gfp_flags;
	),
	TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s",
		  (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
		  __entry->bytes_alloc, show_gfp_flags(__entry->gfp_flags)),
	gh_hooks_trace_reg, gh_hooks_trace_unreg
);

/* A pointer given to a freeing entry point, good or bad, NULL included. */
TRACE_EVENT_FN(free,
	TP_PROTO(unsigned long call_site, const void *ptr),
	TP_ARGS(call_site, ptr),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
	),
	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
	),
	TP_printk("call_site=%pS ptr=%p", (void *)__entry->call_site, __entry->ptr),
	gh_hooks_trace_reg, gh_hooks_trace_unreg
);

/* A free goheap turned away (double, invalid or of a GC object). */
TRACE_EVENT(bad_free,
	TP_PROTO(unsigned long call_site, const void *ptr, const char *why),
	TP_ARGS(call_site, ptr, why),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__string(why, why)
	),
	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		gh_trace_assign_str(why, why);
	),
	TP_printk("call_site=%pS ptr=%p why=%s", (void *)__entry->call_site,
		  __entry->ptr, __get_str(why))
);

/* A CPU's cache installed a span of class @cls, @nelems objects of @size bytes. */
TRACE_EVENT(refill,
	TP_PROTO(unsigned int cls, unsigned int size, unsigned int nelems, int nid),
	TP_ARGS(cls, size, nelems, nid),
	TP_STRUCT__entry(
		__field(unsigned int, cls)
		__field(unsigned int, size)
		__field(unsigned int, nelems)
		__field(int, nid)
	),
	TP_fast_assign(
		__entry->cls = cls;
		__entry->size = size;
		__entry->nelems = nelems;
		__entry->nid = nid;
	),
	TP_printk("class=%u size=%u objects=%u node=%d", __entry->cls,
		  __entry->size, __entry->nelems, __entry->nid)
);

DECLARE_EVENT_CLASS(goheap_arena,
	TP_PROTO(const void *base, unsigned int npages, int nid, bool dedicated),
	TP_ARGS(base, npages, nid, dedicated),
	TP_STRUCT__entry(
		__field(const void *, base)
		__field(unsigned int, npages)
		__field(int, nid)
		__field(bool, dedicated)
	),
	TP_fast_assign(
		__entry->base = base;
		__entry->npages = npages;
		__entry->nid = nid;
		__entry->dedicated = dedicated;
	),
	TP_printk("base=%p pages=%u node=%d dedicated=%d", __entry->base,
		  __entry->npages, __entry->nid, __entry->dedicated)
);

/* Pages taken from the buddy allocator for a new arena. */
DEFINE_EVENT(goheap_arena, arena_grow,
	TP_PROTO(const void *base, unsigned int npages, int nid, bool dedicated),
	TP_ARGS(base, npages, nid, dedicated)
);

/* An empty arena's pages given back to the buddy allocator. */
DEFINE_EVENT(goheap_arena, arena_release,
	TP_PROTO(const void *base, unsigned int npages, int nid, bool dedicated),
	TP_ARGS(base, npages, nid, dedicated)
);

/* A GC cycle begins: the heap it starts from, and who asked. */
TRACE_EVENT(gc_cycle_start,
	TP_PROTO(const char *domain, u64 cycle, u64 heap_alloc, bool forced),
	TP_ARGS(domain, cycle, heap_alloc, forced),
	TP_STRUCT__entry(
		__string(domain, domain)
		__field(u64, cycle)
		__field(u64, heap_alloc)
		__field(bool, forced)
	),
	TP_fast_assign(
		gh_trace_assign_str(domain, domain);
		__entry->cycle = cycle;
		__entry->heap_alloc = heap_alloc;
		__entry->forced = forced;
	),
	TP_printk("domain=%s cycle=%llu heap=%llu forced=%d", __get_str(domain),
		  __entry->cycle, __entry->heap_alloc, __entry->forced)
);

/* A GC cycle's phase ended, after @ns nanoseconds. */
TRACE_EVENT(gc_phase,
	TP_PROTO(const char *domain, u64 cycle, const char *phase, u64 ns),
	TP_ARGS(domain, cycle, phase, ns),
	TP_STRUCT__entry(
		__string(domain, domain)
		__field(u64, cycle)
		__string(phase, phase)
		__field(u64, ns)
	),
	TP_fast_assign(
		gh_trace_assign_str(domain, domain);
		__entry->cycle = cycle;
		gh_trace_assign_str(phase, phase);
		__entry->ns = ns;
	),
	TP_printk("domain=%s cycle=%llu phase=%s ns=%llu", __get_str(domain),
		  __entry->cycle, __get_str(phase), __entry->ns)
);

/* A GC cycle ended: the heap before and after, and what it freed. */
TRACE_EVENT(gc_cycle_end,
	TP_PROTO(const char *domain, u64 cycle, u64 heap_before, u64 heap_after,
		 u64 marked, u64 freed),
	TP_ARGS(domain, cycle, heap_before, heap_after, marked, freed),
	TP_STRUCT__entry(
		__string(domain, domain)
		__field(u64, cycle)
		__field(u64, heap_before)
		__field(u64, heap_after)
		__field(u64, marked)
		__field(u64, freed)
	),
	TP_fast_assign(
		gh_trace_assign_str(domain, domain);
		__entry->cycle = cycle;
		__entry->heap_before = heap_before;
		__entry->heap_after = heap_after;
		__entry->marked = marked;
		__entry->freed = freed;
	),
	TP_printk("domain=%s cycle=%llu heap=%llu->%llu marked=%llu freed=%llu",
		  __get_str(domain), __entry->cycle, __entry->heap_before,
		  __entry->heap_after, __entry->marked, __entry->freed)
);

#endif /* _GOHEAP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
