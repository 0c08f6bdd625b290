// SPDX-License-Identifier: GPL-2.0
/*
 * atcp stream sockets over IPv4 loopback: bind and port ownership, connect,
 * accept, moving data to and from atcp and Linux TCP peers, shutdown and
 * reset, socket options and ioctls, and many short connections.  Errno
 * values follow FreeBSD's tcp(4) where it names one and Linux's tcp(7)
 * otherwise, so that programs move between the two unchanged.
 */
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

#define BULK_LEN (8 << 20)
#define REORDER_LEN (1 << 20)
#define CHUNK 65536

/* The numbers in /proc/sys/net/atcp/name, up to two; how many were read. */
static int atcp_sysctl(const char *name, int val[2])
{
	char path[128];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/sys/net/atcp/%s", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fscanf(f, "%d %d", &val[0], &val[1]);
	fclose(f);
	return n;
}

/*
 * The stream's byte at off: a hash of the 32-bit word it is in, so that no
 * shifted, repeated or reordered run of bytes matches.
 */
static uint8_t pattern(uint32_t off)
{
	uint32_t h = (off >> 2) * 0x9e3779b1u;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h >> (8 * (off & 3));
}

static int send_pattern(int fd, size_t total)
{
	static uint8_t buf[CHUNK];
	size_t off = 0;

	while (off < total) {
		size_t n = total - off < CHUNK ? total - off : CHUNK;
		size_t done = 0;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		while (done < n) {
			ssize_t r = send(fd, buf + done, n - done, MSG_NOSIGNAL);

			if (r <= 0)
				return -1;
			done += r;
		}
		off += n;
	}
	return 0;
}

/*
 * Sends len bytes of the pattern on from (in a child) and checks them as they
 * arrive on to.
 */
static void bulk(struct __test_metadata *_metadata, int from, int to,
		 size_t len)
{
	static uint8_t buf[CHUNK];
	long bad = -1;
	size_t got = 0;
	int status;
	pid_t pid;

	/* A stalled stream fails in seconds rather than at the harness's timeout. */
	set_rcvtimeo(to, 5000);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_pattern(from, len) ? 1 : 0);

	while (got < len) {
		ssize_t r = recv(to, buf, sizeof(buf), 0);

		if (r <= 0) {
			TH_LOG("recv after %zu bytes: %zd (%s)", got, r, strerror(errno));
			kill(pid, SIGKILL);
			break;
		}
		for (ssize_t i = 0; i < r && bad < 0; i++)
			if (buf[i] != pattern(got + i))
				bad = got + i;
		got += r;
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(-1, bad) TH_LOG("first wrong byte at offset %ld", bad);
	ASSERT_EQ(len, got);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* --- bind --- */

TEST(bind_port_zero_takes_an_ephemeral_port)
{
	int range[2], first, last, fd, port;

	ASSERT_EQ(2, atcp_sysctl("ephemeral_ports", range));
	first = range[0];
	last = range[1];

	fd = atcp_socket();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind4(fd, "127.0.0.1", 0));
	port = local_port(fd);
	EXPECT_LE(first, port);
	EXPECT_GE(last, port);
	close(fd);

	/*
	 * As Linux's TCP: listen() on an unbound socket chooses the port itself
	 * (POSIX listen() lets a protocol do so rather than fail EDESTADDRREQ).
	 */
	fd = atcp_socket();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, listen(fd, 1));
	port = local_port(fd);
	EXPECT_LE(first, port);
	EXPECT_GE(last, port);
	close(fd);
}

/*
 * Linux's TCP hands out ip_local_port_range without knowing atcp's ports:
 * of net.atcp.ephemeral_ports, atcp takes those outside that range first,
 * from a random start, and those inside only when none outside is free.
 */
TEST(ephemeral_ports_outside_linuxs_range_come_first)
{
	enum { OUTSIDE = 8 };
	int fds[OUTSIDE + 1], seen[OUTSIDE] = { 0 }, distinct = 0;

	ASSERT_EQ(0, enter_fresh_netns());
	ASSERT_EQ(0, write_sysctl("/proc/sys/net/ipv4/ip_local_port_range", "40000 60000"));
	ASSERT_EQ(0, write_sysctl("/proc/sys/net/atcp/ephemeral_ports", "59990 60008"));
	for (int i = 0; i < OUTSIDE + 1; i++) {
		int port;

		fds[i] = atcp_socket();
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, bind4(fds[i], "127.0.0.1", 0));
		port = local_port(fds[i]);
		if (i < OUTSIDE) {
			ASSERT_LT(60000, port) TH_LOG("bind %d took %d", i, port);
			ASSERT_GE(60008, port);
			distinct += !seen[port - 60001]++;
		} else {
			EXPECT_LE(59990, port) TH_LOG("all outside taken: %d", port);
			EXPECT_GE(60000, port);
		}
	}
	EXPECT_EQ(OUTSIDE, distinct);
	for (int i = 0; i < OUTSIDE + 1; i++)
		close(fds[i]);
}

