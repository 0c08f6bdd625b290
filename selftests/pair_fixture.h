/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FIXTURE(pair): an established atcp connection over loopback, the client
 * and the listener's accepted socket, for the tests that start from one.
 * Include after kselftest_harness.h and atcp_selftest.h.
 */
#ifndef ATCP_PAIR_FIXTURE_H
#define ATCP_PAIR_FIXTURE_H

FIXTURE(pair)
{
	int client, server;
};

FIXTURE_SETUP(pair)
{
	ASSERT_EQ(0, atcp_pair(&self->client, &self->server))
		TH_LOG("an atcp connection over loopback: %s", strerror(errno));
}

/* A test that closed one end itself sets it to -1. */
FIXTURE_TEARDOWN(pair)
{
	close(self->client);
	close(self->server);
}

#endif /* ATCP_PAIR_FIXTURE_H */
