// SPDX-License-Identifier: GPL-2.0
/*
 * TIME-WAIT without its socket: once its process has closed a connection
 * in TIME-WAIT, a compact entry holds the 4-tuple for the rest of 2 MSL
 * and the socket is freed; at most net.atcp.max_tw_buckets entries per
 * namespace, past which the connection ends at once (TCPTimeWaitOverflow).
 * Each test runs in a network namespace of its own, with the default MSL
 * (30 s), so that every entry it makes is still there when it looks.
 * timewait_scale makes 100 000 of them.
 */
#include "kselftest_harness.h"
#include "atcp_selftest.h"
#include "timewait_fixture.h"

TEST_F(tw, closed_connections_leave_entries_not_sockets)
{
	int i;

	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, short_connection(self->family, self->lfd, &self->addr))
			TH_LOG("connection %d: %s", i, strerror(errno));
	EXPECT_EQ(200, time_wait_entries(200));
	/* The dump lists them as TIME-WAIT, as it listed their sockets. */
	EXPECT_EQ(200, atcpstat("-n --state time-wait", "atcp", false));
	/* Only the listener is a socket still. */
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
