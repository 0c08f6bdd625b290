// SPDX-License-Identifier: GPL-2.0
// Segments written the way tcpdump prints them, so engine tests read like packet traces.
//
// One segment per string, with relative sequence numbers as tcpdump prints them without -S:
//   FLAGS SEQ:END(LEN) [ack N] [win N] [urg N] [<OPTIONS>]
//   "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>"
//   ". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1>"
//   "P. 1:101(100) ack 1 win 512"
// FLAGS are F S R P . U E W (the '.' is ACK), or "none".  Before them may come the IP header's
// ECN field as packetdrill writes it, "[ect0]", "[ect1]", "[ce]" or "[noecn]"; Not-ECT is
// formatted as nothing.  Sequence numbers are relative to a
// seq_base, and the ack field and SACK block edges to an ack_base, because SACK blocks name the
// same sequence space the ack field does.  TS values, win and urg are the raw field values.
#pragma once

#include <atcp/engine.h>
#include <atcp/tcp_codec.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace atcp::test {

struct Segment {
    atcp_tcp_header hdr;
    uint32_t len; // payload bytes
};

// Parses one segment into absolute header fields.  Also takes tcpdump's short form for a segment
// without payload, "FLAGS SEQ ...", and ignores "nop" and "eol": the codec lays out its own
// padding.  "ack" needs the ACK flag and "urg" the URG flag, as tcpdump prints neither without.
// wscale above 14 is clamped as the codec clamps it on receipt, and header_len is what the codec
// would report for these options.  On error returns false, leaves *out alone and, unless error
// is null, says in *error which token is wrong.
bool parse_segment(std::string_view text, uint32_t seq_base, uint32_t ack_base, Segment* out,
                   std::string* error);

// What tcpdump prints for the bytes atcp_tcp_write makes of h: the options in Linux's layout with
// their padding, and only the SACK blocks that fit.  Always the long SEQ:END(LEN) form.
std::string format_segment(const atcp_tcp_header& h, uint32_t len, uint32_t seq_base,
                           uint32_t ack_base);

// A segment the engine asked for, carrying data_len bytes of the send queue.
std::string format_segment(const atcp_out_segment& seg, uint32_t seq_base, uint32_t ack_base);

// Compares a pattern with a format_segment string word by word.  In the pattern "..." stands for
// any one word, or for any one option inside <...>; "<...>" stands for any option list, none
// included.  Write EXPECT_PRED2(matches, pattern, formatted) so a failure shows both strings.
bool matches(std::string_view pattern, std::string_view formatted);

} // namespace atcp::test
