// SPDX-License-Identifier: GPL-2.0
/*
 * net.atcp sysctls: defaults, valid and invalid writes, and one set of
 * values per network namespace.
 */
#include <sched.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

#define SYSCTL_DIR "/proc/sys/net/atcp/"

/* The value text of a sysctl, trailing newline removed. */
static int sysctl_read(const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* 0, or -1 with errno from write(2). */
static int sysctl_write(const char *name, const char *value)
{
	char path[128];
	int fd, ret, saved;

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, value, strlen(value)) < 0 ? -1 : 0;
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

static const struct {
	const char *name;
	const char *dflt;
	const char *good;
	const char *bad[3];
} knobs[] = {
	{ "rfc1323", "1", "0", { "2", "-1", "on" } },
	{ "mssdflt", "536", "1220", { "215", "65496", "" } },
	{ "msl", "30000", "1000", { "99", "120001", "x" } },
	{ "delacktime", "40", "200", { "0", "201", "" } },
	{ "keepidle", "7200000", "60000", { "999", "32767001", "" } },
	{ "keepintvl", "75000", "1000", { "0", "32767001", "" } },
	{ "keepcnt", "8", "3", { "0", "128", "" } },
	{ "syn_retries", "6", "2", { "0", "128", "" } },
	{ "data_retries", "15", "5", { "0", "101", "" } },
	{ "rexmit_min", "200", "30", { "0", "10001", "" } },
	{ "rexmit_max", "120000", "60000", { "999", "600001", "" } },
	{ "finwait2_timeout", "60000", "1000", { "999", "600001", "" } },
	{ "icmp_may_rst", "1", "0", { "2", "-1", "on" } },
	{ "ephemeral_ports", "49152\t65535", "40000\t40100", { "40100 40000", "1023 2000", "2000 65536" } },
};

TEST(defaults_are_documented_values)
{
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		ASSERT_EQ(0, sysctl_read(knobs[i].name, buf, sizeof(buf))) TH_LOG("%s", knobs[i].name);
		EXPECT_STREQ(knobs[i].dflt, buf) TH_LOG("%s", knobs[i].name);
	}
}

TEST(valid_writes_take_effect)
{
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		ASSERT_EQ(0, sysctl_write(knobs[i].name, knobs[i].good)) TH_LOG("%s", knobs[i].name);
		ASSERT_EQ(0, sysctl_read(knobs[i].name, buf, sizeof(buf)));
		EXPECT_STREQ(knobs[i].good, buf) TH_LOG("%s", knobs[i].name);
		ASSERT_EQ(0, sysctl_write(knobs[i].name, knobs[i].dflt));
	}
}

TEST(bad_writes_fail_with_einval_and_change_nothing)
{
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(knobs[i].bad); j++) {
			const char *bad = knobs[i].bad[j];

			if (!bad[0])
				continue;
			EXPECT_EQ(-1, sysctl_write(knobs[i].name, bad))
				TH_LOG("%s accepted '%s'", knobs[i].name, bad);
			EXPECT_EQ(EINVAL, errno) TH_LOG("%s '%s'", knobs[i].name, bad);
			ASSERT_EQ(0, sysctl_read(knobs[i].name, buf, sizeof(buf)));
			EXPECT_STREQ(knobs[i].dflt, buf) TH_LOG("%s after '%s'", knobs[i].name, bad);
		}
	}
}

TEST(each_network_namespace_has_its_own_values)
{
	char buf[64];
	int status;
	pid_t pid;

	ASSERT_EQ(0, sysctl_write("mssdflt", "1000"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A new namespace starts from the defaults and changes only itself. */
		if (unshare(CLONE_NEWNET) || sysctl_read("mssdflt", buf, sizeof(buf)) ||
		    strcmp(buf, "536") || sysctl_write("mssdflt", "1400"))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, sysctl_read("mssdflt", buf, sizeof(buf)));
	EXPECT_STREQ("1000", buf);
	ASSERT_EQ(0, sysctl_write("mssdflt", "536"));
}

TEST_HARNESS_MAIN
