/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one gate between the manual heap's fast paths and everything that
 * watches them: the goheap:alloc and goheap:free tracepoints, debug mode
 * (debug.c), kmemleak per object, and fault injection (fault.c). Each
 * entry point tests gh_hooks_on() once, at its top; while nothing watches,
 * that is one patched-out jump, and while something does, the entry point
 * takes its hooked copy, out of line in malloc.c, which asks each watcher
 * in turn.
 *
 * Whoever starts watching takes a reference (gh_hooks_get()) and gives it
 * back when it stops (gh_hooks_put()); the key is on while any is held.
 * Both may sleep (they patch code): process context only.
 */
#ifndef _GOHEAP_HOOKS_H
#define _GOHEAP_HOOKS_H

#include <linux/jump_label.h>

DECLARE_STATIC_KEY_FALSE(gh_hooks_key);

static __always_inline bool gh_hooks_on(void)
{
	return static_branch_unlikely(&gh_hooks_key);
}

void gh_hooks_get(void);
void gh_hooks_put(void);
int gh_hooks_count(void);

/* TRACE_EVENT_FN's register and unregister functions of goheap:alloc/free */
int gh_hooks_trace_reg(void);
void gh_hooks_trace_unreg(void);

#endif /* _GOHEAP_HOOKS_H */
