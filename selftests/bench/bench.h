/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap_bench's private header.
 *
 * harness.c gives the patterns the module parameters, the result line,
 * threads and the interleaving of sides (ghb_interleave(), ghb_measure()).
 * sides.c holds the timed loops, one body for every side; the pattern files
 * (calib.c, alloc.c, churn.c, gc.c, gc_ops.c) use them and print results.
 * See harness.c for how a measurement is taken.
 */
#ifndef GOHEAP_BENCH_H
#define GOHEAP_BENCH_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <goheap.h>

#define GHB_MAX_ROUNDS		9
#define GHB_MAX_SIDES		4
#define GHB_SEED		0x676f68656170ULL	/* "goheap" */
#define GHB_FAILED		U64_MAX		/* a timed run that failed */

/* ---- harness.c: counts, samples and the result line ---------------------- */

unsigned long ghb_ops(unsigned long base);
unsigned int ghb_rounds(void);

/* Per-op times of the rounds of one measurement, in 1/100 ns. */
struct ghb_samples {
	unsigned int n;
	u64 v[GHB_MAX_ROUNDS];
};

void ghb_sample(struct ghb_samples *s, u64 ns, u64 ops);
u64 ghb_median(struct ghb_samples *s);
__printf(1, 2) void ghb_add(const char *fmt, ...);
void ghb_add_ns(const char *key, struct ghb_samples *s);
void ghb_emit(void);

/* ---- harness.c: threads --------------------------------------------------- */

struct ghb_thread {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	struct completion done;
};

int ghb_thread_start(struct ghb_thread *t, int cpu, int (*fn)(void *),
		     void *arg);
int ghb_thread_wait(struct ghb_thread *t);
unsigned int ghb_threads_start(struct ghb_thread *t, unsigned int max,
			       int (*fn)(void *), void *args, size_t size);

/*
 * Busy-wait step: stays schedulable for long waits. No cpu_relax(): QEMU's
 * TCG implements PAUSE by leaving the vCPU loop, which takes QEMU's global
 * lock and would make every wait cost microseconds on both CPUs.
 */
static inline void ghb_spin(unsigned long *spins)
{
	barrier();
	if (!(++*spins & 1023))
		cond_resched();
}

/* A start line for threads on several CPUs; thread 0 fires the start. */
struct ghb_start {
	atomic_t arrived;
	unsigned int nthreads;
	int go;
	u64 t0;
};

void ghb_start_wait(struct ghb_start *s, unsigned int idx);

/* ---- harness.c: rounds x sides -------------------------------------------- */

int ghb_interleave(unsigned int nsides,
		   int (*step)(void *arg, unsigned int side), void *arg);

/**
 * struct ghb_meas - a measurement of runs of a fixed length
 * @nsides: how many sides (at most %GHB_MAX_SIDES)
 * @n: the operations of a timed run; an untimed run of n / 10 + 1 goes first
 * @run: one run of side @side over @n operations: ns, or %GHB_FAILED
 * @s: per-op times of each side's rounds
 * @failed: the side whose run failed
 *
 * Embed it in a struct of the pattern's own and reach that from @run with
 * container_of().
 */
struct ghb_meas {
	unsigned int nsides;
	unsigned long n;
	u64 (*run)(struct ghb_meas *m, unsigned int side, unsigned long n);
	struct ghb_samples s[GHB_MAX_SIDES];
	unsigned int failed;
};

int ghb_measure(struct ghb_meas *m);

/* ---- sides.c: the sides and their loops ------------------------------------ */

typedef void *(*ghb_alloc_fn)(void *ctx, size_t size);
typedef void (*ghb_free_fn)(void *ctx, void *p);

static __always_inline void *ghb_goheap_alloc(void *ctx, size_t size)
{
	return goheap_alloc(size, GFP_KERNEL);
}

/*
 * An allocation of a timed loop: the caller's size variable hidden from the
 * compiler, so that kmalloc() takes its run-time path as goheap does.
 */
static __always_inline void *ghb_alloc_hidden(void *ctx, size_t *size,
					      ghb_alloc_fn alloc)
{
	OPTIMIZER_HIDE_VAR(*size);
	return alloc(ctx, *size);
}

/* Write word @word of an object, so that its memory is really used. */
static __always_inline void ghb_touch(void *p, unsigned int word,
				      unsigned long v)
{
	WRITE_ONCE(((unsigned long *)p)[word], v);
}