/*
 * A connect() that picks its port passes over one whose 4-tuple a
 * connection still holds, as Linux's does: here a listener's child in
 * TIME-WAIT from 62000 to 62001 after both sockets that bound those ports
 * are gone, with 62002 free.
 */
TEST(connect_passes_over_a_port_whose_4_tuple_is_in_use)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_in a = ipv4("127.0.0.1", 62000);
	struct sockaddr_in b = ipv4("127.0.0.1", 62001);
	int lfd, c, s;
	char byte;

	ASSERT_EQ(0, enter_fresh_netns());
	ASSERT_EQ(0, write_sysctl("/proc/sys/net/atcp/ephemeral_ports", "62000 62002"));
	lfd = atcp_socket();
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind4(lfd, "127.0.0.1", 62000));
	ASSERT_EQ(0, listen(lfd, 1));
	c = atcp_socket();
	ASSERT_LE(0, c);
	ASSERT_EQ(0, bind4(c, "127.0.0.1", 62001));
	ASSERT_EQ(0, connect_to(c, &a));
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	/* The server closes first: its child waits in TIME-WAIT. */
	ASSERT_EQ(0, close(s));
	ASSERT_EQ(0, recv(c, &byte, 1, 0));
	ASSERT_EQ(0, close(c));
	ASSERT_EQ(0, close(lfd));

	lfd = atcp_socket();
	ASSERT_LE(0, lfd);
	/* The client may still wait in LAST-ACK for a moment. */
	for (int tries = 0; bind4(lfd, "127.0.0.1", 62001); tries++) {
		ASSERT_EQ(EADDRINUSE, errno);
		ASSERT_GT(100, tries);
		usleep(10000);
	}
	ASSERT_EQ(0, listen(lfd, 16));
	for (int i = 0; i < 16; i++) {
		c = atcp_socket();
		ASSERT_LE(0, c);
		ASSERT_EQ(0, connect_to(c, &b)) TH_LOG("connect %d: %s", i, strerror(errno));
		EXPECT_EQ(62002, local_port(c));
		s = accept(lfd, NULL, NULL);
		ASSERT_LE(0, s);
		/* A reset leaves no TIME-WAIT behind to hold 62002. */
		ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)));
		close(c);
		close(s);
	}
	close(lfd);
}

TEST(getsockname_shows_the_bound_address)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind4(fd, "127.0.0.1", 0));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(sizeof(sin), len);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);
	EXPECT_NE(0, sin.sin_port);
	close(fd);
}

TEST(bind_twice_is_einval)
{
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind4(fd, "127.0.0.1", 0));
	EXPECT_EQ(-1, bind4(fd, "127.0.0.1", 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(bind_bad_addresses)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in sin = ipv4("127.0.0.1", 0);
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	/* A family other than IPv4 and IPv6. */
	sin6.sin6_family = AF_UNIX;
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin, sizeof(sin) - 1));
	EXPECT_EQ(EINVAL, errno);
	/* tcp(4): EAFNOSUPPORT for a multicast address; Linux adds broadcast. */
	EXPECT_EQ(-1, bind4(fd, "224.0.0.1", 0));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	EXPECT_EQ(-1, bind4(fd, "255.255.255.255", 0));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	/* tcp(4): EADDRNOTAVAIL for an address no interface has (TEST-NET-1). */
	EXPECT_EQ(-1, bind4(fd, "192.0.2.1", 0));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* None of the failures bound it. */
	EXPECT_EQ(0, bind4(fd, "127.0.0.1", 0));
	/* An IPv4 socket takes no IPv6 address, as Linux's AF_INET. */
	sin6.sin6_family = AF_INET6;
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	close(fd);
}

TEST(bind_below_1024_needs_privilege)
{
	int status, fd, err = EADDRINUSE;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Dropping to nobody drops CAP_NET_BIND_SERVICE. */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(100);
		fd = atcp_socket();
		if (fd < 0)
			_exit(101);
		_exit(bind4(fd, "127.0.0.1", 1023) ? errno : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EACCES, WEXITSTATUS(status));

	/* Root may; some port below 1024 is free in the guest. */
	fd = atcp_socket();
	ASSERT_LE(0, fd);
	for (int port = 1023; port > 1000 && err == EADDRINUSE; port--)
		err = bind4(fd, "127.0.0.1", port) ? errno : 0;
	EXPECT_EQ(0, err) TH_LOG("bind as root: %s", strerror(err));
	close(fd);
}

TEST(bind_address_in_use_is_eaddrinuse)
{
	int a = atcp_socket(), b = atcp_socket();
	uint16_t port;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, bind4(a, "127.0.0.1", 0));
	port = local_port(a);
	EXPECT_EQ(-1, bind4(b, "127.0.0.1", port));
	EXPECT_EQ(EADDRINUSE, errno);
	/* The wildcard overlaps every address. */
	EXPECT_EQ(-1, bind4(b, "0.0.0.0", port));
	EXPECT_EQ(EADDRINUSE, errno);
	close(a);
	close(b);
}

/*
 * Two atcp sockets with SO_REUSEADDR, the first bound to 127.0.0.1 at a
 * port of its choosing: that port, or 0 with errno set.
 */
