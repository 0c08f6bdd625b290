// SPDX-License-Identifier: GPL-2.0
/*
 * A SYN flood (RFC 4987) against an atcp listener, in a network namespace
 * of the test's own: SYNs from a raw socket, from random addresses of a
 * subnet whose replies the namespace drops (a blackhole route, as if the
 * forged sources did not exist), as fast as the guest sends them.  With
 * net.atcp.syncookies 1, the default, the flood fills the SYN queue and
 * every further SYN is answered with a cookie: a real client, atcp or
 * Linux's TCP, still connects within a second and moves data.  With
 * syncookies 0 the same client cannot get in.  A flood from one address
 * takes no more than its share of the SYN cache, a quarter of
 * net.atcp.max_syn_backlog, and other clients still get in without cookies.
 */
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

#define SERVER "10.99.0.1"
#define PORT 8099
/* The forged sources: a /17 the blackhole route swallows replies to. */
#define FLOOD_NET 0x0a638000u /* 10.99.128.0 */
#define FLOOD_HOSTS 0x8000u
#define BACKLOG 16

/* RFC 1071's checksum over the TCP pseudo-header and the segment. */
static uint16_t tcp_checksum(const struct iphdr *ip, const struct tcphdr *th)
{
	const uint16_t *p = (const uint16_t *)th;
	uint32_t sum = 0;

	sum += (ip->saddr >> 16) + (ip->saddr & 0xffff);
	sum += (ip->daddr >> 16) + (ip->daddr & 0xffff);
	sum += htons(IPPROTO_TCP) + htons(sizeof(*th));
	for (size_t i = 0; i < sizeof(*th) / 2; i++)
		sum += p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct forged {
	struct iphdr ip;
	struct tcphdr th;
};

/* A segment from saddr:sport to SERVER:PORT with seq and flags (TH_*). */
static void forge(struct forged *pkt, uint32_t saddr, uint16_t sport,
		  uint32_t seq, uint8_t flags)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->ip.ihl = 5;
	pkt->ip.version = 4;
	pkt->ip.ttl = 64;
	pkt->ip.protocol = IPPROTO_TCP;
	pkt->ip.tot_len = htons(sizeof(*pkt));
	pkt->ip.saddr = saddr;
	pkt->ip.daddr = inet_addr(SERVER);
	pkt->th.source = htons(sport);
	pkt->th.dest = htons(PORT);
	pkt->th.seq = htonl(seq);
	pkt->th.doff = 5;
	pkt->th.th_flags = flags;
	pkt->th.window = htons(65535);
	pkt->th.check = tcp_checksum(&pkt->ip, &pkt->th);
}

/* Sends pkt from a raw socket fd; whether it went. */
static bool send_forged(int fd, const struct forged *pkt)
{
	struct sockaddr_in to = ipv4(SERVER, PORT);

	return sendto(fd, pkt, sizeof(*pkt), 0, (struct sockaddr *)&to,
		      sizeof(to)) > 0;
}

/*
 * Sends forged SYNs to SERVER:PORT until killed, counting them in *sent,
 * from hosts addresses of FLOOD_NET.
 */
static void flood(volatile unsigned long *sent, uint32_t hosts)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	uint32_t x = 2463534242u;
	struct forged pkt;

	if (fd < 0)
		exit(1);
	for (;;) {
		/* xorshift32: a different source and ISN each time */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		forge(&pkt, htonl(FLOOD_NET | (x % hosts)),
		      1024 + (x >> 17) % 60000, x, TH_SYN);
		if (send_forged(fd, &pkt))
			(*sent)++;
	}
}

static int run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int write_syncookies(const char *value)
{
	return write_sysctl("/proc/sys/net/atcp/syncookies", value);
}

/*
 * Connects a client of family from src (NULL: any address) to SERVER:PORT
 * and has the listener accept it; the milliseconds it took, -1 when it did
 * not within wait_ms.
 */
