// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_ATCP family: registration, socket creation and the errno values for
 * what the family does not offer, module reference counting, family=.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

TEST(family_param_is_the_uapi_default)
{
	ASSERT_EQ(AF_ATCP, atcp_family());
	ASSERT_EQ(PF_ATCP, AF_ATCP);
}

TEST(stream_socket_opens_and_closes)
{
	int protocols[] = { 0, IPPROTO_TCP };

	for (size_t i = 0; i < ARRAY_SIZE(protocols); i++) {
		int fd = socket(AF_ATCP, SOCK_STREAM, protocols[i]);

		ASSERT_LE(0, fd) TH_LOG("protocol %d: %s", protocols[i], strerror(errno));
		EXPECT_EQ(0, close(fd));
	}
}

TEST(socket_flags_apply)
{
	int fd = socket(AF_ATCP, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST(other_types_are_not_supported)
{
	int types[] = { SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_RDM };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		EXPECT_EQ(-1, socket(AF_ATCP, types[i], 0));
		EXPECT_EQ(ESOCKTNOSUPPORT, errno) TH_LOG("type %d", types[i]);
	}
}

TEST(other_protocols_are_not_supported)
{
	EXPECT_EQ(-1, socket(AF_ATCP, SOCK_STREAM, IPPROTO_UDP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(AF_ATCP, SOCK_STREAM, IPPROTO_SCTP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(AF_ATCP, SOCK_STREAM, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, socket(AF_ATCP, SOCK_STREAM, 1000));
	EXPECT_EQ(EINVAL, errno);
}

TEST(socketpair_is_not_supported)
{
	int sv[2];

	EXPECT_EQ(-1, socketpair(AF_ATCP, SOCK_STREAM, 0, sv));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* Tests below unload the module; each leaves it loaded with defaults. */
FIXTURE(reload)
{
};

FIXTURE_SETUP(reload)
{
	ASSERT_EQ(AF_ATCP, atcp_family());
}

FIXTURE_TEARDOWN(reload)
{
	if (atcp_family() != AF_ATCP) {
		atcp_unload();
		ASSERT_EQ(0, atcp_load("")) TH_LOG("reload: %s", strerror(errno));
	}
}

TEST_F(reload, rmmod_refused_while_a_socket_is_open)
{
	int fd = socket(AF_ATCP, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, atcp_unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(AF_ATCP, atcp_family());

	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, atcp_unload()) TH_LOG("rmmod after close: %s", strerror(errno));
	EXPECT_EQ(-1, atcp_family());
	EXPECT_EQ(-1, socket(AF_ATCP, SOCK_STREAM, 0));
	EXPECT_EQ(EAFNOSUPPORT, errno);

	ASSERT_EQ(0, atcp_load(""));
	fd = socket(AF_ATCP, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

/* Reads what the kernel logged since kmsg_fd was opened at the log's end. */
static int kmsg_contains(int kmsg_fd, const char *needle)
{
	char record[2048];
	ssize_t n;

	while ((n = read(kmsg_fd, record, sizeof(record) - 1)) > 0) {
		record[n] = '\0';
		if (strstr(record, needle))
			return 1;
	}
	return 0;
}

TEST_F(reload, taken_family_fails_the_load_with_a_log_line)
{
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	ASSERT_EQ(0, atcp_unload());

	EXPECT_EQ(-1, atcp_load("family=2"));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_TRUE(kmsg_contains(kmsg, "protocol family 2 is already registered"));
	EXPECT_EQ(-1, atcp_family());
	close(kmsg);
}

TEST_F(reload, out_of_range_family_fails_the_load)
{
	ASSERT_EQ(0, atcp_unload());
	EXPECT_EQ(-1, atcp_load("family=0"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, atcp_load("family=46"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, atcp_load("family=-3"));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(reload, family_parameter_moves_the_family)
{
	const int other = 22; /* AF_SNA: never implemented in Linux */
	int fd;

	ASSERT_EQ(0, atcp_unload());
	ASSERT_EQ(0, atcp_load("family=22"));
	EXPECT_EQ(other, atcp_family());

	fd = socket(other, SOCK_STREAM, 0);
	ASSERT_LE(0, fd) TH_LOG("socket(22): %s", strerror(errno));
	close(fd);
	EXPECT_EQ(-1, socket(AF_ATCP, SOCK_STREAM, 0));
	EXPECT_EQ(EAFNOSUPPORT, errno);
}

TEST_HARNESS_MAIN
