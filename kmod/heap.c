// SPDX-License-Identifier: GPL-2.0
/*
 * The page heap (Go's mheap).
 *
 * goheap gets memory from the buddy allocator in arenas: one alloc_pages()
 * block each, split into order-0 pages with split_page() so that every
 * page can be given back on its own. An ordinary arena is 2^arena_order
 * pages: 16 pages (64 KiB) by default, at most one bitmap word
 * (GH_ARENA_PAGES: 64 pages, 256 KiB), and smaller when memory is
 * fragmented. A span longer than half an ordinary arena (a large object of
 * more than 32 KiB, a grown span) gets a dedicated arena of exactly its
 * length (the rest of the buddy block goes back at once, as
 * alloc_pages_exact() does): it would leave too short a run to share, and
 * freed it leaves an empty arena, not idle pages among other spans. An
 * empty dedicated arena takes a span at most a quarter shorter than itself
 * until it goes back; an empty arena that is a whole buddy block of at most
 * 64 pages, as ordinary arenas are, turns dedicated or ordinary as the
 * span that finds it needs, so that neither kind allocates a new arena
 * while the other's lies empty.
 *
 * Why arenas this small: goheap's memory is the direct map, so a page given
 * back cannot be taken back at the same address later. Go's scavenger can
 * return single pages inside an arena because the virtual range stays
 * reserved; here a page returned from inside an arena would be a hole the
 * arena never refills. So the unit of return is the whole arena, and an
 * arena is small enough that empty ones are common: after a burst, idle
 * pages go back 64 KiB at a time, without holes and without waiting for
 * memory pressure. Why 64 KiB rather than 256: a 1 MiB live set held
 * 1.09x kmalloc's memory with 256 KiB arenas and 0.95x with 64 KiB, and
 * under init_on_alloc the page allocator zeroes a new arena, an
 * allocation's worth of stall that grows with the arena.
 *
 * Spans are runs of pages inside one arena. Placement is first-fit over
 * the arenas in address order, which packs live spans into the lowest
 * arenas and leaves the highest ones to empty and go back. A search for
 * n pages starts at gh_search_from[n - 1], the lowest arena with a free
 * run of n pages (every arena below it has none), as Go's page allocator
 * keeps searchAddr, but one per length (1, 2, 3, 4 or more pages): with
 * one start for every length, a two-page span walked past every arena
 * holding a single free page (125 arenas a placement in a batch of 100000
 * objects). A placement moves the starts it used up, a free or a new arena
 * lowers them (gh_search_raise(), gh_search_lower()). Each arena keeps its
 * longest free run, so one that cannot fit a request costs one load.
 * Freeing a span clears its bits, which coalesces it with its free
 * neighbours: a free run is nothing but clear bits.
 *
 * The page map turns any address into its span in O(1): a radix tree over
 * page frame numbers whose leaves hold one span pointer per page. Every
 * page of an in-use span points at the span; free pages hold NULL. The map
 * is also the ownership test: an address whose page does not map to a live
 * span is not goheap's (kmalloc, stack, vmalloc, foreign or free pages).
 * Map nodes are allocated as arenas need them and live until module exit,
 * so lookups never race with their freeing. Where no node was allocated
 * the tree points to a shared, read-only empty node of that level (never
 * NULL), so a lookup makes its four loads with no test between them and
 * ends on a NULL span in the empty leaf. Span structures are freed
 * after an RCU grace period, and callers look up inside an RCU reader of
 * any flavour (a preempt-off section on the free fast path).
 *
 * Memory goes back to the buddy allocator an arena at a time, two ways: an
 * arena none of whose pages held an object for gh_release_delay_ms, by a
 * delayed work item queued for the first such arena's time (the
 * background scavenger: the delay keeps an arena that empties
 * and refills within a burst, or a large object freed and allocated again,
 * from bouncing through the buddy allocator); and every empty arena at
 * once under memory pressure (the shrinker) or on goheap_drain(). What
 * goes back leaves HeapSys at once, so HeapReleased, which in Go counts
 * returned pages still reserved, is always 0.
 *
 * Each arena serves one NUMA node's requests (a->nid): it comes from
 * alloc_pages_node() for that node, and a span for a node is placed only
 * in that node's arenas, so span->nid names the node's central lists even
 * when the page allocator had to fall back to another node's memory.
 *
 * Locking: gh_heap_lock (irq-safe spinlock) protects the arena list, the
 * search starts, the bitmaps, the accounting and the map's span pointers.
 * It is the innermost goheap lock. alloc_pages() runs outside it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "internal.h"
#include "poison.h"
#include "trace.h"

/* Tunables (module parameters, main.c) */
unsigned int gh_arena_order = GH_ARENA_DEFAULT_ORDER;
EXPORT_SYMBOL_IF_KUNIT(gh_arena_order);
unsigned int gh_release_delay_ms = 1000;
EXPORT_SYMBOL_IF_KUNIT(gh_release_delay_ms);
/* arenas are registered with kmemleak, unless objects are (debug=K) */
bool gh_heap_kmemleak_arenas = true;

