// SPDX-License-Identifier: GPL-2.0
/*
 * Output: the engine's segments become skbs with the send queue's bytes, a
 * TCP header from the codec, a checksum (offloaded where the device can)
 * and an IPv4 or IPv6 header, and leave through the kernel's IP output
 * paths.  Routes are looked up without the socket: Linux's helpers would
 * read inet_sock fields an atcp socket does not have.
 */
#include <linux/ip.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/tcp.h>

#include "atcp_sock.h"

/*
 * A GSO skb's payload, so that its IP packet keeps within the 16-bit
 * lengths of IPv4 and IPv6, as GSO_LEGACY_MAX_SIZE keeps Linux's TCP.
 */
#define ATCP_GSO_MAX_DATA (GSO_LEGACY_MAX_SIZE - MAX_TCP_HEADER)

/* The IPv4 header, ecn its TOS byte's ECN field, and the send; consumes skb. */
static void atcp_ip_send(struct net *net, struct sock *sk, struct sk_buff *skb,
			 __be32 saddr, __be32 daddr, u8 ecn)
{
	struct iphdr *iph;

	skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = ecn;
	iph->frag_off = htons(IP_DF); /* path MTU discovery; RFC 6864 allows id 0 */
	iph->id = 0;
	iph->ttl = ip4_dst_hoplimit(skb_dst(skb));
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	skb->protocol = htons(ETH_P_IP);
	/* ip_local_out() fills in tot_len and the header checksum. */
	ip_local_out(net, sk, skb);
}

/* The IPv6 header, ecn its traffic class's ECN field, and the send; consumes skb. */
static void atcp_ip6_send(struct net *net, struct sock *sk,
			  struct sk_buff *skb, const struct in6_addr *saddr,
			  const struct in6_addr *daddr, u8 ecn)
{
	struct ipv6hdr *ip6h;

	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, ecn, 0);
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(skb_dst(skb));
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	skb->protocol = htons(ETH_P_IPV6);
	/* ip6_local_out() fills in payload_len. */
	ip6_local_out(net, sk, skb);
}

/*
 * The checksum over the pseudo header, left for the device to finish, and
 * the send on dst in the family of the addresses (v4-mapped for IPv4), in
 * an IP header with the ECN codepoint the engine chose (RFC 3168 6.1).
 * Consumes skb and the reference on dst.
 */
static void atcp_send(struct net *net, struct sock *sk, struct sk_buff *skb,
		      struct dst_entry *dst, const struct in6_addr *saddr,
		      const struct in6_addr *daddr, u8 ecn)
{
	struct tcphdr *th = tcp_hdr(skb);

	/* The engine's codepoints are the IP header's. */
	BUILD_BUG_ON((int)ATCP_ECN_ECT0 != (int)INET_ECN_ECT_0 ||
		     (int)ATCP_ECN_ECT1 != (int)INET_ECN_ECT_1 ||
		     (int)ATCP_ECN_CE != (int)INET_ECN_CE);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb_dst_set(skb, dst);
	if (ipv6_addr_v4mapped(daddr)) {
		th->check = ~tcp_v4_check(skb->len, saddr->s6_addr32[3],
					  daddr->s6_addr32[3], 0);
		atcp_ip_send(net, sk, skb, saddr->s6_addr32[3],
			     daddr->s6_addr32[3], ecn);
	} else {
		th->check = ~tcp_v6_check(skb->len, saddr, daddr, 0);
		atcp_ip6_send(net, sk, skb, saddr, daddr, ecn);
	}
}

static struct dst_entry *atcp_route4(struct net *net, struct in6_addr *saddr,
				     const struct in6_addr *daddr,
				     __be16 sport, __be16 dport, int oif,
				     u32 mark, kuid_t uid)
{
	struct flowi4 fl4;
	struct rtable *rt;

	flowi4_init_output(&fl4, oif, mark, 0, RT_SCOPE_UNIVERSE, IPPROTO_TCP,
			   0, daddr->s6_addr32[3], saddr->s6_addr32[3], dport,
			   sport, uid);
	rt = ip_route_output_flow(net, &fl4, NULL);
	if (IS_ERR(rt))
		return ERR_CAST(rt);
	ipv6_addr_set_v4mapped(fl4.saddr, saddr);
	return &rt->dst;
}

