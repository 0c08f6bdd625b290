// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors for atcp's connections: path MTU discovery
 * (RFC 1191, RFC 8201) and hard and soft errors (RFC 1122 4.2.3.9).
 *
 * How atcp sees them.  icmp_rcv() and icmpv6_rcv() hand an error quoting a
 * TCP segment to inet_protos[IPPROTO_TCP]->err_handler, that is tcp_v4_err()
 * or tcp_v6_err() (icmp_socket_deliver(), icmpv6_notify()), which look only
 * in Linux's own TCP hash tables, find no atcp connection and drop it.  The
 * protocol slot for 6 is Linux's and its handlers are const, so there is no
 * second err_handler to register, and no ICMP notifier exists in 6.1 or
 * 6.12.  What every ICMP error destined to this host does cross, in both
 * kernels, is NF_INET_LOCAL_IN: ip_local_deliver() and ip6_input() run the
 * hook before the ICMP layer (IPv4 fragments already reassembled).  So
 * atcp, whose input already takes its segments there, hooks LOCAL_IN for
 * ICMP and ICMPv6 too, right after the filter table (as its input does, so
 * firewall rules apply to ICMP as they do for Linux's TCP), and always
 * answers NF_ACCEPT: raw sockets, ping sockets, conntrack's counters and
 * Linux's own ICMP handling see every error as before.  An error is
 * believed only after its checksum, its quoted 4-tuple (an atcp connection)
 * and its quoted sequence number (RFC 5927 4.1, checked by the engine) pass.
 *
 * The hook keeps a clone of the error whose data starts at the quoted IP
 * header, as ipv4_update_pmtu() and ip6_update_pmtu() read it, and the
 * parsed error in its cb.  The clone is handled under the socket lock, at
 * once or from the socket's backlog when a process owns the socket.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"
#include "atcp_syncache.h"

/* RFC 1122 3.3.3: every host takes 576-byte datagrams; RFC 8201 4: 1280. */
#define ATCP_PMTU_MIN4 576
#define ATCP_PMTU_MIN6 IPV6_MIN_MTU

/* Marks a clone queued on a socket's backlog (no IPCB iif is negative). */
#define ATCP_ICMP_MAGIC 0xa7c01c3bU

struct atcp_icmp_cb {
	u32 magic;
	struct atcp_icmp m; /* may_rst is filled under the socket lock */
	u32 mtu; /* ATCP_ICMP_PMTU: for the route, after the floors */
	struct atcp_icmp_error e;
};

static struct atcp_icmp_cb *atcp_icmp_cb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct atcp_icmp_cb) > sizeof(skb->cb));
	return (struct atcp_icmp_cb *)skb->cb;
}

bool atcp_icmp_backlogged(const struct sk_buff *skb)
{
	return atcp_icmp_cb(skb)->magic == ATCP_ICMP_MAGIC;
}

/*
 * What the program hears of an error the engine believed.  With
 * IP_RECVERR (IPV6_RECVERR for ICMPv6) it is queued, and a soft error of a
 * synchronized connection is reported at once through sk_err, as Linux's
 * tcp_v4_err() does; without, SO_ERROR reads it (and clears it) and it is
 * what a timeout reports.  As Linux's TCP, an IPv4 error that ends connect()
 * is queued even unasked, and a path MTU change is not an error.
 */
static void atcp_icmp_report(struct sock *sk, struct sk_buff *skb,
			     int result)
{
	const struct atcp_icmp_cb *cb = atcp_icmp_cb(skb);
	struct atcp_sock *as = atcp_sk(sk);
	bool asked = cb->e.v4 ? as->recverr : as->recverr6;

	if (cb->m.kind == ATCP_ICMP_PMTU)
		return;
	if (asked || (cb->e.v4 && result == ATCP_ICMP_ABORTED))
		atcp_errqueue_icmp(sk, skb, &cb->e);
	if (result != ATCP_ICMP_SOFT_ERROR || !cb->e.err)
		return;
	if (asked && sk->sk_state != TCP_SYN_SENT) {
		WRITE_ONCE(sk->sk_err, cb->e.err);
		sk_error_report(sk);
	} else {
		WRITE_ONCE(sk->sk_err_soft, cb->e.err);
	}
}

/*
 * What the engine's result r on an error teaches beyond the connection:
 * the counters, and the route's path MTU, as tcp_v4_mtu_reduced() and
 * tcp_v6_mtu_reduced() teach it, for this connection's next lookup (the
 * cached route turns obsolete) and every later one.  False when the error
 * was not believed.  sk gives the route's device, mark and owner.
 */
