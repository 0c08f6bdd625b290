// SPDX-License-Identifier: GPL-2.0
/*
 * What atcp puts on the wire, read from loopback with an AF_PACKET socket:
 * the options of its SYNs and SYN-ACKs under net.atcp.rfc1323, TCP_NOOPT,
 * TCP_MAXSEG, net.atcp.mssdflt, Nagle, TCP_NODELAY and TCP_NOPUSH, and the
 * checksum of every segment it sends.
 *
 * Where the peer must misbehave or hold its ACKs, the test plays it with a
 * raw IPv4 socket from PEER_ADDR, an address routed out of lo that no host
 * owns: atcp's replies to it leave through lo, where the capture sees them,
 * and are dropped on the way back in, so no TCP of Linux ever answers them.
 */
#include <poll.h>
#include <stddef.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

#define PEER_NET "198.51.100.0"	/* TEST-NET-2 (RFC 5737) */
#define PEER_ADDR "198.51.100.1"
#define LO_MSS 65495		/* loopback's MTU less 40 bytes of headers */
#define TS_LEN 12		/* the timestamps option with its two NOPs */
#define MAX_SEGS 4096
#define QUIET_MS 100
#define WAIT_MS 2000

/* A TCP segment seen on lo, its options decoded. */
struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	int hlen, len;		/* header with options, and payload */
	int mss, wscale;	/* -1 when absent */
	bool sack_ok, sack, ts, bad_opt;
	uint32_t tsval, tsecr;
	bool csum_ok;
};

struct trace {
	int n;
	struct seg s[MAX_SEGS];
};

static struct trace trace;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *seg_str(const struct seg *s)
{
	static char buf[192];

	snprintf(buf, sizeof(buf),
		 "%u>%u [%s%s%s%s%s] seq %u ack %u win %u len %d hlen %d mss %d ws %d%s%s%s%s",
		 s->sport, s->dport, s->flags & TH_SYN ? "S" : "",
		 s->flags & TH_FIN ? "F" : "", s->flags & TH_RST ? "R" : "",
		 s->flags & TH_PUSH ? "P" : "", s->flags & TH_ACK ? "." : "",
		 s->seq, s->ack, s->win, s->len, s->hlen, s->mss, s->wscale,
		 s->sack_ok ? " sackOK" : "", s->sack ? " sack" : "",
		 s->ts ? " TS" : "", s->csum_ok ? "" : " BAD-CSUM");
	return buf;
}

/* --- checksums (RFC 1071) --- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The TCP pseudo header's sum (RFC 9293 3.1) for the IPv4 header at iph. */
static uint32_t pseudo_sum(const uint8_t *iph, size_t tcp_len)
{
	return csum_add(0, iph + 12, 8) + IPPROTO_TCP + tcp_len;
}

/*
 * Whether the captured segment's checksum verifies.  atcp leaves the sum to
 * the device (CHECKSUM_PARTIAL) and lo, which offers to compute it, never
 * does: the field holds only the pseudo header's sum, and receivers on lo
 * trust the skb's state instead of the field, so a wrong seed would pass
 * every loopback test yet fail on a real NIC.  The virtio header of
 * PACKET_VNET_HDR says whether the sum is still to be done and where.  For
 * such a segment this checks that the sum starts at the TCP header and
 * lands in its checksum field, does what the device would (the complement
 * of the sum from csum_start to the end, stored at csum_offset) and then
 * verifies the result as a receiver would, which holds only if atcp seeded
 * the field with the pseudo header of the right addresses and length.  A
 * segment with its sum complete is verified as it stands.
 */
static bool tcp_csum_ok(const struct virtio_net_hdr *vh, uint8_t *frame,
			uint8_t *iph, uint8_t *th, size_t tcp_len)
{
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t sum;

		if (vh->csum_start != th - frame ||
		    vh->csum_offset != (int)offsetof(struct tcphdr, check))
			return false;
		sum = ~csum_fold(csum_add(0, th, tcp_len));
		th[16] = sum >> 8;
		th[17] = sum;
	}
	return csum_fold(csum_add(pseudo_sum(iph, tcp_len), th, tcp_len)) == 0xffff;
}

/* --- capture --- */

