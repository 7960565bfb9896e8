// SPDX-License-Identifier: GPL-2.0
/*
 * The manual heap: goheap's kmalloc-like API.
 *
 * goheap_alloc() rounds a request up to its size class and takes an object
 * from this CPU's cache (cache.c). Requests above 32 KiB are "large": each
 * is a run of whole pages from the page heap (heap.c), aligned to its size
 * when that size is a power of two, as kmalloc aligns its own.
 *
 * goheap_free() trusts nothing it is given. The page map says whether the
 * pointer lies in a live goheap span at all; the span says whether it is
 * the start of an object; the span's bitmaps say whether that object is
 * handed out. Whatever fails a check is reported once (rate-limited, with
 * the caller's symbol), counted in the statistics, and ignored: the heap is
 * left as it was. The same goes for sizes that overflow or that no arena
 * could hold.
 *
 * Zero-byte requests get ZERO_SIZE_PTR, as kmalloc does (Go's zerobase):
 * one shared address that faults when touched and whose free does nothing.
 *
 * init_on_alloc and init_on_free are honoured as SLUB honours them: the
 * whole object (the class size, or the page run) is zeroed on allocation
 * when either the boot option or __GFP_ZERO asks, and on free when the boot
 * option asks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include <goheap.h>

#include "cache.h"
#include "debug.h"
#include "fault.h"
#include "hooks.h"
#include "internal.h"
#include "poison.h"
#include "profile.h"
#include "report.h"
#include "trace.h"

static_assert(GOHEAP_MAX_SMALL_SIZE == GH_MAX_SMALL_SIZE,
	      "include/goheap.h and the generated class table disagree");

/*
 * A run of pages for @size bytes; @sampled: the allocation is a profile
 * sample (profile.c), whose span carries its bucket to the free.
 */
static void *gh_alloc_pages(size_t size, gfp_t gfp, int nid, bool sampled)
{
	unsigned int npages = DIV_ROUND_UP(size, PAGE_SIZE);
	struct gh_span *span;

	if (unlikely(size > gh_heap_max_size())) {
		gh_count(GH_CNT_OVERSIZE);
		pr_warn_once("request of %zu bytes is over the %zu-byte limit\n",
			     size, gh_heap_max_size());
		return NULL;
	}
	span = gh_heap_alloc_span(npages, is_power_of_2(size) ? npages : 1, 0, nid, gfp);
	if (!span)
		return NULL;
	span->size = size;
	span->prof = sampled ? gh_profile_alloc(size, gfp) : NULL;
	/* pairs with the acquire in goheap_free(): fields before state */
	smp_store_release(&span->state, GH_SPAN_LARGE);
	gh_count(GH_CNT_LARGE_MALLOCS);
	gh_count_add(GH_CNT_LARGE_BYTES_ALLOC, (long)npages * PAGE_SIZE);
	gh_unpoison(span->base, (size_t)npages * PAGE_SIZE);
	if (want_init_on_alloc(gfp))
		memset(span->base, 0, (size_t)npages * PAGE_SIZE);
	return span->base;
}

/* Out of line, so that goheap_alloc()'s small path saves no register. */
static noinline void *gh_alloc_large(size_t size, gfp_t gfp, int nid)
{
	return gh_alloc_pages(size, gfp, nid, gh_profile_tick(size));
}

static void gh_free_large(struct gh_span *span, const void *p,
			  unsigned long caller)
{
	if (p != span->base) {
		gh_report_bad_free(GH_CNT_INVALID_FREE, p, "interior pointer",
				   caller);
		return;
	}
	/* of two racing frees of one large object, only one gets here */
	if (cmpxchg(&span->state, GH_SPAN_LARGE, GH_SPAN_DEAD) != GH_SPAN_LARGE) {
		gh_report_bad_free(GH_CNT_DOUBLE_FREE, p, "double free", caller);
		return;
	}
	if (want_init_on_free())
		memset(span->base, 0, (size_t)span->npages * PAGE_SIZE);
	/* the heap unpoisons pages before they go back to the buddy allocator */
	gh_poison(span->base, (size_t)span->npages * PAGE_SIZE);
	if (span->prof)
		gh_profile_free(span->prof);
	gh_count(GH_CNT_LARGE_FREES);
	gh_count_add(GH_CNT_LARGE_BYTES_FREED, (long)span->npages * PAGE_SIZE);
	gh_heap_free_span(span);
}

/*
 * Unpoison, and zero if asked, a small object before it is handed out.
 * Every call is a tail call (memset() returns @p), so that goheap_alloc()'s
 * fast path saves no register.
 */
static __always_inline void *gh_alloc_ready(void *p, unsigned int cls,
					    gfp_t gfp)
{
	gh_unpoison(p, gh_classes[cls].size);
	if (unlikely(want_init_on_alloc(gfp)))
		return memset(p, 0, gh_classes[cls].size);
	return p;
}

