// SPDX-License-Identifier: GPL-2.0
/*
 * Typed caches: goheap's kmem_cache.
 *
 * A cache is a name, an object size and an alignment, and optionally a
 * constructor and RCU-typesafe semantics. Its objects are objects of the
 * smallest size class whose size is a multiple of the alignment (classes
 * are 8-byte aligned and every power of two up to 32 KiB is a class, so one
 * always exists). Where they live decides everything else:
 *
 *   merged  A cache with no constructor, no TYPESAFE_BY_RCU and no
 *           NO_MERGE shares its class's spans, per-CPU windows and fast
 *           path with goheap_alloc(), as SLUB merges compatible caches:
 *           it costs no memory of its own (no half-empty span per cache)
 *           and allocates as fast as goheap_alloc(). The cache counts its
 *           own allocations and frees, per CPU. What merging gives up: a
 *           free to the wrong cache is caught only when the classes differ,
 *           and a goheap_free() of the cache's object is not counted by the
 *           cache.
 *   own     A cache with a constructor (objects must come back in their
 *           constructed state, so they cannot mix with other objects), with
 *           TYPESAFE_BY_RCU (its memory must stay objects of the type for a
 *           grace period) or with NO_MERGE has central lists of its own on
 *           each NUMA node (struct gh_central, spans GH_SPAN_TYPED). No CPU
 *           owns those spans: every allocation and free takes the cache's
 *           lock, as SLUB's slow path does. The constructor runs when a
 *           span is populated (span.c); an empty span waits a grace period
 *           before its pages go back to the page heap when the cache is
 *           typesafe. Its figures are exact: objects, slots and spans come
 *           from its lists, allocations and frees are counted under its
 *           lock, and goheap_free() of its objects is counted too.
 *
 * Live caches are on one list under gh_typed_lock, which debugfs reads and
 * goheap_cache_destroy() checks, so that a second destroy is caught.
 *
 * This file is an entry point beside malloc.c: it calls malloc.c for the
 * merged caches and central.c for the others, never the reverse.
 *
 * Lock order: gh_typed_lock -> a cache's central lock (debugfs, destroy's
 * count of live objects); it is dropped before central.c's typed lists
 * mutex is taken (create, destroy).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <goheap.h>
#include <kunit/visibility.h>

#include "debug.h"
#include "fault.h"
#include "internal.h"
#include "poison.h"
#include "report.h"
#include "trace.h"

#define GH_CACHE_FLAGS	(GOHEAP_CACHE_TYPESAFE_BY_RCU | \
			 GOHEAP_CACHE_HWCACHE_ALIGN | GOHEAP_CACHE_NO_MERGE)
#define GH_CACHE_MAGIC	0x676f6361636865UL	/* "gocache" */
/* longest name, as a slab cache's */
#define GH_CACHE_NAME_MAX	64
/* live objects a refused destroy names */
#define GH_CACHE_NAMED	4

struct gh_typed_counts {
	long allocs;
	long frees;
};

struct goheap_cache {
	unsigned long magic;		/* GH_CACHE_MAGIC while live */
	const char *name;
	unsigned int size;		/* as asked for */
	unsigned int align;
	unsigned int flags;
	unsigned int cls;
	bool merged;			/* objects in the class's own spans */
	void (*ctor)(void *obj);
	struct gh_typed_counts __percpu *counts;	/* merged caches */
	struct gh_central *own;		/* else: its lists, per possible node */
	struct list_head node;		/* gh_typed_caches */
};

static LIST_HEAD(gh_typed_caches);
static DEFINE_MUTEX(gh_typed_lock);

/* The class for @size bytes at @align: a class size that @align divides. */
static unsigned int gh_typed_class(size_t size, size_t align)
{
	unsigned int cls;

	for (cls = gh_size_to_class(size); cls && cls < GH_NUM_CLASSES; cls++)
		if (!(gh_classes[cls].size % align))
			return cls;
	return 0;
}

/* A name debugfs can show as one word: printable, no blanks or quotes. */
static bool gh_typed_good_name(const char *name)
{
	if (!name || !*name || strlen(name) > GH_CACHE_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!isgraph(*name) || *name == '"' || *name == '\\')
			return false;
	return true;
}

