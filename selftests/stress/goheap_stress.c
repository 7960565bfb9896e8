// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_stress.ko: a concurrent workload for selftests/tests/stress.sh,
 * which runs it on every kernel of `make check`, stock kernels included
 * (they have no KUnit, no lockdep and no KASAN: what breaks there must
 * break loudly, as corrupted objects or a hung guest).
 *
 * Writing a number of milliseconds to /sys/kernel/debug/goheap_stress/run
 * runs, for that long:
 *
 *   - one churn thread per online CPU (unbound), each keeping a live set of
 *     tagged objects of 16..512 bytes and replacing one at a time; every
 *     fourth object it retires is handed through a shared ring to whichever
 *     thread comes next, which frees it, often on another CPU;
 *   - one SCHED_FIFO thread bound to CPU 0 that wakes every 0.5-1 ms to
 *     allocate and free a few objects, preempting the churn thread there in
 *     the middle of whatever it is doing (slow paths included).
 *
 * The shell test drains goheap and takes CPU 1 offline and back meanwhile.
 * The write returns 0, or -EIO if any object came back corrupted (each is
 * checked before it is freed), or -ENOMEM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <goheap.h>

#define STRESS_LIVE	256
#define STRESS_RING	512
#define STRESS_FIFO_OBJS	8

struct stress_obj {
	u64 *p;		/* first word: the tag; the rest: the tag's low byte */
	size_t size;
	u64 tag;
};

struct stress_run {
	unsigned long deadline;
	atomic_t errors;
	atomic_t running;
	atomic64_t next_tag;
	spinlock_t ring_lock;		/* the hand-over ring */
	unsigned int head, tail;
	struct stress_obj ring[STRESS_RING];
	struct completion done;
};

static struct dentry *stress_dir;
static DEFINE_MUTEX(stress_lock);

static bool stress_alloc(struct stress_run *r, struct stress_obj *o, gfp_t gfp)
{
	o->size = 16 + get_random_u32() % 497;
	o->tag = atomic64_inc_return(&r->next_tag);
	o->p = goheap_alloc(o->size, gfp);
	if (!o->p)
		return false;
	o->p[0] = o->tag;
	memset(o->p + 1, (u8)o->tag, o->size - sizeof(u64));
	return true;
}

static void stress_free(struct stress_run *r, struct stress_obj *o)
{
	if (!o->p)
		return;
	if (o->p[0] != o->tag ||
	    memchr_inv(o->p + 1, (u8)o->tag, o->size - sizeof(u64)))
		atomic_inc(&r->errors);
	goheap_free(o->p);
	o->p = NULL;
}

/* Hand @o to whoever comes next; free what the ring gives back instead. */
static void stress_hand_over(struct stress_run *r, struct stress_obj *o)
{
	struct stress_obj out = {};

	spin_lock(&r->ring_lock);
	if (r->head - r->tail == STRESS_RING)
		out = r->ring[r->tail++ % STRESS_RING];
	r->ring[r->head++ % STRESS_RING] = *o;
	spin_unlock(&r->ring_lock);
	o->p = NULL;
	stress_free(r, &out);
}

static void stress_finish(struct stress_run *r)
{
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
}

static int stress_churn(void *arg)
{
	struct stress_run *r = arg;
	struct stress_obj *live = kcalloc(STRESS_LIVE, sizeof(*live), GFP_KERNEL);
	unsigned int n, i;

	for (n = 0; live && time_before(jiffies, r->deadline); n++) {
		struct stress_obj *o = &live[get_random_u32() % STRESS_LIVE];

		if (o->p && !(n % 4))
			stress_hand_over(r, o);
		stress_free(r, o);
		if (!stress_alloc(r, o, GFP_KERNEL))
			atomic_inc(&r->errors);
		if (!(n % 256))
			cond_resched();
	}
	for (i = 0; live && i < STRESS_LIVE; i++)
		stress_free(r, &live[i]);
	if (!live)
		atomic_inc(&r->errors);
	kfree(live);
	stress_finish(r);
	return 0;
}

static int stress_fifo(void *arg)
{
	struct stress_run *r = arg;
	struct stress_obj objs[STRESS_FIFO_OBJS] = {};
	unsigned int i;

	while (time_before(jiffies, r->deadline)) {
		for (i = 0; i < STRESS_FIFO_OBJS; i++)
			if (!stress_alloc(r, &objs[i], GFP_KERNEL))
				atomic_inc(&r->errors);
		for (i = 0; i < STRESS_FIFO_OBJS; i++)
			stress_free(r, &objs[i]);
		usleep_range(500, 1000);
	}
	stress_finish(r);
	return 0;
}

static int stress_start(struct stress_run *r)
{
	struct task_struct *t;
	unsigned int i, n = num_online_cpus();

	atomic_set(&r->running, n + 1);
	for (i = 0; i < n; i++) {
		t = kthread_run(stress_churn, r, "goheap_stress/%u", i);
		if (IS_ERR(t)) {
			atomic_sub(n - i, &r->running);
			return PTR_ERR(t);
		}
	}
	t = kthread_create_on_cpu(stress_fifo, r, 0, "goheap_fifo/%u");
	if (IS_ERR(t)) {
		atomic_dec(&r->running);
		return PTR_ERR(t);
	}
	sched_set_fifo(t);
	wake_up_process(t);
	return 0;
}

static int stress_run_for(unsigned int ms)
{
	struct stress_run *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int ret;

	if (!r)
		return -ENOMEM;
	r->deadline = jiffies + msecs_to_jiffies(ms);
	spin_lock_init(&r->ring_lock);
	init_completion(&r->done);
	ret = stress_start(r);
	wait_for_completion(&r->done);
	while (r->tail != r->head)
		stress_free(r, &r->ring[r->tail++ % STRESS_RING]);
	if (!ret && atomic_read(&r->errors)) {
		pr_err("%d objects corrupted or not allocated\n", atomic_read(&r->errors));
		ret = -EIO;
	}
	kfree(r);
	return ret;
}

static ssize_t run_write(struct file *f, const char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	unsigned int ms;
	int ret = kstrtouint_from_user(ubuf, len, 10, &ms);

	if (ret)
		return ret;
	if (!ms || ms > 600000)
		return -EINVAL;
	mutex_lock(&stress_lock);
	ret = stress_run_for(ms);
	mutex_unlock(&stress_lock);
	return ret ?: len;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
	.llseek = noop_llseek,
};

static int __init stress_init(void)
{
	stress_dir = debugfs_create_dir("goheap_stress", NULL);
	debugfs_create_file("run", 0200, stress_dir, NULL, &run_fops);
	return 0;
}

static void __exit stress_exit(void)
{
	debugfs_remove_recursive(stress_dir);
}

module_init(stress_init);
module_exit(stress_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goheap: a concurrent stress workload for the selftests");
