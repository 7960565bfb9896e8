// SPDX-License-Identifier: GPL-2.0
/*
 * GC domains: creation and destruction, roots, and mutator sections.
 *
 * A section is the read side of the domain's per-CPU rw-semaphore, which
 * costs a per-CPU increment when no collection is pausing the world; the
 * two pauses of a cycle take the write side. Sections nest: a task's depth
 * is kept in an xarray keyed by its pid, so a nested enter does not take
 * the read side twice (which could deadlock behind a waiting writer), an
 * exit without an enter is caught, and collect() or destroy() from inside
 * a section is refused with -EDEADLK instead of waiting for itself.
 *
 * Roots are registered slots, kept in an xarray keyed by the slot address.
 * A root added or removed while the collector marks has its value shaded,
 * as a store through the barrier would.
 *
 * Domains are kept in a registry so that destroying one twice is reported
 * rather than being a use after free: the pointer is looked up, never
 * dereferenced, before anything is done with it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "gc.h"

static struct dentry *gh_gc_dir;
static DEFINE_MUTEX(gh_gc_registry_lock);
static LIST_HEAD(gh_gc_registry);
static atomic64_t gh_gc_double_destroys = ATOMIC64_INIT(0);

void gh_gc_report(struct goheap_gc_domain *d, u64 *counter, const char *fmt, ...)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	struct va_format vaf;
	va_list args;

	spin_lock(&d->lock);
	(*counter)++;
	spin_unlock(&d->lock);
	if (!__ratelimit(&rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("gc %s: %pV (from %pS)\n", d->name, &vaf, __builtin_return_address(1));
	va_end(args);
}

/* ---- sections ----------------------------------------------------------- */

int gh_gc_section_depth(struct goheap_gc_domain *d)
{
	return xa_to_value(xa_load(&d->depth, task_pid_nr(current)));
}

/**
 * goheap_gc_enter() - begin a section in which domain objects may be used
 * @d: the domain
 *
 * Sections nest. Between goheap_gc_enter() and goheap_gc_exit() a task may
 * hold pointers to domain objects in local variables; across sections only
 * roots and domain objects may hold them.
 *
 * Context: process context; may sleep while a collection pauses the domain.
 * Return: 0, or -ENOMEM.
 */
int goheap_gc_enter(struct goheap_gc_domain *d)
{
	int depth = gh_gc_section_depth(d);
	int ret;

	if (!depth)
		percpu_down_read(&d->sections);
	ret = xa_err(xa_store(&d->depth, task_pid_nr(current),
			      xa_mk_value(depth + 1), GFP_KERNEL));
	if (ret && !depth)
		percpu_up_read(&d->sections);
	return ret;
}
EXPORT_SYMBOL_GPL(goheap_gc_enter);

/**
 * goheap_gc_exit() - end a section begun by goheap_gc_enter()
 * @d: the domain
 *
 * Context: the task that entered.
 * Return: 0, or -EINVAL (reported and counted) if the task is in no section.
 */
