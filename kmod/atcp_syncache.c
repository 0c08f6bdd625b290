// SPDX-License-Identifier: GPL-2.0
/*
 * The SYN cache.  A listener answers a SYN with an entry, not a socket: the
 * engine opens the child in a scratch TCB and keeps what the handshake
 * reads of it (struct atcp_syn_received), the entry holds that, the 4-tuple
 * and a timer for the SYN-ACK's retransmissions, and the socket is made
 * when the handshake's ACK arrives (atcp_adopt()).  Each segment and
 * timeout rebuilds the TCB from the entry and runs the connection's own
 * rules on it, so an entry answers as a half-open socket would.
 *
 * Bounds: a listener's SYN queue (its entries and its children still in
 * the handshake) holds one more than its backlog, a namespace's listeners
 * net.atcp.max_syn_backlog together (atcp_conn.c checks both), and one
 * peer address at most a quarter of max_syn_backlog: entries hash into
 * buckets by the peer's address under a per-boot key, and a bucket takes
 * no more of a namespace's entries than that, so that neither one source
 * nor addresses an attacker picks to collide can fill the cache.  Past a
 * bound, a SYN cookie answers the SYN (net.atcp.syncookies) or it is
 * dropped.
 *
 * Locking: everything about an entry happens under its listener's socket
 * lock (as owner or in softirq): its engine state, its place in the
 * listener's list and whether it is dead.  The bucket's lock guards only
 * the bucket's chain, which listeners share.  The timer takes the
 * listener's lock; an entry ended while its timer runs is freed by the
 * timer, else by whoever ended it.  An entry holds a reference on its
 * listener until it is freed, after an RCU grace period (so that the
 * module, which the listener pins, outlives the timer's last instructions).
 */
#include <linux/delay.h>
#include <linux/jhash.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "atcp.h"
#include "atcp_sock.h"
#include "atcp_syncache.h"

#include <net/netns/hash.h>

#define SYN_BITS 9

struct atcp_syn_bucket {
	spinlock_t lock; /* the chain; taken inside a listener's lock */
	struct hlist_head head;
};

static struct kmem_cache *atcp_syn_cache __read_mostly;
static struct atcp_syn_bucket *syn_table;
static u32 syn_seed __read_mostly;
static atomic_t atcp_syn_count = ATOMIC_INIT(0);

/* Room for the TCB an entry is rebuilt into, per CPU. */
static struct atcp_tcb __percpu *atcp_syn_scratch;

int atcp_syn_init(void)
{
	size_t i;

	atcp_syn_scratch = alloc_percpu(struct atcp_tcb);
	syn_table = kvmalloc_array(1 << SYN_BITS, sizeof(*syn_table),
				   GFP_KERNEL);
	atcp_syn_cache = kmem_cache_create("atcp_syn", sizeof(struct atcp_syn),
					   0, 0, NULL);
	if (!atcp_syn_scratch || !syn_table || !atcp_syn_cache) {
		atcp_syn_exit();
		return -ENOMEM;
	}
	for (i = 0; i < (1 << SYN_BITS); i++) {
		spin_lock_init(&syn_table[i].lock);
		INIT_HLIST_HEAD(&syn_table[i].head);
	}
	syn_seed = get_random_u32();
	return 0;
}

/* After every listener closed, so after every entry ended. */
void atcp_syn_exit(void)
{
	/* An entry's timer may still be freeing it. */
	while (atomic_read(&atcp_syn_count))
		msleep(20);
	rcu_barrier();
	kmem_cache_destroy(atcp_syn_cache);
	kvfree(syn_table);
	free_percpu(atcp_syn_scratch);
	atcp_syn_cache = NULL;
	syn_table = NULL;
	atcp_syn_scratch = NULL;
}

static struct atcp_syn_bucket *syn_bucket(const struct net *net,
					  const struct in6_addr *raddr)
{
	u32 h = __ipv6_addr_jhash(raddr, syn_seed ^ net_hash_mix(net));

	return &syn_table[h & ((1 << SYN_BITS) - 1)];
}

static void atcp_syn_free_rcu(struct rcu_head *head)
{
	struct atcp_syn *e = container_of(head, struct atcp_syn, rcu);

	sock_put(e->listener);
	kmem_cache_free(atcp_syn_cache, e);
	atomic_dec(&atcp_syn_count);
}

static void atcp_syn_free(struct atcp_syn *e)
{
	call_rcu(&e->rcu, atcp_syn_free_rcu);
}

/*
 * Ends e: off its bucket and its listener's list, uncounted.  Under the
 * listener's lock.  Whether the caller frees it: not if its timer is
 * running, which then does.
 */
