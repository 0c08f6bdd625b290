// SPDX-License-Identifier: GPL-2.0
/*
 * TIME-WAIT without its socket.  When its process has closed a connection
 * in TIME-WAIT, atcp_apply() hands it here: an entry of a few hundred
 * bytes (atcp_timewait.h) takes the 4-tuple, and the port if the socket
 * was bound, for the rest of 2 MSL and answers the connection's segments
 * through the engine (atcp_engine_time_wait_input); the socket and its
 * buffers are freed.  At most net.atcp.max_tw_buckets entries per
 * namespace: past that the connection ends at once, as in Linux's
 * tcp_time_wait() (TCPTimeWaitOverflow).
 *
 * Lifetime: the entry's reference from creation belongs to its timer while
 * it is hashed; whoever unhashes it (the timer, an acceptable RST, the
 * namespace's teardown) drops that reference, and lookups hold their own.
 * Freed after an RCU grace period, since lookups walk the tables under RCU.
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <net/tcp_states.h>

#include "atcp.h"
#include "atcp_sock.h"
#include "atcp_timewait.h"

static struct kmem_cache *atcp_tw_cache __read_mostly;

/* Room for the TCB an entry's segment is answered through, per CPU. */
static struct atcp_tcb __percpu *atcp_tw_scratch;

int atcp_tw_init(void)
{
	atcp_tw_scratch = alloc_percpu(struct atcp_tcb);
	atcp_tw_cache = kmem_cache_create("atcp_tw", sizeof(struct atcp_tw), 0,
					  0, NULL);
	if (!atcp_tw_scratch || !atcp_tw_cache) {
		atcp_tw_exit();
		return -ENOMEM;
	}
	return 0;
}

/* After every namespace's atcp_tw_purge(). */
void atcp_tw_exit(void)
{
	rcu_barrier(); /* the frees call_rcu() queued */
	kmem_cache_destroy(atcp_tw_cache);
	free_percpu(atcp_tw_scratch);
	atcp_tw_cache = NULL;
	atcp_tw_scratch = NULL;
}

static void atcp_tw_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(atcp_tw_cache, container_of(head, struct atcp_tw, rcu));
}

void atcp_tw_put(struct atcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt))
		call_rcu(&tw->rcu, atcp_tw_free_rcu);
}

/* Unhashes tw and drops its timer's reference, once. */
static void atcp_tw_kill(struct atcp_tw *tw)
{
	if (!atcp_unhash_tw(tw))
		return;
	atcp_net_time_wait_drop(atcp_tw_net(tw));
	atcp_tw_put(tw);
}

static void atcp_tw_expire(struct timer_list *t)
{
	struct atcp_tw *tw = from_timer(tw, t, timer);

	atcp_mib_add(atcp_tw_net(tw), ATCP_MIB_TIME_WAIT, 1);
	atcp_tw_kill(tw);
}

static unsigned long atcp_tw_expiry(u64 end_us, u64 now_us)
{
	return jiffies + usecs_to_jiffies(end_us > now_us ? end_us - now_us : 0);
}

/*
 * sk, in TIME-WAIT and closed by its process, is about to end: an entry
 * takes its place, unless max_tw_buckets is reached or there is no memory.
 * The caller holds the socket's lock and ends the connection after.
 */
void atcp_tw_enter(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct net *net = sock_net(sk);
	struct atcp_tw *tw = NULL;
	u64 end_us;

	if (atcp_net_time_wait_take(net))
		tw = kmem_cache_alloc(atcp_tw_cache, GFP_ATOMIC);
	if (!tw) {
		atcp_net_time_wait_drop(net);
		atcp_mib_add(net, ATCP_MIB_TIME_WAIT_OVERFLOW, 1);
		return;
	}
	write_pnet(&tw->net, net);
	tw->laddr = sk->sk_v6_rcv_saddr;
	tw->raddr = sk->sk_v6_daddr;
	tw->lport = sk->sk_num;
	tw->rport = sk->sk_dport;
	tw->family = as->family;
	tw->v6only = as->v6only;
	tw->reuse = sk->sk_reuse;
	tw->bound = as->bound;
	tw->hashed = false;
	INIT_HLIST_NODE(&tw->estab_node);
	INIT_HLIST_NODE(&tw->bind_node);
	spin_lock_init(&tw->lock);
	refcount_set(&tw->refcnt, 1);
	end_us = atcp_engine_time_wait(&as->tcb, &tw->engine);
	/*
	 * Hashed before its timer runs, which unhashes it.  A RST answered in
	 * between finds no timer to stop: the entry then lives its 2 MSL.
	 */
	timer_setup(&tw->timer, atcp_tw_expire, 0);
	atcp_hash_tw(tw);
	mod_timer(&tw->timer, atcp_tw_expiry(end_us, atcp_now_us()));
}

/*
 * A segment for tw, checksummed and parsed: the engine answers it as the
 * connection would have.  Consumes skb.  In softirq, or as a socket's
 * backlog runs with bottom halves off (atcp_redispatch()).
 */
void atcp_tw_input(struct atcp_tw *tw, struct sk_buff *skb,
		   const struct atcp_tcp_header *h)
{
	struct net *net = atcp_tw_net(tw);
	struct atcp_actions act;
	u64 now = atcp_now_us();
	int i;

	/* The scratch TCB is this CPU's while bottom halves stay off. */
	local_bh_disable();
	spin_lock(&tw->lock);
	atcp_engine_time_wait_input(&tw->engine, this_cpu_ptr(atcp_tw_scratch),
				    h, skb->len - h->header_len, now, &act);
	spin_unlock(&tw->lock);
	local_bh_enable();
	for (i = 0; i < act.nsegs; i++)
		atcp_send_reply(net, skb, &act.segs[i]);
	atcp_mib_add_delta(net, &act.mib);
	if (act.wake & ATCP_WAKE_RELEASE) {
		/* An acceptable RST ends it (RFC 9293 3.10.7.4, second). */
		if (timer_delete(&tw->timer))
			atcp_tw_kill(tw);
	} else {
		/* A retransmitted FIN restarts 2 MSL; a fired timer stays so. */
		mod_timer_pending(&tw->timer,
				  atcp_tw_expiry(act.deadline_us, now));
	}
	consume_skb(skb);
}

/* Milliseconds until tw ends, for the dump. */
u32 atcp_tw_timer_ms(const struct atcp_tw *tw)
{
	long left = (long)(READ_ONCE(tw->timer.expires) - jiffies);

	return left > 0 ? jiffies_to_msecs(left) : 0;
}

/*
 * A namespace's teardown: every entry of net ends.  No socket is left in
 * net to make new ones (each holds a reference on it).
 */
void atcp_tw_purge(struct net *net)
{
	struct atcp_tw *tw;
	long bucket = 0;

	while ((tw = atcp_next_tw(net, &bucket))) {
		if (timer_delete_sync(&tw->timer))
			atcp_tw_kill(tw);
		atcp_tw_put(tw);
		/* One an RST is ending on another CPU may come round again. */
		cond_resched();
	}
}
