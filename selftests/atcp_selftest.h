/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the atcp selftests share: the family in force, module reloads,
 * sysctl writes, a network namespace of a test's own, and the socket calls
 * the tests make again and again (addresses from text, bind, connect,
 * listeners and connected pairs over loopback, integer options).  Nothing
 * here asserts: each returns what the call did, and the test says what it
 * expects of it.
 */
#ifndef ATCP_SELFTEST_H
#define ATCP_SELFTEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>

#include <linux/atcp.h>

/* The number a sysfs or procfs file starts with, or -1. */
static inline long read_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The family the loaded module registered, or -1 when it is not loaded. */
static inline int atcp_family(void)
{
	return read_number(ATCP_FAMILY_SYSFS);
}

/* rmmod atcp; -1 with errno as delete_module(2) sets it. */
static inline int atcp_unload(void)
{
	return syscall(__NR_delete_module, "atcp", O_NONBLOCK);
}

/* insmod $ATCP_KO params; -1 with errno as finit_module(2) sets it. */
static inline int atcp_load(const char *params)
{
	const char *path = getenv("ATCP_KO");
	int fd, ret, saved;

	if (!path) {
		errno = ENOENT;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, params, 0);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

/* Writes value to the sysctl file at path; -1 with errno on failure. */
static inline int write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int saved;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	saved = errno;
	close(fd);
	errno = saved;
	return n < 0 ? -1 : 0;
}

/*
 * Moves the calling process (a test's own, under the harness) to a new
 * network namespace with loopback up: sysctls, routes and firewall rules
 * of its own, and no other test's sockets.  -1 with errno on failure.
 */
static inline int enter_fresh_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret, saved;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!ret)
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

/* TIME-WAIT's 2 * MSL in this file's MSL: closed connections let go soon. */
#define ATCP_TEST_MSL_MS 100

/* Closed connections linger in TIME-WAIT, holding the module: keep it short. */
static inline int short_time_wait(void)
{
	char ms[16];

	snprintf(ms, sizeof(ms), "%d", ATCP_TEST_MSL_MS);
	return write_sysctl("/proc/sys/net/atcp/msl", ms);
}

/* rmmod, retried while closed sockets finish TIME-WAIT and RCU frees them. */
static inline int unload_when_idle(void)
{
	struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 250; i++) {
		if (!atcp_unload())
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* Milliseconds on CLOCK_MONOTONIC since *since. */
static inline long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/*
 * What atcpstat (beside this program's directory, in ../bin) prints with
 * args: the number of lines that start with word, or with field "value":
 * the second field of the first such line.  -1 if it cannot run.
 */
static inline long atcpstat(const char *args, const char *word, bool value)
{
	char exe[512], cmd[768], line[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	long found = value ? -1 : 0;
	FILE *f;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "%s/../bin/atcpstat %s", exe, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char first[128];
		long v;

		if (sscanf(line, "%127s %ld", first, &v) < 1 || strcmp(first, word))
			continue;
		if (!value) {
			found++;
		} else if (found < 0) {
			found = v;
		}
	}
	return pclose(f) == 0 ? found : -1;
}

/*
 * ATCP's line of /proc/net/protocols: the namespace's atcp sockets, and
 * atcp's memory (pages) and pressure in all.  0, or -1 if there is none.
 */
static inline int atcp_protocol(long *sockets, long *pages, int *pressure)
{
	char line[512], name[32], press[8];
	FILE *f = fopen("/proc/net/protocols", "r");
	int found = -1;
	long size;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %ld %ld %ld %7s", name, &size, sockets, pages,
			   press) == 5 && !strcmp(name, "ATCP")) {
			*pressure = !strcmp(press, "yes");
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/* --- sockets --- */

/* close(fd) for a call that failed: -1, errno still the call's. */
static inline int close_failed(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

/* A stream socket of the family the loaded module registered. */
static inline int atcp_socket(void)
{
	return socket(atcp_family(), SOCK_STREAM, 0);
}

/* addr (as inet_pton(3) reads it) and port as a sockaddr_in. */
static inline struct sockaddr_in ipv4(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, addr, &sin.sin_addr);
	return sin;
}

/* addr (as inet_pton(3) reads it) and port as a sockaddr_in6. */
static inline struct sockaddr_in6 ipv6(const char *addr, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port) };

	inet_pton(AF_INET6, addr, &sin6.sin6_addr);
	return sin6;
}

/* bind(2) to an IPv4 address and port; -1 with errno on failure. */
static inline int bind4(int fd, const char *addr, uint16_t port)
{
	struct sockaddr_in sin = ipv4(addr, port);

	return bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

/* bind(2) to an IPv6 address and port; -1 with errno on failure. */
static inline int bind6(int fd, const char *addr, uint16_t port)
{
	struct sockaddr_in6 sin6 = ipv6(addr, port);

	return bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
}

/* connect(2) fd to an IPv4 address; -1 with errno on failure. */
static inline int connect_to(int fd, const struct sockaddr_in *sin)
{
	return connect(fd, (const struct sockaddr *)sin, sizeof(*sin));
}

/* A new socket of family connected to sa, or -1 with errno. */
static inline int connected_socket(int family, const struct sockaddr *sa,
				   socklen_t len)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, sa, len))
		return close_failed(fd);
	return fd;
}

