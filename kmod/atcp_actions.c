// SPDX-License-Identifier: GPL-2.0
/*
 * Carrying out what the engine decided: segments out, payload into the
 * receive or out-of-order queue, acknowledged bytes freed, the timer, the
 * socket state and errors, and whom to wake.  Called by the connection
 * (atcp_conn.c) with the socket lock held (owned by a process, or taken in
 * softirq); calls down to output (atcp_output.c) only.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"

static const u8 atcp_to_tcp_state[ATCP_STATE_COUNT] = {
	[ATCP_CLOSED] = TCP_CLOSE,
	[ATCP_LISTEN] = TCP_LISTEN,
	[ATCP_SYN_SENT] = TCP_SYN_SENT,
	[ATCP_SYN_RECEIVED] = TCP_SYN_RECV,
	[ATCP_ESTABLISHED] = TCP_ESTABLISHED,
	[ATCP_FIN_WAIT_1] = TCP_FIN_WAIT1,
	[ATCP_FIN_WAIT_2] = TCP_FIN_WAIT2,
	[ATCP_CLOSE_WAIT] = TCP_CLOSE_WAIT,
	[ATCP_CLOSING] = TCP_CLOSING,
	[ATCP_LAST_ACK] = TCP_LAST_ACK,
	[ATCP_TIME_WAIT] = TCP_TIME_WAIT,
};

static siphash_key_t atcp_isn_key __read_mostly;

/* RFC 6528's F(): a keyed hash of the 4-tuple; the engine adds the clock. */
u32 atcp_isn_hash_tuple(const struct in6_addr *saddr,
			const struct in6_addr *daddr, __be16 sport,
			__be16 dport)
{
	const struct {
		struct in6_addr saddr;
		struct in6_addr daddr;
		__be16 sport;
		__be16 dport;
	} tuple = {
		.saddr = *saddr,
		.daddr = *daddr,
		.sport = sport,
		.dport = dport,
	};

	return siphash(&tuple, sizeof(tuple), &atcp_isn_key);
}

u32 atcp_isn_hash(const struct sock *sk)
{
	return atcp_isn_hash_tuple(&sk->sk_v6_rcv_saddr, &sk->sk_v6_daddr,
				   htons(sk->sk_num), sk->sk_dport);
}

/*
 * The ISN secret is drawn when the module loads, not at first use as
 * net_get_random_once() would: that patches kernel text (a static key)
 * while connections run, and an emulated CPU has been seen to execute the
 * half-patched instruction ("Oops: int3" in Linux's own inet_ehashfn).
 */
void atcp_isn_key_init(void)
{
	get_random_bytes(&atcp_isn_key, sizeof(atcp_isn_key));
}

/* Keeps payload [off, off+len) of skb, whose data starts at the TCP header. */
static void atcp_keep_payload(struct sk_buff *skb, u32 off, u32 len)
{
	__skb_pull(skb, tcp_hdrlen(skb)); /* linear: atcp_parse() pulled it */
	atcp_skb_cb(skb)->off = off;
	atcp_skb_cb(skb)->len = len;
}

/* skb is charged to sk already (atcp_mem_set_owner_r()). */
static void atcp_receive_tail(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);

	__skb_queue_tail(&sk->sk_receive_queue, skb);
	as->rcv_seq += atcp_skb_cb(skb)->len;
	WRITE_ONCE(as->rcv_unread, as->rcv_unread + atcp_skb_cb(skb)->len);
}

static void atcp_hold(struct sock *sk, struct sk_buff *skb, u32 seq)
{
	struct sk_buff_head *q = &atcp_sk(sk)->ooo;
	struct sk_buff *p;

	atcp_skb_cb(skb)->seq = seq;
	atcp_mem_set_owner_r(skb, sk);
	/* Newest data usually lands last: look from the tail. */
	skb_queue_reverse_walk(q, p) {
		if (!before(seq, atcp_skb_cb(p)->seq)) {
			__skb_queue_after(q, p, skb);
			return;
		}
	}
	__skb_queue_head(q, skb);
}

