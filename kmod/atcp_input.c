// SPDX-License-Identifier: GPL-2.0
/*
 * Input: a netfilter hook at LOCAL_IN in every namespace takes the TCP
 * segments that belong to an atcp connection or listener and leaves every
 * other packet to Linux.  Segments are checked as tcp_v4_rcv() checks them
 * and handed to the engine under the socket lock, or queued on the socket's
 * backlog while a process owns it.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"

/* Parses the TCP header at skb->data; false for a malformed one. */
static bool atcp_parse(struct sk_buff *skb, struct atcp_tcp_header *h)
{
	unsigned int doff = tcp_hdr(skb)->doff * 4;

	return doff >= sizeof(struct tcphdr) && pskb_may_pull(skb, doff) &&
	       atcp_tcp_parse(skb->data, doff, h) == ATCP_CODEC_OK;
}

/* A segment for sk, whose lock the caller holds as owner or in softirq. */
static void atcp_process(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_tcp_header h;
	struct atcp_actions act;

	if (!atcp_parse(skb, &h)) {
		atcp_count_bad_segment(sock_net(sk));
		kfree_skb(skb);
		return;
	}
	if (atcp_sk(sk)->released) {
		/* The connection ended while this waited in the backlog. */
		struct net *net = sock_net(sk);

		atcp_mib_add(net, ATCP_MIB_IN_SEGS, 1);
		if (atcp_send_reset(net, skb, &h, skb->len - h.header_len)) {
			atcp_mib_add(net, ATCP_MIB_OUT_SEGS, 1);
			atcp_mib_add(net, ATCP_MIB_OUT_RSTS, 1);
		}
		kfree_skb(skb);
		return;
	}
	if (sk->sk_state == TCP_LISTEN) {
		atcp_listen_input(sk, skb, &h);
		return;
	}
	/* The peer's SYN fixes where its stream, and our receive queue, start. */
	if (sk->sk_state == TCP_SYN_SENT && (h.flags & ATCP_TCP_SYN))
		atcp_sk(sk)->rcv_seq = h.seq + 1;
	atcp_engine_input(&atcp_sk(sk)->tcb, &h, skb->len - h.header_len,
			  atcp_now_us(), &act);
	atcp_apply(sk, &act, skb);
}

/*
 * __release_sock() runs the backlog with bottom halves enabled; processing
 * takes locks that softirqs take too (a child's socket lock, a listener's
 * accept_lock), so it runs as it would in softirq.
 */
int atcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	local_bh_disable();
	atcp_process(sk, skb);
	local_bh_enable();
	return 0;
}

static unsigned int atcp_nf_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct net *net = state->net;
	const struct tcphdr *th;
	struct sock *sk;

	if (iph->protocol != IPPROTO_TCP || skb->pkt_type != PACKET_HOST ||
	    !pskb_may_pull(skb, ip_hdrlen(skb) + sizeof(*th)))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	th = (const struct tcphdr *)(skb->data + ip_hdrlen(skb));

	rcu_read_lock();
	sk = atcp_lookup(net, iph->saddr, th->source, iph->daddr, th->dest);
	rcu_read_unlock();
	if (!sk)
		return NF_ACCEPT; /* Linux's TCP's, or nobody's */

	/* Ours from here on: checked as tcp_v4_rcv() checks. */
	__skb_pull(skb, ip_hdrlen(skb));
	skb_reset_transport_header(skb);
	if (skb_checksum_init(skb, IPPROTO_TCP, inet_compute_pseudo) ||
	    (!skb_csum_unnecessary(skb) && __skb_checksum_complete(skb))) {
		atcp_count_bad_segment(net);
		kfree_skb(skb);
		sock_put(sk);
		return NF_STOLEN;
	}

	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		atcp_process(sk, skb);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
					   READ_ONCE(sk->sk_sndbuf))) {
		bh_unlock_sock(sk);
		kfree_skb(skb);
		sock_put(sk);
		return NF_STOLEN;
	}
	bh_unlock_sock(sk);
	sock_put(sk);
	return NF_STOLEN;
}

static const struct nf_hook_ops atcp_nf_ops = {
	.hook = atcp_nf_hook,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_LOCAL_IN,
	/* After iptables' INPUT filter, so that firewall rules still apply. */
	.priority = NF_IP_PRI_FILTER + 1,
};

int atcp_input_register(struct net *net)
{
	return nf_register_net_hook(net, &atcp_nf_ops);
}

void atcp_input_unregister(struct net *net)
{
	nf_unregister_net_hook(net, &atcp_nf_ops);
}