static void parse_options(const uint8_t *th, struct seg *s)
{
	int i = sizeof(struct tcphdr), len;

	while (i < s->hlen && th[i] != TCPOPT_EOL) {
		if (th[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		len = i + 1 < s->hlen ? th[i + 1] : 0;
		if (len < 2 || i + len > s->hlen) {
			s->bad_opt = true;
			return;
		}
		switch (th[i]) {
		case TCPOPT_MAXSEG:
			s->bad_opt |= len != TCPOLEN_MAXSEG;
			s->mss = th[i + 2] << 8 | th[i + 3];
			break;
		case TCPOPT_WINDOW:
			s->bad_opt |= len != TCPOLEN_WINDOW;
			s->wscale = th[i + 2];
			break;
		case TCPOPT_SACK_PERMITTED:
			s->bad_opt |= len != TCPOLEN_SACK_PERMITTED;
			s->sack_ok = true;
			break;
		case TCPOPT_SACK:
			s->bad_opt |= (len - 2) % 8 != 0;
			s->sack = true;
			break;
		case TCPOPT_TIMESTAMP:
			s->bad_opt |= len != TCPOLEN_TIMESTAMP;
			s->ts = true;
			s->tsval = ntohl(*(uint32_t *)(th + i + 2));
			s->tsecr = ntohl(*(uint32_t *)(th + i + 6));
			break;
		default:
			s->bad_opt = true; /* atcp sends no other kind */
		}
		i += len;
	}
}

/* Decodes the Ethernet frame of lo; false when it holds no whole TCP segment. */
static bool parse(const struct virtio_net_hdr *vh, uint8_t *frame, size_t len,
		  struct seg *s)
{
	uint8_t *iph = frame + ETH_HLEN, *th;
	size_t ihl, tot;

	if (len < ETH_HLEN + 20 || (iph[0] >> 4) != 4 || iph[9] != IPPROTO_TCP)
		return false;
	ihl = (iph[0] & 0xf) * 4;
	tot = iph[2] << 8 | iph[3];
	if (tot > len - ETH_HLEN || tot < ihl + sizeof(struct tcphdr))
		return false;
	th = iph + ihl;
	memset(s, 0, sizeof(*s));
	s->sport = th[0] << 8 | th[1];
	s->dport = th[2] << 8 | th[3];
	s->seq = ntohl(*(uint32_t *)(th + 4));
	s->ack = ntohl(*(uint32_t *)(th + 8));
	s->hlen = (th[12] >> 4) * 4;
	s->flags = th[13];
	s->win = th[14] << 8 | th[15];
	s->mss = -1;
	s->wscale = -1;
	if (s->hlen < (int)sizeof(struct tcphdr) || s->hlen > (int)(tot - ihl))
		return false;
	s->len = tot - ihl - s->hlen;
	parse_options(th, s);
	s->csum_ok = tcp_csum_ok(vh, frame, iph, th, tot - ihl);
	return true;
}

/*
 * An AF_PACKET socket on lo that keeps the outgoing copy of each TCP segment
 * to or from port: every packet on lo is sent there and then received, and
 * the sent copy still carries the sender's checksum state.
 */
static int cap_open(struct __test_metadata *_metadata, uint16_t port)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 10),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN + 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 6),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, ETH_HLEN),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, ETH_HLEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 2, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, ETH_HLEN + 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0x40000),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(code), .filter = code };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = if_nametoindex("lo"),
	};
	int fd, one = 1, rcvbuf = 32 << 20;

	/* Protocol 0 receives nothing until the filter is in place and bound. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd) TH_LOG("AF_PACKET socket: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)));
	ASSERT_EQ(0, setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_NE(0, sll.sll_ifindex);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		TH_LOG("bind to lo: %s", strerror(errno));
	return fd;
}

/*
 * A GSO packet on lo (atcp's and Linux's TCP build them where the device
 * takes TCP segmentation offload) stands for the segments a device or
 * tcp_gso_segment() would cut from it: gso_size bytes each, the header's
 * sequence number advanced, PSH and FIN only on the last, CWR only on the
 * first.  The checksum was checked over the whole: its seed covers it.
 */
static struct {
	struct seg whole;
	int fd, gso_size, done;
} cut;

static void cut_next(struct seg *s)
{
	int len = cut.whole.len - cut.done;

	*s = cut.whole;
	s->seq += cut.done;
	s->len = len < cut.gso_size ? len : cut.gso_size;
	if (cut.done)
		s->flags &= ~0x80; /* CWR */
	cut.done += s->len;
	if (cut.done < cut.whole.len)
		s->flags &= ~(TH_PUSH | TH_FIN);
}

/* The next captured segment within timeout_ms: 1, 0 on timeout, -1 on error. */
static int cap_next(int fd, struct seg *s, int timeout_ms)
{
	static uint8_t buf[sizeof(struct virtio_net_hdr) + 0x40000];
	long deadline = now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (cut.fd == fd && cut.done < cut.whole.len) {
		cut_next(s);
		return 1;
	}
	for (;;) {
		struct virtio_net_hdr vh;
		long left = deadline - now_ms();
		ssize_t n;

		if (poll(&pfd, 1, left > 0 ? left : 0) == 0)
			return 0;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		/* EINVAL: a GSO type the virtio header cannot describe (not atcp's) */
		if (n < 0 && (errno == EAGAIN || errno == EINVAL || errno == EINTR))
			continue;
		if (n < 0)
			return -1;
		if ((size_t)n > sizeof(buf) || (size_t)n < sizeof(vh))
			continue;
		memcpy(&vh, buf, sizeof(vh));
		if (!parse(&vh, buf + sizeof(vh), n - sizeof(vh), s))
			continue;
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE && vh.gso_size &&
		    s->len > vh.gso_size) {
			cut.whole = *s;
			cut.fd = fd;
			cut.gso_size = vh.gso_size;
			cut.done = 0;
			cut_next(s);
		}
		return 1;
	}
}

/* Appends what is captured until nothing has come for quiet_ms. */
static void collect(int fd, struct trace *t, int quiet_ms)
{
	while (t->n < MAX_SEGS && cap_next(fd, &t->s[t->n], quiet_ms) == 1)
		t->n++;
}

/* The first segment from port with all of flags and none of not; or NULL. */
static const struct seg *find(const struct trace *t, uint16_t sport,
			      uint8_t flags, uint8_t not)
{
	for (int i = 0; i < t->n; i++)
		if (t->s[i].sport == sport && (t->s[i].flags & flags) == flags &&
		    !(t->s[i].flags & not))
			return &t->s[i];
	return NULL;
}

/*
 * What holds for every segment atcp sends: a good checksum, well-formed
 * options, and MSS, window scale and SACK-permitted only with SYN (RFC 9293
 * 3.2, RFC 7323 2.2, RFC 2018 2).
 */