/* Moves held bytes below drain_to into the receive queue, trimming overlaps. */
static void atcp_drain(struct sock *sk, u32 drain_to)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb, *tmp;

	skb_queue_walk_safe(&as->ooo, skb, tmp) {
		struct atcp_skb_cb *cb = atcp_skb_cb(skb);

		if (!before(cb->seq, drain_to))
			break;
		__skb_unlink(skb, &as->ooo);
		if (!after(cb->seq + cb->len, as->rcv_seq)) {
			/* All of it arrived already. */
			kfree_skb_reason(skb, SKB_DROP_REASON_TCP_OFOMERGE);
			continue;
		}
		if (before(cb->seq, as->rcv_seq)) {
			u32 overlap = as->rcv_seq - cb->seq;

			cb->off += overlap;
			cb->len -= overlap;
		}
		atcp_receive_tail(sk, skb);
	}
}

/* The arrived segment's payload, as the engine placed it; consumes skb. */
static void atcp_apply_receive(struct sock *sk, const struct atcp_actions *act,
			       struct sk_buff *skb)
{
	if (act->deliver_len) {
		atcp_keep_payload(skb, act->deliver_offset, act->deliver_len);
		atcp_mem_set_owner_r(skb, sk);
		atcp_receive_tail(sk, skb);
	} else if (act->hold_len) {
		atcp_keep_payload(skb, act->hold_offset, act->hold_len);
		atcp_hold(sk, skb, act->hold_seq);
	} else {
		consume_skb(skb);
	}
	if (act->drain)
		atcp_drain(sk, act->drain_to);
}

static void atcp_free_acked(struct sock *sk, u32 acked)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb;

	WRITE_ONCE(as->snd_bytes, as->snd_bytes - acked);
	as->snd_head += acked;
	while ((skb = skb_peek(&sk->sk_write_queue)) && as->snd_head >= skb->len) {
		as->snd_head -= skb->len;
		__skb_unlink(skb, &sk->sk_write_queue);
		atcp_wmem_free_skb(sk, skb);
		consume_skb(skb); /* delivered */
	}
}

/*
 * Linux's tcp_sndbuf_expand(): unless SO_SNDBUF set it, the send buffer
 * grows to what the engine asks for, up to net.atcp.wmem's maximum, each
 * segment charged as the skb a send without GSO takes at worst.  Not while
 * atcp's memory is above net.atcp.mem's first value (tcp_should_expand_sndbuf()).
 */
static void atcp_sndbuf_expand(struct sock *sk)
{
	u32 mss, segments, per_mss;
	u64 want;

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) ||
	    sk_under_memory_pressure(sk) ||
	    sk_memory_allocated(sk) >= sk_prot_mem_limits(sk, 0))
		return;
	segments = atcp_engine_send_buffer_segments(&atcp_sk(sk)->tcb, &mss);
	per_mss = roundup_pow_of_two(mss + MAX_TCP_HEADER +
				     SKB_DATA_ALIGN(sizeof(struct skb_shared_info))) +
		  SKB_DATA_ALIGN(sizeof(struct sk_buff));
	want = min_t(u64, (u64)segments * per_mss,
		     atcp_net_wmem(sock_net(sk), 2));
	if (want > sk->sk_sndbuf)
		WRITE_ONCE(sk->sk_sndbuf, want);
}

/* The -errno a failed connection reports (sk_err holds it positive). */
static int atcp_errno(u8 error)
{
	switch (error) {
	case ATCP_ERR_REFUSED:
		return -ECONNREFUSED;
	case ATCP_ERR_RESET:
		/* tcp(4), as BSD's tcp_drop(): ECONNRESET in every state, also
		 * CLOSE-WAIT and LAST-ACK (tcp_reset() says EPIPE in CLOSE-WAIT).
		 */
		return -ECONNRESET;
	case ATCP_ERR_TIMEDOUT:
		return -ETIMEDOUT;
	case ATCP_ERR_NET_UNREACH:
		return -ENETUNREACH;
	case ATCP_ERR_HOST_UNREACH:
		return -EHOSTUNREACH;
	}
	return 0;
}

