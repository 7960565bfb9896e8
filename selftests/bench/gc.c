// SPDX-License-Identifier: GPL-2.0
/*
 * The collector's heaps and its whole-collection patterns: gc_mark
 * (collection throughput, no mutators) and gc_pause (pauses while mutators
 * run on every CPU). The per-operation patterns are in gc_ops.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "bench.h"

/* ---- types ---------------------------------------------------------------------- */

static const size_t ghb_node_ptrs[] = {
	offsetof(struct ghb_node, left),
	offsetof(struct ghb_node, right),
};

const struct goheap_gc_type ghb_node_type = {
	.name = "ghb_node",
	.size = sizeof(struct ghb_node),
	.ptr_offsets = ghb_node_ptrs,
	.nr_ptrs = ARRAY_SIZE(ghb_node_ptrs),
};

/* The root object of a heap of lists: a page of list heads. */
#define GHB_TABLE_SLOTS	512
struct ghb_table {
	void *slot[GHB_TABLE_SLOTS];
};

static size_t ghb_table_ptrs[GHB_TABLE_SLOTS];

static const struct goheap_gc_type ghb_table_type = {
	.name = "ghb_table",
	.size = sizeof(struct ghb_table),
	.ptr_offsets = ghb_table_ptrs,
	.nr_ptrs = GHB_TABLE_SLOTS,
};

void ghb_gc_types_init(void)
{
	unsigned int i;

	for (i = 0; i < GHB_TABLE_SLOTS; i++)
		ghb_table_ptrs[i] = i * sizeof(void *);
}

/* ---- heaps ------------------------------------------------------------------------ */

/*
 * A domain with one root; collection only on request (GOGC off), with
 * @workers mark workers (0: one per online CPU, goheap's default).
 */
static int ghb_gc_new_workers(struct ghb_gc_heap *h, const char *name,
			      unsigned int flags, unsigned int workers)
{
	struct goheap_gc_opts opts = {
		.gogc = GOHEAP_GC_OFF,
		.flags = flags,
		.mark_workers = workers,
	};
	int ret;

	memset(h, 0, sizeof(*h));
	h->d = goheap_gc_create(name, &opts);
	if (IS_ERR(h->d)) {
		ret = PTR_ERR(h->d);
		h->d = NULL;
		pr_err("error: goheap_gc_create(%s): %d\n", name, ret);
		return ret;
	}
	ret = goheap_gc_add_root(h->d, &h->root);
	if (ret) {
		goheap_gc_destroy(h->d);
		h->d = NULL;
	}
	return ret;
}

/* A domain with one root, the default mark workers; GOGC off. */
int ghb_gc_new(struct ghb_gc_heap *h, const char *name, unsigned int flags)
{
	return ghb_gc_new_workers(h, name, flags, 0);
}

void ghb_gc_del(struct ghb_gc_heap *h)
{
	if (!h->d)
		return;
	goheap_gc_remove_root(h->d, &h->root);
	goheap_gc_destroy(h->d);
	h->d = NULL;
}

/* Push a new node with value @k on list @i of @table (in a section). */
static struct ghb_node *ghb_gc_push(struct goheap_gc_domain *d,
				    struct ghb_table *table, unsigned int i,
				    unsigned long k)
{
	struct ghb_node *n = goheap_gc_alloc(d, &ghb_node_type, GFP_KERNEL);

	if (!n)
		return NULL;
	n->val = k;
	goheap_gc_store(d, (void **)&n->left, goheap_gc_load(&table->slot[i]));
	goheap_gc_store(d, &table->slot[i], n);
	return n;
}

/*
 * A table (the root) of up to 512 lists holding @objects - 1 nodes in all.
 * If @keep is given, its first @nkeep nodes are recorded there: they stay
 * reachable and goheap never moves an object, so the benchmark may use
 * them across sections.
 */