static void check_sent(struct __test_metadata *_metadata, const struct seg *s)
{
	EXPECT_TRUE(s->csum_ok) TH_LOG("checksum: %s", seg_str(s));
	EXPECT_FALSE(s->bad_opt) TH_LOG("malformed options: %s", seg_str(s));
	if (!(s->flags & TH_SYN)) {
		EXPECT_TRUE(s->mss < 0 && s->wscale < 0 && !s->sack_ok)
			TH_LOG("SYN-only option: %s", seg_str(s));
	}
}

/* check_sent() for every segment from sport; how many there were. */
static int check_all_sent(struct __test_metadata *_metadata,
			  const struct trace *t, uint16_t sport)
{
	int n = 0;

	for (int i = 0; i < t->n; i++) {
		if (t->s[i].sport != sport)
			continue;
		check_sent(_metadata, &t->s[i]);
		n++;
	}
	return n;
}

/* --- sockets --- */

/* A socket of family listening on 127.0.0.1:0, with option opt set first. */
static int listener(struct __test_metadata *_metadata, int family, int opt,
		    struct sockaddr_in *addr)
{
	int fd = socket(family, SOCK_STREAM, 0);

	ASSERT_LE(0, fd) TH_LOG("socket(%d): %s", family, strerror(errno));
	if (opt)
		ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, opt, 1));
	ASSERT_EQ(0, loopback_listen(fd, addr, 8)) TH_LOG("%s", strerror(errno));
	return fd;
}

/* The next connection on lfd, failing instead of blocking past WAIT_MS. */
static int accept_one(struct __test_metadata *_metadata, int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int fd;

	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS)) TH_LOG("no connection to accept");
	fd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	set_rcvtimeo(fd, WAIT_MS);
	return fd;
}

/* A socket of family connected to addr, with option opt set to val first. */
static int connect_with(struct __test_metadata *_metadata, int family, int opt,
			int val, const struct sockaddr_in *addr)
{
	int fd = socket(family, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	if (opt)
		ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, opt, val));
	set_rcvtimeo(fd, WAIT_MS);
	ASSERT_EQ(0, connect_to(fd, addr)) TH_LOG("connect: %s", strerror(errno));
	return fd;
}

/* Moves len bytes from one socket to the other, whose buffers hold them all. */
static void move(struct __test_metadata *_metadata, int from, int to, size_t len)
{
	static uint8_t buf[1 << 18];

	ASSERT_GE(sizeof(buf), len);
	for (size_t i = 0; i < len; i++)
		buf[i] = i * 7;
	ASSERT_EQ((ssize_t)len, send(from, buf, len, MSG_NOSIGNAL));
	ASSERT_EQ((ssize_t)len, recv(to, buf, len, MSG_WAITALL));
}

/* --- sysctls --- */

enum { RFC1323, MSSDFLT, REXMIT_MIN, LINUX_TS, LINUX_SACK, LINUX_WS, NKNOBS };

static const char *const knob_names[NKNOBS] = {
	"atcp/rfc1323", "atcp/mssdflt", "atcp/rexmit_min",
	"ipv4/tcp_timestamps", "ipv4/tcp_sack", "ipv4/tcp_window_scaling",
};

struct knobs {
	char val[NKNOBS][32];
};

static int knob_write(int k, const char *val)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/sys/net/%s", knob_names[k]);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static int knob_set(int k, int val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", val);
	return knob_write(k, buf);
}

static int knobs_save(struct knobs *saved)
{
	for (int k = 0; k < NKNOBS; k++) {
		char path[64];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/sys/net/%s", knob_names[k]);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		n = read(fd, saved->val[k], sizeof(saved->val[k]) - 1);
		close(fd);
		if (n <= 0)
			return -1;
		saved->val[k][n] = '\0';
	}
	return 0;
}

static void knobs_restore(struct __test_metadata *_metadata,
			  const struct knobs *saved)
{
	for (int k = 0; k < NKNOBS; k++)
		if (knob_write(k, saved->val[k]))
			TH_LOG("could not restore net.%s", knob_names[k]);
}

/* --- SYN options: atcp's offer and its answer to Linux's --- */

FIXTURE(offer)
{
	struct knobs saved;
};

FIXTURE_VARIANT(offer)
{
	int rfc1323;			/* net.atcp.rfc1323 */
	int linux_ts, linux_sack, linux_ws;	/* net.ipv4.tcp_* */
};

FIXTURE_VARIANT_ADD(offer, defaults) { 1, 1, 1, 1 };
FIXTURE_VARIANT_ADD(offer, rfc1323_off) { 0, 1, 1, 1 };
FIXTURE_VARIANT_ADD(offer, linux_without_ts_and_sack) { 1, 0, 0, 1 };
FIXTURE_VARIANT_ADD(offer, linux_without_ws) { 1, 1, 1, 0 };
FIXTURE_VARIANT_ADD(offer, linux_mss_only) { 1, 0, 0, 0 };

/* A failed setup skips the teardown, so it restores what it changed itself. */
FIXTURE_SETUP(offer)
{
	bool set;

	ASSERT_EQ(0, knobs_save(&self->saved));
	set = !knob_set(RFC1323, variant->rfc1323) &&
	      !knob_set(LINUX_TS, variant->linux_ts) &&
	      !knob_set(LINUX_SACK, variant->linux_sack) &&
	      !knob_set(LINUX_WS, variant->linux_ws);
	if (!set)
		knobs_restore(_metadata, &self->saved);
	ASSERT_TRUE(set) TH_LOG("could not set the variant's sysctls");
}

