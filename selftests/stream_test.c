// SPDX-License-Identifier: GPL-2.0
/*
 * Stream behaviour programs lean on: MSG_MORE holding data until the next
 * send, signals interrupting or restarting blocking calls, and epoll in
 * edge-triggered mode.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"
#include "pair_fixture.h"

/* Whether fd turns readable within ms milliseconds. */
static int readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

TEST_F(pair, msg_more_holds_data_until_a_send_without_it)
{
	char buf[64];

	ASSERT_EQ(10, send(self->client, "0123456789", 10, MSG_MORE));
	/* Linux holds MSG_MORE data up to its 200 ms cork ceiling. */
	EXPECT_FALSE(readable_within(self->server, 100));
	ASSERT_EQ(5, send(self->client, "abcde", 5, 0));
	ASSERT_TRUE(readable_within(self->server, 1000));
	EXPECT_EQ(15, recv(self->server, buf, 15, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "0123456789abcde", 15));
}

TEST_F(pair, msg_more_data_goes_after_the_cork_ceiling)
{
	char buf[16];

	ASSERT_EQ(3, send(self->client, "xyz", 3, MSG_MORE));
	ASSERT_TRUE(readable_within(self->server, 1000));
	EXPECT_EQ(3, recv(self->server, buf, sizeof(buf), 0));
}

static void on_alarm(int sig)
{
}

/* Arms a one-shot SIGALRM after ms milliseconds with the given flags. */
static void alarm_in(int ms, int flags)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };
	struct itimerval t = { .it_value = { .tv_usec = ms * 1000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &t, NULL);
}

TEST_F(pair, a_signal_interrupts_a_blocking_recv)
{
	char c;

	alarm_in(100, 0);
	EXPECT_EQ(-1, recv(self->server, &c, 1, 0));
	EXPECT_EQ(EINTR, errno);
}

static void *send_later(void *arg)
{
	usleep(300 * 1000);
	send(*(int *)arg, "r", 1, 0);
	return NULL;
}

TEST_F(pair, sa_restart_restarts_a_blocking_recv)
{
	pthread_t sender;
	char c = 0;

	/* The signal comes first; the restarted recv gets the later byte. */
	ASSERT_EQ(0, pthread_create(&sender, NULL, send_later, &self->client));
	alarm_in(100, SA_RESTART);
	EXPECT_EQ(1, recv(self->server, &c, 1, 0));
	EXPECT_EQ('r', c);
	pthread_join(sender, NULL);
}

/* signal(7): with SO_RCVTIMEO set, recv is never restarted. */
TEST_F(pair, a_receive_timeout_turns_restart_into_eintr)
{
	struct timeval limit = { .tv_sec = 1 };
	char c;

	ASSERT_EQ(0, setsockopt(self->server, SOL_SOCKET, SO_RCVTIMEO, &limit,
				sizeof(limit)));
	alarm_in(100, SA_RESTART);
	EXPECT_EQ(-1, recv(self->server, &c, 1, 0));
	EXPECT_EQ(EINTR, errno);
}

TEST(a_signal_interrupts_a_blocking_accept)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 1);

	ASSERT_LE(0, lfd);
	alarm_in(100, 0);
	EXPECT_EQ(-1, accept(lfd, NULL, NULL));
	EXPECT_EQ(EINTR, errno);
	close(lfd);
}

TEST_F(pair, epoll_edge_triggered_reports_each_arrival_once)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	char buf[16];
	int ep = epoll_create1(0);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->server, &ev));
	ASSERT_EQ(1, send(self->client, "a", 1, 0));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	/* Nothing new arrived: an edge-triggered wait reports nothing. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 100));
	ASSERT_EQ(1, send(self->client, "b", 1, 0));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(2, recv(self->server, buf, 2, MSG_WAITALL));
	close(ep);
}

TEST_F(pair, epoll_reports_rdhup_and_out)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP };
	int ep = epoll_create1(0);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->server, &ev));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_TRUE(!!(ev.events & EPOLLOUT));
	EXPECT_FALSE(!!(ev.events & EPOLLRDHUP));
	ASSERT_EQ(0, shutdown(self->client, SHUT_WR));
	ASSERT_TRUE(readable_within(self->server, 1000));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_TRUE(!!(ev.events & EPOLLRDHUP));
	close(ep);
}

TEST_HARNESS_MAIN