int goheap_gc_exit(struct goheap_gc_domain *d)
{
	int depth = gh_gc_section_depth(d);

	if (!depth) {
		gh_gc_report(d, &d->stats.bad_sections, "exit without enter");
		return -EINVAL;
	}
	if (depth == 1) {
		xa_erase(&d->depth, task_pid_nr(current));
		percpu_up_read(&d->sections);
	} else {
		xa_store(&d->depth, task_pid_nr(current), xa_mk_value(depth - 1),
			 GFP_KERNEL);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(goheap_gc_exit);

/* ---- roots ---------------------------------------------------------------- */

static unsigned long gh_gc_root_key(void **slot)
{
	return (unsigned long)slot / sizeof(void *);
}

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
	if (!ret && (READ_ONCE(d->head.slow_stores) & GH_GC_MARKING) && READ_ONCE(*slot))
		gh_gc_shade(d, READ_ONCE(*slot));
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
	else if ((READ_ONCE(d->head.slow_stores) & GH_GC_MARKING) && READ_ONCE(*slot))
		gh_gc_shade(d, READ_ONCE(*slot));
	mutex_unlock(&d->roots_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(goheap_gc_remove_root);

/* STW-1: shade what every root holds. */
void gh_gc_shade_roots(struct goheap_gc_domain *d)
{
	unsigned long key;
	void **slot;

	mutex_lock(&d->roots_lock);
	xa_for_each(&d->roots, key, slot)
		if (READ_ONCE(*slot))
			gh_gc_shade(d, READ_ONCE(*slot));
	mutex_unlock(&d->roots_lock);
}

/* ---- debugfs ---------------------------------------------------------------- */

static int gc_stats_show(struct seq_file *m, void *v)
{
	struct goheap_gc_domain *d = m->private;
	struct gh_gc_stats *s;
	unsigned int i, n;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	spin_lock(&d->lock);
	*s = d->stats;
	seq_printf(m, "HeapAlloc %llu\nHeapSpans %llu\nHeapLive %llu\nHeapGoal %llu\nTrigger %llu\n",
		   d->heap_alloc, d->span_bytes, d->heap_live, d->heap_goal, d->trigger);
	spin_unlock(&d->lock);
	seq_printf(m, "NumGC %llu\nNumForcedGC %llu\nLastGC %llu\nPauseTotalNs %llu\n",
		   s->num_gc, s->num_forced_gc, s->last_gc_ns, s->pause_total_ns);
	seq_printf(m, "BytesMarked %lld\nObjectsFreed %llu\nAssistNs %llu\n",
		   (long long)atomic64_read(&s->bytes_marked), s->objects_freed,
		   s->assist_ns);
	seq_printf(m, "ForeignPointers %lld\nBadStores %llu\nBadTypes %llu\nBadSections %llu\nLimitFailures %llu\n",
		   (long long)atomic64_read(&s->foreign_ptrs), s->bad_stores,
		   s->bad_types, s->bad_sections, s->limit_failures);
	/* the last pauses, oldest first, in one line */
	n = min_t(u64, 2 * s->num_gc, GH_GC_PAUSES);
	seq_puts(m, "PauseNs");
	for (i = 0; i < n; i++)
		seq_printf(m, " %llu",
			   s->pause_ns[(s->pause_next + GH_GC_PAUSES - n + i) % GH_GC_PAUSES]);
	seq_putc(m, '\n');
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gc_stats);

static ssize_t gc_collect_write(struct file *f, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct goheap_gc_domain *d = file_inode(f)->i_private;
	char buf[4] = {};
	int ret;

	if (!len || len >= sizeof(buf) || copy_from_user(buf, ubuf, len) ||
	    (strcmp(buf, "1") && strcmp(buf, "1\n"))) {
		pr_err("gc %s: collect takes \"1\"\n", d->name);
		return -EINVAL;
	}
	ret = goheap_gc_collect(d);
	return ret ? ret : len;
}

static const struct file_operations gc_collect_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = gc_collect_write,
	.llseek = noop_llseek,
};

/* ---- create / destroy ---------------------------------------------------------- */

static bool gh_gc_registered(struct goheap_gc_domain *d)
{
	struct goheap_gc_domain *pos;

	list_for_each_entry(pos, &gh_gc_registry, node)
		if (pos == d)
			return true;
	return false;
}

/**
 * goheap_gc_create() - create a garbage-collected domain
 * @name: for statistics and gctrace; debugfs goheap/gc/<name>/; unique
 * @opts: tuning, or NULL for the defaults (GOGC 100, no memory limit)
 *
 * Context: process context, may sleep.
 * Return: the domain, or an ERR_PTR(): -EINVAL for a bad name or options,
 * -EEXIST for a name in use, -ENOMEM.
 */
struct goheap_gc_domain *goheap_gc_create(const char *name,
					  const struct goheap_gc_opts *opts)
{
	static const struct goheap_gc_opts defaults;
	struct goheap_gc_domain *d, *pos;
	int ret;

	if (!opts)
		opts = &defaults;
	if (!name || !*name || strlen(name) >= GH_GC_NAME_LEN || strchr(name, '/') ||
	    opts->gogc < GOHEAP_GC_OFF || (opts->flags & ~GOHEAP_GC_UNCHECKED))
		return ERR_PTR(-EINVAL);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	ret = percpu_init_rwsem(&d->sections);
	if (ret) {
		kfree(d);
		return ERR_PTR(ret);
	}
	strscpy(d->name, name, sizeof(d->name));
	d->opts = *opts;
	if (!d->opts.gogc)
		d->opts.gogc = GH_GC_DEFAULT_GOGC;
	if (!d->opts.min_heap)
		d->opts.min_heap = GH_GC_DEFAULT_MIN_HEAP;
	if (!(opts->flags & GOHEAP_GC_UNCHECKED))
		d->head.slow_stores = GH_GC_CHECKED;
	xa_init(&d->depth);
	xa_init(&d->roots);
	spin_lock_init(&d->lock);
	spin_lock_init(&d->gray_lock);
	mutex_init(&d->roots_lock);
	mutex_init(&d->cycle_lock);
	INIT_LIST_HEAD(&d->types);
	INIT_LIST_HEAD(&d->gray);
	INIT_LIST_HEAD(&d->gray_free);
	INIT_WORK(&d->cycle_work, gh_gc_cycle_fn);
	gh_gc_pace(d);

	mutex_lock(&gh_gc_registry_lock);
	list_for_each_entry(pos, &gh_gc_registry, node) {
		if (!strcmp(pos->name, name)) {
			mutex_unlock(&gh_gc_registry_lock);
			percpu_free_rwsem(&d->sections);
			kfree(d);
			return ERR_PTR(-EEXIST);
		}
	}
	list_add(&d->node, &gh_gc_registry);
	d->dir = debugfs_create_dir(d->name, gh_gc_dir);
	debugfs_create_file("stats", 0400, d->dir, d, &gc_stats_fops);
	debugfs_create_file("collect", 0200, d->dir, d, &gc_collect_fops);
	mutex_unlock(&gh_gc_registry_lock);
	return d;
}
EXPORT_SYMBOL_GPL(goheap_gc_create);

/**
 * goheap_gc_destroy() - free a domain and everything in it
 * @d: the domain
 *
 * Every object is reclaimed and release callbacks run, reachable or not.
 *
 * Context: process context outside any section of @d; may sleep.
 * Return: 0, -EDEADLK from inside a section of @d, or -ENOENT if @d is not
 * a live domain (destroyed already); both reported and counted.
 */
int goheap_gc_destroy(struct goheap_gc_domain *d)
{
	mutex_lock(&gh_gc_registry_lock);
	if (!gh_gc_registered(d)) {
		mutex_unlock(&gh_gc_registry_lock);
		atomic64_inc(&gh_gc_double_destroys);
		pr_err("gc: destroy of a domain that does not exist (destroyed twice?) from %pS\n",
		       __builtin_return_address(0));
		return -ENOENT;
	}
	if (gh_gc_section_depth(d)) {
		mutex_unlock(&gh_gc_registry_lock);
		gh_gc_report(d, &d->stats.bad_sections, "destroy from inside a section");
		return -EDEADLK;
	}
	list_del(&d->node);
	debugfs_remove_recursive(d->dir);
	mutex_unlock(&gh_gc_registry_lock);

	cancel_work_sync(&d->cycle_work);
	mutex_lock(&d->cycle_lock);	/* a collect() may still run */
	percpu_down_write(&d->sections);
	gh_gc_free_everything(d);
	percpu_up_write(&d->sections);
	mutex_unlock(&d->cycle_lock);

	gh_gc_gray_free_all(d);
	gh_gc_types_free(d);
	xa_destroy(&d->roots);
	xa_destroy(&d->depth);
	percpu_free_rwsem(&d->sections);
	kfree(d);
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

int gh_gc_domains_init(struct dentry *goheap_dir)
{
	gh_gc_dir = debugfs_create_dir("gc", goheap_dir);
	return 0;
}

void gh_gc_domains_exit(void)
{
	struct goheap_gc_domain *d, *tmp;

	/* domains users forgot: report, then destroy */
	list_for_each_entry_safe(d, tmp, &gh_gc_registry, node) {
		pr_err("unload: gc domain %s was never destroyed\n", d->name);
		goheap_gc_destroy(d);
	}
	debugfs_remove_recursive(gh_gc_dir);
}