/*
 * The empty node of each level below the top (the top's children first,
 * the leaves last): what an unpopulated pointer of the map points to.
 * Nothing writes them after load.
 */
static struct gh_map_node gh_map_empty[GH_MAP_LEVELS] __ro_after_init = {
	{ .slot = { [0 ... GH_MAP_FANOUT - 1] = &gh_map_empty[1] } },
	{ .slot = { [0 ... GH_MAP_FANOUT - 1] = &gh_map_empty[2] } },
};

struct gh_map_node *gh_map_top[GH_MAP_TOP_SIZE] = {
	[0 ... GH_MAP_TOP_SIZE - 1] = &gh_map_empty[0]
};
EXPORT_SYMBOL_IF_KUNIT(gh_map_top);
static DEFINE_SPINLOCK(gh_map_lock);
static unsigned long gh_map_nodes;

static DEFINE_SPINLOCK(gh_heap_lock);
static LIST_HEAD(gh_arenas);
/*
 * Where a search for a run of n pages starts (index n - 1; the last serves
 * every longer run too): the lowest arena with room for it, so that every
 * arena below has none; NULL if no arena has. Four starts fix the walk
 * that one start made for short spans (see the top of the file); more
 * would cost every placement and free a longer loop.
 */
#define GH_SEARCH_RUNS	4
static struct gh_arena *gh_search_from[GH_SEARCH_RUNS];
static struct gh_heap_stats gh_heap_acct;
static u32 gh_heap_placements;

static void gh_release_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(gh_release_work, gh_release_fn);
static unsigned long gh_release_due;	/* jiffies the queued release runs at */

/* ---- page map ------------------------------------------------------------ */

static unsigned int gh_map_index(unsigned long pfn, unsigned int level)
{
	return (pfn >> (level * GH_MAP_BITS)) & (GH_MAP_FANOUT - 1);
}

/* The empty node of @level (3: a child of the top; 1: a leaf). */
static struct gh_map_node *gh_map_empty_at(unsigned int level)
{
	return &gh_map_empty[GH_MAP_LEVELS - level];
}

/* Slot of @pfn's span pointer, or NULL if the map has no leaf there. */
static struct gh_span **gh_map_slot(unsigned long pfn)
{
	struct gh_map_node *node;
	unsigned int level;

	if (pfn >> GH_MAP_TOP_SHIFT >= ARRAY_SIZE(gh_map_top))
		return NULL;
	node = READ_ONCE(gh_map_top[pfn >> GH_MAP_TOP_SHIFT]);
	for (level = GH_MAP_LEVELS - 1; level > 0; level--)
		node = READ_ONCE(node->slot[gh_map_index(pfn, level)]);
	if (node == gh_map_empty_at(1))
		return NULL;
	return (struct gh_span **)&node->slot[gh_map_index(pfn, 0)];
}

/* A node for @level, each pointer at the empty node below (a leaf: NULL). */
static struct gh_map_node *gh_map_node_new(unsigned int level, gfp_t gfp)
{
	struct gh_map_node *node = kmalloc(sizeof(*node), gfp);
	unsigned int i;

	if (node)
		for (i = 0; i < GH_MAP_FANOUT; i++)
			node->slot[i] = level > 1 ? gh_map_empty_at(level - 1) : NULL;
	return node;
}

/* Make sure @pfn's leaf exists; may allocate with @gfp. */
static int gh_map_populate(unsigned long pfn, gfp_t gfp)
{
	void **parent;
	unsigned int level;
	unsigned long flags;

	if (pfn >> GH_MAP_TOP_SHIFT >= ARRAY_SIZE(gh_map_top))
		return -ERANGE;
	parent = (void **)&gh_map_top[pfn >> GH_MAP_TOP_SHIFT];
	for (level = GH_MAP_LEVELS; level > 0; level--) {
		struct gh_map_node *node = READ_ONCE(*parent);

		if (node == gh_map_empty_at(level)) {
			struct gh_map_node *fresh = gh_map_node_new(level, gfp);

			if (!fresh)
				return -ENOMEM;
			spin_lock_irqsave(&gh_map_lock, flags);
			node = *parent;
			if (node == gh_map_empty_at(level)) {
				/* lock-free readers see the node set up */
				smp_store_release(parent, fresh);
				node = fresh;
				fresh = NULL;
				gh_map_nodes++;
			}
			spin_unlock_irqrestore(&gh_map_lock, flags);
			kfree(fresh);
		}
		parent = &node->slot[gh_map_index(pfn, level - 1)];
	}
	return 0;
}

static void gh_map_free_level(struct gh_map_node *node, unsigned int level)
{
	unsigned int i;

	if (node == gh_map_empty_at(level))
		return;
	for (i = 0; level > 1 && i < GH_MAP_FANOUT; i++)
		gh_map_free_level(node->slot[i], level - 1);
	kfree(node);
}

