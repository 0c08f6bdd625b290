// SPDX-License-Identifier: GPL-2.0
/*
 * TIME-WAIT at scale: 100 000 short connections against
 * net.atcp.max_tw_buckets.  Minutes under an emulated CPU, so not a *_test
 * that every kernel's suite runs: tools/check runs it in a guest of its own.
 */
#include "kselftest_harness.h"
#include "atcp_selftest.h"
#include "timewait_fixture.h"

/*
 * 100 000 short connections, more than max_tw_buckets (Linux's default,
 * 8192) and the ephemeral ports' 16 384, with the longest MSL (2 minutes):
 * the entries stop at the limit, each connection's TIME-WAIT either is an
 * entry still, ended after 2 MSL (TW) or ended at once (overflow), and no
 * socket is left but the listener.
 */
TEST_F_TIMEOUT(tw, a_hundred_thousand_connections_stop_at_max_tw_buckets, 1500)
{
	const long total = 100000;
	long max, entries, expired, overflow, i;
	struct timespec start;

	ASSERT_EQ(0, write_sysctl("/proc/sys/net/atcp/msl", "120000"));
	max = read_number("/proc/sys/net/atcp/max_tw_buckets");
	ASSERT_LT(0, max);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < total; i++)
		ASSERT_EQ(0, short_connection(self->family, self->lfd, &self->addr))
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

TEST_HARNESS_MAIN
