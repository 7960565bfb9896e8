// SPDX-License-Identifier: GPL-2.0
/*
 * Roots: registered pointer slots outside the domain, kept in an xarray
 * keyed by the slot address.
 *
 * A root added or removed while the collector marks has its value shaded,
 * as a store through the barrier would: the value may be the only path to
 * an object that was reachable when marking began (see the correctness
 * argument in cycle.c). roots_lock orders those shades against the root
 * scan, which runs right after the cycle's start, concurrently with
 * mutators, so a root is shaded at least once either way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "gc.h"

static unsigned long gh_gc_root_key(void **slot)
{
	return (unsigned long)slot / sizeof(void *);
}

/* Shade what a root holds if the collector marks now. */
static void gh_gc_shade_changed_root(struct goheap_gc_domain *d, void **slot)
{
	lockdep_assert_held(&d->roots_lock);
	if (gh_gc_marking(d) && READ_ONCE(*slot))
		gh_gc_shade(d, READ_ONCE(*slot));
}

/**
 * gh_gc_is_root() - is @slot a registered root of @d?
 * @d: domain
 * @slot: any address
 *
 * Return: true if it is.
 */
bool gh_gc_is_root(struct goheap_gc_domain *d, void **slot)
{
	return IS_ALIGNED((unsigned long)slot, sizeof(void *)) &&
	       xa_load(&d->roots, gh_gc_root_key(slot)) == slot;
}

/**
 * goheap_gc_add_root() - make @slot a root of @d
 * @d: the domain
 * @slot: a pointer-aligned slot outside the domain that outlives its
 *	  registration; it must hold NULL or a domain object
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a misaligned slot, -EEXIST if already a root, or
 * -ENOMEM.
 */
int goheap_gc_add_root(struct goheap_gc_domain *d, void **slot)
{
	int ret;

	if (!slot || !IS_ALIGNED((unsigned long)slot, sizeof(void *)))
		return -EINVAL;
	mutex_lock(&d->roots_lock);
	ret = xa_insert(&d->roots, gh_gc_root_key(slot), slot, GFP_KERNEL);
	if (!ret)
		gh_gc_shade_changed_root(d, slot);
	mutex_unlock(&d->roots_lock);
	return ret == -EBUSY ? -EEXIST : ret;
}
EXPORT_SYMBOL_GPL(goheap_gc_add_root);

/**
 * goheap_gc_remove_root() - stop treating @slot as a root of @d
 * @d: the domain
 * @slot: a slot given to goheap_gc_add_root()
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOENT if @slot is not a root of @d.
 */
int goheap_gc_remove_root(struct goheap_gc_domain *d, void **slot)
{
	int ret = 0;

	mutex_lock(&d->roots_lock);
	if (!slot || xa_erase(&d->roots, gh_gc_root_key(slot)) != slot)
		ret = -ENOENT;
	else
		gh_gc_shade_changed_root(d, slot);
	mutex_unlock(&d->roots_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(goheap_gc_remove_root);

/* Roots shaded per hold of roots_lock by the root scan. */
#define GH_GC_ROOT_SLICE	256

/**
 * gh_gc_shade_roots() - the root scan: shade what every root holds
 * @d: domain whose cycle has turned the barrier on and waited for the
 *     sections open before that; mutators run
 *
 * In slices of GH_GC_ROOT_SLICE roots, dropping roots_lock between them,
 * so that adding or removing a root never waits for the whole scan. A
 * root added or removed between two slices shades its value itself.
 */
void gh_gc_shade_roots(struct goheap_gc_domain *d)
{
	unsigned long key = 0;
	unsigned int n;
	void **slot;

	do {
		n = 0;
		mutex_lock(&d->roots_lock);
		xa_for_each_start(&d->roots, key, slot, key) {
			if (READ_ONCE(*slot))
				gh_gc_shade(d, READ_ONCE(*slot));
			if (++n == GH_GC_ROOT_SLICE)
				break;
		}
		mutex_unlock(&d->roots_lock);
		cond_resched();
	} while (n == GH_GC_ROOT_SLICE && ++key);
}
