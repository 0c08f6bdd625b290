// SPDX-License-Identifier: GPL-2.0
/*
 * Input: netfilter hooks at LOCAL_IN (IPv4 and IPv6) in every namespace
 * take the TCP segments that belong to an atcp connection or listener and
 * leave every other packet to Linux.  Segments are checked as Linux's TCP
 * checks them and handed to the engine under the socket lock, or queued on
 * the socket's backlog while a process owns it; the connection
 * (atcp_conn.c) carries out what the engine decided.  The same hooks
 * registration carries atcp_icmp.c's, for the ICMP errors about atcp's
 * segments.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"
#include "atcp_timewait.h"

/*
 * Parses the TCP header at skb->data, and takes the IP header's ECN field
 * (RFC 3168 5); false for a malformed one.
 */
static bool atcp_parse(struct sk_buff *skb, struct atcp_tcp_header *h)
{
	unsigned int doff = tcp_hdr(skb)->doff * 4;
	u8 dsfield;

	if (doff < sizeof(struct tcphdr) || !pskb_may_pull(skb, doff) ||
	    atcp_tcp_parse(skb->data, doff, h) != ATCP_CODEC_OK)
		return false;
	dsfield = ip_hdr(skb)->version == 4 ? ipv4_get_dsfield(ip_hdr(skb)) :
					      ipv6_get_dsfield(ipv6_hdr(skb));
	h->ecn = dsfield & INET_ECN_MASK;
	return true;
}

static bool atcp_deliver_once(struct sock *sk, struct sk_buff *skb,
			      int subclass);

/*
 * A segment that found listener lsk, for a connection one of lsk's SYN
 * cache entries (or SYN cookies) handed to a socket of its own since: while
 * the segment waited on lsk's backlog, or for lsk's lock.  That socket
 * takes it, as if found first.  Whether it did.  The caller holds lsk's
 * lock (found by atcp_claim(), at lockdep subclass SINGLE_DEPTH_NESTING);
 * a child's nests inside it at subclass 0, as in atcp_new_child().
 */
static bool atcp_redirect(struct sock *lsk, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct in6_addr saddr, daddr;
	struct sock *sk;

	atcp_skb_addrs(skb, &saddr, &daddr);
	rcu_read_lock();
	sk = atcp_lookup(sock_net(lsk), &saddr, th->source, &daddr, th->dest);
	rcu_read_unlock();
	if (!sk)
		return false;
	if (sk->sk_state == TCP_LISTEN) {
		sock_put(sk);
		return false;
	}
	/* A child that ended since leaves the segment to the listener. */
	return atcp_deliver_once(sk, skb, 0);
}

/*
 * A segment for sk, whose lock the caller holds as owner or in softirq.
 * Whether sk took it: not if sk's connection ended while the segment
 * waited for the lock or in the backlog, and then skb is the caller's.
 */
static bool atcp_process(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_tcp_header h;
	struct atcp_actions act;

	if (atcp_sk(sk)->released)
		return false;
	if (!atcp_parse(skb, &h)) {
		atcp_count_bad_segment(sock_net(sk));
		kfree_skb(skb);
		return true;
	}
	if (sk->sk_state == TCP_LISTEN) {
		if (!atcp_redirect(sk, skb))
			atcp_listen_input(sk, skb, &h);
		return true;
	}
	/* The peer's SYN fixes where its stream, and our receive queue, start. */
	if (sk->sk_state == TCP_SYN_SENT && (h.flags & ATCP_TCP_SYN))
		atcp_sk(sk)->rcv_seq = h.seq + 1;
	if (!atcp_mem_admit(sk, skb, &h)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PROTO_MEM);
		return true;
	}
	atcp_engine_input(&atcp_sk(sk)->tcb, &h, skb->len - h.header_len,
			  atcp_now_us(), &act);
	atcp_apply(sk, &act, skb);
	return true;
}