static uint16_t reuseaddr_sockets(int *a, int *b)
{
	*a = atcp_socket();
	*b = atcp_socket();
	if (*a < 0 || *b < 0 || set_int(*a, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    set_int(*b, SOL_SOCKET, SO_REUSEADDR, 1) || bind4(*a, "127.0.0.1", 0))
		return 0;
	return local_port(*a);
}

/*
 * POSIX (XSH 2.10.16): SO_REUSEADDR lets bind() reuse an address in use;
 * RFC 9293 3.4: the pair of sockets names a connection, so connect()
 * checks the 4-tuple.
 */
TEST(reuseaddr_lets_a_second_socket_bind)
{
	int a, b;
	uint16_t port = reuseaddr_sockets(&a, &b);

	ASSERT_NE(0, port) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, bind4(b, "127.0.0.1", port)) TH_LOG("%s", strerror(errno));
	close(a);
	close(b);
}

TEST(reuseaddr_does_not_share_a_listening_port)
{
	int a, b;
	uint16_t port = reuseaddr_sockets(&a, &b);

	ASSERT_NE(0, port) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, listen(a, 1));
	EXPECT_EQ(-1, bind4(b, "127.0.0.1", port));
	EXPECT_EQ(EADDRINUSE, errno);
	close(a);
	close(b);
}

/* As Linux: two SO_REUSEADDR sockets share a port; one of them may listen. */
TEST(reuseaddr_sockets_sharing_a_port_let_one_listen)
{
	int a, b;
	uint16_t port = reuseaddr_sockets(&a, &b);

	ASSERT_NE(0, port) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, bind4(b, "127.0.0.1", port));
	EXPECT_EQ(0, listen(b, 1));
	EXPECT_EQ(-1, listen(a, 1));
	EXPECT_EQ(EADDRINUSE, errno);
	close(a);
	close(b);
}

TEST(bind_over_a_linux_tcp_listener_is_eaddrinuse)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(AF_INET, &addr, 16);
	uint16_t port = ntohs(addr.sin_port);
	int fd = atcp_socket();

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, bind4(fd, "127.0.0.1", port));
	EXPECT_EQ(EADDRINUSE, errno);
	EXPECT_EQ(-1, bind4(fd, "0.0.0.0", port));
	EXPECT_EQ(EADDRINUSE, errno);
	close(lfd);
	close(fd);

	/* A Linux listener on the wildcard owns the port on loopback too. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind4(lfd, "0.0.0.0", 0));
	ASSERT_EQ(0, listen(lfd, 1));
	fd = atcp_socket();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, bind4(fd, "127.0.0.1", local_port(lfd)));
	EXPECT_EQ(EADDRINUSE, errno);
	close(lfd);
	close(fd);
}

/*
 * Linux's binds know nothing of atcp's: a Linux socket may take the port an
 * atcp listener has, and its connection's segments stay its own.
 */
TEST(a_linux_connection_on_an_atcp_listeners_port_keeps_its_segments)
{
	struct sockaddr_in server, shared;
	int lfd = loopback_listener(AF_INET, &server, 16);
	int afd = loopback_listener(atcp_family(), &shared, 4);
	int c = socket(AF_INET, SOCK_STREAM, 0), s, one = 1;
	struct timeval limit = { .tv_sec = 5 };
	char byte = 'x';

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, afd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit)));
	ASSERT_EQ(0, bind(c, (struct sockaddr *)&shared, sizeof(shared)));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&server, sizeof(server)));
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(1, send(s, &byte, 1, 0));
	ASSERT_EQ(1, recv(c, &byte, 1, 0));
	close(s);
	close(c);
	close(afd);
	close(lfd);
}

/* --- connect --- */

TEST(connect_to_a_closed_port_is_refused)
{
	int holder = atcp_socket(), fd = atcp_socket();
	struct sockaddr_in addr;

	/* A bound socket that does not listen keeps the port nobody's. */
	ASSERT_LE(0, holder);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind4(holder, "127.0.0.1", 0));
	addr = ipv4("127.0.0.1", local_port(holder));
	EXPECT_EQ(-1, connect_to(fd, &addr));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);
	close(holder);
}

TEST(connect_bad_addresses)
{
	struct sockaddr_in mcast = ipv4("224.0.0.1", 80);
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	/* tcp(4): EAFNOSUPPORT for connecting to a multicast address too. */
	EXPECT_EQ(-1, connect_to(fd, &mcast));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&mcast, sizeof(mcast) - 1));
	EXPECT_EQ(EINVAL, errno);
	/* tcp(4) again, for IPv6 multicast. */
	sin6.sin6_addr.s6_addr[0] = 0xff;
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	close(fd);
}

TEST(connect_on_a_connected_socket_is_eisconn)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	ASSERT_EQ(0, getpeername(c, (struct sockaddr *)&addr, &len));
	/* tcp(4): EISCONN. */
	EXPECT_EQ(-1, connect_to(c, &addr));
	EXPECT_EQ(EISCONN, errno);
	close(c);
	close(s);
}