/**
 * gh_heap_owns() - whether @p lies in a live goheap span
 * @p: any pointer
 *
 * Return: true if @p is inside a span goheap has handed out.
 */
bool gh_heap_owns(const void *p)
{
	bool owned;

	rcu_read_lock();
	owned = gh_span_of(p) != NULL;
	rcu_read_unlock();
	return owned;
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_owns);

/* Point every page of @span at @value: one walk down the map per leaf. */
static void gh_map_set(struct gh_span *span, struct gh_span *value)
{
	unsigned long pfn = PHYS_PFN(__pa(span->base)), end = pfn + span->npages;
	struct gh_span **slot;
	unsigned long n;

	while (pfn < end) {
		slot = gh_map_slot(pfn);
		n = min(end - pfn, GH_MAP_FANOUT - gh_map_index(pfn, 0));
		pfn += n;
		while (n--)
			WRITE_ONCE(*slot++, value);
	}
}

/* ---- free runs ----------------------------------------------------------- */

/* Longest run of clear bits in @used. */
static unsigned int gh_longest_free(unsigned long used)
{
	unsigned long free = ~used, run;
	unsigned int n = 0;

	if (!used)
		return BITS_PER_LONG;
	if (!free)
		return 0;
	/* one run (an emptied arena, say): its length at once */
	run = free >> __ffs(free);
	if (!(run & (run + 1)))
		return fls64(run);
	/* each step shortens every run of free bits by one */
	while (free) {
		free &= free << 1;
		n++;
	}
	return n;
}

/*
 * Whether a span of @need pages (its length, or its alignment if larger)
 * gets an arena of its own: one longer than half an ordinary arena would
 * leave too short a remainder to be worth sharing, and, once freed, goes
 * back to the buddy allocator with its arena rather than leaving idle
 * pages among other spans.
 */
static bool gh_span_dedicated(unsigned int need)
{
	return need > (1U << READ_ONCE(gh_arena_order)) / 2;
}

/*
 * Whether empty dedicated arena @a may take a span of @n pages aligned to
 * @align: one at most a quarter shorter than its own length, so that a
 * large object freed and allocated again, or one of about its size, finds
 * it before it goes back.
 */
static bool gh_dedicated_fits(const struct gh_arena *a, unsigned int n,
			      unsigned int align)
{
	return !a->inuse_pages && n <= a->npages && a->npages - n <= n / 4 &&
	       align <= 1U << a->order;
}

/*
 * Whether @a, while empty, may serve either kind of span (see below): it
 * is a whole buddy block that one bitmap word covers, as an ordinary
 * arena is.
 */
static bool gh_arena_switchable(const struct gh_arena *a)
{
	return a->npages == 1U << a->order && a->order <= GH_ARENA_ORDER;
}

/*
 * An empty switchable arena serves either kind of span: it becomes
 * dedicated for a long one, ordinary again for others, so that neither
 * kind allocates a new arena while the other kind's lies empty.
 */
static void gh_arena_set_dedicated(struct gh_arena *a, bool dedicated)
{
	if (a->inuse_pages || a->dedicated == dedicated ||
	    !gh_arena_switchable(a))
		return;
	a->dedicated = dedicated;
	if (dedicated)
		a->used = ~0UL;
	else
		a->used = a->npages < GH_ARENA_PAGES ? ~0UL << a->npages : 0;
	a->longest_free = gh_longest_free(a->used);
}

/*
 * First free run of @n pages aligned to @align pages, or -1; @long_span is
 * gh_span_dedicated() of the request.
 */
static long gh_arena_find(struct gh_arena *a, unsigned int n,
			  unsigned int align, bool long_span)
{
	unsigned long idx;

	gh_arena_set_dedicated(a, long_span);
	if (a->dedicated)
		return long_span && gh_dedicated_fits(a, n, align) ? 0 : -1;
	if (long_span || a->longest_free < n)
		return -1;
	idx = bitmap_find_next_zero_area(&a->used, GH_ARENA_PAGES, 0, n,
					 align > 1 ? align - 1 : 0);
	return idx < GH_ARENA_PAGES ? (long)idx : -1;
}

static void gh_arena_mark(struct gh_arena *a, unsigned int first,
			  unsigned int npages, bool used)
{
	if (a->dedicated)
		return;
	if (used)
		bitmap_set(&a->used, first, npages);
	else
		bitmap_clear(&a->used, first, npages);
	a->longest_free = gh_longest_free(a->used);
}

/*
 * The longest span that is not long @a could take now; 0 when it is full.
 * An empty dedicated arena that cannot turn ordinary has no room: only a
 * long span can take it, and long spans search from the first arena
 * (gh_heap_place()).
 */
static unsigned int gh_arena_room(const struct gh_arena *a)
{
	if (a->dedicated)
		return a->inuse_pages || !gh_arena_switchable(a) ? 0 : a->npages;
	return a->longest_free;
}