/* Allocate @n objects into @arr; return how many were allocated. */
static __always_inline unsigned long ghb_fill_loop(void *ctx, size_t size,
						   unsigned long n, void **arr,
						   unsigned int word,
						   ghb_alloc_fn alloc)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		void *p = ghb_alloc_hidden(ctx, &size, alloc);

		if (unlikely(!p))
			break;
		ghb_touch(p, word, i);
		arr[i] = p;
	}
	return i;
}

/*
 * Churn: a live set of @live slots, each replaced in the order of a
 * pre-drawn sequence (slot, new size), identical for both sides.
 */
struct ghb_churn {
	unsigned int live;
	unsigned long ops;
	u32 *fill_size;		/* [live] */
	u32 *op_slot;		/* [ops] */
	u32 *op_size;		/* [ops] */
	void **slot;		/* [live] */
};

/* Remote: a single-producer single-consumer ring of objects. */
struct ghb_ring {
	void **slot;
	unsigned long mask;
	size_t size;
	unsigned long n;
	struct ghb_start start;
	unsigned long head ____cacheline_aligned_in_smp;	/* producer */
	unsigned long tail ____cacheline_aligned_in_smp;	/* consumer */
	u64 t_end;
	bool failed;
};

/* The loops of one side, each calling its allocator directly. */
struct ghb_side {
	const char *name;
	u64 (*pair)(void *ctx, size_t size, unsigned long n);
	u64 (*batch)(void *ctx, size_t size, unsigned long n, void **arr,
		     u64 *free_ns);
	int (*fill)(struct ghb_churn *c, void *ctx);
	u64 (*churn)(struct ghb_churn *c, void *ctx, unsigned long from,
		     unsigned long to);
	void (*empty)(struct ghb_churn *c, void *ctx);
	void (*release)(struct ghb_churn *c, void *ctx, const u32 *order,
			unsigned long n);
	int (*latency)(struct ghb_churn *c, void *ctx, u32 *lat);
	void (*produce)(struct ghb_ring *r, void *ctx);
	void (*consume)(struct ghb_ring *r, void *ctx);
};

extern const struct ghb_side ghb_side_goheap;
extern const struct ghb_side ghb_side_kmalloc;
extern const struct ghb_side ghb_side_kmem_cache;
/* the sides of every pattern but pair: goheap, kmalloc */
extern const struct ghb_side *const ghb_sides[2];

/* ---- churn.c: churn sequences ------------------------------------------------ */

enum ghb_dist { GHB_UNIFORM, GHB_SKEWED, GHB_KERNEL };

int ghb_churn_init(struct ghb_churn *c, unsigned int live, unsigned long ops,
		   enum ghb_dist dist, u64 seed);
void ghb_churn_free(struct ghb_churn *c);

/* ---- gc.c: domains and heaps --------------------------------------------------- */

struct ghb_node {
	struct ghb_node *left;
	struct ghb_node *right;
	unsigned long val;
	unsigned long pad;
};

extern const struct goheap_gc_type ghb_node_type;

struct ghb_gc_heap {
	struct goheap_gc_domain *d;
	void *root;		/* a registered root */
	unsigned int nlists;	/* lists in the table the root holds */
	unsigned long objects;
};

void ghb_gc_types_init(void);
int ghb_gc_new(struct ghb_gc_heap *h, const char *name, unsigned int flags);
void ghb_gc_del(struct ghb_gc_heap *h);
int ghb_gc_build_lists(struct ghb_gc_heap *h, unsigned long objects,
		       struct ghb_node **keep, unsigned long nkeep);
void ghb_gc_release(void);

/* ---- the commands (arg: gc_pause's number, else unused) ------------------------ */

int ghb_calib(void *unused);
int ghb_pair(void *unused);
int ghb_batch(void *unused);
int ghb_bulk(void *unused);
int ghb_churn(void *unused);
int ghb_burst(void *unused);
int ghb_footprint(void *unused);
int ghb_latency(void *unused);
int ghb_remote(void *unused);
int ghb_parallel(void *unused);
int ghb_gc_mark(void *unused);
int ghb_gc_mark_cost(void *unused);
int ghb_gc_pause(void *arg);
int ghb_gc_pause_quiet(void *arg);
int ghb_gc_alloc(void *unused);
int ghb_gc_section(void *unused);
int ghb_gc_barrier(void *unused);
int ghb_gc_parallel(void *unused);

#endif /* GOHEAP_BENCH_H */