/* A segment for a TIME-WAIT entry; consumes skb. */
static void atcp_tw_process(struct atcp_tw *tw, struct sk_buff *skb)
{
	struct atcp_tcp_header h;

	if (!atcp_parse(skb, &h)) {
		atcp_count_bad_segment(atcp_tw_net(tw));
		kfree_skb(skb);
		return;
	}
	atcp_tw_input(tw, skb, &h);
}

/*
 * A segment, or an ICMP error's clone atcp_icmp.c marked, for sk; whether
 * sk took it (atcp_process()).  An error for a connection that ended is
 * counted and dropped there.
 */
static bool atcp_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (!atcp_icmp_backlogged(skb))
		return atcp_process(sk, skb);
	/* Never redispatched: its data is the quoted header, not TCP's. */
	atcp_icmp_process(sk, skb);
	return true;
}

/* Answers skb as no connection would (RFC 9293 3.10.7.1); consumes it. */
static void atcp_reply_closed(struct net *net, struct sk_buff *skb)
{
	struct atcp_out_segment rst;
	struct atcp_tcp_header h;

	if (!atcp_parse(skb, &h)) {
		atcp_count_bad_segment(net);
		kfree_skb(skb);
		return;
	}
	atcp_mib_add(net, ATCP_MIB_IN_SEGS, 1);
	if (atcp_engine_reset_owed(&h, skb->len - h.header_len, &rst) &&
	    atcp_send_reply(net, skb, &rst)) {
		atcp_mib_add(net, ATCP_MIB_OUT_SEGS, 1);
		atcp_mib_add(net, ATCP_MIB_OUT_RSTS, 1);
	}
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
}

/*
 * Hands skb to sk: processed now, or from sk's backlog when the task that
 * owns sk releases it (dropped past the backlog's limit).  Consumes the
 * caller's reference to sk, and skb unless sk's connection had ended
 * (false).  subclass is lockdep's for sk's spinlock: SINGLE_DEPTH_NESTING
 * where the caller holds no socket's (as tcp_v4_rcv() takes it), 0 inside
 * a listener's.
 */
static bool atcp_deliver_once(struct sock *sk, struct sk_buff *skb,
			      int subclass)
{
	bool taken = true;

	spin_lock_nested(&sk->sk_lock.slock, subclass);
	if (!sock_owned_by_user(sk))
		taken = atcp_rcv(sk, skb);
	else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
					 READ_ONCE(sk->sk_sndbuf)))
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_BACKLOG);
	bh_unlock_sock(sk);
	sock_put(sk);
	return taken;
}

/*
 * Whether Linux's TCP has a connection (or a TIME-WAIT) with the segment's
 * 4-tuple.  A Linux socket's port may also be an atcp listener's, since
 * Linux's binds know nothing of atcp's; its segments stay Linux's.  Looked
 * up as tcp_v4_rcv() and tcp_v6_rcv() do, under rcu_read_lock().
 */
static bool linux_has_connection(struct net *net, struct sk_buff *skb,
				 const struct tcphdr *th,
				 const struct in6_addr *saddr,
				 const struct in6_addr *daddr)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	struct sock *sk;

	if (ipv6_addr_v4mapped(daddr))
		sk = __inet_lookup_established(net, hinfo, saddr->s6_addr32[3],
					       th->source, daddr->s6_addr32[3],
					       ntohs(th->dest), inet_iif(skb),
					       inet_sdif(skb));
	else
		sk = __inet6_lookup_established(net, hinfo, saddr, th->source,
						daddr, ntohs(th->dest),
						inet6_iif(skb), inet6_sdif(skb));
	if (!sk)
		return false;
	sock_gen_put(sk);
	return true;
}

/*
 * Which of atcp's takes a segment with header th: a connection (*skp), a
 * TIME-WAIT entry (*twp) or a listener (*skp), in that order, with a
 * reference; or neither, both NULL.  Whether Linux's TCP has the
 * connection on an atcp listener's port: then neither, the segment is
 * Linux's.
 */
