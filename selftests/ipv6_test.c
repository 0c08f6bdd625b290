// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 and dual stack, as RFC 3493 describes binding: sockaddr_in6, ::1 and
 * in6addr_any, v4-mapped addresses, IPV6_V6ONLY, the port space shared
 * between the families, Linux's TCP at the other end, and the IPv6 SYN on
 * the wire.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

TEST(bind_loopback_and_getsockname_give_sockaddr_in6)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);
	char text[INET6_ADDRSTRLEN];
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind6(fd, "::1", 0));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin6, &len));
	EXPECT_EQ(sizeof(sin6), len);
	EXPECT_EQ(AF_INET6, sin6.sin6_family);
	EXPECT_NE(0, sin6.sin6_port);
	EXPECT_STREQ("::1", inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text)));
	close(fd);
}

TEST(bad_ipv6_addresses)
{
	struct sockaddr_in6 sin6 = ipv6("::1", 0);
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	/* Too short for a sockaddr_in6. */
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin6, 20));
	EXPECT_EQ(EINVAL, errno);
	/* tcp(4): multicast is EAFNOSUPPORT. */
	EXPECT_EQ(-1, bind6(fd, "ff02::1", 0));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	/* No interface has it (the documentation prefix). */
	EXPECT_EQ(-1, bind6(fd, "2001:db8::1", 0));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* Link-local needs a scope id: which link? */
	EXPECT_EQ(-1, bind6(fd, "fe80::1", 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, bind6(fd, "::1", 0));
	close(fd);
}

TEST(atcp_to_atcp_over_ipv6_loopback)
{
	char text[INET6_ADDRSTRLEN];
	int lfd = listen6(atcp_family(), "::1", -1), c, s, mss;
	socklen_t len = sizeof(mss);

	ASSERT_LE(0, lfd);
	c = connect6(atcp_family(), "::1", local_port(lfd));
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_STREQ("::1", peer_text(s, text, sizeof(text)));
	EXPECT_STREQ("::1", peer_text(c, text, sizeof(text)));
	ASSERT_EQ(0, exchange(c, s));
	/* Loopback's MTU less the IPv6 and TCP headers and the timestamps. */
	ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &mss, &len));
	EXPECT_EQ(65536 - 60 - 12, mss);
	close(c);
	close(s);
	close(lfd);
}

/* A connection over ::1 from a client of one family to a listener of another. */
static void over_ipv6(struct __test_metadata *_metadata, int server, int client)
{
	int lfd = listen6(server, "::1", -1), c, s;

	ASSERT_LE(0, lfd);
	c = connect6(client, "::1", local_port(lfd));
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, exchange(c, s));
	close(c);
	close(s);
	close(lfd);
}

TEST(linux_tcp_client_atcp_server_over_ipv6)
{
	over_ipv6(_metadata, atcp_family(), AF_INET6);
}

TEST(atcp_client_linux_tcp_server_over_ipv6)
{
	over_ipv6(_metadata, AF_INET6, atcp_family());
}

/* RFC 3493 3.7, 5.3: a socket on in6addr_any also serves IPv4, seen v4-mapped. */
TEST(dual_stack_listener_takes_ipv4_as_mapped)
{
	char text[INET6_ADDRSTRLEN];
	int lfd = listen6(atcp_family(), "::", 0), c, s, linux_c, val;
	socklen_t len = sizeof(val);

	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, getsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &val, &len));
	EXPECT_EQ(0, val);
	c = connect4(atcp_family(), "127.0.0.1", local_port(lfd));
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_STREQ("::ffff:127.0.0.1", peer_text(s, text, sizeof(text)));
	ASSERT_EQ(0, exchange(c, s));
	close(s);
	linux_c = connect4(AF_INET, "127.0.0.1", local_port(lfd));
	ASSERT_LE(0, linux_c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, exchange(linux_c, s));
	close(s);
	close(linux_c);
	/* And IPv6 as itself. */
	close(c);
	c = connect6(atcp_family(), "::1", local_port(lfd));
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_STREQ("::1", peer_text(s, text, sizeof(text)));
	close(s);
	close(c);
	close(lfd);
}

TEST(v6only_listener_refuses_ipv4)
{
	int lfd = listen6(atcp_family(), "::", 1), fd;
	struct sockaddr_in6 mapped = ipv6("::ffff:127.0.0.1", 0);

	ASSERT_LE(0, lfd);
	EXPECT_EQ(-1, connect4(atcp_family(), "127.0.0.1", local_port(lfd)));
	EXPECT_EQ(ECONNREFUSED, errno);
	/* Linux's answers for IPv4 on a V6ONLY socket. */
	fd = atcp_socket();
	ASSERT_EQ(0, set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&mapped, sizeof(mapped)));
	EXPECT_EQ(EINVAL, errno);
	mapped.sin6_port = htons(local_port(lfd));
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&mapped, sizeof(mapped)));
	EXPECT_EQ(ENETUNREACH, errno);
	close(fd);
	close(lfd);
}