FIXTURE_TEARDOWN(offer)
{
	knobs_restore(_metadata, &self->saved);
}

/*
 * RFC 7323 3.2: once both SYNs carried timestamps, every segment but a RST
 * carries them; otherwise none does.
 */
static void check_timestamps(struct __test_metadata *_metadata,
			     const struct trace *t, uint16_t sport, bool agreed)
{
	for (int i = 0; i < t->n; i++) {
		const struct seg *s = &t->s[i];

		if (s->sport != sport || (s->flags & (TH_SYN | TH_RST)))
			continue;
		EXPECT_EQ(agreed, s->ts) TH_LOG("%s", seg_str(s));
	}
}

/*
 * tcp(4): rfc1323 governs window scaling and timestamps in the SYN, and with
 * 0 neither is sent; MSS and SACK-permitted go regardless.
 */
TEST_F(offer, atcp_syn_to_linux)
{
	bool ts = variant->rfc1323 && variant->linux_ts;
	struct sockaddr_in addr;
	const struct seg *syn;
	uint16_t port, cport;
	int lfd, cap, c, s;

	lfd = listener(_metadata, AF_INET, 0, &addr);
	port = ntohs(addr.sin_port);
	cap = cap_open(_metadata, port);
	c = connect_with(_metadata, atcp_family(), 0, 0, &addr);
	cport = local_port(c);
	s = accept_one(_metadata, lfd);
	move(_metadata, c, s, 1000);
	move(_metadata, s, c, 1000);
	close(c);
	close(s);
	close(lfd);
	collect(cap, &trace, QUIET_MS);

	syn = find(&trace, cport, TH_SYN, TH_ACK);
	ASSERT_NE(NULL, syn) TH_LOG("no SYN from atcp in %d segments", trace.n);
	TH_LOG("SYN %s", seg_str(syn));
	EXPECT_EQ(LO_MSS, syn->mss);
	EXPECT_TRUE(syn->sack_ok);
	EXPECT_EQ(variant->rfc1323, syn->ts);
	EXPECT_EQ(variant->rfc1323, syn->wscale >= 0);
	/* RFC 7323 2.3: no shift above 14. */
	EXPECT_GE(14, syn->wscale);
	/* RFC 7323 3.2: TSecr is zero while the ACK bit is off. */
	if (syn->ts)
		EXPECT_EQ(0u, syn->tsecr);
	ASSERT_LT(0, check_all_sent(_metadata, &trace, cport));
	check_timestamps(_metadata, &trace, cport, ts);
}

/*
 * RFC 7323 2.2 and 3.2, RFC 2018 2: a SYN-ACK offers window scaling,
 * timestamps and SACK only where the SYN did, and with rfc1323 0 atcp
 * offers neither of the first two whatever Linux does.
 */
TEST_F(offer, atcp_syn_ack_to_linux)
{
	bool ts = variant->rfc1323 && variant->linux_ts;
	bool ws = variant->rfc1323 && variant->linux_ws;
	const struct seg *syn, *synack;
	struct sockaddr_in addr;
	uint16_t port, cport;
	int lfd, cap, c, s;

	lfd = listener(_metadata, atcp_family(), 0, &addr);
	port = ntohs(addr.sin_port);
	cap = cap_open(_metadata, port);
	c = connect_with(_metadata, AF_INET, 0, 0, &addr);
	cport = local_port(c);
	s = accept_one(_metadata, lfd);
	move(_metadata, c, s, 1000);
	move(_metadata, s, c, 1000);
	close(c);
	close(s);
	close(lfd);
	collect(cap, &trace, QUIET_MS);

	syn = find(&trace, cport, TH_SYN, TH_ACK);
	ASSERT_NE(NULL, syn) TH_LOG("no SYN from Linux in %d segments", trace.n);
	/* What Linux offered is the setup, not the test. */
	ASSERT_EQ(variant->linux_ts, syn->ts) TH_LOG("Linux's SYN %s", seg_str(syn));
	ASSERT_EQ(variant->linux_sack, syn->sack_ok);
	ASSERT_EQ(variant->linux_ws, syn->wscale >= 0);

	synack = find(&trace, port, TH_SYN | TH_ACK, 0);
	ASSERT_NE(NULL, synack) TH_LOG("no SYN-ACK from atcp in %d segments", trace.n);
	TH_LOG("SYN-ACK %s", seg_str(synack));
	EXPECT_EQ(LO_MSS, synack->mss);
	EXPECT_EQ(variant->linux_sack, synack->sack_ok);
	EXPECT_EQ(ws, synack->wscale >= 0);
	EXPECT_GE(14, synack->wscale);
	EXPECT_EQ(ts, synack->ts);
	/* RFC 7323 3.2: the SYN-ACK echoes the SYN's TSval. */
	if (synack->ts && syn->ts)
		EXPECT_EQ(syn->tsval, synack->tsecr);
	ASSERT_LT(0, check_all_sent(_metadata, &trace, port));
	check_timestamps(_metadata, &trace, port, ts);
}

/* --- TCP_NOOPT, TCP_MAXSEG and checksums against Linux and atcp --- */

/* Every segment from sport has a bare 20-byte header. */
static void check_no_options(struct __test_metadata *_metadata,
			     const struct trace *t, uint16_t sport)
{
	for (int i = 0; i < t->n; i++) {
		if (t->s[i].sport == sport)
			EXPECT_EQ(20, t->s[i].hlen) TH_LOG("%s", seg_str(&t->s[i]));
	}
}

