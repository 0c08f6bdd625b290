// SPDX-License-Identifier: GPL-2.0
/*
 * atcp's port space: a bind table by local port and an established table by
 * 4-tuple, both hashed with the namespace mixed in, read under RCU by the
 * input hook and written under per-bucket locks.  Each bucket keeps the
 * TIME-WAIT entries (atcp_timewait.c) beside the sockets: by 4-tuple, and
 * by port those of sockets that were bound.
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/vmalloc.h>
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/netns/hash.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_addr.h"
#include "atcp_sock.h"
#include "atcp_syncache.h"
#include "atcp_timewait.h"

#define BIND_BITS 10
#define ESTAB_BITS 14

struct atcp_bucket {
	spinlock_t lock; /* writers; readers walk the chains under RCU */
	struct hlist_head head;
	struct hlist_head tw;
};

static struct atcp_bucket *bind_table;
static struct atcp_bucket *estab_table;
static u32 estab_seed __read_mostly;

static struct atcp_bucket *table_alloc(unsigned int bits)
{
	struct atcp_bucket *t;
	size_t i;

	t = kvmalloc_array(1 << bits, sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	for (i = 0; i < (1 << bits); i++) {
		spin_lock_init(&t[i].lock);
		INIT_HLIST_HEAD(&t[i].head);
		INIT_HLIST_HEAD(&t[i].tw);
	}
	return t;
}

int atcp_hash_init(void)
{
	bind_table = table_alloc(BIND_BITS);
	estab_table = table_alloc(ESTAB_BITS);
	if (!bind_table || !estab_table) {
		atcp_hash_exit();
		return -ENOMEM;
	}
	estab_seed = get_random_u32();
	return 0;
}

/* Buckets of the established table, which Linux sizes its limits by. */
unsigned int atcp_hash_estab_buckets(void)
{
	return 1U << ESTAB_BITS;
}

void atcp_hash_exit(void)
{
	kvfree(bind_table);
	kvfree(estab_table);
	bind_table = NULL;
	estab_table = NULL;
}

static struct atcp_bucket *bind_bucket(const struct net *net, u16 port)
{
	return &bind_table[hash_32(net_hash_mix(net) ^ port, BIND_BITS)];
}

static struct atcp_bucket *estab_bucket(const struct net *net,
					const struct in6_addr *laddr, u16 lport,
					const struct in6_addr *raddr,
					__be16 rport)
{
	u32 h = jhash_1word((u32)lport << 16 | (__force u16)rport,
			    __ipv6_addr_jhash(laddr,
					      __ipv6_addr_jhash(raddr, estab_seed ^
							net_hash_mix(net))));

	return &estab_table[h & ((1 << ESTAB_BITS) - 1)];
}

/*
 * Whether sk may use addr:port beside the sockets already bound there.  As
 * tcp(4) describes SO_REUSEADDR: with it on both sides an address in use
 * may be bound again, and uniqueness is checked per 4-tuple at connect; a
 * listener never shares.
 */
static bool bind_conflict(struct atcp_bucket *b, struct sock *sk,
			  const struct in6_addr *addr, u16 port)
{
	struct atcp_sock *o;
	struct atcp_tw *tw;

	hlist_for_each_entry(o, &b->head, bind_node) {
		struct sock *osk = &o->sk;

		if (osk == sk || !net_eq(sock_net(osk), sock_net(sk)) ||
		    osk->sk_num != port ||
		    !atcp_addrs_overlap(&osk->sk_v6_rcv_saddr, o->v6only, addr,
					atcp_sk(sk)->v6only))
			continue;
		/* As Linux: SO_REUSEADDR on both, and the other not listening. */
		if (!sk->sk_reuse || !osk->sk_reuse ||
		    osk->sk_state == TCP_LISTEN)
			return true;
	}
	/* A TIME-WAIT entry keeps the port as its socket did. */
	hlist_for_each_entry(tw, &b->tw, bind_node) {
		if (net_eq(atcp_tw_net(tw), sock_net(sk)) &&
		    tw->lport == port &&
		    atcp_addrs_overlap(&tw->laddr, tw->v6only, addr,
				       atcp_sk(sk)->v6only) &&
		    (!sk->sk_reuse || !tw->reuse))
			return true;
	}
	return false;
}

/*
 * A Linux TCP listener takes addr:port for the families addr covers (for a
 * wildcard, loopback too).  Called under rcu_read_lock().  The namespace's
 * TCP hash tables (its own established hash with tcp_child_ehash_entries,
 * the listener hash shared) are where Linux's own lookups start.
 */
static bool linux_listens_on(struct net *net, const struct in6_addr *addr,
			     bool v6only, u16 port)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	unsigned int families = atcp_wild_families(addr, v6only);

