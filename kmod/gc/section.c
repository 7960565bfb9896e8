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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>

#include "gc.h"

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
		gh_gc_report(d, &d->stats.bad_sections, _RET_IP_,
			     "exit without enter");
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
