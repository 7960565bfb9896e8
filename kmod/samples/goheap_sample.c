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
 *
 * /sys/kernel/debug/goheap_sample/report tells what the commands asked for:
 * requested bytes, the bytes goheap gave (goheap_size) and the bytes kmalloc
 * would have given for the same requests (kmalloc_size_roundup), for the
 * objects held now and for everything since load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
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

static DEFINE_MUTEX(sample_lock);
static struct sample_obj *sample_held;
static unsigned int sample_nheld;
static struct sample_totals sample_all, sample_now;
static struct dentry *sample_dir;

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
		struct sample_obj *more = krealloc(sample_held,
				(sample_nheld + count) * sizeof(*more), GFP_KERNEL);

		if (more) {
			sample_held = more;
			for (i = 0; i < count; i++) {
				more[sample_nheld++] = (struct sample_obj){ objs[i], size };
				sample_account(&sample_now, objs[i], size, 1);
			}
			count = 0;
		}
	}
	for (i = 0; i < count; i++)
		bad += !sample_free(objs[i], size);
	kvfree(objs);
	if (bad) {
		pr_err("%u objects of %zu bytes were corrupted\n", bad, size);
		return -EIO;
	}
	return ret;
}

static void sample_cmd_release(void)
{
	unsigned int i;

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

static int sample_cmd_leak(unsigned int count, size_t size)
{
	while (count--)
		if (!sample_alloc(size))
			return -ENOMEM;
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

static int __init sample_init(void)
{
	sample_dir = debugfs_create_dir("goheap_sample", NULL);
	debugfs_create_file("ctl", 0200, sample_dir, (void *)&sample_ctl,
			    &sample_ctl_fops);
	debugfs_create_file("report", 0400, sample_dir, NULL, &report_fops);
	return 0;
}

static void __exit sample_exit(void)
{
	debugfs_remove_recursive(sample_dir);
	sample_cmd_release();
}

module_init(sample_init);
module_exit(sample_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goheap sample client and workload driver");