static struct dst_entry *atcp_route6(struct net *net, struct in6_addr *saddr,
				     const struct in6_addr *daddr,
				     __be16 sport, __be16 dport, int oif,
				     u32 mark, kuid_t uid)
{
	struct flowi6 fl6 = {
		.flowi6_oif = oif,
		.flowi6_mark = mark,
		.flowi6_proto = IPPROTO_TCP,
		.flowi6_uid = uid,
		.daddr = *daddr,
		.saddr = *saddr,
		.fl6_sport = sport,
		.fl6_dport = dport,
	};
	struct dst_entry *dst;

	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (!IS_ERR(dst))
		*saddr = fl6.saddr;
	return dst;
}

/*
 * A route from saddr (any: the route picks it, into *saddr) to daddr, in
 * either family; sk, when there is one, gives the mark, owner and device.
 */
struct dst_entry *atcp_route_to(struct net *net, const struct sock *sk,
				struct in6_addr *saddr,
				const struct in6_addr *daddr, __be16 sport,
				__be16 dport, int oif)
{
	u32 mark = sk ? sk->sk_mark : 0;
	kuid_t uid = sock_net_uid(net, sk);

	if (ipv6_addr_v4mapped(daddr))
		return atcp_route4(net, saddr, daddr, sport, dport, oif, mark,
				   uid);
	return atcp_route6(net, saddr, daddr, sport, dport, oif, mark, uid);
}

static struct sk_buff *atcp_alloc_segment(const struct atcp_tcp_header *h,
					  u32 data_len)
{
	size_t hlen = ATCP_TCP_HDR_MIN + atcp_tcp_options_len(&h->opt);
	struct sk_buff *skb;

	skb = alloc_skb(MAX_TCP_HEADER + data_len, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_TCP_HEADER);
	skb_put(skb, data_len);
	skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	atcp_tcp_write(h, skb->data, hlen);
	return skb;
}

/*
 * Gives skb len bytes of the send queue, from offset on, as references to
 * the queue's pages; false when they span more fragments than an skb holds.
 */
static bool atcp_share_send_data(struct sock *sk, struct sk_buff *skb,
				 u32 offset, u32 len)
{
	struct skb_shared_info *to = skb_shinfo(skb);
	struct sk_buff *q;
	int i;

	offset += atcp_sk(sk)->snd_head;
	skb_queue_walk(&sk->sk_write_queue, q) {
		for (i = 0; i < skb_shinfo(q)->nr_frags && len; i++) {
			const skb_frag_t *frag = &skb_shinfo(q)->frags[i];
			u32 n;

			if (offset >= skb_frag_size(frag)) {
				offset -= skb_frag_size(frag);
				continue;
			}
			if (to->nr_frags == MAX_SKB_FRAGS)
				return false;
			n = min(len, skb_frag_size(frag) - offset);
			skb_frag_ref(q, i);
			skb_fill_page_desc(skb, to->nr_frags, skb_frag_page(frag),
					   skb_frag_off(frag) + offset, n);
			skb->len += n;
			skb->data_len += n;
			skb->truesize += n;
			len -= n;
			offset = 0;
		}
		if (!len)
			return true;
	}
	return true;
}

/* Copies len bytes of the send queue, from offset on, to dst. */
static void atcp_copy_send_data(struct sock *sk, u32 offset, u8 *dst, u32 len)
{
	struct sk_buff *q;

	offset += atcp_sk(sk)->snd_head;
	skb_queue_walk(&sk->sk_write_queue, q) {
		u32 n;

		if (offset >= q->len) {
			offset -= q->len;
			continue;
		}
		n = min(len, q->len - offset);
		skb_copy_bits(q, offset, dst, n);
		dst += n;
		len -= n;
		offset = 0;
		if (!len)
			break;
	}
}