/*
 * A TCP_NOOPT socket's whole life on the wire: its SYN or SYN-ACK, data, pure
 * ACKs and FIN, every one with a bare header.  Counts of segments would
 * depend on how Linux batches its 536-byte segments into GSO packets.
 */
static void check_noopt_life(struct __test_metadata *_metadata,
			     const struct trace *t, uint16_t sport)
{
	int data = 0, acks = 0;

	for (int i = 0; i < t->n; i++) {
		const struct seg *s = &t->s[i];

		if (s->sport != sport || s->flags & (TH_SYN | TH_FIN | TH_RST))
			continue;
		if (s->len)
			data++;
		else
			acks++;
	}
	EXPECT_LT(0, data);
	EXPECT_LT(0, acks);
	EXPECT_NE(NULL, find(t, sport, TH_FIN, 0));
	EXPECT_LT(0, check_all_sent(_metadata, t, sport));
	check_no_options(_metadata, t, sport);
}

/* tcp(4): TCP_NOOPT sends no options at all, not even MSS. */
TEST(noopt_connect_sends_no_options)
{
	struct sockaddr_in addr;
	int lfd = listener(_metadata, AF_INET, 0, &addr);
	uint16_t cport;
	int cap, c, s;

	cap = cap_open(_metadata, ntohs(addr.sin_port));
	c = connect_with(_metadata, atcp_family(), ATCP_TCP_NOOPT, 1, &addr);
	cport = local_port(c);
	s = accept_one(_metadata, lfd);
	/* Linux sends 536-byte segments to a peer that named no MSS: many ACKs. */
	move(_metadata, c, s, 100000);
	move(_metadata, s, c, 100000);
	close(c);
	close(s);
	close(lfd);
	collect(cap, &trace, QUIET_MS);

	ASSERT_NE(NULL, find(&trace, cport, TH_SYN, TH_ACK));
	check_noopt_life(_metadata, &trace, cport);
}

TEST(noopt_listener_sends_no_options)
{
	struct sockaddr_in addr;
	int lfd = listener(_metadata, atcp_family(), ATCP_TCP_NOOPT, &addr);
	uint16_t port = ntohs(addr.sin_port);
	int cap, c, s;

	cap = cap_open(_metadata, port);
	c = connect_with(_metadata, AF_INET, 0, 0, &addr);
	s = accept_one(_metadata, lfd);
	move(_metadata, s, c, 100000);
	move(_metadata, c, s, 100000);
	close(s);
	close(c);
	close(lfd);
	collect(cap, &trace, QUIET_MS);

	ASSERT_NE(NULL, find(&trace, port, TH_SYN | TH_ACK, 0));
	check_noopt_life(_metadata, &trace, port);
}

/*
 * tcp(4): TCP_MAXSEG lowers the MSS offered and used.  RFC 9293 3.7.1: the
 * option bytes of each segment come out of it, so with timestamps (RFC 7323
 * 3) a segment carries at most 1000 - 12 bytes, and a bulk send fills that.
 */
TEST(maxseg_is_offered_and_obeyed)
{
	struct sockaddr_in addr;
	int lfd = listener(_metadata, AF_INET, 0, &addr);
	int largest = 0;
	const struct seg *syn;
	uint16_t cport;
	int cap, c, s;

	cap = cap_open(_metadata, ntohs(addr.sin_port));
	c = connect_with(_metadata, atcp_family(), TCP_MAXSEG, 1000, &addr);
	cport = local_port(c);
	s = accept_one(_metadata, lfd);
	move(_metadata, c, s, 100000);
	close(c);
	close(s);
	close(lfd);
	collect(cap, &trace, QUIET_MS);

	syn = find(&trace, cport, TH_SYN, TH_ACK);
	ASSERT_NE(NULL, syn);
	EXPECT_EQ(1000, syn->mss) TH_LOG("%s", seg_str(syn));
	ASSERT_TRUE(syn->ts);
	ASSERT_LT(0, check_all_sent(_metadata, &trace, cport));
	check_timestamps(_metadata, &trace, cport, true);
	for (int i = 0; i < trace.n; i++) {
		const struct seg *seg = &trace.s[i];

		if (seg->sport != cport)
			continue;
		EXPECT_GE(1000 - TS_LEN, seg->len) TH_LOG("%s", seg_str(seg));
		if (seg->len > largest)
			largest = seg->len;
	}
	EXPECT_EQ(1000 - TS_LEN, largest);
}

/*
 * Segments of every kind from atcp verify: SYN, SYN-ACK, data of odd and
 * even lengths up to loopback's MSS, pure ACKs, FIN and the RST of a close
 * with unread data (RFC 9293 3.10.4), between atcp and both kinds of peer.
 * Linux's segments, checked the same way, are the control: that they verify
 * shows a failure to be atcp's and not the checker's.
 */