/* A new socket of family connected to *addr, or -1 with errno. */
static inline int new_connection(int family, const struct sockaddr_in *addr)
{
	return connected_socket(family, (const struct sockaddr *)addr, sizeof(*addr));
}

/* A new socket of family connected to an IPv4 address, or -1 with errno. */
static inline int connect4(int family, const char *addr, uint16_t port)
{
	struct sockaddr_in sin = ipv4(addr, port);

	return connected_socket(family, (struct sockaddr *)&sin, sizeof(sin));
}

/* A new socket of family connected to an IPv6 address, or -1 with errno. */
static inline int connect6(int family, const char *addr, uint16_t port)
{
	struct sockaddr_in6 sin6 = ipv6(addr, port);

	return connected_socket(family, (struct sockaddr *)&sin6, sizeof(sin6));
}

/* The local port of an IPv4 or IPv6 socket; 0 when it has none. */
static inline uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* The peer's IPv6 address as getpeername(2) gives it, as text; "?" if none. */
static inline const char *peer_text(int fd, char *buf, size_t len)
{
	struct sockaddr_in6 sin6;
	socklen_t alen = sizeof(sin6);

	if (getpeername(fd, (struct sockaddr *)&sin6, &alen) ||
	    sin6.sin6_family != AF_INET6 || alen != sizeof(sin6))
		return "?";
	return inet_ntop(AF_INET6, &sin6.sin6_addr, buf, len);
}

/* setsockopt(2) of an int; -1 with errno on failure. */
static inline int set_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

/* The option's value, or -1 with errno set. */
static inline int get_int(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int val;

	if (getsockopt(fd, level, name, &val, &len))
		return -1;
	return val;
}

/* SO_RCVTIMEO: a blocking receive fails with EAGAIN after ms. */
static inline void set_timeo(int fd, int name, long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };

	setsockopt(fd, SOL_SOCKET, name, &tv, sizeof(tv));
}

static inline void set_rcvtimeo(int fd, long ms)
{
	set_timeo(fd, SO_RCVTIMEO, ms);
}

static inline void set_sndtimeo(int fd, long ms)
{
	set_timeo(fd, SO_SNDTIMEO, ms);
}

/*
 * Binds fd to 127.0.0.1 at a port of its choosing and listens, the address
 * in *addr; -1 with errno on failure (fd stays open).
 */
static inline int loopback_listen(int fd, struct sockaddr_in *addr, int backlog)
{
	socklen_t len = sizeof(*addr);

	*addr = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		return -1;
	return 0;
}

/*
 * A socket of family (atcp_family() or AF_INET) listening on 127.0.0.1 at
 * a port of its choosing, the address in *addr; -1 with errno on failure.
 */
static inline int loopback_listener(int family, struct sockaddr_in *addr,
				    int backlog)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (loopback_listen(fd, addr, backlog))
		return close_failed(fd);
	return fd;
}

/*
 * A socket of family (atcp_family() or AF_INET6) listening on the IPv6
 * address addr at a port of its choosing, IPV6_V6ONLY set to v6only unless
 * that is -1; -1 with errno on failure.
 */
static inline int listen6(int family, const char *addr, int v6only)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if ((v6only >= 0 && set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only)) ||
	    bind6(fd, addr, 0) || listen(fd, 8))
		return close_failed(fd);
	return fd;
}

/*
 * A connection over 127.0.0.1 from a cfamily client to an sfamily
 * listener: the client in *client, the accepted socket in *server.  0, or
 * -1 with both -1.
 */
static inline int connect_pair(int cfamily, int sfamily, int *client, int *server)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(sfamily, &addr, 4);

	*client = *server = -1;
	if (lfd < 0)
		return -1;
	*client = socket(cfamily, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*client >= 0 && !connect_to(*client, &addr))
		*server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (*server < 0) {
		if (*client >= 0)
			close(*client);
		*client = -1;
		return -1;
	}
	return 0;
}

/* connect_pair() with atcp at both ends. */
static inline int atcp_pair(int *client, int *server)
{
	return connect_pair(atcp_family(), atcp_family(), client, server);
}

/*
 * "hello" from a to b and "bye" back over two connected sockets; 0 when
 * both arrived whole, -1 otherwise.
 */
static inline int exchange(int a, int b)
{
	char buf[8] = { 0 };

	if (send(a, "hello", 5, 0) != 5 || recv(b, buf, 5, MSG_WAITALL) != 5 ||
	    memcmp(buf, "hello", 5))
		return -1;
	if (send(b, "bye", 3, 0) != 3 || recv(a, buf, 3, MSG_WAITALL) != 3 ||
	    memcmp(buf, "bye", 3))
		return -1;
	return 0;
}

#endif /* ATCP_SELFTEST_H */
