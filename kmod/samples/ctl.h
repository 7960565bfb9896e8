/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The samples' debugfs control file: one command per write, a line of
 * fewer than 80 characters, run under the sample's lock; the write fails
 * with the command's error. Each sample includes this once and creates
 * its file with
 *
 *	static const struct sample_ctl my_ctl = { .run = my_run, .lock = &my_lock };
 *	debugfs_create_file("ctl", 0200, dir, (void *)&my_ctl, &sample_ctl_fops);
 *
 * Copy it along with the sample.
 */
#ifndef GOHEAP_SAMPLE_CTL_H
#define GOHEAP_SAMPLE_CTL_H

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/uaccess.h>

struct sample_ctl {
	int (*run)(char *line);	/* the command, blanks trimmed: 0 or an error */
	struct mutex *lock;	/* held while it runs */
};

static ssize_t sample_ctl_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	const struct sample_ctl *ctl = file->private_data;
	char buf[80];
	int ret;

	if (len >= sizeof(buf)) {
		pr_err("command too long\n");
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(ctl->lock);
	ret = ctl->run(strim(buf));
	mutex_unlock(ctl->lock);
	return ret ? ret : len;
}

static const struct file_operations sample_ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sample_ctl_write,
	.llseek = noop_llseek,
};

#endif /* GOHEAP_SAMPLE_CTL_H */
