// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's debugfs files, goheap/gc/<domain>/: stats, in the names of Go's
 * runtime.MemStats, and collect, which runs a forced cycle.
 *
 * The statistics are copied under the domain lock and printed after it is
 * dropped, so a slow reader never holds up allocation or a sweep. Like
 * goheap's other control files, collect takes exactly "1" (debugfs.c's
 * gh_debugfs_parse_one()) and refuses anything else without logging.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "gc.h"

/* The last pauses, oldest first, in one line. */
static void gh_gc_show_pauses(struct seq_file *m, const struct gh_gc_stats *s)
{
	unsigned int i, n = min_t(u64, 2 * s->num_gc, GH_GC_PAUSES);

	seq_puts(m, "PauseNs");
	for (i = 0; i < n; i++)
		seq_printf(m, " %llu",
			   s->pause_ns[(s->pause_next + GH_GC_PAUSES - n + i) % GH_GC_PAUSES]);
	seq_putc(m, '\n');
}

static int gc_stats_show(struct seq_file *m, void *v)
{
	struct goheap_gc_domain *d = m->private;
	struct gh_gc_stats *s;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	spin_lock_bh(&d->lock);
	*s = d->stats;
	seq_printf(m, "HeapAlloc %llu\nHeapCached %llu\nHeapSpans %llu\nHeapLive %llu\nHeapGoal %llu\nTrigger %llu\n",
		   gh_gc_heap_alloc(d), d->heap_cached, d->span_bytes, d->heap_live,
		   d->heap_goal, d->trigger);
	spin_unlock_bh(&d->lock);
	seq_printf(m, "NumGC %llu\nNumForcedGC %llu\nLastGC %llu\nPauseTotalNs %llu\n",
		   s->num_gc, s->num_forced_gc, s->last_gc_ns, s->pause_total_ns);
	seq_printf(m, "BytesMarked %lld\nObjectsFreed %llu\nAssistNs %llu\nAssists %llu\nAssistMaxNs %llu\n",
		   (long long)atomic64_read(&s->bytes_marked), s->objects_freed,
		   s->assist_ns, s->assists, s->assist_max_ns);
	seq_printf(m, "ForeignPointers %lld\nBadStores %llu\nBadTypes %llu\nBadSections %llu\nLimitFailures %llu\n",
		   (long long)atomic64_read(&s->foreign_ptrs), s->bad_stores,
		   s->bad_types, s->bad_sections, s->limit_failures);
	gh_gc_show_pauses(m, s);
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gc_stats);

/* Write "1": a forced cycle. The parser is goheap's one for control files. */
static ssize_t gc_collect_write(struct file *f, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct goheap_gc_domain *d = file_inode(f)->i_private;
	int ret = gh_debugfs_parse_one(ubuf, len);

	if (!ret)
		ret = goheap_gc_collect(d);
	return ret ?: len;
}

static const struct file_operations gc_collect_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = gc_collect_write,
	.llseek = noop_llseek,
};

/**
 * gh_gc_debugfs_add() - create @d's directory and files
 * @d: a domain being registered
 * @parent: goheap's gc/ directory
 */
void gh_gc_debugfs_add(struct goheap_gc_domain *d, struct dentry *parent)
{
	d->dir = debugfs_create_dir(d->name, parent);
	debugfs_create_file("stats", 0400, d->dir, d, &gc_stats_fops);
	debugfs_create_file("collect", 0200, d->dir, d, &gc_collect_fops);
}

/**
 * gh_gc_debugfs_remove() - remove @d's directory, after any read or write
 * of its files in progress
 * @d: a domain being destroyed
 */
void gh_gc_debugfs_remove(struct goheap_gc_domain *d)
{
	debugfs_remove_recursive(d->dir);
}