/*
 * How the events group hears of a connection's end: a reset when a RST
 * ended it, received or sent, else closed.
 */
enum atcp_event atcp_end_event(const struct atcp_actions *act)
{
	return act->error == ATCP_ERR_RESET || act->mib.out_rsts ?
		       ATCP_EVENT_RESET : ATCP_EVENT_CLOSED;
}

static void atcp_arm_timer(struct sock *sk, u64 deadline_us)
{
	struct atcp_sock *as = atcp_sk(sk);
	u64 now = atcp_now_us();

	if (!deadline_us) {
		sk_stop_timer(sk, &as->timer);
		return;
	}
	sk_reset_timer(sk, &as->timer,
		       jiffies + (deadline_us > now ?
				  usecs_to_jiffies(deadline_us - now) : 0) + 1);
}

/*
 * Carries out act, and the output it says is ready (act->more); returns
 * the lifecycle events, ATCP_WAKE_CONNECTED and ATCP_WAKE_RELEASE, for the
 * connection (atcp_apply()) to take.
 */
u8 atcp_actions_run(struct sock *sk, const struct atcp_actions *act,
		    struct sk_buff *skb)
{
	const u8 lifecycle = ATCP_WAKE_CONNECTED | ATCP_WAKE_RELEASE;
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_xmit_batch batch = { .segs = 0 };
	struct atcp_actions more;
	u8 events = 0;
	int err, i;

	for (;;) {
		/* Segment offsets count from the send queue's head after this. */
		if (act->acked) {
			atcp_xmit_flush(sk, &batch);
			atcp_free_acked(sk, act->acked);
		}
		for (i = 0; i < act->nsegs; i++)
			atcp_xmit(sk, &batch, &act->segs[i]);
		if (skb) {
			atcp_apply_receive(sk, act, skb);
			skb = NULL;
		}
		atcp_mib_add_delta(sock_net(sk), &act->mib);

		err = atcp_errno(act->error);
		if (sk->sk_state != atcp_to_tcp_state[act->state]) {
			WRITE_ONCE(sk->sk_state, atcp_to_tcp_state[act->state]);
			/* A lingering close() waits for the FIN's ACK. */
			sk->sk_state_change(sk);
			if (act->state == ATCP_ESTABLISHED)
				atcp_genl_event(sk, ATCP_EVENT_ESTABLISHED);
			if (!atcp_orphan_state(sk->sk_state))
				atcp_orphan_del(sk);
		}
		if (err) {
			WRITE_ONCE(sk->sk_err, -err);
			WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
			sk_error_report(sk);
		}
		if (act->wake & ATCP_WAKE_EOF)
			WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
		events |= act->wake & lifecycle;
		if (act->wake & (ATCP_WAKE_READ | ATCP_WAKE_EOF))
			sk->sk_data_ready(sk);
		if (act->wake & ATCP_WAKE_WRITE) {
			/*
			 * Connected, or new data acknowledged: a soft ICMP
			 * error is reported only if the connection then fails
			 * (RFC 1122 4.2.3.9), so progress forgets it, as
			 * Linux's tcp_ack() clears sk_err_soft.
			 */
			if (!act->error)
				WRITE_ONCE(sk->sk_err_soft, 0);
			atcp_sndbuf_expand(sk);
			sk->sk_write_space(sk);
		}
		if (act->wake & ATCP_WAKE_RELEASE) {
			atcp_xmit_flush(sk, &batch);
			atcp_genl_event(sk, atcp_end_event(act));
			return events; /* no timer: the connection is over */
		}
		if (!act->more)
			break;
		atcp_engine_output(&as->tcb, atcp_now_us(), &more);
		act = &more;
	}
	atcp_xmit_flush(sk, &batch);
	atcp_arm_timer(sk, act->deadline_us);
	return events;
}