static bool atcp_syn_end(struct atcp_syn *e)
{
	struct atcp_syn_bucket *b = syn_bucket(sock_net(e->listener), &e->raddr);
	struct atcp_sock *las = atcp_sk(e->listener);

	e->dead = true;
	spin_lock(&b->lock);
	hlist_del(&e->node);
	spin_unlock(&b->lock);
	hlist_del(&e->listener_node);
	WRITE_ONCE(las->nentries, las->nentries - 1);
	atcp_net_half_open_add(sock_net(e->listener), -1);
	return timer_delete(&e->timer);
}

static unsigned long atcp_syn_expiry(u64 at_us, u64 now_us)
{
	return jiffies + usecs_to_jiffies(at_us > now_us ? at_us - now_us : 0);
}

/*
 * Sends what the engine decided for e: its segments to the peer, its
 * counters.  The reply to a segment goes back the way it came (in), a
 * retransmission the way the SYN came.
 */
static void atcp_syn_send(struct atcp_syn *e, struct sk_buff *in,
			  const struct atcp_actions *act)
{
	struct net *net = sock_net(e->listener);
	int i;

	for (i = 0; i < act->nsegs; i++) {
		if (in)
			atcp_send_reply(net, in, &act->segs[i]);
		else
			atcp_send_segment(net, e->listener, &e->laddr,
					  &e->raddr, e->iif, &act->segs[i]);
	}
	atcp_mib_add_delta(net, &act->mib);
}

/*
 * Ends e after its engine ended the connection (a RST, a timeout), and
 * tells the events group as a half-open socket's end would.
 */
static void atcp_syn_close(struct atcp_syn *e, const struct atcp_actions *act)
{
	atcp_genl_syn_event(e, atcp_end_event(act));
	if (atcp_syn_end(e))
		atcp_syn_free(e);
}

/* What follows a call on e's engine that left it half-open or ended it. */
static void atcp_syn_settle(struct atcp_syn *e, struct sk_buff *in,
			    const struct atcp_actions *act, u64 now)
{
	atcp_syn_send(e, in, act);
	if (act->state == ATCP_SYN_RECEIVED)
		mod_timer(&e->timer, atcp_syn_expiry(act->deadline_us, now));
	else
		atcp_syn_close(e, act);
}

static void atcp_syn_expire(struct timer_list *t)
{
	struct atcp_syn *e = from_timer(e, t, timer);
	struct sock *lsk = e->listener;
	struct atcp_params params;
	struct atcp_actions act;
	u64 now;

	bh_lock_sock(lsk);
	if (e->dead) {
		/* Ended while this ran: atcp_syn_end() left it to the timer. */
		bh_unlock_sock(lsk);
		atcp_syn_free(e);
		return;
	}
	if (sock_owned_by_user(lsk)) {
		/* Again shortly, as Linux's TCP timers do under an owner. */
		mod_timer(&e->timer, jiffies + max(HZ / 20, 1));
		bh_unlock_sock(lsk);
		return;
	}
	now = atcp_now_us();
	atcp_net_params(sock_net(lsk), &params);
	atcp_engine_syn_received_timer(&e->engine, &params,
				       this_cpu_ptr(atcp_syn_scratch), now,
				       &act);
	atcp_syn_settle(e, NULL, &act, now);
	bh_unlock_sock(lsk);
	/* Ended here: its timer, which this is, frees it. */
	if (e->dead)
		atcp_syn_free(e);
}

static bool atcp_syn_match(const struct atcp_syn *e,
			   const struct in6_addr *laddr,
			   const struct in6_addr *raddr, __be16 rport)
{
	return e->rport == rport && ipv6_addr_equal(&e->raddr, raddr) &&
	       ipv6_addr_equal(&e->laddr, laddr);
}

/* lsk's entry for raddr:rport at laddr, or NULL.  Under lsk's lock. */
static struct atcp_syn *atcp_syn_lookup(struct sock *lsk,
					const struct in6_addr *laddr,
					const struct in6_addr *raddr,
					__be16 rport)
{
	struct atcp_syn_bucket *b = syn_bucket(sock_net(lsk), raddr);
	struct atcp_syn *e, *found = NULL;

	spin_lock(&b->lock);
	hlist_for_each_entry(e, &b->head, node) {
		if (e->listener == lsk && atcp_syn_match(e, laddr, raddr, rport)) {
			found = e;
			break;
		}
	}
	spin_unlock(&b->lock);
	return found;
}

/*
 * Whether an entry of net holds the 4-tuple laddr:lport, raddr:rport, which
 * a connect() then may not take (EADDRINUSE), as Linux's request socks in
 * its established hash keep its own connect() from theirs.  A hint as
 * atcp_hash.c's: a SYN for the 4-tuple may come after it.
 */