/* Why the arguments make no cache, or NULL if they do. */
static const char *gh_typed_bad_args(const char *name, size_t size,
				     size_t align, unsigned int flags)
{
	if (!gh_typed_good_name(name))
		return "the name is missing, too long, or has blanks, quotes or unprintable characters";
	if (!size || size > GOHEAP_MAX_SMALL_SIZE)
		return "size is 0 or above GOHEAP_MAX_SMALL_SIZE";
	if (align && (!is_power_of_2(align) || align > PAGE_SIZE))
		return "alignment is not a power of two of at most PAGE_SIZE";
	if (flags & ~GH_CACHE_FLAGS)
		return "unknown flags";
	return NULL;
}

static void gh_typed_free(struct goheap_cache *c)
{
	kfree(c->own);
	free_percpu(c->counts);
	kfree_const(c->name);
	kfree(c);
}

static struct goheap_cache *gh_typed_new(const char *name, size_t size,
					 size_t align, unsigned int flags,
					 void (*ctor)(void *obj))
{
	struct goheap_cache *c = kzalloc(sizeof(*c), GFP_KERNEL);
	int nid;

	if (!c)
		return NULL;
	c->name = kstrdup_const(name, GFP_KERNEL);
	c->counts = alloc_percpu(struct gh_typed_counts);
	/* debug mode's trailers are the manual heap's alone: no merging */
	c->merged = !ctor && !gh_debug_on() &&
		    !(flags & (GOHEAP_CACHE_TYPESAFE_BY_RCU | GOHEAP_CACHE_NO_MERGE));
	if (!c->merged)
		c->own = kcalloc(nr_node_ids, sizeof(*c->own), GFP_KERNEL);
	if (!c->name || !c->counts || (!c->merged && !c->own)) {
		gh_typed_free(c);
		return NULL;
	}
	if (flags & GOHEAP_CACHE_HWCACHE_ALIGN)
		align = max_t(size_t, align, L1_CACHE_BYTES);
	c->size = size;
	c->align = max_t(size_t, align, GH_SMALL_SIZE_DIV);
	c->flags = flags;
	c->cls = gh_typed_class(size, c->align);
	c->ctor = ctor;
	for (nid = 0; !c->merged && nid < nr_node_ids; nid++) {
		gh_central_setup(&c->own[nid], c->cls, nid, GH_SPAN_TYPED);
		c->own[nid].owner = c;
		c->own[nid].ctor = ctor;
		c->own[nid].free_after_gp = flags & GOHEAP_CACHE_TYPESAFE_BY_RCU;
	}
	c->magic = GH_CACHE_MAGIC;
	return c;
}

/**
 * goheap_cache_create() - create a typed cache, like kmem_cache_create()
 * @name: for debugfs and reports; copied
 * @size: object size, 1 .. %GOHEAP_MAX_SMALL_SIZE
 * @align: object alignment: 0 (8 bytes) or a power of two up to PAGE_SIZE
 * @flags: %GOHEAP_CACHE_TYPESAFE_BY_RCU, %GOHEAP_CACHE_HWCACHE_ALIGN,
 *	   %GOHEAP_CACHE_NO_MERGE
 * @ctor: run on every object once, when the span holding it is populated,
 *	  not on every allocation; objects must be freed in their constructed
 *	  state. May be NULL.
 *
 * A cache with @ctor, %GOHEAP_CACHE_TYPESAFE_BY_RCU or
 * %GOHEAP_CACHE_NO_MERGE has spans of its own; any other shares its size
 * class with goheap_alloc() (Documentation/goheap.rst, "Typed caches").
 *
 * Context: process context; may sleep.
 * Return: the cache, ERR_PTR(-EINVAL) for bad arguments (reported), or
 * ERR_PTR(-ENOMEM).
 */