TEST(nonblocking_connect_completes)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);
	int fd = socket(atcp_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int s;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, connect_to(fd, &addr));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_EQ(POLLOUT, pfd.revents);
	EXPECT_EQ(0, get_int(fd, SOL_SOCKET, SO_ERROR));
	s = accept(lfd, NULL, NULL);
	EXPECT_LE(0, s);
	close(s);
	close(fd);
	close(lfd);
}

TEST(nonblocking_connect_refused_reports_so_error)
{
	int holder = atcp_socket();
	int fd = socket(atcp_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	struct sockaddr_in addr;

	ASSERT_LE(0, holder);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind4(holder, "127.0.0.1", 0));
	addr = ipv4("127.0.0.1", local_port(holder));
	EXPECT_EQ(-1, connect_to(fd, &addr));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_TRUE(pfd.revents & (POLLERR | POLLHUP)) TH_LOG("revents %#x", pfd.revents);
	EXPECT_EQ(ECONNREFUSED, get_int(fd, SOL_SOCKET, SO_ERROR));
	/* SO_ERROR reads and clears. */
	EXPECT_EQ(0, get_int(fd, SOL_SOCKET, SO_ERROR));
	close(fd);
	close(holder);
}

TEST(reuseaddr_sockets_cannot_share_a_4tuple)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);
	int a, b, s;
	uint16_t port = reuseaddr_sockets(&a, &b);

	ASSERT_LE(0, lfd);
	ASSERT_NE(0, port) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, bind4(b, "127.0.0.1", port));
	ASSERT_EQ(0, connect_to(a, &addr)) TH_LOG("%s", strerror(errno));
	/* POSIX connect(): the 4-tuple is in use already, so EADDRINUSE. */
	EXPECT_EQ(-1, connect_to(b, &addr));
	EXPECT_EQ(EADDRINUSE, errno);
	s = accept(lfd, NULL, NULL);
	EXPECT_LE(0, s);
	close(s);
	close(a);
	close(b);
	close(lfd);
}

TEST(getpeername_on_both_ends)
{
	struct sockaddr_in laddr, caddr, peer, from;
	socklen_t len = sizeof(peer), flen = sizeof(from);
	int lfd = loopback_listener(atcp_family(), &laddr, 16);
	int c = atcp_socket(), s;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, getpeername(c, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, getpeername(lfd, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(ENOTCONN, errno);

	ASSERT_EQ(0, connect_to(c, &laddr));
	s = accept(lfd, (struct sockaddr *)&from, &flen);
	ASSERT_LE(0, s);
	len = sizeof(caddr);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&caddr, &len));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), caddr.sin_addr.s_addr);

	EXPECT_EQ(sizeof(from), flen);
	EXPECT_EQ(AF_INET, from.sin_family);
	EXPECT_EQ(caddr.sin_addr.s_addr, from.sin_addr.s_addr);
	EXPECT_EQ(caddr.sin_port, from.sin_port);

	len = sizeof(peer);
	ASSERT_EQ(0, getpeername(s, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(AF_INET, peer.sin_family);
	EXPECT_EQ(caddr.sin_addr.s_addr, peer.sin_addr.s_addr);
	EXPECT_EQ(caddr.sin_port, peer.sin_port);

	len = sizeof(peer);
	ASSERT_EQ(0, getpeername(c, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(laddr.sin_addr.s_addr, peer.sin_addr.s_addr);
	EXPECT_EQ(laddr.sin_port, peer.sin_port);

	len = sizeof(peer);
	ASSERT_EQ(0, getsockname(s, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(laddr.sin_addr.s_addr, peer.sin_addr.s_addr);
	EXPECT_EQ(laddr.sin_port, peer.sin_port);
	close(s);
	close(c);
	close(lfd);
}

/* --- accept --- */

TEST(nonblocking_accept_with_nothing_pending_is_eagain)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);

	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, fcntl(lfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, accept(lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(lfd);
}

TEST(accept4_flags_apply_to_the_new_socket)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);
	int c = atcp_socket(), s;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect_to(c, &addr));
	s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, s);
	EXPECT_TRUE(fcntl(s, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(s, F_GETFD) & FD_CLOEXEC);
	/* Nonblocking in earnest: nothing to read is EAGAIN, not a wait. */
	EXPECT_EQ(-1, recv(s, &addr, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	close(s);
	close(c);
	close(lfd);
}

TEST(listener_polls_readable_with_a_connection_pending)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int c = atcp_socket(), s;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, connect_to(c, &addr));
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_EQ(POLLIN, pfd.revents);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	close(s);
	close(c);
	close(lfd);
}

/*
 * listen(2)'s backlog bounds the connections waiting for accept() (Linux
 * takes backlog + 1); a SYN beyond it is dropped and its retransmission
 * gets in once accept() makes room.
 */
TEST(listen_backlog_is_respected)
{
	enum { BACKLOG = 1, CLIENTS = BACKLOG + 3 };
	int c[CLIENTS], accepted = 0, fd;
	struct timespec start;
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);

	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, BACKLOG));
	ASSERT_EQ(0, fcntl(lfd, F_SETFL, O_NONBLOCK));
	for (int i = 0; i < CLIENTS; i++) {
		c[i] = socket(atcp_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, c[i]);
		EXPECT_EQ(-1, connect_to(c[i], &addr));
		ASSERT_EQ(EINPROGRESS, errno);
	}
	usleep(300000);
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		accepted++;
		close(fd);
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(1, accepted);
	EXPECT_GE(BACKLOG + 1, accepted);

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (accepted < CLIENTS && elapsed_ms(&start) < 8000) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		if (poll(&pfd, 1, 100) != 1)
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0) {
			accepted++;
			close(fd);
		}
	}
	EXPECT_EQ(CLIENTS, accepted);
	for (int i = 0; i < CLIENTS; i++)
		close(c[i]);
	close(lfd);
}