	if (!families) {
		if (ipv6_addr_v4mapped(addr))
			return __inet_lookup_listener(net, hinfo, NULL,
						      0, 0, 0,
						      addr->s6_addr32[3], port,
						      0, 0);
		return inet6_lookup_listener(net, hinfo, NULL, 0,
					     &in6addr_any, 0, addr, port, 0, 0);
	}
	if ((families & ATCP_FAMILY_V4) &&
	    (__inet_lookup_listener(net, hinfo, NULL, 0, 0, 0,
				    htonl(INADDR_ANY), port, 0, 0) ||
	     __inet_lookup_listener(net, hinfo, NULL, 0, 0, 0,
				    htonl(INADDR_LOOPBACK), port, 0, 0)))
		return true;
	return (families & ATCP_FAMILY_V6) &&
	       (inet6_lookup_listener(net, hinfo, NULL, 0, &in6addr_any,
				      0, &in6addr_any, port, 0, 0) ||
		inet6_lookup_listener(net, hinfo, NULL, 0, &in6addr_any,
				      0, &in6addr_loopback, port, 0, 0));
}

static bool linux_listens(struct sock *sk, const struct in6_addr *addr,
			  u16 port)
{
	bool listens;

	rcu_read_lock();
	listens = linux_listens_on(sock_net(sk), addr, atcp_sk(sk)->v6only,
				   port);
	rcu_read_unlock();
	return listens;
}

static int bind_one(struct sock *sk, const struct in6_addr *addr, u16 port)
{
	struct atcp_bucket *b = bind_bucket(sock_net(sk), port);

	spin_lock_bh(&b->lock);
	if (bind_conflict(b, sk, addr, port)) {
		spin_unlock_bh(&b->lock);
		return -EADDRINUSE;
	}
	atcp_set_local_addr(sk, addr);
	sk->sk_num = port;
	/* Lookups run under RCU: from here on, free only after a grace period. */
	sock_set_flag(sk, SOCK_RCU_FREE);
	hlist_add_head_rcu(&atcp_sk(sk)->bind_node, &b->head);
	WRITE_ONCE(atcp_sk(sk)->bound, true);
	spin_unlock_bh(&b->lock);
	return 0;
}

static bool estab_match(const struct sock *sk, const struct net *net,
			const struct in6_addr *laddr, u16 lport,
			const struct in6_addr *raddr, __be16 rport)
{
	return net_eq(sock_net(sk), net) && sk->sk_num == lport &&
	       sk->sk_dport == rport &&
	       ipv6_addr_equal(&sk->sk_v6_rcv_saddr, laddr) &&
	       ipv6_addr_equal(&sk->sk_v6_daddr, raddr);
}

static bool tw_match(const struct atcp_tw *tw, const struct net *net,
		     const struct in6_addr *laddr, u16 lport,
		     const struct in6_addr *raddr, __be16 rport)
{
	return net_eq(atcp_tw_net(tw), net) && tw->lport == lport &&
	       tw->rport == rport && ipv6_addr_equal(&tw->laddr, laddr) &&
	       ipv6_addr_equal(&tw->raddr, raddr);
}