/* A segment carrying its data: shared pages, or a copy when they are many. */
static struct sk_buff *atcp_data_segment(struct sock *sk,
					 const struct atcp_out_segment *seg)
{
	struct sk_buff *skb = atcp_alloc_segment(&seg->hdr, 0);

	if (!skb || atcp_share_send_data(sk, skb, seg->data_offset,
					 seg->data_len))
		return skb;
	kfree_skb(skb);
	skb = atcp_alloc_segment(&seg->hdr, seg->data_len);
	if (skb)
		atcp_copy_send_data(sk, seg->data_offset,
				    skb_transport_header(skb) + tcp_hdrlen(skb),
				    seg->data_len);
	return skb;
}

/* The connection's route, cached on the socket; a reference for the caller. */
static struct dst_entry *atcp_route(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct dst_entry *dst = sk_dst_check(sk, as->dst_cookie);
	struct in6_addr saddr = sk->sk_v6_rcv_saddr;

	if (dst)
		return dst;
	dst = atcp_route_to(sock_net(sk), sk, &saddr, &sk->sk_v6_daddr,
			    htons(sk->sk_num), sk->sk_dport,
			    sk->sk_bound_dev_if);
	if (IS_ERR(dst))
		return dst;
	as->dst_cookie = atcp_wire_v4(sk) ? 0 :
			 rt6_get_cookie((struct rt6_info *)dst);
	sk_dst_set(sk, dst_clone(dst));
	return dst;
}

/*
 * The largest segment a route allows: its MTU less the IP and TCP headers.
 * Consumes the reference on dst.
 */
static u32 atcp_dst_mss(struct dst_entry *dst, bool v4)
{
	u32 headers = sizeof(struct tcphdr) +
		      (v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));
	/* IPv4's 16-bit total length counts its header, IPv6's does not. */
	u32 largest = 65535 - sizeof(struct tcphdr) -
		      (v4 ? sizeof(struct iphdr) : 0);
	u32 mss;

	if (IS_ERR(dst))
		return v4 ? ATCP_MSS_DEFAULT : ATCP_MSS_DEFAULT_V6;
	mss = dst_mtu(dst) - headers;
	dst_release(dst);
	return min(mss, largest);
}

/* The connection's route's largest segment. */
u32 atcp_route_mss(struct sock *sk)
{
	return atcp_dst_mss(atcp_route(sk), atcp_wire_v4(sk));
}

/* The same for a reply to in, with no connection (a SYN cookie's). */
u32 atcp_reply_mss(struct net *net, const struct sk_buff *in,
		   const struct atcp_tcp_header *h)
{
	struct in6_addr saddr, daddr;

	atcp_skb_addrs(in, &daddr, &saddr); /* the reply goes back */
	return atcp_dst_mss(atcp_route_to(net, NULL, &saddr, &daddr,
					  htons(h->dst_port), htons(h->src_port),
					  in->skb_iif),
			    ipv6_addr_v4mapped(&daddr));
}

/* ecn: the IP header's ECN codepoint (enum atcp_ecn). */
static void atcp_transmit(struct sock *sk, struct sk_buff *skb, u8 ecn)
{
	struct dst_entry *dst = atcp_route(sk);

	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return;
	}
	skb_set_owner_w(skb, sk);
	atcp_send(sock_net(sk), sk, skb, dst, &sk->sk_v6_rcv_saddr,
		  &sk->sk_v6_daddr, ecn);
}

