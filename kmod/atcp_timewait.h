/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TIME-WAIT without its socket (atcp_timewait.c): once its process has
 * closed a connection in TIME-WAIT, a compact entry holds the 4-tuple for
 * the rest of 2 MSL and answers its segments, as Linux's timewait sockets
 * and FreeBSD's tcptw do, and the socket is freed.
 */
#ifndef _ATCP_TIMEWAIT_H
#define _ATCP_TIMEWAIT_H

#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include <atcp/engine.h>

struct atcp_tw {
	/*
	 * The established table's bucket for the 4-tuple and, for a socket
	 * that was bound, the bind table's for the port (atcp_hash.c): under
	 * the buckets' locks; RCU readers.
	 */
	struct hlist_node estab_node;
	struct hlist_node bind_node;
	bool bound;
	bool hashed; /* the estab bucket's lock */
	struct rcu_head rcu;
	refcount_t refcnt; /* the timer's (while hashed) and lookups' */
	struct timer_list timer; /* the entry's end */

	/* Set before it is hashed, then read only. */
	possible_net_t net;
	struct in6_addr laddr; /* IPv4 ones v4-mapped */
	struct in6_addr raddr;
	u16 lport;
	__be16 rport;
	u8 family; /* AF_INET or AF_INET6, as the socket's user saw it */
	bool v6only;
	bool reuse; /* SO_REUSEADDR: another socket may bind the port */

	spinlock_t lock; /* engine: segments for the entry arrive on any CPU */
	struct atcp_time_wait engine;
};

static inline struct net *atcp_tw_net(const struct atcp_tw *tw)
{
	return read_pnet(&tw->net);
}

int atcp_tw_init(void);
void atcp_tw_exit(void);
void atcp_tw_enter(struct sock *sk);
void atcp_tw_input(struct atcp_tw *tw, struct sk_buff *skb,
		   const struct atcp_tcp_header *h);
void atcp_tw_put(struct atcp_tw *tw);
void atcp_tw_purge(struct net *net);
u32 atcp_tw_timer_ms(const struct atcp_tw *tw);

/* atcp_hash.c */
void atcp_hash_tw(struct atcp_tw *tw);
bool atcp_unhash_tw(struct atcp_tw *tw);
struct atcp_tw *atcp_lookup_tw(struct net *net, const struct in6_addr *saddr,
			       __be16 sport, const struct in6_addr *daddr,
			       __be16 dport);
struct atcp_tw *atcp_next_tw(struct net *net, long *bucket);
typedef int (*atcp_tw_fill_fn)(const struct atcp_tw *tw, void *arg);
int atcp_hash_tw_walk(struct net *net, struct atcp_dump_pos *pos,
		      atcp_tw_fill_fn fill, void *arg);

#endif /* _ATCP_TIMEWAIT_H */
