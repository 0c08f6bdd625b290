// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer: the AF_ATCP family, its struct proto and the stream
 * proto_ops.  Every call takes the socket lock, hands the event to the
 * engine and carries out the actions it returns (atcp_actions.c).
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

#define ATCP_DEFAULT_BUF (1 << 20)

static struct proto atcp_prot;
static const struct proto_ops atcp_stream_ops;
static struct net_proto_family atcp_family_ops;

/* sk_stream_write_space(), which the kernel does not export. */
static void atcp_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (!sk->sk_socket || !sk_stream_is_writeable(sk))
		return;
	clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
						      EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

static void atcp_sock_setup(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_state = TCP_CLOSE;
	/*
	 * Linux's TCP grows its buffers up to tcp_rmem/tcp_wmem's maximum as a
	 * connection proves it needs them; atcp starts with room for a
	 * bandwidth-delay product that fast loopback and LAN paths reach.
	 * SO_SNDBUF and SO_RCVBUF still set them.
	 */
	sk->sk_sndbuf = ATCP_DEFAULT_BUF;
	sk->sk_rcvbuf = ATCP_DEFAULT_BUF;
	sk->sk_write_space = atcp_write_space;
	sk->sk_backlog_rcv = atcp_backlog_rcv;
	timer_setup(&as->timer, atcp_timer_fn, 0);
	skb_queue_head_init(&as->ooo);
	spin_lock_init(&as->accept_lock);
	INIT_LIST_HEAD(&as->syn_queue);
	INIT_LIST_HEAD(&as->accept_queue);
	INIT_LIST_HEAD(&as->child_node);
	atcp_net_params(sock_net(sk), &as->params, false);
	atcp_engine_init(&as->tcb, &as->params);
}

/* The last of the socket: the connection is over and no file refers to it. */
static void atcp_destroy(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_unbind(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&as->ooo);
	while (!skb_queue_empty(&sk->sk_write_queue)) {
		struct sk_buff *skb = __skb_dequeue(&sk->sk_write_queue);

		sk_wmem_queued_add(sk, -skb->truesize);
		kfree_skb(skb);
	}
	sock_put(sk); /* the connection's reference, from sk_alloc() */
}

void atcp_connection_over(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sock *parent;
	bool destroy;

	as->released = true;
	sk_stop_timer(sk, &as->timer);
	atcp_unhash_connection(sk);
	WRITE_ONCE(sk->sk_state, TCP_CLOSE);
	__skb_queue_purge(&as->ooo);
	sk->sk_state_change(sk);
	/* A listener is freed only after a grace period (SOCK_RCU_FREE). */
	rcu_read_lock();
	/*
	 * Pairs with atcp_take_child()'s release: no parent seen means the
	 * orphan flag accept() cleared is seen too.
	 */
	parent = smp_load_acquire(&as->parent);
	destroy = READ_ONCE(as->orphan);
	if (parent) {
		bool unlinked = false;

		spin_lock_bh(&parent->accept_lock);
		if (as->parent == parent) {
			list_del_init(&as->child_node);
			parent->nchildren--;
			as->parent = NULL;
			unlinked = true;
		}
		destroy = as->orphan;
		spin_unlock_bh(&parent->accept_lock);
		if (unlinked)
			sock_put(&parent->sk);
	}
	rcu_read_unlock();
	if (destroy)
		atcp_destroy(sk);
}

void atcp_connected(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sock *parent;
	bool queued = false;

	sk->sk_state_change(sk);
	/* The listener's teardown may clear parent and drop its reference. */
	rcu_read_lock();
	parent = smp_load_acquire(&as->parent);
	if (parent) {
		spin_lock_bh(&parent->accept_lock);
		if (as->parent == parent) {
			list_move_tail(&as->child_node, &parent->accept_queue);
			queued = true;
		}
		spin_unlock_bh(&parent->accept_lock);
		if (queued)
			parent->sk.sk_data_ready(&parent->sk);
	}
	rcu_read_unlock();
}

/*
 * An accepted socket starts with its listener's socket-level options, as
 * with Linux's TCP (sk_clone_lock() copies them all) and BSD's.
 */