TEST(checksums_verify)
{
	static const size_t lens[] = { 1, 2, 3, 1001, 65536, 200001 };
	static const int peers[][2] = { { 0, 0 }, { 0, AF_INET }, { AF_INET, 0 } };

	for (size_t p = 0; p < ARRAY_SIZE(peers); p++) {
		int cfam = peers[p][0] ? peers[p][0] : atcp_family();
		int sfam = peers[p][1] ? peers[p][1] : atcp_family();
		struct sockaddr_in addr;
		int lfd = listener(_metadata, sfam, 0, &addr);
		uint16_t port = ntohs(addr.sin_port), cport;
		int cap, c, s, n = 0;
		char byte;

		trace.n = 0;
		cap = cap_open(_metadata, port);
		c = connect_with(_metadata, cfam, 0, 0, &addr);
		cport = local_port(c);
		s = accept_one(_metadata, lfd);
		for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
			move(_metadata, c, s, lens[i]);
			move(_metadata, s, c, lens[i]);
		}
		/* The unread byte makes the atcp side, or Linux, reset. */
		ASSERT_EQ(1, send(c, "x", 1, 0));
		ASSERT_EQ(1, recv(s, &byte, 1, 0));
		ASSERT_EQ(2, send(s, "yz", 2, 0));
		ASSERT_EQ(1, recv(c, &byte, 1, 0));
		close(c);
		close(s);
		close(lfd);
		collect(cap, &trace, QUIET_MS);
		close(cap);

		for (int i = 0; i < trace.n; i++) {
			const struct seg *seg = &trace.s[i];

			if ((seg->sport == cport ? cfam : sfam) == atcp_family()) {
				check_sent(_metadata, seg);
				n++;
			} else {
				EXPECT_TRUE(seg->csum_ok) TH_LOG("Linux's: %s", seg_str(seg));
			}
		}
		EXPECT_LT(10, n) TH_LOG("pair %zu", p);
		if (cfam == atcp_family()) {
			EXPECT_NE(NULL, find(&trace, cport, TH_RST, 0))
				TH_LOG("pair %zu: no RST from the atcp client", p);
		}
	}
}

/* --- a hand-made peer --- */

/* The peer's side of a connection it plays from PEER_ADDR with a raw socket. */
struct peer {
	int raw, cap;
	struct sockaddr_in atcp;	/* the atcp listener's address */
	uint16_t port;			/* the peer's */
	uint16_t atcp_port;
	uint32_t snd_nxt, rcv_nxt;
};

FIXTURE(crafted)
{
	struct knobs saved;
	struct peer p;
	bool route;
};

static struct rtentry peer_route(void)
{
	/* The kernel only reads rt_dev. */
	struct rtentry rt = { .rt_flags = RTF_UP, .rt_dev = (char *)"lo" };
	struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst;
	struct sockaddr_in *mask = (struct sockaddr_in *)&rt.rt_genmask;

	dst->sin_family = AF_INET;
	inet_pton(AF_INET, PEER_NET, &dst->sin_addr);
	mask->sin_family = AF_INET;
	mask->sin_addr.s_addr = htonl(0xffffff00);
	return rt;
}

/* The route is the last thing set up: a failed setup skips the teardown. */
FIXTURE_SETUP(crafted)
{
	struct rtentry rt = peer_route();
	int fd;

	ASSERT_EQ(0, knobs_save(&self->saved));
	/* IPPROTO_RAW: send only, the IPv4 header ours (IP_HDRINCL). */
	self->p.raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	ASSERT_LE(0, self->p.raw) TH_LOG("raw socket: %s", strerror(errno));
	/*
	 * PEER_NET through lo: atcp's segments to the peer leave through lo
	 * and, their route having no input side, are dropped on arrival.
	 */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	self->route = !ioctl(fd, SIOCADDRT, &rt);
	ASSERT_TRUE(self->route || errno == EEXIST) TH_LOG("SIOCADDRT: %s", strerror(errno));
	close(fd);
}

FIXTURE_TEARDOWN(crafted)
{
	struct rtentry rt = peer_route();
	int fd;

	knobs_restore(_metadata, &self->saved);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (self->route && (fd < 0 || ioctl(fd, SIOCDELRT, &rt)))
		TH_LOG("could not remove the route to %s", PEER_NET);
	if (fd >= 0)
		close(fd);
}

/* Sends a segment without data from the peer, at its next sequence number. */
static void peer_send(struct __test_metadata *_metadata, struct peer *p,
		      uint8_t flags, const uint8_t *opt, size_t optlen)
{
	uint8_t pkt[20 + 60] = { 0 };
	uint8_t *th = pkt + 20;
	size_t hlen = 20 + optlen;
	uint16_t sum;

	ASSERT_TRUE(optlen % 4 == 0 && optlen <= 40);
	/* IPv4 header; the kernel fills in the length, id and checksum. */
	pkt[0] = 0x45;
	pkt[6] = 0x40;	/* DF */
	pkt[8] = 64;
	pkt[9] = IPPROTO_TCP;
	inet_pton(AF_INET, PEER_ADDR, pkt + 12);
	memcpy(pkt + 16, &p->atcp.sin_addr, 4);
	th[0] = p->port >> 8;
	th[1] = p->port;
	memcpy(th + 2, &p->atcp.sin_port, 2);
	*(uint32_t *)(th + 4) = htonl(p->snd_nxt);
	*(uint32_t *)(th + 8) = htonl(flags & TH_ACK ? p->rcv_nxt : 0);
	th[12] = hlen / 4 << 4;
	th[13] = flags;
	th[14] = 0xff;	/* window 65535, unscaled */
	th[15] = 0xff;
	if (optlen)
		memcpy(th + 20, opt, optlen);
	sum = ~csum_fold(csum_add(pseudo_sum(pkt, hlen), th, hlen));
	th[16] = sum >> 8;
	th[17] = sum;
	ASSERT_EQ((ssize_t)(20 + hlen), sendto(p->raw, pkt, 20 + hlen, 0,
					       (struct sockaddr *)&p->atcp, sizeof(p->atcp)))
		TH_LOG("raw send: %s", strerror(errno));
	p->snd_nxt += !!(flags & (TH_SYN | TH_FIN));
}

