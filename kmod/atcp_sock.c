// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer: the AF_ATCP family, its struct proto and proto_ops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/in.h>
#include <net/sock.h>

#include "atcp.h"

struct atcp_sock {
	struct sock sk; /* must be first: sk_alloc() sizes the object from proto */
};

static struct proto atcp_prot = {
	.name = "ATCP",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct atcp_sock),
};

static int atcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sock_orphan(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static const struct proto_ops atcp_stream_ops = {
	.owner = THIS_MODULE,
	.release = atcp_release,
	.bind = sock_no_bind,
	.connect = sock_no_connect,
	.socketpair = sock_no_socketpair,
	.accept = sock_no_accept,
	.getname = sock_no_getname,
	.ioctl = sock_no_ioctl,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.sendmsg = sock_no_sendmsg,
	.recvmsg = sock_no_recvmsg,
	.mmap = sock_no_mmap,
	.sendpage = sock_no_sendpage,
};

static int atcp_create(struct net *net, struct socket *sock, int protocol,
		       int kern);

static struct net_proto_family atcp_family_ops = {
	.create = atcp_create,
	.owner = THIS_MODULE,
};

static int atcp_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct sock *sk;

	/* The errno values inet_create() gives for the same mistakes. */
	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, atcp_family_ops.family, GFP_KERNEL, &atcp_prot,
		      kern);
	if (!sk)
		return -ENOBUFS;
	sock->state = SS_UNCONNECTED;
	sock->ops = &atcp_stream_ops;
	sock_init_data(sock, sk);
	sk->sk_protocol = IPPROTO_TCP;
	return 0;
}

int atcp_sock_init(int family)
{
	int err;

	err = proto_register(&atcp_prot, 1);
	if (err)
		return err;
	atcp_family_ops.family = family;
	err = sock_register(&atcp_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("protocol family %d is already registered by another protocol: load with family=N naming a free number\n",
			       family);
		proto_unregister(&atcp_prot);
	}
	return err;
}

void atcp_sock_exit(void)
{
	sock_unregister(atcp_family_ops.family);
	proto_unregister(&atcp_prot);
}
