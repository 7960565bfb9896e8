/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KASAN poisoning of free goheap objects.
 *
 * With generic KASAN, every free object (and every slot of a new span) is
 * marked inaccessible in the shadow, so a use after free of goheap memory
 * is reported by KASAN just as one of kmalloc memory is. kasan_poison() is
 * the one shadow primitive 6.1 exports; poisoning with value 0 makes memory
 * accessible again. All goheap object sizes are multiples of the 8-byte
 * KASAN granule. Without generic KASAN these are no-ops.
 */
#ifndef _GOHEAP_POISON_H
#define _GOHEAP_POISON_H

#include <linux/types.h>

#ifdef CONFIG_KASAN_GENERIC
/* mm/kasan/shadow.c; declared in mm/kasan/kasan.h, which is not public */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);

#define GH_KASAN_FREE	0xFB	/* KASAN_SLAB_FREE: "use-after-free" */

static inline void gh_poison(const void *p, size_t size)
{
	kasan_poison(p, size, GH_KASAN_FREE, false);
}

static inline void gh_unpoison(const void *p, size_t size)
{
	kasan_poison(p, size, 0, false);
}
#else
static inline void gh_poison(const void *p, size_t size) { }
static inline void gh_unpoison(const void *p, size_t size) { }
#endif

#endif /* _GOHEAP_POISON_H */
