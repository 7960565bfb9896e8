// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_kunit.ko: goheap's KUnit suites.
 *
 * The suites live in their own module because KUnit runs a module's suites
 * when it loads, before its init function: goheap.ko must be up already.
 * Internals come in through EXPORT_SYMBOL_IF_KUNIT.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "tests.h"

/*
 * The fail_page_alloc knobs are debugfs files that cannot be written from
 * the kernel, so the VM's init arms them before this module loads:
 * probability 100, task-filter Y, ignore-gfp-wait N, min-order 0. With
 * task-filter only tasks that set make_it_fail see failures. Cases that
 * need it skip when it is not armed.
 */
int gh_test_fail_pages(bool on)
{
	struct page *probe;

	current->make_it_fail = on;
	if (!on)
		return 0;
	probe = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (probe) {
		__free_page(probe);
		current->make_it_fail = 0;
		return -ENODEV;
	}
	return 0;
}

void gh_test_expect_heap_identities(struct kunit *test)
{
	struct gh_heap_stats hs;

	gh_heap_read_stats(&hs);
	KUNIT_EXPECT_EQ(test, hs.sys_bytes, hs.inuse_bytes + hs.idle_bytes);
	KUNIT_EXPECT_TRUE(test, hs.arenas || (!hs.sys_bytes && !hs.spans));
	KUNIT_EXPECT_TRUE(test, gh_heap_accounting_ok());
}

struct gh_span *gh_test_span_of(const void *p)
{
	struct gh_span *span;

	rcu_read_lock();
	span = gh_span_of(p);
	rcu_read_unlock();
	return span;
}

void gh_test_settle(void)
{
	goheap_drain();
	rcu_barrier();
}

kunit_test_suites(&gh_sizeclass_suite, &gh_heap_suite, &gh_alloc_suite,
		  &gh_badinput_suite, &gh_stress_suite, &gh_gc_suite, &gh_slab_api_suite,
		  &gh_debug_suite, &gh_fault_suite, &gh_profile_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for goheap");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