static bool atcp_icmp_learn(struct net *net, const struct sock *sk,
			    struct sk_buff *skb, int r)
{
	const struct atcp_icmp_cb *cb = atcp_icmp_cb(skb);

	if (r == ATCP_ICMP_IGNORED || r == ATCP_ICMP_OUT_OF_WINDOW) {
		atcp_mib_add(net, ATCP_MIB_ICMP_OUT_OF_WINDOW,
			     r == ATCP_ICMP_OUT_OF_WINDOW);
		return false;
	}
	if (cb->m.kind != ATCP_ICMP_PMTU)
		return true;
	if (cb->e.v4)
		ipv4_update_pmtu(skb, net, cb->mtu, sk->sk_bound_dev_if,
				 IPPROTO_TCP);
	else
		ip6_update_pmtu(skb, net, htonl(cb->mtu), sk->sk_bound_dev_if,
				READ_ONCE(sk->sk_mark), sk->sk_uid);
	if (r == ATCP_ICMP_MSS_LOWERED)
		atcp_mib_add(net, ATCP_MIB_PMTU_UPDATES, 1);
	return true;
}

/*
 * The error for sk; skb is the clone, its data at the quoted IP header.
 * Called with the socket lock held (in softirq or as the backlog runs).
 * Consumes skb.
 */
void atcp_icmp_process(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_icmp_cb *cb = atcp_icmp_cb(skb);
	struct atcp_sock *as = atcp_sk(sk);
	struct net *net = sock_net(sk);
	struct atcp_actions act;
	int r;

	if (as->released || sk->sk_state == TCP_LISTEN) {
		atcp_mib_add(net, ATCP_MIB_ICMP_NO_CONN, 1);
		goto out;
	}
	cb->m.may_rst = atcp_net_icmp_may_rst(net);
	r = atcp_engine_icmp(&as->tcb, &cb->m, atcp_now_us(), &act);
	if (!atcp_icmp_learn(net, sk, skb, r))
		goto out;
	atcp_icmp_report(sk, skb, r);
	atcp_apply(sk, &act, NULL);
out:
	consume_skb(skb);
}

/*
 * An error quoting a listener's segment: its SYN cache entry for the
 * quoted connection takes it, if the listener has one and no process owns
 * the listener (an error is not worth a backlog of the listener's own).
 * Consumes skb.
 */
static void atcp_icmp_entry(struct net *net, struct sock *lsk,
			    struct sk_buff *skb, const struct in6_addr *local,
			    const struct in6_addr *remote, __be16 rport)
{
	struct atcp_icmp_cb *cb = atcp_icmp_cb(skb);
	int r = -ENOENT;

	bh_lock_sock_nested(lsk);
	if (!sock_owned_by_user(lsk)) {
		cb->m.may_rst = atcp_net_icmp_may_rst(net);
		r = atcp_syn_icmp(lsk, local, remote, rport, &cb->m);
	}
	bh_unlock_sock(lsk);
	if (r < 0) {
		atcp_mib_add(net, ATCP_MIB_ICMP_NO_CONN, 1);
		kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
		return;
	}
	atcp_mib_add(net, ATCP_MIB_ICMP_IN, 1);
	atcp_icmp_learn(net, lsk, skb, r);
	consume_skb(skb);
}

/*
 * Hands the clone to the connection quoted (local: the quoted source),
 * or counts it for no connection.  Consumes skb.
 */
static void atcp_icmp_deliver(struct net *net, struct sk_buff *skb,
			      const struct in6_addr *local, __be16 lport,
			      const struct in6_addr *remote, __be16 rport)
{
	struct sock *sk;

	rcu_read_lock();
	sk = atcp_lookup(net, remote, rport, local, lport);
	rcu_read_unlock();
	if (sk && sk->sk_state == TCP_LISTEN) {
		atcp_icmp_entry(net, sk, skb, local, remote, rport);
		sock_put(sk);
		return;
	}
	if (!sk) {
		atcp_mib_add(net, ATCP_MIB_ICMP_NO_CONN, 1);
		kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
		return;
	}
	atcp_mib_add(net, ATCP_MIB_ICMP_IN, 1);
	atcp_icmp_cb(skb)->magic = ATCP_ICMP_MAGIC;
	atcp_deliver(sk, skb);
}

/* A clone of skb whose data starts at off, or NULL. */
static struct sk_buff *atcp_icmp_clone(struct sk_buff *skb, unsigned int off)
{
	struct sk_buff *c = skb_clone(skb, GFP_ATOMIC);

