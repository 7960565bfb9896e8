// SPDX-License-Identifier: GPL-2.0
/*
 * Mutator sections: goheap_gc_enter() and goheap_gc_exit(), and the
 * collector's handshake with them, gh_gc_sections_wait().
 *
 * A section is a claimed slot: goheap_gc_enter() takes a free slot of its
 * CPU's array (struct gh_gc_slots) with one this_cpu_cmpxchg(), which is
 * interrupt-safe and has no lock prefix, writes the domain into it and
 * returns the slot's number as the section's token; goheap_gc_exit() gives
 * the slot back. No lock, no atomic instruction, no allocation, no wait:
 * a section never blocks on the collector, whatever the collector does.
 * Sections nest (each enter has its own slot and token), in one domain or
 * across domains. A CPU with every slot taken (more than GH_GC_CPU_SLOTS
 * sections open on it at once, mostly sleeping ones) claims one of the
 * shared overflow slots under a spinlock.
 *
 * The collector never stops sections. Where the old design took the write
 * side of a rw-semaphore, it now waits for the sections that were open at
 * a point in time to close, while new ones open freely (a ragged
 * safepoint): gh_gc_sections_wait(). It flips what it must first (the
 * barrier's mode word), then calls synchronize_rcu(): a claim, done with
 * preemption off, is an RCU-sched reader, so every claim that began before
 * the grace period is visible once it ends, and every claim that began
 * after sees the flip in whatever its section does next. Then it records
 * the generation of every slot claimed for its domain and waits until each
 * is free or has a new generation (every claim bumps it): either way that
 * section is over. Exit frees the slot with a release store, so a
 * section's last stores are visible before its slot reads as free.
 *
 * A slot also says which task opened it, which lets collect() and destroy()
 * refuse, with -EDEADLK, to wait from inside a section (gh_gc_in_section()),
 * and lets exit() refuse a token that is not the caller's open section of
 * that domain. In hard interrupt context the slot
 * names the interrupted task, which is harmless: the interrupt closes it
 * before that task runs again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "gc.h"

/* Slots per CPU, and shared ones for CPUs that run out. */
#define GH_GC_CPU_SLOTS		16
#define GH_GC_OVERFLOW_SLOTS	1024

struct gh_gc_slot {
	struct task_struct *task;	/* NULL: free */
	struct goheap_gc_domain *domain;
	unsigned long gen;		/* bumped by every claim */
	unsigned long unused;		/* a power-of-two size: cheap indexing */
};
static_assert((sizeof(struct gh_gc_slot) & (sizeof(struct gh_gc_slot) - 1)) == 0);

struct gh_gc_slots {
	struct gh_gc_slot s[GH_GC_CPU_SLOTS];
};

static DEFINE_PER_CPU_ALIGNED(struct gh_gc_slots, gh_gc_cpu_slots);
static struct gh_gc_slot gh_gc_overflow[GH_GC_OVERFLOW_SLOTS];
static unsigned int gh_gc_overflow_used;	/* slots below it were claimed once */
static DEFINE_RAW_SPINLOCK(gh_gc_overflow_lock);	/* claims of overflow slots */

/*
 * Tokens: CPU * GH_GC_CPU_SLOTS + slot, then the overflow slots from
 * gh_gc_cpu_tokens on. Kept in a variable rather than computed from
 * nr_cpu_ids, so that exit() bounds a token with one compare.
 */
static unsigned int gh_gc_cpu_tokens __ro_after_init;

/**
 * gh_gc_sections_init() - size the per-CPU tokens, at module load
 */
void __init gh_gc_sections_init(void)
{
	gh_gc_cpu_tokens = nr_cpu_ids * GH_GC_CPU_SLOTS;
}

