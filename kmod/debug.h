/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug mode (debug.c): red zones, poisoning, alloc/free stack traces and
 * kmemleak per object for the manual heap, chosen at load time with the
 * `debug` module parameter. The entry points reach it through their hooked
 * copies (hooks.h); malloc.c calls it, and it calls only the layers below
 * (the page map, the central lists' walk) and the leaves.
 *
 * Lock order: debug.c takes a central lock, then (inside it) nothing of
 * its own; its validation walk takes the heap lock alone.
 */
#ifndef _GOHEAP_DEBUG_H
#define _GOHEAP_DEBUG_H

#include <linux/bits.h>
#include <linux/stackdepot.h>
#include <linux/types.h>

struct dentry;
struct gh_span;

#define GH_DEBUG_REDZONE	BIT(0)	/* 'Z' */
#define GH_DEBUG_POISON		BIT(1)	/* 'P' */
#define GH_DEBUG_TRACK		BIT(2)	/* 'U' */
#define GH_DEBUG_LEAK		BIT(3)	/* 'K' */
#define GH_DEBUG_ALL		(GH_DEBUG_REDZONE | GH_DEBUG_POISON | \
				 GH_DEBUG_TRACK | GH_DEBUG_LEAK)

/* set before the heap serves its first object, never changed after */
extern unsigned int gh_debug_flags;

/* Whether the manual heap's objects carry debug mode's trailer. */
static inline bool gh_debug_on(void)
{
	return gh_debug_flags;
}

/*
 * The trailer at the end of every slot (or page run) in debug mode: what
 * was asked for and by whom. The red zone runs from the end of the
 * requested bytes to the trailer.
 */
struct gh_debug_track {
	u32 state;			/* enum gh_debug_state */
	u32 stamp;			/* this slot of this span: see debug.c */
	u32 size;			/* bytes asked for */
	depot_stack_handle_t alloc_stack;
	depot_stack_handle_t free_stack;
	s32 alloc_pid;
	s32 free_pid;
	u32 unused;
};

/* what a debug free decided */
enum gh_debug_verdict {
	GH_DEBUG_FREE_IT,	/* checked and poisoned: free it */
	GH_DEBUG_KEEP,		/* quarantined or refused: leave it */
	GH_DEBUG_NOT_LIVE,	/* not a live debug object: the free reports it */
};

int gh_debug_parse(const char *s, unsigned int *flags);
size_t gh_debug_slot_request(size_t size);
bool gh_debug_alloc_ready(void *p, size_t size, gfp_t gfp);
enum gh_debug_verdict gh_debug_free(const void *p, unsigned long caller);
size_t gh_debug_requested(const void *p, size_t slot);
int gh_debug_init(struct dentry *root);
void gh_debug_exit(void);
void gh_debug_forget_span(struct gh_span *span);

#endif /* _GOHEAP_DEBUG_H */
