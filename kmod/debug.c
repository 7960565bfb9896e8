// SPDX-License-Identifier: GPL-2.0
/*
 * Debug mode: the manual heap's answer to slub_debug, on any kernel.
 *
 * The `debug` module parameter, read once at load, picks the checks by
 * letter: Z red zones, P poisoning, U alloc/free stack traces, K kmemleak
 * per object ("1" or "all": every one). Any of them gives every object of
 * goheap_alloc() and its kin a trailer, struct gh_debug_track, at the end
 * of its slot (the last bytes of its class size, or of its page run):
 *
 *   | requested bytes | red zone (0xcc) ...... | track: state, size, stacks |
 *   p                 p + size                 p + slot - sizeof(track)
 *
 * so a request of n bytes is served from the class of n + 8 + 32 (the
 * 8-byte minimum red zone with Z; the trailer always). Objects keep
 * 8-byte alignment; the natural alignment of power-of-two sizes is lost,
 * as with slub_debug's red zones.
 *
 * Why a trailer and not a side table: the allocator already finds a slot
 * from any pointer in O(1) (the page map), so the slot itself is the
 * cheapest place for what must be found again at free time, and it needs
 * no allocation that could fail.
 *
 * A trailer also carries a stamp of its slot and span (the span's
 * placement number, span->gen): pages go back to the page heap and come
 * out again as other spans, whose slots may end where an old trailer still
 * says "free". Only a trailer with the stamp of the slot it ends is read
 * as that slot's.
 *
 * The state word makes a free a claim: it goes from LIVE to FREEING with
 * one cmpxchg, so of two racing frees of one object only one checks,
 * poisons and frees it; the other finds it not live and takes the
 * ordinary double-free report. An allocation sets LIVE last, after the red
 * zone and the track are written, so a concurrent validation never checks
 * a half-built object.
 *
 * What is checked, and when:
 *   free        the red zone (Z): an overflow is reported with the object,
 *               the offset past its end and the byte found, and the object
 *               is quarantined (kept allocated, never reused); otherwise
 *               the object is filled with 0x6b (P) and its free recorded.
 *   allocation  the poison of an object freed before (P): a write after
 *               free is reported the same way, and the object quarantined;
 *               the allocation takes another.
 *   validate    debugfs "validate" checks every object the central lists
 *               hold and every large object, the spans' bitmaps, the page
 *               map and the arenas.
 *
 * Reports print what was found and where, then both stack traces (U), one
 * report per object under one rate limit; each kind is counted. KASAN still
 * poisons a free object's bytes, but not its trailer, which a double free
 * must be able to read.
 *
 * kmemleak (K): each object is registered on allocation with its
 * requested size and unregistered on free, and the page heap registers no
 * arena, so that an object a client leaks shows in
 * /sys/kernel/debug/kmemleak with its allocation backtrace. Pointers held
 * in goheap objects are still seen, since every object is scanned;
 * typed caches' and GC domains' spans, whose objects are not registered,
 * are registered whole, as scan-only areas, by the page heap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kasan.h>
#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "debug.h"
#include "hooks.h"
#include "internal.h"
#include "poison.h"

unsigned int gh_debug_flags;
EXPORT_SYMBOL_IF_KUNIT(gh_debug_flags);

enum gh_debug_state {
	GH_TRACK_LIVE = 0x6c697665,		/* "live" */
	GH_TRACK_FREEING = 0x676f696e,
	GH_TRACK_FREE = 0x66726565,		/* "free" */
	GH_TRACK_QUARANTINED = 0x71756172,
};

#define GH_RED_ACTIVE		0xcc	/* red zone of a live object */
#define GH_POISON_FREE		0x6b	/* a free object's bytes */
#define GH_REDZONE_MIN		8
#define GH_STACK_DEPTH		16

static_assert(sizeof(struct gh_debug_track) == 32);
static_assert(sizeof(struct gh_debug_track) % 8 == 0,
	      "the trailer keeps slots of 8-byte multiples aligned for KASAN");