bool atcp_syn_holds(struct net *net, const struct in6_addr *laddr, u16 lport,
		    const struct in6_addr *raddr, __be16 rport)
{
	struct atcp_syn_bucket *b = syn_bucket(net, raddr);
	struct atcp_syn *e;
	bool held = false;

	spin_lock_bh(&b->lock);
	hlist_for_each_entry(e, &b->head, node) {
		if (net_eq(sock_net(e->listener), net) &&
		    e->listener->sk_num == lport &&
		    atcp_syn_match(e, laddr, raddr, rport)) {
			held = true;
			break;
		}
	}
	spin_unlock_bh(&b->lock);
	return held;
}

/*
 * Hashes e unless its bucket holds its share of the namespace's cache
 * already: a quarter of max_syn_backlog, at least one.
 */
static bool atcp_syn_hash(struct atcp_syn *e)
{
	struct net *net = sock_net(e->listener);
	struct atcp_syn_bucket *b = syn_bucket(net, &e->raddr);
	unsigned int share = max(atcp_net_max_syn_backlog(net) / 4, 1);
	unsigned int n = 0;
	struct atcp_syn *o;

	spin_lock(&b->lock);
	hlist_for_each_entry(o, &b->head, node) {
		if (net_eq(sock_net(o->listener), net) && ++n >= share) {
			spin_unlock(&b->lock);
			return false;
		}
	}
	hlist_add_head(&e->node, &b->head);
	spin_unlock(&b->lock);
	return true;
}

/*
 * A SYN for lsk, whose queues have room: an entry takes it and the SYN-ACK
 * goes out.  0; -ENOSPC when the peer's bucket is full, for the caller to
 * answer as when the queue is; -ENOMEM (counted as a listen drop).  Under
 * lsk's lock.
 */
int atcp_syn_open(struct sock *lsk, struct sk_buff *skb,
		  const struct atcp_tcp_header *h)
{
	struct atcp_tcb *scratch = this_cpu_ptr(atcp_syn_scratch);
	struct atcp_sock *las = atcp_sk(lsk);
	struct net *net = sock_net(lsk);
	struct atcp_params params;
	struct atcp_actions act;
	u64 now = atcp_now_us();
	struct atcp_syn *e;

	if (!READ_ONCE(las->accepting))
		return 0; /* closing: as if it had never heard the SYN */
	e = kmem_cache_alloc(atcp_syn_cache, GFP_ATOMIC);
	if (!e) {
		atcp_mib_add(net, ATCP_MIB_LISTEN_DROPS, 1);
		return -ENOMEM;
	}
	atcp_skb_addrs(skb, &e->raddr, &e->laddr);
	e->rport = htons(h->src_port);
	e->iif = (ipv6_addr_type(&e->raddr) & IPV6_ADDR_LINKLOCAL) ?
			 skb->skb_iif : lsk->sk_bound_dev_if;
	e->rcv_seq = h->seq + 1;
	e->listener = lsk;
	e->dead = false;
	if (!atcp_syn_hash(e)) {
		kmem_cache_free(atcp_syn_cache, e);
		return -ENOSPC;
	}
	sock_hold(lsk);
	atomic_inc(&atcp_syn_count);
	hlist_add_head(&e->listener_node, &las->syn_entries);
	WRITE_ONCE(las->nentries, las->nentries + 1);
	atcp_net_half_open_add(net, 1);
	timer_setup(&e->timer, atcp_syn_expire, 0);

	atcp_net_params(net, &params);
	atcp_engine_init(scratch, &params);
	atcp_engine_accept(scratch, &las->tcb, h, !ipv6_addr_v4mapped(&e->raddr),
			   atcp_reply_mss(net, skb, h),
			   atcp_isn_hash_tuple(&e->laddr, &e->raddr,
					       htons(h->dst_port), e->rport),
			   now, &act);
	atcp_engine_syn_received(scratch, &e->engine);
	atcp_syn_settle(e, skb, &act, now);
	return 0;
}

/*
 * The handshake completed: a child takes over the connection from the
 * scratch TCB.  Data the child cannot take for want of memory is dropped,
 * and the ACK alone completes the handshake; the peer sends the data again.
 */
static void atcp_syn_adopt(struct atcp_syn *e, struct sk_buff *skb,
			   const struct atcp_tcp_header *h,
			   const struct atcp_params *params,
			   struct atcp_actions *act, u64 now)
{
	struct atcp_tcb *scratch = this_cpu_ptr(atcp_syn_scratch);
	struct sock *sk;

	sk = atcp_adopt(e->listener, skb, h, e->rcv_seq, scratch);
	if (!sk) {
		consume_skb(skb); /* the entry stays: the peer's next ACK retries */
		return;
	}
	if (!atcp_mem_admit(sk, skb, h)) {
		struct atcp_tcp_header ack = *h;

		ack.flags &= ~ATCP_TCP_FIN;
		atcp_engine_syn_received_input(&e->engine, params, scratch,
					       &ack, 0, now, act);
		atcp_sk(sk)->tcb = *scratch;
		kfree_skb_reason(skb, SKB_DROP_REASON_PROTO_MEM);
		skb = NULL;
	}
	if (atcp_syn_end(e))
		atcp_syn_free(e);
	atcp_apply(sk, act, skb);
	bh_unlock_sock(sk);
}