static noinline void *gh_alloc_small_slow(unsigned int cls, size_t size,
					  gfp_t gfp, unsigned int want)
{
	void *p = gh_cache_alloc_slow(cls, size, gfp, want);

	return p ? gh_alloc_ready(p, cls, gfp) : NULL;
}

/*
 * The slow path of a request that took this CPU's countdown below zero:
 * it is the sample, and gets pages of its own (profile.c says why), unless
 * an interrupt re-armed the countdown first (gh_profile_due() looks again).
 */
static noinline void *gh_alloc_small_profiled(unsigned int cls, size_t size,
					      gfp_t gfp)
{
	void *p;

	if (unlikely(gh_profile_due(cls))) {
		p = gh_alloc_pages(size, gfp, NUMA_NO_NODE, true);
		if (p)
			return p;
	}
	return gh_alloc_small_slow(cls, size, gfp, 0);
}

/* @profiled: a constant, as for gh_cache_alloc_fast() */
static __always_inline void *gh_alloc_small(unsigned int cls, size_t size,
					    gfp_t gfp, bool profiled)
{
	void *p = gh_cache_alloc_fast(cls, size, profiled);

	if (unlikely(!p)) {
		if (profiled && unlikely(gh_cache_sample_due(cls)))
			return gh_alloc_small_profiled(cls, size, gfp);
		return gh_alloc_small_slow(cls, size, gfp, 0);
	}
	return gh_alloc_ready(p, cls, gfp);
}

/**
 * gh_alloc_class() - goheap_alloc() of @size bytes in class @cls
 * @cls: a size class that holds @size bytes
 * @size: bytes asked for, for the statistics
 * @gfp: allocation flags, already checked against GH_GFP_REFUSED
 *
 * For typed caches that share a size class (typed_cache.c).
 *
 * Return: the object, or NULL when memory is short.
 */
void *gh_alloc_class(unsigned int cls, size_t size, gfp_t gfp)
{
	return gh_alloc_small(cls, size, gfp, false);
}

/*
 * An object of @cls from another node's central lists (no CPU's cache
 * serves a node not its own), counted; not yet made ready.
 */
static void *gh_alloc_other_node(unsigned int cls, size_t size, gfp_t gfp,
				 int node)
{
	void *p = gh_central_alloc(gh_central_of(node, cls), gfp);

	if (p) {
		this_cpu_inc(gh_stats.class_mallocs[cls]);
		this_cpu_add(gh_stats.class_requested[cls], size);
	}
	return p;
}

/*
 * Whether a free must wipe or poison the object: in out-of-line
 * gh_free_wiped(), so that the plain fast path makes no call.
 */
static __always_inline bool gh_free_wants_wipe(void)
{
	return IS_ENABLED(CONFIG_KASAN_GENERIC) || want_init_on_free();
}

/*
 * Wipe and poison before the object can be handed out again. A double free
 * is turned away first, unless it races with the object being freed
 * elsewhere; then it can only wipe or poison a free object.
 */
static void gh_free_wipe(struct gh_span *span, void *p, unsigned int idx)
{
	if (gh_free_wants_wipe() && test_bit(idx, gh_span_alloc_bits(span))) {
		if (want_init_on_free())
			memset(p, 0, span->size);
		gh_poison(p, span->size);
	}
}

/* Report a small free that gh_cache_free*() turned away; pass @ret on. */
static int gh_free_small_report(const void *p, int ret, unsigned long caller)
{
	if (ret)
		gh_report_bad_free(GH_CNT_DOUBLE_FREE, p,
				   "double free or never allocated", caller);
	return ret;
}

/* Index of @p in @span, or -EINVAL reported as an invalid free. */
static long gh_free_index(struct gh_span *span, const void *p,
			  unsigned long caller)
{
	long idx = gh_span_start_index(span, p);

	if (idx < 0)
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "not the start of an object", caller);
	return idx < 0 ? -EINVAL : idx;
}

static int gh_free_small(struct gh_span *span, const void *p,
			 unsigned long caller)
{
	long idx = gh_free_index(span, p, caller);

	if (idx < 0)
		return idx;
	/* debug mode poisoned it already, and keeps its trailer readable */
	if (!gh_debug_on())
		gh_free_wipe(span, (void *)p, idx);
	return gh_free_small_report(p, gh_cache_free(span, idx), caller);
}

/*
 * A small object this CPU's cache could not take back: another CPU's or
 * no CPU's span, a busy cache (an interrupted fast path), or a double
 * free. Entered with preemption off, which keeps the span alive; on
 * PREEMPT_RT, where the central lock sleeps, a preemptible RCU reader takes
 * over that job first. Returns with preemption on.
 */
static noinline void gh_free_elsewhere(struct gh_span *span, const void *p,
				       unsigned int idx, unsigned long caller)
{
	int ret;

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		rcu_read_lock();
		preempt_enable();
	}
	ret = gh_cache_free_elsewhere(span, idx);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		rcu_read_unlock();
	else
		preempt_enable();
	gh_free_small_report(p, ret, caller);
}