static void atcp_inherit_options(struct sock *sk, const struct sock *lsk)
{
	static const enum sock_flags inherited[] = {
		SOCK_LINGER, SOCK_KEEPOPEN, SOCK_URGINLINE, SOCK_LOCALROUTE,
		SOCK_DBG,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(inherited); i++)
		sock_valbool_flag(sk, inherited[i], sock_flag(lsk, inherited[i]));
	sk->sk_type = lsk->sk_type;
	sk->sk_rcvbuf = lsk->sk_rcvbuf;
	sk->sk_sndbuf = lsk->sk_sndbuf;
	sk->sk_userlocks = lsk->sk_userlocks;
	sk->sk_lingertime = lsk->sk_lingertime;
	sk->sk_rcvtimeo = lsk->sk_rcvtimeo;
	sk->sk_sndtimeo = lsk->sk_sndtimeo;
	sk->sk_rcvlowat = lsk->sk_rcvlowat;
	sk->sk_reuse = lsk->sk_reuse;
	sk->sk_priority = lsk->sk_priority;
	sk->sk_mark = lsk->sk_mark;
	sk->sk_bound_dev_if = lsk->sk_bound_dev_if;
	sk->sk_uid = lsk->sk_uid;
	atcp_sk(sk)->family = atcp_sk(lsk)->family;
	atcp_sk(sk)->v6only = atcp_sk(lsk)->v6only;
}

/* A SYN for a listener: a child socket takes the connection. */
static void atcp_spawn(struct sock *lsk, struct sk_buff *skb,
		       const struct atcp_tcp_header *h)
{
	struct atcp_sock *las = atcp_sk(lsk);
	struct in6_addr saddr, daddr;
	struct atcp_actions act;
	struct atcp_sock *as;
	struct sock *sk;

	if (READ_ONCE(las->nchildren) > READ_ONCE(lsk->sk_max_ack_backlog))
		return; /* full: the peer retries its SYN */
	sk = sk_alloc(sock_net(lsk), atcp_family_ops.family, GFP_ATOMIC,
		      &atcp_prot, 0);
	if (!sk)
		return;
	sock_init_data(NULL, sk);
	atcp_sock_setup(sk);
	as = atcp_sk(sk);
	as->orphan = true; /* until accept() gives it a file */
	atcp_inherit_options(sk, lsk);
	atcp_skb_addrs(skb, &saddr, &daddr);
	atcp_set_local_addr(sk, &daddr);
	atcp_set_remote_addr(sk, &saddr);
	sk->sk_num = lsk->sk_num;
	sk->sk_dport = htons(h->src_port);
	if (ipv6_addr_type(&saddr) & IPV6_ADDR_LINKLOCAL)
		sk->sk_bound_dev_if = skb->skb_iif;
	if (!atcp_wire_v4(sk)) {
		atcp_net_params(sock_net(sk), &as->params, true);
		atcp_engine_init(&as->tcb, &as->params);
	}
	as->rcv_seq = h->seq + 1;

	bh_lock_sock_nested(sk);
	if (atcp_hash_connection(sk)) {
		bh_unlock_sock(sk);
		sk_free(sk);
		return;
	}
	spin_lock(&las->accept_lock);
	if (!las->accepting) {
		/* The listener is closing: as if it had never heard the SYN. */
		spin_unlock(&las->accept_lock);
		as->released = true;
		atcp_unhash_connection(sk);
		bh_unlock_sock(sk);
		sock_put(sk); /* a lookup may hold it: freed after the last put */
		return;
	}
	sock_hold(lsk);
	as->parent = las;
	list_add_tail(&as->child_node, &las->syn_queue);
	las->nchildren++;
	spin_unlock(&las->accept_lock);

	atcp_engine_accept(&as->tcb, &las->tcb, h, atcp_route_mss(sk),
			   atcp_isn_hash(sk), atcp_now_us(), &act);
	atcp_apply(sk, &act, NULL);
	bh_unlock_sock(sk);
}

void atcp_listen_input(struct sock *sk, struct sk_buff *skb,
		       const struct atcp_tcp_header *h)
{
	u32 payload = skb->len - h->header_len;
	struct atcp_actions act;

	atcp_engine_input(&atcp_sk(sk)->tcb, h, payload, atcp_now_us(), &act);
	atcp_mib_add_delta(sock_net(sk), &act.mib);
	if (act.nsegs) /* a listener only ever answers with RFC 9293's RST */
		atcp_send_reset(sock_net(sk), skb, h, payload);
	if (act.wake & ATCP_WAKE_SPAWN)
		atcp_spawn(sk, skb, h);
	consume_skb(skb);
}

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
	atcp_sock_setup(sk);
	return 0;
}

