// SPDX-License-Identifier: GPL-2.0
/*
 * The sides and their timed loops: one __always_inline body per loop,
 * instantiated for each side by GHB_SIDE() with the side's allocation and
 * free functions as constant arguments. The instances differ in nothing
 * but the allocator they call, and call it directly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "bench.h"

static __always_inline void ghb_goheap_free(void *ctx, void *p)
{
	goheap_free(p);
}

static __always_inline void *ghb_kmalloc(void *ctx, size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static __always_inline void ghb_kfree(void *ctx, void *p)
{
	kfree(p);
}

static __always_inline void *ghb_cache_alloc(void *ctx, size_t size)
{
	return kmem_cache_alloc(ctx, GFP_KERNEL);
}

static __always_inline void ghb_cache_free(void *ctx, void *p)
{
	kmem_cache_free(ctx, p);
}

/* ---- the loops (one body for every side) ---------------------------------- */

static __always_inline u64 ghb_pair_loop(void *ctx, size_t size, unsigned long n,
					 ghb_alloc_fn alloc, ghb_free_fn free)
{
	unsigned long i;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		void *p = ghb_alloc_hidden(ctx, &size, alloc);

		if (unlikely(!p))
			return GHB_FAILED;
		ghb_touch(p, 0, i);
		free(ctx, p);
	}
	t1 = ktime_get_ns();
	return t1 - t0;
}

static __always_inline u64 ghb_batch_loop(void *ctx, size_t size, unsigned long n,
					  void **arr, u64 *free_ns,
					  ghb_alloc_fn alloc, ghb_free_fn free)
{
	unsigned long i;
	u64 t0, t1, t2;

	t0 = ktime_get_ns();
	i = ghb_fill_loop(ctx, size, n, arr, 0, alloc);
	t1 = ktime_get_ns();
	if (unlikely(i < n)) {
		while (i--)
			free(ctx, arr[i]);
		return GHB_FAILED;
	}
	for (i = 0; i < n; i++)
		free(ctx, arr[i]);
	t2 = ktime_get_ns();
	*free_ns = t2 - t1;
	return t1 - t0;
}

static __always_inline int ghb_churn_fill_loop(struct ghb_churn *c, void *ctx,
					       ghb_alloc_fn alloc)
{
	unsigned int s;

	for (s = 0; s < c->live; s++) {
		c->slot[s] = alloc(ctx, c->fill_size[s]);
		if (!c->slot[s])
			return -ENOMEM;
		ghb_touch(c->slot[s], 0, s);
	}
	return 0;
}

static __always_inline u64 ghb_churn_loop(struct ghb_churn *c, void *ctx,
					  unsigned long from, unsigned long to,
					  ghb_alloc_fn alloc, ghb_free_fn free)
{
	unsigned long i;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = from; i < to; i++) {
		u32 s = c->op_slot[i];
		void *p;

		free(ctx, c->slot[s]);
		p = alloc(ctx, c->op_size[i]);
		c->slot[s] = p;
		if (unlikely(!p))
			return GHB_FAILED;
		ghb_touch(p, 0, i);
	}
	t1 = ktime_get_ns();
	return t1 - t0;
}

static __always_inline void ghb_churn_empty_loop(struct ghb_churn *c, void *ctx,
						 ghb_free_fn free)
{
	unsigned int s;

	for (s = 0; s < c->live; s++) {
		if (c->slot[s])
			free(ctx, c->slot[s]);
		c->slot[s] = NULL;
	}
}

/*
 * The churn sequence with every free and every allocation timed on its own:
 * @lat[2 i] is op i's free, @lat[2 i + 1] its allocation.
 */
static __always_inline int ghb_latency_loop(struct ghb_churn *c, void *ctx,
					    u32 *lat, ghb_alloc_fn alloc,
					    ghb_free_fn free)
{
	unsigned long i;

	for (i = 0; i < c->ops; i++) {
		u32 s = c->op_slot[i];
		u64 t0, t1, t2;
		void *p;

		t0 = ktime_get_ns();
		free(ctx, c->slot[s]);
		t1 = ktime_get_ns();
		p = alloc(ctx, c->op_size[i]);
		t2 = ktime_get_ns();
		c->slot[s] = p;
		if (unlikely(!p))
			return -ENOMEM;
		ghb_touch(p, 0, i);
		lat[2 * i] = min_t(u64, t1 - t0, U32_MAX);
		lat[2 * i + 1] = min_t(u64, t2 - t1, U32_MAX);
	}
	return 0;
}