int ghb_gc_build_lists(struct ghb_gc_heap *h, unsigned long objects,
		       struct ghb_node **keep, unsigned long nkeep)
{
	struct goheap_gc_domain *d = h->d;
	struct ghb_table *table;
	struct ghb_node *n;
	unsigned long k;
	int tok = goheap_gc_enter(d);

	if (tok < 0)
		return tok;
	table = goheap_gc_alloc(d, &ghb_table_type, GFP_KERNEL);
	if (!table)
		goto nomem;
	goheap_gc_store(d, &h->root, table);
	h->nlists = clamp_t(unsigned long, objects / 4, 1, GHB_TABLE_SLOTS);
	for (k = 0; k + 1 < objects; k++) {
		n = ghb_gc_push(d, table, k % h->nlists, k);
		if (!n)
			goto nomem;
		if (k < nkeep)
			keep[k] = n;
		if (!(k & 4095)) {
			/* short sections: reload the table from the root after */
			goheap_gc_exit(d, tok);
			cond_resched();
			tok = goheap_gc_enter(d);
			if (tok < 0)
				return tok;
			table = goheap_gc_load(&h->root);
		}
	}
	h->objects = objects;
	goheap_gc_exit(d, tok);
	return 0;
nomem:
	goheap_gc_exit(d, tok);
	return -ENOMEM;
}

/* Link node @i of a chain (@nodes NULL) or of a complete binary tree. */
static void ghb_gc_add_node(struct ghb_gc_heap *h, struct ghb_node **nodes,
			    unsigned long i, struct ghb_node *n)
{
	struct goheap_gc_domain *d = h->d;
	struct ghb_node *parent;

	n->val = i;
	if (!nodes) {
		goheap_gc_store(d, (void **)&n->left, goheap_gc_load(&h->root));
		goheap_gc_store(d, &h->root, n);
		return;
	}
	nodes[i] = n;
	parent = i ? nodes[(i - 1) / 2] : NULL;
	if (!i)
		goheap_gc_store(d, &h->root, n);
	else if (i & 1)
		goheap_gc_store(d, (void **)&parent->left, n);
	else
		goheap_gc_store(d, (void **)&parent->right, n);
}

/* A complete binary tree of @objects nodes, or one chain of them. */
static int ghb_gc_build_tree(struct ghb_gc_heap *h, unsigned long objects, bool chain)
{
	struct ghb_node **nodes = NULL, *n;
	unsigned long i;
	int ret = 0, tok;

	if (!chain) {
		nodes = kvmalloc_array(objects, sizeof(*nodes), GFP_KERNEL);
		if (!nodes)
			return -ENOMEM;
	}
	/* one section: the collector is off, nothing runs meanwhile */
	tok = goheap_gc_enter(h->d);
	if (tok < 0) {
		ret = tok;
		goto out;
	}
	for (i = 0; i < objects; i++) {
		n = goheap_gc_alloc(h->d, &ghb_node_type, GFP_KERNEL);
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		ghb_gc_add_node(h, nodes, i, n);
		if (!(i & 4095))
			cond_resched();
	}
	h->objects = objects;
	goheap_gc_exit(h->d, tok);
out:
	kvfree(nodes);
	return ret;
}

/* ---- gc_mark, gc_mark_cost: collections of a tree or a chain, no mutators --------- */

/* One heap of a gc_mark measurement and its collections' times. */
struct ghb_mark_heap {
	struct ghb_gc_heap h;
	struct ghb_samples s;
	unsigned int workers;		/* the domain's option: 0 = one per CPU */
	char name[32];
};

