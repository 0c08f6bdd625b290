// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses from the user: sockaddr_in and sockaddr_in6 checked as tcp(4)
 * and Linux check them, and turned into the v4-mapped form of atcp_addr.h.
 * Called by the socket calls (atcp_sock.c) before they take the socket lock.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "atcp_addr.h"
#include "atcp_sock.h"

static int atcp_parse_in6(const struct sock *sk, const struct sockaddr *uaddr,
			  int addr_len, bool bind, struct atcp_uaddr *a)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)uaddr;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	a->addr = sin6->sin6_addr;
	a->port = sin6->sin6_port;
	a->family = AF_INET6;
	if ((ipv6_addr_type(&a->addr) & IPV6_ADDR_LINKLOCAL) &&
	    addr_len >= (int)sizeof(*sin6))
		a->scope_id = sin6->sin6_scope_id;
	if (ipv6_addr_is_multicast(&a->addr))
		return -EAFNOSUPPORT; /* tcp(4) */
	if (ipv6_addr_v4mapped(&a->addr)) {
		/* Linux's answers for IPv4 on a V6ONLY socket. */
		if (atcp_sk(sk)->v6only)
			return bind ? -EINVAL : -ENETUNREACH;
		if (ipv4_is_multicast(a->addr.s6_addr32[3]) ||
		    ipv4_is_lbcast(a->addr.s6_addr32[3]))
			return -EAFNOSUPPORT;
	}
	return 0;
}

/*
 * A sockaddr_in or sockaddr_in6 as tcp(4) and Linux take them.  A socket
 * speaks the family its first bind, connect or IPv6 option used.
 */
int atcp_parse_addr(const struct sock *sk, const struct sockaddr *uaddr,
		    int addr_len, bool bind, struct atcp_uaddr *a)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)uaddr;
	u8 family = READ_ONCE(atcp_sk(sk)->family);

	memset(a, 0, sizeof(*a));
	if (addr_len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (uaddr->sa_family == AF_INET6) {
		if (family == AF_INET)
			return -EAFNOSUPPORT;
		return atcp_parse_in6(sk, uaddr, addr_len, bind, a);
	}
	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	/* Linux's inet_bind() takes AF_UNSPEC with INADDR_ANY, for old programs. */
	if ((sin->sin_family != AF_INET &&
	     !(bind && sin->sin_family == AF_UNSPEC &&
	       sin->sin_addr.s_addr == htonl(INADDR_ANY))) ||
	    family == AF_INET6)
		return -EAFNOSUPPORT;
	/* tcp(4): a multicast (or broadcast) address is EAFNOSUPPORT. */
	if (ipv4_is_multicast(sin->sin_addr.s_addr) ||
	    ipv4_is_lbcast(sin->sin_addr.s_addr))
		return -EAFNOSUPPORT;
	ipv6_addr_set_v4mapped(sin->sin_addr.s_addr, &a->addr);
	a->port = sin->sin_port;
	a->family = AF_INET;
	return 0;
}

/* Whether a specific local address is this host's (EADDRNOTAVAIL if not). */
int atcp_check_local(const struct sock *sk, const struct atcp_uaddr *a)
{
	struct net *net = sock_net(sk);
	struct net_device *dev = NULL;
	bool local;

	if (ipv6_addr_v4mapped(&a->addr)) {
		switch (inet_addr_type(net, a->addr.s6_addr32[3])) {
		case RTN_LOCAL:
			return 0;
		case RTN_BROADCAST:
			return -EAFNOSUPPORT;
		default:
			return -EADDRNOTAVAIL; /* not this host's */
		}
	}
	if (ipv6_addr_type(&a->addr) & IPV6_ADDR_LINKLOCAL) {
		if (!a->scope_id)
			return -EINVAL; /* as Linux: which link? */
		rcu_read_lock();
		dev = dev_get_by_index_rcu(net, a->scope_id);
		local = dev && ipv6_chk_addr(net, &a->addr, dev, 0);
		rcu_read_unlock();
		return dev ? (local ? 0 : -EADDRNOTAVAIL) : -ENODEV;
	}
	return ipv6_chk_addr(net, &a->addr, NULL, 0) ? 0 : -EADDRNOTAVAIL;
}

/* The wildcard of the socket's family: where it binds when not told. */
struct in6_addr atcp_wildcard(const struct sock *sk)
{
	struct in6_addr any = in6addr_any;

	if (atcp_sk(sk)->family != AF_INET6)
		ipv6_addr_set_v4mapped(htonl(INADDR_ANY), &any);
	return any;
}