/* --- data --- */

TEST(bulk_atcp_to_atcp_both_ways)
{
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	bulk(_metadata, c, s, BULK_LEN);
	bulk(_metadata, s, c, BULK_LEN);
	close(c);
	close(s);
}

TEST(bulk_atcp_client_linux_tcp_server)
{
	int c, s;

	ASSERT_EQ(0, connect_pair(atcp_family(), AF_INET, &c, &s));
	bulk(_metadata, c, s, BULK_LEN);
	bulk(_metadata, s, c, BULK_LEN);
	close(c);
	close(s);
}

TEST(bulk_linux_tcp_client_atcp_server)
{
	int c, s;

	ASSERT_EQ(0, connect_pair(AF_INET, atcp_family(), &c, &s));
	bulk(_metadata, c, s, BULK_LEN);
	bulk(_metadata, s, c, BULK_LEN);
	close(c);
	close(s);
}

TEST(msg_peek_leaves_the_data)
{
	char buf[16] = "";
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	EXPECT_EQ(5, recv(s, buf, sizeof(buf), MSG_PEEK | MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(3, recv(s, buf, 3, MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "hel", 3));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	close(c);
	close(s);
}

TEST(msg_waitall_waits_for_everything)
{
	char buf[2000];
	int c, s, status;
	pid_t pid;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memset(buf, 'a', sizeof(buf));
		if (send(c, buf, 1000, 0) != 1000)
			_exit(1);
		usleep(200000);
		_exit(send(c, buf, 1000, 0) == 1000 ? 0 : 1);
	}
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ((ssize_t)sizeof(buf), recv(s, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ('a', buf[sizeof(buf) - 1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(c);
	close(s);
}

TEST(msg_dontwait_on_nothing_is_eagain)
{
	char buf[8];
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(c);
	close(s);
}

TEST(so_rcvtimeo_ends_a_blocking_recv)
{
	struct timespec start;
	char buf[8];
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	set_rcvtimeo(s, 200);
	clock_gettime(CLOCK_MONOTONIC, &start);
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(180, elapsed_ms(&start));
	EXPECT_GT(2000, elapsed_ms(&start));
	close(c);
	close(s);
}

TEST(fionread_counts_unread_bytes)
{
	struct pollfd pfd;
	char buf[100] = "";
	int c, s, n = -1;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	EXPECT_EQ(0, ioctl(s, FIONREAD, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ((ssize_t)sizeof(buf), send(c, buf, sizeof(buf), 0));
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_EQ(0, ioctl(s, FIONREAD, &n));
	EXPECT_EQ(100, n);
	ASSERT_EQ(40, recv(s, buf, 40, 0));
	EXPECT_EQ(0, ioctl(s, SIOCINQ, &n));
	EXPECT_EQ(60, n);
	close(c);
	close(s);
}

/*
 * SIOCOUTQ counts what the peer has not acknowledged: with a reader that
 * does not read, everything sent is either still queued here or waiting
 * in the peer's receive queue.
 */
TEST(siocoutq_counts_unacknowledged_bytes)
{
	static char buf[CHUNK];
	struct timespec start;
	int c, s, outq = -1, inq = -1;
	long sent = 0;
	ssize_t r;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	EXPECT_EQ(0, ioctl(c, SIOCOUTQ, &outq));
	EXPECT_EQ(0, outq);
	while ((r = send(c, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		sent += r;
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_LT(0, sent);

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		usleep(20000);
		ASSERT_EQ(0, ioctl(c, SIOCOUTQ, &outq));
		ASSERT_EQ(0, ioctl(s, SIOCINQ, &inq));
	} while (outq + inq != sent && elapsed_ms(&start) < 2000);
	EXPECT_EQ(sent, outq + inq) TH_LOG("outq %d inq %d", outq, inq);
	EXPECT_LT(0, outq);

	/* Once the reader drains, everything is acknowledged. */
	while (sent > 0 && (r = recv(s, buf, sizeof(buf), 0)) > 0)
		sent -= r;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		usleep(20000);
		ASSERT_EQ(0, ioctl(c, SIOCOUTQ, &outq));
	} while (outq && elapsed_ms(&start) < 2000);
	EXPECT_EQ(0, outq);
	close(c);
	close(s);
}

/* --- shutdown and reset --- */

TEST(shut_wr_half_closes)
{
	char buf[8];
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	ASSERT_EQ(2, send(c, "hi", 2, 0));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(2, recv(s, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	/* The other direction still carries data (RFC 9293 3.6). */
	ASSERT_EQ(4, send(s, "pong", 4, 0));
	EXPECT_EQ(4, recv(c, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	close(c);
	close(s);
}

TEST(peer_fin_polls_rdhup)
{
	struct pollfd pfd;
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	pfd = (struct pollfd){ .fd = s, .events = POLLIN | POLLRDHUP };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_TRUE(pfd.revents & POLLRDHUP) TH_LOG("revents %#x", pfd.revents);
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_FALSE(pfd.revents & POLLHUP);
	close(c);
	close(s);
}

TEST(shutdown_unconnected_is_enotconn)
{
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, shutdown(fd, SHUT_RDWR));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(fd, 3));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
	sigpipes++;
}

TEST(send_after_shut_wr_is_epipe)
{
	struct sigaction sa = { .sa_handler = count_sigpipe };
	int c, s;

	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	ASSERT_EQ(0, atcp_pair(&c, &s));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
	EXPECT_EQ(-1, send(c, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	close(c);
	close(s);
}

TEST(send_on_a_never_connected_socket_is_epipe)
{
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(fd);
}

TEST(close_with_zero_linger_resets)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char buf[8];
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	set_rcvtimeo(s, 2000);
	ASSERT_EQ(0, close(c));
	/* tcp(4): ECONNRESET when the peer forcibly closed. */
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(s);
}

TEST(close_with_unread_data_resets)
{
	char buf[8];
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	ASSERT_EQ(4, send(c, "data", 4, 0));
	ASSERT_EQ(1, recv(s, buf, 1, 0));
	set_rcvtimeo(c, 2000);
	/* RFC 2525 2.17: the unread bytes must not look delivered. */
	ASSERT_EQ(0, close(s));
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(c);
}

/* --- options --- */


TEST(tcp_maxseg)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);
	int fd = atcp_socket(), s, mss, dflt[2];

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, fd);
	/* Until connected, the MSS is net.atcp.mssdflt (tcp(4)'s tcp.mssdflt). */
	ASSERT_EQ(1, atcp_sysctl("mssdflt", dflt));
	EXPECT_EQ(dflt[0], get_int(fd, IPPROTO_TCP, TCP_MAXSEG));
	ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 1000));
	EXPECT_EQ(1000, get_int(fd, IPPROTO_TCP, TCP_MAXSEG));
	EXPECT_EQ(-1, set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 10));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1000, get_int(fd, IPPROTO_TCP, TCP_MAXSEG));

	/* tcp(4): the option can only lower the MSS the connection agrees. */
	ASSERT_EQ(0, connect_to(fd, &addr));
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	mss = get_int(fd, IPPROTO_TCP, TCP_MAXSEG);
	EXPECT_LT(0, mss);
	EXPECT_GE(1000, mss);
	close(s);
	close(fd);
	close(lfd);
}

TEST(short_optlen_is_einval_to_set_and_truncates_a_get)
{
	socklen_t len = 1;
	short val = 1;
	char byte = 0;
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &val, sizeof(val)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &val, sizeof(val)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	/* Linux's TCP (and BSD's sooptcopyout()) copy what fits. */
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &byte, &len));
	EXPECT_EQ(1u, len);
	EXPECT_EQ(1, byte);
	close(fd);
}

TEST(unknown_option_is_enoprotoopt)
{
	socklen_t len = sizeof(int);
	int fd = atcp_socket(), val = 1;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, set_int(fd, IPPROTO_TCP, 9999, 1));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(fd, IPPROTO_TCP, 9999, &val, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	close(fd);
}

TEST(tcp_info_on_a_connection)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int c, s;

	ASSERT_EQ(0, atcp_pair(&c, &s));
	memset(&ti, 0xff, sizeof(ti));
	ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(sizeof(ti), len);
	EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
	EXPECT_NE(0u, ti.tcpi_snd_mss);
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
	EXPECT_NE(0u, ti.tcpi_snd_mss);
	close(c);
	close(s);
}

/* TCP_CONGESTION's name into a zeroed buffer of len bytes; its length back. */
static int get_congestion(int fd, char *name, socklen_t len)
{
	memset(name, 0, len);
	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len))
		return -1;
	return len;
}