/* The batch's segments one by one, as the engine built them. */
static void atcp_xmit_each(struct sock *sk, const struct atcp_xmit_batch *b)
{
	u32 mss = b->first.data_len;
	struct atcp_out_segment seg;
	struct sk_buff *skb;
	u32 done;

	done = 0;
	do { /* once for a segment without data */
		seg = b->first;
		seg.hdr.seq += done;
		seg.data_offset += done;
		seg.data_len = min(mss, b->len - done);
		if (done)
			seg.hdr.flags &= ~ATCP_TCP_CWR;
		if (done + seg.data_len == b->len)
			seg.hdr.flags |= b->last_flags;
		skb = atcp_data_segment(sk, &seg);
		if (skb)
			atcp_transmit(sk, skb, seg.hdr.ecn);
		/* else as a loss: the engine retransmits */
		done += seg.data_len;
	} while (done < b->len);
}

/*
 * More than one segment leaves as a GSO skb, as Linux's TCP builds them:
 * the first one's header with the last one's PSH and FIN, and all the
 * data, as references to the send queue's pages.  tcp_gso_segment() (or
 * a device with TSO) cuts it at gso_size and gives each piece the header,
 * the next sequence number, PSH and FIN only on the last and CWR only on
 * the first.  Data spread over more pages than an skb holds goes out
 * segment by segment instead.
 */
static void atcp_xmit_skb(struct sock *sk, const struct atcp_xmit_batch *b)
{
	struct atcp_tcp_header hdr = b->first.hdr;
	struct sk_buff *skb;

	if (b->segs == 1) {
		atcp_xmit_each(sk, b);
		return;
	}
	hdr.flags |= b->last_flags;
	skb = atcp_alloc_segment(&hdr, 0);
	if (!skb)
		return; /* as a loss: the engine retransmits */
	if (!atcp_share_send_data(sk, skb, b->first.data_offset, b->len)) {
		kfree_skb(skb);
		atcp_xmit_each(sk, b);
		return;
	}
	skb_shinfo(skb)->gso_size = b->first.data_len;
	skb_shinfo(skb)->gso_segs = b->segs;
	skb_shinfo(skb)->gso_type = atcp_wire_v4(sk) ? SKB_GSO_TCPV4 :
						       SKB_GSO_TCPV6;
	atcp_transmit(sk, skb, hdr.ecn);
}

void atcp_xmit_flush(struct sock *sk, struct atcp_xmit_batch *b)
{
	if (b->segs)
		atcp_xmit_skb(sk, b);
	b->segs = 0;
}

static bool atcp_same_options(const struct atcp_tcp_options *a,
			      const struct atcp_tcp_options *b)
{
	return a->present == b->present && a->ts_val == b->ts_val &&
	       a->ts_ecr == b->ts_ecr && a->sack_count == b->sack_count &&
	       !memcmp(a->sack, b->sack, a->sack_count * sizeof(a->sack[0]));
}

/*
 * Whether seg continues the batch as one more segment of a GSO skb: the
 * next bytes of the send queue, after full-sized segments with nothing
 * but ACK (and CWR on the first) set, and otherwise the same header and
 * the same ECN codepoint: every piece gets the one IP header.
 */
static bool atcp_xmit_joins(const struct atcp_xmit_batch *b,
			    const struct atcp_out_segment *seg)
{
	const struct atcp_out_segment *first = &b->first;
	const u8 only_last = ATCP_TCP_PSH | ATCP_TCP_FIN;
	u32 mss = first->data_len;

	return b->segs && !b->last_flags && b->len == b->segs * mss &&
	       b->segs < b->max_segs && seg->data_len && seg->data_len <= mss &&
	       b->len + seg->data_len <= b->max_len &&
	       seg->hdr.seq == first->hdr.seq + b->len &&
	       seg->data_offset == first->data_offset + b->len &&
	       (seg->hdr.flags & ~only_last) ==
		       (first->hdr.flags & ~ATCP_TCP_CWR) &&
	       seg->hdr.ack == first->hdr.ack &&
	       seg->hdr.window == first->hdr.window &&
	       seg->hdr.ecn == first->hdr.ecn &&
	       seg->hdr.header_len == first->hdr.header_len &&
	       atcp_same_options(&seg->hdr.opt, &first->hdr.opt);
}

