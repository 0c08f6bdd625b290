/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels atcp builds for (Debian's 6.1 and 6.12,
 * generic and PREEMPT_RT), in one place.  The glue is written against the
 * newer kernel's names and shapes; the helpers below fall back for the older
 * ones.  Nothing else in kmod/ tests LINUX_VERSION_CODE.
 *
 * checkpatch's LINUX_VERSION_CODE, CONSTANT_COMPARISON (it takes the
 * LINUX_VERSION_CODE macro for a constant) and MACRO_ARG_UNUSED (an adapter
 * macro expands to nothing where the kernel needs none) warnings are kept for
 * this file alone: tools/lint says why.
 */
#ifndef _ATCP_COMPAT_H
#define _ATCP_COMPAT_H

#include <linux/version.h>
#include <linux/socket.h>
#include <linux/skbuff.h>
#include <linux/sysctl.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

/*
 * 6.10 moved sk_under_memory_pressure() and sk_memory_allocated() from
 * net/sock.h to a header of their own.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#include <net/proto_memory.h>
#endif

/*
 * 6.11 constified the table a proc_handler is given:
 *	static int h(atcp_ctl_table_const struct ctl_table *table, ...)
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define atcp_ctl_table_const const
#else
#define atcp_ctl_table_const
#endif

/*
 * 6.6 added register_net_sysctl_sz(), which takes the table's size; before,
 * the table ends with an empty entry, which callers keep for both.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
static inline struct ctl_table_header *
register_net_sysctl_sz(struct net *net, const char *path,
		       struct ctl_table *table, size_t table_size)
{
	return register_net_sysctl(net, path, table);
}
#endif

/*
 * 6.2 moved a dump's parsed request attributes into a struct genl_info,
 * genl_info_dump(cb)->attrs.
 */
static inline struct nlattr **atcp_genl_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * 6.10 passes proto_ops.accept its flags in a struct proto_accept_arg.
 * ATCP_PROTO_ACCEPT(fn) names, for a proto_ops table, an accept written in
 * the new shape, int fn(struct socket *, struct socket *,
 * struct proto_accept_arg *), adapted to this kernel's.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define ATCP_PROTO_ACCEPT(fn) fn
#else
struct proto_accept_arg {
	int flags;
	int err;
	int is_empty;
	bool kern;
};

#define ATCP_PROTO_ACCEPT(fn) fn##_compat
#define ATCP_DEFINE_PROTO_ACCEPT(fn)					\
static int fn##_compat(struct socket *sock, struct socket *newsock,	\
		       int flags, bool kern)				\
{									\
	struct proto_accept_arg arg = { .flags = flags, .kern = kern };	\
									\
	return fn(sock, newsock, &arg);					\
}
#endif
#ifndef ATCP_DEFINE_PROTO_ACCEPT
#define ATCP_DEFINE_PROTO_ACCEPT(fn)
#endif

/*
 * 6.5 removed proto_ops.sendpage: splice() and sendfile() reach sendmsg()
 * with MSG_SPLICE_PAGES (and MSG_MORE while more follows).  Before, a
 * protocol without sendpage gets them through sock_no_sendpage(), whose
 * sendmsg() carries splice's MSG_SENDPAGE_NOTLAST.  atcp copies those pages
 * like a write's either way.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define ATCP_MSG_SPLICE MSG_SPLICE_PAGES
#else
#define ATCP_MSG_SPLICE MSG_SENDPAGE_NOTLAST
#endif

/*
 * skb_frag_ref() moved to <linux/skbuff_ref.h> between 6.1 and 6.12; the
 * header's presence says where it is.
 */
#if __has_include("linux/skbuff_ref.h")
#include <linux/skbuff_ref.h>
#endif

#endif /* _ATCP_COMPAT_H */
