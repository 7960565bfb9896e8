// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_sample.ko: a client of goheap that uses nothing but <goheap.h>
 * (and ctl.h beside it: the debugfs control file).
 *
 * It is the example to copy, and the workload driver of the selftests and
 * of `make run`. Commands are written to /sys/kernel/debug/goheap_sample/ctl,
 * one per write:
 *
 *   alloc <count> <size>          allocate count objects of size bytes,
 *                                 check them, free them
 *   hold <count> <size>           allocate and keep them (until release)
 *   release                       free everything held
 *   churn <ops> <live> <maxsize>  keep <live> objects of random sizes in
 *                                 1..maxsize, replacing one at random per op
 *   prodcons <count> <size>       one CPU allocates, another frees
 *   leak <count> <size>           allocate and forget them, on purpose: goheap
 *                                 reports them, per class, when it unloads
 *   doublefree <size>             allocate one object and free it twice, on
 *                                 purpose: goheap reports and counts the
 *                                 second free (and goheap:bad_free fires)
 *   overflow <size> <offset>      debug mode's red zone, on purpose: allocate
 *                                 size bytes, write the byte at size + offset
 *                                 (0..7, past the end), free it: goheap
 *                                 reports the overflow and quarantines it
 *   uaf <size>                    debug mode's poison, on purpose: hold four
 *                                 objects (until release) allocated on one
 *                                 CPU around another, free that one, then
 *                                 write its first byte (with KASAN looking
 *                                 away, so that goheap's own check is what
 *                                 finds it)
 *   nest / unnest                 keep a kmalloc buffer whose only pointer is
 *                                 inside a goheap object (kmemleak must not
 *                                 report it) / free both
 *   items <count> <batch>         the alloc workload through a typed cache with
 *                                 a constructor ("goheap_sample_item"), in bulk:
 *                                 batch objects per goheap_cache_alloc_bulk()
 *                                 and goheap_cache_free_bulk() call
 *   holditems <count>             allocate items in bulk and keep them (until
 *                                 release): /sys/kernel/debug/goheap/caches
 *                                 shows them
 *   nodes <count> <size>          on every online NUMA node, count objects of
 *                                 size bytes and count items, with the _node
 *                                 calls: each must lie on its node; half are
 *                                 freed from a CPU of another node
 *   try <count> <size>            allocate count objects of size bytes, going
 *                                 on past failures, then free them; the
 *                                 file tried says how many failed (for
 *                                 fail_goheap, goheap's fault injection)
 *   profile <count>               for the allocation profile: count objects
 *                                 of 64 bytes from sample_prof_small() and
 *                                 count of 1024 bytes from sample_prof_big(),
 *                                 two call sites, kept (until profile-free)
 *   profile-free                  free them
 *
 * /sys/kernel/debug/goheap_sample/report tells what the commands asked for:
 * requested bytes, the bytes goheap gave (goheap_size) and the bytes kmalloc
 * would have given for the same requests (kmalloc_size_roundup), for the
 * objects held now and for everything since load; .../tried, "tries N
 * failed M" of the last try command.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <goheap.h>
#include "ctl.h"

#define SAMPLE_MAX_COUNT	(1U << 20)
#define SAMPLE_RING		1024

struct sample_totals {
	u64 objects, requested, goheap, kmalloc;
};

struct sample_obj {
	void *p;
	size_t size;
};

/*
 * A typed cache's object. The constructor sets it up once per slot when
 * goheap populates a span; users hand it back in that state (state FREE,
 * payload cleared), so the next allocation need not set it up again.
 */
struct sample_item {
	u32 state;
	u32 uses;		/* allocations of this slot: never reset */
	u8 payload[56];
};

#define SAMPLE_ITEM_FREE	0x17e3f4ee
#define SAMPLE_ITEM_USED	0x17e305ed
#define SAMPLE_ITEM_BATCH_MAX	128

static void sample_item_ctor(void *obj)
{
	struct sample_item *it = obj;

	it->state = SAMPLE_ITEM_FREE;
	it->uses = 0;
	memset(it->payload, 0, sizeof(it->payload));
}

static struct goheap_cache *sample_items;
static void **sample_held_items;
static unsigned int sample_nheld_items;

static DEFINE_MUTEX(sample_lock);
/* nest: a goheap object holding the one pointer to a kmalloc buffer */
static void **sample_nest;
static struct sample_obj *sample_held;
static unsigned int sample_nheld;
static struct sample_totals sample_all, sample_now;
static struct dentry *sample_dir;
/* the last try command: allocations asked for, and how many failed */
static unsigned int sample_tries, sample_tries_failed;

static void sample_account(struct sample_totals *t, void *p, size_t size, int sign)
{
	t->objects += sign;
	t->requested += sign * (s64)size;
	t->goheap += sign * (s64)goheap_size(p);
	t->kmalloc += sign * (s64)kmalloc_size_roundup(size);
}

static void *sample_alloc(size_t size)
{
	void *p = goheap_alloc(size, GFP_KERNEL);

	if (p) {
		memset(p, (u8)size, size);
		sample_account(&sample_all, p, size, 1);
	}
	return p;
}

static bool sample_free(void *p, size_t size)
{
	bool intact = !memchr_inv(p, (u8)size, size);

	goheap_free(p);
	return intact;
}

/*
 * Hold @count objects of @size until "release"; if the list cannot grow,
 * free them. Return: how many were found corrupted on that free.
 */
static unsigned int sample_hold(void **objs, unsigned int count, size_t size)
{
	struct sample_obj *more = krealloc(sample_held,
			(sample_nheld + count) * sizeof(*more), GFP_KERNEL);
	unsigned int i, bad = 0;

	if (!more) {
		for (i = 0; i < count; i++)
			bad += !sample_free(objs[i], size);
		return bad;
	}
	sample_held = more;
	for (i = 0; i < count; i++) {
		more[sample_nheld++] = (struct sample_obj){ objs[i], size };
		sample_account(&sample_now, objs[i], size, 1);
	}
	return 0;
}

static int sample_cmd_alloc(unsigned int count, size_t size, bool hold)
{
	void **objs = kvcalloc(count, sizeof(*objs), GFP_KERNEL);
	unsigned int i, bad = 0;
	int ret = 0;

	if (!objs)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		objs[i] = sample_alloc(size);
		if (!objs[i]) {
			ret = -ENOMEM;
			break;
		}
	}
	count = i;
	if (hold) {
		bad = sample_hold(objs, count, size);
	} else {
		for (i = 0; i < count; i++)
			bad += !sample_free(objs[i], size);
	}
	kvfree(objs);
	if (bad) {
		pr_err("%u objects of %zu bytes were corrupted\n", bad, size);
		return -EIO;
	}
	return ret;
}

