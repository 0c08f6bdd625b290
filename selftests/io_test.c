// SPDX-License-Identifier: GPL-2.0
/*
 * Data paths beyond send and recv: sendfile(2) from a file, splice(2)
 * through a pipe, close() lingering with SO_LINGER, and the socket options
 * an accepted socket takes from its listener.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"
#include "pair_fixture.h"

#define FILE_LEN ((size_t)4 << 20)

static uint8_t pattern(size_t off)
{
	return (off * 2654435761u) >> 24;
}

/* An unlinked temporary file of len pattern bytes. */
static int pattern_file(size_t len)
{
	char name[] = "/tmp/atcp-io-XXXXXX";
	uint8_t buf[4096];
	size_t off = 0;
	int fd = mkstemp(name);

	if (fd < 0)
		return -1;
	unlink(name);
	while (off < len) {
		size_t i, n = len - off < sizeof(buf) ? len - off : sizeof(buf);

		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		if (write(fd, buf, n) != (ssize_t)n)
			return -1;
		off += n;
	}
	return fd;
}

/* Reads len bytes from fd; how many matched the pattern from 0 on. */
static size_t receive_pattern(int fd, size_t len)
{
	uint8_t buf[65536];
	size_t off = 0;

	while (off < len) {
		ssize_t i, n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != pattern(off + i))
				return off + i;
		off += n;
	}
	return off;
}

/* A child that sendfile()s the whole file to sock and exits 0; its pid. */
static pid_t sendfile_in_child(int sock, int file)
{
	off_t off = 0;
	pid_t pid = fork();

	if (pid)
		return pid;
	while (off < (off_t)FILE_LEN)
		if (sendfile(sock, file, &off, FILE_LEN - off) <= 0)
			_exit(1);
	_exit(0);
}

TEST_F(pair, sendfile_sends_a_file)
{
	int file = pattern_file(FILE_LEN);
	pid_t pid;
	int status;

	ASSERT_LE(0, file);
	pid = sendfile_in_child(self->client, file);
	ASSERT_LE(0, pid);
	EXPECT_EQ(FILE_LEN, receive_pattern(self->server, FILE_LEN));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	close(file);
}

/* Socket to pipe to socket, as a splice proxy does; the far end checks. */
TEST_F(pair, splice_moves_data_through_a_pipe)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(atcp_family(), &addr, 4), out, far, pipefd[2];
	int file = pattern_file(FILE_LEN);
	size_t moved = 0;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, file);
	out = new_connection(atcp_family(), &addr);
	ASSERT_LE(0, out);
	far = accept(lfd, NULL, NULL);
	ASSERT_LE(0, far);
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_LE(0, sendfile_in_child(self->client, file));
	if (!fork())
		_exit(receive_pattern(far, FILE_LEN) == FILE_LEN ? 0 : 1);
	while (moved < FILE_LEN) {
		ssize_t in = splice(self->server, NULL, pipefd[1], NULL, 65536, 0);

		ASSERT_LT(0, in);
		while (in > 0) {
			ssize_t n = splice(pipefd[0], NULL, out, NULL, in, 0);

			ASSERT_LT(0, n);
			in -= n;
			moved += n;
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;

		ASSERT_LT(0, wait(&status));
		EXPECT_EQ(0, status);
	}
	close(out);
	close(far);
	close(lfd);
	close(file);
}

/* close() waits for the peer to take the data, up to the linger time. */
TEST_F(pair, linger_close_waits_until_the_data_is_acknowledged)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 5 };
	char buf[65536] = { 0 };
	struct timespec start;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		size_t got = 0;
		ssize_t n;

		close(self->client); /* the parent's close() must be the last */
		while ((n = recv(self->server, buf, sizeof(buf), 0)) > 0)
			got += n;
		_exit(got == 4 * sizeof(buf) ? 0 : 1);
	}
	ASSERT_EQ(0, setsockopt(self->client, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ((ssize_t)sizeof(buf), send(self->client, buf, sizeof(buf), 0));
	clock_gettime(CLOCK_MONOTONIC, &start);
	EXPECT_EQ(0, close(self->client));
	EXPECT_GT(1000, elapsed_ms(&start));
	self->client = -1;
	close(self->server);
	ASSERT_EQ(pid, waitpid(pid, &pid, 0));
	EXPECT_EQ(0, pid);
}

/* A peer that reads nothing: close() gives up after the linger time. */
TEST(linger_close_gives_up_after_the_linger_time)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 1 };
	int rcvbuf = 16384, lfd, c, s;
	static char buf[65536];
	struct timespec start;
	struct sockaddr_in addr;

	lfd = loopback_listener(atcp_family(), &addr, 4);
	ASSERT_LE(0, lfd);
	/* The accepted socket inherits it: a small window, soon full. */
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	c = new_connection(atcp_family(), &addr);
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	while (send(c, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	clock_gettime(CLOCK_MONOTONIC, &start);
	EXPECT_EQ(0, close(c));
	EXPECT_LE(900, elapsed_ms(&start));
	EXPECT_GT(3000, elapsed_ms(&start));
	close(s);
	close(lfd);
}

TEST(accepted_socket_inherits_the_listener_options)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 7 }, got;
	struct timeval tv = { .tv_sec = 3 }, tv_got;
	socklen_t len = sizeof(got);
	struct sockaddr_in addr;
	int one = 1, val, lfd, c, s;

	lfd = socket(atcp_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, setsockopt(lfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
	ASSERT_EQ(0, loopback_listen(lfd, &addr, 1));
	c = new_connection(atcp_family(), &addr);
	ASSERT_LE(0, c);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);

	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &val, &len));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &val, &len));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &val, &len));
	EXPECT_EQ(1, val);
	len = sizeof(got);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_LINGER, &got, &len));
	EXPECT_EQ(1, got.l_onoff);
	EXPECT_EQ(7, got.l_linger);
	len = sizeof(tv_got);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv_got, &len));
	EXPECT_EQ(3, tv_got.tv_sec);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv_got, &len));
	EXPECT_EQ(3, tv_got.tv_sec);
	close(s);
	close(c);
	close(lfd);
}

TEST_HARNESS_MAIN
