// SPDX-License-Identifier: GPL-2.0
/*
 * Mutator sections: goheap_gc_enter() and goheap_gc_exit().
 *
 * A section is the read side of the domain's per-CPU rw-semaphore; the two
 * pauses of a cycle take the write side. Entering costs a per-CPU increment
 * when no pause is waiting, plus one store in an xarray keyed by pid:
 * sections nest, and each task inside a section has an entry there that
 * holds the domain's section id and the task's depth, so that
 *
 *  - a nested enter does not take the read side twice, which could
 *    deadlock behind a waiting writer;
 *  - an exit without an enter is caught;
 *  - collect() or destroy() from inside a section is refused with -EDEADLK
 *    instead of waiting for itself (gh_gc_in_section());
 *  - sections of two different domains do not nest: a task inside a
 *    section of one domain that enters another is refused with -EDEADLK.
 *    Allowed, two tasks nesting two domains in opposite orders deadlock as
 *    soon as both domains collect: each pause waits for the section the
 *    other task holds, and holds off the section that task waits to enter.
 *
 * One entry per task, not one per task and domain, because a task is in
 * sections of one domain at most; an outermost enter inserts it and the
 * last exit erases it, one xarray operation each.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/sched.h>

#include "gc.h"

/* A task's entry: xa_mk_value(id << GH_GC_DEPTH_BITS | depth). */
#define GH_GC_DEPTH_BITS	(BITS_PER_LONG / 2)
#define GH_GC_DEPTH_MAX		((1UL << GH_GC_DEPTH_BITS) - 1)
/* ids fit the rest of an xarray value (LONG_MAX) */
#define GH_GC_ID_MAX		((int)(LONG_MAX >> GH_GC_DEPTH_BITS))

static DEFINE_XARRAY(gh_gc_tasks);		/* pid -> id and depth */
static DEFINE_IDR(gh_gc_section_ids);		/* id -> domain */
static DEFINE_MUTEX(gh_gc_section_ids_lock);	/* idr updates */

/**
 * gh_gc_sections_register() - give @d a section id
 * @d: a domain being created
 *
 * Return: 0 or -ENOMEM / -ENOSPC.
 */
int gh_gc_sections_register(struct goheap_gc_domain *d)
{
	int id;

	mutex_lock(&gh_gc_section_ids_lock);
	id = idr_alloc(&gh_gc_section_ids, d, 1, GH_GC_ID_MAX, GFP_KERNEL);
	mutex_unlock(&gh_gc_section_ids_lock);
	if (id < 0)
		return id;
	d->section_id = id;
	return 0;
}

/**
 * gh_gc_sections_unregister() - give @d's section id back
 * @d: a domain being freed, with no task inside a section of it
 */
void gh_gc_sections_unregister(struct goheap_gc_domain *d)
{
	if (!d->section_id)
		return;
	mutex_lock(&gh_gc_section_ids_lock);
	idr_remove(&gh_gc_section_ids, d->section_id);
	mutex_unlock(&gh_gc_section_ids_lock);
}

static unsigned long gh_gc_task_entry(void)
{
	void *e = xa_load(&gh_gc_tasks, task_pid_nr(current));

	return e ? xa_to_value(e) : 0;
}

static unsigned long gh_gc_entry(struct goheap_gc_domain *d, unsigned long depth)
{
	return (unsigned long)d->section_id << GH_GC_DEPTH_BITS | depth;
}

static int gh_gc_entry_id(unsigned long entry)
{
	return entry >> GH_GC_DEPTH_BITS;
}

static unsigned long gh_gc_entry_depth(unsigned long entry)
{
	return entry & GH_GC_DEPTH_MAX;
}

/**
 * gh_gc_in_section() - is the current task inside a section of @d?
 * @d: domain
 *
 * Return: true if it is: it must not wait for a pause of @d.
 */
bool gh_gc_in_section(struct goheap_gc_domain *d)
{
	unsigned long e = gh_gc_task_entry();

	return e && gh_gc_entry_id(e) == d->section_id;
}

/* The task is inside a section of the domain with section id @id. */
static int gh_gc_refuse_nesting(struct goheap_gc_domain *d, int id,
				unsigned long caller)
{
	struct goheap_gc_domain *other;

	/* ours while our section of it lasts: it cannot be destroyed */
	rcu_read_lock();
	other = idr_find(&gh_gc_section_ids, id);
	gh_gc_report(d, &d->stats.bad_sections, caller,
		     "enter from inside a section of domain %s: sections of two domains do not nest",
		     other ? other->name : "?");
	rcu_read_unlock();
	return -EDEADLK;
}

/**
 * goheap_gc_enter() - begin a section in which domain objects may be used
 * @d: the domain
 *
 * Sections of one domain nest. Between goheap_gc_enter() and
 * goheap_gc_exit() a task may hold pointers to domain objects in local
 * variables; across sections only roots and domain objects may hold them.
 * A task inside a section of one domain cannot enter a section of another.
 * Past 7/8 of the domain's memory limit, a task's first section waits for
 * the cycle the limit started.
 *
 * Context: process context; may sleep while a collection pauses the domain
 * or runs for its memory limit.
 * Return: 0, -ENOMEM, -EDEADLK (reported and counted) inside a section of
 * another domain, or -EOVERFLOW (reported and counted) for sections nested
 * more than 2^32 - 1 deep (2^16 - 1 on 32-bit).
 */
int goheap_gc_enter(struct goheap_gc_domain *d)
{
	pid_t pid = task_pid_nr(current);
	unsigned long e = gh_gc_task_entry(), depth = gh_gc_entry_depth(e);
	int ret;

	if (e && gh_gc_entry_id(e) != d->section_id)
		return gh_gc_refuse_nesting(d, gh_gc_entry_id(e), _RET_IP_);
	if (depth == GH_GC_DEPTH_MAX) {
		gh_gc_report(d, &d->stats.bad_sections, _RET_IP_,
			     "sections nested %lu deep", depth);
		return -EOVERFLOW;
	}
	if (depth) {
		/* the slot exists: a store into it allocates nothing */
		xa_store(&gh_gc_tasks, pid, xa_mk_value(gh_gc_entry(d, depth + 1)),
			 GFP_KERNEL);
		return 0;
	}
	gh_gc_limit_wait(d);
	percpu_down_read(&d->sections);
	ret = xa_insert(&gh_gc_tasks, pid, xa_mk_value(gh_gc_entry(d, 1)), GFP_KERNEL);
	if (ret)
		percpu_up_read(&d->sections);
	return ret;
}
EXPORT_SYMBOL_GPL(goheap_gc_enter);

/**
 * goheap_gc_exit() - end a section begun by goheap_gc_enter()
 * @d: the domain
 *
 * Context: the task that entered.
 * Return: 0, or -EINVAL (reported and counted) if the task is in no section
 * of @d.
 */
int goheap_gc_exit(struct goheap_gc_domain *d)
{
	pid_t pid = task_pid_nr(current);
	unsigned long e = gh_gc_task_entry(), depth = gh_gc_entry_depth(e);

	if (!e || gh_gc_entry_id(e) != d->section_id) {
		gh_gc_report(d, &d->stats.bad_sections, _RET_IP_,
			     "exit without enter");
		return -EINVAL;
	}
	if (depth == 1) {
		xa_erase(&gh_gc_tasks, pid);
		percpu_up_read(&d->sections);
	} else {
		xa_store(&gh_gc_tasks, pid, xa_mk_value(gh_gc_entry(d, depth - 1)),
			 GFP_KERNEL);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(goheap_gc_exit);