static int gh_gc_enter_overflow(struct goheap_gc_domain *d, unsigned long caller)
{
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&gh_gc_overflow_lock, flags);
	for (i = 0; i < GH_GC_OVERFLOW_SLOTS; i++) {
		if (!READ_ONCE(gh_gc_overflow[i].task)) {
			WRITE_ONCE(gh_gc_overflow[i].task, current);
			if (i >= gh_gc_overflow_used)
				WRITE_ONCE(gh_gc_overflow_used, i + 1);
			WRITE_ONCE(gh_gc_overflow[i].domain, d);
			WRITE_ONCE(gh_gc_overflow[i].gen, gh_gc_overflow[i].gen + 1);
			raw_spin_unlock_irqrestore(&gh_gc_overflow_lock, flags);
			return gh_gc_cpu_tokens + i;
		}
	}
	raw_spin_unlock_irqrestore(&gh_gc_overflow_lock, flags);
	/* the count takes the domain lock, which interrupts may not */
	if (in_task())
		gh_gc_report(d, &d->stats.bad_sections, caller,
			     "%u sections open at once: no slot left",
			     gh_gc_cpu_tokens + GH_GC_OVERFLOW_SLOTS);
	return -EBUSY;
}

/* Whether @slot holds an open section of @d. */
static bool gh_gc_slot_holds(const struct gh_gc_slot *slot,
			     const struct goheap_gc_domain *d)
{
	/* pairs with exit's release: a free slot's section is over */
	return smp_load_acquire(&slot->task) && READ_ONCE(slot->domain) == d;
}

/* Call @fn on every slot, per-CPU and overflow, until it returns true. */
static bool gh_gc_slots_any(bool (*fn)(struct gh_gc_slot *slot, void *arg),
			    void *arg)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < GH_GC_CPU_SLOTS; i++)
			if (fn(&per_cpu_ptr(&gh_gc_cpu_slots, cpu)->s[i], arg))
				return true;
	for (i = 0; i < READ_ONCE(gh_gc_overflow_used); i++)
		if (fn(&gh_gc_overflow[i], arg))
			return true;
	return false;
}

static bool gh_gc_slot_is_mine(struct gh_gc_slot *slot, void *unused)
{
	/* only this task fills or frees its own slots: a plain read will do */
	return READ_ONCE(slot->task) == current;
}

/**
 * gh_gc_in_section() - is the current task inside a section of any domain?
 *
 * Looks at every slot: for collect(), destroy() and the memory-limit wait,
 * not for a fast path. A task inside a section must not wait for a cycle
 * or for sections to end: of its own domain, the wait is for itself; of
 * another, that domain's sections may be held by a task waiting for this
 * one's.
 *
 * Return: true if it is.
 */
bool gh_gc_in_section(void)
{
	return gh_gc_slots_any(gh_gc_slot_is_mine, NULL);
}

/*
 * Wait until the section in @slot, open for @d when it read @gen, is over:
 * the slot is free, or claimed again (a new generation). Sleeps a little
 * between looks, as a section may sleep itself.
 */
static void gh_gc_slot_wait(struct gh_gc_slot *slot, unsigned long gen)
{
	unsigned int spins = 0;

	/* acquire: a free slot's section has made its stores visible */
	while (smp_load_acquire(&slot->task) && READ_ONCE(slot->gen) == gen) {
		if (++spins < 64)
			cond_resched();
		else
			usleep_range(50, 200);
	}
}

static bool gh_gc_slot_wait_if_open(struct gh_gc_slot *slot, void *d)
{
	unsigned long gen = READ_ONCE(slot->gen);

	/* gen before the check: a slot re-claimed meanwhile is a new section */
	smp_rmb();
	if (gh_gc_slot_holds(slot, d))
		gh_gc_slot_wait(slot, gen);
	return false;
}

/**
 * gh_gc_sections_wait() - wait for every section of @d open now to end
 * @d: domain; the caller has already flipped what sections must see
 *
 * New sections start meanwhile, and are not waited for: they see the flip.
 *
 * Context: process context, outside every section of @d; sleeps.
 */
void gh_gc_sections_wait(struct goheap_gc_domain *d)
{
	synchronize_rcu();
	gh_gc_slots_any(gh_gc_slot_wait_if_open, d);
}

/*
 * Claim a slot of this CPU for a section of @d (the overflow slots when
 * every one is taken); the section's token. Every call a fast path may
 * make is a tail call, so that goheap_gc_enter() saves no register. The
 * compare-and-exchange is tried on a slot without reading it first: it
 * is one instruction without a lock prefix, and the first slot is free
 * unless sections nest.
 */
