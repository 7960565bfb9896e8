// SPDX-License-Identifier: GPL-2.0
/*
 * fail_goheap: fault injection for goheap's allocations, the failslab of
 * goheap.
 *
 * Why goheap's own: the kernel's machinery (DECLARE_FAULT_ATTR,
 * should_fail_ex(), fault_create_debugfs_attr(), /proc/<pid>/make-it-fail)
 * exists only with CONFIG_FAULT_INJECTION, which Debian's kernels (6.1,
 * 6.12, 6.12-rt) leave off, and failslab itself never sees goheap's
 * objects. A developer who moves a subsystem to goheap still wants to walk
 * its error paths on the kernel the subsystem ships on, so the attribute
 * is built here, on every kernel.
 *
 * What it mirrors of lib/fault-inject.c: the top-level debugfs directory
 * (/sys/kernel/debug/fail_goheap/) and the knobs probability, interval,
 * times, space, verbose and task-filter, with their meanings and the order
 * in which a call meets them: the task filter, times left, the space
 * budget, the interval, then the dice. Of mm/failslab.c: __GFP_NOFAIL is
 * never failed (nor is a zero-byte request, which kmalloc() answers before
 * failslab is asked), __GFP_NOWARN is failed without a report, and
 * ignore-gfp-wait spares allocations that may reclaim (its default is on,
 * as failslab's is).
 *
 * What differs, and why:
 *   - a size filter (min-size, max-size), as fail_page_alloc has
 *     min-order: goheap serves every size, and a client usually wants to
 *     fail one kind of request.
 *   - task-pid: where CONFIG_FAULT_INJECTION gives tasks no make_it_fail,
 *     task-filter lets the thread group task-pid names fail instead (where
 *     it does, either opts a task in).
 *   - exact counts under concurrency: times is claimed with one atomic
 *     decrement only once a call would fail, space with a cmpxchg, and the
 *     interval's count is atomic, so interval N and times M fail exactly M
 *     calls, the N-th, 2N-th, ... eligible ones; writing probability or
 *     interval restarts that count. The kernel's count is a plain
 *     increment that never restarts.
 *   - verbose defaults to 1 (a line per failure, no stack), is not rate
 *     limited, and there is no fail_nth and no stack-trace filter.
 *   - a knob refuses a value it cannot hold (-EINVAL, nothing changed),
 *     where debugfs_create_ul() would store whatever it parsed.
 *
 * Cost: none while probability is 0. Arming takes a reference on the hooks
 * key (hooks.h), so the allocating entry points reach
 * gh_fault_should_fail() only through their hooked copies; disarming gives
 * it back. The check itself takes no lock: every knob is an atomic long,
 * read once per use, and the dice are a per-CPU pseudo-random state (no
 * lock, unlike get_random_u32(), so hard interrupts may ask too).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/prandom.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/threads.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "fault.h"
#include "internal.h"

struct gh_fault_knob_info {
	const char *name;
	long min, max;		/* what a write may set */
	long init;		/* at load, and after gh_fault_reset() */
	bool yes_no;		/* shown Y or N and written 0/1/Y/N, as a bool */
};

static const struct gh_fault_knob_info gh_fault_knobs[GH_FAULT_NR_KNOBS] = {
	[GH_FAULT_PROBABILITY]	   = { "probability", 0, 100, 0 },
	[GH_FAULT_INTERVAL]	   = { "interval", 1, UINT_MAX, 1 },
	[GH_FAULT_TIMES]	   = { "times", -1, INT_MAX, 1 },
	[GH_FAULT_SPACE]	   = { "space", 0, INT_MAX, 0 },
	[GH_FAULT_VERBOSE]	   = { "verbose", 0, 2, 1 },
	[GH_FAULT_TASK_FILTER]	   = { "task-filter", 0, 1, 0, true },
	[GH_FAULT_TASK_PID]	   = { "task-pid", 0, PID_MAX_LIMIT, 0 },
	[GH_FAULT_IGNORE_GFP_WAIT] = { "ignore-gfp-wait", 0, 1, 1, true },
	[GH_FAULT_MIN_SIZE]	   = { "min-size", 0, LONG_MAX, 0 },
	[GH_FAULT_MAX_SIZE]	   = { "max-size", 0, LONG_MAX, 0 },
};

static atomic_long_t gh_fault_val[GH_FAULT_NR_KNOBS];
/* eligible calls since probability or interval was last written */
static atomic_long_t gh_fault_calls;
/* serialises writers, so that arming and disarming pair up on the key */
static DEFINE_MUTEX(gh_fault_lock);
static DEFINE_PER_CPU(struct rnd_state, gh_fault_rnd);
static struct dentry *gh_fault_dir;