static int set_congestion(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, strlen(name));
}

/* As Linux: the name in TCP_CA_NAME_MAX (16) bytes, NUL-padded. */
TEST(tcp_congestion_names_the_algorithm)
{
	static const char zeros[16];
	socklen_t len;
	char name[32];
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	ASSERT_EQ(16, get_congestion(fd, name, sizeof(name)));
	EXPECT_STREQ("cubic", name); /* net.atcp.congestion_control's default */
	EXPECT_EQ(0, memcmp(name + 5, zeros, 11));
	/* A short buffer takes the name's first bytes, and no more. */
	memset(name, 'x', sizeof(name));
	len = 4;
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len));
	EXPECT_EQ(4u, len);
	EXPECT_EQ(0, memcmp(name, "cubixxxx", 8));
	close(fd);
}

TEST(tcp_congestion_set_and_get)
{
	char name[16];
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_congestion(fd, "newreno"));
	ASSERT_EQ(16, get_congestion(fd, name, sizeof(name)));
	EXPECT_STREQ("newreno", name);
	ASSERT_EQ(0, set_congestion(fd, "cubic"));
	get_congestion(fd, name, sizeof(name));
	EXPECT_STREQ("cubic", name);
	/* Linux's name for NewReno. */
	ASSERT_EQ(0, set_congestion(fd, "reno"));
	get_congestion(fd, name, sizeof(name));
	EXPECT_STREQ("newreno", name);
	/* The name ends at its NUL, whatever optlen says. */
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic\0xyz", 9));
	get_congestion(fd, name, sizeof(name));
	EXPECT_STREQ("cubic", name);
	close(fd);
}