/*
 * Sends seg, or keeps it to go out with the segments after it as one GSO
 * skb (atcp_xmit_flush() sends what is kept).  Consecutive segments are
 * batched only where the route's device takes TCP GSO (sk_can_gso() in
 * Linux's TCP), up to its gso_max_segs and gso_max_size.
 */
void atcp_xmit(struct sock *sk, struct atcp_xmit_batch *b,
	       const struct atcp_out_segment *seg)
{
	const u8 start_only = ATCP_TCP_SYN | ATCP_TCP_RST | ATCP_TCP_PSH |
			      ATCP_TCP_FIN | ATCP_TCP_URG;
	struct dst_entry *dst;

	if (atcp_xmit_joins(b, seg)) {
		b->len += seg->data_len;
		b->segs++;
		b->last_flags = seg->hdr.flags & (ATCP_TCP_PSH | ATCP_TCP_FIN);
		return;
	}
	atcp_xmit_flush(sk, b);
	b->first = *seg;
	b->len = seg->data_len;
	b->segs = 1;
	b->last_flags = 0;
	b->max_segs = 1;
	if (!seg->data_len || (seg->hdr.flags & start_only)) {
		atcp_xmit_flush(sk, b);
		return;
	}
	dst = atcp_route(sk);
	if (IS_ERR(dst))
		return;
	/* The device's limits, as sk_setup_caps() gives them to Linux's TCP. */
	if (net_gso_ok(dst->dev->features, atcp_wire_v4(sk) ? SKB_GSO_TCPV4 :
							      SKB_GSO_TCPV6) &&
	    READ_ONCE(dst->dev->gso_max_size) > MAX_TCP_HEADER) {
		b->max_segs = READ_ONCE(dst->dev->gso_max_segs);
		b->max_len = min_t(u32, ATCP_GSO_MAX_DATA,
				   READ_ONCE(dst->dev->gso_max_size) -
				   MAX_TCP_HEADER);
	}
	dst_release(dst);
}

/* A received segment's addresses, IPv4 ones v4-mapped. */
void atcp_skb_addrs(const struct sk_buff *skb, struct in6_addr *saddr,
		    struct in6_addr *daddr)
{
	if (ip_hdr(skb)->version == 4) {
		ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, saddr);
		ipv6_addr_set_v4mapped(ip_hdr(skb)->daddr, daddr);
	} else {
		*saddr = ipv6_hdr(skb)->saddr;
		*daddr = ipv6_hdr(skb)->daddr;
	}
}

/*
 * A segment the engine built in answer to in, without a connection (a
 * listener's or RFC 9293 3.10.7.1's RST): back to where in came from, from
 * where it went.  False when it could not be sent.
 */
bool atcp_send_reply(struct net *net, struct sk_buff *in,
		     const struct atcp_out_segment *seg)
{
	struct in6_addr saddr, daddr;

	atcp_skb_addrs(in, &daddr, &saddr); /* the reply goes back */
	return atcp_send_segment(net, NULL, &saddr, &daddr, in->skb_iif, seg);
}

/*
 * A segment the engine built without a socket of its own (a SYN cache
 * entry's): from saddr to daddr through oif; sk, the listener, gives the
 * route's mark and owner.  False when it could not be sent.
 */
bool atcp_send_segment(struct net *net, const struct sock *sk,
		       const struct in6_addr *saddr,
		       const struct in6_addr *daddr, int oif,
		       const struct atcp_out_segment *seg)
{
	struct in6_addr from = *saddr;
	struct dst_entry *dst;
	struct sk_buff *skb;

	skb = atcp_alloc_segment(&seg->hdr, 0);
	if (!skb)
		return false;
	dst = atcp_route_to(net, sk, &from, daddr, htons(seg->hdr.src_port),
			    htons(seg->hdr.dst_port), oif);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return false;
	}
	atcp_send(net, NULL, skb, dst, &from, daddr, seg->hdr.ecn);
	return true;
}