/*
 * goheap_free()'s fast path when init_on_free or KASAN asks for a wipe or
 * poisoning first: entered, and left, as gh_free_elsewhere().
 */
static noinline void gh_free_wiped(struct gh_span *span, const void *p,
				   unsigned int idx, unsigned long caller)
{
	gh_free_wipe(span, (void *)p, idx);
	if (gh_cache_free_local(span, idx))
		preempt_enable();
	else
		gh_free_elsewhere(span, p, idx, caller);
}

/*
 * An object of a typed cache with spans of its own: always under its lock.
 * A constructed object keeps its contents when free (it is poisoned, not
 * wiped); an RCU-typesafe one stays readable too, as SLUB leaves it.
 */
static int gh_free_typed(struct gh_span *span, const void *p,
			 unsigned long caller)
{
	struct gh_central *c = span->typed;
	long idx = gh_free_index(span, p, caller);

	if (idx < 0)
		return idx;
	if (!c->ctor && !c->free_after_gp)
		gh_free_wipe(span, (void *)p, idx);
	else if (!c->free_after_gp && test_bit(idx, gh_span_alloc_bits(span)))
		gh_poison(p, span->size);
	if (gh_central_free(c, span, idx))
		return gh_free_small_report(p, -EINVAL, caller);
	this_cpu_inc(gh_stats.class_frees[span->cls]);
	return 0;
}

/**
 * gh_free_in_span() - free @p, which the caller found in @span
 * @span: a live span of a size class or of a typed cache; the caller is in
 *	  an RCU reader
 * @p: the object
 * @caller: the entry point's return address, for reports
 *
 * Return: 0 if @p was freed; -EINVAL if it was not an allocated object of
 * @span (reported and counted).
 */
int gh_free_in_span(struct gh_span *span, const void *p, unsigned long caller)
{
	if (span->state == GH_SPAN_TYPED)
		return gh_free_typed(span, p, caller);
	return gh_free_small(span, p, caller);
}

/*
 * Every free that is not a plain same-CPU one, and every bad free: in a
 * preemptible RCU reader, since the central lists take locks that sleep on
 * PREEMPT_RT.
 */
static noinline void gh_free_slow(const void *p, unsigned long caller)
{
	struct gh_span *span;

	rcu_read_lock();
	span = gh_span_of(p);
	if (unlikely(!span))
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "not a live goheap object", caller);
	/* state before the fields it vouches for (enum gh_span_state) */
	else if (smp_load_acquire(&span->state) == GH_SPAN_SMALL ||
		 span->state == GH_SPAN_TYPED)
		gh_free_in_span(span, p, caller);
	else if (span->state == GH_SPAN_LARGE)
		gh_free_large(span, p, caller);
	else if (span->state == GH_SPAN_GC)
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "an object of a GC domain, which goheap_free() never handed out",
				   caller);
	else
		gh_report_bad_free(GH_CNT_DOUBLE_FREE, p, "object already freed",
				   caller);
	rcu_read_unlock();
}

/*
 * goheap_alloc() on @node (NUMA_NO_NODE: this CPU's) once the flags and
 * the node are checked. No caller address is passed in: an entry point
 * that passed its own would load it on the fast path.
 */
static __always_inline void *gh_alloc_checked(size_t size, gfp_t gfp, int node)
{
	if (unlikely(!size))
		return GOHEAP_ZERO_PTR;
	if (unlikely(size > GH_MAX_SMALL_SIZE))
		return gh_alloc_large(size, gfp, node);
	if (node == NUMA_NO_NODE)
		return gh_alloc_small(gh_size_to_class(size), size, gfp, true);
	return gh_alloc_class_node(gh_size_to_class(size), size, gfp, node);
}

/* Bytes a request of @size is given: its class's, or its pages'. */
static size_t gh_given_size(size_t size)
{
	if (!size)
		return 0;
	if (size <= GH_MAX_SMALL_SIZE)
		return gh_classes[gh_size_to_class(size)].size;
	return PAGE_ALIGN(size);
}

/**
 * gh_trace_allocs() - goheap:alloc for each object a call handed out
 * @caller: the entry point's return address
 * @ptrs: the objects; NULL entries (a failed call) are not traced
 * @n: how many
 * @size: bytes asked for per object
 * @given: bytes each was given
 * @gfp: the call's flags
 */
void gh_trace_allocs(unsigned long caller, void **ptrs, size_t n, size_t size,
		     size_t given, gfp_t gfp)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ptrs[i])
			trace_alloc(caller, ptrs[i], size, given, gfp);
}

/*
 * Debug mode's object of @bytes (room for its trailer included): not
 * zeroed, so that debug.c can check the poison of a reused one first.
 */