/* Take a constructed item into use; false if it was not in its free state. */
static bool sample_item_use(struct sample_item *it)
{
	bool ok = it->state == SAMPLE_ITEM_FREE &&
		  !memchr_inv(it->payload, 0, sizeof(it->payload));

	it->state = SAMPLE_ITEM_USED;
	it->uses++;
	memset(it->payload, (u8)it->uses, sizeof(it->payload));
	return ok;
}

/* Check an item in use and return it to its constructed state. */
static bool sample_item_unuse(struct sample_item *it)
{
	bool ok = it->state == SAMPLE_ITEM_USED &&
		  !memchr_inv(it->payload, (u8)it->uses, sizeof(it->payload));

	it->state = SAMPLE_ITEM_FREE;
	memset(it->payload, 0, sizeof(it->payload));
	return ok;
}

/* @n items in one bulk call, each taken into use; -EIO if one was not free. */
static int sample_items_get(void **batch, unsigned int n, unsigned int *bad)
{
	unsigned int i;

	if (goheap_cache_alloc_bulk(sample_items, GFP_KERNEL, n, batch) != n)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		*bad += !sample_item_use(batch[i]);
	return 0;
}

static void sample_items_put(void **batch, unsigned int n, unsigned int *bad)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		*bad += !sample_item_unuse(batch[i]);
	goheap_cache_free_bulk(sample_items, n, batch);
}

