/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FIXTURE(tw) for timewait_test and timewait_scale: a network namespace of
 * the test's own with a loopback listener, short connections whose client
 * end waits in TIME-WAIT, and what atcp shows of them.
 */
#ifndef TIMEWAIT_FIXTURE_H
#define TIMEWAIT_FIXTURE_H

/*
 * The client closes first and the server once it has read the client's
 * FIN, so that only the client's end waits in TIME-WAIT (closing at once,
 * the two FINs could cross and both ends wait).
 */
static int short_connection(int family, int lfd, const struct sockaddr_in *addr)
{
	int c = new_connection(family, addr);
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
	int family; /* read once: sysfs costs a 100 000-connection loop */
	int lfd;
};

FIXTURE_SETUP(tw)
{
	ASSERT_EQ(0, enter_fresh_netns());
	self->family = atcp_family();
	self->lfd = loopback_listener(self->family, &self->addr, 128);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(tw)
{
	close(self->lfd);
}

#endif /* TIMEWAIT_FIXTURE_H */