static void *gh_alloc_raw(size_t bytes, gfp_t gfp, int node)
{
	unsigned int cls;
	void *p;

	if (bytes > GH_MAX_SMALL_SIZE)
		return gh_alloc_large(bytes, gfp, node);
	cls = gh_size_to_class(bytes);
	if (node != NUMA_NO_NODE && node != numa_node_id()) {
		p = gh_alloc_other_node(cls, bytes, gfp, node);
	} else {
		p = gh_cache_alloc_fast(cls, bytes, false);
		if (!p)
			p = gh_cache_alloc_slow(cls, bytes, gfp, 0);
	}
	if (p)
		gh_unpoison(p, gh_classes[cls].size);
	return p;
}

/* quarantined objects one debug-mode allocation steps over at most */
#define GH_DEBUG_TRIES	8

/*
 * goheap_alloc() in debug mode: debug.c checks and dresses the object; one
 * it finds written after its free stays quarantined, and another is taken.
 */
static void *gh_alloc_debug(size_t size, gfp_t gfp, int node)
{
	unsigned int tries = GH_DEBUG_TRIES;
	size_t bytes;
	void *p;

	if (!size)
		return GOHEAP_ZERO_PTR;
	bytes = gh_debug_slot_request(size);
	if (unlikely(bytes > gh_heap_max_size()))
		return gh_alloc_large(bytes, gfp, node);	/* reports it */
	while (tries--) {
		p = gh_alloc_raw(bytes, gfp, node);
		if (!p || gh_debug_alloc_ready(p, size, gfp))
			return p;
	}
	return NULL;
}

/*
 * While anything watches (hooks.h), the entry points come here, out of
 * line: the fast path gains one patched-out jump and nothing else.
 */
static noinline void *gh_alloc_hooked(size_t size, gfp_t gfp, int node,
				      unsigned long caller)
{
	void *p;

	if (unlikely(gfp & GH_GFP_REFUSED))
		return gh_gfp_refuse(gfp, caller);
	if (unlikely(!gh_node_ok(node, caller)))
		return NULL;
	if (unlikely(gh_fault_should_fail(size, gfp)))
		return NULL;
	if (gh_debug_on())
		p = gh_alloc_debug(size, gfp, node);
	else
		p = gh_alloc_checked(size, gfp, node);
	if (trace_alloc_enabled())
		gh_trace_allocs(caller, &p, 1, size, gh_given_size(size), gfp);
	return p;
}

/**
 * goheap_alloc() - allocate memory from goheap
 * @size: bytes wanted
 * @gfp: allocation flags, as for kmalloc(); %GFP_ATOMIC and %GFP_NOWAIT
 *	 never sleep, %__GFP_ZERO zeroes the memory
 *
 * Sizes up to %GOHEAP_MAX_SMALL_SIZE come from size classes, at least
 * 8-byte aligned and naturally aligned for powers of two. Larger sizes, up
 * to goheap_max_size(), are runs of whole pages.
 *
 * Context: any context; may sleep if @gfp allows it.
 * Return: the memory, %GOHEAP_ZERO_PTR for @size 0, or NULL if memory is
 * short or @size is larger than goheap_max_size() (reported once).
 */
void *goheap_alloc(size_t size, gfp_t gfp)
{
	if (gh_hooks_on())
		return gh_alloc_hooked(size, gfp, NUMA_NO_NODE, _RET_IP_);
	if (unlikely(gfp & GH_GFP_REFUSED))
		return gh_gfp_refuse(gfp, _RET_IP_);
	return gh_alloc_checked(size, gfp, NUMA_NO_NODE);
}
EXPORT_SYMBOL_GPL(goheap_alloc);

/**
 * gh_node_ok() - whether @node names where goheap can allocate
 * @node: NUMA_NO_NODE or a node number
 * @caller: the entry point's return address, for the report
 *
 * Return: true for NUMA_NO_NODE and online nodes; false, reported, for
 * anything else.
 */
bool gh_node_ok(int node, unsigned long caller)
{
	if (node == NUMA_NO_NODE ||
	    (node >= 0 && node < nr_node_ids && node_online(node)))
		return true;
	gh_report(caller, "allocation on node %d, which is not an online NUMA node", node);
	return false;
}

/**
 * gh_alloc_class_node() - gh_alloc_class() on NUMA node @node
 * @cls: a size class that holds @size bytes
 * @size: bytes asked for, for the statistics
 * @gfp: allocation flags, already checked against GH_GFP_REFUSED
 * @node: an online node, or NUMA_NO_NODE
 *
 * This CPU's own node is served by its cache; another node by that node's
 * central lists, under their lock, never by any CPU's cache.
 *
 * Return: the object, or NULL when memory is short.
 */
void *gh_alloc_class_node(unsigned int cls, size_t size, gfp_t gfp, int node)
{
	void *p;

	if (node == NUMA_NO_NODE || node == numa_node_id())
		return gh_alloc_small(cls, size, gfp, false);
	p = gh_alloc_other_node(cls, size, gfp, node);
	return p ? gh_alloc_ready(p, cls, gfp) : NULL;
}