/* Whether a connection or a TIME-WAIT entry holds the 4-tuple; b's lock held. */
static bool estab_held(struct atcp_bucket *b, struct net *net,
		       const struct in6_addr *laddr, u16 lport,
		       const struct in6_addr *raddr, __be16 rport)
{
	struct atcp_sock *o;
	struct atcp_tw *tw;

	hlist_for_each_entry(o, &b->head, estab_node)
		if (estab_match(&o->sk, net, laddr, lport, raddr, rport))
			return true;
	hlist_for_each_entry(tw, &b->tw, estab_node)
		if (tw_match(tw, net, laddr, lport, raddr, rport))
			return true;
	return false;
}

/*
 * Whether a connection (TIME-WAIT and SYN cache entries included) holds
 * this 4-tuple now.  A hint for choosing a port: atcp_hash_connect()
 * claims the 4-tuple for good.
 */
static bool estab_taken(struct net *net, const struct in6_addr *laddr,
			u16 lport, const struct atcp_uaddr *peer)
{
	struct atcp_bucket *b = estab_bucket(net, laddr, lport, &peer->addr,
					     peer->port);
	bool taken;

	spin_lock_bh(&b->lock);
	taken = estab_held(b, net, laddr, lport, &peer->addr, peer->port);
	spin_unlock_bh(&b->lock);
	return taken || atcp_syn_holds(net, laddr, lport, &peer->addr,
				       peer->port);
}

/* Up to two runs of ports, walked as one sequence of n. */
struct port_runs {
	int first[2], size[2];
};

static void port_run_set(struct port_runs *r, int i, int first, int last)
{
	r->first[i] = first;
	r->size[i] = max(last - first + 1, 0);
}

static int port_run_nth(const struct port_runs *r, int k)
{
	return k < r->size[0] ? r->first[0] + k : r->first[1] + k - r->size[0];
}

/*
 * Ports of net.atcp.ephemeral_ports, those outside Linux's
 * ip_local_port_range (pass 0) before those inside it (pass 1): Linux's TCP
 * picks its clients' ports from its range without knowing atcp's, so a port
 * in both could give an atcp and a Linux connection one 4-tuple.
 */
static void ephemeral_runs(struct net *net, int pass, struct port_runs *r)
{
	int first, last, lo, hi;

	atcp_net_ephemeral_ports(net, &first, &last);
	inet_get_local_port_range(net, &lo, &hi);
	if (pass == 0) {
		port_run_set(r, 0, first, min(last, lo - 1));
		port_run_set(r, 1, max(first, hi + 1), last);
	} else {
		port_run_set(r, 0, max(first, lo), min(last, hi));
		port_run_set(r, 1, 0, -1);
	}
}

/*
 * Binds a free ephemeral port, each pass walked from a random start.  For a
 * connect(), peer is the remote end and saddr the source chosen for it: a
 * port whose 4-tuple is in use (a connection in TIME-WAIT, say) is passed
 * over, as Linux's inet_hash_connect() does, rather than failing later.
 */
static int bind_ephemeral(struct sock *sk, const struct in6_addr *addr,
			  const struct in6_addr *saddr,
			  const struct atcp_uaddr *peer)
{
	struct net *net = sock_net(sk);
	struct port_runs r;
	int pass, n, offset, i;

	for (pass = 0; pass < 2; pass++) {
		ephemeral_runs(net, pass, &r);
		n = r.size[0] + r.size[1];
		if (!n)
			continue;
		offset = get_random_u32_below(n);
		for (i = 0; i < n; i++) {
			u16 port = port_run_nth(&r, (offset + i) % n);

			if (linux_listens(sk, addr, port) ||
			    (peer && estab_taken(net, saddr, port, peer)))
				continue;
			if (!bind_one(sk, addr, port))
				return 0;
		}
	}
	return -EADDRNOTAVAIL; /* as Linux says when the range is exhausted */
}

/*
 * Binds sk to addr:port; port 0 takes a free one from net.atcp.ephemeral_ports.
 * The socket lock is held.
 */