/* RFC 3493 3.7: binding ::ffff:127.0.0.1 serves IPv4 on that address. */
TEST(mapped_address_binds_ipv4)
{
	char text[INET6_ADDRSTRLEN];
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);
	int lfd = listen6(atcp_family(), "::ffff:127.0.0.1", -1), c, s;

	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sin6, &len));
	EXPECT_STREQ("::ffff:127.0.0.1",
		     inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text)));
	c = connect4(AF_INET, "127.0.0.1", local_port(lfd));
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_STREQ("::ffff:127.0.0.1", peer_text(s, text, sizeof(text)));
	ASSERT_EQ(0, exchange(c, s));
	close(c);
	close(s);
	close(lfd);
}

/* As Linux: one port space; :: without V6ONLY overlaps 0.0.0.0. */
TEST(families_share_the_port_space)
{
	struct sockaddr_in any4 = { .sin_family = AF_INET };
	int v4 = atcp_socket(), v6 = atcp_socket(), v6only = atcp_socket();

	ASSERT_LE(0, v4);
	ASSERT_EQ(0, bind(v4, (struct sockaddr *)&any4, sizeof(any4)));
	EXPECT_EQ(-1, bind6(v6, "::", local_port(v4)));
	EXPECT_EQ(EADDRINUSE, errno);
	ASSERT_EQ(0, set_int(v6only, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	EXPECT_EQ(0, bind6(v6only, "::", local_port(v4)));
	close(v4);
	close(v6);
	close(v6only);
}

TEST(ipv6_options_on_an_ipv4_socket_are_enoprotoopt)
{
	int fd = atcp_socket(), val;
	socklen_t len = sizeof(val);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind4(fd, "127.0.0.1", 0));
	EXPECT_EQ(-1, getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &val, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	EXPECT_EQ(ENOPROTOOPT, errno);
	close(fd);
}

/* The SYN a connect to ::1 sends, captured on lo: MSS, window scale, TS. */
TEST(ipv6_syn_carries_the_ipv6_mss_and_rfc1323_options)
{
	int cap = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IPV6));
	int lfd = listen6(atcp_family(), "::1", -1), c;
	uint16_t port = local_port(lfd);
	struct pollfd p = { .fd = cap, .events = POLLIN };
	uint8_t pkt[256];
	int found = 0;

	ASSERT_LE(0, cap);
	ASSERT_LE(0, lfd);
	c = connect6(atcp_family(), "::1", port);
	ASSERT_LE(0, c);
	while (!found && poll(&p, 1, 1000) == 1) {
		ssize_t n = recv(cap, pkt, sizeof(pkt), 0);
		const struct ip6_hdr *ip6 = (const void *)pkt;
		const struct tcphdr *th = (const void *)(pkt + sizeof(*ip6));
		const uint8_t *opt = (const uint8_t *)(th + 1);
		int olen, i, mss = 0, ws = 0, ts = 0;

		if (n < (ssize_t)(sizeof(*ip6) + sizeof(*th)) ||
		    ip6->ip6_nxt != IPPROTO_TCP || ntohs(th->dest) != port ||
		    !th->syn || th->ack)
			continue;
		olen = th->doff * 4 - sizeof(*th);
		for (i = 0; i < olen && opt[i] != 0;) {
			if (opt[i] == 1) {
				i++;
				continue;
			}
			if (opt[i] == 2)
				mss = opt[i + 2] << 8 | opt[i + 3];
			ws |= opt[i] == 3;
			ts |= opt[i] == 8;
			i += opt[i + 1] ? opt[i + 1] : olen;
		}
		EXPECT_EQ(65536 - 60, mss);
		EXPECT_TRUE(ws);
		EXPECT_TRUE(ts);
		found = 1;
	}
	EXPECT_TRUE(found);
	close(c);
	close(lfd);
	close(cap);
}

TEST(v6mssdflt_sysctl)
{
	char buf[16] = { 0 };
	int fd = open("/proc/sys/net/atcp/v6mssdflt", O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	EXPECT_EQ(1220, atoi(buf)); /* FreeBSD's default */
	EXPECT_EQ(-1, pwrite(fd, "100", 3, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_HARNESS_MAIN
