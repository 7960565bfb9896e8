// SPDX-License-Identifier: GPL-2.0
/*
 * GC domains: creation, destruction, and the registry of live domains.
 *
 * Domains are kept in a registry so that destroying one twice is reported
 * rather than being a use after free: the pointer is looked up, never
 * dereferenced, before anything is done with it. A stale pointer whose
 * address a new domain has taken cannot be told from that domain; the
 * kernel-doc of goheap_gc_destroy() makes that the caller's contract. Names
 * are unique because they name the domain's debugfs directory.
 *
 * Destruction waits for a cycle in flight, then for every open section of
 * the domain to end (section.c), and frees every object: no mutator and no
 * cycle can reach the domain after that (a section begun after destroy()
 * was called is a use after free, as for any freed object).
 *
 * This is the top of the collector (see gc.h for the order of its files),
 * and the only place the collector is set up and torn down at module load
 * and unload: gh_gc_init() and gh_gc_exit().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "gc.h"

static struct dentry *gh_gc_dir;
static DEFINE_MUTEX(gh_gc_registry_lock);
static LIST_HEAD(gh_gc_registry);
static atomic64_t gh_gc_double_destroys = ATOMIC64_INIT(0);

static bool gh_gc_registered(struct goheap_gc_domain *d)
{
	struct goheap_gc_domain *pos;

	lockdep_assert_held(&gh_gc_registry_lock);
	list_for_each_entry(pos, &gh_gc_registry, node)
		if (pos == d)
			return true;
	return false;
}

static bool gh_gc_name_taken(const char *name)
{
	struct goheap_gc_domain *pos;

	lockdep_assert_held(&gh_gc_registry_lock);
	list_for_each_entry(pos, &gh_gc_registry, node)
		if (!strcmp(pos->name, name))
			return true;
	return false;
}

static bool gh_gc_args_ok(const char *name, const struct goheap_gc_opts *opts)
{
	return name && *name && strlen(name) < GH_GC_NAME_LEN &&
	       !strchr(name, '/') && opts->gogc >= GOHEAP_GC_OFF &&
	       !(opts->flags & ~GOHEAP_GC_UNCHECKED) &&
	       opts->mark_workers <= GH_GC_MAX_MARK_WORKERS;
}

static void gh_gc_domain_free(struct goheap_gc_domain *d)
{
	gh_gc_barrier_exit(d);
	xa_destroy(&d->roots);
	kfree(d);
}

/* A domain set up but not yet registered, or an ERR_PTR(). */
static struct goheap_gc_domain *gh_gc_domain_new(const char *name,
						 const struct goheap_gc_opts *opts)
{
	struct goheap_gc_domain *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return ERR_PTR(-ENOMEM);
	strscpy(d->name, name, sizeof(d->name));
	d->opts = *opts;
	xa_init(&d->roots);
	spin_lock_init(&d->lock);
	spin_lock_init(&d->gray_lock);
	mutex_init(&d->roots_lock);
	mutex_init(&d->cycle_lock);
	INIT_LIST_HEAD(&d->types);
	INIT_LIST_HEAD(&d->gray);
	INIT_LIST_HEAD(&d->gray_free);
	INIT_WORK(&d->cycle_work, gh_gc_cycle_work);
	init_waitqueue_head(&d->mark_wait);
	gh_gc_pacer_init(d);
	if (gh_gc_barrier_init(d)) {
		gh_gc_domain_free(d);
		return ERR_PTR(-ENOMEM);
	}
	return d;
}

/**
 * goheap_gc_create() - create a garbage-collected domain
 * @name: for statistics and gctrace; debugfs goheap/gc/<name>/; unique
 * @opts: tuning, or NULL for the defaults (GOGC 100, no memory limit)
 *
 * Context: process context, may sleep.
 * Return: the domain, or an ERR_PTR(): -EINVAL for a bad name or options,
 * -EEXIST for a name in use, or -ENOMEM.
 */
struct goheap_gc_domain *goheap_gc_create(const char *name,
					  const struct goheap_gc_opts *opts)
{
	static const struct goheap_gc_opts defaults;
	struct goheap_gc_domain *d;

	if (!opts)
		opts = &defaults;
	if (!gh_gc_args_ok(name, opts))
		return ERR_PTR(-EINVAL);
	d = gh_gc_domain_new(name, opts);
	if (IS_ERR(d))
		return d;

	mutex_lock(&gh_gc_registry_lock);
	if (gh_gc_name_taken(name)) {
		mutex_unlock(&gh_gc_registry_lock);
		gh_gc_domain_free(d);
		return ERR_PTR(-EEXIST);
	}
	list_add(&d->node, &gh_gc_registry);
	gh_gc_debugfs_add(d, gh_gc_dir);
	mutex_unlock(&gh_gc_registry_lock);
	return d;
}
EXPORT_SYMBOL_GPL(goheap_gc_create);

