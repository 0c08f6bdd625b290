// SPDX-License-Identifier: GPL-2.0
/*
 * The socket error queue: ICMP errors for a program that asks with
 * IP_RECVERR or IPV6_RECVERR, read with recvmsg(MSG_ERRQUEUE) as ip(7) and
 * ipv6(7) describe.  Linux's ip_icmp_error() and ipv6_icmp_error() test
 * flags of inet_sock and ipv6_pinfo that an atcp socket leaves zeroed, and
 * ip_recv_error() is not exported, so the entry is built and read here: the
 * same struct sock_exterr_skb and the same control message.
 *
 * Reached from atcp_icmp.c under the socket lock, and from recvmsg();
 * sock_queue_err_skb() and sock_dequeue_err_skb() lock the queue itself
 * and keep sk_err in step with the ICMP errors queued.
 */
#include <linux/errqueue.h>
#include <linux/in6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "atcp.h"
#include "atcp_sock.h"

/*
 * Queues the error; skb is the ICMP error's clone, its network header the
 * ICMP's IP header and its data the quoted IP header, of which the quoted
 * TCP header is quote_len bytes in.  Called with the socket lock held.
 */
void atcp_errqueue_icmp(struct sock *sk, struct sk_buff *skb,
			const struct atcp_icmp_error *e)
{
	struct sock_exterr_skb *serr;
	struct sk_buff *c;
	size_t daddr_off = e->v4 ? offsetof(struct iphdr, daddr) :
				   offsetof(struct ipv6hdr, daddr);

	c = skb_clone(skb, GFP_ATOMIC);
	if (!c)
		return;
	serr = SKB_EXT_ERR(c);
	memset(serr, 0, sizeof(*serr));
	serr->ee.ee_errno = e->err;
	serr->ee.ee_origin = e->v4 ? SO_EE_ORIGIN_ICMP : SO_EE_ORIGIN_ICMP6;
	serr->ee.ee_type = e->type;
	serr->ee.ee_code = e->code;
	serr->ee.ee_info = e->info;
	serr->addr_offset = c->data + daddr_off - skb_network_header(c);
	serr->port = e->port;
	/* What the program reads is the quoted TCP header on, as Linux's. */
	if (!pskb_pull(c, e->quote_len)) {
		kfree_skb(c);
		return;
	}
	skb_reset_transport_header(c);
	if (sock_queue_err_skb(sk, c))
		kfree_skb(c);
}

/* Where the error came from, and the address its quote was sent to. */
static void atcp_errqueue_addrs(struct sock *sk, struct sk_buff *skb,
				struct msghdr *msg, int *addr_len,
				void *offender)
{
	struct sock_exterr_skb *serr = SKB_EXT_ERR(skb);
	const u8 *nh = skb_network_header(skb);
	bool v4 = serr->ee.ee_origin == SO_EE_ORIGIN_ICMP;
	struct in6_addr to, from;

	if (v4) {
		ipv6_addr_set_v4mapped(*(__be32 *)(nh + serr->addr_offset), &to);
		ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, &from);
	} else {
		to = *(struct in6_addr *)(nh + serr->addr_offset);
		from = ipv6_hdr(skb)->saddr;
	}
	if (READ_ONCE(atcp_sk(sk)->family) == AF_INET) {
		DECLARE_SOCKADDR(struct sockaddr_in *, sin, msg->msg_name);
		struct sockaddr_in *off = offender;

		if (sin) {
			*sin = (struct sockaddr_in){ .sin_family = AF_INET,
						     .sin_port = serr->port };
			sin->sin_addr.s_addr = to.s6_addr32[3];
			*addr_len = sizeof(*sin);
		}
		*off = (struct sockaddr_in){ .sin_family = AF_INET };
		off->sin_addr.s_addr = from.s6_addr32[3];
	} else {
		DECLARE_SOCKADDR(struct sockaddr_in6 *, sin6, msg->msg_name);
		struct sockaddr_in6 *off = offender;

		if (sin6) {
			*sin6 = (struct sockaddr_in6){ .sin6_family = AF_INET6,
						       .sin6_port = serr->port,
						       .sin6_addr = to };
			*addr_len = sizeof(*sin6);
		}
		*off = (struct sockaddr_in6){ .sin6_family = AF_INET6,
					      .sin6_addr = from };
	}
}

/*
 * recvmsg(MSG_ERRQUEUE): the oldest error, its quote as data and a
 * sock_extended_err with the ICMP sender (SO_EE_OFFENDER) as control
 * message, as ip_recv_error() and ipv6_recv_error() give them; -EAGAIN when
 * the queue is empty.
 */
int atcp_errqueue_recv(struct sock *sk, struct msghdr *msg, size_t len,
		       int *addr_len)
{
	struct {
		struct sock_extended_err ee;
		union {
			struct sockaddr_in sin;
			struct sockaddr_in6 sin6;
		} offender;
	} errhdr;
	bool v4sock = READ_ONCE(atcp_sk(sk)->family) == AF_INET;
	struct sk_buff *skb;
	size_t copied;
	int err;

	skb = sock_dequeue_err_skb(sk);
	if (!skb)
		return -EAGAIN;
	copied = min_t(size_t, skb->len, len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out;
	sock_recv_timestamp(msg, sk, skb);
	errhdr.ee = SKB_EXT_ERR(skb)->ee;
	atcp_errqueue_addrs(sk, skb, msg, addr_len, &errhdr.offender);
	put_cmsg(msg, v4sock ? SOL_IP : SOL_IPV6,
		 v4sock ? IP_RECVERR : IPV6_RECVERR,
		 sizeof(errhdr.ee) + (v4sock ? sizeof(errhdr.offender.sin) :
					       sizeof(errhdr.offender.sin6)),
		 &errhdr);
	msg->msg_flags |= MSG_ERRQUEUE;
	err = copied;
out:
	consume_skb(skb);
	return err;
}
