// SPDX-License-Identifier: GPL-2.0
/*
 * The socket calls: the AF_ATCP family, its struct proto and the stream
 * proto_ops for socket, bind, listen, accept, connect, getname and close
 * (send, receive, poll and shutdown are atcp_stream.c's, options
 * atcp_sockopt.c's).  Each call takes the socket lock, hands the event to
 * the engine and has the connection carry out the actions it returns
 * (atcp_apply() in atcp_conn.c).  Top of the call flow: socket calls ->
 * connection -> actions -> output.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_addr.h"
#include "atcp_sock.h"

static struct proto atcp_prot;
static const struct proto_ops atcp_stream_ops;
static struct net_proto_family atcp_family_ops;

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
	atcp_conn_init(sk);
	return 0;
}

static int atcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as;
	struct atcp_actions act;
	u64 now = atcp_now_us();

	if (!sk)
		return 0;
	as = atcp_sk(sk);
	sock_hold(sk);
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN)
		atcp_close_children(sk);
	if (!as->released) {
		/*
		 * SO_LINGER with a zero time resets; so does closing with data
		 * unread, which the peer would otherwise believe delivered
		 * (RFC 2525 2.17).
		 */
		bool reset = (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) ||
			     !skb_queue_empty(&sk->sk_receive_queue);

		if (reset)
			atcp_engine_abort(&as->tcb, now, &act);
		else
			atcp_engine_close(&as->tcb, now, &act);
		atcp_apply(sk, &act, NULL);
		/* SO_LINGER's time: until the peer has it all, as tcp_close(). */
		if (!reset && sock_flag(sk, SOCK_LINGER))
			sk_stream_wait_close(sk, sk->sk_lingertime);
	}
	sock_orphan(sk);
	sock->sk = NULL;
	WRITE_ONCE(as->orphan, true);
	if (as->released) {
		atcp_conn_destroy(sk);
	} else {
		atcp_engine_orphan(&as->tcb, atcp_now_us(), &act);
		atcp_apply(sk, &act, NULL);
		if (!as->released && atcp_orphan_state(sk->sk_state))
			atcp_orphan_add(sk);
	}
	release_sock(sk);
	sock_put(sk);
	return 0;
}

static int atcp_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct sock *sk = sock->sk;
	struct net *net = sock_net(sk);
	struct atcp_uaddr a;
	u16 port;
	int err;

	err = atcp_parse_addr(sk, uaddr, addr_len, true, &a);
	if (err)
		return err;
	port = ntohs(a.port);
	if (!atcp_wild_families(&a.addr, false)) {
		err = atcp_check_local(sk, &a);
		if (err)
			return err;
	}
	if (port && inet_port_requires_bind_service(net, port) &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);
	if (sk->sk_state != TCP_CLOSE || atcp_sk(sk)->bound) {
		err = -EINVAL;
	} else {
		WRITE_ONCE(atcp_sk(sk)->family, a.family);
		if (a.scope_id)
			sk->sk_bound_dev_if = a.scope_id;
		err = atcp_bind_port(sk, &a.addr, port);
	}
	release_sock(sk);
	return err;
}

/* The engine's options that come from generic socket state. */
static void atcp_sync_options(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_actions act;

	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		atcp_engine_setopt(&as->tcb, ATCP_OPTION_RCVBUF,
				   READ_ONCE(sk->sk_rcvbuf), atcp_now_us(), &act);
	atcp_engine_setopt(&as->tcb, ATCP_OPTION_KEEPALIVE,
			   sock_flag(sk, SOCK_KEEPOPEN), atcp_now_us(), &act);
}

static int atcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	int somaxconn = READ_ONCE(sock_net(sk)->core.sysctl_somaxconn);
	int err = 0;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED ||
	    (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN) ||
	    as->released) {
		err = -EINVAL;
		goto out;
	}
	WRITE_ONCE(sk->sk_max_ack_backlog, clamp(backlog, 0, somaxconn));
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	if (!as->bound) {
		/* tcp(4), ip(7): listen() binds an unbound socket to a port. */
		struct in6_addr any = atcp_wildcard(sk);

		err = atcp_bind_port(sk, &any, 0);
		if (err)
			goto out;
	}
	err = atcp_listen_start(sk);
	if (err)
		goto out;
	spin_lock_bh(&as->accept_lock);
	as->accepting = true;
	spin_unlock_bh(&as->accept_lock);
	atcp_sync_options(sk);
	atcp_engine_listen(&as->tcb, sk->sk_num);
	atcp_genl_event(sk, ATCP_EVENT_LISTEN);
out:
	release_sock(sk);
	return err;
}

