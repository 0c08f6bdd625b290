// SPDX-License-Identifier: GPL-2.0
/*
 * netbench: one TCP benchmark, for Linux's TCP or atcp, over loopback.
 *
 *   netbench linux|atcp bulk SECONDS       bytes per second, one connection
 *   netbench linux|atcp pingpong SECONDS   microseconds per 1-byte round trip
 *   netbench linux|atcp connrate SECONDS   connections set up and torn down per second
 *
 * The server is a forked child; the result is one line "KIND VALUE UNIT".
 * tools/bench/run runs each for both stacks in one guest and prints ratios.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "family.h"

static int family;

static void die(const char *what)
{
	fprintf(stderr, "netbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int tcp_socket(void)
{
	int fd = socket(family, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

static int serve(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = tcp_socket();

	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 1024) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		die("listen");
	return fd;
}

static int dial(const struct sockaddr_in *addr)
{
	int fd = tcp_socket();

	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		die("connect");
	return fd;
}

/* The server side of every mode: echo what pingpong sends, sink the rest. */
static void server_loop(int lfd, int echo)
{
	static char buf[1 << 16];

	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0)
			die("accept");
		while ((n = read(fd, buf, echo ? 1 : sizeof(buf))) > 0)
			if (echo && write(fd, buf, n) != n)
				break;
		close(fd);
	}
}

static double bulk(const struct sockaddr_in *addr, double seconds)
{
	static char buf[1 << 16];
	int fd = dial(addr);
	double start = now(), end = start + seconds;
	long long bytes = 0;

	memset(buf, 'b', sizeof(buf));
	while (now() < end) {
		ssize_t n = write(fd, buf, sizeof(buf));

		if (n < 0)
			die("write");
		bytes += n;
	}
	close(fd);
	return bytes / (now() - start);
}

static double pingpong(const struct sockaddr_in *addr, double seconds)
{
	int fd = dial(addr), one = 1;
	double start = now(), end = start + seconds;
	long rounds = 0;
	char c = 'p';

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (now() < end) {
		if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			die("pingpong");
		rounds++;
	}
	close(fd);
	return (now() - start) * 1e6 / rounds;
}

static double connrate(const struct sockaddr_in *addr, double seconds)
{
	double start = now(), end = start + seconds;
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	long conns = 0;

	while (now() < end) {
		int fd = dial(addr);

		/* A reset close keeps TIME-WAIT from filling the port space. */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		close(fd);
		conns++;
	}
	return conns / (now() - start);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr;
	double seconds, value;
	const char *unit;
	pid_t server;
	int lfd;

	if (argc != 4 || (strcmp(argv[1], "linux") && strcmp(argv[1], "atcp")) ||
	    (seconds = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: netbench linux|atcp bulk|pingpong|connrate SECONDS\n");
		return 2;
	}
	family = strcmp(argv[1], "atcp") ? AF_INET : atcp_family();
	lfd = serve(&addr);
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0)
		server_loop(lfd, !strcmp(argv[2], "pingpong"));
	close(lfd);

	if (!strcmp(argv[2], "bulk")) {
		value = bulk(&addr, seconds) * 8 / 1e6;
		unit = "Mbit/s";
	} else if (!strcmp(argv[2], "pingpong")) {
		value = pingpong(&addr, seconds);
		unit = "us";
	} else if (!strcmp(argv[2], "connrate")) {
		value = connrate(&addr, seconds);
		unit = "conn/s";
	} else {
		fprintf(stderr, "netbench: no benchmark %s\n", argv[2]);
		return 2;
	}
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	printf("%s %s %.1f %s\n", argv[1], argv[2], value, unit);
	return 0;
}