static int sample_cmd_items(unsigned int count, unsigned int batch_size)
{
	void **batch = kmalloc_array(batch_size, sizeof(*batch), GFP_KERNEL);
	unsigned int n, bad = 0;
	int ret = 0;

	if (!batch)
		return -ENOMEM;
	while (count && !ret) {
		n = min(count, batch_size);
		ret = sample_items_get(batch, n, &bad);
		if (!ret)
			sample_items_put(batch, n, &bad);
		count -= n;
		cond_resched();
	}
	kfree(batch);
	if (bad) {
		pr_err("%u items were not in the state their cache should keep\n", bad);
		return -EIO;
	}
	return ret;
}

static int sample_cmd_hold_items(unsigned int count)
{
	void **more = krealloc(sample_held_items,
			       (sample_nheld_items + count) * sizeof(*more), GFP_KERNEL);
	unsigned int bad = 0;
	int ret;

	if (!more)
		return -ENOMEM;
	sample_held_items = more;
	ret = sample_items_get(more + sample_nheld_items, count, &bad);
	if (ret)
		return ret;
	sample_nheld_items += count;
	return bad ? -EIO : 0;
}

static void sample_cmd_release(void)
{
	unsigned int i, bad = 0;

	sample_items_put(sample_held_items, sample_nheld_items, &bad);
	kfree(sample_held_items);
	sample_held_items = NULL;
	sample_nheld_items = 0;
	if (bad)
		pr_err("%u held items were corrupted\n", bad);

	for (i = 0; i < sample_nheld; i++) {
		sample_account(&sample_now, sample_held[i].p, sample_held[i].size, -1);
		sample_free(sample_held[i].p, sample_held[i].size);
	}
	kfree(sample_held);
	sample_held = NULL;
	sample_nheld = 0;
}

static int sample_cmd_churn(unsigned int ops, unsigned int live, size_t maxsize)
{
	struct sample_obj *set = kvcalloc(live, sizeof(*set), GFP_KERNEL);
	unsigned int i, bad = 0;
	int ret = 0;

	if (!set)
		return -ENOMEM;
	for (i = 0; i < ops + live && !ret; i++) {
		struct sample_obj *o = &set[get_random_u32() % live];

		if (o->p)
			bad += !sample_free(o->p, o->size);
		o->size = 1 + get_random_u32() % maxsize;
		o->p = sample_alloc(o->size);
		if (!o->p)
			ret = -ENOMEM;
		if (!(i % 1024))
			cond_resched();
	}
	for (i = 0; i < live; i++)
		if (set[i].p)
			bad += !sample_free(set[i].p, set[i].size);
	kvfree(set);
	return bad ? -EIO : ret;
}

struct sample_ring {
	void *slot[SAMPLE_RING];
	unsigned int head, tail;	/* head written by producer only */
	unsigned int count;
	size_t size;
	unsigned int bad;
	struct completion done;
};

static int sample_consumer(void *arg)
{
	struct sample_ring *r = arg;
	unsigned int n;

	for (n = 0; n < r->count; n++) {
		/* the slot's pointer is published by the producer's release */
		while (smp_load_acquire(&r->head) == r->tail)
			cond_resched();
		r->bad += !sample_free(r->slot[r->tail % SAMPLE_RING], r->size);
		/* done with the slot before the producer may reuse it */
		smp_store_release(&r->tail, r->tail + 1);
	}
	complete(&r->done);
	return 0;
}

static int sample_cmd_prodcons(unsigned int count, size_t size)
{
	struct sample_ring *r = kzalloc(sizeof(*r), GFP_KERNEL);
	struct task_struct *t;
	unsigned int n, cpu = raw_smp_processor_id();
	int ret = 0;

	if (!r)
		return -ENOMEM;
	r->count = count;
	r->size = size;
	init_completion(&r->done);
	t = kthread_create(sample_consumer, r, "goheap-sample-consumer");
	if (IS_ERR(t)) {
		kfree(r);
		return PTR_ERR(t);
	}
	if (num_online_cpus() > 1)
		kthread_bind(t, cpumask_any_but(cpu_online_mask, cpu));
	wake_up_process(t);
	for (n = 0; n < count; n++) {
		void *p;

		/* wait for a slot the consumer has released */
		while (r->head - smp_load_acquire(&r->tail) >= SAMPLE_RING)
			cond_resched();
		/* on failure hand over a stand-in so the consumer's count holds */
		p = sample_alloc(size);
		if (!p) {
			ret = -ENOMEM;
			p = GOHEAP_ZERO_PTR;
		}
		r->slot[r->head % SAMPLE_RING] = p;
		/* publish the slot before the new head */
		smp_store_release(&r->head, r->head + 1);
	}
	wait_for_completion(&r->done);
	if (r->bad && !ret)
		ret = -EIO;
	kfree(r);
	return ret;
}