/* ENOENT for a name no algorithm has, EINVAL for no name, EFAULT; unchanged. */
TEST(tcp_congestion_bad_names)
{
	static const char *const unknown[] = {
		"bbr", "CUBIC", "cubic ", "", "cubiccubiccubiccubic",
	};
	char name[16];
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_congestion(fd, "newreno"));
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		/* "" goes with its NUL: optlen 1. */
		EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, unknown[i],
					 strlen(unknown[i]) + !unknown[i][0]));
		EXPECT_EQ(ENOENT, errno) TH_LOG("'%s'", unknown[i]);
	}
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, (void *)8, 5));
	EXPECT_EQ(EFAULT, errno);
	get_congestion(fd, name, sizeof(name));
	EXPECT_STREQ("newreno", name);
	close(fd);
}

/* Accepted connections take the listener's algorithm; TCP_INFO's ca_state. */
TEST(tcp_congestion_inherited_by_accepted_children)
{
	static const char *const algs[] = { "newreno", "cubic" };
	struct sockaddr_in addr;
	char name[16];

	for (size_t i = 0; i < ARRAY_SIZE(algs); i++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		int lfd = atcp_socket(), c, s;

		ASSERT_LE(0, lfd);
		ASSERT_EQ(0, set_congestion(lfd, algs[i]));
		ASSERT_EQ(0, loopback_listen(lfd, &addr, 4));
		c = atcp_socket();
		ASSERT_LE(0, c);
		ASSERT_EQ(0, set_congestion(c, algs[1 - i]));
		ASSERT_EQ(0, connect_to(c, &addr));
		s = accept(lfd, NULL, NULL);
		ASSERT_LE(0, s);
		get_congestion(s, name, sizeof(name));
		EXPECT_STREQ(algs[i], name);
		get_congestion(c, name, sizeof(name));
		EXPECT_STREQ(algs[1 - i], name);
		/* Switched on an open connection, it still moves data. */
		ASSERT_EQ(0, set_congestion(s, algs[1 - i]));
		EXPECT_EQ(0, exchange(c, s));
		ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len));
		EXPECT_EQ(TCP_CA_Open, ti.tcpi_ca_state);
		close(c);
		close(s);
		close(lfd);
	}
}

/* The on/off options read back what was set, from off (tcp(4), socket(7)). */
TEST(boolean_options_toggle)
{
	static const struct {
		int level, name;
	} opts[] = {
		{ IPPROTO_TCP, TCP_NODELAY },
		{ IPPROTO_TCP, ATCP_TCP_NOPUSH },
		{ IPPROTO_TCP, ATCP_TCP_NOOPT },
		{ SOL_SOCKET, SO_KEEPALIVE },
	};
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		int level = opts[i].level, name = opts[i].name;

		EXPECT_EQ(0, get_int(fd, level, name)) TH_LOG("%d/%#x", level, name);
		ASSERT_EQ(0, set_int(fd, level, name, 1)) TH_LOG("%d/%#x", level, name);
		EXPECT_NE(0, get_int(fd, level, name)) TH_LOG("%d/%#x", level, name);
		ASSERT_EQ(0, set_int(fd, level, name, 0)) TH_LOG("%d/%#x", level, name);
		EXPECT_EQ(0, get_int(fd, level, name)) TH_LOG("%d/%#x", level, name);
	}
	close(fd);
}

/* tcp(4): TCP_NOOPT sends no options, so none is agreed. */
TEST(tcp_noopt_connection_has_no_options)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);
	int fd = atcp_socket(), s;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, ATCP_TCP_NOOPT, 1));
	ASSERT_EQ(0, connect_to(fd, &addr));
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(0, ti.tcpi_options);
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(0, ti.tcpi_options);
	close(s);
	close(fd);
	close(lfd);
}