struct goheap_cache *goheap_cache_create(const char *name, size_t size,
					 size_t align, unsigned int flags,
					 void (*ctor)(void *obj))
{
	const char *why = gh_typed_bad_args(name, size, align, flags);
	struct goheap_cache *c;
	int nid;

	might_sleep();
	if (why) {
		gh_report(_RET_IP_, "cache %s of %zu bytes, align %zu, flags %#x refused: %s",
			  name ?: "(null)", size, align, flags, why);
		return ERR_PTR(-EINVAL);
	}
	c = gh_typed_new(name, size, align, flags, ctor);
	if (!c)
		return ERR_PTR(-ENOMEM);
	for (nid = 0; !c->merged && nid < nr_node_ids; nid++)
		gh_central_register(&c->own[nid]);
	mutex_lock(&gh_typed_lock);
	list_add_tail(&c->node, &gh_typed_caches);
	mutex_unlock(&gh_typed_lock);
	return c;
}
EXPORT_SYMBOL_GPL(goheap_cache_create);

/* Whether @c is a live cache; reported if not. */
static bool gh_typed_live_cache(const struct goheap_cache *c,
				unsigned long caller)
{
	if (likely(c && READ_ONCE(c->magic) == GH_CACHE_MAGIC))
		return true;
	gh_report(caller, "%p is not a live goheap cache", c);
	return false;
}

/* One object of a cache with spans of its own, from node @nid's lists. */
static void *gh_typed_alloc_own(struct goheap_cache *c, gfp_t gfp, int nid,
				unsigned long caller)
{
	void *p;

	if (unlikely(c->ctor && (gfp & __GFP_ZERO))) {
		gh_report(caller, "cache %s: __GFP_ZERO would undo its constructor",
			  c->name);
		return NULL;
	}
	p = gh_central_alloc(&c->own[nid == NUMA_NO_NODE ? numa_node_id() : nid], gfp);
	if (!p)
		return NULL;
	gh_unpoison(p, gh_classes[c->cls].size);
	if (!c->ctor && want_init_on_alloc(gfp))
		memset(p, 0, gh_classes[c->cls].size);
	this_cpu_inc(gh_stats.class_mallocs[c->cls]);
	this_cpu_add(gh_stats.class_requested[c->cls], c->size);
	return p;
}

/**
 * goheap_cache_alloc() - allocate an object of a typed cache
 * @c: the cache
 * @gfp: allocation flags, as for goheap_alloc(); %__GFP_ZERO is refused
 *	 for a cache with a constructor
 *
 * Context: as goheap_alloc(); the constructor of a cache that has one may
 * run here, in the caller's context.
 * Return: the object, or NULL when memory is short or the arguments are
 * bad (reported).
 */
void *goheap_cache_alloc(struct goheap_cache *c, gfp_t gfp)
{
	void *p;

	if (unlikely(!gh_typed_live_cache(c, _RET_IP_)))
		return NULL;
	if (unlikely(gfp & GH_GFP_REFUSED))
		return gh_gfp_refuse(gfp, _RET_IP_);
	if (gh_fault_hooked(c->size, gfp))
		return NULL;
	if (!c->merged) {
		p = gh_typed_alloc_own(c, gfp, NUMA_NO_NODE, _RET_IP_);
	} else {
		p = gh_alloc_class(c->cls, c->size, gfp);
		if (p)
			this_cpu_inc(c->counts->allocs);
	}
	if (trace_alloc_enabled())
		gh_trace_allocs(_RET_IP_, &p, 1, c->size,
				gh_classes[c->cls].size, gfp);
	return p;
}
EXPORT_SYMBOL_GPL(goheap_cache_alloc);

/**
 * goheap_cache_alloc_node() - allocate an object of a typed cache on a
 *	NUMA node
 * @c: the cache
 * @gfp: allocation flags, as for goheap_cache_alloc()
 * @node: as for goheap_alloc_node()
 *
 * Context: as goheap_cache_alloc().
 * Return: the object, or NULL when memory is short or the arguments are
 * bad (reported).
 */