/* A heap of @objects nodes of @shape in a domain of its own, collected once. */
static int ghb_mark_heap_new(struct ghb_mark_heap *m, const char *pattern,
			     const char *shape, unsigned long objects)
{
	int ret;

	snprintf(m->name, sizeof(m->name), "ghb_%s_%s_%lu_w%u",
		 strcmp(pattern, "gc_mark") ? "mcost" : "mark", shape, objects,
		 m->workers);
	ret = ghb_gc_new_workers(&m->h, m->name, GOHEAP_GC_UNCHECKED, m->workers);
	if (!ret)
		ret = ghb_gc_build_tree(&m->h, objects, !strcmp(shape, "chain"));
	if (!ret)
		ret = goheap_gc_collect(m->h.d);	/* warm-up */
	return ret;
}

static void ghb_mark_heap_emit(struct ghb_mark_heap *m, const char *pattern,
			       const char *shape, unsigned long objects)
{
	struct ghb_samples *s = &m->s;
	u64 med = ghb_median(s) / 100;

	ghb_add("pattern=%s size=%zu shape=%s cpus=%u workers=%u heap_objects=%lu domain=%s rounds=%u",
		pattern, sizeof(struct ghb_node), shape, num_online_cpus(),
		m->workers ?: num_online_cpus(), objects, m->name, s->n);
	ghb_add(" collect_ns=%llu collect_min_ns=%llu collect_max_ns=%llu",
		med, s->v[0] / 100, s->v[s->n - 1] / 100);
	ghb_add(" objects_per_s=%llu bytes_per_s=%llu",
		med ? div64_u64((u64)objects * NSEC_PER_SEC, med) : 0,
		med ? div64_u64((u64)objects * sizeof(struct ghb_node) * NSEC_PER_SEC, med) : 0);
	ghb_emit();
}

/*
 * ghb_rounds() timed collections of each of @n heaps of @objects nodes of
 * @shape, the heaps interleaved round by round (the order reversed every
 * other round); heap k has workers[k] mark workers. One result line of
 * @pattern per heap. The mark phase's figures come from the gctrace lines
 * of each domain (report.py).
 */
static int ghb_gc_mark_run(const char *pattern, const char *shape,
			   unsigned long objects, const unsigned int *workers,
			   unsigned int n)
{
	struct ghb_mark_heap *m = kcalloc(n, sizeof(*m), GFP_KERNEL);
	unsigned int r, k, i;
	int ret = 0;
	u64 t0;

	if (!m)
		return -ENOMEM;
	for (k = 0; k < n && !ret; k++) {
		m[k].workers = workers[k];
		ret = ghb_mark_heap_new(&m[k], pattern, shape, objects);
	}
	for (r = 0; r < ghb_rounds() && !ret; r++) {
		for (k = 0; k < n && !ret; k++) {
			i = r & 1 ? n - 1 - k : k;
			t0 = ktime_get_ns();
			ret = goheap_gc_collect(m[i].h.d);
			ghb_sample(&m[i].s, ktime_get_ns() - t0, 1);
		}
	}
	for (k = 0; k < n; k++) {
		if (!ret)
			ghb_mark_heap_emit(&m[k], pattern, shape, objects);
		ghb_gc_del(&m[k].h);
	}
	kfree(m);
	return ret;
}

/*
 * Collection throughput on every CPU (multi-threaded TCG): one mark worker
 * against the default, one per online CPU, on the same heaps, in the same
 * boot.
 */
int ghb_gc_mark(void *unused)
{
	static const unsigned int workers[] = { 1, 0 };
	int ret;

	ret = ghb_gc_mark_run("gc_mark", "tree", ghb_ops(100000), workers, 2);
	if (!ret)
		ret = ghb_gc_mark_run("gc_mark", "tree", ghb_ops(1000000), workers, 2);
	if (!ret)
		ret = ghb_gc_mark_run("gc_mark", "chain", ghb_ops(100000), workers, 2);
	return ret;
}

/*
 * The mark phase's cost per object on one CPU (icount): the same
 * collections, run on CPU 0 with the default workers (one, on one CPU);
 * report.py divides the mark CPU time gctrace prints (the workers'
 * marking, no handshake) by the heap's objects.
 */