/* ---- arenas ----------------------------------------------------------------- */

/*
 * __GFP_NOFAIL is the caller's promise to wait as long as it takes, and the
 * page allocator keeps it only for orders up to 1 (it warns above). So a
 * larger block is never asked for with it: the wished-for orders go without
 * it, and the needed order is retried here for as long as it takes.
 */
static struct page *gh_arena_pages_nofail(int nid, unsigned int order,
					  gfp_t gfp)
{
	struct page *page;

	if (order <= 1)
		return alloc_pages_node(nid, gfp, order);
	gfp &= ~__GFP_NOFAIL;
	/* __GFP_NOFAIL without leave to sleep is a caller bug: try once */
	if (!gfpflags_allow_blocking(gfp))
		return alloc_pages_node(nid, gfp, order);
	while (!(page = alloc_pages_node(nid, gfp | __GFP_RETRY_MAYFAIL, order)))
		cond_resched();
	return page;
}

/*
 * A buddy block of @order pages (or less, down to @min_order) from node
 * @nid, which the page allocator prefers but may fall back from, as it does
 * for kmalloc_node(); __GFP_THISNODE in @gfp makes it strict.
 */
static struct page *gh_arena_pages(int nid, unsigned int min_order,
				   unsigned int order, gfp_t gfp,
				   unsigned int *got)
{
	gfp_t base = (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN;
	struct page *page;

	/* high orders are a wish, not a need: do not retry hard for them */
	for (; order > min_order; order--) {
		page = alloc_pages_node(nid, (base & ~__GFP_NOFAIL) | __GFP_NORETRY,
					order);
		if (page) {
			*got = order;
			return page;
		}
	}
	*got = min_order;
	if (base & __GFP_NOFAIL)
		return gh_arena_pages_nofail(nid, min_order, base);
	return alloc_pages_node(nid, base, min_order);
}

static void gh_free_page_run(void *base, unsigned int first, unsigned int end)
{
	unsigned int i;

	for (i = first; i < end; i++) {
		gh_unpoison(base + i * PAGE_SIZE, PAGE_SIZE);
		__free_page(virt_to_page(base + i * PAGE_SIZE));
	}
}

/*
 * An arena for @npages: an ordinary one of up to 2^arena_order pages, or,
 * when @npages is more than half of that, a dedicated one of exactly
 * @npages, the rest of its buddy block given back at once.
 */
static struct gh_arena *gh_arena_new(unsigned int npages, int nid, gfp_t gfp)
{
	unsigned int min_order = order_base_2(npages), order;
	unsigned int want = READ_ONCE(gh_arena_order);
	struct gh_arena *a;
	struct page *page;
	unsigned long pfn, g;

	a = kzalloc_node(sizeof(*a), gfp & ~__GFP_ZERO, nid);
	if (!a)
		return NULL;
	a->nid = nid;
	a->dedicated = gh_span_dedicated(npages);
	page = gh_arena_pages(nid, min_order, a->dedicated ? min_order : want, gfp,
			      &order);
	if (!page)
		goto free_arena;
	pfn = page_to_pfn(page);
	for (g = pfn; g < pfn + (1UL << order); g += GH_GRANULE_PAGES)
		if (gh_map_populate(g, gfp))
			goto free_pages;
	split_page(page, order);
	a->base = page_address(page);
	a->order = order;
	a->npages = a->dedicated ? npages : 1U << order;
	gh_free_page_run(a->base, a->npages, 1U << order);
	/* pages past the end of a small arena are permanently "used" */
	if (a->dedicated)
		a->used = ~0UL;
	else if (a->npages < GH_ARENA_PAGES)
		a->used = ~0UL << a->npages;
	a->longest_free = gh_longest_free(a->used);
	a->idle_since = jiffies;
	/* kmemleak does not scan alloc_pages() memory: objects referenced only
	 * from goheap memory would be reported as leaks. With kmemleak per
	 * object (debug.c), objects and some spans are registered instead.
	 */
	if (gh_heap_kmemleak_arenas)
		kmemleak_alloc(a->base, (size_t)a->npages * PAGE_SIZE, 0, gfp);
	trace_arena_grow(a->base, a->npages, nid, a->dedicated);
	return a;

free_pages:
	__free_pages(page, order);
free_arena:
	kfree(a);
	return NULL;
}

/* Give the arena's pages back; @a is off the list. */
static void gh_arena_free(struct gh_arena *a)
{
	trace_arena_release(a->base, a->npages, a->nid, a->dedicated);
	if (gh_heap_kmemleak_arenas)
		kmemleak_free(a->base);
	gh_free_page_run(a->base, 0, a->npages);
	kfree(a);
}

/* The search start for a run of @npages (the last one for longer runs) */
static struct gh_arena **gh_search_start(unsigned int npages)
{
	return &gh_search_from[min_t(unsigned int, npages, GH_SEARCH_RUNS) - 1];
}

/*
 * @a may have gained room (a span freed, or it is new): it becomes the
 * search start of every run it has room for whose start lies above it.
 * The starts are in address order by length (the lowest arena with room
 * for n pages is no higher than the lowest with room for n + 1), so the
 * walk down from the longest stops at the first start at or below @a.
 */
static void gh_search_lower(struct gh_arena *a)
{
	unsigned int n = min_t(unsigned int, gh_arena_room(a), GH_SEARCH_RUNS);

	lockdep_assert_held(&gh_heap_lock);
	for (; n; n--) {
		struct gh_arena **start = gh_search_start(n);

		if (*start && (*start)->base <= a->base)
			break;
		*start = a;
	}
}

static void gh_arena_insert(struct gh_arena *a)
{
	struct gh_arena *pos;

	lockdep_assert_held(&gh_heap_lock);
	list_for_each_entry(pos, &gh_arenas, node)
		if (pos->base > a->base)
			break;
	list_add_tail(&a->node, &pos->node);
	gh_search_lower(a);
	gh_heap_acct.arenas++;
	gh_heap_acct.sys_bytes += (u64)a->npages * PAGE_SIZE;
	gh_heap_acct.meta_bytes += kmalloc_size_roundup(sizeof(*a));
}

/*
 * @a, still listed, has room for no run longer than @room pages now (a
 * span was placed in it, or it is leaving the list: 0). Each search start
 * it was for a longer run moves to the next arena with room for that run;
 * those come in address order by length, so one walk serves them all, and
 * the first start above @a ends it.
 */
static void gh_search_raise(struct gh_arena *a, unsigned int room)
{
	struct gh_arena *next = a;
	unsigned int n;

	lockdep_assert_held(&gh_heap_lock);
	for (n = room + 1; n <= GH_SEARCH_RUNS; n++) {
		struct gh_arena **start = gh_search_start(n);

		if (!*start || (*start)->base > a->base)
			break;
		if (*start != a)
			continue;
		while (next && (next == a || gh_arena_room(next) < n))
			next = list_is_last(&next->node, &gh_arenas) ? NULL :
			       list_next_entry(next, node);
		*start = next;
	}
}

static void gh_arena_remove(struct gh_arena *a)
{
	lockdep_assert_held(&gh_heap_lock);
	gh_search_raise(a, 0);
	list_del(&a->node);
	gh_heap_acct.arenas--;
	gh_heap_acct.sys_bytes -= (u64)a->npages * PAGE_SIZE;
	gh_heap_acct.meta_bytes -= kmalloc_size_roundup(sizeof(*a));
}

/* ---- spans -------------------------------------------------------------------- */

static void gh_span_place(struct gh_span *span, struct gh_arena *a,
			  unsigned int first, unsigned int npages)
{
	lockdep_assert_held(&gh_heap_lock);
	gh_arena_mark(a, first, npages, true);
	a->inuse_pages += npages;
	span->arena = a;
	span->first_page = first;
	span->npages = npages;
	span->base = a->base + (unsigned long)first * PAGE_SIZE;
	span->nid = a->nid;
	gh_map_set(span, span);
	gh_heap_acct.inuse_bytes += (u64)npages * PAGE_SIZE;
	gh_heap_acct.meta_bytes += span->meta_bytes;
	gh_heap_acct.spans++;
	span->gen = gh_heap_placements++;
}

/*
 * First fit among node @nid's arenas, by address: from the search start for
 * its length, or for a long span, which may take an empty dedicated arena
 * anywhere, from the first.
 */
static bool gh_heap_place(struct gh_span *span, unsigned int npages,
			  unsigned int align, int nid)
{
	bool long_span = gh_span_dedicated(max(npages, align));
	struct gh_arena *a;

	lockdep_assert_held(&gh_heap_lock);
	a = long_span ? list_first_entry_or_null(&gh_arenas, struct gh_arena, node) :
			*gh_search_start(npages);
	if (!a)
		return false;
	list_for_each_entry_from(a, &gh_arenas, node) {
		long first;

		/*
		 * Most arenas a search passes have no run that long (a
		 * dedicated one in use has none at all); an empty one may
		 * still take a long span, as it is or switched.
		 */
		if (long_span ? a->longest_free < npages && a->inuse_pages :
				gh_arena_room(a) < npages)
			continue;
		if (a->nid != nid)
			continue;
		first = gh_arena_find(a, npages, align, long_span);
		if (first < 0)
			continue;
		gh_span_place(span, a, first, npages);
		gh_search_raise(a, gh_arena_room(a));
		return true;
	}
	return false;
}

/**
 * gh_heap_alloc_span() - take a run of pages from the page heap
 * @npages: run length in pages
 * @align: alignment of the run in pages (a power of two; 0 or 1 for none)
 * @bitmap_bytes: room to reserve after struct gh_span for its bitmaps
 * @nid: NUMA node whose arenas serve it (NUMA_NO_NODE: this CPU's); a new
 *	 arena comes from that node if the page allocator can, and serves the
 *	 node's requests in any case
 * @gfp: allocation flags; they decide whether a new arena may sleep
 *
 * The span comes back zeroed but for its placement (base, arena, pages) and
 * already visible in the page map with state GH_SPAN_DEAD; the caller sets
 * it up before handing out memory from it.
 *
 * Return: the span, or NULL if no memory could be had under @gfp.
 */
struct gh_span *gh_heap_alloc_span(unsigned int npages, unsigned int align,
				   size_t bitmap_bytes, int nid, gfp_t gfp)
{
	/* arenas and metadata are shared: no one caller's flags describe them */
	gfp_t meta_gfp = gfp & ~(__GFP_ZERO | GH_GFP_IGNORED | GH_GFP_REFUSED);
	unsigned int need = max(npages, align);
	struct gh_span *span;
	struct gh_arena *a;
	unsigned long flags;
	bool placed;

	if (!npages || need > GH_MAX_ARENA_PAGES)
		return NULL;
	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();

	span = kzalloc_node(struct_size(span, bits, 0) + bitmap_bytes, meta_gfp, nid);
	if (!span)
		return NULL;
	span->owner = GH_NO_OWNER;
	/* what kmalloc holds for it, not what was asked */
	span->meta_bytes = kmalloc_size_roundup(struct_size(span, bits, 0) + bitmap_bytes);

	spin_lock_irqsave(&gh_heap_lock, flags);
	placed = gh_heap_place(span, npages, align, nid);
	spin_unlock_irqrestore(&gh_heap_lock, flags);
	while (!placed) {
		a = gh_arena_new(need, nid, meta_gfp);
		if (!a) {
			kfree(span);
			return NULL;
		}
		spin_lock_irqsave(&gh_heap_lock, flags);
		/*
		 * A block of exactly max(npages, align) is aligned for it;
		 * placed before it is listed, it is never a search start.
		 */
		if (a->dedicated)
			gh_span_place(span, a, 0, npages);
		gh_arena_insert(a);
		placed = a->dedicated || gh_heap_place(span, npages, align, nid);
		spin_unlock_irqrestore(&gh_heap_lock, flags);
	}
	gh_count(GH_CNT_SPAN_ALLOCS);
	return span;
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_alloc_span);

/*
 * Run the release no later than @at (jiffies). A release queued for later
 * is brought forward; one queued for sooner stays. Two callers racing may
 * leave the later of their times: the release then runs late, never not
 * at all, since every run queues the next for the arenas it left.
 */
static void gh_heap_release_at(unsigned long at)
{
	long wait = (long)(at - jiffies);

	if (delayed_work_pending(&gh_release_work) &&
	    !time_before(at, READ_ONCE(gh_release_due)))
		return;
	WRITE_ONCE(gh_release_due, at);
	mod_delayed_work(system_wq, &gh_release_work, max(wait, 0L));
}

/**
 * gh_heap_free_idle_span() - give back the pages of a span that has held
 *	no object since @idle_since
 * @span: a span from gh_heap_alloc_span(); freed after an RCU grace period
 * @idle_since: jiffies when the span's last object was freed: now, or
 *	earlier for a span kept empty for a while (a central list's spare)
 *
 * An arena left empty, dedicated or not, goes back gh_release_delay_ms
 * after the last of its spans held an object, unless a span takes it
 * first: a spare kept empty for that long leaves no arena for another
 * delay after it.
 */
void gh_heap_free_idle_span(struct gh_span *span, unsigned long idle_since)
{
	struct gh_arena *a = span->arena;
	unsigned long flags, due;
	bool idle;

	if (span->kmemleak_area)
		kmemleak_free(span->base);
	spin_lock_irqsave(&gh_heap_lock, flags);
	WRITE_ONCE(span->state, GH_SPAN_DEAD);
	gh_map_set(span, NULL);
	gh_arena_mark(a, span->first_page, span->npages, false);
	a->inuse_pages -= span->npages;
	gh_search_lower(a);
	/* the latest end of use of any of its spans, once it is empty */
	if (time_after(idle_since, a->idle_since))
		a->idle_since = idle_since;
	idle = !a->inuse_pages;
	due = a->idle_since + msecs_to_jiffies(gh_release_delay_ms);
	gh_heap_acct.inuse_bytes -= (u64)span->npages * PAGE_SIZE;
	gh_heap_acct.spans--;
	gh_heap_acct.meta_bytes -= span->meta_bytes;
	spin_unlock_irqrestore(&gh_heap_lock, flags);
	gh_count(GH_CNT_SPAN_FREES);
	kfree_rcu(span, rcu);
	/* the arena may be gone already: the scavenger runs anywhere */
	if (idle)
		gh_heap_release_at(due);
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_free_idle_span);

/**
 * gh_heap_free_span() - give a span's pages back to the page heap
 * @span: a span from gh_heap_alloc_span() that held objects until now
 */
void gh_heap_free_span(struct gh_span *span)
{
	gh_heap_free_idle_span(span, jiffies);
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_free_span);

/* ---- returning memory ----------------------------------------------------------- */

/*
 * Give empty arenas back to the buddy allocator: with @now every one,
 * otherwise those empty for gh_release_delay_ms.
 */
static void gh_heap_release(bool now)
{
	unsigned long delay = msecs_to_jiffies(gh_release_delay_ms);
	unsigned long due, next = 0;
	struct gh_arena *a, *tmp;
	LIST_HEAD(dead);
	unsigned long flags;
	bool pending = false;

	spin_lock_irqsave(&gh_heap_lock, flags);
	list_for_each_entry_safe(a, tmp, &gh_arenas, node) {
		if (a->inuse_pages)
			continue;
		due = a->idle_since + delay;
		if (now || time_after_eq(jiffies, due)) {
			gh_arena_remove(a);
			list_add(&a->node, &dead);
		} else if (!pending || time_before(due, next)) {
			next = due;
			pending = true;
		}
	}
	spin_unlock_irqrestore(&gh_heap_lock, flags);

	list_for_each_entry_safe(a, tmp, &dead, node)
		gh_arena_free(a);
	/* the next arena's turn, not a whole delay from now */
	if (pending)
		gh_heap_release_at(next);
}

/**
 * gh_heap_release_all() - give every empty arena back to the buddy
 *	allocator now
 */
void gh_heap_release_all(void)
{
	gh_heap_release(true);
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_release_all);

/**
 * gh_heap_release_kick() - look at the empty arenas now
 *
 * For a new gh_release_delay_ms: a release already queued keeps the delay
 * it was queued with, and this one reschedules with the new delay.
 */
void gh_heap_release_kick(void)
{
	gh_heap_release_at(jiffies);
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_release_kick);

/* The delayed work: arenas empty for gh_release_delay_ms go back. */
static void gh_release_fn(struct work_struct *work)
{
	gh_heap_release(false);
}

/* ---- inspection ------------------------------------------------------------------ */

/**
 * gh_heap_read_stats() - a consistent snapshot of the page heap's accounting
 * @st: filled in
 */
void gh_heap_read_stats(struct gh_heap_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&gh_heap_lock, flags);
	*st = gh_heap_acct;
	st->meta_bytes += gh_map_nodes * sizeof(struct gh_map_node);
	spin_unlock_irqrestore(&gh_heap_lock, flags);
	st->idle_bytes = st->sys_bytes - st->inuse_bytes;
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_read_stats);