void *goheap_cache_alloc_node(struct goheap_cache *c, gfp_t gfp, int node)
{
	void *p;

	if (unlikely(!gh_typed_live_cache(c, _RET_IP_)))
		return NULL;
	if (unlikely(gfp & GH_GFP_REFUSED))
		return gh_gfp_refuse(gfp, _RET_IP_);
	if (unlikely(!gh_node_ok(node, _RET_IP_)))
		return NULL;
	if (gh_fault_hooked(c->size, gfp))
		return NULL;
	if (!c->merged) {
		p = gh_typed_alloc_own(c, gfp, node, _RET_IP_);
	} else {
		p = gh_alloc_class_node(c->cls, c->size, gfp, node);
		if (p)
			this_cpu_inc(c->counts->allocs);
	}
	if (trace_alloc_enabled())
		gh_trace_allocs(_RET_IP_, &p, 1, c->size,
				gh_classes[c->cls].size, gfp);
	return p;
}
EXPORT_SYMBOL_GPL(goheap_cache_alloc_node);

/* Whether @span, found live in the page map, holds objects of @c. */
static bool gh_typed_holds(const struct goheap_cache *c,
			   const struct gh_span *span, u8 state)
{
	if (c->merged)
		return state == GH_SPAN_SMALL && span->cls == c->cls;
	return state == GH_SPAN_TYPED && span->typed->owner == c;
}

/*
 * Free @p to @c. An object of another cache or class, or a large one, is
 * reported here; anything else that is wrong (a free object, a foreign
 * pointer) as goheap_free() reports it.
 */
static void gh_typed_free_one(struct goheap_cache *c, const void *p,
			      unsigned long caller)
{
	struct gh_span *span;
	u8 state;

	trace_free(caller, p);
	if (ZERO_OR_NULL_PTR(p))
		return;
	rcu_read_lock();
	span = gh_span_of(p);
	/* state before the fields it vouches for (enum gh_span_state) */
	state = span ? smp_load_acquire(&span->state) : GH_SPAN_DEAD;
	if (state != GH_SPAN_DEAD && gh_typed_holds(c, span, state)) {
		if (!gh_free_in_span(span, p, caller) && c->merged)
			this_cpu_inc(c->counts->frees);
	} else if (state != GH_SPAN_DEAD) {
		gh_count(GH_CNT_INVALID_FREE);
		trace_bad_free(caller, p, "an object of another cache or size");
		gh_report(caller, "bad free of %p to cache %s: an object of another cache or size",
			  p, c->name);
	} else {
		gh_free_from(p, caller);
	}
	rcu_read_unlock();
}

/**
 * goheap_cache_free() - free an object of a typed cache
 * @c: the cache it came from
 * @p: the object; NULL is ignored
 *
 * An object of another cache (with a different size class or spans of its
 * own), a large object, a freed or foreign pointer is reported, counted and
 * otherwise ignored.
 *
 * Context: any context.
 */