static long connect_from(const char *src, int lfd, int family, long wait_ms,
			 int *client, int *server)
{
	struct sockaddr_in addr = ipv4(SERVER, PORT);
	struct sockaddr_in from = ipv4(src ? src : "0.0.0.0", 0);
	struct pollfd pfd = { .events = POLLOUT };
	struct timespec start;
	int err = 0;
	socklen_t len = sizeof(err);

	clock_gettime(CLOCK_MONOTONIC, &start);
	*client = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (*client < 0 ||
	    bind(*client, (struct sockaddr *)&from, sizeof(from)))
		return -1;
	if (connect(*client, (struct sockaddr *)&addr, sizeof(addr)) &&
	    errno != EINPROGRESS)
		return -1;
	pfd.fd = *client;
	if (poll(&pfd, 1, wait_ms) != 1 ||
	    getsockopt(*client, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		return -1;
	pfd.fd = lfd;
	pfd.events = POLLIN;
	/* The flood's cookie-less ACKs never come: the first ready is ours. */
	if (poll(&pfd, 1, wait_ms) != 1)
		return -1;
	*server = accept(lfd, NULL, NULL);
	if (*server < 0)
		return -1;
	fcntl(*client, F_SETFL, 0);
	return elapsed_ms(&start);
}

static long connect_through(int lfd, int family, long wait_ms, int *client,
			    int *server)
{
	return connect_from(NULL, lfd, family, wait_ms, client, server);
}

FIXTURE(flood)
{
	int lfd;
	pid_t flooder;
	volatile unsigned long *sent; /* SYNs the flooder sent */
	struct timespec start;
};

/*
 * Each case twice: with the namespace's limit on connections in their
 * handshake (net.atcp.max_syn_backlog) at its default, far above the
 * listener's SYN queue, and at 4, below it, which then bounds the flood.
 */
FIXTURE_VARIANT(flood)
{
	int max_syn_backlog; /* 0: the default */
	bool one_source; /* every SYN from one address */
};

FIXTURE_VARIANT_ADD(flood, listener_bound)
{
	.max_syn_backlog = 0,
};

FIXTURE_VARIANT_ADD(flood, namespace_bound)
{
	.max_syn_backlog = 4,
};

/* One address's share, a quarter of 40, is below the listener's 17. */
FIXTURE_VARIANT_ADD(flood, source_bound)
{
	.max_syn_backlog = 40,
	.one_source = true,
};

/* What the flood may keep half-open: the tightest bound. */
static long half_open_bound(const FIXTURE_VARIANT(flood) *variant)
{
	long bound = BACKLOG + 1;

	if (variant->max_syn_backlog && variant->max_syn_backlog < bound)
		bound = variant->max_syn_backlog;
	if (variant->one_source && variant->max_syn_backlog / 4 < bound)
		bound = variant->max_syn_backlog / 4;
	return bound;
}

FIXTURE_SETUP(flood)
{
	struct sockaddr_in addr = ipv4(SERVER, PORT);

	self->flooder = -1;
	ASSERT_EQ(0, enter_fresh_netns());
	ASSERT_EQ(0, run("ip addr add " SERVER "/32 dev lo && "
			 "ip route add blackhole 10.99.128.0/17"));
	if (variant->max_syn_backlog) {
		char limit[16];

		snprintf(limit, sizeof(limit), "%d", variant->max_syn_backlog);
		ASSERT_EQ(0, write_sysctl("/proc/sys/net/atcp/max_syn_backlog", limit));
	}
	self->lfd = atcp_socket();
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, listen(self->lfd, BACKLOG));
	self->sent = mmap(NULL, sizeof(*self->sent), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sent);
	clock_gettime(CLOCK_MONOTONIC, &self->start);
	self->flooder = fork();
	ASSERT_LE(0, self->flooder);
	if (self->flooder == 0)
		flood(self->sent, variant->one_source ? 1 : FLOOD_HOSTS);
	usleep(300000); /* the SYN queue fills */
}

FIXTURE_TEARDOWN(flood)
{
	if (self->flooder > 0) {
		kill(self->flooder, SIGKILL);
		waitpid(self->flooder, NULL, 0);
		TH_LOG("the flood: %lu SYNs in %ld ms", *self->sent,
		       elapsed_ms(&self->start));
	}
	close(self->lfd);
	write_syncookies("1");
}

TEST_F(flood, cookies_let_clients_in_within_a_second)
{
	const int families[] = { atcp_family(), AF_INET };
	long sockets, pages;
	int pressure;

	if (variant->one_source)
		SKIP(return, "the flood's one address leaves clients room: see one_source_keeps_to_its_share");

	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		int client = -1, server = -1;
		long ms = connect_through(self->lfd, families[i], 1000, &client,
					  &server);

		EXPECT_LE(0, ms) TH_LOG("%s client", i ? "Linux" : "atcp");
		EXPECT_GT(1000, ms);
		TH_LOG("%s client in after %ld ms of the flood",
		       i ? "Linux" : "atcp", ms);
		if (ms >= 0) {
			set_rcvtimeo(client, 5000);
			set_rcvtimeo(server, 5000);
			EXPECT_EQ(0, exchange(client, server));
		}
		close(client);
		close(server);
	}
	/*
	 * Cookies let them in, and the flood kept no more than the SYN queue
	 * (listen's backlog + 1), or the namespace's limit, of half-open
	 * connections.
	 */
	EXPECT_LE(2, atcpstat("-s", "SyncookiesRecv", true));
	EXPECT_LT(100, atcpstat("-s", "SyncookiesSent", true));
	EXPECT_LT(100, atcpstat("-s", "ReqQFullDoCookies", true));
	EXPECT_LE(atcpstat("-s", "SyncookiesSent", true),
		  atcpstat("-s", "SynsReceived", true));
	EXPECT_GE(half_open_bound(variant),
		  atcpstat("-n --state syn-recv", "atcp", false));
	/*
	 * The namespace's atcp sockets: the listener and the atcp pair just
	 * closed; half-open connections are SYN cache entries, not sockets.
	 */
	ASSERT_EQ(0, atcp_protocol(&sockets, &pages, &pressure));
	TH_LOG("%ld atcp sockets in the namespace", sockets);
	EXPECT_GE(3, sockets);
	EXPECT_LE(1, sockets);
}

