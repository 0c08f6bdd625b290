/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A listener's half-open connections as compact entries (atcp_syncache.c),
 * as FreeBSD's syncache: a SYN takes an entry of a few hundred bytes, and a
 * socket is made only when the handshake's ACK arrives.
 */
#ifndef _ATCP_SYNCACHE_H
#define _ATCP_SYNCACHE_H

#include <linux/skbuff.h>
#include <linux/timer.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include <atcp/engine.h>

struct atcp_syn {
	struct hlist_node node; /* its bucket's chain: the bucket's lock */
	struct hlist_node listener_node; /* the listener's syn_entries */
	struct sock *listener; /* a reference */
	struct timer_list timer; /* the engine's deadline */
	struct rcu_head rcu;
	bool dead; /* ended: no longer hashed or on the listener's list */

	/* Set before it is hashed, then read only. */
	struct in6_addr laddr; /* IPv4 ones v4-mapped */
	struct in6_addr raddr;
	__be16 rport;
	int iif; /* the SYN's interface, which a link-local peer is reached on */
	u32 rcv_seq; /* the peer's first byte of data */

	struct atcp_syn_received engine; /* the listener's lock */
};

int atcp_syn_init(void);
void atcp_syn_exit(void);
int atcp_syn_open(struct sock *lsk, struct sk_buff *skb,
		  const struct atcp_tcp_header *h);
bool atcp_syn_input(struct sock *lsk, struct sk_buff *skb,
		    const struct atcp_tcp_header *h);
void atcp_syn_close_all(struct sock *lsk);
int atcp_syn_icmp(struct sock *lsk, const struct in6_addr *laddr,
		  const struct in6_addr *raddr, __be16 rport,
		  const struct atcp_icmp *m);
bool atcp_syn_holds(struct net *net, const struct in6_addr *laddr, u16 lport,
		    const struct in6_addr *raddr, __be16 rport);
u32 atcp_syn_timer_ms(const struct atcp_syn *e);
struct atcp_dump_pos;
typedef int (*atcp_syn_fill_fn)(const struct atcp_syn *e, void *arg);
int atcp_syn_walk(struct net *net, struct atcp_dump_pos *pos,
		  atcp_syn_fill_fn fill, void *arg);

#endif /* _ATCP_SYNCACHE_H */
