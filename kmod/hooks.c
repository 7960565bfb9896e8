// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks key (hooks.h): a static key with a reference count, so that
 * each watcher turns it on and off for itself.
 */
#include <linux/jump_label.h>
#include <kunit/visibility.h>

#include "hooks.h"

DEFINE_STATIC_KEY_FALSE(gh_hooks_key);

/**
 * gh_hooks_get() - send the entry points through their hooked copies
 *
 * Context: process context; may sleep.
 */
void gh_hooks_get(void)
{
	static_branch_inc(&gh_hooks_key);
}
EXPORT_SYMBOL_IF_KUNIT(gh_hooks_get);

/**
 * gh_hooks_put() - give back a reference gh_hooks_get() took
 *
 * Context: process context; may sleep.
 */
void gh_hooks_put(void)
{
	static_branch_dec(&gh_hooks_key);
}
EXPORT_SYMBOL_IF_KUNIT(gh_hooks_put);

/**
 * gh_hooks_count() - references the hooks key holds now
 *
 * Return: how many watchers are on (for the KUnit suites).
 */
int gh_hooks_count(void)
{
	return static_key_count(&gh_hooks_key.key);
}
EXPORT_SYMBOL_IF_KUNIT(gh_hooks_count);

/*
 * goheap:alloc and goheap:free each hold a reference while they are on:
 * the tracing core calls these as the first probe comes and the last goes.
 */
int gh_hooks_trace_reg(void)
{
	gh_hooks_get();
	return 0;
}

void gh_hooks_trace_unreg(void)
{
	gh_hooks_put();
}