static __always_inline int gh_gc_claim(struct goheap_gc_domain *d,
				       unsigned long caller)
{
	unsigned int i, cpu;

	preempt_disable();
	for (i = 0; i < GH_GC_CPU_SLOTS; i++) {
		if (!this_cpu_cmpxchg(gh_gc_cpu_slots.s[i].task, NULL, current))
			break;
	}
	if (unlikely(i == GH_GC_CPU_SLOTS)) {
		preempt_enable();
		return gh_gc_enter_overflow(d, caller);
	}
	/* one RCU-sched reader with the claim; only this CPU claims here */
	this_cpu_write(gh_gc_cpu_slots.s[i].domain, d);
	this_cpu_inc(gh_gc_cpu_slots.s[i].gen);
	cpu = smp_processor_id();
	preempt_enable();
	return cpu * GH_GC_CPU_SLOTS + i;
}

/* goheap_gc_enter() with a memory-limit cycle queued for @d. */
static noinline int gh_gc_enter_near_limit(struct goheap_gc_domain *d,
					   unsigned long caller)
{
	if (in_task() && !gh_gc_in_section())
		gh_gc_limit_wait(d);
	return gh_gc_claim(d, caller);
}

/**
 * goheap_gc_enter() - begin a section in which domain objects may be used
 * @d: the domain
 *
 * Between goheap_gc_enter() and goheap_gc_exit() a task may hold pointers
 * to domain objects in local variables; across sections only roots and
 * domain objects may hold them. Sections nest, within a domain and across
 * domains; each has its own token. A section never waits for the
 * collector. The one wait: past 7/8 of the domain's memory limit, with a
 * cycle queued for it, a task that is in no section of any domain lets
 * that cycle finish first (in process context only).
 *
 * Context: any context but NMI; it never sleeps, allocates or fails for
 * memory, except for the memory-limit wait above. Inside a section, stores
 * (goheap_gc_store()) and allocation (goheap_gc_alloc()) need process or
 * softirq context; loads (goheap_gc_load()) work anywhere.
 * Return: the section's token (>= 0), to pass to goheap_gc_exit(); or
 * -EBUSY if every section slot is taken (reported and counted, in task
 * context).
 */
int goheap_gc_enter(struct goheap_gc_domain *d)
{
	if (unlikely(READ_ONCE(d->cycle_queued)) && d->opts.mem_limit)
		return gh_gc_enter_near_limit(d, _RET_IP_);
	return gh_gc_claim(d, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_gc_enter);

/* Whether @slot holds the caller's open section of @d; if so, end it. */
static __always_inline bool gh_gc_slot_close(struct gh_gc_slot *slot,
					     struct goheap_gc_domain *d)
{
	if (unlikely(READ_ONCE(slot->task) != current ||
		     READ_ONCE(slot->domain) != d))
		return false;
	/* the section's stores before the slot reads as free */
	smp_store_release(&slot->task, NULL);
	return true;
}

/* A token that names no open section of @d begun by the caller. */
static noinline int gh_gc_exit_bad(struct goheap_gc_domain *d, int token,
				   unsigned long caller)
{
	/* the count takes the domain lock, which interrupts may not */
	if (in_task())
		gh_gc_report(d, &d->stats.bad_sections, caller,
			     "exit without enter (token %d is no open section of this domain begun by this task)",
			     token);
	return -EINVAL;
}

/**
 * goheap_gc_exit() - end a section begun by goheap_gc_enter()
 * @d: the domain
 * @token: what goheap_gc_enter() returned for the section
 *
 * Context: the task (or interrupt) that entered, on any CPU.
 * Return: 0, or -EINVAL if @token is not an open section of @d that the
 * caller began (reported and counted, in task context).
 */
int goheap_gc_exit(struct goheap_gc_domain *d, int token)
{
	/* a negative token is a large unsigned one: no slot */
	unsigned int t = token;

	if (likely(t < gh_gc_cpu_tokens)) {
		if (likely(gh_gc_slot_close(&per_cpu_ptr(&gh_gc_cpu_slots,
						t / GH_GC_CPU_SLOTS)->s[t % GH_GC_CPU_SLOTS], d)))
			return 0;
	} else if (t - gh_gc_cpu_tokens < GH_GC_OVERFLOW_SLOTS &&
		   gh_gc_slot_close(&gh_gc_overflow[t - gh_gc_cpu_tokens], d)) {
		return 0;
	}
	return gh_gc_exit_bad(d, token, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_gc_exit);