int ghb_gc_mark_cost(void *unused)
{
	static const unsigned int workers[] = { 0 };
	int ret;

	ret = ghb_gc_mark_run("gc_mark_cost", "tree", ghb_ops(100000), workers, 1);
	if (!ret)
		ret = ghb_gc_mark_run("gc_mark_cost", "chain", ghb_ops(100000), workers, 1);
	return ret;
}

/* ---- gc_pause: pauses while mutators run on every CPU ------------------------------- */

/*
 * What one kind of mutator operation waited, per operation: a histogram in
 * microseconds (the last bucket counts everything longer) and the longest.
 */
#define GHB_WAIT_BUCKETS	4096
/*
 * "clock" times nothing (two clock reads, three times an iteration, as
 * many as the stores): the floor the VM itself puts under every figure,
 * interrupts and the host's scheduling of the vCPU threads.
 */
enum { GHB_WAIT_ENTER, GHB_WAIT_ALLOC, GHB_WAIT_STORE, GHB_WAIT_CLOCK, GHB_WAIT_KINDS };
static const char *const ghb_wait_names[GHB_WAIT_KINDS] = {
	"enter", "alloc", "store", "clock"
};

struct ghb_waits {
	u32 us[GHB_WAIT_BUCKETS];
	u64 n, max_ns;
};

static void ghb_wait_add(struct ghb_waits *w, u64 ns)
{
	w->us[min_t(u64, div_u64(ns, NSEC_PER_USEC), GHB_WAIT_BUCKETS - 1)]++;
	w->n++;
	w->max_ns = max(w->max_ns, ns);
}

static void ghb_wait_merge(struct ghb_waits *to, const struct ghb_waits *from)
{
	unsigned int i;

	for (i = 0; i < GHB_WAIT_BUCKETS; i++)
		to->us[i] += from->us[i];
	to->n += from->n;
	to->max_ns = max(to->max_ns, from->max_ns);
}

/* The 99th percentile, in ns, to the microsecond above. */
static u64 ghb_wait_p99_ns(const struct ghb_waits *w)
{
	u64 want = w->n - div_u64(w->n, 100), sum = 0;
	unsigned int i;

	for (i = 0; i < GHB_WAIT_BUCKETS; i++) {
		sum += w->us[i];
		if (sum >= want)
			break;
	}
	return (u64)(i + 1) * NSEC_PER_USEC;
}

struct ghb_mutator {
	struct ghb_gc_heap *h;
	bool *stop;
	struct rnd_state rs;
	u64 iters, stalls, errors;
	struct ghb_waits *waits;	/* [GHB_WAIT_KINDS] */
};

/* A barrier store, timed. */
static int ghb_timed_store(struct ghb_mutator *m, struct goheap_gc_domain *d,
			   void **slot, void *v)
{
	u64 t0 = ktime_get_ns();
	int ret = goheap_gc_store(d, slot, v);

	ghb_wait_add(&m->waits[GHB_WAIT_STORE], ktime_get_ns() - t0);
	return ret;
}

/* Replace a list head with a new node: 1 allocation, 3 barrier stores. */
static void ghb_mutate(struct ghb_mutator *m, struct goheap_gc_domain *d)
{
	struct ghb_table *table = goheap_gc_load(&m->h->root);
	unsigned int i = prandom_u32_state(&m->rs) % m->h->nlists;
	struct ghb_node *head, *n;

	u64 t0;

	head = goheap_gc_load(&table->slot[i]);
	if (!head)
		return;
	t0 = ktime_get_ns();
	n = goheap_gc_alloc(d, &ghb_node_type, GFP_KERNEL);
	ghb_wait_add(&m->waits[GHB_WAIT_ALLOC], ktime_get_ns() - t0);
	if (n) {
		n->val = m->iters;
		m->errors += !!ghb_timed_store(m, d, (void **)&n->left,
					       goheap_gc_load((void **)&head->left));
		m->errors += !!ghb_timed_store(m, d, &table->slot[i], n);
		m->errors += !!ghb_timed_store(m, d, (void **)&head->left, NULL);
	} else {
		m->errors++;
	}
}

