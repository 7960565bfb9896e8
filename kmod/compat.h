/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels goheap supports (Debian's 6.1 and
 * 6.12, 6.12 also as PREEMPT_RT) lives here; no other file tests
 * LINUX_VERSION_CODE.
 *
 *   page orders  MAX_ORDER was exclusive up to 6.3, inclusive from 6.4 and
 *                renamed MAX_PAGE_ORDER in 6.8: GH_MAX_PAGE_ORDER is the
 *                largest order alloc_pages() serves, on every kernel.
 *   shrinkers    register_shrinker(struct shrinker *, fmt, ...) up to 6.6;
 *                shrinker_alloc() / shrinker_register() / shrinker_free()
 *                from 6.7. gh_shrinker_add() / gh_shrinker_del() hide it.
 *   KASAN        kasan_poison() keeps its prototype; 6.1 exports it with
 *                EXPORT_SYMBOL, 6.8+ with EXPORT_SYMBOL_GPL (poison.h),
 *                which a GPL module may use on both.
 *   RT           on PREEMPT_RT, local_lock_t is a spinlock_t: whoever needs
 *                <linux/local_lock.h> includes <linux/spinlock.h> first.
 *                goheap itself no longer uses local locks.
 *   make-it-fail task->make_it_fail (/proc/<pid>/make-it-fail) exists only
 *                with CONFIG_FAULT_INJECTION, which Debian's kernels leave
 *                off: gh_task_make_it_fail() is false there (fault.c).
 */
#ifndef _GOHEAP_COMPAT_H
#define _GOHEAP_COMPAT_H

#include <linux/version.h>
#include <linux/mmzone.h>
#include <linux/sched.h>
#include <linux/shrinker.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define GH_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define GH_MAX_PAGE_ORDER	MAX_ORDER
#else
#define GH_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
struct gh_shrinker {
	struct shrinker *s;
};

static inline int gh_shrinker_add(struct gh_shrinker *gs, const char *name,
	unsigned long (*count)(struct shrinker *, struct shrink_control *),
	unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	gs->s = shrinker_alloc(0, "%s", name);
	if (!gs->s)
		return -ENOMEM;
	gs->s->count_objects = count;
	gs->s->scan_objects = scan;
	shrinker_register(gs->s);
	return 0;
}

static inline void gh_shrinker_del(struct gh_shrinker *gs)
{
	shrinker_free(gs->s);
	gs->s = NULL;
}
#else
struct gh_shrinker {
	struct shrinker s;
};

static inline int gh_shrinker_add(struct gh_shrinker *gs, const char *name,
	unsigned long (*count)(struct shrinker *, struct shrink_control *),
	unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	gs->s.count_objects = count;
	gs->s.scan_objects = scan;
	gs->s.seeks = DEFAULT_SEEKS;
	return register_shrinker(&gs->s, "%s", name);
}

static inline void gh_shrinker_del(struct gh_shrinker *gs)
{
	unregister_shrinker(&gs->s);
}
#endif

/*
 * A tracepoint's string field: 6.10 dropped __assign_str()'s source
 * argument (it is taken from the field's __string() declaration).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define gh_trace_assign_str(dst, src)	__assign_str(dst)
#else
#define gh_trace_assign_str(dst, src)	__assign_str(dst, src)
#endif

/* Whether @t opted in to the kernel's fault injection (make-it-fail). */
static inline bool gh_task_make_it_fail(const struct task_struct *t)
{
#ifdef CONFIG_FAULT_INJECTION
	return t->make_it_fail;
#else
	return false;
#endif
}

#endif /* _GOHEAP_COMPAT_H */
