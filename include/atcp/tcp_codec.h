/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP header and options codec: the engine's C ABI for turning segment
 * bytes into fields and back.  Implemented in C++ (kmod/engine/), called from
 * the kernel glue (C) and from host tests.
 */
#ifndef _ATCP_TCP_CODEC_H
#define _ATCP_TCP_CODEC_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define ATCP_TCP_HDR_MIN 20
#define ATCP_TCP_HDR_MAX 60
#define ATCP_TCP_OPT_MAX (ATCP_TCP_HDR_MAX - ATCP_TCP_HDR_MIN)
#define ATCP_TCP_SACK_BLOCK_LEN 8 /* a SACK block's two sequence numbers */
/* The SACK blocks that fit in the option space beside the kind and length. */
#define ATCP_TCP_SACK_MAX ((ATCP_TCP_OPT_MAX - 2) / ATCP_TCP_SACK_BLOCK_LEN)
#define ATCP_TCP_WSCALE_MAX 14 /* RFC 7323 section 2.3 */

enum atcp_tcp_flag {
	ATCP_TCP_FIN = 0x01,
	ATCP_TCP_SYN = 0x02,
	ATCP_TCP_RST = 0x04,
	ATCP_TCP_PSH = 0x08,
	ATCP_TCP_ACK = 0x10,
	ATCP_TCP_URG = 0x20,
	ATCP_TCP_ECE = 0x40,
	ATCP_TCP_CWR = 0x80,
};

/* The option kinds the codec reads and writes (RFC 9293 3.2). */
enum atcp_tcp_option_kind {
	ATCP_TCPOPT_EOL = 0, /* end of the option list */
	ATCP_TCPOPT_NOP = 1, /* no-operation: padding between options */
	ATCP_TCPOPT_MSS = 2, /* maximum segment size, in SYNs (RFC 9293 3.7.1) */
	ATCP_TCPOPT_WSCALE = 3, /* window scale, in SYNs (RFC 7323 2) */
	ATCP_TCPOPT_SACK_PERM = 4, /* SACK permitted, in SYNs (RFC 2018 2) */
	ATCP_TCPOPT_SACK = 5, /* SACK blocks (RFC 2018 3) */
	ATCP_TCPOPT_TIMESTAMP = 8, /* timestamps (RFC 7323 3) */
};

/* Bits of atcp_tcp_options.present. */
enum atcp_tcp_option {
	ATCP_OPT_MSS = 0x01,
	ATCP_OPT_WSCALE = 0x02,
	ATCP_OPT_SACK_PERM = 0x04,
	ATCP_OPT_TIMESTAMP = 0x08,
	ATCP_OPT_SACK = 0x10,
};

struct atcp_sack_block {
	uint32_t start;
	uint32_t end;
};

struct atcp_tcp_options {
	uint8_t present; /* enum atcp_tcp_option bits */
	uint8_t wscale; /* clamped to ATCP_TCP_WSCALE_MAX on parse */
	uint8_t sack_count;
	uint16_t mss;
	uint32_t ts_val;
	uint32_t ts_ecr;
	struct atcp_sack_block sack[ATCP_TCP_SACK_MAX];
};

/*
 * The ECN field of the IP header around a segment (RFC 3168 5): the
 * IPv4 TOS byte's or the IPv6 traffic class's two low bits.
 */
enum atcp_ecn {
	ATCP_ECN_NOT_ECT = 0,
	ATCP_ECN_ECT1 = 1,
	ATCP_ECN_ECT0 = 2,
	ATCP_ECN_CE = 3, /* congestion experienced */
};

/* Host byte order throughout; the codec does the wire conversion. */
struct atcp_tcp_header {
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t seq;
	uint32_t ack;
	uint8_t header_len; /* bytes, data offset * 4 */
	uint8_t flags; /* enum atcp_tcp_flag bits */
	uint16_t window;
	uint16_t checksum;
	uint16_t urgent;
	/*
	 * enum atcp_ecn: not the TCP header's but the IP header's, which the
	 * codec neither reads nor writes.  The caller fills it in for a
	 * segment that arrived and puts it in the IP header of one it sends.
	 */
	uint8_t ecn;
	struct atcp_tcp_options opt;
};

enum atcp_codec_status {
	ATCP_CODEC_OK = 0,
	ATCP_CODEC_TRUNCATED, /* fewer bytes than a header or its data offset */
	ATCP_CODEC_BAD_OFFSET, /* data offset below 5 words */
	ATCP_CODEC_BAD_OPTION, /* option length runs past the header or is wrong for its kind */
};

/* Parse a segment's TCP header and options; len counts header and payload. */
enum atcp_codec_status atcp_tcp_parse(const uint8_t *seg, size_t len,
				      struct atcp_tcp_header *out);

/*
 * Write hdr's fields and the options in hdr->opt.present into buf, padded to
 * a 4-byte boundary; SACK blocks that do not fit in the option space are left
 * out.  Returns the header length written, or 0 when cap is too small.
 * hdr->header_len is ignored; hdr->checksum is written as given.
 */
size_t atcp_tcp_write(const struct atcp_tcp_header *hdr, uint8_t *buf,
		      size_t cap);

/* Bytes the options in opt would take on the wire, padding included. */
size_t atcp_tcp_options_len(const struct atcp_tcp_options *opt);

#ifdef __cplusplus
}
#endif

#endif /* _ATCP_TCP_CODEC_H */