/* The VM's floor: nothing, timed as often as the stores are. */
static void ghb_time_nothing(struct ghb_mutator *m)
{
	unsigned int i;
	u64 t0;

	for (i = 0; i < 3; i++) {
		t0 = ktime_get_ns();
		ghb_wait_add(&m->waits[GHB_WAIT_CLOCK], ktime_get_ns() - t0);
	}
}

/* A mutator on its CPU, seeded by it, until told to stop. */
static int ghb_mutator_fn(void *arg)
{
	struct ghb_mutator *m = arg;
	struct goheap_gc_domain *d = m->h->d;
	u64 t0, dt;
	int tok;

	prandom_seed_state(&m->rs, GHB_SEED + raw_smp_processor_id());
	while (!READ_ONCE(*m->stop)) {
		t0 = ktime_get_ns();
		tok = goheap_gc_enter(d);
		if (tok < 0) {
			m->errors++;
			break;
		}
		dt = ktime_get_ns() - t0;
		ghb_wait_add(&m->waits[GHB_WAIT_ENTER], dt);
		m->stalls += dt > 100 * NSEC_PER_USEC;
		ghb_mutate(m, d);
		goheap_gc_exit(d, tok);
		ghb_time_nothing(m);
		m->iters++;
		cond_resched();
	}
	return 0;
}

static struct ghb_gc_heap ghb_kept;	/* gc_pause's domain, kept for debugfs */

/* Drop gc_pause's domain. Context: no command runs. */
void ghb_gc_release(void)
{
	ghb_gc_del(&ghb_kept);
}

struct ghb_pause {
	unsigned long objects;
	bool quiet;			/* no collections: the mutators' baseline */
	unsigned int ncpus, started;
	struct ghb_mutator *muts;	/* [ncpus] */
	struct ghb_thread *threads;	/* [ncpus] */
	bool stop;
	/* the collections */
	unsigned int cycles;
	u64 elapsed, collect_sum, collect_max;
	/* the mutators, summed */
	u64 iters, stalls, errors;
	struct ghb_waits *waits;	/* [GHB_WAIT_KINDS], all mutators' */
};

/* @cycles collections 20 ms apart; stop at the first error. */
static int ghb_pause_collect(struct ghb_pause *p, unsigned int cycles)
{
	u64 t0 = ktime_get_ns(), t;
	int ret = 0;

	for (p->cycles = 0; p->cycles < cycles && !ret; p->cycles++) {
		t = ktime_get_ns();
		if (!p->quiet)
			ret = goheap_gc_collect(ghb_kept.d);
		t = ktime_get_ns() - t;
		p->collect_sum += t;
		p->collect_max = max(p->collect_max, t);
		msleep(20);
	}
	p->elapsed = ktime_get_ns() - t0;
	return ret;
}

static void ghb_pause_join(struct ghb_pause *p)
{
	unsigned int i, k;

	WRITE_ONCE(p->stop, true);
	for (i = 0; i < p->started; i++) {
		ghb_thread_wait(&p->threads[i]);
		p->iters += p->muts[i].iters;
		for (k = 0; k < GHB_WAIT_KINDS; k++)
			ghb_wait_merge(&p->waits[k], &p->muts[i].waits[k]);
		p->stalls += p->muts[i].stalls;
		p->errors += p->muts[i].errors;
	}
}