/* Free the slots @order[0..n) names, in that order. */
static __always_inline void ghb_release_loop(struct ghb_churn *c, void *ctx,
					     const u32 *order, unsigned long n,
					     ghb_free_fn free)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		free(ctx, c->slot[order[i]]);
		c->slot[order[i]] = NULL;
	}
}

static __always_inline void ghb_produce_loop(struct ghb_ring *r, void *ctx,
					     ghb_alloc_fn alloc)
{
	unsigned long i, spins = 0;
	size_t size = r->size;

	for (i = 0; i < r->n; i++) {
		void *p = ghb_alloc_hidden(ctx, &size, alloc);

		if (likely(p))
			ghb_touch(p, 0, i);
		/* acquire: the consumer is done with the slot (its release) */
		while (i - smp_load_acquire(&r->tail) > r->mask)
			ghb_spin(&spins);
		r->slot[i & r->mask] = p;
		/* release: the slot (and the object) before the index */
		smp_store_release(&r->head, i + 1);
		if (unlikely(!p)) {
			r->failed = true;
			return;
		}
	}
}

static __always_inline void ghb_consume_loop(struct ghb_ring *r, void *ctx,
					     ghb_free_fn free)
{
	unsigned long i, spins = 0;

	for (i = 0; i < r->n; i++) {
		void *p;

		/* acquire: pairs with the producer's release of head */
		while (smp_load_acquire(&r->head) == i)
			ghb_spin(&spins);
		p = r->slot[i & r->mask];
		if (unlikely(!p))
			break;
		free(ctx, p);
		/* release: the slot was read before it is handed back */
		smp_store_release(&r->tail, i + 1);
	}
	r->t_end = ktime_get_ns();
}

/* ---- the instances ---------------------------------------------------------- */

/* Instantiate every loop for one side: direct calls, identical bodies. */
#define GHB_SIDE(side, alloc, free)					\
static noinline u64 ghb_pair_##side(void *ctx, size_t size, unsigned long n) \
{									\
	return ghb_pair_loop(ctx, size, n, alloc, free);		\
}									\
static noinline u64 ghb_batch_##side(void *ctx, size_t size, unsigned long n, \
				     void **arr, u64 *free_ns)		\
{									\
	return ghb_batch_loop(ctx, size, n, arr, free_ns, alloc, free);	\
}									\
static noinline int ghb_fill_##side(struct ghb_churn *c, void *ctx)	\
{									\
	return ghb_churn_fill_loop(c, ctx, alloc);			\
}									\
static noinline u64 ghb_churn_##side(struct ghb_churn *c, void *ctx,	\
				     unsigned long from, unsigned long to) \
{									\
	return ghb_churn_loop(c, ctx, from, to, alloc, free);		\
}									\
static noinline void ghb_empty_##side(struct ghb_churn *c, void *ctx)	\
{									\
	ghb_churn_empty_loop(c, ctx, free);				\
}									\
static noinline int ghb_latency_##side(struct ghb_churn *c, void *ctx,	\
				      u32 *lat)				\
{									\
	return ghb_latency_loop(c, ctx, lat, alloc, free);		\
}									\
static noinline void ghb_release_##side(struct ghb_churn *c, void *ctx, \
				       const u32 *order, unsigned long n) \
{									\
	ghb_release_loop(c, ctx, order, n, free);			\
}									\
static noinline void ghb_produce_##side(struct ghb_ring *r, void *ctx)	\
{									\
	ghb_produce_loop(r, ctx, alloc);				\
}									\
static noinline void ghb_consume_##side(struct ghb_ring *r, void *ctx)	\
{									\
	ghb_consume_loop(r, ctx, free);					\
}									\
const struct ghb_side ghb_side_##side = {				\
	.name = #side,							\
	.pair = ghb_pair_##side,					\
	.batch = ghb_batch_##side,					\
	.fill = ghb_fill_##side,					\
	.churn = ghb_churn_##side,					\
	.empty = ghb_empty_##side,					\
	.release = ghb_release_##side,					\
	.latency = ghb_latency_##side,					\
	.produce = ghb_produce_##side,					\
	.consume = ghb_consume_##side,					\
}

GHB_SIDE(goheap, ghb_goheap_alloc, ghb_goheap_free);
GHB_SIDE(kmalloc, ghb_kmalloc, ghb_kfree);
GHB_SIDE(kmem_cache, ghb_cache_alloc, ghb_cache_free);

const struct ghb_side *const ghb_sides[2] = {
	&ghb_side_goheap, &ghb_side_kmalloc
};