struct sample_node_frees {
	void **objs;
	unsigned int n;
	struct completion done;
};

static int sample_free_elsewhere(void *arg)
{
	struct sample_node_frees *f = arg;

	goheap_free_bulk(f->n, f->objs);
	complete(&f->done);
	return 0;
}

/* Free @n objects from a CPU of another node than @nid, if there is one. */
static int sample_free_from_other_node(void **objs, unsigned int n, int nid)
{
	struct sample_node_frees f = { .objs = objs, .n = n };
	struct task_struct *t;
	int cpu;

	for_each_online_cpu(cpu)
		if (cpu_to_node(cpu) != nid)
			break;
	if (cpu >= nr_cpu_ids) {
		goheap_free_bulk(n, objs);
		return 0;
	}
	init_completion(&f.done);
	t = kthread_create(sample_free_elsewhere, &f, "goheap-sample-node");
	if (IS_ERR(t)) {
		goheap_free_bulk(n, objs);
		return PTR_ERR(t);
	}
	kthread_bind(t, cpu);
	wake_up_process(t);
	wait_for_completion(&f.done);
	return 0;
}

/* @count objects of @size bytes and @count items on node @nid. */
static int sample_node(int nid, unsigned int count, size_t size, void **objs)
{
	unsigned int i, n = 0, misplaced = 0;
	int ret = 0;

	for (i = 0; i < 2 * count; i++) {
		objs[i] = i < count ? goheap_alloc_node(size, GFP_KERNEL, nid) :
			  goheap_cache_alloc_node(sample_items, GFP_KERNEL, nid);
		if (!objs[i]) {
			ret = -ENOMEM;
			break;
		}
		n++;
		if (node_state(nid, N_MEMORY) && page_to_nid(virt_to_page(objs[i])) != nid)
			misplaced++;
	}
	/* the first half from here, the rest from another node's CPU */
	goheap_free_bulk(n / 2, objs);
	ret = sample_free_from_other_node(objs + n / 2, n - n / 2, nid) ?: ret;
	if (misplaced) {
		pr_err("node %d: %u of %u objects on another node\n", nid, misplaced, n);
		return -EIO;
	}
	return ret;
}

static int sample_cmd_nodes(unsigned int count, size_t size)
{
	void **objs = kvcalloc(2 * count, sizeof(*objs), GFP_KERNEL);
	int nid, ret = 0;

	if (!objs)
		return -ENOMEM;
	for_each_online_node(nid) {
		ret = sample_node(nid, count, size, objs);
		if (ret)
			break;
	}
	kvfree(objs);
	return ret;
}

static int sample_cmd_try(unsigned int count, size_t size)
{
	void **objs = kvcalloc(count, sizeof(*objs), GFP_KERNEL);
	unsigned int i, bad = 0;

	if (!objs)
		return -ENOMEM;
	sample_tries = count;
	sample_tries_failed = 0;
	for (i = 0; i < count; i++) {
		objs[i] = sample_alloc(size);
		sample_tries_failed += !objs[i];
	}
	for (i = 0; i < count; i++)
		if (objs[i])
			bad += !sample_free(objs[i], size);
	kvfree(objs);
	return bad ? -EIO : 0;
}

static noinline int sample_cmd_leak(unsigned int count, size_t size)
{
	while (count--)
		if (!sample_alloc(size))
			return -ENOMEM;
	return 0;
}

