/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers of goheap's KUnit suites (goheap_kunit.ko). */
#ifndef _GOHEAP_KUNIT_TESTS_H
#define _GOHEAP_KUNIT_TESTS_H

#include <kunit/test.h>
#include <goheap.h>

#include "../internal.h"

extern struct kunit_suite gh_sizeclass_suite;
extern struct kunit_suite gh_heap_suite;
extern struct kunit_suite gh_alloc_suite;
extern struct kunit_suite gh_badinput_suite;
extern struct kunit_suite gh_stress_suite;
extern struct kunit_suite gh_gc_suite;
extern struct kunit_suite gh_slab_api_suite;
extern struct kunit_suite gh_debug_suite;
extern struct kunit_suite gh_fault_suite;
extern struct kunit_suite gh_profile_suite;

/*
 * Make the buddy allocator fail every request of the calling task, through
 * fail_page_alloc armed with task-filter by the VM's init. Returns -ENODEV
 * if injection is not armed.
 */
int gh_test_fail_pages(bool on);

static inline void gh_test_fill(void *p, size_t size, u8 seed)
{
	memset(p, seed, size);
}

static inline bool gh_test_check(const void *p, size_t size, u8 seed)
{
	return !memchr_inv(p, seed, size);
}

/*
 * Both heap identities hold: HeapSys = HeapInuse + HeapIdle >= released,
 * and the page heap's accounting matches its arenas and page map.
 */
void gh_test_expect_heap_identities(struct kunit *test);

/* The span of live object @p (looked up in an RCU reader of its own). */
struct gh_span *gh_test_span_of(const void *p);

/* Free every idle byte and wait out RCU, so page heap figures settle. */
void gh_test_settle(void);

#endif
