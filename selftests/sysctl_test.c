// SPDX-License-Identifier: GPL-2.0
/*
 * net.atcp sysctls: defaults, valid and invalid writes, and one set of
 * values per network namespace; the numeric ones from one table, the
 * congestion control names in tests of their own.
 */
#include <netinet/tcp.h>
#include <pthread.h>
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
	{ "minmss", "216", "1000", { "47", "65496", "" } },
	{ "pmtud_blackhole_detection", "0", "1", { "4", "-1", "yes" } },
	{ "pmtud_blackhole_mss", "1200", "1300", { "535", "65496", "" } },
	{ "v6pmtud_blackhole_mss", "1220", "1300", { "1219", "65477", "" } },
	{ "ecn", "2", "1", { "3", "-1", "on" } },
	{ "rack", "1", "0", { "2", "-1", "on" } },
	{ "tlp", "1", "0", { "2", "-1", "off" } },
	{ "syncookies", "1", "2", { "3", "-1", "on" } },
	{ "max_syn_backlog", "128", "1024", { "-1", "x", "2147483648" } },
	{ "max_tw_buckets", "8192", "100", { "-1", "y", "2147483648" } },
	{ "ephemeral_ports", "49152\t65535", "40000\t40100", { "40100 40000", "1023 2000", "2000 65536" } },
	{ "rmem", "4096\t131072\t6291456", "8192\t65536\t1048576",
	  { "4095 131072 6291456", "4096 131072 65536", "4096 131072 1073741825" } },
	{ "wmem", "4096\t16384\t4194304", "4096\t32768\t65536",
	  { "32768 16384 65536", "4096 16384 4096", "4096 16384 1073741825" } },
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

/*
 * The congestion control names, as Linux's net.ipv4.tcp_congestion_control
 * and tcp_available_congestion_control: a name no algorithm has is
 * ENOENT, the list is read-only, and a socket takes the default when it is
 * created.
 */
TEST(congestion_control_default_and_available)
{
	char buf[64];

	ASSERT_EQ(0, sysctl_read("congestion_control", buf, sizeof(buf)));
	EXPECT_STREQ("cubic", buf);
	ASSERT_EQ(0, sysctl_read("available_congestion_control", buf, sizeof(buf)));
	EXPECT_STREQ("cubic newreno", buf);
	EXPECT_EQ(-1, sysctl_write("available_congestion_control", "cubic"));
	EXPECT_EQ(EACCES, errno);
}

TEST(congestion_control_writes)
{
	static const char *const good[][2] = {
		{ "newreno", "newreno" }, { "reno", "newreno" },
		{ "cubic\n", "cubic" },
	};
	static const char *const bad[] = {
		"bbr", "\n", "CUBIC", "cubic ", "newrenonewrenonewreno",
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		ASSERT_EQ(0, sysctl_write("congestion_control", good[i][0]));
		ASSERT_EQ(0, sysctl_read("congestion_control", buf, sizeof(buf)));
		EXPECT_STREQ(good[i][1], buf) TH_LOG("after '%s'", good[i][0]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, sysctl_write("congestion_control", bad[i]))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(ENOENT, errno) TH_LOG("'%s'", bad[i]);
		ASSERT_EQ(0, sysctl_read("congestion_control", buf, sizeof(buf)));
		EXPECT_STREQ("cubic", buf) TH_LOG("after '%s'", bad[i]);
	}
}

TEST(congestion_control_is_read_when_a_socket_is_created)
{
	socklen_t len = 16;
	char name[16];
	int before, after;

	before = atcp_socket();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, sysctl_write("congestion_control", "newreno"));
	after = atcp_socket();
	ASSERT_EQ(0, sysctl_write("congestion_control", "cubic"));
	ASSERT_LE(0, after);
	ASSERT_EQ(0, getsockopt(before, IPPROTO_TCP, TCP_CONGESTION, name, &len));
	EXPECT_STREQ("cubic", name);
	ASSERT_EQ(0, getsockopt(after, IPPROTO_TCP, TCP_CONGESTION, name, &len));
	EXPECT_STREQ("newreno", name);
	close(before);
	close(after);
}