int atcp_bind_port(struct sock *sk, const struct in6_addr *addr, u16 port)
{
	if (!port)
		return bind_ephemeral(sk, addr, NULL, NULL);
	if (linux_listens(sk, addr, port))
		return -EADDRINUSE;
	return bind_one(sk, addr, port);
}

/*
 * Binds an unbound socket to the wildcard and a port whose 4-tuple from
 * saddr to peer is free.  The socket lock is held.
 */
int atcp_bind_for_connect(struct sock *sk, const struct in6_addr *saddr,
			  const struct atcp_uaddr *peer)
{
	struct in6_addr any = atcp_wildcard(sk);

	return bind_ephemeral(sk, &any, saddr, peer);
}

void atcp_unbind(struct sock *sk)
{
	struct atcp_bucket *b;

	if (!atcp_sk(sk)->bound)
		return;
	b = bind_bucket(sock_net(sk), sk->sk_num);
	spin_lock_bh(&b->lock);
	hlist_del_init_rcu(&atcp_sk(sk)->bind_node);
	WRITE_ONCE(atcp_sk(sk)->bound, false);
	spin_unlock_bh(&b->lock);
}

/*
 * A bound socket starts listening unless another listens on its port, or
 * shares it without SO_REUSEADDR; under the bucket lock, so that of two
 * sockets sharing a port only one can.
 */
int atcp_listen_start(struct sock *sk)
{
	struct atcp_bucket *b = bind_bucket(sock_net(sk), sk->sk_num);
	bool conflict;

	spin_lock_bh(&b->lock);
	conflict = bind_conflict(b, sk, &sk->sk_v6_rcv_saddr, sk->sk_num);
	if (!conflict)
		WRITE_ONCE(sk->sk_state, TCP_LISTEN);
	spin_unlock_bh(&b->lock);
	return conflict ? -EADDRINUSE : 0;
}

/*
 * Adds a connection with its 4-tuple set; EADDRINUSE when the 4-tuple is
 * taken already (tcp(4)).
 */
int atcp_hash_connection(struct sock *sk)
{
	struct net *net = sock_net(sk);
	struct atcp_bucket *b = estab_bucket(net, &sk->sk_v6_rcv_saddr,
					     sk->sk_num, &sk->sk_v6_daddr,
					     sk->sk_dport);

	spin_lock_bh(&b->lock);
	if (estab_held(b, net, &sk->sk_v6_rcv_saddr, sk->sk_num,
		       &sk->sk_v6_daddr, sk->sk_dport)) {
		spin_unlock_bh(&b->lock);
		return -EADDRINUSE;
	}
	sock_set_flag(sk, SOCK_RCU_FREE);
	hlist_add_head_rcu(&atcp_sk(sk)->estab_node, &b->head);
	atcp_sk(sk)->hashed = true;
	spin_unlock_bh(&b->lock);
	return 0;
}

/*
 * A connect()'s 4-tuple, set on sk: hashed as atcp_hash_connection() does,
 * and EADDRINUSE too when a listener's half-open entry holds it.
 */
int atcp_hash_connect(struct sock *sk)
{
	if (atcp_syn_holds(sock_net(sk), &sk->sk_v6_rcv_saddr, sk->sk_num,
			   &sk->sk_v6_daddr, sk->sk_dport))
		return -EADDRINUSE;
	return atcp_hash_connection(sk);
}

void atcp_unhash_connection(struct sock *sk)
{
	struct atcp_bucket *b;

	if (!atcp_sk(sk)->hashed)
		return;
	b = estab_bucket(sock_net(sk), &sk->sk_v6_rcv_saddr, sk->sk_num,
			 &sk->sk_v6_daddr, sk->sk_dport);
	spin_lock_bh(&b->lock);
	hlist_del_init_rcu(&atcp_sk(sk)->estab_node);
	atcp_sk(sk)->hashed = false;
	spin_unlock_bh(&b->lock);
}

/*
 * A TIME-WAIT entry takes its socket's place: hashed before the socket is
 * unhashed, so that every segment finds one of them.
 */
