// SPDX-License-Identifier: GPL-2.0
/*
 * atcp's memory as a whole, against net.atcp.mem and net.atcp.max_orphans
 * (global, as Linux's tcp_mem and tcp_max_orphans): a hog connection whose
 * reader never reads holds megabytes in its send queue, which takes atcp
 * above the limits the test sets.  Above the pressure value the windows a
 * receiver offers close to four segments; above the maximum, received data
 * is dropped before it is acknowledged and sends wait, and a transfer
 * still arrives whole.  Past max_orphans the oldest orphans are reset.
 */
#include <poll.h>
#include <netinet/tcp.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

#define MEM "/proc/sys/net/atcp/mem"
#define WMEM_MAX "/proc/sys/net/core/wmem_max"
/*
 * The hog's bytes: Linux keeps up to 4 MiB of charges per CPU before they
 * reach the protocol's total (sysctl_mem_pcpu_rsv), so the total shows at
 * least HOG - CPUs * 4 MiB.
 */
#define HOG (24 << 20)
#define MSS 1460

static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, size, f) != NULL;
	fclose(f);
	return ok ? 0 : -1;
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 2654435761u >> 13);
}

FIXTURE(mem)
{
	char mem[128];
	char wmem_max[32];
	int hog_client, hog_server;
	int lfd;
	struct sockaddr_in addr;
};

FIXTURE_SETUP(mem)
{
	char chunk[65536];
	size_t queued = 0;

	self->hog_client = self->hog_server = self->lfd = -1;
	ASSERT_EQ(0, read_text(MEM, self->mem, sizeof(self->mem)));
	ASSERT_EQ(0, read_text(WMEM_MAX, self->wmem_max, sizeof(self->wmem_max)));
	ASSERT_EQ(0, write_sysctl(WMEM_MAX, "67108864"));
	/* No pressure until a test asks for it. */
	ASSERT_EQ(0, write_sysctl(MEM, "100000000 200000000 300000000"));
	ASSERT_EQ(0, atcp_pair(&self->hog_client, &self->hog_server));
	ASSERT_EQ(0, set_int(self->hog_client, SOL_SOCKET, SO_SNDBUF, HOG));
	memset(chunk, 'h', sizeof(chunk));
	while (queued < HOG) {
		ssize_t n = send(self->hog_client, chunk, sizeof(chunk),
				 MSG_DONTWAIT);

		if (n <= 0)
			break;
		queued += n;
	}
	TH_LOG("the hog queued %zu bytes", queued);
	ASSERT_LE((size_t)HOG / 2, queued);
	/* The measured connections: a four-segment window is 4 * MSS. */
	self->lfd = loopback_listener(atcp_family(), &self->addr, 8);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, set_int(self->lfd, IPPROTO_TCP, TCP_MAXSEG, MSS));
}

FIXTURE_TEARDOWN(mem)
{
	close(self->hog_client);
	close(self->hog_server);
	close(self->lfd);
	write_sysctl(MEM, self->mem);
	write_sysctl(WMEM_MAX, self->wmem_max);
}

struct transfer {
	uint64_t sent, received;
	bool intact;
	uint32_t widest; /* the most the receiver offered once past warmup */
	int eagain; /* sends that found no memory */
};

/*
 * Moves total bytes from a new client to the listener's child, reading at
 * most read_step bytes a millisecond, and checks each byte; the receiver's
 * offered window (tcpi_rcv_space on atcp) is sampled after warmup bytes.
 */