TEST(each_network_namespace_has_its_own_values)
{
	char buf[64];
	int status;
	pid_t pid;

	ASSERT_EQ(0, sysctl_write("mssdflt", "1000"));
	ASSERT_EQ(0, sysctl_write("congestion_control", "newreno"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A new namespace starts from the defaults and changes only itself. */
		if (unshare(CLONE_NEWNET) || sysctl_read("mssdflt", buf, sizeof(buf)) ||
		    strcmp(buf, "536") || sysctl_write("mssdflt", "1400"))
			_exit(1);
		if (sysctl_read("congestion_control", buf, sizeof(buf)) ||
		    strcmp(buf, "cubic") ||
		    sysctl_write("congestion_control", "cubic"))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, sysctl_read("mssdflt", buf, sizeof(buf)));
	EXPECT_STREQ("1000", buf);
	ASSERT_EQ(0, sysctl_read("congestion_control", buf, sizeof(buf)));
	EXPECT_STREQ("newreno", buf);
	ASSERT_EQ(0, sysctl_write("mssdflt", "536"));
	ASSERT_EQ(0, sysctl_write("congestion_control", "cubic"));
}

/* net.atcp.rmem and wmem's defaults: what a new socket's buffers hold. */
TEST(buffers_start_at_rmem_and_wmem_defaults)
{
	int fd;

	ASSERT_EQ(0, sysctl_write("rmem", "4096 65536 6291456"));
	ASSERT_EQ(0, sysctl_write("wmem", "4096 32768 4194304"));
	fd = atcp_socket();
	ASSERT_LE(0, fd);
	EXPECT_EQ(65536, get_int(fd, SOL_SOCKET, SO_RCVBUF));
	EXPECT_EQ(32768, get_int(fd, SOL_SOCKET, SO_SNDBUF));
	close(fd);
	ASSERT_EQ(0, sysctl_write("rmem", "4096 131072 6291456"));
	ASSERT_EQ(0, sysctl_write("wmem", "4096 16384 4194304"));
}

#define BULK_BYTES (64 << 20)

static void *send_bulk(void *arg)
{
	static char buf[1 << 16];
	size_t sent = 0;
	ssize_t n;

	while (sent < BULK_BYTES) {
		n = send(*(int *)arg, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		sent += n;
	}
	return (void *)sent;
}

/* Moves BULK_BYTES from client to server; 0 when all arrived. */
static int bulk(int client, int server)
{
	static char buf[1 << 16];
	size_t got = 0;
	pthread_t sender;
	void *sent;
	ssize_t n;

	if (pthread_create(&sender, NULL, send_bulk, &client))
		return -1;
	while (got < BULK_BYTES && (n = recv(server, buf, sizeof(buf), 0)) > 0)
		got += n;
	pthread_join(sender, &sent);
	return got == BULK_BYTES && (size_t)sent == BULK_BYTES ? 0 : -1;
}

/*
 * Without SO_RCVBUF and SO_SNDBUF the buffers grow with what the connection
 * moves (Linux's tcp_rcv_space_adjust and tcp_sndbuf_expand), never past
 * net.atcp.rmem's and wmem's maximum.
 */
TEST(buffers_grow_with_a_bulk_transfer_up_to_the_max)
{
	int client, server, rcvbuf, sndbuf;

	ASSERT_EQ(0, sysctl_write("rmem", "4096 131072 1048576"));
	ASSERT_EQ(0, sysctl_write("wmem", "4096 16384 2097152"));
	ASSERT_EQ(0, atcp_pair(&client, &server));
	set_rcvtimeo(server, 10000);
	ASSERT_EQ(0, bulk(client, server));
	rcvbuf = get_int(server, SOL_SOCKET, SO_RCVBUF);
	sndbuf = get_int(client, SOL_SOCKET, SO_SNDBUF);
	TH_LOG("after %d MiB: SO_RCVBUF %d, SO_SNDBUF %d", BULK_BYTES >> 20,
	       rcvbuf, sndbuf);
	EXPECT_LT(131072, rcvbuf);
	EXPECT_GE(1048576, rcvbuf);
	EXPECT_LT(16384, sndbuf);
	EXPECT_GE(2097152, sndbuf);
	close(client);
	close(server);
	ASSERT_EQ(0, sysctl_write("rmem", "4096 131072 6291456"));
	ASSERT_EQ(0, sysctl_write("wmem", "4096 16384 4194304"));
}

/* SO_RCVBUF and SO_SNDBUF pin the buffers (Linux doubles what is asked). */
TEST(buffers_set_by_the_user_stay_as_set)
{
	struct sockaddr_in addr;
	int lfd, client, server;

	lfd = socket(atcp_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, set_int(lfd, SOL_SOCKET, SO_RCVBUF, 100000));
	ASSERT_EQ(0, loopback_listen(lfd, &addr, 1));
	client = socket(atcp_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, client);
	ASSERT_EQ(0, set_int(client, SOL_SOCKET, SO_SNDBUF, 100000));
	ASSERT_EQ(0, connect_to(client, &addr));
	server = accept(lfd, NULL, NULL);
	ASSERT_LE(0, server);
	set_rcvtimeo(server, 10000);
	ASSERT_EQ(0, bulk(client, server));
	EXPECT_EQ(200000, get_int(server, SOL_SOCKET, SO_RCVBUF));
	EXPECT_EQ(200000, get_int(client, SOL_SOCKET, SO_SNDBUF));
	close(client);
	close(server);
	close(lfd);
}

/* TCP_INFO's options of fd. */
static int tcpi_options(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_options;
}

/*
 * net.atcp.ecn, as Linux's tcp_ecn (RFC 3168 6.1.1): 1 asks for ECN on an
 * active open and agrees when asked, 2 (the default) only agrees, 0 does
 * neither.  Agreed, TCP_INFO says TCPI_OPT_ECN on both sides, and
 * TCPI_OPT_ECN_SEEN on the side whose data arrived ECT(0).
 */
TEST(ecn_sysctl_decides_the_agreement)
{
	static const struct {
		const char *ecn;
		bool agreed;
	} cases[] = { { "1", true }, { "2", false }, { "0", false } };
	char byte = 'x';

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int client, server, agreed = cases[i].agreed ? TCPI_OPT_ECN : 0;

		ASSERT_EQ(0, sysctl_write("ecn", cases[i].ecn));
		ASSERT_EQ(0, atcp_pair(&client, &server));
		set_rcvtimeo(server, 10000);
		ASSERT_EQ(1, send(client, &byte, 1, 0));
		ASSERT_EQ(1, recv(server, &byte, 1, 0));
		EXPECT_EQ(agreed, tcpi_options(client) & TCPI_OPT_ECN)
			TH_LOG("ecn %s", cases[i].ecn);
		EXPECT_EQ(agreed, tcpi_options(server) & TCPI_OPT_ECN)
			TH_LOG("ecn %s", cases[i].ecn);
		EXPECT_EQ(cases[i].agreed ? TCPI_OPT_ECN_SEEN : 0,
			  tcpi_options(server) & TCPI_OPT_ECN_SEEN)
			TH_LOG("ecn %s", cases[i].ecn);
		close(client);
		close(server);
	}
	ASSERT_EQ(0, sysctl_write("ecn", "2"));
}

/*
 * net.atcp.syncookies 2, as Linux's tcp_syncookies 2: every SYN is answered
 * with a cookie (RFC 4987 3.6) and nothing is kept; the ACK that echoes it
 * opens the connection.  From Linux's TCP, with timestamps, window scaling
 * and SACK, which the cookie's TSval brings back; from atcp with rfc1323 0,
 * without timestamps, only the MSS survives.
 */
TEST(syncookies_open_connections)
{
	const int kept = TCPI_OPT_TIMESTAMPS | TCPI_OPT_WSCALE | TCPI_OPT_SACK;
	const struct {
		int client_family;
		const char *rfc1323;
		int options;
	} cases[] = {
		{ AF_INET, "1", kept },
		{ atcp_family(), "0", 0 },
	};

	ASSERT_EQ(0, sysctl_write("syncookies", "2"));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int client, server;

		ASSERT_EQ(0, sysctl_write("rfc1323", cases[i].rfc1323));
		ASSERT_EQ(0, connect_pair(cases[i].client_family, atcp_family(),
					  &client, &server));
		set_rcvtimeo(client, 10000);
		set_rcvtimeo(server, 10000);
		EXPECT_EQ(0, exchange(client, server)) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].options, tcpi_options(server) & kept)
			TH_LOG("case %zu", i);
		close(client);
		close(server);
	}
	ASSERT_EQ(0, sysctl_write("rfc1323", "1"));
	ASSERT_EQ(0, sysctl_write("syncookies", "1"));
}

