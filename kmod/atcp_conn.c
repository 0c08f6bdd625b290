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
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/tcp.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"
#include "atcp_syncache.h"
#include "atcp_timewait.h"

/* Takes child off parent's lists and counts; the caller holds accept_lock. */
/* A child leaves its listener's SYN queue: established, or gone. */
static void atcp_syn_dequeue(struct atcp_sock *parent, struct atcp_sock *child)
{
	if (!child->syn_queued)
		return;
	child->syn_queued = false;
	WRITE_ONCE(parent->nsyn, parent->nsyn - 1);
	atcp_net_half_open_add(sock_net(&parent->sk), -1);
}

static void atcp_unqueue_child(struct atcp_sock *parent,
			       struct atcp_sock *child)
{
	list_del_init(&child->child_node);
	WRITE_ONCE(parent->nchildren, parent->nchildren - 1);
	atcp_syn_dequeue(parent, child);
}

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

/* The socket's memory, all of it uncharged by now, back to the protocol. */
static void atcp_destruct(struct sock *sk)
{
	sk_mem_reclaim_final(sk);
	WARN_ON_ONCE(sk->sk_forward_alloc);
	sk_sockets_allocated_dec(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
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
	INIT_HLIST_HEAD(&as->syn_entries);
	INIT_LIST_HEAD(&as->accept_queue);
	INIT_LIST_HEAD(&as->child_node);
	INIT_LIST_HEAD(&as->orphan_node);
	sk->sk_destruct = atcp_destruct;
	/* In all, and in the namespace (/proc/net/protocols' sockets). */
	sk_sockets_allocated_inc(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	atcp_engine_init(&as->tcb, &params);
}

/* The last of the socket: the connection is over and no file refers to it. */
void atcp_conn_destroy(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_orphan_del(sk);
	atcp_unbind(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&as->ooo);
	skb_queue_purge(&sk->sk_error_queue); /* charged to sk_rmem_alloc */
	while (!skb_queue_empty(&sk->sk_write_queue)) {
		struct sk_buff *skb = __skb_dequeue(&sk->sk_write_queue);

		atcp_wmem_free_skb(sk, skb);
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
			atcp_unqueue_child(parent, as);
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
			atcp_syn_dequeue(parent, as);
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
	if (events & ATCP_WAKE_RELEASE) {
		atcp_connection_over(sk);
	} else if (sk->sk_state == TCP_TIME_WAIT && atcp_sk(sk)->orphan &&
		   !atcp_sk(sk)->parent) {
		/* Closed by its process: an entry takes the rest of 2 MSL. */
		atcp_tw_enter(sk);
		atcp_connection_over(sk);
	}
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

/*
 * A new child of lsk for the connection skb (a SYN, or the ACK of a SYN
 * cookie) opens, hashed and on the listener's syn_queue, locked; or NULL.
 * rcv_seq: the sequence number of the peer's first byte of data.
 */
static struct sock *atcp_new_child(struct sock *lsk, struct sk_buff *skb,
				   const struct atcp_tcp_header *h, u32 rcv_seq)
{
	struct atcp_sock *las = atcp_sk(lsk);
	struct in6_addr saddr, daddr;
	struct atcp_sock *as;
	struct sock *sk;

	sk = sk_alloc(sock_net(lsk), lsk->sk_family, GFP_ATOMIC, lsk->sk_prot,
		      0);
	if (!sk) {
		atcp_mib_add(sock_net(lsk), ATCP_MIB_LISTEN_DROPS, 1);
		return NULL;
	}
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
	as->rcv_seq = rcv_seq;

	/*
	 * Under the listener's lock, which input took nested: the child's is
	 * the outer class, as Linux's sk_clone_lock() takes it.
	 */
	bh_lock_sock(sk);
	if (atcp_hash_connection(sk)) {
		bh_unlock_sock(sk);
		sk_free(sk);
		return NULL;
	}
	spin_lock(&las->accept_lock);
	if (!las->accepting) {
		/* The listener is closing: as if it had never heard the SYN. */
		spin_unlock(&las->accept_lock);
		as->released = true;
		atcp_unhash_connection(sk);
		bh_unlock_sock(sk);
		sock_put(sk); /* a lookup may hold it: freed after the last put */
		return NULL;
	}
	sock_hold(lsk);
	as->parent = las;
	list_add_tail(&as->child_node, &las->syn_queue);
	as->syn_queued = true;
	WRITE_ONCE(las->nchildren, las->nchildren + 1);
	WRITE_ONCE(las->nsyn, las->nsyn + 1);
	atcp_net_half_open_add(sock_net(lsk), 1);
	spin_unlock(&las->accept_lock);
	return sk;
}

/*
 * As Linux's sk_acceptq_is_full() and inet_csk_reqsk_queue_is_full():
 * each queue takes one connection more than listen(2)'s backlog; and the
 * namespace's listeners together keep at most net.atcp.max_syn_backlog
 * connections in their handshake.
 */
static bool atcp_accept_queue_full(struct sock *lsk)
{
	struct atcp_sock *las = atcp_sk(lsk);

	return READ_ONCE(las->nchildren) - READ_ONCE(las->nsyn) >
	       READ_ONCE(lsk->sk_max_ack_backlog);
}

static bool atcp_syn_queue_full(struct sock *lsk)
{
	struct atcp_sock *las = atcp_sk(lsk);

	return READ_ONCE(las->nsyn) + READ_ONCE(las->nentries) >
		       READ_ONCE(lsk->sk_max_ack_backlog) ||
	       atcp_net_half_open_full(sock_net(lsk));
}

static siphash_key_t atcp_cookie_keys[2];

/* Drawn when the module loads, as the ISN secret (atcp_isn_key_init()). */
void atcp_syncookie_keys_init(void)
{
	get_random_bytes(atcp_cookie_keys, sizeof(atcp_cookie_keys));
}

/*
 * The keyed hashes of skb's 4-tuple (the peer's address and port first)
 * that a SYN cookie is made of, as Linux's cookie_hash(): one key for the
 * 4-tuple alone, one for the 4-tuple and the counter.
 */
static void atcp_cookie_hashes(const struct sk_buff *skb,
			       const struct atcp_tcp_header *h, u64 now_us,
			       struct atcp_syncookie_hashes *hs)
{
	struct {
		struct in6_addr saddr;
		struct in6_addr daddr;
		u16 sport;
		u16 dport;
		u32 counter;
	} in = {
		.sport = h->src_port,
		.dport = h->dst_port,
	};
	int i;

	atcp_skb_addrs(skb, &in.saddr, &in.daddr);
	hs->counter = atcp_syncookie_counter(now_us);
	hs->tuple = siphash(&in, sizeof(in), &atcp_cookie_keys[0]);
	for (i = 0; i < ATCP_SYNCOOKIE_MAX_AGE; i++) {
		in.counter = hs->counter - i;
		hs->at_counter[i] = siphash(&in, sizeof(in),
					    &atcp_cookie_keys[1]);
	}
}

/* Whether skb came over IPv4 (atcp_skb_addrs() maps it into IPv6). */
static bool atcp_skb_v4(const struct sk_buff *skb)
{
	return ip_hdr(skb)->version == 4;
}

/*
 * RFC 4987 3.6: the SYN queue is full, so the SYN is answered with a
 * cookie and nothing is kept; the peer's SYN retransmissions stand in for
 * our SYN-ACK's.
 */
static void atcp_send_cookie(struct sock *lsk, struct sk_buff *skb,
			     const struct atcp_tcp_header *h)
{
	struct atcp_sock *las = atcp_sk(lsk);
	struct atcp_syncookie_hashes hs;
	struct atcp_actions act;
	u64 now = atcp_now_us();

	atcp_cookie_hashes(skb, h, now, &hs);
	atcp_engine_syncookie_synack(&las->tcb, h, !atcp_skb_v4(skb),
				     atcp_reply_mss(sock_net(lsk), skb, h), &hs,
				     now, &act);
	if (!act.nsegs)
		return;
	atcp_send_reply(sock_net(lsk), skb, &act.segs[0]);
	atcp_mib_add_delta(sock_net(lsk), &act.mib);
	atcp_mib_add(sock_net(lsk), ATCP_MIB_SYNCOOKIES_SENT, 1);
	WRITE_ONCE(las->cookie_sent, jiffies);
	WRITE_ONCE(las->cookies_sent, true);
}

/*
 * A SYN for a listener: a SYN cache entry takes the connection; past the
 * SYN queue or the peer's share of the cache, a cookie answers it
 * (net.atcp.syncookies); past the accept queue, it is dropped and the
 * peer retries.
 */
static void atcp_spawn(struct sock *lsk, struct sk_buff *skb,
		       const struct atcp_tcp_header *h)
{
	struct net *net = sock_net(lsk);
	int syncookies = atcp_net_syncookies(net);
	bool full;

	atcp_mib_add(net, ATCP_MIB_SYNS_RECEIVED, 1);
	if (atcp_accept_queue_full(lsk)) {
		atcp_mib_add(net, ATCP_MIB_LISTEN_OVERFLOWS, 1);
		atcp_mib_add(net, ATCP_MIB_LISTEN_DROPS, 1);
		return;
	}
	full = atcp_syn_queue_full(lsk);
	if (syncookies != 2 && !full) {
		if (atcp_syn_open(lsk, skb, h) != -ENOSPC)
			return;
		full = true;
	}
	if (syncookies) {
		if (full)
			atcp_mib_add(net, ATCP_MIB_REQQ_FULL_DO_COOKIES, 1);
		atcp_send_cookie(lsk, skb, h);
		return;
	}
	atcp_mib_add(net, ATCP_MIB_REQQ_FULL_DROP, 1);
	atcp_mib_add(net, ATCP_MIB_LISTEN_DROPS, 1);
}

/*
 * The handshake of one of lsk's SYN cache entries completed: a child takes
 * the connection over with tcb, its whole TCB, and is returned locked, on
 * lsk's syn_queue until the caller applies the handshake's actions.  NULL
 * (counted) when the accept queue is full or there is no memory: the entry
 * stays, and the peer's next ACK or our next SYN-ACK tries again, as in
 * Linux's tcp_check_req().
 */
struct sock *atcp_adopt(struct sock *lsk, struct sk_buff *skb,
			const struct atcp_tcp_header *h, u32 rcv_seq,
			const struct atcp_tcb *tcb)
{
	struct sock *sk;

	if (atcp_accept_queue_full(lsk)) {
		atcp_mib_add(sock_net(lsk), ATCP_MIB_LISTEN_OVERFLOWS, 1);
		atcp_mib_add(sock_net(lsk), ATCP_MIB_LISTEN_DROPS, 1);
		return NULL;
	}
	sk = atcp_new_child(lsk, skb, h, rcv_seq);
	if (sk)
		atcp_sk(sk)->tcb = *tcb;
	return sk;
}

/*
 * An ACK for a listener, which no connection took: if cookies went out
 * within a cookie's life and this one is valid, it opens an established
 * child, which then takes the segment (its data and FIN).  Whether skb was
 * taken.
 */
static bool atcp_cookie_ack(struct sock *lsk, struct sk_buff *skb,
			    const struct atcp_tcp_header *h)
{
	struct atcp_sock *las = atcp_sk(lsk);
	struct atcp_syncookie_hashes hs;
	struct atcp_syncookie cookie;
	struct atcp_actions act;
	u64 now = atcp_now_us();
	struct sock *sk;

	if ((h->flags & (ATCP_TCP_SYN | ATCP_TCP_RST | ATCP_TCP_ACK)) !=
	    ATCP_TCP_ACK || !READ_ONCE(las->cookies_sent) ||
	    time_after(jiffies, READ_ONCE(las->cookie_sent) +
				usecs_to_jiffies(ATCP_SYNCOOKIE_MAX_AGE *
						 ATCP_SYNCOOKIE_PERIOD_US)))
		return false;
	atcp_cookie_hashes(skb, h, now, &hs);
	if (!atcp_engine_syncookie_check(&las->tcb, h, !atcp_skb_v4(skb), &hs,
					 now, &cookie)) {
		atcp_mib_add(sock_net(lsk), ATCP_MIB_SYNCOOKIES_FAILED, 1);
		return false;
	}
	atcp_mib_add(sock_net(lsk), ATCP_MIB_SYNCOOKIES_RECV, 1);
	if (atcp_accept_queue_full(lsk)) {
		atcp_mib_add(sock_net(lsk), ATCP_MIB_LISTEN_OVERFLOWS, 1);
		atcp_mib_add(sock_net(lsk), ATCP_MIB_LISTEN_DROPS, 1);
		consume_skb(skb);
		return true;
	}
	sk = atcp_new_child(lsk, skb, h, h->seq);
	if (!sk) {
		consume_skb(skb);
		return true;
	}
	atcp_engine_syncookie_accept(&atcp_sk(sk)->tcb, &las->tcb, h,
				     !atcp_wire_v4(sk), atcp_route_mss(sk),
				     &cookie, now, &act);
	atcp_apply(sk, &act, NULL);
	if (atcp_mem_admit(sk, skb, h)) {
		atcp_engine_input(&atcp_sk(sk)->tcb, h,
				  skb->len - h->header_len, now, &act);
		atcp_apply(sk, &act, skb);
	} else {
		kfree_skb_reason(skb, SKB_DROP_REASON_PROTO_MEM);
	}
	bh_unlock_sock(sk);
	return true;
}

void atcp_listen_input(struct sock *sk, struct sk_buff *skb,
		       const struct atcp_tcp_header *h)
{
	struct atcp_actions act;
	int i;

	if (atcp_syn_input(sk, skb, h) || atcp_cookie_ack(sk, skb, h))
		return;
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
		atcp_unqueue_child(las, child);
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

	atcp_syn_close_all(sk);
	while ((child = atcp_unlink_child(atcp_sk(sk)))) {
		struct sock *csk = &child->sk;
		struct atcp_actions act;

		sock_put(sk); /* the child's reference on its listener */
		local_bh_disable();
		bh_lock_sock(csk); /* as inet_csk_listen_stop() */
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
		atcp_unqueue_child(as, child);
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