static noinline int sample_cmd_double_free(size_t size)
{
	void *p = goheap_alloc(size, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	goheap_free(p);
	goheap_free(p);
	return 0;
}

static noinline int sample_cmd_overflow(size_t size, unsigned int offset)
{
	u8 *p = goheap_alloc(size, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	pr_info("overflow: object %p, byte %zu\n", p, size + offset);
	p[size + offset] = 0x41;
	goheap_free(p);
	return 0;
}

/*
 * Neighbours held until "release" keep the freed object's span from going
 * back to the page heap, where its poison would no longer be checked: two
 * taken just before it and two just after, with the task kept on one CPU,
 * so that they come from the same CPU cache and one of them shares its span.
 */
static noinline int sample_cmd_uaf(size_t size)
{
	void *side[4];
	unsigned int n = 0;
	u8 *p = NULL;

	migrate_disable();
	while (n < 2 && (side[n] = sample_alloc(size)))
		n++;
	if (n == 2)
		p = goheap_alloc(size, GFP_KERNEL);
	while (p && n < 4 && (side[n] = sample_alloc(size)))
		n++;
	migrate_enable();
	if (sample_hold(side, n, size))
		return -EIO;
	if (!p || n < 4) {
		goheap_free(p);
		return -ENOMEM;
	}
	pr_info("uaf: object %p\n", p);
	goheap_free(p);
	kasan_disable_current();
	WRITE_ONCE(p[0], 0x41);
	kasan_enable_current();
	return 0;
}

static int sample_cmd_nest(void)
{
	if (sample_nest)
		return -EBUSY;
	sample_nest = goheap_alloc(sizeof(void *), GFP_KERNEL);
	if (!sample_nest)
		return -ENOMEM;
	*sample_nest = kmalloc(256, GFP_KERNEL);
	return 0;
}

static void sample_cmd_unnest(void)
{
	if (!sample_nest)
		return;
	kfree(*sample_nest);
	goheap_free(sample_nest);
	sample_nest = NULL;
}

/* The profile command's two call sites and what they keep. */
#define SAMPLE_PROF_SMALL	64
#define SAMPLE_PROF_BIG		1024

static void **sample_prof_objs;
static unsigned int sample_prof_n;

/* noinline, and the call no tail call: its return address is in here */
static noinline void *sample_prof_small(void)
{
	void *p = goheap_alloc(SAMPLE_PROF_SMALL, GFP_KERNEL);

	return p ? memset(p, 0x64, SAMPLE_PROF_SMALL) : NULL;
}

static noinline void *sample_prof_big(void)
{
	void *p = goheap_alloc(SAMPLE_PROF_BIG, GFP_KERNEL);

	return p ? memset(p, 0x4b, SAMPLE_PROF_BIG) : NULL;
}

static void sample_cmd_profile_free(void)
{
	goheap_free_bulk(sample_prof_n, sample_prof_objs);
	kvfree(sample_prof_objs);
	sample_prof_objs = NULL;
	sample_prof_n = 0;
}

static int sample_cmd_profile(unsigned int count)
{
	unsigned int i;

	sample_cmd_profile_free();
	sample_prof_objs = kvcalloc(2 * count, sizeof(void *), GFP_KERNEL);
	if (!sample_prof_objs)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		sample_prof_objs[sample_prof_n++] = sample_prof_small();
		sample_prof_objs[sample_prof_n++] = sample_prof_big();
		if (!sample_prof_objs[sample_prof_n - 2] ||
		    !sample_prof_objs[sample_prof_n - 1]) {
			sample_cmd_profile_free();
			return -ENOMEM;
		}
		if (!(i % 1024))
			cond_resched();
	}
	return 0;
}

static int sample_run(char *line)
{
	unsigned int a, b, c;
	char extra;

	if (sscanf(line, "alloc %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= SAMPLE_MAX_COUNT && b)
		return sample_cmd_alloc(a, b, false);
	if (sscanf(line, "hold %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= SAMPLE_MAX_COUNT && b)
		return sample_cmd_alloc(a, b, true);
	if (!strcmp(line, "release")) {
		sample_cmd_release();
		return 0;
	}
	if (sscanf(line, "churn %u %u %u %c", &a, &b, &c, &extra) == 3 &&
	    a <= 100 * SAMPLE_MAX_COUNT && b && b <= SAMPLE_MAX_COUNT && c)
		return sample_cmd_churn(a, b, c);
	if (sscanf(line, "leak %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= SAMPLE_MAX_COUNT && b)
		return sample_cmd_leak(a, b);
	if (sscanf(line, "doublefree %u %c", &a, &extra) == 1 &&
	    a && a <= GOHEAP_MAX_SMALL_SIZE)
		return sample_cmd_double_free(a);
	if (sscanf(line, "overflow %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= GOHEAP_MAX_SMALL_SIZE && b < 8)
		return sample_cmd_overflow(a, b);
	if (sscanf(line, "uaf %u %c", &a, &extra) == 1 &&
	    a && a <= GOHEAP_MAX_SMALL_SIZE)
		return sample_cmd_uaf(a);
	if (!strcmp(line, "nest"))
		return sample_cmd_nest();
	if (!strcmp(line, "unnest")) {
		sample_cmd_unnest();
		return 0;
	}
	if (sscanf(line, "items %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= 100 * SAMPLE_MAX_COUNT && b && b <= SAMPLE_ITEM_BATCH_MAX)
		return sample_cmd_items(a, b);
	if (sscanf(line, "holditems %u %c", &a, &extra) == 1 &&
	    a && a <= SAMPLE_MAX_COUNT)
		return sample_cmd_hold_items(a);
	if (sscanf(line, "nodes %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= SAMPLE_MAX_COUNT && b)
		return sample_cmd_nodes(a, b);
	if (sscanf(line, "try %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= SAMPLE_MAX_COUNT && b)
		return sample_cmd_try(a, b);
	if (sscanf(line, "profile %u %c", &a, &extra) == 1 &&
	    a && a <= SAMPLE_MAX_COUNT)
		return sample_cmd_profile(a);
	if (!strcmp(line, "profile-free")) {
		sample_cmd_profile_free();
		return 0;
	}
	if (sscanf(line, "prodcons %u %u %c", &a, &b, &extra) == 2 &&
	    a && a <= 100 * SAMPLE_MAX_COUNT && b)
		return sample_cmd_prodcons(a, b);
	pr_err("bad command '%s' (see the comment at the top of goheap_sample.c)\n",
	       line);
	return -EINVAL;
}

static const struct sample_ctl sample_ctl = {
	.run = sample_run,
	.lock = &sample_lock,
};

static void report_row(struct seq_file *m, const char *name,
		       const struct sample_totals *t)
{
	seq_printf(m, "%s objects %llu requested %llu goheap %llu kmalloc %llu\n",
		   name, t->objects, t->requested, t->goheap, t->kmalloc);
}

static int report_show(struct seq_file *m, void *v)
{
	mutex_lock(&sample_lock);
	report_row(m, "held", &sample_now);
	report_row(m, "total", &sample_all);
	mutex_unlock(&sample_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(report);

static int tried_show(struct seq_file *m, void *v)
{
	mutex_lock(&sample_lock);
	seq_printf(m, "tries %u failed %u\n", sample_tries, sample_tries_failed);
	mutex_unlock(&sample_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tried);

static int __init sample_init(void)
{
	sample_items = goheap_cache_create("goheap_sample_item",
					   sizeof(struct sample_item), 0, 0,
					   sample_item_ctor);
	if (IS_ERR(sample_items))
		return PTR_ERR(sample_items);
	sample_dir = debugfs_create_dir("goheap_sample", NULL);
	debugfs_create_file("ctl", 0200, sample_dir, (void *)&sample_ctl,
			    &sample_ctl_fops);
	debugfs_create_file("report", 0400, sample_dir, NULL, &report_fops);
	debugfs_create_file("tried", 0400, sample_dir, NULL, &tried_fops);
	return 0;
}

static void __exit sample_exit(void)
{
	debugfs_remove_recursive(sample_dir);
	sample_cmd_release();
	sample_cmd_unnest();
	sample_cmd_profile_free();
	if (goheap_cache_destroy(sample_items))
		pr_err("goheap_sample_item still had objects: cache kept\n");
}

module_init(sample_init);
module_exit(sample_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goheap sample client and workload driver");
