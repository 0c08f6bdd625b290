// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs atcp/tcp_codec: runs the engine's header codec inside the module.
 * Write a TCP header (and any payload); read back the fields the codec parsed
 * and the header it writes from them.  A malformed header fails the write with
 * EINVAL.  It lets a selftest prove that the C++ engine works in the kernel.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <atcp/tcp_codec.h>

#include "atcp.h"

#define PROBE_INPUT_MAX 256
#define PROBE_TEXT_MAX 512

struct codec_probe {
	struct mutex lock; /* one result per open file */
	size_t len;
	char text[PROBE_TEXT_MAX];
};

static struct dentry *probe_dir;

static size_t format_header(char *buf, size_t size,
			    const struct atcp_tcp_header *h)
{
	const struct atcp_tcp_options *o = &h->opt;
	u8 wire[ATCP_TCP_HDR_MAX];
	size_t n, wire_len, i;

	n = scnprintf(buf, size,
		      "sport %u dport %u seq %u ack %u hlen %u flags 0x%02x win %u",
		      h->src_port, h->dst_port, h->seq, h->ack, h->header_len,
		      h->flags, h->window);
	if (o->present & ATCP_OPT_MSS)
		n += scnprintf(buf + n, size - n, " mss %u", o->mss);
	if (o->present & ATCP_OPT_WSCALE)
		n += scnprintf(buf + n, size - n, " wscale %u", o->wscale);
	if (o->present & ATCP_OPT_SACK_PERM)
		n += scnprintf(buf + n, size - n, " sackok");
	if (o->present & ATCP_OPT_TIMESTAMP)
		n += scnprintf(buf + n, size - n, " ts %u %u", o->ts_val,
			       o->ts_ecr);
	for (i = 0; i < o->sack_count; i++)
		n += scnprintf(buf + n, size - n, " sack %u-%u",
			       o->sack[i].start, o->sack[i].end);

	wire_len = atcp_tcp_write(h, wire, sizeof(wire));
	n += scnprintf(buf + n, size - n, "\nwire %*phN\n", (int)wire_len, wire);
	return n;
}

static const char *status_name(enum atcp_codec_status status)
{
	switch (status) {
	case ATCP_CODEC_OK:
		return "ok";
	case ATCP_CODEC_TRUNCATED:
		return "truncated";
	case ATCP_CODEC_BAD_OFFSET:
		return "bad-offset";
	case ATCP_CODEC_BAD_OPTION:
		return "bad-option";
	}
	return "unknown";
}

static ssize_t probe_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct codec_probe *p = file->private_data;
	enum atcp_codec_status status;
	struct atcp_tcp_header h;
	u8 seg[PROBE_INPUT_MAX];

	if (count > sizeof(seg))
		return -EINVAL;
	if (copy_from_user(seg, ubuf, count))
		return -EFAULT;

	status = atcp_tcp_parse(seg, count, &h);
	mutex_lock(&p->lock);
	if (status == ATCP_CODEC_OK)
		p->len = format_header(p->text, sizeof(p->text), &h);
	else
		p->len = scnprintf(p->text, sizeof(p->text), "%s\n",
				   status_name(status));
	mutex_unlock(&p->lock);
	return status == ATCP_CODEC_OK ? count : -EINVAL;
}

static ssize_t probe_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct codec_probe *p = file->private_data;
	ssize_t ret;

	mutex_lock(&p->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, p->text, p->len);
	mutex_unlock(&p->lock);
	return ret;
}

static int probe_open(struct inode *inode, struct file *file)
{
	struct codec_probe *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	mutex_init(&p->lock);
	file->private_data = p;
	return nonseekable_open(inode, file);
}

static int probe_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations probe_fops = {
	.owner = THIS_MODULE,
	.open = probe_open,
	.release = probe_release,
	.read = probe_read,
	.write = probe_write,
};

void atcp_codec_probe_init(void)
{
	/* debugfs is a debugging aid: failures here do not fail the load. */
	probe_dir = debugfs_create_dir("atcp", NULL);
	debugfs_create_file("tcp_codec", 0600, probe_dir, NULL, &probe_fops);
}

void atcp_codec_probe_exit(void)
{
	debugfs_remove(probe_dir);
}