/* Free every object of @d, which the registry no longer lists. */
static void gh_gc_empty(struct goheap_gc_domain *d)
{
	cancel_work_sync(&d->cycle_work);
	mutex_lock(&d->cycle_lock);	/* a collect() may still run */
	spin_lock_bh(&d->lock);
	gh_gc_caches_stop(d);
	spin_unlock_bh(&d->lock);
	gh_gc_sections_wait(d);
	spin_lock_bh(&d->lock);
	gh_gc_caches_flush(d);
	spin_unlock_bh(&d->lock);
	gh_gc_free_everything(d);
	mutex_unlock(&d->cycle_lock);
}

/**
 * goheap_gc_destroy() - free a domain and everything in it
 * @d: the domain
 *
 * Every object is reclaimed and release callbacks run, reachable or not.
 * After it @d is dead, as a pointer is after kfree(): a second destroy is
 * caught (the pointer is looked up in the registry, never dereferenced)
 * only until a new domain is created at the same address, after which the
 * stale pointer names the new domain. Not passing a destroyed domain
 * again is the caller's part of the contract.
 *
 * Context: process context outside every section of every domain; may
 * sleep.
 * Return: 0, -EDEADLK from inside a section of any domain, or -ENOENT if @d
 * is not a live domain (destroyed already); both reported and counted.
 */
int goheap_gc_destroy(struct goheap_gc_domain *d)
{
	mutex_lock(&gh_gc_registry_lock);
	if (!gh_gc_registered(d)) {
		mutex_unlock(&gh_gc_registry_lock);
		atomic64_inc(&gh_gc_double_destroys);
		gh_report(_RET_IP_, "gc: destroy of a domain that does not exist (destroyed twice?)");
		return -ENOENT;
	}
	if (gh_gc_in_section()) {
		mutex_unlock(&gh_gc_registry_lock);
		gh_gc_report(d, &d->stats.bad_sections, _RET_IP_,
			     "destroy from inside a section");
		return -EDEADLK;
	}
	list_del(&d->node);
	gh_gc_debugfs_remove(d);
	mutex_unlock(&gh_gc_registry_lock);

	gh_gc_empty(d);
	gh_gc_gray_free_all(d);
	gh_gc_types_free(d);
	gh_gc_domain_free(d);
	return 0;
}
EXPORT_SYMBOL_GPL(goheap_gc_destroy);

/**
 * gh_gc_double_destroy_count() - destroys of domains that did not exist
 *
 * Return: the count since load.
 */
u64 gh_gc_double_destroy_count(void)
{
	return atomic64_read(&gh_gc_double_destroys);
}
EXPORT_SYMBOL_IF_KUNIT(gh_gc_double_destroy_count);

/**
 * gh_gc_init() - set the collector up at module load
 * @goheap_dir: goheap's debugfs directory; domains go under gc/ in it
 *
 * Return: 0 or -ENOMEM.
 */
int __init gh_gc_init(struct dentry *goheap_dir)
{
	gh_gc_sections_init();
	gh_gc_wq = alloc_workqueue("goheap_gc", WQ_UNBOUND, 0);
	if (!gh_gc_wq)
		return -ENOMEM;
	gh_gc_mark_wq = alloc_workqueue("goheap_gc_mark", WQ_CPU_INTENSIVE, 0);
	if (!gh_gc_mark_wq) {
		destroy_workqueue(gh_gc_wq);
		return -ENOMEM;
	}
	gh_gc_dir = debugfs_create_dir("gc", goheap_dir);
	return 0;
}

/**
 * gh_gc_exit() - tear the collector down at module unload
 *
 * Domains their users forgot are reported, then destroyed.
 */
void gh_gc_exit(void)
{
	struct goheap_gc_domain *d, *tmp;

	list_for_each_entry_safe(d, tmp, &gh_gc_registry, node) {
		pr_err("unload: gc domain %s was never destroyed\n", d->name);
		goheap_gc_destroy(d);
	}
	debugfs_remove_recursive(gh_gc_dir);
	destroy_workqueue(gh_gc_mark_wq);
	destroy_workqueue(gh_gc_wq);
}