/*
 * The next segment atcp sends the peer within timeout_ms, checked as every
 * one of atcp's is; false if none comes.
 */
static bool peer_expect(struct __test_metadata *_metadata, struct peer *p,
			struct seg *s, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		long left = deadline - now_ms();

		if (cap_next(p->cap, s, left > 0 ? left : 0) != 1)
			return false;
		if (s->sport == p->atcp_port) {
			check_sent(_metadata, s);
			return true;
		}
	}
}

/* A listener on 127.0.0.1 and the capture of its port, for the peer. */
static int peer_listen(struct __test_metadata *_metadata, struct peer *p)
{
	int lfd;

	/*
	 * A retransmission timeout of at least a second (RFC 6298 2.4 allows
	 * it) keeps retransmissions out of the QUIET_MS windows in which the
	 * peer holds its ACKs.
	 */
	ASSERT_EQ(0, knob_set(REXMIT_MIN, 1000));
	lfd = listener(_metadata, atcp_family(), 0, &p->atcp);
	p->atcp_port = ntohs(p->atcp.sin_port);
	p->port = 40000 + getpid() % 20000;
	p->cap = cap_open(_metadata, p->atcp_port);
	return lfd;
}

/*
 * The three-way handshake with the peer's SYN carrying opt; the SYN-ACK in
 * synack and the accepted atcp socket returned.
 */
static int peer_connect(struct __test_metadata *_metadata, struct peer *p,
			int lfd, const uint8_t *opt, size_t optlen,
			struct seg *synack)
{
	p->snd_nxt = 0x10000000;
	peer_send(_metadata, p, TH_SYN, opt, optlen);
	ASSERT_TRUE(peer_expect(_metadata, p, synack, WAIT_MS)) TH_LOG("no SYN-ACK");
	ASSERT_EQ(TH_SYN | TH_ACK, synack->flags) TH_LOG("%s", seg_str(synack));
	ASSERT_EQ(p->snd_nxt, synack->ack);
	p->rcv_nxt = synack->seq + 1;
	peer_send(_metadata, p, TH_ACK, NULL, 0);
	return accept_one(_metadata, lfd);
}

/*
 * Acknowledges what atcp sends in order until total bytes came; the largest
 * payload it carried.
 */
static int peer_read(struct __test_metadata *_metadata, struct peer *p,
		     uint32_t total)
{
	uint32_t end = p->rcv_nxt + total;
	int largest = 0;
	struct seg s;

	while ((int32_t)(end - p->rcv_nxt) > 0) {
		ASSERT_TRUE(peer_expect(_metadata, p, &s, WAIT_MS))
			TH_LOG("%u bytes short", end - p->rcv_nxt);
		if (!s.len)
			continue;
		if (s.len > largest)
			largest = s.len;
		if (s.seq == p->rcv_nxt)
			p->rcv_nxt += s.len;
		peer_send(_metadata, p, TH_ACK, NULL, 0);
	}
	EXPECT_EQ(end, p->rcv_nxt) TH_LOG("more than %u bytes came", total);
	return largest;
}

/* The peer resets the connection, so that atcp forgets it at once. */
static void peer_reset(struct __test_metadata *_metadata, struct peer *p)
{
	peer_send(_metadata, p, TH_RST, NULL, 0);
}

static const uint8_t zeros[5000];
static const uint8_t mss_1460[] = { TCPOPT_MAXSEG, TCPOLEN_MAXSEG, 1460 >> 8, 1460 & 0xff };

/*
 * tcp(4): mssdflt is the MSS assumed for a peer whose SYN names none
 * (RFC 9293 3.7.1).  Such a SYN offers nothing else either, so the SYN-ACK
 * answers with no window scale, timestamps or SACK-permitted, and no option
 * takes bytes from the segments.
 */
TEST_F(crafted, mssdflt_when_the_peer_sends_no_mss)
{
	struct peer *p = &self->p;
	struct seg synack;
	int lfd, fd;

	ASSERT_EQ(0, knob_set(MSSDFLT, 600));
	lfd = peer_listen(_metadata, p);
	fd = peer_connect(_metadata, p, lfd, NULL, 0, &synack);
	TH_LOG("SYN-ACK %s", seg_str(&synack));
	EXPECT_TRUE(synack.wscale < 0 && !synack.ts && !synack.sack_ok)
		TH_LOG("%s", seg_str(&synack));
	ASSERT_EQ((ssize_t)sizeof(zeros), send(fd, zeros, sizeof(zeros), 0));
	EXPECT_EQ(600, peer_read(_metadata, p, sizeof(zeros)));
	peer_reset(_metadata, p);
	close(fd);
	close(lfd);
}

/* tcp(4): 216 is the least MSS atcp sends with, whatever the peer names. */
TEST_F(crafted, peer_mss_below_216_is_raised)
{
	static const uint8_t mss_100[] = { TCPOPT_MAXSEG, TCPOLEN_MAXSEG, 0, 100 };
	struct peer *p = &self->p;
	struct seg synack;
	int lfd, fd;

	lfd = peer_listen(_metadata, p);
	fd = peer_connect(_metadata, p, lfd, mss_100, sizeof(mss_100), &synack);
	ASSERT_EQ((ssize_t)sizeof(zeros), send(fd, zeros, sizeof(zeros), 0));
	EXPECT_EQ(216, peer_read(_metadata, p, sizeof(zeros)));
	peer_reset(_metadata, p);
	close(fd);
	close(lfd);
}