static bool atcp_find(struct net *net, struct sk_buff *skb,
		      const struct tcphdr *th, const struct in6_addr *saddr,
		      const struct in6_addr *daddr, struct sock **skp,
		      struct atcp_tw **twp)
{
	struct atcp_tw *tw = NULL;
	bool linuxs = false;
	struct sock *sk;

	rcu_read_lock();
	sk = atcp_lookup(net, saddr, th->source, daddr, th->dest);
	if (!sk || READ_ONCE(sk->sk_state) == TCP_LISTEN)
		tw = atcp_lookup_tw(net, saddr, th->source, daddr, th->dest);
	if (sk && !tw && READ_ONCE(sk->sk_state) == TCP_LISTEN)
		linuxs = linux_has_connection(net, skb, th, saddr, daddr);
	if (sk && (tw || linuxs)) {
		sock_put(sk);
		sk = NULL;
	}
	rcu_read_unlock();
	*skp = sk;
	*twp = tw;
	return linuxs;
}

/*
 * A checked segment that waited for a connection which ended meanwhile (a
 * reset ahead of it in the backlog, say) goes to what holds its 4-tuple
 * now, as if it had arrived after (RFC 9293 3.10.7): the listener, for a
 * SYN that reused the port; the TIME-WAIT entry the connection left.  If
 * the next taker has ended too when the segment gets to it, it is answered
 * as no connection would, as with no taker; from the taker's backlog it
 * goes round again, each time after another end of its 4-tuple.  One that
 * Linux's TCP has now is dropped: it cannot be handed back.  In softirq or
 * as a backlog runs, holding no socket's spinlock.  Consumes skb.
 */
static void atcp_redispatch(struct net *net, struct sk_buff *skb)
{
	struct in6_addr saddr, daddr;
	struct atcp_tw *tw;
	struct sock *sk;

	atcp_skb_addrs(skb, &saddr, &daddr);
	if (atcp_find(net, skb, tcp_hdr(skb), &saddr, &daddr, &sk, &tw)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	} else if (tw) {
		atcp_tw_process(tw, skb);
		atcp_tw_put(tw);
	} else if (!sk || !atcp_deliver_once(sk, skb, SINGLE_DEPTH_NESTING)) {
		atcp_reply_closed(net, skb);
	}
}

/*
 * Hands skb to sk, or to what holds its 4-tuple now if sk's connection had
 * ended (atcp_redispatch()).  Consumes skb and the caller's reference to
 * sk.  The caller holds no socket's spinlock: one it held could be the
 * next taker's.
 */
void atcp_deliver(struct sock *sk, struct sk_buff *skb)
{
	struct net *net = sock_net(sk);

	if (!atcp_deliver_once(sk, skb, SINGLE_DEPTH_NESTING))
		atcp_redispatch(net, skb);
}

/*
 * __release_sock() runs the backlog with bottom halves enabled; processing
 * takes locks that softirqs take too (a child's socket lock, a listener's
 * accept_lock), so it runs as it would in softirq.  The owner holds no
 * socket's spinlock then, so a segment sk's end left over may be looked up
 * again and taken by another socket from here.
 */
int atcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	local_bh_disable();
	if (!atcp_rcv(sk, skb))
		atcp_redispatch(sock_net(sk), skb);
	local_bh_enable();
	return 0;
}

/*
 * A TCP segment whose header starts thoff bytes into skb->data (pulled):
 * ours if an atcp connection, TIME-WAIT entry or listener takes its
 * addresses, in that order, else left to Linux.  Ours are checked as
 * tcp_v4_rcv() and tcp_v6_rcv() check them.
 */