/*
 * net.atcp.mem ("min pressure max" pages) and max_orphans are global, as
 * Linux's tcp_mem and tcp_max_orphans: in the initial namespace only.  mem
 * starts at Linux's tcp_mem proportions (pressure a sixteenth of the
 * buffer pages, min three quarters of it, max twice min).
 */
TEST(global_limits_live_in_the_initial_namespace)
{
	const char *bad_mem[] = { "3 2 1", "0 1 2", "1 2 x", "-1 2 3" };
	const char *bad_orphans[] = { "-1", "x", "2147483648" };
	char saved[64], buf[64];
	long v[3];
	int status;
	pid_t pid;

	ASSERT_EQ(0, sysctl_read("mem", saved, sizeof(saved)));
	ASSERT_EQ(3, sscanf(saved, "%ld %ld %ld", &v[0], &v[1], &v[2]));
	EXPECT_EQ(v[1] / 4 * 3, v[0]);
	EXPECT_EQ(v[0] * 2, v[2]);
	ASSERT_EQ(0, sysctl_write("mem", "100 200 300"));
	ASSERT_EQ(0, sysctl_read("mem", buf, sizeof(buf)));
	EXPECT_STREQ("100\t200\t300", buf);
	for (size_t i = 0; i < ARRAY_SIZE(bad_mem); i++) {
		EXPECT_EQ(-1, sysctl_write("mem", bad_mem[i])) TH_LOG("%s", bad_mem[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", bad_mem[i]);
		ASSERT_EQ(0, sysctl_read("mem", buf, sizeof(buf)));
		EXPECT_STREQ("100\t200\t300", buf);
	}
	ASSERT_EQ(0, sysctl_write("mem", saved));

	ASSERT_EQ(0, sysctl_read("max_orphans", saved, sizeof(saved)));
	EXPECT_STREQ("8192", saved) TH_LOG("half the established table's 16384 buckets");
	for (size_t i = 0; i < ARRAY_SIZE(bad_orphans); i++) {
		EXPECT_EQ(-1, sysctl_write("max_orphans", bad_orphans[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", bad_orphans[i]);
	}
	ASSERT_EQ(0, sysctl_read("max_orphans", buf, sizeof(buf)));
	EXPECT_STREQ(saved, buf);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) || !sysctl_read("mem", buf, sizeof(buf)) ||
		    !sysctl_read("max_orphans", buf, sizeof(buf)))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_HARNESS_MAIN