void atcp_hash_tw(struct atcp_tw *tw)
{
	struct net *net = atcp_tw_net(tw);
	struct atcp_bucket *b = estab_bucket(net, &tw->laddr, tw->lport,
					     &tw->raddr, tw->rport);

	spin_lock_bh(&b->lock);
	hlist_add_head_rcu(&tw->estab_node, &b->tw);
	tw->hashed = true;
	spin_unlock_bh(&b->lock);
	if (!tw->bound)
		return;
	b = bind_bucket(net, tw->lport);
	spin_lock_bh(&b->lock);
	hlist_add_head_rcu(&tw->bind_node, &b->tw);
	spin_unlock_bh(&b->lock);
}

/* Unhashes tw; false when another caller did already. */
bool atcp_unhash_tw(struct atcp_tw *tw)
{
	struct net *net = atcp_tw_net(tw);
	struct atcp_bucket *b = estab_bucket(net, &tw->laddr, tw->lport,
					     &tw->raddr, tw->rport);
	bool was_hashed;

	spin_lock_bh(&b->lock);
	was_hashed = tw->hashed;
	if (was_hashed)
		hlist_del_init_rcu(&tw->estab_node);
	tw->hashed = false;
	spin_unlock_bh(&b->lock);
	if (!was_hashed || !tw->bound)
		return was_hashed;
	b = bind_bucket(net, tw->lport);
	spin_lock_bh(&b->lock);
	hlist_del_init_rcu(&tw->bind_node);
	spin_unlock_bh(&b->lock);
	return true;
}

/*
 * The TIME-WAIT entry for a segment from saddr:sport to daddr:dport, with a
 * reference, or NULL.  Called under rcu_read_lock().
 */
struct atcp_tw *atcp_lookup_tw(struct net *net, const struct in6_addr *saddr,
			       __be16 sport, const struct in6_addr *daddr,
			       __be16 dport)
{
	u16 lport = ntohs(dport);
	struct atcp_bucket *b = estab_bucket(net, daddr, lport, saddr, sport);
	struct atcp_tw *tw;

	hlist_for_each_entry_rcu(tw, &b->tw, estab_node) {
		if (tw_match(tw, net, daddr, lport, saddr, sport) &&
		    refcount_inc_not_zero(&tw->refcnt))
			return tw;
	}
	return NULL;
}

/*
 * The first entry of net from *bucket on, with a reference, *bucket moved
 * to its bucket; NULL when none is left.  For a namespace's teardown.
 */
struct atcp_tw *atcp_next_tw(struct net *net, long *bucket)
{
	for (; *bucket < (1L << ESTAB_BITS); ++*bucket) {
		struct atcp_tw *tw;

		rcu_read_lock();
		hlist_for_each_entry_rcu(tw, &estab_table[*bucket].tw,
					 estab_node) {
			if (net_eq(atcp_tw_net(tw), net) &&
			    refcount_inc_not_zero(&tw->refcnt)) {
				rcu_read_unlock();
				return tw;
			}
		}
		rcu_read_unlock();
	}
	return NULL;
}

/*
 * Calls fill() for the TIME-WAIT entries of net from pos on, in the dump's
 * third table, under RCU, until fill() fails, which it returns; pos then
 * names the entry that failed.
 */
int atcp_hash_tw_walk(struct net *net, struct atcp_dump_pos *pos,
		      atcp_tw_fill_fn fill, void *arg)
{
	for (; pos->bucket < (1L << ESTAB_BITS); pos->bucket++, pos->skip = 0) {
		struct atcp_tw *tw;
		long seen = 0;
		int err = 0;

		rcu_read_lock();
		hlist_for_each_entry_rcu(tw, &estab_table[pos->bucket].tw,
					 estab_node) {
			if (!net_eq(atcp_tw_net(tw), net) || seen++ < pos->skip)
				continue;
			err = fill(tw, arg);
			if (err) {
				pos->skip = seen - 1;
				break;
			}
		}
		rcu_read_unlock();
		if (err)
			return err;
	}
	return 0;
}

