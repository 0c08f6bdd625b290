// SPDX-License-Identifier: GPL-2.0
/*
 * The connection: what happens to an atcp socket between socket() or a
 * listener's SYN and its last reference.  Its fields and timer, a
 * listener's children and their queues, the engine's lifecycle events
 * (connected, released) and the socket's end.
 *
 * Where it sits: socket calls (atcp_sock.c, atcp_stream.c, atcp_sockopt.c)
 * and input (atcp_input.c, atcp_icmp.c) call the engine, then atcp_apply()
 * here, which has the actions carried out (atcp_actions.c, then
 * atcp_output.c) and takes the lifecycle events they report.  Nothing here
 * calls back up into the socket calls or input.
 */
#include <linux/tcp.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"

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

/*
 * Runs the engine's deadline under the socket's spinlock: from the timer,
 * or from release_sock() when the timer fired while a process owned the
 * socket.
 */
static void atcp_timer_expired(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_actions act;

	if (as->released)
		return;
	atcp_engine_timer(&as->tcb, atcp_now_us(), &act);
	atcp_apply(sk, &act, NULL);
}

static void atcp_timer_fn(struct timer_list *t)
{
	struct atcp_sock *as = from_timer(as, t, timer);
	struct sock *sk = &as->sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		atcp_timer_expired(sk);
	} else if (!test_and_set_bit(ATCP_TIMER_DEFERRED, &as->deferred)) {
		/* The owner's release_sock() runs it: atcp_release_cb(). */
		sock_hold(sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk); /* the armed timer's reference */
}

/*
 * proto.release_cb: release_sock() calls it with the socket's spinlock held
 * and bottom halves off, as tcp_release_cb() runs TCP's deferred timers.
 */
void atcp_release_cb(struct sock *sk)
{
	if (!test_and_clear_bit(ATCP_TIMER_DEFERRED, &atcp_sk(sk)->deferred))
		return;
	atcp_timer_expired(sk);
	__sock_put(sk); /* atcp_timer_fn()'s; the owner still holds one */
}

/* Fields of a new socket: from socket() or a listener's SYN. */
void atcp_conn_init(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_params params;

	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_state = TCP_CLOSE;
	/* A socket reads the sysctls once: socket(), or a listener's SYN. */
	atcp_net_params(sock_net(sk), &params);
	/*
	 * net.atcp.rmem's and wmem's defaults, which grow as the connection
	 * proves it needs more (atcp_sndbuf_expand(), the engine's
	 * right-sizing) unless SO_SNDBUF or SO_RCVBUF set them.
	 */
	sk->sk_sndbuf = atcp_net_wmem(sock_net(sk), 1);
	sk->sk_rcvbuf = params.rcv_buf;
	sk->sk_write_space = atcp_write_space;
	sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv; /* as inet_create() */
	timer_setup(&as->timer, atcp_timer_fn, 0);
	skb_queue_head_init(&as->ooo);
	spin_lock_init(&as->accept_lock);
	INIT_LIST_HEAD(&as->syn_queue);
	INIT_LIST_HEAD(&as->accept_queue);
	INIT_LIST_HEAD(&as->child_node);
	atcp_engine_init(&as->tcb, &params);
}

/* The last of the socket: the connection is over and no file refers to it. */
void atcp_conn_destroy(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_unbind(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&as->ooo);
	skb_queue_purge(&sk->sk_error_queue); /* charged to sk_rmem_alloc */
	while (!skb_queue_empty(&sk->sk_write_queue)) {
		struct sk_buff *skb = __skb_dequeue(&sk->sk_write_queue);

		sk_wmem_queued_add(sk, -skb->truesize);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_CLOSE);
	}
	sock_put(sk); /* the connection's reference, from sk_alloc() */
}

/* The engine let go (ATCP_WAKE_RELEASE): unhash, unlink from the listener. */
static void atcp_connection_over(struct sock *sk)
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
			WRITE_ONCE(parent->nchildren, parent->nchildren - 1);
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
		atcp_conn_destroy(sk);
}

/* ESTABLISHED (ATCP_WAKE_CONNECTED): a child becomes ready for accept(). */
static void atcp_connected(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sock *parent;
	bool queued = false;

	sk->sk_state_change(sk);
	rcu_read_lock();
	/*
	 * The listener's teardown may clear parent and drop its reference:
	 * pairs with atcp_unlink_child()'s release.
	 */
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
 * Carries out the engine's actions for sk (locked: owned, or in softirq)
 * and the lifecycle events they report.  skb is the arrived segment the
 * actions place, or NULL.
 */
void atcp_apply(struct sock *sk, const struct atcp_actions *act,
		struct sk_buff *skb)
{
	u8 events = atcp_actions_run(sk, act, skb);

	if (events & ATCP_WAKE_CONNECTED)
		atcp_connected(sk);
	if (events & ATCP_WAKE_RELEASE)
		atcp_connection_over(sk);
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
	atcp_sk(sk)->family = READ_ONCE(atcp_sk(lsk)->family);
	atcp_sk(sk)->v6only = atcp_sk(lsk)->v6only;
	atcp_sk(sk)->recverr = READ_ONCE(atcp_sk(lsk)->recverr);
	atcp_sk(sk)->recverr6 = READ_ONCE(atcp_sk(lsk)->recverr6);
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
	sk = sk_alloc(sock_net(lsk), lsk->sk_family, GFP_ATOMIC, lsk->sk_prot,
		      0);
	if (!sk)
		return;
	sock_init_data(NULL, sk);
	atcp_conn_init(sk);
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
	WRITE_ONCE(las->nchildren, las->nchildren + 1);
	spin_unlock(&las->accept_lock);

	atcp_engine_accept(&as->tcb, &las->tcb, h, !atcp_wire_v4(sk),
			   atcp_route_mss(sk), atcp_isn_hash(sk), atcp_now_us(),
			   &act);
	atcp_apply(sk, &act, NULL);
	bh_unlock_sock(sk);
}

void atcp_listen_input(struct sock *sk, struct sk_buff *skb,
		       const struct atcp_tcp_header *h)
{
	struct atcp_actions act;
	int i;

	atcp_engine_input(&atcp_sk(sk)->tcb, h, skb->len - h->header_len,
			  atcp_now_us(), &act);
	atcp_mib_add_delta(sock_net(sk), &act.mib);
	/* A listener only ever answers with RFC 9293's RST. */
	for (i = 0; i < act.nsegs; i++)
		atcp_send_reply(sock_net(sk), skb, &act.segs[i]);
	if (act.wake & ATCP_WAKE_SPAWN)
		atcp_spawn(sk, skb, h);
	consume_skb(skb);
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
		WRITE_ONCE(las->nchildren, las->nchildren - 1);
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

/* The first established child, for accept(): NULL if none is ready. */
struct atcp_sock *atcp_take_child(struct atcp_sock *as)
{
	struct atcp_sock *child;

	spin_lock_bh(&as->accept_lock);
	child = list_first_entry_or_null(&as->accept_queue, struct atcp_sock,
					 child_node);
	if (child) {
		list_del_init(&child->child_node);
		WRITE_ONCE(as->nchildren, as->nchildren - 1);
		WRITE_ONCE(child->orphan, false);
		/*
		 * Pairs with atcp_connection_over(): whoever sees the child
		 * without its listener sees it owned by accept() too.
		 */
		smp_store_release(&child->parent, NULL);
	}
	spin_unlock_bh(&as->accept_lock);
	return child;
}
