// SPDX-License-Identifier: GPL-2.0
/*
 * goheap's debugfs directory, /sys/kernel/debug/goheap/:
 *
 *   stats        runtime.MemStats-style figures (stats.c's snapshot)
 *   sizeclasses  one line per size class
 *   percpu       what each CPU's cache holds
 *   arenas       one line per arena, with a map of its pages
 *   drain        write 1: goheap_drain()
 *   reset        write 1: restart the cumulative counters
 *
 * The collector adds gc/<domain>/ under the same directory. Files are 0400
 * or 0200 and print no kernel addresses. Control files share one strict
 * parser, gh_debugfs_parse_one().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <goheap.h>

#include "internal.h"

static struct dentry *gh_debugfs_dir;

static int stats_show(struct seq_file *m, void *v)
{
	struct goheap_stats st;
	struct gh_heap_stats hs;

	goheap_read_stats(&st);
	gh_heap_read_stats(&hs);
	seq_printf(m, "Alloc %llu\n", st.alloc);
	seq_printf(m, "TotalAlloc %llu\n", st.total_alloc);
	seq_printf(m, "Sys %llu\n", st.sys);
	seq_printf(m, "Mallocs %llu\n", st.mallocs);
	seq_printf(m, "Frees %llu\n", st.frees);
	seq_printf(m, "HeapAlloc %llu\n", st.alloc);
	seq_printf(m, "HeapSys %llu\n", st.heap_sys);
	seq_printf(m, "HeapIdle %llu\n", st.heap_idle);
	seq_printf(m, "HeapInuse %llu\n", st.heap_inuse);
	seq_printf(m, "HeapReleased %llu\n", st.heap_released);
	seq_printf(m, "HeapObjects %llu\n", st.heap_objects);
	seq_printf(m, "CacheBytes %llu\n", st.cache_bytes);
	seq_printf(m, "CentralBytes %llu\n", st.central_bytes);
	seq_printf(m, "PendingBytes %llu\n", st.pending_bytes);
	seq_printf(m, "TailBytes %llu\n", st.tail_bytes);
	seq_printf(m, "GCBytes %llu\n", st.gc_bytes);
	seq_printf(m, "MetaBytes %llu\n", st.meta_bytes);
	seq_printf(m, "Arenas %lu\n", hs.arenas);
	seq_printf(m, "Spans %lu\n", hs.spans);
	seq_printf(m, "InvalidFrees %llu\n", st.invalid_frees);
	seq_printf(m, "DoubleFrees %llu\n", st.double_frees);
	seq_printf(m, "Oversize %llu\n", st.oversize);
	seq_printf(m, "Refills %llu\n", st.refills);
	seq_printf(m, "Flushes %llu\n", st.flushes);
	seq_printf(m, "CentralFrees %llu\n", st.central_frees);
	seq_printf(m, "CentralAllocs %llu\n", st.central_allocs);
	seq_printf(m, "RemoteFrees %llu\n", st.remote_frees);
	seq_printf(m, "SpanAllocs %llu\n", st.span_allocs);
	seq_printf(m, "SpanFrees %llu\n", st.span_frees);
	seq_printf(m, "BadGfp %llu\n", st.bad_gfp);
	seq_printf(m, "Overflows %llu\n", st.overflows);
	seq_printf(m, "WritesAfterFree %llu\n", st.writes_after_free);
	seq_printf(m, "Quarantined %llu\n", st.quarantined);
	seq_printf(m, "ValidateErrors %llu\n", st.validate_errors);
	seq_printf(m, "FaultInjected %llu\n", st.fault_injected);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* Internal waste of a class in tenths of a percent: class bytes not asked for. */
static unsigned long gh_waste_permille(const struct gh_pcpu_stats *s, unsigned int cls)
{
	u64 given = gh_class_bytes_allocated(s, cls);

	if (!given)
		return 0;
	return div64_u64((given - s->class_requested[cls]) * 1000, given);
}

static int sizeclasses_show(struct seq_file *m, void *v)
{
	struct gh_snapshot *snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	unsigned int cls;

	if (!snap)
		return -ENOMEM;
	gh_take_snapshot(snap);
	if (!snap->tally) {
		kfree(snap);
		return -ENOMEM;
	}
	seq_puts(m, "class size pages objects mallocs frees live spans_cached spans_partial spans_full bytes_inuse waste_permille\n");
	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		const struct gh_class_info *c = &gh_classes[cls];
		const struct gh_span_tally *t = snap->tally;

		seq_printf(m, "%u %u %u %u %ld %ld %ld %lu %lu %lu %llu %lu\n",
			   cls, c->size, c->npages, c->nelems,
			   snap->since.class_mallocs[cls], snap->since.class_frees[cls],
			   snap->now.class_mallocs[cls] - snap->now.class_frees[cls],
			   t->owned[cls], t->partial[cls], t->full[cls],
			   t->bytes[cls],
			   gh_waste_permille(&snap->since, cls));
	}
	kfree(snap->tally);
	kfree(snap);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sizeclasses);