	if (c)
		__skb_pull(c, off);
	return c;
}

/*
 * RFC 1191 section 5: a router that predates it sends MTU 0; the next
 * plateau below the quoted datagram's length stands in.
 */
static u32 atcp_pmtu_plateau(u32 tot_len)
{
	static const u16 plateaus[] = { 32000, 17914, 8166, 4352, 2002, 1492,
					1006, 508, 296, 68 };
	int i;

	for (i = 0; i < ARRAY_SIZE(plateaus); i++)
		if (plateaus[i] < tot_len)
			return plateaus[i];
	return 68;
}

/* Sorts an IPv4 error; false for one TCP does not act on. */
static bool atcp_icmp4_kind(const struct icmphdr *icmph,
			    const struct iphdr *inner, struct atcp_icmp_cb *cb)
{
	u32 mtu;

	cb->e.err = EHOSTUNREACH;
	if (icmph->type == ICMP_TIME_EXCEEDED) {
		cb->m.kind = ATCP_ICMP_HOST_UNREACH; /* soft, as Linux */
		return true;
	}
	if (icmph->type != ICMP_DEST_UNREACH || icmph->code > NR_ICMP_UNREACH)
		return false;
	cb->e.err = icmp_err_convert[icmph->code].errno;
	switch (icmph->code) {
	case ICMP_FRAG_NEEDED:
		mtu = ntohs(icmph->un.frag.mtu);
		if (mtu < 68 || mtu >= ntohs(inner->tot_len))
			mtu = atcp_pmtu_plateau(ntohs(inner->tot_len));
		cb->mtu = max_t(u32, mtu, ATCP_PMTU_MIN4);
		cb->m.kind = ATCP_ICMP_PMTU;
		cb->m.mss_max = cb->mtu - sizeof(struct iphdr) -
				sizeof(struct tcphdr);
		return true;
	case ICMP_PROT_UNREACH:
	case ICMP_PORT_UNREACH:
	case ICMP_NET_ANO:
	case ICMP_HOST_ANO:
	case ICMP_PKT_FILTERED:
		cb->m.kind = ATCP_ICMP_REFUSED; /* FreeBSD: admin prohibited too */
		cb->e.err = ECONNREFUSED;
		return true;
	case ICMP_NET_UNREACH:
	case ICMP_NET_UNKNOWN:
	case ICMP_NET_UNR_TOS:
		cb->m.kind = ATCP_ICMP_NET_UNREACH;
		return true;
	default:
		cb->m.kind = ATCP_ICMP_HOST_UNREACH;
		return true;
	}
}

/* NF_INET_LOCAL_IN for IPv4, registered by atcp_input.c; always NF_ACCEPT. */
unsigned int atcp_icmp4_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	unsigned int off = ip_hdrlen(skb), inner_off, ihl;
	struct in6_addr local, remote;
	const struct icmphdr *icmph;
	const struct iphdr *inner;
	const struct tcphdr *th;
	struct atcp_icmp_cb cb = {};
	struct sk_buff *c;

	if (ip_hdr(skb)->protocol != IPPROTO_ICMP ||
	    skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	inner_off = off + sizeof(struct icmphdr);
	if (!pskb_may_pull(skb, inner_off + sizeof(struct iphdr)))
		return NF_ACCEPT;
	inner = (const struct iphdr *)(skb->data + inner_off);
	ihl = inner->ihl * 4;
	/* RFC 792: the quote holds the IP header and 8 bytes: ports and seq. */
	if (inner->version != 4 || ihl < sizeof(struct iphdr) ||
	    inner->protocol != IPPROTO_TCP ||
	    (inner->frag_off & htons(IP_OFFSET)) ||
	    !pskb_may_pull(skb, inner_off + ihl + 8))
		return NF_ACCEPT;
	icmph = (const struct icmphdr *)(skb->data + off);
	inner = (const struct iphdr *)(skb->data + inner_off);
	if (!atcp_icmp4_kind(icmph, inner, &cb))
		return NF_ACCEPT;
	/* icmp_rcv() checks it after this hook; nothing is believed before. */
	if (csum_fold(skb_checksum(skb, off, skb->len - off, 0)))
		return NF_ACCEPT;

	th = (const struct tcphdr *)((const u8 *)inner + ihl);
	cb.m.seq = ntohl(th->seq);
	cb.e.type = icmph->type;
	cb.e.code = icmph->code;
	cb.e.info = cb.mtu;
	cb.e.port = th->dest;
	cb.e.quote_len = ihl;
	cb.e.v4 = true;
	ipv6_addr_set_v4mapped(inner->saddr, &local);
	ipv6_addr_set_v4mapped(inner->daddr, &remote);
	c = atcp_icmp_clone(skb, inner_off);
	if (c) {
		*atcp_icmp_cb(c) = cb;
		atcp_icmp_deliver(state->net, c, &local, th->source, &remote,
				  th->dest);
	}
	return NF_ACCEPT;
}

