/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the atcp selftests share: the family in force, module reloads,
 * sysctl writes, a network namespace of a test's own and a loopback
 * listener.
 */
#ifndef ATCP_SELFTEST_H
#define ATCP_SELFTEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

/*
 * A socket of family (atcp_family() or AF_INET) listening on 127.0.0.1 at
 * a port of its choosing, the address in *addr; -1 with errno on failure.
 */
static inline int loopback_listener(int family, struct sockaddr_in *addr,
				    int backlog)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int saved;

	*addr = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

#endif /* ATCP_SELFTEST_H */