TEST_F(flood, without_cookies_a_client_waits)
{
	int client = -1, server = -1;
	long sockets, pages;
	int pressure;

	if (variant->one_source)
		SKIP(return, "the flood's one address leaves clients room: see one_source_keeps_to_its_share");
	ASSERT_EQ(0, write_syncookies("0"));
	usleep(100000); /* SYNs that got cookies before are forgotten */
	EXPECT_EQ(-1, connect_through(self->lfd, atcp_family(), 1000, &client,
				      &server));
	close(client);
	close(server);
	/* The flood filled the tighter bound exactly, and the rest was dropped. */
	EXPECT_EQ(half_open_bound(variant),
		  atcpstat("-n --state syn-recv", "atcp", false));
	EXPECT_LT(0, atcpstat("-s", "ListenDrops", true));
	EXPECT_LT(0, atcpstat("-s", "ReqQFullDrop", true));
	/* The listener is the one atcp socket: the rest are entries. */
	ASSERT_EQ(0, atcp_protocol(&sockets, &pages, &pressure));
	EXPECT_EQ(1, sockets);
}

/*
 * Without cookies, a flood from one address holds its share of the SYN
 * cache and no more, and a client from another address gets in: from one
 * of three, since the share is per bucket and an address shares its bucket
 * with the flood's one time in 512.
 */
TEST_F(flood, one_source_keeps_to_its_share)
{
	const char *const sources[] = { "10.99.0.2", "10.99.0.3", "10.99.0.4" };
	long ms = -1;

	if (!variant->one_source)
		SKIP(return, "the flood comes from many addresses");
	ASSERT_EQ(0, write_syncookies("0"));
	usleep(100000);
	EXPECT_EQ(half_open_bound(variant),
		  atcpstat("-n --state syn-recv", "atcp", false));
	ASSERT_EQ(0, run("ip addr add 10.99.0.2/32 dev lo && "
			 "ip addr add 10.99.0.3/32 dev lo && "
			 "ip addr add 10.99.0.4/32 dev lo"));
	for (size_t i = 0; i < ARRAY_SIZE(sources) && ms < 0; i++) {
		int client = -1, server = -1;

		ms = connect_from(sources[i], self->lfd, atcp_family(), 1000,
				  &client, &server);
		if (ms >= 0) {
			TH_LOG("a client from %s in after %ld ms", sources[i], ms);
			set_rcvtimeo(client, 5000);
			set_rcvtimeo(server, 5000);
			EXPECT_EQ(0, exchange(client, server));
		}
		close(client);
		close(server);
	}
	EXPECT_LE(0, ms);
	EXPECT_LT(0, atcpstat("-s", "ReqQFullDrop", true));
}