static void ghb_pause_emit(struct ghb_pause *p)
{
	unsigned int k;

	if (p->errors)
		pr_err("error pattern=gc_pause: %llu mutator errors\n", p->errors);
	ghb_add("pattern=gc_pause size=%zu cpus=%u heap_objects=%lu domain=ghb_pause collector=%s gc_cycles=%u mutators=%u",
		sizeof(struct ghb_node), p->ncpus, p->objects,
		p->quiet ? "idle" : "collecting", p->quiet ? 0 : p->cycles, p->started);
	ghb_add(" collect_mean_ns=%llu collect_max_ns=%llu",
		div_u64(p->collect_sum, max(p->cycles, 1U)), p->collect_max);
	ghb_add(" mutator_ops_per_s=%llu mutator_stalls_over_100us=%llu mutator_errors=%llu",
		div64_u64(p->iters * NSEC_PER_SEC, max(p->elapsed, 1ULL)),
		p->stalls, p->errors);
	for (k = 0; k < GHB_WAIT_KINDS; k++)
		ghb_add(" mutator_%s_ops=%llu mutator_%s_p99_ns=%llu mutator_%s_max_ns=%llu",
			ghb_wait_names[k], p->waits[k].n, ghb_wait_names[k],
			ghb_wait_p99_ns(&p->waits[k]), ghb_wait_names[k], p->waits[k].max_ns);
	ghb_emit();
}

/* The kept heap, warm; then mutators on every CPU and the collections. */
static int ghb_pause_run(struct ghb_pause *p)
{
	/* 50 collections of small heaps, fewer of big ones (at least 8) */
	unsigned int cycles = clamp_t(unsigned long, 2000000 / p->objects, 8, 50);
	unsigned int i;
	int ret;

	ret = ghb_gc_new(&ghb_kept, "ghb_pause", 0);
	if (!ret)
		ret = ghb_gc_build_lists(&ghb_kept, p->objects, NULL, 0);
	if (ret)
		return ret;
	goheap_gc_collect(ghb_kept.d);		/* warm-up */
	for (i = 0; i < p->ncpus; i++) {
		p->muts[i].h = &ghb_kept;
		p->muts[i].stop = &p->stop;
		p->muts[i].waits = &p->waits[(i + 1) * GHB_WAIT_KINDS];
	}
	p->started = ghb_threads_start(p->threads, p->ncpus, ghb_mutator_fn,
				       p->muts, sizeof(*p->muts));
	msleep(20);
	ret = ghb_pause_collect(p, cycles);
	ghb_pause_join(p);
	if (!ret)
		ghb_pause_emit(p);
	return ret;
}

static int ghb_gc_pause_of(unsigned long objects, bool quiet)
{
	struct ghb_pause p = {
		.objects = objects,
		.quiet = quiet,
		.ncpus = num_online_cpus(),
	};
	int ret = -ENOMEM;

	if (p.objects < 2)
		return -EINVAL;
	p.muts = kcalloc(p.ncpus, sizeof(*p.muts), GFP_KERNEL);
	p.threads = kcalloc(p.ncpus, sizeof(*p.threads), GFP_KERNEL);
	/* the sums first, then each mutator's */
	p.waits = kvcalloc((p.ncpus + 1) * GHB_WAIT_KINDS, sizeof(*p.waits), GFP_KERNEL);
	if (p.muts && p.threads && p.waits)
		ret = ghb_pause_run(&p);
	if (ret) {
		pr_err("error pattern=gc_pause heap_objects=%lu: %d\n", p.objects, ret);
		ghb_gc_del(&ghb_kept);
	}
	kvfree(p.waits);
	kfree(p.threads);
	kfree(p.muts);
	return ret;
}

/* @arg: the heap's objects, at least 2 */
int ghb_gc_pause(void *arg)
{
	return ghb_gc_pause_of((unsigned long)arg, false);
}

/*
 * gc_pause's mutators on the same heap for as long, with no collection:
 * what their operations take with the collector idle (scheduling, the
 * operations' own work), to read gc_pause's figures against.
 */
int ghb_gc_pause_quiet(void *arg)
{
	return ghb_gc_pause_of((unsigned long)arg, true);
}
