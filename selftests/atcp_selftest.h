/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the atcp selftests share: the family in force and module reloads. */
#ifndef ATCP_SELFTEST_H
#define ATCP_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/atcp.h>

/* The family the loaded module registered, or -1 when it is not loaded. */
static inline int atcp_family(void)
{
	FILE *f = fopen(ATCP_FAMILY_SYSFS, "r");
	int family = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &family) != 1)
		family = -1;
	fclose(f);
	return family;
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

#endif /* ATCP_SELFTEST_H */