/* Sorts an ICMPv6 error (RFC 4443 3); false for one TCP does not act on. */
static bool atcp_icmp6_kind(const struct icmp6hdr *h, struct atcp_icmp_cb *cb)
{
	if (h->icmp6_type == ICMPV6_PKT_TOOBIG) {
		cb->mtu = max_t(u32, ntohl(h->icmp6_mtu), ATCP_PMTU_MIN6);
		cb->m.kind = ATCP_ICMP_PMTU;
		cb->m.mss_max = cb->mtu - sizeof(struct ipv6hdr) -
				sizeof(struct tcphdr);
		return true;
	}
	icmpv6_err_convert(h->icmp6_type, h->icmp6_code, &cb->e.err);
	switch (h->icmp6_type) {
	case ICMPV6_DEST_UNREACH:
		switch (h->icmp6_code) {
		case ICMPV6_NOROUTE:
			cb->m.kind = ATCP_ICMP_NET_UNREACH;
			return true;
		case ICMPV6_ADM_PROHIBITED:
		case ICMPV6_PORT_UNREACH:
		case ICMPV6_POLICY_FAIL:
		case ICMPV6_REJECT_ROUTE:
			cb->m.kind = ATCP_ICMP_REFUSED;
			cb->e.err = ECONNREFUSED;
			return true;
		default:
			cb->m.kind = ATCP_ICMP_HOST_UNREACH;
			return true;
		}
	case ICMPV6_TIME_EXCEED:
		cb->m.kind = ATCP_ICMP_HOST_UNREACH;
		return true;
	case ICMPV6_PARAMPROB:
		/* An unrecognized next header: IPv6's protocol unreachable. */
		if (h->icmp6_code != ICMPV6_UNK_NEXTHDR)
			return false;
		cb->m.kind = ATCP_ICMP_REFUSED;
		cb->e.err = ECONNREFUSED;
		return true;
	}
	return false;
}

unsigned int atcp_icmp6_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	struct atcp_icmp_cb cb = {};
	const struct icmp6hdr *h;
	const struct ipv6hdr *inner;
	const struct tcphdr *th;
	int off, inner_off, thoff;
	struct sk_buff *c;
	__be16 frag_off;

	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	off = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nexthdr,
			       &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6 || frag_off)
		return NF_ACCEPT;
	inner_off = off + sizeof(struct icmp6hdr);
	if (!pskb_may_pull(skb, inner_off + sizeof(struct ipv6hdr)))
		return NF_ACCEPT;
	h = (const struct icmp6hdr *)(skb->data + off);
	if ((h->icmp6_type & ICMPV6_INFOMSG_MASK) || !atcp_icmp6_kind(h, &cb))
		return NF_ACCEPT;
	nexthdr = ((const struct ipv6hdr *)(skb->data + inner_off))->nexthdr;
	thoff = ipv6_skip_exthdr(skb, inner_off + sizeof(struct ipv6hdr),
				 &nexthdr, &frag_off);
	if (thoff < 0 || nexthdr != IPPROTO_TCP || frag_off ||
	    !pskb_may_pull(skb, thoff + 8))
		return NF_ACCEPT;
	/* icmpv6_rcv() checks it after this hook; nothing is believed before. */
	if (csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
			    skb->len - off, IPPROTO_ICMPV6,
			    skb_checksum(skb, off, skb->len - off, 0)))
		return NF_ACCEPT;

	inner = (const struct ipv6hdr *)(skb->data + inner_off);
	th = (const struct tcphdr *)(skb->data + thoff);
	cb.m.seq = ntohl(th->seq);
	cb.e.type = h->icmp6_type;
	cb.e.code = h->icmp6_code;
	cb.e.info = cb.mtu;
	cb.e.port = th->dest;
	cb.e.quote_len = thoff - inner_off;
	c = atcp_icmp_clone(skb, inner_off);
	if (c) {
		*atcp_icmp_cb(c) = cb;
		atcp_icmp_deliver(state->net, c, &inner->saddr, th->source,
				  &inner->daddr, th->dest);
	}
	return NF_ACCEPT;
}