void goheap_cache_free(struct goheap_cache *c, const void *p)
{
	if (likely(gh_typed_live_cache(c, _RET_IP_)))
		gh_typed_free_one(c, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_cache_free);

/**
 * goheap_cache_alloc_bulk() - allocate @n objects of a typed cache at once
 * @c: the cache
 * @gfp: allocation flags, as for goheap_cache_alloc()
 * @n: objects wanted, at most %INT_MAX
 * @ptrs: filled with them
 *
 * All or nothing, as goheap_alloc_bulk(); a merged cache takes them
 * straight from this CPU's span.
 *
 * Context: as goheap_cache_alloc().
 * Return: @n, or 0 with nothing allocated.
 */
int goheap_cache_alloc_bulk(struct goheap_cache *c, gfp_t gfp, size_t n,
			    void **ptrs)
{
	size_t i;

	if (unlikely(!gh_typed_live_cache(c, _RET_IP_)))
		return 0;
	if (unlikely(gfp & GH_GFP_REFUSED)) {
		gh_gfp_refuse(gfp, _RET_IP_);
		return 0;
	}
	if (unlikely(gh_bulk_bad_args(n, ptrs, true, _RET_IP_)))
		return 0;
	/* once per call, as SLUB's kmem_cache_alloc_bulk() asks failslab */
	if (n && gh_fault_hooked(c->size, gfp))
		return 0;
	if (c->merged) {
		if (!gh_alloc_bulk_class(c->cls, c->size, gfp, n, ptrs))
			return 0;
		this_cpu_add(c->counts->allocs, n);
	} else {
		for (i = 0; i < n; i++) {
			ptrs[i] = gh_typed_alloc_own(c, gfp, NUMA_NO_NODE, _RET_IP_);
			if (!ptrs[i]) {
				gh_free_bulk_from(i, ptrs, _RET_IP_);
				return 0;
			}
		}
	}
	if (trace_alloc_enabled())
		gh_trace_allocs(_RET_IP_, ptrs, n, c->size,
				gh_classes[c->cls].size, gfp);
	return n;
}
EXPORT_SYMBOL_GPL(goheap_cache_alloc_bulk);

/**
 * goheap_cache_free_bulk() - free @n objects of a typed cache
 * @c: the cache they came from
 * @n: pointers in @ptrs
 * @ptrs: the objects; NULL entries are skipped, bad ones reported and
 *	  skipped as goheap_cache_free() does
 *
 * Context: any context.
 */
void goheap_cache_free_bulk(struct goheap_cache *c, size_t n, void **ptrs)
{
	size_t i;

	if (unlikely(!gh_typed_live_cache(c, _RET_IP_)))
		return;
	if (unlikely(gh_bulk_bad_args(n, ptrs, false, _RET_IP_)))
		return;
	for (i = 0; i < n; i++)
		gh_typed_free_one(c, ptrs[i], _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_cache_free_bulk);

/**
 * goheap_cache_size() - usable bytes of each object of @c
 * @c: a live cache
 *
 * Return: its objects' size: the size class's, at least the size asked for.
 */
size_t goheap_cache_size(const struct goheap_cache *c)
{
	return gh_classes[c->cls].size;
}
EXPORT_SYMBOL_GPL(goheap_cache_size);

/* Per-cache figures, as slabinfo has them. */
struct gh_typed_figures {
	unsigned long active;	/* objects handed out */
	unsigned long allocs, frees;
	unsigned long slots, spans;	/* own spans only */
};

static void gh_typed_read(struct goheap_cache *c, struct gh_typed_figures *f)
{
	unsigned long spans;
	int cpu, nid;

	memset(f, 0, sizeof(*f));
	if (!c->merged) {
		for_each_node(nid) {
			f->allocs += READ_ONCE(c->own[nid].allocs);
			f->frees += READ_ONCE(c->own[nid].frees);
			f->slots += gh_central_slots(&c->own[nid], &spans);
			f->spans += spans;
		}
	} else {
		for_each_possible_cpu(cpu) {
			f->allocs += READ_ONCE(per_cpu_ptr(c->counts, cpu)->allocs);
			f->frees += READ_ONCE(per_cpu_ptr(c->counts, cpu)->frees);
		}
	}
	f->active = f->allocs - f->frees;
}

/* Live objects of @c, with up to @max of them in @first (own spans only). */
static unsigned long gh_typed_live(struct goheap_cache *c, void **first,
				   unsigned int max)
{
	struct gh_typed_figures f;
	unsigned long live = 0;
	int nid;

	if (!c->merged) {
		for_each_node(nid) {
			unsigned int named = min_t(unsigned long, live, max);

			live += gh_central_live(&c->own[nid], first ? first + named : NULL,
						max - named);
		}
		return live;
	}
	gh_typed_read(c, &f);
	return (long)f.active > 0 ? f.active : 0;
}

/**
 * gh_typed_active() - objects of @c now allocated, as debugfs shows them
 * @c: a live cache
 *
 * Return: the count (for the KUnit suites).
 */
unsigned long gh_typed_active(struct goheap_cache *c)
{
	return gh_typed_live(c, NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(gh_typed_active);

/* Refuse to destroy @c while objects are live; name a few of them. */
static bool gh_typed_report_live(struct goheap_cache *c, unsigned long caller)
{
	void *first[GH_CACHE_NAMED] = { };
	unsigned long live = gh_typed_live(c, first, GH_CACHE_NAMED);

	if (!live)
		return false;
	gh_report(caller, "cache %s not destroyed: %lu objects still allocated%s %p %p %p %p",
		  c->name, live, c->merged ? " (shared spans: none named)" : ", such as",
		  first[0], first[1], first[2], first[3]);
	return true;
}

/**
 * goheap_cache_destroy() - destroy a typed cache, like kmem_cache_destroy()
 * @c: the cache; NULL does nothing
 *
 * A cache with objects still allocated is not destroyed: they are reported
 * (how many, and the first few of a cache with spans of its own) and the
 * cache stays usable, so that nothing is lost. A typesafe cache waits for
 * the grace periods of its last spans.
 *
 * Context: process context; may sleep.
 * Return: 0; -EBUSY if objects are still allocated; -EINVAL if @c is not
 * a live cache (destroyed already, or never created), reported.
 */
int goheap_cache_destroy(struct goheap_cache *c)
{
	struct goheap_cache *pos;
	bool found = false;
	int nid;

	might_sleep();
	if (!c)
		return 0;
	mutex_lock(&gh_typed_lock);
	list_for_each_entry(pos, &gh_typed_caches, node)
		found |= pos == c;
	if (!found || gh_typed_report_live(c, _RET_IP_)) {
		mutex_unlock(&gh_typed_lock);
		if (!found)
			gh_report(_RET_IP_, "destroy of %p, which is not a live goheap cache (destroyed twice?)",
				  c);
		return found ? -EBUSY : -EINVAL;
	}
	list_del(&c->node);
	WRITE_ONCE(c->magic, 0);
	mutex_unlock(&gh_typed_lock);
	for (nid = 0; !c->merged && nid < nr_node_ids; nid++) {
		gh_central_unregister(&c->own[nid]);
		gh_central_reclaim(&c->own[nid]);	/* its spare */
	}
	if (c->flags & GOHEAP_CACHE_TYPESAFE_BY_RCU)
		rcu_barrier();	/* spans waiting to go back to the page heap */
	gh_typed_free(c);
	return 0;
}
EXPORT_SYMBOL_GPL(goheap_cache_destroy);

/*
 * debugfs "caches", slabinfo's figures per cache: objsize as asked for and
 * size as given, objects active, and for a cache with spans of its own its
 * slots and spans; own, ctor and rcu say which kind it is (0 or 1).
 */
static int gh_typed_show(struct seq_file *m, void *v)
{
	struct gh_typed_figures f;
	struct goheap_cache *c;

	seq_puts(m, "name objsize size align active allocs frees slots spans own ctor rcu\n");
	mutex_lock(&gh_typed_lock);
	list_for_each_entry(c, &gh_typed_caches, node) {
		gh_typed_read(c, &f);
		seq_printf(m, "%s %u %u %u %lu %lu %lu %lu %lu %d %d %d\n", c->name,
			   c->size, gh_classes[c->cls].size, c->align, f.active,
			   f.allocs, f.frees, f.slots, f.spans, !c->merged,
			   !!c->ctor, !!(c->flags & GOHEAP_CACHE_TYPESAFE_BY_RCU));
	}
	mutex_unlock(&gh_typed_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gh_typed);

/**
 * gh_typed_init() - the typed caches' debugfs file
 * @root: goheap's debugfs directory
 */
void gh_typed_init(struct dentry *root)
{
	debugfs_create_file("caches", 0400, root, NULL, &gh_typed_fops);
}

/**
 * gh_typed_exit() - at unload: report caches never destroyed, free them
 *
 * Their objects were reported and freed with the rest of the heap's leaks
 * already; their lists are not looked at.
 */
void gh_typed_exit(void)
{
	struct goheap_cache *c, *tmp;
	int nid;

	list_for_each_entry_safe(c, tmp, &gh_typed_caches, node) {
		pr_err("unload: cache %s never destroyed\n", c->name);
		list_del(&c->node);
		for (nid = 0; !c->merged && nid < nr_node_ids; nid++)
			gh_central_unregister(&c->own[nid]);
		gh_typed_free(c);
	}
}