/**
 * gh_heap_node_stats() - the page heap's figures for one NUMA node
 * @nid: the node
 * @st: filled in: arenas, sys, inuse and idle bytes of the arenas that
 *	serve the node's requests (spans and metadata are not split by node)
 */
void gh_heap_node_stats(int nid, struct gh_heap_stats *st)
{
	struct gh_arena *a;
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&gh_heap_lock, flags);
	list_for_each_entry(a, &gh_arenas, node) {
		if (a->nid != nid)
			continue;
		st->arenas++;
		st->sys_bytes += (u64)a->npages * PAGE_SIZE;
		st->inuse_bytes += (u64)a->inuse_pages * PAGE_SIZE;
	}
	spin_unlock_irqrestore(&gh_heap_lock, flags);
	st->idle_bytes = st->sys_bytes - st->inuse_bytes;
}

/**
 * gh_heap_search_ok() - check the placement invariants
 *
 * For every run length, every arena below its search start has no room for
 * a run that long, and the start itself is an arena on the list that has;
 * each ordinary arena's longest free run and page count agree with its
 * bitmap.
 *
 * Return: true if they hold.
 */
bool gh_heap_search_ok(void)
{
	struct gh_arena *a;
	unsigned long flags;
	unsigned int n;
	bool ok = true;

	spin_lock_irqsave(&gh_heap_lock, flags);
	for (n = 1; n <= GH_SEARCH_RUNS; n++) {
		struct gh_arena *start = *gh_search_start(n);
		bool below = true;

		list_for_each_entry(a, &gh_arenas, node) {
			if (a == start)
				below = false;
			if (below && gh_arena_room(a) >= n)
				ok = false;
		}
		if (start && (below || gh_arena_room(start) < n))
			ok = false;
	}
	list_for_each_entry(a, &gh_arenas, node)
		if (!a->dedicated &&
		    (a->longest_free != gh_longest_free(a->used) ||
		     a->inuse_pages != bitmap_weight(&a->used, a->npages)))
			ok = false;
	spin_unlock_irqrestore(&gh_heap_lock, flags);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_search_ok);