/*
 * Nagle (RFC 896, RFC 9293 3.7.4): of two small writes back to back the
 * first goes at once on an idle connection and the second waits until the
 * first is acknowledged.  The peer holds its ACK for QUIET_MS to show it.
 */
TEST_F(crafted, nagle_holds_a_small_write_for_the_ack)
{
	struct peer *p = &self->p;
	struct seg s;
	int lfd, fd;

	lfd = peer_listen(_metadata, p);
	fd = peer_connect(_metadata, p, lfd, mss_1460, sizeof(mss_1460), &s);
	ASSERT_EQ(10, send(fd, "0123456789", 10, 0));
	ASSERT_EQ(10, send(fd, "abcdefghij", 10, 0));
	ASSERT_TRUE(peer_expect(_metadata, p, &s, WAIT_MS));
	EXPECT_EQ(p->rcv_nxt, s.seq);
	EXPECT_EQ(10, s.len) TH_LOG("%s", seg_str(&s));
	p->rcv_nxt = s.seq + s.len;
	EXPECT_FALSE(peer_expect(_metadata, p, &s, QUIET_MS))
		TH_LOG("before the ACK: %s", seg_str(&s));
	peer_send(_metadata, p, TH_ACK, NULL, 0);
	ASSERT_TRUE(peer_expect(_metadata, p, &s, WAIT_MS)) TH_LOG("nothing after the ACK");
	EXPECT_EQ(p->rcv_nxt, s.seq);
	EXPECT_EQ(10, s.len) TH_LOG("%s", seg_str(&s));
	peer_reset(_metadata, p);
	close(fd);
	close(lfd);
}

/* tcp(4): TCP_NODELAY sends small segments at once: both before any ACK. */
TEST_F(crafted, nodelay_sends_small_writes_at_once)
{
	struct peer *p = &self->p;
	struct seg s;
	int lfd, fd;

	lfd = peer_listen(_metadata, p);
	fd = peer_connect(_metadata, p, lfd, mss_1460, sizeof(mss_1460), &s);
	ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(10, send(fd, "0123456789", 10, 0));
	ASSERT_EQ(10, send(fd, "abcdefghij", 10, 0));
	for (int i = 0; i < 2; i++) {
		ASSERT_TRUE(peer_expect(_metadata, p, &s, WAIT_MS)) TH_LOG("segment %d", i);
		EXPECT_EQ(p->rcv_nxt, s.seq);
		EXPECT_EQ(10, s.len) TH_LOG("%s", seg_str(&s));
		p->rcv_nxt = s.seq + s.len;
	}
	peer_reset(_metadata, p);
	close(fd);
	close(lfd);
}

/*
 * tcp(4): TCP_NOPUSH holds data until a full segment can go or the socket is
 * closed, even on an idle connection where Nagle would send; clearing the
 * option sends what is held.
 */
TEST_F(crafted, nopush_holds_partial_segments)
{
	struct peer *p = &self->p;
	struct seg s;
	int lfd, fd;

	lfd = peer_listen(_metadata, p);
	fd = peer_connect(_metadata, p, lfd, mss_1460, sizeof(mss_1460), &s);
	ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, ATCP_TCP_NOPUSH, 1));
	ASSERT_EQ(100, send(fd, zeros, 100, 0));
	EXPECT_FALSE(peer_expect(_metadata, p, &s, QUIET_MS))
		TH_LOG("held data went: %s", seg_str(&s));
	ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, ATCP_TCP_NOPUSH, 0));
	EXPECT_EQ(100, peer_read(_metadata, p, 100));

	/* Full segments go; the 80 bytes after them wait, even once all is ACKed. */
	ASSERT_EQ(0, set_int(fd, IPPROTO_TCP, ATCP_TCP_NOPUSH, 1));
	ASSERT_EQ(3000, send(fd, zeros, 3000, 0));
	EXPECT_EQ(1460, peer_read(_metadata, p, 2 * 1460));
	EXPECT_FALSE(peer_expect(_metadata, p, &s, QUIET_MS))
		TH_LOG("held data went: %s", seg_str(&s));

	/* Closing sends them (before the FIN, RFC 9293 3.10.4). */
	close(fd);
	EXPECT_EQ(80, peer_read(_metadata, p, 80));
	peer_reset(_metadata, p);
	close(lfd);
}

/*
 * RFC 9293 3.10.7.2: an ACK to a listener draws <SEQ=SEG.ACK><CTL=RST>,
 * which atcp builds with no socket; its checksum verifies too.
 */
TEST_F(crafted, listener_resets_a_stray_ack)
{
	struct peer *p = &self->p;
	struct seg s;
	int lfd;

	lfd = peer_listen(_metadata, p);
	p->snd_nxt = 1;
	p->rcv_nxt = 0x12345678;
	peer_send(_metadata, p, TH_ACK, NULL, 0);
	ASSERT_TRUE(peer_expect(_metadata, p, &s, WAIT_MS)) TH_LOG("no RST");
	EXPECT_EQ(TH_RST, s.flags) TH_LOG("%s", seg_str(&s));
	EXPECT_EQ(0x12345678u, s.seq);
	EXPECT_EQ(20, s.hlen);
	close(lfd);
}

TEST_HARNESS_MAIN