static int transfer(struct __test_metadata *_metadata, FIXTURE_DATA(mem) *self,
		    uint64_t total, size_t read_step, uint64_t warmup,
		    struct transfer *t)
{
	int client = socket(atcp_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct timespec start;
	char buf[65536];
	int server;

	memset(t, 0, sizeof(*t));
	t->intact = true;
	if (client < 0 || set_int(client, IPPROTO_TCP, TCP_MAXSEG, MSS))
		return -1;
	if (connect(client, (struct sockaddr *)&self->addr,
		    sizeof(self->addr)) && errno != EINPROGRESS)
		return close_failed(client);
	server = accept4(self->lfd, NULL, NULL, SOCK_NONBLOCK);
	if (server < 0)
		return close_failed(client);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (t->received < total && elapsed_ms(&start) < 60000) {
		struct pollfd p = { .fd = client, .events = POLLOUT };
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		ssize_t n;

		if (t->sent < total) {
			size_t want = sizeof(buf);

			if (want > total - t->sent)
				want = total - t->sent;
			for (size_t i = 0; i < want; i++)
				buf[i] = pattern(t->sent + i);
			n = send(client, buf, want, MSG_DONTWAIT);
			if (n > 0)
				t->sent += n;
			else if (errno == EAGAIN)
				t->eagain++;
			else
				break;
		}
		n = recv(server, buf, read_step, MSG_DONTWAIT);
		for (ssize_t i = 0; i < n; i++)
			t->intact &= (uint8_t)buf[i] == pattern(t->received + i);
		if (n > 0)
			t->received += n;
		if (t->received >= warmup &&
		    !getsockopt(server, IPPROTO_TCP, TCP_INFO, &ti, &len) &&
		    ti.tcpi_rcv_space > t->widest)
			t->widest = ti.tcpi_rcv_space;
		poll(&p, 1, 1);
	}
	close(client);
	close(server);
	return 0;
}

/*
 * Above the pressure value the receiver's window closes to four segments
 * (rounded up to its window scale), as Linux's does, and a 4 MiB transfer
 * arrives whole.  Without pressure, the same transfer opens it far wider.
 */
TEST_F(mem, pressure_closes_windows_to_four_segments)
{
	long pressures = atcpstat("-s", "MemoryPressures", true);
	struct transfer t;
	int pressure = 0;
	long pages, sockets;

	ASSERT_EQ(0, transfer(_metadata, self, 4 << 20, 65536, 1 << 20, &t));
	EXPECT_TRUE(t.intact);
	EXPECT_EQ(4ULL << 20, t.received);
	TH_LOG("no pressure: the widest window %u", t.widest);
	EXPECT_LT(16u * MSS, t.widest);

	ASSERT_EQ(0, write_sysctl(MEM, "64 128 100000000"));
	ASSERT_EQ(0, transfer(_metadata, self, 4 << 20, 65536, 1 << 20, &t));
	ASSERT_EQ(0, atcp_protocol(&sockets, &pages, &pressure));
	TH_LOG("pressure: the widest window %u; atcp holds %ld pages", t.widest,
	       pages);
	EXPECT_LT(128, pages);
	EXPECT_EQ(1, pressure);
	EXPECT_TRUE(t.intact);
	EXPECT_EQ(4ULL << 20, t.received);
	EXPECT_GE(4u * MSS + 127, t.widest);
	EXPECT_LT(0u, t.widest);
	EXPECT_LT(pressures, atcpstat("-s", "MemoryPressures", true));
}

/*
 * Above the maximum, what a slow reader cannot hold is dropped before it
 * is acknowledged (RcvQDrop) and sends wait for memory; the peer sends the
 * data again and every byte arrives, in order.
 */
TEST_F_TIMEOUT(mem, past_the_maximum_drops_lose_no_byte, 90)
{
	long drops = atcpstat("-s", "RcvQDrop", true);
	struct transfer t;
	int ret;

	ASSERT_EQ(0, write_sysctl(MEM, "1 2 3"));
	ret = transfer(_metadata, self, 256 << 10, 1000, 0, &t);
	write_sysctl(MEM, self->mem); /* also if this fails */
	ASSERT_EQ(0, ret);
	TH_LOG("%lu bytes arrived; %d sends found no memory; %ld drops",
	       (unsigned long)t.received, t.eagain,
	       atcpstat("-s", "RcvQDrop", true) - drops);
	EXPECT_TRUE(t.intact);
	EXPECT_EQ(256ULL << 10, t.received);
	EXPECT_LT(drops, atcpstat("-s", "RcvQDrop", true));
}

/*
 * net.atcp.max_orphans: connections their process closed past the limit
 * are reset, the oldest first, and counted in AbortOnMemory.  Here each
 * closes with data its peer, which never reads, has no room for: its FIN
 * waits behind the data (FIN-WAIT-1), an orphan as Linux counts them.  A
 * closed connection whose FIN was acknowledged (FIN-WAIT-2) is none.
 */
TEST(orphans_past_the_limit_reset_the_oldest)
{
	const char *path = "/proc/sys/net/atcp/max_orphans";
	long aborts = atcpstat("-s", "AbortOnMemory", true);
	int client[6], server[6], quiet_client, quiet_server;
	char saved[32], chunk[4096] = { 0 };

	ASSERT_EQ(0, read_text(path, saved, sizeof(saved)));
	ASSERT_EQ(0, write_sysctl(path, "4"));
	for (int i = 0; i < 6; i++) {
		ASSERT_EQ(0, atcp_pair(&client[i], &server[i]));
		ASSERT_EQ(0, set_int(client[i], SOL_SOCKET, SO_SNDBUF, 16384));
		/* Until the peer's window is shut and the send buffer full. */
		set_sndtimeo(client[i], 200);
		while (send(client[i], chunk, sizeof(chunk), 0) > 0)
			;
	}
	/* Not an orphan: closed, its FIN acknowledged. */
	ASSERT_EQ(0, atcp_pair(&quiet_client, &quiet_server));
	close(quiet_client);
	usleep(50000);
	for (int i = 0; i < 6; i++) {
		close(client[i]);
		usleep(20000);
	}
	usleep(200000);
	EXPECT_EQ(aborts + 2, atcpstat("-s", "AbortOnMemory", true));
	for (int i = 0; i < 6; i++) {
		int err = get_int(server[i], SOL_SOCKET, SO_ERROR);

		EXPECT_EQ(i < 2 ? ECONNRESET : 0, err) TH_LOG("connection %d", i);
		close(server[i]);
	}
	EXPECT_EQ(0, get_int(quiet_server, SOL_SOCKET, SO_ERROR));
	close(quiet_server);
	write_sysctl(path, saved);
}

TEST_HARNESS_MAIN