/* How well a listener bound to local fits a segment for daddr; 0: not. */
static int listener_score(const struct atcp_sock *o,
			  const struct in6_addr *daddr)
{
	const struct in6_addr *local = &o->sk.sk_v6_rcv_saddr;

	if (ipv6_addr_equal(local, daddr))
		return 3;
	if (!atcp_addr_covers(local, o->v6only, daddr))
		return 0;
	/* A wildcard of the segment's own family before a dual-stack one. */
	return atcp_wild_families(local, o->v6only) ==
	       atcp_addr_family(daddr) ? 2 : 1;
}

/*
 * The socket a segment from saddr:sport to daddr:dport belongs to, with a
 * reference: the connection, else the listener that fits best.  IPv4
 * addresses come v4-mapped.  Called under rcu_read_lock().
 */
struct sock *atcp_lookup(struct net *net, const struct in6_addr *saddr,
			 __be16 sport, const struct in6_addr *daddr,
			 __be16 dport)
{
	u16 lport = ntohs(dport);
	struct atcp_bucket *b = estab_bucket(net, daddr, lport, saddr, sport);
	struct sock *best = NULL;
	struct atcp_sock *o;
	int best_score = 0;

	hlist_for_each_entry_rcu(o, &b->head, estab_node) {
		if (estab_match(&o->sk, net, daddr, lport, saddr, sport) &&
		    refcount_inc_not_zero(&o->sk.sk_refcnt))
			return &o->sk;
	}
	b = bind_bucket(net, lport);
	hlist_for_each_entry_rcu(o, &b->head, bind_node) {
		struct sock *sk = &o->sk;
		int score;

		if (!net_eq(sock_net(sk), net) || sk->sk_num != lport ||
		    READ_ONCE(sk->sk_state) != TCP_LISTEN)
			continue;
		score = listener_score(o, daddr);
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	return best;
}

/*
 * Up to n sockets of net that want() takes, with a reference each, from the
 * bucket at pos on.  Every socket comes once: a bound one from the bind
 * table, an accepted one (never bound itself) from the established table.
 * pos moves past them (to the next bucket once this one has given all it
 * has); from says where they started, for a caller that dumps only k of
 * them to go on from there.
 * Returns how many, 0 only when both tables are done.
 */
int atcp_hash_collect(struct net *net, struct atcp_dump_pos *pos,
		      struct atcp_dump_pos *from, struct sock **sks, int n,
		      atcp_want_fn want, const void *arg)
{
	while (pos->table < 2) {
		bool estab = pos->table == 1;
		long size = 1L << (estab ? ESTAB_BITS : BIND_BITS);
		struct atcp_bucket *b;
		struct hlist_node *node;
		long seen = 0;
		bool more = false;
		int got = 0;

		if (pos->bucket >= size) {
			*pos = (struct atcp_dump_pos){ .table = pos->table + 1 };
			continue;
		}
		b = &(estab ? estab_table : bind_table)[pos->bucket];
		rcu_read_lock();
		__hlist_for_each_rcu(node, &b->head) {
			struct atcp_sock *o = estab ?
				hlist_entry(node, struct atcp_sock, estab_node) :
				hlist_entry(node, struct atcp_sock, bind_node);
			struct sock *sk = &o->sk;

			if (!net_eq(sock_net(sk), net) ||
			    (estab && READ_ONCE(o->bound)) || !want(sk, arg) ||
			    seen++ < pos->skip)
				continue;
			if (got == n) {
				more = true;
				break;
			}
			/* A socket on its way out is passed over. */
			if (refcount_inc_not_zero(&sk->sk_refcnt))
				sks[got++] = sk;
		}
		rcu_read_unlock();
		*from = *pos;
		if (more) {
			pos->skip = seen - 1; /* the one that did not fit is next */
		} else {
			pos->bucket++;
			pos->skip = 0;
		}
		if (got)
			return got;
	}
	return 0;
}