static int percpu_show(struct seq_file *m, void *v)
{
	int cpu;

	seq_puts(m, "cpu objects bytes refills flushes\n");
	for_each_possible_cpu(cpu) {
		const struct gh_pcpu_stats *s = per_cpu_ptr(&gh_stats, cpu);
		unsigned long objects = 0, bytes = 0, slots;
		unsigned int cls;

		rcu_read_lock();
		for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
			slots = gh_cache_free_slots(cpu, cls);
			objects += slots;
			bytes += slots * gh_classes[cls].size;
		}
		rcu_read_unlock();
		/* counts since load: reset applies to sums only */
		seq_printf(m, "%d %lu %lu %ld %ld\n", cpu, objects, bytes,
			   s->cnt[GH_CNT_REFILLS], s->cnt[GH_CNT_FLUSHES]);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(percpu);

#define GH_ARENAS_SHOWN	256

static int arenas_show(struct seq_file *m, void *v)
{
	struct gh_arena_info *info = kcalloc(GH_ARENAS_SHOWN, sizeof(*info), GFP_KERNEL);
	unsigned int n, i;

	if (!info)
		return -ENOMEM;
	n = gh_heap_arena_info(info, GH_ARENAS_SHOWN);
	seq_puts(m, "arena order pages inuse free map\n");
	for (i = 0; i < min(n, GH_ARENAS_SHOWN); i++)
		seq_printf(m, "%u %u %u %u %u %s\n", i, info[i].order,
			   info[i].npages, info[i].inuse,
			   info[i].npages - info[i].inuse, info[i].map);
	if (n > GH_ARENAS_SHOWN)
		seq_printf(m, "... %u more arenas\n", n - GH_ARENAS_SHOWN);
	kfree(info);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arenas);

/* Per online NUMA node: its CPUs and the arenas that serve it. */
static int nodes_show(struct seq_file *m, void *v)
{
	struct gh_heap_stats hs;
	int nid;

	seq_puts(m, "node cpus arenas sys_bytes inuse_bytes idle_bytes\n");
	for_each_online_node(nid) {
		gh_heap_node_stats(nid, &hs);
		seq_printf(m, "%d %u %lu %llu %llu %llu\n", nid,
			   cpumask_weight(cpumask_of_node(nid)), hs.arenas,
			   hs.sys_bytes, hs.inuse_bytes, hs.idle_bytes);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nodes);

/**
 * gh_debugfs_parse_one() - parse a write to a control file
 * @ubuf: what was written
 * @len: its length
 *
 * Control files take exactly "1", with or without one trailing newline;
 * anything else (an empty write, "1\0", "01", " 1") is refused. A refusal
 * is not logged: a fuzzer must not be able to fill the kernel log.
 *
 * Return: 0 for "1", -EINVAL otherwise, -EFAULT if @ubuf cannot be read.
 */
int gh_debugfs_parse_one(const char __user *ubuf, size_t len)
{
	char buf[2];

	if (len < 1 || len > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (buf[0] != '1' || (len == 2 && buf[1] != '\n'))
		return -EINVAL;
	return 0;
}

static ssize_t drain_write(struct file *f, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	int ret = gh_debugfs_parse_one(ubuf, len);

	if (ret)
		return ret;
	goheap_drain();
	return len;
}

static ssize_t reset_write(struct file *f, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	int ret = gh_debugfs_parse_one(ubuf, len);

	if (!ret)
		ret = gh_stats_reset();
	return ret ?: len;
}

static const struct file_operations drain_fops = {
	.owner = THIS_MODULE,
	.write = drain_write,
	.llseek = noop_llseek,
};

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.write = reset_write,
	.llseek = noop_llseek,
};

/* goheap's debugfs directory, where the collector adds its own files. */
struct dentry *gh_debugfs_root(void)
{
	return gh_debugfs_dir;
}

void gh_debugfs_init(void)
{
	gh_debugfs_dir = debugfs_create_dir("goheap", NULL);
	debugfs_create_file("stats", 0400, gh_debugfs_dir, NULL, &stats_fops);
	debugfs_create_file("sizeclasses", 0400, gh_debugfs_dir, NULL,
			    &sizeclasses_fops);
	debugfs_create_file("percpu", 0400, gh_debugfs_dir, NULL, &percpu_fops);
	debugfs_create_file("arenas", 0400, gh_debugfs_dir, NULL, &arenas_fops);
	debugfs_create_file("nodes", 0400, gh_debugfs_dir, NULL, &nodes_fops);
	debugfs_create_file("drain", 0200, gh_debugfs_dir, NULL, &drain_fops);
	debugfs_create_file("reset", 0200, gh_debugfs_dir, NULL, &reset_fops);
}

void gh_debugfs_exit(void)
{
	debugfs_remove_recursive(gh_debugfs_dir);
}