/*
 * Takes a child off the listener's queues and clears its parent, with a
 * reference to it; the first call also stops the listener from taking new
 * children.  NULL once none is left.
 */
static struct atcp_sock *atcp_unlink_child(struct atcp_sock *las)
{
	struct atcp_sock *child;

	spin_lock_bh(&las->accept_lock);
	las->accepting = false;
	child = list_first_entry_or_null(&las->syn_queue, struct atcp_sock,
					 child_node);
	if (!child)
		child = list_first_entry_or_null(&las->accept_queue,
						 struct atcp_sock, child_node);
	if (child) {
		list_del_init(&child->child_node);
		las->nchildren--;
		/* Still linked, so not destroyed: atcp_connection_over() unlinks first. */
		sock_hold(&child->sk);
		/* Pairs with atcp_connection_over() and atcp_connected(). */
		smp_store_release(&child->parent, NULL);
	}
	spin_unlock_bh(&las->accept_lock);
	return child;
}

/*
 * Resets a listener's children that were never accepted, one at a time:
 * whatever a child's final ACK or RST does meanwhile on another CPU, it
 * finds the child either still queued under accept_lock or without a
 * parent.  The caller owns the listener's lock and holds a reference.
 */
void atcp_close_children(struct sock *sk)
{
	struct atcp_sock *child;

	while ((child = atcp_unlink_child(atcp_sk(sk)))) {
		struct sock *csk = &child->sk;
		struct atcp_actions act;

		sock_put(sk); /* the child's reference on its listener */
		local_bh_disable();
		bh_lock_sock_nested(csk);
		/* Unaccepted children are orphans: released means destroyed. */
		if (!child->released) {
			atcp_engine_abort(&child->tcb, atcp_now_us(), &act);
			atcp_apply(csk, &act, NULL);
		}
		bh_unlock_sock(csk);
		local_bh_enable();
		sock_put(csk);
	}
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
	as->orphan = true;
	if (as->released) {
		atcp_destroy(sk);
	} else {
		atcp_engine_orphan(&as->tcb, atcp_now_us(), &act);
		atcp_apply(sk, &act, NULL);
	}
	release_sock(sk);
	sock_put(sk);
	return 0;
}

/* An address from the user, an IPv4 one v4-mapped. */
struct atcp_uaddr {
	struct in6_addr addr;
	__be16 port;
	int scope_id; /* the device of a link-local IPv6 address */
	u8 family; /* what the user gave: AF_INET or AF_INET6 */
};

static int atcp_parse_in6(struct sock *sk, const struct sockaddr *uaddr,
			  int addr_len, bool bind, struct atcp_uaddr *a)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)uaddr;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	a->addr = sin6->sin6_addr;
	a->port = sin6->sin6_port;
	a->family = AF_INET6;
	if ((ipv6_addr_type(&a->addr) & IPV6_ADDR_LINKLOCAL) &&
	    addr_len >= (int)sizeof(*sin6))
		a->scope_id = sin6->sin6_scope_id;
	if (ipv6_addr_is_multicast(&a->addr))
		return -EAFNOSUPPORT; /* tcp(4) */
	if (ipv6_addr_v4mapped(&a->addr)) {
		/* Linux's answers for IPv4 on a V6ONLY socket. */
		if (atcp_sk(sk)->v6only)
			return bind ? -EINVAL : -ENETUNREACH;
		if (ipv4_is_multicast(a->addr.s6_addr32[3]) ||
		    ipv4_is_lbcast(a->addr.s6_addr32[3]))
			return -EAFNOSUPPORT;
	}
	return 0;
}

/*
 * A sockaddr_in or sockaddr_in6 as tcp(4) and Linux take them.  A socket
 * speaks the family its first bind, connect or IPv6 option used.
 */
static int atcp_parse_addr(struct sock *sk, const struct sockaddr *uaddr,
			   int addr_len, bool bind, struct atcp_uaddr *a)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)uaddr;
	u8 family = READ_ONCE(atcp_sk(sk)->family);

	memset(a, 0, sizeof(*a));
	if (addr_len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (uaddr->sa_family == AF_INET6) {
		if (family == AF_INET)
			return -EAFNOSUPPORT;
		return atcp_parse_in6(sk, uaddr, addr_len, bind, a);
	}
	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	/* Linux's inet_bind() takes AF_UNSPEC with INADDR_ANY, for old programs. */
	if ((sin->sin_family != AF_INET &&
	     !(bind && sin->sin_family == AF_UNSPEC &&
	       sin->sin_addr.s_addr == htonl(INADDR_ANY))) ||
	    family == AF_INET6)
		return -EAFNOSUPPORT;
	/* tcp(4): a multicast (or broadcast) address is EAFNOSUPPORT. */
	if (ipv4_is_multicast(sin->sin_addr.s_addr) ||
	    ipv4_is_lbcast(sin->sin_addr.s_addr))
		return -EAFNOSUPPORT;
	ipv6_addr_set_v4mapped(sin->sin_addr.s_addr, &a->addr);
	a->port = sin->sin_port;
	a->family = AF_INET;
	return 0;
}

