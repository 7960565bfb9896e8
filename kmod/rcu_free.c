// SPDX-License-Identifier: GPL-2.0
/*
 * Frees after an RCU grace period: goheap_free_rcu(), headless, as the
 * kernel's single-argument kvfree_rcu() is, so that an object needs no
 * rcu_head of its own.
 *
 * The pointers wait in blocks, one per CPU being filled at a time; a
 * block is itself a goheap object of GH_RCU_BLOCK_BYTES. A block goes to
 * call_rcu() when it is full, or GH_RCU_DELAY after its first pointer
 * (one delayed work item for all CPUs), and its callback frees every
 * pointer in it and then the block. So a grace period is shared by up to
 * GH_RCU_PTRS frees, and the common case neither sleeps nor waits.
 *
 * When no block can be had, the caller waits a grace period itself
 * (synchronize_rcu()) and frees the object at once: that is why
 * goheap_free_rcu() may sleep, as kvfree_rcu()'s headless form may.
 *
 * goheap_rcu_barrier() sends every partly filled block on its way and
 * waits for all callbacks; goheap's own unload calls it first, and a client
 * module calls it before it unloads.
 *
 * This file is an entry point beside malloc.c and calls only malloc.c's
 * internal entry points. Lock order: a CPU's block lock is a leaf: no
 * goheap lock is taken under it (blocks are allocated, freed and sent to
 * call_rcu() outside it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <goheap.h>

#include "internal.h"
#include "trace.h"

#define GH_RCU_BLOCK_BYTES	512
/* the kernel's own kvfree_rcu() batches for up to HZ / 50 */
#define GH_RCU_DELAY		(HZ / 50)

struct gh_rcu_block {
	struct rcu_head rcu;
	unsigned int n;
	const void *ptrs[];
};

#define GH_RCU_PTRS	((GH_RCU_BLOCK_BYTES - sizeof(struct gh_rcu_block)) / \
			 sizeof(void *))
static_assert(GH_RCU_PTRS >= 32);

struct gh_rcu_cpu {
	spinlock_t lock;
	struct gh_rcu_block *block;	/* being filled, or NULL */
};

static DEFINE_PER_CPU(struct gh_rcu_cpu, gh_rcu_cpus);

static void gh_rcu_flush_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(gh_rcu_flush_work, gh_rcu_flush_fn);

static void gh_rcu_free_block(struct rcu_head *head)
{
	struct gh_rcu_block *b = container_of(head, struct gh_rcu_block, rcu);

	gh_free_bulk_from(b->n, (void **)b->ptrs, 0);
	gh_free_from(b, 0);
}

/* Send every CPU's block being filled after a grace period. */
static void gh_rcu_flush_all(void)
{
	struct gh_rcu_block *b;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct gh_rcu_cpu *rc = per_cpu_ptr(&gh_rcu_cpus, cpu);

		spin_lock(&rc->lock);
		b = rc->block;
		rc->block = NULL;
		spin_unlock(&rc->lock);
		if (b)
			call_rcu(&b->rcu, gh_rcu_free_block);
	}
}

static void gh_rcu_flush_fn(struct work_struct *work)
{
	gh_rcu_flush_all();
}

/*
 * Put @p in this CPU's block, installing @fresh if there is none.
 * Return: true if @p is queued; a block that filled up is sent on in @full.
 */
static bool gh_rcu_add(const void *p, struct gh_rcu_block **fresh,
		       struct gh_rcu_block **full)
{
	struct gh_rcu_cpu *rc = raw_cpu_ptr(&gh_rcu_cpus);
	struct gh_rcu_block *b;
	bool queued = false;

	spin_lock(&rc->lock);
	if (!rc->block && *fresh) {
		rc->block = *fresh;
		*fresh = NULL;
	}
	b = rc->block;
	if (b) {
		b->ptrs[b->n++] = p;
		queued = true;
		if (b->n == GH_RCU_PTRS) {
			*full = b;
			rc->block = NULL;
		} else if (b->n == 1) {
			schedule_delayed_work(&gh_rcu_flush_work, GH_RCU_DELAY);
		}
	}
	spin_unlock(&rc->lock);
	return queued;
}

/* Queue @p for a free after a grace period. Return: false if no block. */
static bool gh_rcu_queue(const void *p)
{
	struct gh_rcu_block *fresh = NULL, *full = NULL;
	bool queued = gh_rcu_add(p, &fresh, &full);

	if (!queued) {
		fresh = goheap_alloc(GH_RCU_BLOCK_BYTES, GFP_KERNEL | __GFP_NOWARN);
		if (!fresh)
			return false;
		fresh->n = 0;
		/* maybe on another CPU now, or another task installed one */
		queued = gh_rcu_add(p, &fresh, &full);
	}
	goheap_free(fresh);
	if (full)
		call_rcu(&full->rcu, gh_rcu_free_block);
	return queued;
}

/**
 * goheap_free_rcu() - free an object after an RCU grace period
 * @p: an object from goheap_alloc() or a typed cache; NULL and
 *     %GOHEAP_ZERO_PTR are ignored
 *
 * Readers that found @p under rcu_read_lock() may keep using it until they
 * leave their read section. No rcu_head is needed in the object: pointers
 * are batched per CPU, as kvfree_rcu() batches them. A pointer that is not
 * a live goheap object is reported, counted as an invalid free and ignored.
 *
 * Context: process context; may sleep (it waits for a grace period itself
 * only when memory for a batch is short).
 */
void goheap_free_rcu(const void *p)
{
	might_sleep();
	trace_free(_RET_IP_, p);
	if (ZERO_OR_NULL_PTR(p))
		return;
	if (!gh_live_size(p)) {
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "RCU free of a pointer that is not a live goheap object",
				   _RET_IP_);
		return;
	}
	if (!gh_rcu_queue(p)) {
		synchronize_rcu();
		gh_free_from(p, _RET_IP_);
	}
}
EXPORT_SYMBOL_GPL(goheap_free_rcu);

/**
 * goheap_rcu_barrier() - wait until every goheap_free_rcu() issued before
 *	the call has freed its object
 *
 * For module unload, as rcu_barrier() is for call_rcu().
 *
 * Context: process context; sleeps.
 */
void goheap_rcu_barrier(void)
{
	might_sleep();
	gh_rcu_flush_all();
	rcu_barrier();
}
EXPORT_SYMBOL_GPL(goheap_rcu_barrier);

void gh_rcu_free_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(&gh_rcu_cpus, cpu)->lock);
}

/* At unload: every pending RCU free is done before the heap goes. */
void gh_rcu_free_exit(void)
{
	cancel_delayed_work_sync(&gh_rcu_flush_work);
	goheap_rcu_barrier();
}