static long gh_knob(enum gh_fault_knob knob)
{
	return atomic_long_read(&gh_fault_val[knob]);
}

/* The task filter: tasks that opted in, and never interrupts. */
static bool gh_fault_task_ok(void)
{
	long pid = gh_knob(GH_FAULT_TASK_PID);

	if (!in_task())
		return false;
	return gh_task_make_it_fail(current) ||
	       (pid && task_tgid_nr(current) == pid);
}

/* Whether the request is one the attribute may fail at all. */
static bool gh_fault_eligible(size_t size, gfp_t gfp)
{
	unsigned long max = gh_knob(GH_FAULT_MAX_SIZE);

	/* zero bytes take nothing, and kmalloc(0) never meets failslab */
	if (!size || (gfp & __GFP_NOFAIL))
		return false;
	if (gh_knob(GH_FAULT_IGNORE_GFP_WAIT) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (size < (unsigned long)gh_knob(GH_FAULT_MIN_SIZE) || (max && size > max))
		return false;
	return !gh_knob(GH_FAULT_TASK_FILTER) || gh_fault_task_ok();
}

/*
 * space, as the kernel has it: while more bytes are left than the request
 * asks for, they pay for it and the request passes.
 */
static bool gh_fault_in_space(size_t size)
{
	atomic_long_t *space = &gh_fault_val[GH_FAULT_SPACE];
	long left = atomic_long_read(space);

	do {
		if (left <= 0 || (unsigned long)left <= size)
			return false;
	} while (!atomic_long_try_cmpxchg(space, &left, left - size));
	return true;
}

static bool gh_fault_on_interval(void)
{
	unsigned long interval = gh_knob(GH_FAULT_INTERVAL);

	return interval <= 1 ||
	       !((unsigned long)atomic_long_inc_return(&gh_fault_calls) % interval);
}

/*
 * Per-CPU state with preemption off: an interrupt that rolls on the same
 * CPU may reuse a number, which costs randomness, not correctness.
 */
static bool gh_fault_dice(void)
{
	long probability = gh_knob(GH_FAULT_PROBABILITY);
	u32 roll;

	if (probability >= 100)
		return true;
	roll = prandom_u32_state(get_cpu_ptr(&gh_fault_rnd));
	put_cpu_ptr(&gh_fault_rnd);
	return roll % 100 < probability;
}

/* Claim one of the failures times allows; -1 allows any number. */
static bool gh_fault_take_time(void)
{
	atomic_long_t *times = &gh_fault_val[GH_FAULT_TIMES];

	return atomic_long_read(times) == -1 || atomic_long_dec_if_positive(times) >= 0;
}

static void gh_fault_report(size_t size, gfp_t gfp)
{
	long verbose = gh_knob(GH_FAULT_VERBOSE);

	/* __GFP_NOWARN: the caller may hold locks printk would take */
	if (!verbose || (gfp & __GFP_NOWARN))
		return;
	pr_notice("fail_goheap: failing an allocation of %zu bytes (%pGg): interval %ld, probability %ld, space %ld, times %ld\n",
		  size, &gfp, gh_knob(GH_FAULT_INTERVAL),
		  gh_knob(GH_FAULT_PROBABILITY), gh_knob(GH_FAULT_SPACE),
		  gh_knob(GH_FAULT_TIMES));
	if (verbose > 1)
		dump_stack();
}

/**
 * gh_fault_should_fail() - whether fail_goheap fails this allocation
 * @size: bytes asked for (a GC type's or a typed cache's object size)
 * @gfp: the caller's allocation flags
 *
 * The allocating entry points ask while the hooks key is on, before they
 * take anything, so that a failed call leaves nothing allocated. A failure
 * is counted (FaultInjected in the stats file) and, with verbose, reported.
 *
 * Context: any context; takes no lock.
 * Return: true if the caller must fail the allocation (return NULL).
 */
bool gh_fault_should_fail(size_t size, gfp_t gfp)
{
	if (likely(!gh_knob(GH_FAULT_PROBABILITY)))
		return false;
	if (!gh_fault_eligible(size, gfp) || !gh_knob(GH_FAULT_TIMES))
		return false;
	if (gh_fault_in_space(size) || !gh_fault_on_interval() ||
	    !gh_fault_dice() || !gh_fault_take_time())
		return false;
	gh_count(GH_CNT_FAULT_INJECTED);
	gh_fault_report(size, gfp);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(gh_fault_should_fail);

/**
 * gh_fault_get() - the value of a fail_goheap knob
 * @knob: which
 *
 * Return: its value; booleans are 0 or 1.
 */
long gh_fault_get(enum gh_fault_knob knob)
{
	if (WARN_ON_ONCE((unsigned int)knob >= GH_FAULT_NR_KNOBS))
		return 0;
	return gh_knob(knob);
}
EXPORT_SYMBOL_IF_KUNIT(gh_fault_get);

/**
 * gh_fault_set() - set a fail_goheap knob, as a write to its file does
 * @knob: which
 * @val: the new value
 *
 * Probability going above 0 arms the attribute (a reference on the hooks
 * key), going back to 0 disarms it. Writing probability or interval
 * restarts the interval's count.
 *
 * Context: process context; may sleep.
 * Return: 0, or -EINVAL with the knob unchanged if @val is out of its range.
 */
int gh_fault_set(enum gh_fault_knob knob, long val)
{
	const struct gh_fault_knob_info *k;
	bool arm, disarm;

	if ((unsigned int)knob >= GH_FAULT_NR_KNOBS)
		return -EINVAL;
	k = &gh_fault_knobs[knob];
	if (val < k->min || val > k->max)
		return -EINVAL;
	mutex_lock(&gh_fault_lock);
	arm = knob == GH_FAULT_PROBABILITY && val && !gh_knob(knob);
	disarm = knob == GH_FAULT_PROBABILITY && !val && gh_knob(knob);
	if (arm)
		gh_hooks_get();
	if (knob == GH_FAULT_PROBABILITY || knob == GH_FAULT_INTERVAL)
		atomic_long_set(&gh_fault_calls, 0);
	atomic_long_set(&gh_fault_val[knob], val);
	if (disarm)
		gh_hooks_put();
	mutex_unlock(&gh_fault_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gh_fault_set);

/**
 * gh_fault_reset() - disarm fail_goheap and put every knob back as at load
 *
 * Context: process context; may sleep.
 */
void gh_fault_reset(void)
{
	unsigned int i;

	/* probability first: nothing fails under half-restored knobs */
	for (i = 0; i < GH_FAULT_NR_KNOBS; i++)
		gh_fault_set(i, gh_fault_knobs[i].init);
}
EXPORT_SYMBOL_IF_KUNIT(gh_fault_reset);

/* ---- /sys/kernel/debug/fail_goheap/ ---------------------------------------- */

static enum gh_fault_knob gh_fault_knob_of(struct file *f)
{
	const struct gh_fault_knob_info *k = f->private_data;

	return k - gh_fault_knobs;
}

static ssize_t gh_fault_read(struct file *f, char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	enum gh_fault_knob knob = gh_fault_knob_of(f);
	long val = gh_knob(knob);
	char buf[24];
	int n;

	if (gh_fault_knobs[knob].yes_no)
		n = scnprintf(buf, sizeof(buf), "%c\n", val ? 'Y' : 'N');
	else
		n = scnprintf(buf, sizeof(buf), "%ld\n", val);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

/*
 * A number (with one trailing newline at most), or for a yes/no knob one
 * of 0, 1, Y, N, y, n: not kstrtobool()'s first-character match, which
 * would take "10" or "yes please". Every refusal is -EINVAL.
 */
static int gh_fault_parse(enum gh_fault_knob knob, const char *buf, long *val)
{
	bool yes;

	if (!gh_fault_knobs[knob].yes_no)
		return kstrtol(buf, 0, val) ? -EINVAL : 0;
	if (!buf[0] || (buf[1] && strcmp(buf + 1, "\n")) || kstrtobool(buf, &yes))
		return -EINVAL;
	*val = yes;
	return 0;
}

static ssize_t gh_fault_write(struct file *f, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	enum gh_fault_knob knob = gh_fault_knob_of(f);
	char buf[24];
	long val;
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	ret = gh_fault_parse(knob, buf, &val) ?: gh_fault_set(knob, val);
	return ret ?: len;
}

static const struct file_operations gh_fault_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = gh_fault_read,
	.write = gh_fault_write,
	.llseek = default_llseek,
};

/* Knobs as at load, and the directory with one file per knob. */
void gh_fault_init(void)
{
	unsigned int i;

	prandom_seed_full_state(&gh_fault_rnd);
	for (i = 0; i < GH_FAULT_NR_KNOBS; i++)
		atomic_long_set(&gh_fault_val[i], gh_fault_knobs[i].init);
	gh_fault_dir = debugfs_create_dir("fail_goheap", NULL);
	for (i = 0; i < GH_FAULT_NR_KNOBS; i++)
		debugfs_create_file(gh_fault_knobs[i].name, 0600, gh_fault_dir,
				    (void *)&gh_fault_knobs[i], &gh_fault_fops);
}

/* No writer after the directory is gone: disarm for good. */
void gh_fault_exit(void)
{
	debugfs_remove_recursive(gh_fault_dir);
	gh_fault_set(GH_FAULT_PROBABILITY, 0);
}