/* Whether a specific local address is this host's (EADDRNOTAVAIL if not). */
static int atcp_check_local(struct sock *sk, const struct atcp_uaddr *a)
{
	struct net *net = sock_net(sk);
	struct net_device *dev = NULL;
	bool local;

	if (ipv6_addr_v4mapped(&a->addr)) {
		switch (inet_addr_type(net, a->addr.s6_addr32[3])) {
		case RTN_LOCAL:
			return 0;
		case RTN_BROADCAST:
			return -EAFNOSUPPORT;
		default:
			return -EADDRNOTAVAIL; /* not this host's */
		}
	}
	if (ipv6_addr_type(&a->addr) & IPV6_ADDR_LINKLOCAL) {
		if (!a->scope_id)
			return -EINVAL; /* as Linux: which link? */
		rcu_read_lock();
		dev = dev_get_by_index_rcu(net, a->scope_id);
		local = dev && ipv6_chk_addr(net, &a->addr, dev, 0);
		rcu_read_unlock();
		return dev ? (local ? 0 : -EADDRNOTAVAIL) : -ENODEV;
	}
	return ipv6_chk_addr(net, &a->addr, NULL, 0) ? 0 : -EADDRNOTAVAIL;
}

/* The wildcard of the socket's family: where it binds when not told. */
static struct in6_addr atcp_wildcard(const struct sock *sk)
{
	struct in6_addr any = in6addr_any;

	if (atcp_sk(sk)->family != AF_INET6)
		ipv6_addr_set_v4mapped(htonl(INADDR_ANY), &any);
	return any;
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
		atcp_sk(sk)->family = a.family;
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

	atcp_engine_setopt(&as->tcb, ATCP_OPTION_RCVBUF, READ_ONCE(sk->sk_rcvbuf),
			   atcp_now_us(), &act);
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
		/* Seed 002: listen() picks a port when none was bound. */
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
	atcp_net_params(sock_net(sk), &as->params, false);
	atcp_sync_options(sk);
	atcp_engine_listen(&as->tcb, &as->params, sk->sk_num);
	atcp_genl_event(sk, ATCP_EVENT_LISTEN);
out:
	release_sock(sk);
	return err;
}

static struct atcp_sock *atcp_take_child(struct atcp_sock *as)
{
	struct atcp_sock *child;

	spin_lock_bh(&as->accept_lock);
	child = list_first_entry_or_null(&as->accept_queue, struct atcp_sock,
					 child_node);
	if (child) {
		list_del_init(&child->child_node);
		as->nchildren--;
		child->orphan = false;
		/*
		 * Pairs with atcp_connection_over(): whoever sees the child
		 * without its listener sees it owned by accept() too.
		 */
		smp_store_release(&child->parent, NULL);
	}
	spin_unlock_bh(&as->accept_lock);
	return child;
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
	as->family = a->family;
	if (!as->bound) {
		struct in6_addr any = atcp_wildcard(sk);

		err = atcp_bind_port(sk, &any, 0);
		if (err)
			return err;
	}
	atcp_set_local_addr(sk, &saddr);
	atcp_set_remote_addr(sk, &a->addr);
	sk->sk_dport = a->port;
	err = atcp_hash_connection(sk);
	if (err) {
		atcp_set_remote_addr(sk, &in6addr_any);
		sk->sk_dport = 0;
		return err;
	}
	sk_dst_reset(sk);
	atcp_net_params(sock_net(sk), &as->params, !v4);
	atcp_sync_options(sk);
	atcp_engine_connect(&as->tcb, &as->params, sk->sk_num,
			    ntohs(a->port), atcp_route_mss(sk), atcp_isn_hash(sk),
			    atcp_now_us(), &act);
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
	if (atcp_sk(sk)->family == AF_INET6) {
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