/*
 * A half-open entry holds its 4-tuple as a connection does: a connect()
 * from the listener's address and port to the entry's peer fails with
 * EADDRINUSE (tcp(4); Linux refuses it too, its request socks being in
 * its established hash), while another peer port is free.  The peer's RST
 * ends the entry (RFC 9293 3.10.7.4, SYN-RECEIVED from a passive OPEN), and
 * the events group hears of it as of a half-open socket's end.  Replies
 * to the forged peer leave through a veth whose peer end is down: routed,
 * but unheard.
 */
TEST(half_open_entry_holds_its_4tuple)
{
	const uint32_t peer_addr = htonl(FLOOD_NET | 5);
	const uint16_t peer_port = 4000;
	struct sockaddr_in addr = ipv4(SERVER, PORT);
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_port = htons(peer_port),
				    .sin_addr.s_addr = peer_addr };
	char exe[512], cmd[768], line[256] = "";
	char event[16], state[16], local[64], remote[64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct forged pkt;
	FILE *events;
	int lfd, fd, raw, tries;

	ASSERT_LT(0, n);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	ASSERT_EQ(0, enter_fresh_netns());
	ASSERT_EQ(0, run("ip addr add " SERVER "/32 dev lo && "
			 "ip link add d0 type veth peer name d1 && "
			 "ip link set d0 up && ip route add 10.99.128.0/17 dev d0"));
	lfd = atcp_socket();
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, set_int(lfd, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&addr, sizeof(addr)));
	/* Bound before lfd listens: a listening port takes no other bind. */
	fd = socket(atcp_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, listen(lfd, BACKLOG));
	snprintf(cmd, sizeof(cmd), "%s/../bin/atcpstat -E -n --sport %d -c 1",
		 exe, PORT);
	events = popen(cmd, "r");
	ASSERT_NE(NULL, events);
	/* Its heading: it has joined the group. */
	ASSERT_NE(NULL, fgets(line, sizeof(line), events));
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	ASSERT_LE(0, raw);
	forge(&pkt, peer_addr, peer_port, 1000, TH_SYN);
	ASSERT_TRUE(send_forged(raw, &pkt));
	for (tries = 0; tries < 50; tries++) {
		if (atcpstat("-n --state syn-recv", "atcp", false) == 1)
			break;
		usleep(100000);
	}
	ASSERT_EQ(1, atcpstat("-n --state syn-recv", "atcp", false));

	EXPECT_EQ(-1, connect_to(fd, &peer));
	EXPECT_EQ(EADDRINUSE, errno);
	peer.sin_port = htons(peer_port + 1);
	EXPECT_EQ(-1, connect_to(fd, &peer));
	EXPECT_EQ(EINPROGRESS, errno);
	close(fd);

	forge(&pkt, peer_addr, peer_port, 1001, TH_RST);
	ASSERT_TRUE(send_forged(raw, &pkt));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = fileno(events), .events = POLLIN },
			  1, 5000)) TH_LOG("no event within 5 s");
	ASSERT_NE(NULL, fgets(line, sizeof(line), events));
	ASSERT_EQ(4, sscanf(line, "%15s %15s %63s %63s", event, state, local,
			    remote)) TH_LOG("event line: %s", line);
	EXPECT_STREQ("reset", event);
	EXPECT_STREQ("CLOSED", state);
	EXPECT_STREQ(SERVER ":8099", local);
	EXPECT_STREQ("10.99.128.5:4000", remote);
	EXPECT_EQ(0, pclose(events));
	EXPECT_EQ(0, atcpstat("-n --state syn-recv", "atcp", false));
	close(raw);
	close(lfd);
}

TEST_HARNESS_MAIN
