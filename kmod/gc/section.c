// SPDX-License-Identifier: GPL-2.0
/*
 * Mutator sections: goheap_gc_enter() and goheap_gc_exit().
 *
 * A section is the read side of the domain's per-CPU rw-semaphore; the two
 * pauses of a cycle take the write side. Entering costs a per-CPU increment
 * when no pause is waiting, plus an xarray load and store: sections nest,
 * and a task's depth is kept in an xarray keyed by its pid, so that
 *
 *  - a nested enter does not take the read side twice, which could
 *    deadlock behind a waiting writer;
 *  - an exit without an enter is caught;
 *  - collect() or destroy() from inside a section is refused with -EDEADLK
 *    instead of waiting for itself (gh_gc_in_section()).
 *
 * Sections of two different domains do not nest: a task inside a section
 * of one domain that enters another is refused with -EDEADLK. Allowed, two
 * tasks nesting two domains in opposite orders deadlock as soon as both
 * domains collect: each pause waits for the section the other task holds,
 * and holds off the section that task waits to enter. gh_gc_task_domain
 * maps each task inside a section to the domain of that section.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>

#include "gc.h"

static DEFINE_XARRAY(gh_gc_task_domain);

static int gh_gc_section_depth(struct goheap_gc_domain *d)
{
	return xa_to_value(xa_load(&d->depth, task_pid_nr(current)));
}

/**
 * gh_gc_in_section() - is the current task inside a section of @d?
 * @d: domain
 *
 * Return: true if it is: it must not wait for a pause of @d.
 */
bool gh_gc_in_section(struct goheap_gc_domain *d)
{
	return gh_gc_section_depth(d) != 0;
}

/*
 * Record that the current task enters its first section, one of @d;
 * -EDEADLK (reported) if it is inside a section of another domain.
 */
static int gh_gc_task_claim(struct goheap_gc_domain *d, pid_t pid,
			    unsigned long caller)
{
	struct goheap_gc_domain *other;
	int ret;

	ret = xa_insert(&gh_gc_task_domain, pid, d, GFP_KERNEL);
	if (ret != -EBUSY)
		return ret;
	/* ours while our section of it lasts: it cannot be destroyed */
	other = xa_load(&gh_gc_task_domain, pid);
	gh_gc_report(d, &d->stats.bad_sections, caller,
		     "enter from inside a section of domain %s: sections of two domains do not nest",
		     other->name);
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
 * Return: 0, -ENOMEM, or -EDEADLK (reported and counted) inside a section
 * of another domain.
 */
int goheap_gc_enter(struct goheap_gc_domain *d)
{
	pid_t pid = task_pid_nr(current);
	int depth = gh_gc_section_depth(d);
	int ret;

	if (!depth) {
		ret = gh_gc_task_claim(d, pid, _RET_IP_);
		if (ret)
			return ret;
		gh_gc_limit_wait(d);
		percpu_down_read(&d->sections);
	}
	ret = xa_err(xa_store(&d->depth, pid, xa_mk_value(depth + 1),
			      GFP_KERNEL));
	if (ret && !depth) {
		percpu_up_read(&d->sections);
		xa_erase(&gh_gc_task_domain, pid);
	}
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
		gh_gc_report(d, &d->stats.bad_sections, _RET_IP_,
			     "exit without enter");
		return -EINVAL;
	}
	if (depth == 1) {
		xa_erase(&d->depth, task_pid_nr(current));
		percpu_up_read(&d->sections);
		xa_erase(&gh_gc_task_domain, task_pid_nr(current));
	} else {
		xa_store(&d->depth, task_pid_nr(current), xa_mk_value(depth - 1),
			 GFP_KERNEL);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(goheap_gc_exit);