/**
 * gh_heap_scan_span() - have kmemleak scan a span whose objects it does
 *	not know
 * @span: a new span of a typed cache or a GC domain
 * @gfp: flags for kmemleak's own record
 *
 * With kmemleak per object (debug.c), no arena is registered; the spans
 * whose objects are not registered one by one are registered whole, as
 * scan-only areas, so that pointers they hold still count. Until the span
 * goes back to the heap.
 */
void gh_heap_scan_span(struct gh_span *span, gfp_t gfp)
{
	if (gh_heap_kmemleak_arenas)
		return;
	kmemleak_alloc(span->base, (size_t)span->npages * PAGE_SIZE, 0, gfp);
	span->kmemleak_area = 1;
}

/**
 * gh_heap_accounting_ok() - check the page heap's statistics identities
 *
 * Under the heap lock, so exact at any time: HeapSys is the arenas' pages,
 * HeapInuse their used pages, and the counts of arenas and spans are what
 * the list and the page map hold.
 *
 * Return: true if they hold.
 */
bool gh_heap_accounting_ok(void)
{
	u64 sys = 0, inuse = 0;
	unsigned long arenas = 0, spans = 0, flags;
	struct gh_arena *a;
	unsigned int i;
	bool ok;

	spin_lock_irqsave(&gh_heap_lock, flags);
	list_for_each_entry(a, &gh_arenas, node) {
		arenas++;
		sys += (u64)a->npages * PAGE_SIZE;
		inuse += (u64)a->inuse_pages * PAGE_SIZE;
		for (i = 0; i < a->npages; i++) {
			struct gh_span *s = *gh_map_slot(PHYS_PFN(__pa(a->base)) + i);

			spans += s && s->first_page == i;
		}
	}
	ok = sys == gh_heap_acct.sys_bytes && inuse == gh_heap_acct.inuse_bytes &&
	     arenas == gh_heap_acct.arenas && spans == gh_heap_acct.spans;
	spin_unlock_irqrestore(&gh_heap_lock, flags);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(gh_heap_accounting_ok);

/**
 * gh_heap_walk_spans() - visit every live span, heap lock held
 * @walk: its visit() must not sleep or call back into the heap
 */
void gh_heap_walk_spans(struct gh_span_walk *walk)
{
	struct gh_arena *a;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&gh_heap_lock, flags);
	list_for_each_entry(a, &gh_arenas, node) {
		for (i = 0; i < a->npages; i++) {
			struct gh_span *s = *gh_map_slot(PHYS_PFN(__pa(a->base)) + i);

			if (s && s->first_page == i)
				walk->visit(s, walk);
		}
	}
	spin_unlock_irqrestore(&gh_heap_lock, flags);
}