static unsigned int atcp_claim(struct net *net, struct sk_buff *skb,
			       unsigned int thoff, const struct in6_addr *saddr,
			       const struct in6_addr *daddr)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);
	bool v4 = ipv6_addr_v4mapped(daddr);
	struct atcp_tw *tw;
	struct sock *sk;
	int bad;

	atcp_find(net, skb, th, saddr, daddr, &sk, &tw);
	if (!sk && !tw)
		return NF_ACCEPT; /* Linux's TCP's, or nobody's */

	__skb_pull(skb, thoff);
	skb_reset_transport_header(skb);
	bad = v4 ? skb_checksum_init(skb, IPPROTO_TCP, inet_compute_pseudo) :
		   skb_checksum_init(skb, IPPROTO_TCP, ip6_compute_pseudo);
	if (bad || (!skb_csum_unnecessary(skb) && __skb_checksum_complete(skb))) {
		atcp_count_bad_segment(net);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_CSUM);
		if (tw)
			atcp_tw_put(tw);
		else
			sock_put(sk);
		return NF_STOLEN;
	}
	if (tw) {
		atcp_tw_process(tw, skb);
		atcp_tw_put(tw);
		return NF_STOLEN;
	}

	atcp_deliver(sk, skb);
	return NF_STOLEN;
}

static unsigned int atcp_nf_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct in6_addr saddr, daddr;
	const struct iphdr *iph;

	if (ip_hdr(skb)->protocol != IPPROTO_TCP ||
	    skb->pkt_type != PACKET_HOST ||
	    !pskb_may_pull(skb, ip_hdrlen(skb) + sizeof(struct tcphdr)))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	ipv6_addr_set_v4mapped(iph->saddr, &saddr);
	ipv6_addr_set_v4mapped(iph->daddr, &daddr);
	return atcp_claim(state->net, skb, ip_hdrlen(skb), &saddr, &daddr);
}

static unsigned int atcp_nf_hook6(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	struct in6_addr saddr, daddr;
	__be16 frag_off;
	int thoff;

	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	thoff = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nexthdr,
				 &frag_off);
	/* Fragments are reassembled after this hook: Linux's to handle. */
	if (thoff < 0 || nexthdr != IPPROTO_TCP || frag_off ||
	    !pskb_may_pull(skb, thoff + sizeof(struct tcphdr)))
		return NF_ACCEPT;
	saddr = ipv6_hdr(skb)->saddr;
	daddr = ipv6_hdr(skb)->daddr;
	return atcp_claim(state->net, skb, thoff, &saddr, &daddr);
}

/*
 * TCP segments and the ICMP errors about them, after the INPUT filters
 * (iptables, ip6tables, nftables' filter priority), so that firewall rules
 * apply to atcp as they do to Linux's TCP.
 */
#define ATCP_LOCAL_IN(fn, family, prio) \
	{ .hook = fn, .pf = family, .hooknum = NF_INET_LOCAL_IN, .priority = prio }

static const struct nf_hook_ops atcp_nf_ops[] = {
	ATCP_LOCAL_IN(atcp_nf_hook, NFPROTO_IPV4, NF_IP_PRI_FILTER + 1),
	ATCP_LOCAL_IN(atcp_nf_hook6, NFPROTO_IPV6, NF_IP6_PRI_FILTER + 1),
	ATCP_LOCAL_IN(atcp_icmp4_hook, NFPROTO_IPV4, NF_IP_PRI_FILTER + 1),
	ATCP_LOCAL_IN(atcp_icmp6_hook, NFPROTO_IPV6, NF_IP6_PRI_FILTER + 1),
};

static int __net_init atcp_input_net_init(struct net *net)
{
	return nf_register_net_hooks(net, atcp_nf_ops, ARRAY_SIZE(atcp_nf_ops));
}

/* Once no segment can reach them, the namespace's TIME-WAIT entries end. */
static void __net_exit atcp_input_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, atcp_nf_ops, ARRAY_SIZE(atcp_nf_ops));
	atcp_tw_purge(net);
}

/*
 * Registered after atcp_net.c's pernet operations, so that a namespace's
 * counters and sysctls are there before its first segment and outlive its
 * hooks.
 */
static struct pernet_operations atcp_input_net_ops = {
	.init = atcp_input_net_init,
	.exit = atcp_input_net_exit,
};

int atcp_input_init(void)
{
	return register_pernet_subsys(&atcp_input_net_ops);
}

void atcp_input_exit(void)
{
	unregister_pernet_subsys(&atcp_input_net_ops);
}
