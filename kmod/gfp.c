// SPDX-License-Identifier: GPL-2.0
/*
 * The gfp flags goheap cannot honour as the page allocator would.
 *
 * goheap's memory comes from arenas of ZONE_NORMAL pages that many objects
 * and many callers share, so a flag that describes the memory of one
 * allocation cannot be kept for one object alone. Each such flag gets one
 * of two answers (Documentation/goheap.rst, "gfp flags"):
 *
 *   refused  __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM: the caller needs
 *            memory from a zone goheap never holds. The allocation fails
 *            (NULL), and the first refusal at each call site says why;
 *            serving it from ZONE_NORMAL would hand out memory that a
 *            device may not reach.
 *   ignored  __GFP_ACCOUNT, __GFP_RECLAIMABLE, __GFP_COMP: served, with
 *            the flag taken off before the page heap sees it. An arena
 *            charged to the memory cgroup of whoever happened to grow it,
 *            or placed in a reclaimable page block, would describe every
 *            other object in it wrongly; a large object is not a compound
 *            page of its own.
 *
 * The refusal is checked once at each allocating entry point (one test of
 * the flags, out of line when it fires); the ignored flags are dropped in
 * heap.c, where gfp reaches the buddy allocator.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/printk.h>
#include <kunit/visibility.h>

#include "internal.h"

/* call sites already warned about; beyond this many, warnings stop */
#define GH_GFP_SITES	64

static unsigned long gh_gfp_sites[GH_GFP_SITES];

/* Whether @caller is warned about for the first time (and so recorded). */
static bool gh_gfp_first_at(unsigned long caller)
{
	unsigned int i;

	for (i = 0; i < GH_GFP_SITES; i++) {
		unsigned long site = READ_ONCE(gh_gfp_sites[i]);

		if (site == caller)
			return false;
		if (!site && !cmpxchg(&gh_gfp_sites[i], 0, caller))
			return true;
		/* lost the slot to another site: it may be ours, look again */
		if (READ_ONCE(gh_gfp_sites[i]) == caller)
			return false;
	}
	return false;
}

/**
 * gh_gfp_refuse() - fail an allocation whose flags goheap cannot serve
 * @gfp: the caller's flags; some of GH_GFP_REFUSED are set
 * @caller: the exported function's return address
 *
 * Counts the refusal and warns once per call site.
 *
 * Return: NULL, for the caller to return.
 */
void *gh_gfp_refuse(gfp_t gfp, unsigned long caller)
{
	gh_count(GH_CNT_BAD_GFP);
	if (gh_gfp_first_at(caller))
		pr_warn("refused gfp %#x (%pGg) from %pS: goheap holds no DMA, DMA32 or HIGHMEM memory\n",
			(__force unsigned int)gfp, &gfp, (void *)caller);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(gh_gfp_refuse);