static DEFINE_RATELIMIT_STATE(gh_debug_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * gh_debug_parse() - the `debug` parameter's letters
 * @s: "", "0" (off), "1" or "all" (every check), or letters of "ZPUK"
 * @flags: set to the checks asked for
 *
 * Return: 0, or -EINVAL for anything else (@flags untouched).
 */
int gh_debug_parse(const char *s, unsigned int *flags)
{
	static const char letters[] = "ZPUK";
	unsigned int f = 0;
	const char *l;

	if (sysfs_streq(s, "") || sysfs_streq(s, "0")) {
		*flags = 0;
		return 0;
	}
	if (sysfs_streq(s, "1") || sysfs_streq(s, "all")) {
		*flags = GH_DEBUG_ALL;
		return 0;
	}
	/* letters, and at most one newline, at the end */
	for (; *s && strcmp(s, "\n"); s++) {
		l = strchr(letters, *s);
		if (!*s || !l)
			return -EINVAL;
		f |= BIT(l - letters);
	}
	*flags = f;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gh_debug_parse);

static size_t gh_debug_extra(void)
{
	return (gh_debug_flags & GH_DEBUG_REDZONE ? GH_REDZONE_MIN : 0) +
	       sizeof(struct gh_debug_track);
}

/**
 * gh_debug_slot_request() - what to ask the size classes for, for @size
 * @size: bytes the caller asked for, above 0
 *
 * Return: @size with room for the minimum red zone and the trailer, or
 * SIZE_MAX if that overflows.
 */
size_t gh_debug_slot_request(size_t size)
{
	size_t bytes;

	if (check_add_overflow(size, gh_debug_extra(), &bytes))
		return SIZE_MAX;
	return bytes;
}
EXPORT_SYMBOL_IF_KUNIT(gh_debug_slot_request);

static struct gh_debug_track *gh_track_of(const void *p, size_t slot)
{
	return (struct gh_debug_track *)(p + slot - sizeof(struct gh_debug_track));
}

/* Bytes before the trailer: the object and its red zone. */
static size_t gh_body(size_t slot)
{
	return slot - sizeof(struct gh_debug_track);
}

/* Whose trailer a slot's is: see the top of this file. */
static u32 gh_debug_stamp(const struct gh_span *span, const void *p)
{
	return span->gen ^ (u32)((unsigned long)p >> 3) ^ 0x9e3779b9;
}

/*
 * The slot @p starts, in bytes, and its stamp; 0 if @p starts no slot of
 * the manual heap, or, with @allocated, no allocated one. Caller in an RCU
 * reader.
 */
static size_t gh_debug_slot(const void *p, u32 *stamp, bool allocated)
{
	struct gh_span *span = gh_span_of(p);
	long idx;
	u8 state;

	if (!span)
		return 0;
	/* state before the fields it vouches for (enum gh_span_state) */
	state = smp_load_acquire(&span->state);
	*stamp = gh_debug_stamp(span, p);
	if (state == GH_SPAN_LARGE)
		return p == span->base ? (size_t)span->npages * PAGE_SIZE : 0;
	if (state != GH_SPAN_SMALL)
		return 0;
	idx = gh_span_start_index(span, p);
	if (idx < 0)
		return 0;
	if (allocated && (!test_bit(idx, gh_span_alloc_bits(span)) ||
			  test_bit(idx, gh_span_remote_bits(span))))
		return 0;
	return span->size;
}

static depot_stack_handle_t gh_debug_stack(gfp_t gfp)
{
	unsigned long entries[GH_STACK_DEPTH + 8];
	unsigned int n, first = 0;

	if (!(gh_debug_flags & GH_DEBUG_TRACK))
		return 0;
	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	/* start at the client: drop goheap's own frames */
	while (first < n && within_module(entries[first], THIS_MODULE))
		first++;
	n = min_t(unsigned int, n - first, GH_STACK_DEPTH);
	return stack_depot_save(entries + first, n, gfp);
}

static void gh_debug_print_track(const struct gh_debug_track *t)
{
	if (t->alloc_stack) {
		pr_err("  allocated by task %d:\n", t->alloc_pid);
		stack_depot_print(t->alloc_stack);
	}
	if (t->free_stack && t->state != GH_TRACK_LIVE) {
		pr_err("  freed by task %d:\n", t->free_pid);
		stack_depot_print(t->free_stack);
	}
}

/* First byte of @p[0 .. @n) that is not @c, or NULL. */
static const u8 *gh_debug_first_bad(const void *p, size_t n, u8 c)
{
	return memchr_inv(p, c, n);
}

/*
 * One corruption report: what, in which object, at which byte, and the
 * object's history. Counted by the caller.
 */
static void gh_debug_report(const char *what, const void *p, size_t slot,
			    const u8 *bad, const struct gh_debug_track *t)
{
	if (!__ratelimit(&gh_debug_rs))
		return;
	pr_err("corruption: %s at offset %td (byte 0x%02x) of object %p, %u bytes asked for in a %zu-byte slot\n",
	       what, bad - (const u8 *)p, *bad, p, t->size, slot);
	gh_debug_print_track(t);
}

/* Leave a corrupted object allocated for good: nothing reuses it. */
static void gh_debug_quarantine(struct gh_debug_track *t)
{
	WRITE_ONCE(t->state, GH_TRACK_QUARANTINED);
	gh_count(GH_CNT_QUARANTINED);
}

/*
 * A free object's poison, checked as it is handed out again. An object
 * never freed in debug mode (a new span's) has no poison to check.
 */
static bool gh_debug_poison_ok(void *p, size_t slot, u32 stamp,
			       struct gh_debug_track *t)
{
	const u8 *bad;

	if (!(gh_debug_flags & GH_DEBUG_POISON) || t->state != GH_TRACK_FREE ||
	    t->stamp != stamp)
		return true;
	bad = gh_debug_first_bad(p, gh_body(slot), GH_POISON_FREE);
	if (!bad)
		return true;
	gh_count(GH_CNT_USE_AFTER_FREE);
	gh_debug_report("write after free", p, slot, bad, t);
	gh_debug_quarantine(t);
	return false;
}

/**
 * gh_debug_alloc_ready() - check and dress an object before it is handed out
 * @p: a new object of gh_debug_slot_request(@size) bytes or more, not
 *     zeroed, unpoisoned for KASAN
 * @size: bytes the caller asked for
 * @gfp: the call's flags (zeroing, and memory for the stack depot)
 *
 * Return: true if @p may be handed out; false if it was found written
 * after its free (reported and quarantined): the caller takes another.
 */
bool gh_debug_alloc_ready(void *p, size_t size, gfp_t gfp)
{
	struct gh_debug_track *t;
	size_t slot;
	u32 stamp;

	rcu_read_lock();
	slot = gh_debug_slot(p, &stamp, true);
	rcu_read_unlock();
	if (WARN_ON_ONCE(slot < gh_debug_slot_request(size)))
		return false;
	t = gh_track_of(p, slot);
	if (!gh_debug_poison_ok(p, slot, stamp, t))
		return false;
	if (want_init_on_alloc(gfp))
		memset(p, 0, size);
	if (gh_debug_flags & GH_DEBUG_REDZONE)
		memset(p + size, GH_RED_ACTIVE, gh_body(slot) - size);
	t->stamp = stamp;
	t->size = size;
	t->alloc_stack = gh_debug_stack(gfp);
	t->alloc_pid = task_pid_nr(current);
	t->free_stack = 0;
	if (gh_debug_flags & GH_DEBUG_LEAK)
		kmemleak_alloc(p, size, 1, gfp);
	/* the track and the red zone before anyone may see the object live */
	smp_store_release(&t->state, GH_TRACK_LIVE);
	return true;
}

/* The red zone of a live object; reported and quarantined if written. */
static bool gh_debug_redzone_ok(const void *p, size_t slot,
				struct gh_debug_track *t)
{
	const u8 *bad;

	if (t->size > gh_body(slot)) {
		gh_count(GH_CNT_OVERFLOW);
		gh_debug_report("overwritten trailer", p, slot, p + gh_body(slot), t);
		return false;
	}
	if (!(gh_debug_flags & GH_DEBUG_REDZONE))
		return true;
	bad = gh_debug_first_bad(p + t->size, gh_body(slot) - t->size,
				 GH_RED_ACTIVE);
	if (!bad)
		return true;
	gh_count(GH_CNT_OVERFLOW);
	gh_debug_report("write past the end", p, slot, bad, t);
	return false;
}

/* Free @p's bytes the debug way: poisoned, or zeroed for init_on_free. */
static void gh_debug_wipe(void *p, size_t slot)
{
	if (gh_debug_flags & GH_DEBUG_POISON)
		memset(p, GH_POISON_FREE, gh_body(slot));
	else if (want_init_on_free())
		memset(p, 0, gh_body(slot));
	gh_poison(p, gh_body(slot));
}

/* A free of an object debug mode does not hold as live. */
static enum gh_debug_verdict gh_debug_not_live(const void *p,
					       struct gh_debug_track *t,
					       unsigned long caller)
{
	if (READ_ONCE(t->state) != GH_TRACK_QUARANTINED)
		return GH_DEBUG_NOT_LIVE;
	gh_report_bad_free(GH_CNT_DOUBLE_FREE, p,
			   "free of an object quarantined for corruption", caller);
	return GH_DEBUG_KEEP;
}

/*
 * A free of an object that is not allocated: if debug mode freed it, say
 * who allocated and who freed it, beside the ordinary double-free report.
 * A slot never handed out is still KASAN-poisoned whole: read it unchecked.
 */
static void gh_debug_explain_double_free(const void *p)
{
	struct gh_debug_track *t;
	size_t slot;
	u32 stamp;

	rcu_read_lock();
	slot = gh_debug_slot(p, &stamp, false);
	if (slot) {
		kasan_disable_current();
		t = gh_track_of(p, slot);
		if (READ_ONCE(t->state) == GH_TRACK_FREE && t->stamp == stamp &&
		    __ratelimit(&gh_debug_rs)) {
			pr_err("object %p, %u bytes asked for, was freed before:\n",
			       p, t->size);
			gh_debug_print_track(t);
		}
		kasan_enable_current();
	}
	rcu_read_unlock();
}

/**
 * gh_debug_free() - check and poison an object before it is freed
 * @p: the pointer given to a freeing entry point
 * @caller: that entry point's return address
 *
 * Return: GH_DEBUG_FREE_IT: @p was a live object, its red zone intact; it
 * is now poisoned and must be freed. GH_DEBUG_KEEP: it was corrupted, or
 * already quarantined (reported, counted): it stays allocated.
 * GH_DEBUG_NOT_LIVE: not a live object of the manual heap; the ordinary
 * free path reports it (for a double free, its stacks are printed here).
 */
enum gh_debug_verdict gh_debug_free(const void *p, unsigned long caller)
{
	enum gh_debug_verdict verdict = GH_DEBUG_FREE_IT;
	struct gh_debug_track *t;
	size_t slot;
	u32 stamp;

	rcu_read_lock();
	slot = gh_debug_slot(p, &stamp, true);
	if (!slot) {
		rcu_read_unlock();
		gh_debug_explain_double_free(p);
		return GH_DEBUG_NOT_LIVE;
	}
	t = gh_track_of(p, slot);
	if (READ_ONCE(t->stamp) != stamp ||
	    cmpxchg(&t->state, GH_TRACK_LIVE, GH_TRACK_FREEING) != GH_TRACK_LIVE) {
		verdict = gh_debug_not_live(p, t, caller);
	} else if (!gh_debug_redzone_ok(p, slot, t)) {
		/* goheap keeps it, so it is no client's leak */
		if (gh_debug_flags & GH_DEBUG_LEAK)
			kmemleak_free(p);
		gh_debug_quarantine(t);
		verdict = GH_DEBUG_KEEP;
	} else {
		if (gh_debug_flags & GH_DEBUG_LEAK)
			kmemleak_free(p);
		t->free_stack = gh_debug_stack(GFP_NOWAIT);
		t->free_pid = task_pid_nr(current);
		gh_debug_wipe((void *)p, slot);
		/* the poison and the free stack before the state says free */
		smp_store_release(&t->state, GH_TRACK_FREE);
	}
	rcu_read_unlock();
	return verdict;
}

/**
 * gh_debug_requested() - the bytes a live debug-mode object was asked for
 * @p: a live object of the manual heap
 * @slot: its slot (class size, or page run) in bytes
 *
 * Return: its requested size: the caller may use no more.
 */
size_t gh_debug_requested(const void *p, size_t slot)
{
	return READ_ONCE(gh_track_of(p, slot)->size);
}

/* Whether the trailer of @p's slot in @span says a live object. */
static bool gh_debug_live(const struct gh_span *span, const void *p, size_t slot)
{
	const struct gh_debug_track *t = gh_track_of(p, slot);

	return t->state == GH_TRACK_LIVE && t->stamp == gh_debug_stamp(span, p);
}

/**
 * gh_debug_forget_span() - unregister a leaked span's objects from kmemleak
 * @span: a span of the manual heap that goes back at unload with objects
 *	  still allocated
 */
void gh_debug_forget_span(struct gh_span *span)
{
	unsigned int idx;

	if (!(gh_debug_flags & GH_DEBUG_LEAK))
		return;
	if (span->state == GH_SPAN_LARGE) {
		if (gh_debug_live(span, span->base, (size_t)span->npages * PAGE_SIZE))
			kmemleak_free(span->base);
		return;
	}
	if (span->state != GH_SPAN_SMALL)
		return;
	for_each_set_bit(idx, gh_span_alloc_bits(span), span->nelems)
		if (gh_debug_live(span, gh_span_obj(span, idx), span->size))
			kmemleak_free(gh_span_obj(span, idx));
}

/* ---- validation ---------------------------------------------------------- */

struct gh_debug_validation {
	struct gh_span_walk walk;
	unsigned long spans;
	unsigned long objects;		/* live objects checked */
	unsigned long free;		/* free objects' poison checked */
	unsigned long errors;
};

static void gh_validate_error(struct gh_debug_validation *v, const char *fmt,
			      const void *where)
{
	v->errors++;
	gh_count(GH_CNT_VALIDATE_ERRORS);
	if (__ratelimit(&gh_debug_rs))
		pr_err("validate: %s (%p)\n", fmt, where);
}

/*
 * One object of @span (or its large object): its trailer and bytes. A
 * trailer with another slot's stamp is a former span's, or an allocation
 * still being dressed: nothing to check.
 */
static void gh_validate_object(struct gh_debug_validation *v,
			       const struct gh_span *span, void *p, size_t slot,
			       bool allocated)
{
	struct gh_debug_track *t = gh_track_of(p, slot);
	/* pairs with the releases that set it: the bytes it vouches for */
	u32 state = smp_load_acquire(&t->state);
	const u8 *bad;

	if (t->stamp != gh_debug_stamp(span, p))
		return;
	if (allocated && state == GH_TRACK_LIVE) {
		v->objects++;
		if (!gh_debug_redzone_ok(p, slot, t))
			v->errors++;
	} else if (!allocated && state == GH_TRACK_LIVE) {
		gh_validate_error(v, "free object marked live", p);
	} else if (!allocated && state == GH_TRACK_FREE &&
		   (gh_debug_flags & GH_DEBUG_POISON)) {
		v->free++;
		bad = gh_debug_first_bad(p, gh_body(slot), GH_POISON_FREE);
		if (bad) {
			gh_count(GH_CNT_USE_AFTER_FREE);
			gh_debug_report("write after free", p, slot, bad, t);
			v->errors++;
		}
	}
}

/* A span on a central list, under its lock: counters, bitmaps, objects. */
static void gh_validate_listed(struct gh_span *span, struct gh_span_walk *walk)
{
	struct gh_debug_validation *v = container_of(walk, typeof(*v), walk);
	unsigned long *alloc = gh_span_alloc_bits(span);
	unsigned int idx;

	v->spans++;
	if (span->owner != GH_NO_OWNER)
		gh_validate_error(v, "a listed span has an owner", span->base);
	if (span->live != bitmap_weight(alloc, span->nelems))
		gh_validate_error(v, "live count and alloc bitmap disagree", span->base);
	if (span->state != GH_SPAN_SMALL)
		return;
	for (idx = 0; idx < span->nelems; idx++)
		gh_validate_object(v, span, gh_span_obj(span, idx), span->size,
				   test_bit(idx, alloc) &&
				   !test_bit(idx, gh_span_remote_bits(span)));
}

/* Every span, under the heap lock: the page map, and large objects. */
static void gh_validate_mapped(struct gh_span *span, struct gh_span_walk *walk)
{
	struct gh_debug_validation *v = container_of(walk, typeof(*v), walk);
	unsigned int i;

	for (i = 0; i < span->npages; i++)
		if (gh_span_of(span->base + i * PAGE_SIZE) != span)
			gh_validate_error(v, "page map does not name the span", span->base);
	if (span->state == GH_SPAN_LARGE) {
		v->spans++;
		gh_validate_object(v, span, span->base,
				   (size_t)span->npages * PAGE_SIZE, true);
	}
}

static void gh_debug_validate(struct gh_debug_validation *v)
{
	int nid;
	unsigned int cls;

	v->walk.visit = gh_validate_listed;
	kasan_disable_current();
	for_each_node_state(nid, N_POSSIBLE)
		for (cls = 1; cls < GH_NUM_CLASSES; cls++)
			gh_central_walk(gh_central_of(nid, cls), &v->walk);
	v->walk.visit = gh_validate_mapped;
	gh_heap_walk_spans(&v->walk);
	kasan_enable_current();
	if (!gh_heap_search_ok())
		gh_validate_error(v, "an arena's free-page summary is wrong", NULL);
	if (!gh_heap_accounting_ok())
		gh_validate_error(v, "HeapSys, HeapInuse or the counts of arenas and spans are off",
				  NULL);
}

/*
 * debugfs "validate": empties the CPU caches, so that every span is on a
 * central list, then checks the whole heap; reading prints the counts.
 */
static int gh_validate_show(struct seq_file *m, void *unused)
{
	struct gh_debug_validation v = { };

	gh_cache_drain_all();
	gh_debug_validate(&v);
	seq_printf(m, "debug %s%s%s%s\n",
		   gh_debug_flags & GH_DEBUG_REDZONE ? "Z" : "",
		   gh_debug_flags & GH_DEBUG_POISON ? "P" : "",
		   gh_debug_flags & GH_DEBUG_TRACK ? "U" : "",
		   gh_debug_flags & GH_DEBUG_LEAK ? "K" : "");
	seq_printf(m, "spans %lu\nobjects %lu\nfree_checked %lu\nerrors %lu\n",
		   v.spans, v.objects, v.free, v.errors);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gh_validate);

/**
 * gh_debug_init() - start debug mode as the `debug` parameter asked
 * @root: goheap's debugfs directory
 *
 * Return: 0, or -ENOMEM if the stack depot could not be set up.
 */
int gh_debug_init(struct dentry *root)
{
	if (!gh_debug_flags)
		return 0;
	if ((gh_debug_flags & GH_DEBUG_TRACK) && stack_depot_init())
		return -ENOMEM;
	if ((gh_debug_flags & GH_DEBUG_LEAK) && !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		pr_warn("debug=K: this kernel has no kmemleak\n");
	debugfs_create_file("validate", 0400, root, NULL, &gh_validate_fops);
	gh_hooks_get();
	pr_info("debug mode: %s%s%s%s\n",
		gh_debug_flags & GH_DEBUG_REDZONE ? "red zones " : "",
		gh_debug_flags & GH_DEBUG_POISON ? "poisoning " : "",
		gh_debug_flags & GH_DEBUG_TRACK ? "stack traces " : "",
		gh_debug_flags & GH_DEBUG_LEAK ? "kmemleak per object" : "");
	return 0;
}

/* At unload, after the last object went: the hooks reference goes too. */
void gh_debug_exit(void)
{
	if (gh_debug_flags)
		gh_hooks_put();
}