/**
 * goheap_alloc_node() - allocate memory on a NUMA node, like kmalloc_node()
 * @size: bytes wanted
 * @gfp: allocation flags, as for goheap_alloc(); the node is a preference,
 *	 as for kmalloc_node(), strict with %__GFP_THISNODE
 * @node: an online node, or %NUMA_NO_NODE for goheap_alloc()
 *
 * Each CPU's cache serves its own node; a request for another node is
 * served from that node's central lists and arenas.
 *
 * Context: as goheap_alloc().
 * Return: as goheap_alloc(); NULL, reported, for a @node that is not
 * online.
 */
void *goheap_alloc_node(size_t size, gfp_t gfp, int node)
{
	if (gh_hooks_on())
		return gh_alloc_hooked(size, gfp, node, _RET_IP_);
	if (unlikely(gfp & GH_GFP_REFUSED))
		return gh_gfp_refuse(gfp, _RET_IP_);
	if (unlikely(!gh_node_ok(node, _RET_IP_)))
		return NULL;
	return gh_alloc_checked(size, gfp, node);
}
EXPORT_SYMBOL_GPL(goheap_alloc_node);

/**
 * goheap_alloc_array() - allocate an array of @n elements of @size bytes
 * @n: element count
 * @size: element size
 * @gfp: allocation flags, as for goheap_alloc()
 *
 * Context: as goheap_alloc().
 * Return: as goheap_alloc() for @n * @size bytes, or NULL (counted as
 * oversize) if the product overflows.
 */
void *goheap_alloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes))) {
		gh_count(GH_CNT_OVERSIZE);
		pr_warn_once("array of %zu x %zu bytes overflows\n", n, size);
		return NULL;
	}
	return gh_alloc_hooked(bytes, gfp, NUMA_NO_NODE, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_alloc_array);

/**
 * gh_free_from() - goheap_free() on behalf of another entry point
 * @p: the memory; NULL and %GOHEAP_ZERO_PTR are ignored
 * @caller: that entry point's return address, for reports
 *
 * Always the slow path's way (any object, any CPU), which is good enough
 * for the frees that come this way: bulk frees that are not same-CPU ones,
 * RCU frees and bad pointers.
 */
void gh_free_from(const void *p, unsigned long caller)
{
	if (ZERO_OR_NULL_PTR(p))
		return;
	if (gh_debug_on() && gh_debug_free(p, caller) == GH_DEBUG_KEEP)
		return;
	gh_free_slow(p, caller);
}

/*
 * goheap:free, if it is on, then the slow path's free (any object, any
 * CPU): for goheap_free() while anything watches, and for goheap_realloc().
 */
static noinline void gh_free_hooked(const void *p, unsigned long caller)
{
	trace_free(caller, p);
	gh_free_from(p, caller);
}

/**
 * goheap_free() - free memory from goheap_alloc()
 * @p: the memory; NULL and %GOHEAP_ZERO_PTR are ignored
 *
 * A pointer goheap did not hand out (another allocator's, the stack's,
 * vmalloc's, an interior pointer, a free object) is reported, counted and
 * otherwise ignored.
 *
 * Context: any context.
 */
void goheap_free(const void *p)
{
	struct gh_span *span;
	long idx;

	if (gh_hooks_on()) {
		gh_free_hooked(p, _RET_IP_);
		return;
	}
	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	/*
	 * The fast path: a same-CPU free. Preemption off keeps this CPU's
	 * cache ours and is an RCU reader for the span (freed with
	 * kfree_rcu()).
	 */
	preempt_disable();
	span = gh_span_of(p);
	/* state before the fields it vouches for (enum gh_span_state) */
	if (likely(span) && likely(smp_load_acquire(&span->state) == GH_SPAN_SMALL)) {
		idx = gh_span_start_index(span, p);
		if (likely(idx >= 0)) {
			if (unlikely(gh_free_wants_wipe()))
				gh_free_wiped(span, p, idx, _RET_IP_);
			else if (likely(gh_cache_free_local(span, idx)))
				preempt_enable();
			else
				gh_free_elsewhere(span, p, idx, _RET_IP_);
			return;
		}
	}
	preempt_enable();
	gh_free_slow(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_free);

/* ---- bulk ------------------------------------------------------------------ */

/* Ready objects @ptrs[0 .. @n) of class @cls to be handed out. */
static void gh_alloc_ready_bulk(unsigned int cls, gfp_t gfp, size_t n,
				void **ptrs)
{
	size_t i;

	if (!IS_ENABLED(CONFIG_KASAN_GENERIC) && !want_init_on_alloc(gfp))
		return;
	for (i = 0; i < n; i++)
		gh_alloc_ready(ptrs[i], cls, gfp);
}

/**
 * gh_alloc_bulk_class() - goheap_alloc_bulk() of @n objects of class @cls
 * @cls: a size class that holds @size bytes
 * @size: bytes asked for per object, for the statistics
 * @gfp: allocation flags, already checked against GH_GFP_REFUSED
 * @n: objects wanted
 * @ptrs: filled with them
 *
 * Each owned span is emptied in one busy section of this CPU's cache
 * (gh_cache_alloc_bulk()); only the refill between two spans takes the
 * slow path, which brings one object and a fresh span. A call of more
 * objects than a span of the class holds asks for a span that holds them
 * all (gh_span_bulk_objects()), so that the next such call on this CPU
 * finds them in the one span it owns.
 *
 * Return: @n, or 0 with nothing allocated when memory is short.
 */
int gh_alloc_bulk_class(unsigned int cls, size_t size, gfp_t gfp, size_t n,
			void **ptrs)
{
	size_t done = 0, got;

	while (done < n) {
		got = gh_cache_alloc_bulk(cls, size, min_t(size_t, n - done, UINT_MAX),
					  ptrs + done);
		gh_alloc_ready_bulk(cls, gfp, got, ptrs + done);
		done += got;
		if (done == n)
			break;
		ptrs[done] = gh_alloc_small_slow(cls, size, gfp,
						 gh_span_bulk_objects(cls, n));
		if (!ptrs[done]) {
			gh_free_bulk_from(done, ptrs, _RET_IP_);
			return 0;
		}
		done++;
	}
	return n;
}

/* Bulk allocation of sizes with no class: one object at a time. */
static int gh_alloc_bulk_each(size_t size, gfp_t gfp, size_t n, void **ptrs)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ptrs[i] = size ? gh_alloc_large(size, gfp, NUMA_NO_NODE) : GOHEAP_ZERO_PTR;
		if (!ptrs[i]) {
			gh_free_bulk_from(i, ptrs, _RET_IP_);
			return 0;
		}
	}
	return n;
}

