// SPDX-License-Identifier: GPL-2.0
/*
 * goheap module: parameters, memory-pressure hooks, init and exit.
 *
 * The shrinker does what goheap_drain() (malloc.c) does, when the kernel
 * is short of memory.
 *
 * At unload every page goes back to the buddy allocator; objects that users
 * never freed are reported first, counted per class.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <goheap.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "debug.h"
#include "fault.h"
#include "gc/gc.h"
#include "profile.h"

/* The tunables live in the layers that read them: heap.c, central.c. */

static int gh_param_set_arena_order(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, GH_ARENA_ORDER);
}

static int gh_param_set_delay(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint_minmax(val, kp, 0, 3600 * 1000);

	/* a new delay applies to arenas already empty (not while loading) */
	if (!ret && THIS_MODULE->state == MODULE_STATE_LIVE)
		gh_heap_release_kick();
	return ret;
}

static int gh_param_set_refill_div(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, GH_MAX_SPAN_OBJECTS);
}

/* A new rate re-arms every CPU's countdown; 0 stops sampling. */
static int gh_param_set_profile_rate(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret && THIS_MODULE->state == MODULE_STATE_LIVE)
		gh_profile_rearm_all();
	return ret;
}

static const struct kernel_param_ops gh_profile_rate_ops = {
	.set = gh_param_set_profile_rate,
	.get = param_get_uint,
};

static const struct kernel_param_ops gh_refill_div_ops = {
	.set = gh_param_set_refill_div,
	.get = param_get_uint,
};

static const struct kernel_param_ops gh_arena_order_ops = {
	.set = gh_param_set_arena_order,
	.get = param_get_uint,
};

static const struct kernel_param_ops gh_delay_ops = {
	.set = gh_param_set_delay,
	.get = param_get_uint,
};

module_param_cb(arena_order, &gh_arena_order_ops, &gh_arena_order, 0644);
MODULE_PARM_DESC(arena_order,
		 "buddy order of an ordinary arena, 0 to 6 (default 4: 64 KiB)");
module_param_cb(release_delay_ms, &gh_delay_ops, &gh_release_delay_ms, 0644);
MODULE_PARM_DESC(release_delay_ms,
		 "ms an arena stays after its pages were last used before it goes back to the buddy allocator (default 1000)");
module_param_cb(refill_div, &gh_refill_div_ops, &gh_refill_div, 0644);
MODULE_PARM_DESC(refill_div,
		 "a span is offered to caches again once 1/refill_div of it is free, 1..512 (default 8)");
module_param_cb(profile_rate, &gh_profile_rate_ops, &gh_profile_rate, 0644);
MODULE_PARM_DESC(profile_rate,
		 "mean bytes between allocation profile samples, 0: off (default 64 MiB)");

/* debug mode's checks, by letter (debug.c); read only: set at load */
static int gh_param_set_debug(const char *val, const struct kernel_param *kp)
{
	int ret = gh_debug_parse(val, &gh_debug_flags);

	/* before the first arena: objects, not arenas, go to kmemleak */
	gh_heap_kmemleak_arenas = !(gh_debug_flags & GH_DEBUG_LEAK);
	return ret;
}

static int gh_param_get_debug(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s%s%s%s\n",
			  gh_debug_flags & GH_DEBUG_REDZONE ? "Z" : "",
			  gh_debug_flags & GH_DEBUG_POISON ? "P" : "",
			  gh_debug_flags & GH_DEBUG_TRACK ? "U" : "",
			  gh_debug_flags & GH_DEBUG_LEAK ? "K" : "");
}

static const struct kernel_param_ops gh_debug_ops = {
	.set = gh_param_set_debug,
	.get = gh_param_get_debug,
};

module_param_cb(debug, &gh_debug_ops, NULL, 0444);
MODULE_PARM_DESC(debug,
		 "debug mode, at load: Z red zones, P poisoning, U stack traces, K kmemleak per object; 1 or all: every one (default off)");

static unsigned long gh_shrink_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	struct gh_heap_stats hs;

	gh_heap_read_stats(&hs);
	return hs.idle_bytes >> PAGE_SHIFT;
}

