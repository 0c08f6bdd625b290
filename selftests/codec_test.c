// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's TCP codec, run inside atcp.ko through debugfs atcp/tcp_codec,
 * on real segments: Linux's own SYN and SYN-ACK captured on loopback must
 * parse into the right fields and be written back byte for byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

#define PROBE "/sys/kernel/debug/atcp/tcp_codec"

struct probe_result {
	int write_errno; /* 0 when the write was accepted */
	char text[512];
};

static void probe(const void *seg, size_t len, struct probe_result *r)
{
	int fd = open(PROBE, O_RDWR);
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		snprintf(r->text, sizeof(r->text), "open %s: %s", PROBE, strerror(errno));
		r->write_errno = -1;
		return;
	}
	if (write(fd, seg, len) < 0)
		r->write_errno = errno;
	n = read(fd, r->text, sizeof(r->text) - 1);
	r->text[n > 0 ? n : 0] = '\0';
	close(fd);
}

static void hex(const unsigned char *p, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

struct captured {
	unsigned char tcp[60];
	size_t len;
};

/* The next segment on the raw socket going to dport with exactly these flags. */
static int capture(int raw, unsigned int dport, unsigned int flags, struct captured *c)
{
	unsigned char pkt[70000];

	for (;;) {
		ssize_t n = recv(raw, pkt, sizeof(pkt), 0);
		const struct iphdr *ip = (const void *)pkt;
		const struct tcphdr *th;
		size_t ihl, doff;

		if (n < 0)
			return -1;
		ihl = ip->ihl * 4;
		if ((size_t)n < ihl + sizeof(*th))
			continue;
		th = (const void *)(pkt + ihl);
		doff = th->doff * 4;
		if (ntohs(th->dest) != dport || pkt[ihl + 13] != flags || (size_t)n < ihl + doff)
			continue;
		memcpy(c->tcp, th, doff);
		c->len = doff;
		return 0;
	}
}

FIXTURE(handshake)
{
	struct captured syn, synack;
	uint16_t client_port, server_port;
};

FIXTURE_SETUP(handshake)
{
	struct sockaddr_in addr;
	int listener, client, raw;

	raw = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
	ASSERT_LE(0, raw);
	set_rcvtimeo(raw, 5000);
	listener = loopback_listener(AF_INET, &addr, 1);
	ASSERT_LE(0, listener);
	self->server_port = ntohs(addr.sin_port);

	client = new_connection(AF_INET, &addr);
	ASSERT_LE(0, client);
	self->client_port = local_port(client);

	ASSERT_EQ(0, capture(raw, self->server_port, TH_SYN, &self->syn));
	ASSERT_EQ(0, capture(raw, self->client_port, TH_SYN | TH_ACK, &self->synack));
	close(client);
	close(listener);
	close(raw);
}

FIXTURE_TEARDOWN(handshake)
{
}

TEST_F(handshake, linux_syn_parses_and_rewrites_identically)
{
	unsigned int sport, dport, seq, ack, hlen, flags, win, mss, wscale;
	char wire[121], expected[121];
	struct probe_result r;

	probe(self->syn.tcp, self->syn.len, &r);
	ASSERT_EQ(0, r.write_errno) TH_LOG("%s", r.text);
	ASSERT_EQ(7, sscanf(r.text, "sport %u dport %u seq %u ack %u hlen %u flags 0x%x win %u",
			    &sport, &dport, &seq, &ack, &hlen, &flags, &win))
		TH_LOG("%s", r.text);
	EXPECT_EQ((unsigned int)self->client_port, sport);
	EXPECT_EQ((unsigned int)self->server_port, dport);
	EXPECT_EQ(self->syn.len, hlen);
	EXPECT_EQ((unsigned int)TH_SYN, flags);
	/* Linux's SYN on loopback carries every option the codec knows but SACK. */
	ASSERT_NE(NULL, strstr(r.text, " mss "));
	EXPECT_EQ(1, sscanf(strstr(r.text, " mss "), " mss %u", &mss));
	EXPECT_LT(1000U, mss);
	ASSERT_NE(NULL, strstr(r.text, " wscale "));
	EXPECT_EQ(1, sscanf(strstr(r.text, " wscale "), " wscale %u", &wscale));
	EXPECT_GE(14U, wscale);
	EXPECT_NE(NULL, strstr(r.text, " sackok"));
	EXPECT_NE(NULL, strstr(r.text, " ts "));

	hex(self->syn.tcp, self->syn.len, expected);
	ASSERT_NE(NULL, strstr(r.text, "\nwire "));
	ASSERT_EQ(1, sscanf(strstr(r.text, "\nwire "), "\nwire %120s", wire));
	EXPECT_STREQ(expected, wire);
}

TEST_F(handshake, linux_synack_acknowledges_the_parsed_syn)
{
	unsigned int syn_seq, synack_ack, unused, flags;
	struct probe_result r;

	probe(self->syn.tcp, self->syn.len, &r);
	ASSERT_EQ(0, r.write_errno);
	ASSERT_EQ(3, sscanf(r.text, "sport %u dport %u seq %u", &unused, &unused, &syn_seq));

	probe(self->synack.tcp, self->synack.len, &r);
	ASSERT_EQ(0, r.write_errno) TH_LOG("%s", r.text);
	ASSERT_EQ(6, sscanf(r.text, "sport %u dport %u seq %u ack %u hlen %u flags 0x%x",
			    &unused, &unused, &unused, &synack_ack, &unused, &flags));
	EXPECT_EQ(syn_seq + 1, synack_ack);
	EXPECT_EQ((unsigned int)(TH_SYN | TH_ACK), flags);
}

/* A 20-byte header with data offset doff words, then opts. */
static size_t segment(unsigned char *buf, unsigned int doff, const void *opts, size_t opts_len)
{
	memset(buf, 0, 20);
	buf[12] = doff << 4;
	buf[13] = TH_ACK;
	memcpy(buf + 20, opts, opts_len);
	return 20 + opts_len;
}

TEST(malformed_headers_are_refused_with_einval)
{
	static const struct {
		const char *name;
		unsigned int doff;
		unsigned char opts[8];
		size_t opts_len;
		size_t len_cut; /* bytes to drop from the end */
		const char *verdict;
	} cases[] = {
		{ "short header", 5, { 0 }, 0, 1, "truncated" },
		{ "offset past the end", 7, { 1, 1, 1, 1 }, 4, 0, "truncated" },
		{ "offset below 5", 4, { 0 }, 0, 0, "bad-offset" },
		{ "option length 0", 6, { 2, 0, 1, 1 }, 4, 0, "bad-option" },
		{ "option length 1", 6, { 30, 1, 1, 1 }, 4, 0, "bad-option" },
		{ "option past the header", 6, { 1, 1, 30, 4 }, 4, 0, "bad-option" },
		{ "mss of length 3", 6, { 2, 3, 5, 1 }, 4, 0, "bad-option" },
		{ "kind without a length", 6, { 1, 1, 1, 3 }, 4, 0, "bad-option" },
	};
	unsigned char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = segment(buf, cases[i].doff, cases[i].opts, cases[i].opts_len);
		struct probe_result r;

		probe(buf, len - cases[i].len_cut, &r);
		EXPECT_EQ(EINVAL, r.write_errno) TH_LOG("%s", cases[i].name);
		EXPECT_EQ(0, strncmp(r.text, cases[i].verdict, strlen(cases[i].verdict)))
			TH_LOG("%s: got '%s'", cases[i].name, r.text);
	}
}

TEST(oversized_writes_are_refused)
{
	unsigned char buf[257] = { 0 };
	struct probe_result r;

	buf[12] = 5 << 4;
	probe(buf, sizeof(buf), &r);
	EXPECT_EQ(EINVAL, r.write_errno);
}

TEST_HARNESS_MAIN