/**
 * gh_bulk_bad_args() - whether a bulk call's array is unusable
 * @n: objects in it
 * @ptrs: the array
 * @alloc: an allocation, which also takes at most %INT_MAX objects
 * @caller: the entry point's return address, for the report
 *
 * Return: true, reported, for a NULL @ptrs with objects in it or too many
 * objects to allocate; false if the call may go on.
 */
bool gh_bulk_bad_args(size_t n, void **ptrs, bool alloc, unsigned long caller)
{
	if (likely((ptrs || !n) && (!alloc || n <= INT_MAX)))
		return false;
	gh_report(caller, "bulk %s of %zu objects with array %p refused",
		  alloc ? "allocation" : "free", n, ptrs);
	return true;
}

/*
 * While anything watches (hooks.h), a bulk call is each object's hooked
 * path in turn, still all or nothing.
 */
static noinline int gh_alloc_bulk_hooked(size_t size, gfp_t gfp, size_t n,
					 void **ptrs, unsigned long caller)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ptrs[i] = gh_alloc_hooked(size, gfp, NUMA_NO_NODE, caller);
		if (!ptrs[i]) {
			while (i--)
				gh_free_hooked(ptrs[i], caller);
			return 0;
		}
	}
	return n;
}

static noinline void gh_free_bulk_hooked(size_t n, void **ptrs,
					 unsigned long caller)
{
	size_t i;

	for (i = 0; i < n; i++)
		gh_free_hooked(ptrs[i], caller);
}

/**
 * goheap_alloc_bulk() - allocate @n objects of @size bytes at once
 * @size: bytes per object, as for goheap_alloc()
 * @gfp: allocation flags, as for goheap_alloc()
 * @n: objects wanted, at most %INT_MAX
 * @ptrs: array of @n pointers, filled with the objects
 *
 * All or nothing, as kmem_cache_alloc_bulk(): either every object is
 * allocated or none is. Small objects come straight from this CPU's span,
 * one entry into its cache per span rather than per object.
 *
 * Context: as goheap_alloc().
 * Return: @n, or 0 if memory was short, @n is too large, @ptrs is NULL or
 * @gfp asks for memory goheap does not hold (the last three reported).
 */
int goheap_alloc_bulk(size_t size, gfp_t gfp, size_t n, void **ptrs)
{
	if (unlikely(gfp & GH_GFP_REFUSED)) {
		gh_gfp_refuse(gfp, _RET_IP_);
		return 0;
	}
	if (unlikely(gh_bulk_bad_args(n, ptrs, true, _RET_IP_)))
		return 0;
	if (gh_hooks_on())
		return gh_alloc_bulk_hooked(size, gfp, n, ptrs, _RET_IP_);
	if (unlikely(!size || size > GH_MAX_SMALL_SIZE))
		return gh_alloc_bulk_each(size, gfp, n, ptrs);
	return gh_alloc_bulk_class(gh_size_to_class(size), size, gfp, n, ptrs);
}
EXPORT_SYMBOL_GPL(goheap_alloc_bulk);

/*
 * Open @batch on the span of @p if this CPU's cache owns it; false if it
 * does not, or @p is no small object.
 */