/*
 * A segment for lsk: if an entry has its 4-tuple, the entry takes it (and
 * skb) and true; else false.  Under lsk's lock, bottom halves off.
 */
bool atcp_syn_input(struct sock *lsk, struct sk_buff *skb,
		    const struct atcp_tcp_header *h)
{
	struct atcp_params params;
	struct atcp_actions act;
	u64 now = atcp_now_us();
	struct in6_addr saddr, daddr;
	struct atcp_syn *e;

	atcp_skb_addrs(skb, &saddr, &daddr);
	e = atcp_syn_lookup(lsk, &daddr, &saddr, htons(h->src_port));
	if (!e)
		return false;
	atcp_net_params(sock_net(lsk), &params);
	atcp_engine_syn_received_input(&e->engine, &params,
				       this_cpu_ptr(atcp_syn_scratch), h,
				       skb->len - h->header_len, now, &act);
	if (act.state == ATCP_SYN_RECEIVED || act.state == ATCP_CLOSED) {
		atcp_syn_settle(e, skb, &act, now);
		consume_skb(skb);
	} else {
		atcp_syn_adopt(e, skb, h, &params, &act, now);
	}
	return true;
}

/*
 * An ICMP error quoting the SYN-ACK of lsk's entry for raddr:rport at
 * laddr: the entry takes it as the child would have (a smaller path MTU,
 * a soft error for a timeout to report).  The engine's enum
 * atcp_icmp_result, or -ENOENT without such an entry.  Under lsk's lock,
 * which no process owns.
 */
int atcp_syn_icmp(struct sock *lsk, const struct in6_addr *laddr,
		  const struct in6_addr *raddr, __be16 rport,
		  const struct atcp_icmp *m)
{
	struct atcp_syn *e = atcp_syn_lookup(lsk, laddr, raddr, rport);
	struct atcp_params params;
	struct atcp_actions act;
	u64 now = atcp_now_us();
	int r;

	if (!e)
		return -ENOENT;
	atcp_net_params(sock_net(lsk), &params);
	r = atcp_engine_syn_received_icmp(&e->engine, &params,
					  this_cpu_ptr(atcp_syn_scratch), m,
					  now, &act);
	atcp_syn_settle(e, NULL, &act, now);
	return r;
}

/*
 * A listener's teardown: each entry ends with a RST, as an unaccepted
 * child does (RFC 9293 3.10.5, ABORT in SYN-RECEIVED).  The caller owns
 * lsk's lock.
 */
void atcp_syn_close_all(struct sock *lsk)
{
	struct atcp_sock *las = atcp_sk(lsk);
	struct atcp_params params;
	struct atcp_actions act;
	struct atcp_syn *e;
	struct hlist_node *next;

	atcp_net_params(sock_net(lsk), &params);
	local_bh_disable();
	bh_lock_sock(lsk);
	hlist_for_each_entry_safe(e, next, &las->syn_entries, listener_node) {
		atcp_engine_syn_received_abort(&e->engine, &params,
					       this_cpu_ptr(atcp_syn_scratch),
					       atcp_now_us(), &act);
		atcp_syn_send(e, NULL, &act);
		atcp_syn_close(e, &act);
	}
	bh_unlock_sock(lsk);
	local_bh_enable();
}

/* Milliseconds until e's next SYN-ACK or its end, for the dump. */
u32 atcp_syn_timer_ms(const struct atcp_syn *e)
{
	long left = (long)(READ_ONCE(e->timer.expires) - jiffies);

	return left > 0 ? jiffies_to_msecs(left) : 0;
}

/*
 * net's entries from pos on, each to fill until it fails (the dump's
 * message is full): its error then, and pos where to go on from.
 */
int atcp_syn_walk(struct net *net, struct atcp_dump_pos *pos,
		  atcp_syn_fill_fn fill, void *arg)
{
	for (; pos->bucket < (1L << SYN_BITS); pos->bucket++, pos->skip = 0) {
		struct atcp_syn_bucket *b = &syn_table[pos->bucket];
		struct atcp_syn *e;
		long seen = 0;
		int err = 0;

		spin_lock_bh(&b->lock);
		hlist_for_each_entry(e, &b->head, node) {
			if (!net_eq(sock_net(e->listener), net) ||
			    seen++ < pos->skip)
				continue;
			err = fill(e, arg);
			if (err) {
				pos->skip = seen - 1;
				break;
			}
		}
		spin_unlock_bh(&b->lock);
		if (err)
			return err;
	}
	return 0;
}