static char gh_arena_cell(const struct gh_arena *a, unsigned int first,
			  unsigned int n)
{
	unsigned int used = 0, i;

	if (a->dedicated)
		return a->inuse_pages ? '#' : '.';
	for (i = first; i < first + n; i++)
		used += test_bit(i, &a->used);
	return used == n ? '#' : used ? '+' : '.';
}

/**
 * gh_heap_arena_info() - describe up to @max arenas, in address order
 * @info: array to fill
 * @max: its length
 *
 * Return: the number of arenas (which may be more than @max).
 */
unsigned int gh_heap_arena_info(struct gh_arena_info *info, unsigned int max)
{
	struct gh_arena *a;
	unsigned long flags;
	unsigned int n = 0, cell;

	spin_lock_irqsave(&gh_heap_lock, flags);
	list_for_each_entry(a, &gh_arenas, node) {
		unsigned int per = max(1U, a->npages / GH_ARENA_MAP_CELLS);
		struct gh_arena_info *ai;

		if (n >= max) {
			n++;
			continue;
		}
		ai = &info[n++];
		ai->order = a->order;
		ai->npages = a->npages;
		ai->inuse = a->inuse_pages;
		for (cell = 0; cell * per < a->npages && cell < GH_ARENA_MAP_CELLS; cell++)
			ai->map[cell] = gh_arena_cell(a, cell * per, per);
		ai->map[cell] = '\0';
	}
	spin_unlock_irqrestore(&gh_heap_lock, flags);
	return n;
}

/**
 * gh_heap_max_size() - the largest object the page heap can serve
 *
 * Return: bytes in the largest arena the buddy allocator hands out.
 */
size_t gh_heap_max_size(void)
{
	return (size_t)GH_MAX_ARENA_PAGES * PAGE_SIZE;
}

/* Module exit: every span is already gone; free arenas and the page map. */
void gh_heap_exit(void)
{
	unsigned int i;

	cancel_delayed_work_sync(&gh_release_work);
	rcu_barrier();	/* pending kfree_rcu() of spans */
	gh_heap_release_all();
	WARN_ON(!list_empty(&gh_arenas));
	for (i = 0; i < ARRAY_SIZE(gh_map_top); i++) {
		gh_map_free_level(gh_map_top[i], GH_MAP_LEVELS);
		gh_map_top[i] = gh_map_empty_at(GH_MAP_LEVELS);
	}
	gh_map_nodes = 0;
}
