// SPDX-License-Identifier: GPL-2.0
/*
 * TIME-WAIT without its socket: once its process has closed a connection
 * in TIME-WAIT, a compact entry holds the 4-tuple for the rest of 2 MSL
 * and the socket is freed; at most net.atcp.max_tw_buckets entries per
 * namespace, past which the connection ends at once (TCPTimeWaitOverflow).
 * Each test runs in a network namespace of its own, with the default MSL
 * (30 s), so that every entry it makes is still there when it looks.
 */
#include "kselftest_harness.h"
#include "atcp_selftest.h"

/*
 * The client closes first and the server once it has read the client's
 * FIN, so that only the client's end waits in TIME-WAIT (closing at once,
 * the two FINs could cross and both ends wait).
 */
static int short_connection(int lfd, const struct sockaddr_in *addr)
{
	int c = new_connection(atcp_family(), addr);
	char byte;
	int s;

	if (c < 0)
		return -1;
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		return close_failed(c);
	if (close(c) || recv(s, &byte, 1, 0) != 0 || close(s))
		return -1;
	return 0;
}

/* atcpstat -s's TimeWait, once it reaches want (or after 10 s). */
static long time_wait_entries(long want)
{
	struct timespec start;
	long n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		n = atcpstat("-s", "TimeWait", true);
		if (n == want)
			break;
		usleep(20000);
	} while (elapsed_ms(&start) < 10000);
	return n;
}

/* The atcp sockets in use in this namespace (/proc/net/protocols). */
static long sockets_in_use(void)
{
	long sockets, pages;
	int pressure;

	return atcp_protocol(&sockets, &pages, &pressure) ? -1 : sockets;
}

/* A namespace of the test's own, with a loopback listener. */
FIXTURE(tw)
{
	struct sockaddr_in addr;
	int lfd;
};

FIXTURE_SETUP(tw)
{
	ASSERT_EQ(0, enter_fresh_netns());
	self->lfd = loopback_listener(atcp_family(), &self->addr, 128);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(tw)
{
	close(self->lfd);
}

TEST_F(tw, closed_connections_leave_entries_not_sockets)
{
	int i;

	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, short_connection(self->lfd, &self->addr))
			TH_LOG("connection %d: %s", i, strerror(errno));
	EXPECT_EQ(200, time_wait_entries(200));
	/* The dump lists them as TIME-WAIT, as it listed their sockets. */
	EXPECT_EQ(200, atcpstat("-n --state time-wait", "atcp", false));
	/* Only the listener is a socket still. */
	EXPECT_EQ(1, sockets_in_use());
}

/*
 * 100 000 short connections, more than max_tw_buckets (Linux's default,
 * 8192) and the ephemeral ports' 16 384, with the longest MSL (2 minutes):
 * the entries stop at the limit, each connection's TIME-WAIT either is an
 * entry still, ended after 2 MSL (TW) or ended at once (overflow), and no
 * socket is left but the listener.
 */
TEST_F_TIMEOUT(tw, a_hundred_thousand_connections_stop_at_max_tw_buckets, 900)
{
	const long total = 100000;
	long max, entries, expired, overflow, i;
	struct timespec start;

	ASSERT_EQ(0, write_sysctl("/proc/sys/net/atcp/msl", "120000"));
	max = read_number("/proc/sys/net/atcp/max_tw_buckets");
	ASSERT_LT(0, max);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < total; i++)
		ASSERT_EQ(0, short_connection(self->lfd, &self->addr))
			TH_LOG("connection %ld: %s", i, strerror(errno));
	TH_LOG("%ld connections in %ld ms", total, elapsed_ms(&start));
	entries = time_wait_entries(max);
	expired = atcpstat("-s", "TW", true);
	overflow = atcpstat("-s", "TCPTimeWaitOverflow", true);
	EXPECT_GE(max, entries);
	EXPECT_LT(0, overflow);
	/* atcpstat leaves out counters at 0. */
	EXPECT_EQ(total, entries + (expired < 0 ? 0 : expired) + overflow)
		TH_LOG("%ld entries, %ld ended after 2 MSL, %ld at once", entries, expired,
		       overflow);
	EXPECT_EQ(1, sockets_in_use());
}

/* An entry keeps the port its socket bound, as the socket did (tcp(4)). */
TEST_F(tw, an_entry_keeps_a_bound_port)
{
	int c, s, fd;
	uint16_t port;

	c = atcp_socket();
	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_int(c, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, bind4(c, "127.0.0.1", 0));
	port = local_port(c);
	ASSERT_EQ(0, connect_to(c, &self->addr));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, close(c));
	ASSERT_EQ(0, close(s));
	ASSERT_EQ(1, time_wait_entries(1));

	/* Without SO_REUSEADDR the port is in use... */
	fd = atcp_socket();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, bind4(fd, "127.0.0.1", port));
	EXPECT_EQ(EADDRINUSE, errno);
	/* ...with it the port is shared, but not the entry's 4-tuple. */
	ASSERT_EQ(0, set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, bind4(fd, "127.0.0.1", port));
	EXPECT_EQ(-1, connect_to(fd, &self->addr));
	EXPECT_EQ(EADDRINUSE, errno);
	close(fd);
}

TEST_HARNESS_MAIN