TEST(keepalive_and_user_timeout_options)
{
	/* Each starts from its net.atcp sysctl (in ms), as tcp(7) reads its own. */
	static const struct {
		int name;
		const char *sysctl;
		int ms_per_unit, good, bad;
	} opts[] = {
		{ TCP_KEEPIDLE, "keepidle", 1000, 60, 0 },
		{ TCP_KEEPINTVL, "keepintvl", 1000, 5, 32768 },
		{ TCP_KEEPCNT, "keepcnt", 1, 3, 128 },
		{ TCP_USER_TIMEOUT, NULL, 1, 10000, -1 },
	};
	int fd = atcp_socket();

	ASSERT_LE(0, fd);
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		int dflt[2] = { 0 };

		if (opts[i].sysctl)
			ASSERT_EQ(1, atcp_sysctl(opts[i].sysctl, dflt));
		EXPECT_EQ(dflt[0] / opts[i].ms_per_unit,
			  get_int(fd, IPPROTO_TCP, opts[i].name))
			TH_LOG("option %d", opts[i].name);
		ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, opts[i].name, opts[i].good));
		EXPECT_EQ(opts[i].good, get_int(fd, IPPROTO_TCP, opts[i].name))
			TH_LOG("option %d", opts[i].name);
		EXPECT_EQ(-1, set_int(fd, IPPROTO_TCP, opts[i].name, opts[i].bad))
			TH_LOG("option %d took %d", opts[i].name, opts[i].bad);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(opts[i].good, get_int(fd, IPPROTO_TCP, opts[i].name));
	}
	close(fd);
}

TEST(socket_level_identity)
{
	struct sockaddr_in addr;
	int fd = atcp_socket(), lfd, c, s;

	ASSERT_LE(0, fd);
	EXPECT_EQ(SOCK_STREAM, get_int(fd, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(atcp_family(), get_int(fd, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(IPPROTO_TCP, get_int(fd, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(0, get_int(fd, SOL_SOCKET, SO_ACCEPTCONN));
	close(fd);

	lfd = loopback_listener(atcp_family(), &addr, 16);
	ASSERT_LE(0, lfd);
	EXPECT_EQ(1, get_int(lfd, SOL_SOCKET, SO_ACCEPTCONN));
	c = atcp_socket();
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect_to(c, &addr));
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, get_int(c, SOL_SOCKET, SO_ACCEPTCONN));
	EXPECT_EQ(0, get_int(s, SOL_SOCKET, SO_ACCEPTCONN));
	EXPECT_EQ(atcp_family(), get_int(s, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(IPPROTO_TCP, get_int(s, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(SOCK_STREAM, get_int(s, SOL_SOCKET, SO_TYPE));
	close(s);
	close(c);
	close(lfd);
}

/* --- many connections --- */

TEST(many_short_connections)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 16);
	char byte;

	ASSERT_LE(0, lfd);
	for (int i = 0; i < 200; i++) {
		int c = atcp_socket(), s;

		ASSERT_LE(0, c);
		ASSERT_EQ(0, connect_to(c, &addr)) TH_LOG("connection %d: %s", i, strerror(errno));
		s = accept(lfd, NULL, NULL);
		ASSERT_LE(0, s) TH_LOG("connection %d: %s", i, strerror(errno));
		ASSERT_EQ(1, send(c, "x", 1, 0));
		ASSERT_EQ(1, recv(s, &byte, 1, 0));
		/* Alternate which end closes first, and so which one waits. */
		if (i & 1) {
			ASSERT_EQ(0, close(c));
			ASSERT_EQ(0, recv(s, &byte, 1, 0));
			ASSERT_EQ(0, close(s));
		} else {
			ASSERT_EQ(0, close(s));
			ASSERT_EQ(0, recv(c, &byte, 1, 0));
			ASSERT_EQ(0, close(c));
		}
	}
	close(lfd);
}

/* --- reassembly --- */

/*
 * netem on loopback makes every fourth packet overtake the three before it,
 * so each receiver holds segments out of order (RFC 9293 3.10.7.4) and must
 * splice them into the stream at their place.  This test comes last: a
 * harness timeout would skip the teardown and leave the qdisc behind.
 */
FIXTURE(reordering)
{
	bool netem;
};

FIXTURE_SETUP(reordering)
{
	self->netem = !system("tc qdisc add dev lo root netem delay 1ms reorder 100% gap 4 2>/dev/null");
}

FIXTURE_TEARDOWN(reordering)
{
	if (self->netem && system("tc qdisc del dev lo root"))
		TH_LOG("could not remove the netem qdisc from lo");
}

TEST_F(reordering, data_arrives_in_order)
{
	const int pairs[][2] = {
		{ atcp_family(), atcp_family() },
		{ atcp_family(), AF_INET },
		{ AF_INET, atcp_family() },
	};

	if (!self->netem)
		SKIP(return, "tc with sch_netem is not available");
	/* Several rounds, so that the initial sequence numbers vary. */
	for (int i = 0; i < 4 * (int)ARRAY_SIZE(pairs); i++) {
		int c, s;

		ASSERT_EQ(0, connect_pair(pairs[i % ARRAY_SIZE(pairs)][0],
					  pairs[i % ARRAY_SIZE(pairs)][1], &c, &s));
		bulk(_metadata, c, s, REORDER_LEN);
		bulk(_metadata, s, c, REORDER_LEN);
		close(c);
		close(s);
	}
}

TEST_HARNESS_MAIN