static bool gh_free_bulk_open(struct gh_cache_batch *batch, const void *p)
{
	struct gh_span *span = gh_span_of(p);

	/* state before the fields it vouches for */
	return span && smp_load_acquire(&span->state) == GH_SPAN_SMALL &&
	       gh_cache_batch_open(batch, span);
}

/*
 * Free same-CPU objects from the start of @ptrs in one busy section of this
 * CPU's cache, up to the first that needs more. Objects of the span the
 * previous one was freed to need no lookup: that span is this cache's, and
 * stays so while the section lasts; their frees are batched a word at a
 * time (struct gh_cache_batch).
 * Return: how many were freed (NULL and ZERO_SIZE_PTR skipped included).
 */
static size_t gh_free_bulk_local(size_t n, void **ptrs)
{
	struct gh_cache_batch batch = { .limit = 0, .taken = 0 };
	size_t i = 0;
	long idx;

	preempt_disable();
	if (likely(gh_cache_enter())) {
		for (; i < n; i++) {
			if (ZERO_OR_NULL_PTR(ptrs[i]))
				continue;
			idx = gh_cache_batch_add(&batch, ptrs[i]);
			if (unlikely(idx < 0)) {
				if (!gh_free_bulk_open(&batch, ptrs[i]))
					break;
				idx = gh_cache_batch_add(&batch, ptrs[i]);
				if (idx < 0)
					break;
			}
			if (unlikely(gh_free_wants_wipe()))
				gh_free_wipe(batch.span, ptrs[i], idx);
		}
		gh_cache_batch_flush(&batch);
		gh_cache_leave();
	}
	preempt_enable();
	return i;
}

/* Indices of up to this many objects of one span freed under one lock */
#define GH_BULK_RUN	BITS_PER_LONG

/* Report the objects of a run that were not freed (their bits in @bad). */
static void gh_free_run_report(void **ptrs, unsigned long bad,
			       unsigned long caller)
{
	for (; bad; bad &= bad - 1)
		gh_free_small_report(ptrs[__ffs(bad)], -EINVAL, caller);
}

/*
 * The run of objects from @ptrs[0] that lie in one span no cache owns
 * (a span a bulk allocation filled and handed back, typically), freed
 * under its central lock once.
 * Return: pointers consumed; 0 if @ptrs[0] starts no such run.
 */
static size_t gh_free_bulk_central(size_t n, void **ptrs, unsigned long caller)
{
	u16 idx[GH_BULK_RUN];
	unsigned long bad = 0;
	struct gh_span *span;
	size_t k = 0, j;
	long i;

	rcu_read_lock();
	span = gh_span_of(ptrs[0]);
	/* state before the fields it vouches for (enum gh_span_state) */
	if (span && smp_load_acquire(&span->state) == GH_SPAN_SMALL &&
	    READ_ONCE(span->owner) == GH_NO_OWNER) {
		for (; k < min_t(size_t, n, GH_BULK_RUN) && gh_in_span(span, ptrs[k]); k++) {
			i = gh_span_start_index(span, ptrs[k]);
			if (i < 0)
				break;
			idx[k] = i;
		}
	}
	for (j = 0; j < k; j++)
		gh_free_wipe(span, ptrs[j], idx[j]);
	if (k && gh_central_free_many(gh_central_of(span->nid, span->cls), span,
				      idx, k, &bad))
		k = 0;	/* a cache took the span meanwhile: one at a time */
	if (k)
		this_cpu_add(gh_stats.class_frees[span->cls], k - hweight_long(bad));
	rcu_read_unlock();
	gh_free_run_report(ptrs, bad, caller);
	return k;
}

/**
 * gh_free_bulk_from() - goheap_free_bulk() on behalf of an entry point
 * @n: pointers in @ptrs
 * @ptrs: objects to free
 * @caller: that entry point's return address, for reports
 */
void gh_free_bulk_from(size_t n, void **ptrs, unsigned long caller)
{
	size_t i = 0, run;

	if (gh_debug_on()) {
		for (; i < n; i++)
			gh_free_from(ptrs[i], caller);
		return;
	}
	while (i < n) {
		i += gh_free_bulk_local(n - i, ptrs + i);
		if (i == n)
			break;
		run = gh_free_bulk_central(n - i, ptrs + i, caller);
		if (run)
			i += run;
		else
			gh_free_from(ptrs[i++], caller);
	}
}

/**
 * goheap_free_bulk() - free @n objects at once
 * @n: pointers in @ptrs
 * @ptrs: objects from goheap_alloc(), goheap_alloc_bulk() or a typed
 *	  cache; NULL and %GOHEAP_ZERO_PTR entries are skipped
 *
 * Objects of spans this CPU's cache holds are freed in one entry into the
 * cache; the rest as goheap_free() frees them, bad pointers included: each
 * is reported and skipped, and the others are still freed.
 *
 * Context: any context.
 */