static unsigned long gh_shrink_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	struct gh_heap_stats before, after;

	gh_heap_read_stats(&before);
	goheap_drain();
	gh_heap_read_stats(&after);
	if (after.sys_bytes >= before.sys_bytes)
		return SHRINK_STOP;
	return (before.sys_bytes - after.sys_bytes) >> PAGE_SHIFT;
}

static struct gh_shrinker gh_shrinker;

struct gh_leaks {
	struct gh_span_walk walk;
	unsigned long objects[GH_NUM_CLASSES];
	unsigned long large;
	struct list_head spans;
};

static void gh_gather_leak(struct gh_span *span, struct gh_span_walk *walk)
{
	struct gh_leaks *l = container_of(walk, struct gh_leaks, walk);

	if (span->state == GH_SPAN_SMALL || span->state == GH_SPAN_TYPED) {
		l->objects[span->cls] += gh_span_live_objects(span);
		/* central lists are dead from here on: reuse the link */
		if (span->on_list != GH_LIST_NONE)
			list_del(&span->node);
	} else {
		l->large++;
	}
	list_add(&span->node, &l->spans);
}

/* After the caches are drained: report what users leaked, then free it. */
static void gh_free_leaks(void)
{
	static struct gh_leaks leaks;
	struct gh_span *span, *tmp;
	unsigned int cls;

	INIT_LIST_HEAD(&leaks.spans);
	leaks.walk.visit = gh_gather_leak;
	gh_heap_walk_spans(&leaks.walk);
	for (cls = 1; cls < GH_NUM_CLASSES; cls++)
		if (leaks.objects[cls])
			pr_err("unload: %lu objects of class %u (%u bytes) never freed\n",
			       leaks.objects[cls], cls, gh_classes[cls].size);
	if (leaks.large)
		pr_err("unload: %lu large objects never freed\n", leaks.large);
	list_for_each_entry_safe(span, tmp, &leaks.spans, node) {
		gh_debug_forget_span(span);
		gh_heap_free_span(span);
	}
}

static int __init goheap_init(void)
{
	int ret;

	ret = gh_central_init();
	if (ret)
		return ret;
	gh_rcu_free_init();
	ret = gh_cache_init();
	if (ret)
		goto central_exit;
	ret = gh_shrinker_add(&gh_shrinker, "goheap", gh_shrink_count, gh_shrink_scan);
	if (ret)
		goto cache_exit;
	gh_debugfs_init();
	gh_fault_init();
	gh_profile_init(gh_debugfs_root());
	ret = gh_debug_init(gh_debugfs_root());
	if (ret)
		goto stats_exit;
	gh_typed_init(gh_debugfs_root());
	ret = gh_gc_init(gh_debugfs_root());
	if (ret)
		goto stats_exit;
	pr_info("loaded: %u size classes up to %u bytes, large objects up to %zu bytes\n",
		GH_NUM_CLASSES - 1, GH_MAX_SMALL_SIZE, gh_heap_max_size());
	return 0;

stats_exit:
	gh_fault_exit();
	gh_debugfs_exit();
	gh_profile_exit();
	gh_shrinker_del(&gh_shrinker);
cache_exit:
	gh_cache_exit();
	gh_central_stop();
central_exit:
	gh_central_exit();
	return ret;
}

static void __exit goheap_exit(void)
{
	gh_fault_exit();
	gh_rcu_free_exit();
	gh_gc_exit();
	gh_debugfs_exit();
	gh_shrinker_del(&gh_shrinker);
	gh_cache_exit();
	gh_central_stop();
	rcu_barrier();	/* typesafe caches' spans waiting for a grace period */
	gh_free_leaks();
	gh_typed_exit();
	gh_central_exit();
	gh_heap_exit();
	gh_debug_exit();
	gh_profile_exit();
	pr_info("unloaded: every page returned\n");
}

module_init(goheap_init);
module_exit(goheap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goheap: Go's size classes, caches, page heap and GC for the kernel");