static int atcp_accept(struct socket *sock, struct socket *newsock,
		       struct proto_accept_arg *arg)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sock *child = NULL;
	long timeo;
	int err = 0;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, arg->flags & O_NONBLOCK);
	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_state != TCP_LISTEN) {
			err = -EINVAL;
			break;
		}
		child = atcp_take_child(as);
		if (child)
			break;
		if (!timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	release_sock(sk);
	if (!child)
		return err;

	lock_sock(&child->sk);
	sock_graft(&child->sk, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(&child->sk);
	sock_put(sk); /* the child's reference on its listener */
	return 0;
}

ATCP_DEFINE_PROTO_ACCEPT(atcp_accept)

static int atcp_wait_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		if (!timeo || signal_pending(current))
			break;
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

/* Sets the 4-tuple, hashes it and sends the SYN. */
static int atcp_start_connect(struct sock *sk, const struct atcp_uaddr *a)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct in6_addr saddr = sk->sk_v6_rcv_saddr;
	bool v4 = ipv6_addr_v4mapped(&a->addr);
	struct atcp_actions act;
	struct dst_entry *dst;
	int err;

	if (a->scope_id)
		sk->sk_bound_dev_if = a->scope_id;
	if ((ipv6_addr_type(&a->addr) & IPV6_ADDR_LINKLOCAL) &&
	    !sk->sk_bound_dev_if)
		return -EINVAL; /* as Linux: which link? */
	if (as->bound && !atcp_wild_families(&saddr, false) &&
	    ipv6_addr_v4mapped(&saddr) != v4)
		return -ENETUNREACH; /* a source of the other family */
	if (!as->bound || atcp_wild_families(&saddr, false)) {
		saddr = in6addr_any;
		if (v4)
			ipv6_addr_set_v4mapped(htonl(INADDR_ANY), &saddr);
	}
	dst = atcp_route_to(sock_net(sk), sk, &saddr, &a->addr,
			    htons(sk->sk_num), a->port, sk->sk_bound_dev_if);
	if (IS_ERR(dst))
		return PTR_ERR(dst) == -ENETUNREACH ? -ENETUNREACH : -EHOSTUNREACH;
	dst_release(dst);
	WRITE_ONCE(as->family, a->family);
	if (!as->bound) {
		err = atcp_bind_for_connect(sk, &saddr, a);
		if (err)
			return err;
	}
	atcp_set_local_addr(sk, &saddr);
	atcp_set_remote_addr(sk, &a->addr);
	sk->sk_dport = a->port;
	err = atcp_hash_connect(sk);
	if (err) {
		atcp_set_remote_addr(sk, &in6addr_any);
		sk->sk_dport = 0;
		return err;
	}
	sk_dst_reset(sk);
	atcp_sync_options(sk);
	atcp_engine_connect(&as->tcb, !v4, sk->sk_num, ntohs(a->port),
			    atcp_route_mss(sk), atcp_isn_hash(sk), atcp_now_us(),
			    &act);
	atcp_apply(sk, &act, NULL);
	return 0;
}

static int atcp_connect(struct socket *sock, struct sockaddr *uaddr,
			int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct atcp_uaddr a;
	long timeo;
	int err;

	err = atcp_parse_addr(sk, uaddr, addr_len, false, &a);
	if (err)
		return err;

	lock_sock(sk);
	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
			err = -EISCONN;
			goto out;
		}
		err = -EALREADY;
		break;
	default:
		if (sk->sk_state != TCP_CLOSE) {
			err = -EISCONN;
			goto out;
		}
		/* A socket may try again after a failed connection. */
		atcp_sk(sk)->released = false;
		err = atcp_start_connect(sk, &a);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		if (!timeo)
			goto out;
		timeo = atcp_wait_connect(sk, timeo);
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			goto out;
		err = -ETIMEDOUT;
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			goto out;
	}
	if (sk->sk_state == TCP_CLOSE) {
		err = sock_error(sk) ?: -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int atcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sock *sk = sock->sk;
	bool connected = sk->sk_dport &&
		!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT));
	const struct in6_addr *addr = peer ? &sk->sk_v6_daddr :
					     &sk->sk_v6_rcv_saddr;
	__be16 port = peer ? sk->sk_dport : htons(sk->sk_num);
	struct sockaddr_in *sin;

	if (peer && !connected)
		return -ENOTCONN;
	if (READ_ONCE(atcp_sk(sk)->family) == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;

		memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		sin6->sin6_addr = *addr;
		sin6->sin6_scope_id = ipv6_iface_scope_id(addr,
							  sk->sk_bound_dev_if);
		return sizeof(*sin6);
	}
	sin = (struct sockaddr_in *)uaddr;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = port;
	sin->sin_addr.s_addr = peer ? sk->sk_daddr : sk->sk_rcv_saddr;
	return sizeof(*sin);
}

static struct proto atcp_prot = {
	.name = "ATCP",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct atcp_sock),
	.keepalive = atcp_keepalive,
	.backlog_rcv = atcp_backlog_rcv,
	.release_cb = atcp_release_cb,
};

static const struct proto_ops atcp_stream_ops = {
	.owner = THIS_MODULE,
	.release = atcp_release,
	.bind = atcp_bind,
	.connect = atcp_connect,
	.socketpair = sock_no_socketpair,
	.accept = ATCP_PROTO_ACCEPT(atcp_accept),
	.getname = atcp_getname,
	.poll = atcp_poll,
	.ioctl = atcp_ioctl,
	.listen = atcp_listen,
	.shutdown = atcp_shutdown,
	.setsockopt = atcp_setsockopt,
	.getsockopt = atcp_getsockopt,
	.sendmsg = atcp_sendmsg,
	.recvmsg = atcp_recvmsg,
	.mmap = sock_no_mmap,
};

static struct net_proto_family atcp_family_ops = {
	.create = atcp_create,
	.owner = THIS_MODULE,
};

int atcp_sock_init(int family)
{
	int err;

	err = atcp_mem_init(&atcp_prot);
	if (err)
		return err;
	err = proto_register(&atcp_prot, 1);
	if (err)
		goto exit_mem;
	atcp_family_ops.family = family;
	err = sock_register(&atcp_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("protocol family %d is already registered by another protocol: load with family=N naming a free number\n",
			       family);
		proto_unregister(&atcp_prot);
		goto exit_mem;
	}
	return 0;

exit_mem:
	atcp_mem_exit();
	return err;
}

void atcp_sock_exit(void)
{
	sock_unregister(atcp_family_ops.family);
	proto_unregister(&atcp_prot);
	atcp_mem_exit();
}
