// SPDX-License-Identifier: GPL-2.0
/*
 * Output: the engine's segments become skbs with the send queue's bytes, a
 * TCP header from the codec, a checksum (offloaded where the device can)
 * and an IPv4 header, and leave through the kernel's IP output path.
 */
#include <linux/ip.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>

#include "atcp_sock.h"

/* The IPv4 header and the send, for segments with or without a socket. */
static void atcp_ip_send(struct net *net, struct sock *sk, struct sk_buff *skb,
			 struct rtable *rt, __be32 saddr, __be32 daddr)
{
	struct iphdr *iph;

	skb_dst_set(skb, &rt->dst);
	skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->frag_off = htons(IP_DF); /* path MTU discovery; RFC 6864 allows id 0 */
	iph->id = 0;
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	skb->protocol = htons(ETH_P_IP);
	/* ip_local_out() fills in tot_len and the header checksum. */
	ip_local_out(net, sk, skb);
}

/* TCP checksum over the pseudo header, left for the device to finish. */
static void atcp_checksum(struct sk_buff *skb, __be32 saddr, __be32 daddr)
{
	struct tcphdr *th = tcp_hdr(skb);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	th->check = ~tcp_v4_check(skb->len, saddr, daddr, 0);
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

static struct rtable *atcp_route(struct sock *sk)
{
	struct dst_entry *dst = sk_dst_check(sk, 0);
	struct flowi4 fl4;
	struct rtable *rt;

	if (dst)
		return (struct rtable *)dst;
	rt = ip_route_output_ports(sock_net(sk), &fl4, sk, sk->sk_daddr,
				   sk->sk_rcv_saddr, sk->sk_dport,
				   htons(sk->sk_num), IPPROTO_TCP, 0,
				   sk->sk_bound_dev_if);
	if (IS_ERR(rt))
		return rt;
	sk_dst_set(sk, dst_clone(&rt->dst));
	return rt;
}

/* The largest segment the route allows: its MTU less IPv4 and TCP headers. */
u32 atcp_route_mss(struct sock *sk)
{
	struct rtable *rt = atcp_route(sk);
	u32 mss;

	if (IS_ERR(rt))
		return 536;
	mss = dst_mtu(&rt->dst) - sizeof(struct iphdr) - sizeof(struct tcphdr);
	ip_rt_put(rt);
	return min_t(u32, mss, 65535 - 40);
}

void atcp_transmit(struct sock *sk, const struct atcp_out_segment *seg)
{
	struct sk_buff *skb;
	struct rtable *rt;

	skb = atcp_data_segment(sk, seg);
	if (!skb)
		return; /* as a loss: the engine retransmits */
	rt = atcp_route(sk);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return;
	}
	atcp_checksum(skb, sk->sk_rcv_saddr, sk->sk_daddr);
	skb_set_owner_w(skb, sk);
	atcp_ip_send(sock_net(sk), sk, skb, rt, sk->sk_rcv_saddr, sk->sk_daddr);
}

/*
 * RFC 9293 3.10.7.1: the RST for a segment no socket takes; false when the
 * segment gets none (it was a RST itself) or it could not be sent.
 */
bool atcp_send_reset(struct net *net, struct sk_buff *in,
		     const struct atcp_tcp_header *th, u32 payload_len)
{
	const struct iphdr *iph = ip_hdr(in);
	struct atcp_out_segment rst;
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;

	if (atcp_engine_reset_for(th, payload_len, &rst))
		return false;
	skb = atcp_alloc_segment(&rst.hdr, 0);
	if (!skb)
		return false;
	rt = ip_route_output_ports(net, &fl4, NULL, iph->saddr, iph->daddr,
				   htons(rst.hdr.dst_port),
				   htons(rst.hdr.src_port), IPPROTO_TCP, 0,
				   inet_iif(in));
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return false;
	}
	atcp_checksum(skb, iph->daddr, iph->saddr);
	atcp_ip_send(net, NULL, skb, rt, iph->daddr, iph->saddr);
	return true;
}