void goheap_free_bulk(size_t n, void **ptrs)
{
	if (unlikely(gh_bulk_bad_args(n, ptrs, false, _RET_IP_)))
		return;
	if (gh_hooks_on())
		gh_free_bulk_hooked(n, ptrs, _RET_IP_);
	else
		gh_free_bulk_from(n, ptrs, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_free_bulk);

/**
 * gh_live_size() - usable size of the live object at @p
 * @p: any pointer
 *
 * Return: its size, or 0 if @p is not a live object of the manual heap (a
 * size class's, a typed cache's or a large one).
 */
size_t gh_live_size(const void *p)
{
	struct gh_span *span;
	size_t size = 0;
	long idx;
	u8 state;

	rcu_read_lock();
	span = gh_span_of(p);
	/* state before the fields it vouches for (enum gh_span_state) */
	state = span ? smp_load_acquire(&span->state) : GH_SPAN_DEAD;
	if (state == GH_SPAN_SMALL || state == GH_SPAN_TYPED) {
		idx = gh_span_start_index(span, p);
		/* a remote bit is a free not yet folded in */
		if (idx >= 0 && test_bit(idx, gh_span_alloc_bits(span)) &&
		    !test_bit(idx, gh_span_remote_bits(span)))
			size = span->size;
	} else if (state == GH_SPAN_LARGE && p == span->base) {
		size = (size_t)span->npages * PAGE_SIZE;
	}
	/* debug mode: what was asked for, the red zone's start */
	if (size && state != GH_SPAN_TYPED && gh_debug_on())
		size = gh_debug_requested(p, size);
	rcu_read_unlock();
	return size;
}
EXPORT_SYMBOL_IF_KUNIT(gh_live_size);

/**
 * goheap_size() - usable size of a goheap object, like ksize()
 * @p: an object from goheap_alloc()
 *
 * A pointer that is not a live goheap object (a freed one, an interior
 * pointer, a slot past a span's last object, another allocator's) is
 * reported and counted as an invalid free, as KASAN reports ksize() of a
 * freed object.
 *
 * Context: any context.
 * Return: the bytes the caller may use at @p (its class size, or its page
 * run for a large object; in debug mode, the size it was allocated with);
 * 0 for NULL, %GOHEAP_ZERO_PTR and pointers that
 * are not a live goheap object.
 */
size_t goheap_size(const void *p)
{
	size_t size;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	size = gh_live_size(p);
	if (!size)
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "size of a pointer that is not a live goheap object",
				   _RET_IP_);
	return size;
}
EXPORT_SYMBOL_GPL(goheap_size);

/**
 * goheap_realloc() - resize a goheap object, like krealloc()
 * @p: an object from goheap_alloc(), or NULL or %GOHEAP_ZERO_PTR
 * @new_size: bytes wanted; 0 frees @p
 * @gfp: allocation flags, as for goheap_alloc()
 *
 * The object stays where it is when @new_size fits its usable size;
 * otherwise its contents move to a new object and @p is freed. A @p that
 * is not a live goheap object (freed, interior, another allocator's) is
 * reported, counted as an invalid free and left alone.
 *
 * Context: as goheap_alloc().
 * Return: the object, %GOHEAP_ZERO_PTR for @new_size 0, or NULL on failure
 * (@p is then still valid, unless it was not goheap's to begin with).
 */
void *goheap_realloc(const void *p, size_t new_size, gfp_t gfp)
{
	unsigned long caller = _RET_IP_;
	size_t old_size;
	void *q;

	if (ZERO_OR_NULL_PTR(p))
		return gh_alloc_hooked(new_size, gfp, NUMA_NO_NODE, caller);
	old_size = gh_live_size(p);
	if (!old_size) {
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "realloc of a pointer that is not a live goheap object",
				   caller);
		return NULL;
	}
	if (!new_size) {
		gh_free_hooked(p, caller);
		return GOHEAP_ZERO_PTR;
	}
	if (new_size <= old_size)
		return (void *)p;
	q = gh_alloc_hooked(new_size, gfp, NUMA_NO_NODE, caller);
	if (!q)
		return NULL;
	memcpy(q, p, old_size);
	gh_free_hooked(p, caller);
	return q;
}
EXPORT_SYMBOL_GPL(goheap_realloc);

/**
 * goheap_max_size() - the largest request goheap serves
 *
 * Return: bytes in the largest page run an arena can hold (4 MiB with
 * 4 KiB pages and the kernel's default MAX_ORDER).
 */
size_t goheap_max_size(void)
{
	return gh_heap_max_size();
}
EXPORT_SYMBOL_GPL(goheap_max_size);

/**
 * goheap_drain() - give every idle byte back to the buddy allocator
 *
 * Go's debug.FreeOSMemory: empties the per-CPU caches, returns empty spans
 * to the page heap, and frees every empty arena at once.
 *
 * Context: process context, interrupts enabled; may sleep.
 */
void goheap_drain(void)
{
	might_sleep();
	gh_cache_drain_all();
	gh_heap_release_all();
}
EXPORT_SYMBOL_GPL(goheap_drain);
