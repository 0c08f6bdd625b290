/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local and remote addresses of both families in one form: IPv6, with IPv4
 * as v4-mapped (::ffff:a.b.c.d), as Linux's dual-stack sockets keep them.
 * The IPv4 wildcard is ::ffff:0.0.0.0, the IPv6 one is ::, which also takes
 * IPv4 unless the socket is IPV6_V6ONLY.
 */
#ifndef _ATCP_ADDR_H
#define _ATCP_ADDR_H

#include <net/ipv6.h>

#define ATCP_FAMILY_V4 1U
#define ATCP_FAMILY_V6 2U

/* ::ffff:0.0.0.0/104, the IPv4 wildcard (ipv6_addr_v4mapped_any() in 6.1). */
static inline bool atcp_addr_v4mapped_any(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a) && ipv4_is_zeronet(a->s6_addr32[3]);
}

static inline unsigned int atcp_addr_family(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a) ? ATCP_FAMILY_V4 : ATCP_FAMILY_V6;
}

/* The families a wildcard local address takes; 0 for a specific address. */
static inline unsigned int atcp_wild_families(const struct in6_addr *a,
					      bool v6only)
{
	if (ipv6_addr_any(a))
		return v6only ? ATCP_FAMILY_V6 : ATCP_FAMILY_V4 | ATCP_FAMILY_V6;
	if (atcp_addr_v4mapped_any(a))
		return ATCP_FAMILY_V4;
	return 0;
}

/* Whether a socket bound to local takes segments addressed to addr. */
static inline bool atcp_addr_covers(const struct in6_addr *local, bool v6only,
				    const struct in6_addr *addr)
{
	unsigned int wild = atcp_wild_families(local, v6only);

	return wild ? wild & atcp_addr_family(addr) :
		      ipv6_addr_equal(local, addr);
}

/* Whether two local addresses share an address. */
static inline bool atcp_addrs_overlap(const struct in6_addr *a, bool a_v6only,
				      const struct in6_addr *b, bool b_v6only)
{
	unsigned int wa = atcp_wild_families(a, a_v6only);
	unsigned int wb = atcp_wild_families(b, b_v6only);

	if (wa && wb)
		return wa & wb;
	if (wa)
		return wa & atcp_addr_family(b);
	if (wb)
		return wb & atcp_addr_family(a);
	return ipv6_addr_equal(a, b);
}

/* An address from the user, an IPv4 one v4-mapped. */
struct atcp_uaddr {
	struct in6_addr addr;
	__be16 port;
	int scope_id; /* the device of a link-local IPv6 address */
	u8 family; /* what the user gave: AF_INET or AF_INET6 */
};

struct sock;

/*
 * A sockaddr_in or sockaddr_in6 as tcp(4) and Linux take them, for bind()
 * (bind) or connect(); 0 or the errno to return.
 */
int atcp_parse_addr(const struct sock *sk, const struct sockaddr *uaddr,
		    int addr_len, bool bind, struct atcp_uaddr *a);
/* Whether a specific local address is this host's: 0 or the errno. */
int atcp_check_local(const struct sock *sk, const struct atcp_uaddr *a);
/* The wildcard of the socket's family: where it binds when not told. */
struct in6_addr atcp_wildcard(const struct sock *sk);

#endif /* _ATCP_ADDR_H */
