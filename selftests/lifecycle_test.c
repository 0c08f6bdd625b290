// SPDX-License-Identifier: GPL-2.0
/*
 * The module's lifecycle under use: load, connect, transfer, close and
 * unload a hundred times, and many threads connecting and accepting at once.
 * A leak or a use after free shows as a kernel-log finding (kmem_cache_destroy
 * complains about objects left in the ATCP cache), which fails the run.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

/* One connection both ways: 64 KiB echoed back through the listener's child. */
static int one_round_trip(void)
{
	static char out[65536], in[65536];
	int c, s, ok = -1;
	size_t got = 0;

	if (atcp_pair(&c, &s))
		return -1;
	memset(out, 0x5a, sizeof(out));
	if (send(c, out, sizeof(out), 0) != sizeof(out))
		goto out;
	while (got < sizeof(in)) {
		ssize_t n = recv(s, in + got, sizeof(in) - got, 0);

		if (n <= 0)
			goto out;
		got += n;
	}
	ok = memcmp(in, out, sizeof(in)) ? -1 : 0;
out:
	close(s);
	close(c);
	return ok;
}

/* Each round waits out a short TIME-WAIT: more than the default 30 s in all. */
FIXTURE(module)
{
};

FIXTURE_SETUP(module)
{
}

FIXTURE_TEARDOWN(module)
{
	/* Whatever happened, leave the module loaded for the tests after. */
	if (atcp_family() < 0)
		atcp_load("");
}

TEST_F_TIMEOUT(module, load_use_unload_a_hundred_times, 180)
{
	int i;

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, short_time_wait()) TH_LOG("round %d", i);
		ASSERT_EQ(0, one_round_trip()) TH_LOG("round %d", i);
		ASSERT_EQ(0, unload_when_idle()) TH_LOG("round %d: %s", i, strerror(errno));
		ASSERT_EQ(0, atcp_load("")) TH_LOG("round %d: %s", i, strerror(errno));
	}
}

#define THREADS 8
#define CONNECTIONS_PER_THREAD 50

struct worker {
	struct sockaddr_in addr;
	int resets; /* how many connections resetter() makes */
	int done;
	int last_errno; /* of the last socket() or connect() that failed */
	int finished;
};

static void *connector(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < CONNECTIONS_PER_THREAD; i++) {
		int fd = socket(atcp_family(), SOCK_STREAM, 0);
		char byte = 'x';

		if (fd < 0)
			break;
		if (!connect(fd, (struct sockaddr *)&w->addr, sizeof(w->addr)) &&
		    send(fd, &byte, 1, 0) == 1)
			w->done++;
		close(fd);
	}
	return NULL;
}

TEST(many_threads_connect_and_accept_at_once)
{
	const int total = THREADS * CONNECTIONS_PER_THREAD;
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	struct sockaddr_in addr;
	int lfd, i, accepted = 0, done = 0;

	ASSERT_EQ(0, short_time_wait());
	lfd = loopback_listener(atcp_family(), &addr, 128);
	ASSERT_LE(0, lfd);
	for (i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){ .addr = addr };
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, connector, &workers[i]));
	}
	while (accepted < total) {
		int fd = accept(lfd, NULL, NULL);
		char byte;

		ASSERT_LE(0, fd) TH_LOG("after %d: %s", accepted, strerror(errno));
		EXPECT_EQ(1, recv(fd, &byte, 1, MSG_WAITALL));
		close(fd);
		accepted++;
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		done += workers[i].done;
	}
	EXPECT_EQ(total, done);
	close(lfd);
}

/* Connects and at once closes with a RST, as a connection-rate benchmark does. */
static void *resetter(void *arg)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	struct worker *w = arg;
	int i;

	for (i = 0; i < w->resets; i++) {
		int fd = socket(atcp_family(), SOCK_STREAM, 0);

		if (fd < 0) {
			w->last_errno = errno;
			break;
		}
		if (!connect(fd, (struct sockaddr *)&w->addr, sizeof(w->addr)))
			w->done++;
		else
			w->last_errno = errno;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		close(fd);
	}
	__atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* 3000 connections: minutes under the debug kernel (KASAN, lockdep) in TCG. */
FIXTURE(races)
{
};

FIXTURE_SETUP(races)
{
}

FIXTURE_TEARDOWN(races)
{
}

/*
 * Connects resets times, each reset at once, while accept() takes what it
 * can: each child must end up owned exactly once, by accept() or by the
 * reset, and each connect() must succeed.
 */
static void race_accepts_with_resets(struct __test_metadata *_metadata,
				     const char *name, int resets)
{
	struct worker w = { .resets = resets };
	struct timespec start;
	struct pollfd pfd;
	pthread_t thread;
	int accepted = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pfd.fd = loopback_listener(atcp_family(), &w.addr, 128);
	pfd.events = POLLIN;
	ASSERT_LE(0, pfd.fd);
	/* A reset may take the child poll() saw before accept() gets to it. */
	ASSERT_EQ(0, fcntl(pfd.fd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, pthread_create(&thread, NULL, resetter, &w));
	while (!__atomic_load_n(&w.finished, __ATOMIC_ACQUIRE)) {
		int fd;

		if (poll(&pfd, 1, 100) != 1)
			continue;
		fd = accept(pfd.fd, NULL, NULL);
		if (fd >= 0) {
			accepted++;
			close(fd);
		}
	}
	pthread_join(thread, NULL);
	ksft_print_msg("%s: %d connected and reset, %d accepted, in %ld ms\n",
		       name, w.done, accepted, elapsed_ms(&start));
	EXPECT_EQ(resets, w.done) TH_LOG("last failure: %s", strerror(w.last_errno));
	EXPECT_LT(0, accepted);
	close(pfd.fd);
}

TEST_F_TIMEOUT(races, accept_races_resets, 300)
{
	race_accepts_with_resets(_metadata, "accept_races_resets", 3000);
}

/*
 * Every connect() from one port (the listener has the other ephemeral
 * port): each SYN may find the last connection's child still there, its
 * reset waiting in the backlog while accept() or close() holds it.  The SYN is the listener's once the reset
 * ends the child (RFC 9293 3.10.7: a segment meets the state it finds).
 */
TEST_F_TIMEOUT(races, port_reuse_races_resets, 300)
{
	ASSERT_EQ(0, enter_fresh_netns());
	ASSERT_EQ(0, write_sysctl("/proc/sys/net/atcp/ephemeral_ports", "62000 62001"));
	race_accepts_with_resets(_metadata, "port_reuse_races_resets", 1000);
}

TEST_HARNESS_MAIN
