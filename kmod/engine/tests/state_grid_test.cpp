// SPDX-License-Identifier: GPL-2.0
// SEGMENT ARRIVES (RFC 9293 3.10.7) as a grid of every state against every kind of segment.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <tuple>

namespace atcp::test {
namespace {

// The peer's SYN offers no window scaling, timestamps or SACK, so past our SYN each of our
// segments carries no options and an unscaled window (RFC 7323 2.2, 3.2: both SYNs must agree).
constexpr const char* kOurSyn =
    "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>";
constexpr const char* kPeerSyn = "S 0:0(0) win 65535 <mss 1460>";
constexpr const char* kPeerSynAck = "S. 0:0(0) ack 1 win 65535 <mss 1460>";

// Not a state of RFC 9293: TIME-WAIT handed over to a compact entry (atcp_engine_time_wait), which
// answers every segment as the connection in TIME-WAIT would.
constexpr auto kTimeWaitEntry = static_cast<atcp_state>(ATCP_STATE_COUNT);
// Nor this: a listener's half-open connection kept as an entry (atcp_engine_syn_received) until
// its handshake completes, which answers as the child in SYN-RECEIVED would.
constexpr auto kSynReceivedEntry = static_cast<atcp_state>(ATCP_STATE_COUNT + 1);
static_assert(kSynReceivedEntry > kTimeWaitEntry);

// The state a call left the connection in, or the listener for LISTEN.
atcp_state state_after(const Harness& h, atcp_state before)
{
    return before == ATCP_LISTEN ? static_cast<atcp_state>(h.last().state) : h.state();
}

// Drives h into s along the paths of RFC 9293 3.5 and 3.6.  Once synchronized the peer has sent
// 100 bytes, so that a segment entirely before RCV.NXT can exist.  Where each path ends:
//   SYN-SENT       SND.UNA 0 SND.NXT 1
//   SYN-RECEIVED   SND.UNA 0 SND.NXT 1  RCV.NXT 1    (passive)
//   ESTABLISHED    SND.UNA 1 SND.NXT 1  RCV.NXT 101
//   FIN-WAIT-1     SND.UNA 1 SND.NXT 2  RCV.NXT 101
//   FIN-WAIT-2     SND.UNA 2 SND.NXT 2  RCV.NXT 101
//   CLOSE-WAIT     SND.UNA 1 SND.NXT 1  RCV.NXT 102
//   CLOSING        SND.UNA 1 SND.NXT 2  RCV.NXT 102
//   LAST-ACK       SND.UNA 1 SND.NXT 2  RCV.NXT 102
//   TIME-WAIT      SND.UNA 2 SND.NXT 2  RCV.NXT 102
void drive_to(Harness& h, atcp_state s)
{
    if (s == kSynReceivedEntry) {
        h.keep_handshakes_as_entries();
        drive_to(h, ATCP_SYN_RECEIVED);
        EXPECT_TRUE(h.in_syn_entry());
        return;
    }
    switch (s) {
    case ATCP_CLOSED:
        break;
    case ATCP_LISTEN:
        h.listen();
        break;
    case ATCP_SYN_SENT:
        h.connect();
        h.out(kOurSyn);
        break;
    case ATCP_SYN_RECEIVED:
        h.accept(kPeerSyn);
        h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
        break;
    case ATCP_ESTABLISHED:
        drive_to(h, ATCP_SYN_SENT);
        h.in(kPeerSynAck);
        h.out(". 1:1(0) ack 1 win 65535");
        h.in("P. 1:101(100) ack 1 win 65535");
        h.advance_ms(h.params().delack_ms);
        h.out(". 1:1(0) ack 101 win 65535");
        break;
    case ATCP_FIN_WAIT_1:
        drive_to(h, ATCP_ESTABLISHED);
        h.close();
        h.out("F. 1:1(0) ack 101 win 65535");
        break;
    case ATCP_FIN_WAIT_2:
        drive_to(h, ATCP_FIN_WAIT_1);
        h.in(". 101:101(0) ack 2 win 65535");
        break;
    case ATCP_CLOSE_WAIT:
        drive_to(h, ATCP_ESTABLISHED);
        h.in("F. 101:101(0) ack 1 win 65535");
        h.out(". 1:1(0) ack 102 win 65535");
        break;
    case ATCP_CLOSING:
        drive_to(h, ATCP_FIN_WAIT_1);
        h.in("F. 101:101(0) ack 1 win 65535");
        h.out(". 2:2(0) ack 102 win 65535");
        break;
    case ATCP_LAST_ACK:
        drive_to(h, ATCP_CLOSE_WAIT);
        h.close();
        h.out("F. 1:1(0) ack 102 win 65535");
        break;
    case ATCP_TIME_WAIT:
        drive_to(h, ATCP_FIN_WAIT_2);
        h.in("F. 101:101(0) ack 2 win 65535");
        h.out(". 2:2(0) ack 102 win 65535");
        break;
    case kTimeWaitEntry:
        drive_to(h, ATCP_TIME_WAIT);
        h.to_time_wait_entry();
        return;

    default:
        FAIL() << "no path to state " << s;
    }
    h.no_out();
    if (s != ATCP_LISTEN) {
        EXPECT_EQ(h.state(), s) << "driving to state " << s;
    }
}

// Feeds seg to the connection driven to s, or to the listener.
void feed(Harness& h, atcp_state s, std::string_view seg)
{
    if (s == ATCP_LISTEN)
        h.in_listener(seg);
    else
        h.in(seg);
}

// What atcp_engine_reset_owed answers to seg, formatted; empty when it answers nothing.
std::string reset_for(std::string_view seg, uint16_t src_port = 0, uint16_t dst_port = 0)
{
    Segment s{};
    std::string error;
    EXPECT_TRUE(parse_segment(seg, Harness::kPeerIsn, 0, &s, &error)) << error;
    s.hdr.src_port = src_port;
    s.hdr.dst_port = dst_port;
    atcp_out_segment rst;
    if (!atcp_engine_reset_owed(&s.hdr, s.len, &rst))
        return {};
    return format_segment(rst, 0, Harness::kPeerIsn);
}

enum Event {
    kSyn,
    kSynAck,
    kRstExact,
    kRstInWindow,
    kRstOutOfWindow,
    kFin,
    kAck,
    kAckOfUnsent,
    kAckVeryOld,
    kDataInWindow,
    kDataOutOfWindow,
    kOldDuplicate,
};

constexpr const char* kEventNames[] = {
    "Syn", "SynAck",      "RstExact",   "RstInWindow",  "RstOutOfWindow",  "Fin",
    "Ack", "AckOfUnsent", "AckVeryOld", "DataInWindow", "DataOutOfWindow", "OldDuplicate",
};

constexpr int kAnyError = -1;

struct Cell {
    Event event;
    const char* seg;
    const char* reply; // nullptr: nothing is sent
    atcp_state after;
    int error = ATCP_ERR_NONE; // kAnyError where the RFC leaves telling the user open
    uint8_t wake = 0;          // bits among the wakes of this segment's call
    uint32_t delivered = 0;
};

// Names the cell in failure messages, where gtest would dump its bytes.
void PrintTo(const Cell& c, std::ostream* os)
{
    *os << kEventNames[c.event] << " \"" << c.seg << '"';
}

// A very old ACK is "ack 4294867297": 99999 below our ISS, more than MAX.SND.WND (65535) below
// SND.UNA in every state, so RFC 5961 5.2 finds it unacceptable.  "ack 5001" acks unsent data.

// RFC 9293 3.10.7.1: no TCB, so atcp_engine_reset_owed answers.  Relative to the peer's ISN.
constexpr Cell kClosed[] = {
    {kSyn, "S 0:0(0) win 65535", "R. 0:0(0) ack 1 win 0", ATCP_CLOSED},
    {kSynAck, "S. 0:0(0) ack 77 win 65535", "R 77:77(0) win 0", ATCP_CLOSED},
    {kRstExact, "R 0:0(0) win 0", nullptr, ATCP_CLOSED},
    {kRstInWindow, "R. 100:100(0) ack 77 win 0", nullptr, ATCP_CLOSED},
    {kRstOutOfWindow, "R 100000:100000(0) win 0", nullptr, ATCP_CLOSED},
    {kFin, "F 100:100(0) win 65535", "R. 0:0(0) ack 101 win 0", ATCP_CLOSED},
    {kAck, ". 1:1(0) ack 77 win 65535", "R 77:77(0) win 0", ATCP_CLOSED},
    {kAckOfUnsent, ". 1:1(0) ack 5001 win 65535", "R 5001:5001(0) win 0", ATCP_CLOSED},
    {kAckVeryOld, ". 1:1(0) ack 4294867297 win 65535", "R 4294867297:4294867297(0) win 0",
     ATCP_CLOSED},
    {kDataInWindow, "P 1:101(100) win 65535", "R. 0:0(0) ack 101 win 0", ATCP_CLOSED},
    {kDataOutOfWindow, "P. 100001:100101(100) ack 77 win 65535", "R 77:77(0) win 0", ATCP_CLOSED},
    {kOldDuplicate, "FP 1:101(100) win 65535", "R. 0:0(0) ack 102 win 0", ATCP_CLOSED},
};

// RFC 9293 3.10.7.2: a SYN spawns a child (which answers, see drive_to), anything with an ACK is
// reset, anything else is dropped.  The listener has no window: the RST rows differ in seq only.
constexpr Cell kListen[] = {
    {kSyn, kPeerSyn, nullptr, ATCP_LISTEN, ATCP_ERR_NONE, ATCP_WAKE_SPAWN},
    {kSynAck, "S. 0:0(0) ack 77 win 65535", "R 77:77(0) win 0", ATCP_LISTEN},
    {kRstExact, "R 0:0(0) win 0", nullptr, ATCP_LISTEN},
    {kRstInWindow, "R 100:100(0) win 0", nullptr, ATCP_LISTEN},
    {kRstOutOfWindow, "R. 100000:100000(0) ack 77 win 0", nullptr, ATCP_LISTEN},
    {kFin, "F 0:0(0) win 65535", nullptr, ATCP_LISTEN},
    {kAck, ". 1:1(0) ack 77 win 65535", "R 77:77(0) win 0", ATCP_LISTEN},
    {kAckOfUnsent, ". 1:1(0) ack 5001 win 65535", "R 5001:5001(0) win 0", ATCP_LISTEN},
    {kAckVeryOld, ". 1:1(0) ack 4294867297 win 65535", "R 4294867297:4294867297(0) win 0",
     ATCP_LISTEN},
    {kDataInWindow, "P 1:101(100) win 65535", nullptr, ATCP_LISTEN},
    {kDataOutOfWindow, "P. 100001:100101(100) ack 77 win 65535", "R 77:77(0) win 0", ATCP_LISTEN},
    {kOldDuplicate, "F. 1:1(0) ack 77 win 65535", "R 77:77(0) win 0", ATCP_LISTEN},
};

// RFC 9293 3.10.7.3.  SYN-SENT has no receive window yet: an RST is acceptable when it acks our
// SYN ("exact"), dropped without an ACK ("in window") and dropped with an unacceptable ACK ("out
// of window").  A segment without SYN or RST is dropped; one acking what we did not send is
// answered <SEQ=SEG.ACK><CTL=RST>, and an old SYN-ACK acking our ISS itself is such a one.
constexpr Cell kSynSent[] = {
    {kSyn, kPeerSyn, "S. 0:0(0) ack 1 win 65535 <...>", ATCP_SYN_RECEIVED},
    {kSynAck, kPeerSynAck, ". 1:1(0) ack 1 win 65535", ATCP_ESTABLISHED, ATCP_ERR_NONE,
     ATCP_WAKE_CONNECTED},
    {kRstExact, "R. 0:0(0) ack 1 win 0", nullptr, ATCP_CLOSED, ATCP_ERR_REFUSED, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 0:0(0) win 0", nullptr, ATCP_SYN_SENT},
    {kRstOutOfWindow, "R. 0:0(0) ack 5001 win 0", nullptr, ATCP_SYN_SENT},
    {kFin, "F. 1:1(0) ack 1 win 65535", nullptr, ATCP_SYN_SENT},
    {kAck, ". 1:1(0) ack 1 win 65535", nullptr, ATCP_SYN_SENT},
    {kAckOfUnsent, ". 1:1(0) ack 5001 win 65535", "R 5001:5001(0) win 0", ATCP_SYN_SENT},
    {kAckVeryOld, ". 1:1(0) ack 4294867297 win 65535", "R 4294867297:4294867297(0) win 0",
     ATCP_SYN_SENT},
    {kDataInWindow, "P. 1:101(100) ack 1 win 65535", nullptr, ATCP_SYN_SENT},
    {kDataOutOfWindow, "P. 100001:100101(100) ack 1 win 65535", nullptr, ATCP_SYN_SENT},
    {kOldDuplicate, "S. 0:0(0) ack 0 win 65535 <mss 1460>", "R 0:0(0) win 0", ATCP_SYN_SENT},
};

// RFC 9293 3.10.7.4, opened passively.  A SYN in window or an exact RST returns the connection to
// LISTEN: the listener lives on, so this child goes; the user, who never had it, need not be told.
// An unacceptable ACK is answered <SEQ=SEG.ACK><CTL=RST>.  The old duplicate is the peer's SYN
// again: whatever answers it must carry <ACK=RCV.NXT>, a bare ACK or our SYN-ACK again.
constexpr Cell kSynReceived[] = {
    {kSyn, "S 101:101(0) win 65535", nullptr, ATCP_CLOSED, kAnyError, ATCP_WAKE_RELEASE},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 1:1(0) ack 1 win 65535", ATCP_SYN_RECEIVED},
    {kRstExact, "R 1:1(0) win 0", nullptr, ATCP_CLOSED, kAnyError, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 101:101(0) win 0", ". 1:1(0) ack 1 win 65535", ATCP_SYN_RECEIVED},
    {kRstOutOfWindow, "R 100001:100001(0) win 0", nullptr, ATCP_SYN_RECEIVED},
    {kFin, "F. 1:1(0) ack 1 win 65535", ". 1:1(0) ack 2 win 65535", ATCP_CLOSE_WAIT, ATCP_ERR_NONE,
     ATCP_WAKE_CONNECTED | ATCP_WAKE_EOF},
    {kAck, ". 1:1(0) ack 1 win 65535", nullptr, ATCP_ESTABLISHED, ATCP_ERR_NONE,
     ATCP_WAKE_CONNECTED},
    {kAckOfUnsent, ". 1:1(0) ack 5001 win 65535", "R 5001:5001(0) win 0", ATCP_SYN_RECEIVED},
    {kAckVeryOld, ". 1:1(0) ack 4294867297 win 65535", "R 4294867297:4294867297(0) win 0",
     ATCP_SYN_RECEIVED},
    {kDataInWindow, "P. 1:101(100) ack 1 win 65535", ". 1:1(0) ack 101 win 65535", ATCP_ESTABLISHED,
     ATCP_ERR_NONE, ATCP_WAKE_CONNECTED | ATCP_WAKE_READ, 100},
    {kDataOutOfWindow, "P. 100001:100101(100) ack 1 win 65535", ". 1:1(0) ack 1 win 65535",
     ATCP_SYN_RECEIVED},
    {kOldDuplicate, kPeerSyn, "... ... ack 1 win 65535 <...>", ATCP_SYN_RECEIVED},
};

// RFC 9293 3.10.7.4 with RFC 5961: a SYN, or an RST in window but not at RCV.NXT, draws a
// challenge ACK; an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] is answered with an ACK; an
// unacceptable segment other than an RST is answered <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
constexpr Cell kEstablished[] = {
    {kSyn, "S 201:201(0) win 65535", ". 1:1(0) ack 101 win 65535", ATCP_ESTABLISHED},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 1:1(0) ack 101 win 65535", ATCP_ESTABLISHED},
    {kRstExact, "R 101:101(0) win 0", nullptr, ATCP_CLOSED, ATCP_ERR_RESET, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 201:201(0) win 0", ". 1:1(0) ack 101 win 65535", ATCP_ESTABLISHED},
    {kRstOutOfWindow, "R 100101:100101(0) win 0", nullptr, ATCP_ESTABLISHED},
    {kFin, "F. 101:101(0) ack 1 win 65535", ". 1:1(0) ack 102 win 65535", ATCP_CLOSE_WAIT,
     ATCP_ERR_NONE, ATCP_WAKE_EOF},
    {kAck, ". 101:101(0) ack 1 win 65535", nullptr, ATCP_ESTABLISHED},
    {kAckOfUnsent, ". 101:101(0) ack 5001 win 65535", ". 1:1(0) ack 101 win 65535",
     ATCP_ESTABLISHED},
    {kAckVeryOld, ". 101:101(0) ack 4294867297 win 65535", ". 1:1(0) ack 101 win 65535",
     ATCP_ESTABLISHED},
    {kDataInWindow, "P. 101:201(100) ack 1 win 65535", ". 1:1(0) ack 201 win 65535",
     ATCP_ESTABLISHED, ATCP_ERR_NONE, ATCP_WAKE_READ, 100},
    {kDataOutOfWindow, "P. 100101:100201(100) ack 1 win 65535", ". 1:1(0) ack 101 win 65535",
     ATCP_ESTABLISHED},
    {kOldDuplicate, "P. 1:101(100) ack 1 win 65535", ". 1:1(0) ack 101 win 65535",
     ATCP_ESTABLISHED},
};

// As ESTABLISHED, and the FIN or ACK that acks our FIN moves on (RFC 9293 3.10.7.4 fifth, eighth).
constexpr Cell kFinWait1[] = {
    {kSyn, "S 201:201(0) win 65535", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_1},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_1},
    {kRstExact, "R 101:101(0) win 0", nullptr, ATCP_CLOSED, ATCP_ERR_RESET, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 201:201(0) win 0", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_1},
    {kRstOutOfWindow, "R 100101:100101(0) win 0", nullptr, ATCP_FIN_WAIT_1},
    {kFin, "F. 101:101(0) ack 2 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT,
     ATCP_ERR_NONE, ATCP_WAKE_EOF},
    {kAck, ". 101:101(0) ack 2 win 65535", nullptr, ATCP_FIN_WAIT_2},
    {kAckOfUnsent, ". 101:101(0) ack 5001 win 65535", ". 2:2(0) ack 101 win 65535",
     ATCP_FIN_WAIT_1},
    {kAckVeryOld, ". 101:101(0) ack 4294867297 win 65535", ". 2:2(0) ack 101 win 65535",
     ATCP_FIN_WAIT_1},
    {kDataInWindow, "P. 101:201(100) ack 1 win 65535", ". 2:2(0) ack 201 win 65535",
     ATCP_FIN_WAIT_1, ATCP_ERR_NONE, ATCP_WAKE_READ, 100},
    {kDataOutOfWindow, "P. 100101:100201(100) ack 1 win 65535", ". 2:2(0) ack 101 win 65535",
     ATCP_FIN_WAIT_1},
    {kOldDuplicate, "P. 1:101(100) ack 1 win 65535", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_1},
};

// Half closed: the peer's data is still taken in (RFC 9293 3.10.7.4 seventh).
constexpr Cell kFinWait2[] = {
    {kSyn, "S 201:201(0) win 65535", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_2},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_2},
    {kRstExact, "R 101:101(0) win 0", nullptr, ATCP_CLOSED, ATCP_ERR_RESET, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 201:201(0) win 0", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_2},
    {kRstOutOfWindow, "R 100101:100101(0) win 0", nullptr, ATCP_FIN_WAIT_2},
    {kFin, "F. 101:101(0) ack 2 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT,
     ATCP_ERR_NONE, ATCP_WAKE_EOF},
    {kAck, ". 101:101(0) ack 2 win 65535", nullptr, ATCP_FIN_WAIT_2},
    {kAckOfUnsent, ". 101:101(0) ack 5001 win 65535", ". 2:2(0) ack 101 win 65535",
     ATCP_FIN_WAIT_2},
    {kAckVeryOld, ". 101:101(0) ack 4294867297 win 65535", ". 2:2(0) ack 101 win 65535",
     ATCP_FIN_WAIT_2},
    {kDataInWindow, "P. 101:201(100) ack 2 win 65535", ". 2:2(0) ack 201 win 65535",
     ATCP_FIN_WAIT_2, ATCP_ERR_NONE, ATCP_WAKE_READ, 100},
    {kDataOutOfWindow, "P. 100101:100201(100) ack 2 win 65535", ". 2:2(0) ack 101 win 65535",
     ATCP_FIN_WAIT_2},
    {kOldDuplicate, "P. 1:101(100) ack 2 win 65535", ". 2:2(0) ack 101 win 65535", ATCP_FIN_WAIT_2},
};

// The peer's FIN is in: its FIN again is an old duplicate (it ends at RCV.NXT) and is answered
// with an ACK; text in window "should not occur" and is ignored (RFC 9293 3.10.7.4 seventh).
constexpr Cell kCloseWait[] = {
    {kSyn, "S 202:202(0) win 65535", ". 1:1(0) ack 102 win 65535", ATCP_CLOSE_WAIT},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 1:1(0) ack 102 win 65535", ATCP_CLOSE_WAIT},
    {kRstExact, "R 102:102(0) win 0", nullptr, ATCP_CLOSED, ATCP_ERR_RESET, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 202:202(0) win 0", ". 1:1(0) ack 102 win 65535", ATCP_CLOSE_WAIT},
    {kRstOutOfWindow, "R 100102:100102(0) win 0", nullptr, ATCP_CLOSE_WAIT},
    {kFin, "F. 101:101(0) ack 1 win 65535", ". 1:1(0) ack 102 win 65535", ATCP_CLOSE_WAIT},
    {kAck, ". 102:102(0) ack 1 win 65535", nullptr, ATCP_CLOSE_WAIT},
    {kAckOfUnsent, ". 102:102(0) ack 5001 win 65535", ". 1:1(0) ack 102 win 65535",
     ATCP_CLOSE_WAIT},
    {kAckVeryOld, ". 102:102(0) ack 4294867297 win 65535", ". 1:1(0) ack 102 win 65535",
     ATCP_CLOSE_WAIT},
    {kDataInWindow, "P. 102:202(100) ack 1 win 65535", nullptr, ATCP_CLOSE_WAIT},
    {kDataOutOfWindow, "P. 100102:100202(100) ack 1 win 65535", ". 1:1(0) ack 102 win 65535",
     ATCP_CLOSE_WAIT},
    {kOldDuplicate, "P. 1:101(100) ack 1 win 65535", ". 1:1(0) ack 102 win 65535", ATCP_CLOSE_WAIT},
};

// Both FINs sent, ours not yet acknowledged: only the ACK of our FIN moves on, to TIME-WAIT; an
// exact RST closes (RFC 9293 3.10.7.4 second) and, as tcp(4) and BSD do, tells a socket still
// open after shutdown() "connection reset".
constexpr Cell kClosing[] = {
    {kSyn, "S 202:202(0) win 65535", ". 2:2(0) ack 102 win 65535", ATCP_CLOSING},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_CLOSING},
    {kRstExact, "R 102:102(0) win 0", nullptr, ATCP_CLOSED, ATCP_ERR_RESET, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 202:202(0) win 0", ". 2:2(0) ack 102 win 65535", ATCP_CLOSING},
    {kRstOutOfWindow, "R 100102:100102(0) win 0", nullptr, ATCP_CLOSING},
    {kFin, "F. 101:101(0) ack 1 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_CLOSING},
    {kAck, ". 102:102(0) ack 2 win 65535", nullptr, ATCP_TIME_WAIT},
    {kAckOfUnsent, ". 102:102(0) ack 5001 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_CLOSING},
    {kAckVeryOld, ". 102:102(0) ack 4294867297 win 65535", ". 2:2(0) ack 102 win 65535",
     ATCP_CLOSING},
    {kDataInWindow, "P. 102:202(100) ack 1 win 65535", nullptr, ATCP_CLOSING},
    {kDataOutOfWindow, "P. 100102:100202(100) ack 1 win 65535", ". 2:2(0) ack 102 win 65535",
     ATCP_CLOSING},
    {kOldDuplicate, "P. 1:101(100) ack 1 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_CLOSING},
};

// Only the ACK of our FIN is awaited, and it ends the connection; an exact RST ends it with
// "connection reset" (tcp(4): SO_ERROR reads ECONNRESET after shutdown() in CLOSE-WAIT).
constexpr Cell kLastAck[] = {
    {kSyn, "S 202:202(0) win 65535", ". 2:2(0) ack 102 win 65535", ATCP_LAST_ACK},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_LAST_ACK},
    {kRstExact, "R 102:102(0) win 0", nullptr, ATCP_CLOSED, ATCP_ERR_RESET, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 202:202(0) win 0", ". 2:2(0) ack 102 win 65535", ATCP_LAST_ACK},
    {kRstOutOfWindow, "R 100102:100102(0) win 0", nullptr, ATCP_LAST_ACK},
    {kFin, "F. 101:101(0) ack 1 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_LAST_ACK},
    {kAck, ". 102:102(0) ack 2 win 65535", nullptr, ATCP_CLOSED, ATCP_ERR_NONE, ATCP_WAKE_RELEASE},
    {kAckOfUnsent, ". 102:102(0) ack 5001 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_LAST_ACK},
    {kAckVeryOld, ". 102:102(0) ack 4294867297 win 65535", ". 2:2(0) ack 102 win 65535",
     ATCP_LAST_ACK},
    {kDataInWindow, "P. 102:202(100) ack 1 win 65535", nullptr, ATCP_LAST_ACK},
    {kDataOutOfWindow, "P. 100102:100202(100) ack 1 win 65535", ". 2:2(0) ack 102 win 65535",
     ATCP_LAST_ACK},
    {kOldDuplicate, "P. 1:101(100) ack 1 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_LAST_ACK},
};

// RFC 9293 3.10.7.4 groups TIME-WAIT with the synchronized states for SYN and RST; a
// retransmitted FIN is acknowledged (the restart of 2 MSL is TimeWait.RetransmittedFin below).
constexpr Cell kTimeWait[] = {
    {kSyn, "S 202:202(0) win 65535", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT},
    {kSynAck, "S. 0:0(0) ack 1 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT},
    {kRstExact, "R 102:102(0) win 0", nullptr, ATCP_CLOSED, ATCP_ERR_NONE, ATCP_WAKE_RELEASE},
    {kRstInWindow, "R 202:202(0) win 0", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT},
    {kRstOutOfWindow, "R 100102:100102(0) win 0", nullptr, ATCP_TIME_WAIT},
    {kFin, "F. 101:101(0) ack 2 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT},
    {kAck, ". 102:102(0) ack 2 win 65535", nullptr, ATCP_TIME_WAIT},
    {kAckOfUnsent, ". 102:102(0) ack 5001 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT},
    {kAckVeryOld, ". 102:102(0) ack 4294867297 win 65535", ". 2:2(0) ack 102 win 65535",
     ATCP_TIME_WAIT},
    {kDataInWindow, "P. 102:202(100) ack 2 win 65535", nullptr, ATCP_TIME_WAIT},
    {kDataOutOfWindow, "P. 100102:100202(100) ack 2 win 65535", ". 2:2(0) ack 102 win 65535",
     ATCP_TIME_WAIT},
    {kOldDuplicate, "P. 1:101(100) ack 2 win 65535", ". 2:2(0) ack 102 win 65535", ATCP_TIME_WAIT},
};

class StateGrid : public testing::TestWithParam<std::tuple<atcp_state, Cell>> {};

TEST_P(StateGrid, Segment)
{
    const auto& [state, c] = GetParam();
    if (state == ATCP_CLOSED) {
        const std::string got = reset_for(c.seg);
        if (c.reply == nullptr) {
            EXPECT_EQ(got, "");
        } else {
            EXPECT_PRED2(matches, c.reply, got);
        }
        return;
    }
    Harness h;
    drive_to(h, state);
    const uint32_t delivered = h.delivered();
    feed(h, state, c.seg);
    const uint8_t wake = h.last().wake;
    const atcp_state after = state_after(h, state);
    // An ACK may be delayed, if by less than 0.5 s (RFC 9293 3.8.6.3).
    h.advance_ms(h.params().delack_ms);
    if (c.reply != nullptr)
        h.out(c.reply);
    h.no_out();
    EXPECT_EQ(after, c.after);
    EXPECT_EQ(h.delivered() - delivered, c.delivered);
    EXPECT_EQ(wake & c.wake, c.wake) << "wake bits " << int{wake};
    if (c.error != kAnyError) {
        EXPECT_EQ(h.error(), c.error);
    }
}

std::string cell_name(const testing::TestParamInfo<std::tuple<atcp_state, Cell>>& info)
{
    return kEventNames[std::get<1>(info.param).event];
}

#define GRID(name, state, cells)                                                                   \
    INSTANTIATE_TEST_SUITE_P(name, StateGrid,                                                      \
                             testing::Combine(testing::Values(state), testing::ValuesIn(cells)),   \
                             cell_name)

GRID(Closed, ATCP_CLOSED, kClosed);
GRID(Listen, ATCP_LISTEN, kListen);
GRID(SynSent, ATCP_SYN_SENT, kSynSent);
GRID(SynReceived, ATCP_SYN_RECEIVED, kSynReceived);
GRID(SynReceivedEntry, kSynReceivedEntry, kSynReceived);
GRID(Established, ATCP_ESTABLISHED, kEstablished);
GRID(FinWait1, ATCP_FIN_WAIT_1, kFinWait1);
GRID(FinWait2, ATCP_FIN_WAIT_2, kFinWait2);
GRID(CloseWait, ATCP_CLOSE_WAIT, kCloseWait);
GRID(Closing, ATCP_CLOSING, kClosing);
GRID(LastAck, ATCP_LAST_ACK, kLastAck);
GRID(TimeWait, ATCP_TIME_WAIT, kTimeWait);
GRID(TimeWaitEntry, kTimeWaitEntry, kTimeWait);

// RFC 4022's counters on the transitions it names: tcpAttemptFails counts SYN-SENT or
// SYN-RECEIVED to CLOSED and SYN-RECEIVED to LISTEN; tcpEstabResets counts ESTABLISHED or
// CLOSE-WAIT to CLOSED; tcpCurrEstab is the number in ESTABLISHED or CLOSE-WAIT; tcpOutRsts counts
// segments sent with RST.
struct MibCell {
    const char* name;
    atcp_state state;
    const char* seg;
    uint8_t attempt_fails;
    uint8_t estab_resets;
    int8_t curr_estab;
    uint16_t out_rsts;
};

// clang-format off
constexpr MibCell kMibCells[] = {
    {"SynSentRefused",          ATCP_SYN_SENT,     "R. 0:0(0) ack 1 win 0",         1, 0,  0, 0},
    {"SynSentBadAck",           ATCP_SYN_SENT,     ". 1:1(0) ack 5001 win 65535",   0, 0,  0, 1},
    {"SynSentConnected",        ATCP_SYN_SENT,     kPeerSynAck,                     0, 0,  1, 0},
    {"SynReceivedReset",        ATCP_SYN_RECEIVED, "R 1:1(0) win 0",                1, 0,  0, 0},
    {"SynReceivedSynToListen",  ATCP_SYN_RECEIVED, "S 101:101(0) win 65535",        1, 0,  0, 0},
    {"SynReceivedConnected",    ATCP_SYN_RECEIVED, ". 1:1(0) ack 1 win 65535",      0, 0,  1, 0},
    {"SynReceivedBadAck",       ATCP_SYN_RECEIVED, ". 1:1(0) ack 5001 win 65535",   0, 0,  0, 1},
    {"EstablishedReset",        ATCP_ESTABLISHED,  "R 101:101(0) win 0",            0, 1, -1, 0},
    {"EstablishedChallenged",   ATCP_ESTABLISHED,  "R 201:201(0) win 0",            0, 0,  0, 0},
    {"EstablishedToCloseWait",  ATCP_ESTABLISHED,  "F. 101:101(0) ack 1 win 65535", 0, 0,  0, 0},
    {"FinWait1Reset",           ATCP_FIN_WAIT_1,   "R 101:101(0) win 0",            0, 0,  0, 0},
    {"FinWait2Reset",           ATCP_FIN_WAIT_2,   "R 101:101(0) win 0",            0, 0,  0, 0},
    {"CloseWaitReset",          ATCP_CLOSE_WAIT,   "R 102:102(0) win 0",            0, 1, -1, 0},
    {"ClosingReset",            ATCP_CLOSING,      "R 102:102(0) win 0",            0, 0,  0, 0},
    {"LastAckReset",            ATCP_LAST_ACK,     "R 102:102(0) win 0",            0, 0,  0, 0},
    {"LastAckDone",             ATCP_LAST_ACK,     ". 102:102(0) ack 2 win 65535",  0, 0,  0, 0},
    {"TimeWaitReset",           ATCP_TIME_WAIT,    "R 102:102(0) win 0",            0, 0,  0, 0},
    {"ListenResetsAck",         ATCP_LISTEN,       ". 1:1(0) ack 77 win 65535",     0, 0,  0, 1},
};
// clang-format on

void PrintTo(const MibCell& c, std::ostream* os)
{
    *os << c.name;
}

class MibGrid : public testing::TestWithParam<MibCell> {};

TEST_P(MibGrid, Delta)
{
    const MibCell& c = GetParam();
    Harness h;
    drive_to(h, c.state);
    const atcp_mib_delta before = h.mib();
    feed(h, c.state, c.seg);
    const atcp_mib_delta& after = h.mib();
    EXPECT_EQ(after.attempt_fails - before.attempt_fails, c.attempt_fails);
    EXPECT_EQ(after.estab_resets - before.estab_resets, c.estab_resets);
    EXPECT_EQ(after.curr_estab - before.curr_estab, c.curr_estab);
    EXPECT_EQ(after.out_rsts - before.out_rsts, c.out_rsts);
}

INSTANTIATE_TEST_SUITE_P(Rfc4022, MibGrid, testing::ValuesIn(kMibCells),
                         [](const testing::TestParamInfo<MibCell>& info) {
                             return std::string(info.param.name);
                         });

// tcpCurrEstab counts ESTABLISHED and CLOSE-WAIT only (RFC 4022), along each path of drive_to.
TEST(Mib, CurrEstabAlongTheWay)
{
    constexpr struct {
        atcp_state state;
        int curr_estab;
    } kPaths[] = {
        {ATCP_SYN_SENT, 0},   {ATCP_SYN_RECEIVED, 0}, {ATCP_ESTABLISHED, 1},
        {ATCP_FIN_WAIT_1, 0}, {ATCP_FIN_WAIT_2, 0},   {ATCP_CLOSE_WAIT, 1},
        {ATCP_CLOSING, 0},    {ATCP_LAST_ACK, 0},     {ATCP_TIME_WAIT, 0},
    };
    for (const auto& p : kPaths) {
        SCOPED_TRACE(p.state);
        Harness h;
        drive_to(h, p.state);
        EXPECT_EQ(h.mib().curr_estab, p.curr_estab);
    }
}

// RFC 1122 4.2.2.13: once the user has closed, new data cannot be read by anyone, so it is
// answered with a RST at the segment's ACK (the peer's RCV.NXT) and the connection ends.
TEST(AfterClose, NewDataResetsAnOrphanInFinWait1)
{
    Harness h;
    drive_to(h, ATCP_FIN_WAIT_1);
    h.orphan();
    h.in("P. 101:201(100) ack 1 win 65535");
    h.out("R 1:1(0) win 0");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.mib().abort_on_data, 1);
    EXPECT_EQ(h.delivered(), 100u); // only what came before the close
}

TEST(AfterClose, NewDataResetsAnOrphanInFinWait2)
{
    Harness h;
    drive_to(h, ATCP_FIN_WAIT_2);
    h.orphan();
    h.in("P. 101:102(1) ack 2 win 65535");
    h.out("R 2:2(0) win 0");
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.mib().abort_on_data, 1);
}

TEST(AfterClose, OldDataOrABareFinDoesNotReset)
{
    Harness h;
    drive_to(h, ATCP_FIN_WAIT_2);
    h.orphan();
    h.in("P. 1:101(100) ack 2 win 65535"); // a retransmission of what we had
    h.out(". 2:2(0) ack 101 win 65535");
    h.in("F. 101:101(0) ack 2 win 65535");
    h.out(". 2:2(0) ack 102 win 65535");
    h.expect_state(ATCP_TIME_WAIT);
    EXPECT_EQ(h.mib().abort_on_data, 0);
}

// A half-close (shutdown SHUT_WR) keeps the socket, which still reads.
TEST(AfterClose, HalfClosedSocketStillTakesData)
{
    Harness h;
    drive_to(h, ATCP_FIN_WAIT_2);
    h.in("P. 101:201(100) ack 2 win 65535");
    h.expect_state(ATCP_FIN_WAIT_2);
    EXPECT_EQ(h.delivered(), 200u);
    EXPECT_EQ(h.mib().abort_on_data, 0);
}

// RFC 5961 3.2: only an RST at RCV.NXT resets; one elsewhere in the window is challenged, and
// the genuine peer answers the challenge ACK with an RST at the sequence number it names.
TEST(ChallengeAck, RstInWindowThenExact)
{
    Harness h;
    drive_to(h, ATCP_ESTABLISHED);
    h.in("R 201:201(0) win 0");
    h.out(". 1:1(0) ack 101 win 65535");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_EQ(h.error(), ATCP_ERR_NONE);

    h.in("R 101:101(0) win 0");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_RESET);
}

// RFC 5961 4.2: a SYN in a synchronized state draws a challenge ACK whatever its sequence number,
// and only the peer's RST in answer ends the connection.
TEST(ChallengeAck, SynAnywhere)
{
    Harness h;
    drive_to(h, ATCP_ESTABLISHED);
    h.in("S 201:201(0) win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 101 win 65535");
    h.in("S 4000000000:4000000000(0) win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 101 win 65535");
    h.in("S 50:50(0) win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 101 win 65535");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);

    h.in("R 101:101(0) win 0");
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_RESET);
}

// RFC 5961 7: challenge ACKs, whatever drew them, are limited per second.
TEST(ChallengeAck, RateLimit)
{
    Harness h;
    h.params().challenge_ack_limit = 2;
    drive_to(h, ATCP_ESTABLISHED);
    h.in("R 201:201(0) win 0");
    h.out(". 1:1(0) ack 101 win 65535");
    h.in("S 301:301(0) win 65535");
    h.out(". 1:1(0) ack 101 win 65535");
    h.in("R 401:401(0) win 0");
    h.in("S 501:501(0) win 65535");
    h.in(". 101:101(0) ack 4294867297 win 65535");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);

    h.advance_ms(999);
    h.in("R 201:201(0) win 0");
    h.no_out();
    h.advance_ms(1);
    h.in("R 201:201(0) win 0");
    h.out(". 1:1(0) ack 101 win 65535");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
}

// RFC 5961 5.2: a segment whose ACK is above SND.NXT or below SND.UNA - MAX.SND.WND is discarded,
// text and all, with an ACK; one in between but below SND.UNA is a duplicate ACK and the segment
// is still processed (RFC 9293 3.10.7.4 fifth).
TEST(ChallengeAck, AckRange)
{
    Harness h;
    drive_to(h, ATCP_ESTABLISHED);
    h.in("P. 101:201(100) ack 5001 win 65535");
    h.out(". 1:1(0) ack 101 win 65535");
    h.in("P. 101:201(100) ack 4294867297 win 65535");
    h.out(". 1:1(0) ack 101 win 65535");
    EXPECT_EQ(h.delivered(), 100u);

    h.in("P. 101:201(100) ack 4294967000 win 65535");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 201 win 65535");
    h.no_out();
    EXPECT_EQ(h.delivered(), 200u);
}

// Timestamps on: as drive_to's ESTABLISHED, the peer's TS.Recent then 200.
void establish_with_timestamps(Harness& h)
{
    h.connect();
    h.out(kOurSyn);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,TS val 100 ecr 1000>");
    h.out(". 1:1(0) ack 1 win 65535 <nop,nop,TS val 1000 ecr 100>");
    h.in("P. 1:101(100) ack 1 win 65535 <nop,nop,TS val 200 ecr 1000>");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 101 win 65535 <nop,nop,TS val ... ecr 200>");
    h.no_out();
    EXPECT_EQ(h.delivered(), 100u);
}

// RFC 7323 5.3 R1: a segment whose TSval is older than TS.Recent is an old duplicate, even in
// window: it is acknowledged and dropped, and TS.Recent is kept.
TEST(Paws, OldTimestampDroppedWithAck)
{
    Harness h;
    establish_with_timestamps(h);
    h.in("P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 150 ecr 1000>");
    h.out(". 1:1(0) ack 101 win 65535 <nop,nop,TS val ... ecr 200>");
    h.no_out();
    EXPECT_EQ(h.delivered(), 100u);
    h.expect_state(ATCP_ESTABLISHED);

    h.in("P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 200 ecr 1000>");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 201 win 65535 <nop,nop,TS val ... ecr 200>");
    EXPECT_EQ(h.delivered(), 200u);
}

// RFC 7323 5.3 R1 exempts RST, and 3.2 processes an RST "without further regard to TSopt".
TEST(Paws, RstIsExempt)
{
    Harness h;
    establish_with_timestamps(h);
    h.in("R 101:101(0) win 0 <nop,nop,TS val 150 ecr 1000>");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_RESET);
}

// RFC 7323 5.5: after 24 days idle TS.Recent is invalid, so a segment with an older TSval is
// accepted "and rule R3 updates TS.Recent with the TSval from the new segment".
TEST(Paws, TsRecentExpiresAfter24DaysIdle)
{
    Harness h;
    establish_with_timestamps(h);
    h.advance_ms(24ull * 24 * 3600 * 1000 + 1);
    h.in("P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 150 ecr 1000>");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 201 win 65535 <nop,nop,TS val ... ecr 150>");
    EXPECT_EQ(h.delivered(), 200u);
}

// RFC 7323 3.2: once negotiated, TSopt is in every non-RST segment, and a segment without it
// SHOULD be silently dropped.
TEST(Paws, SegmentWithoutTimestampDropped)
{
    Harness h;
    establish_with_timestamps(h);
    h.in("P. 101:201(100) ack 1 win 65535");
    h.advance_ms(h.params().delack_ms);
    h.no_out();
    EXPECT_EQ(h.delivered(), 100u);
}

// RFC 9293 3.10.7.3: a SYN without ACK in SYN-SENT is the peer's own open; we answer
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> from SYN-RECEIVED, and its ACK of our SYN synchronizes.
TEST(SimultaneousOpen, SynThenAck)
{
    Harness h;
    drive_to(h, ATCP_SYN_SENT);
    h.in(kPeerSyn);
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.no_out();
    h.expect_state(ATCP_SYN_RECEIVED);
    EXPECT_EQ(h.mib().curr_estab, 0);

    h.in(". 1:1(0) ack 1 win 65535");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_CONNECTED);
    EXPECT_EQ(h.mib().curr_estab, 1);
    EXPECT_EQ(h.mib().attempt_fails, 0);
}

// RFC 9293 3.5 figure 7, line 6: the peer's SYN-ACK crossing ours takes SYN-RECEIVED to
// ESTABLISHED, with nothing more to send.
TEST(SimultaneousOpen, CrossedSynAcks)
{
    Harness h;
    drive_to(h, ATCP_SYN_SENT);
    h.in(kPeerSyn);
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.in(kPeerSynAck);
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_CONNECTED);
}

// RFC 9293 3.10.7.4 second: an active open that reached SYN-RECEIVED and is reset was refused.
TEST(SimultaneousOpen, ResetIsRefusal)
{
    Harness h;
    drive_to(h, ATCP_SYN_SENT);
    h.in(kPeerSyn);
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.in("R 1:1(0) win 0");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_REFUSED);
    EXPECT_EQ(h.mib().attempt_fails, 1);
}

// RFC 9293 3.10.7.4 fourth: a SYN in window sends an actively opened SYN-RECEIVED down the
// synchronized states' path, a challenge ACK (RFC 5961 4.2), not back to LISTEN.
TEST(SimultaneousOpen, SecondSynChallenged)
{
    Harness h;
    drive_to(h, ATCP_SYN_SENT);
    h.in(kPeerSyn);
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.in("S 101:101(0) win 65535");
    h.out(". 1:1(0) ack 1 win 65535");
    h.no_out();
    h.expect_state(ATCP_SYN_RECEIVED);
}

// RFC 9293 3.5 figure 13: both FINs cross; FIN-WAIT-1 goes to CLOSING, then on the ACK of our
// FIN to TIME-WAIT, which lasts 2 MSL (3.10.7.4 fifth, 3.6).
TEST(SimultaneousClose, ThroughClosing)
{
    Harness h;
    drive_to(h, ATCP_FIN_WAIT_1);
    h.in("F. 101:101(0) ack 1 win 65535");
    h.out(". 2:2(0) ack 102 win 65535");
    h.expect_state(ATCP_CLOSING);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_EOF);

    h.in(". 102:102(0) ack 2 win 65535");
    h.no_out();
    h.expect_state(ATCP_TIME_WAIT);
    const uint64_t two_msl_ms = 2ull * h.params().msl_ms;
    h.advance_ms(two_msl_ms - 1);
    h.expect_state(ATCP_TIME_WAIT);
    h.advance_ms(1);
    h.expect_state(ATCP_CLOSED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_RELEASE);
    EXPECT_EQ(h.error(), ATCP_ERR_NONE);
}

// RFC 9293 3.6: closing only ends our sending; in FIN-WAIT-2 the peer's data is still delivered
// for as long as it keeps sending, and its FIN then ends the connection.
TEST(HalfClose, PeerKeepsSending)
{
    Harness h;
    drive_to(h, ATCP_FIN_WAIT_2);
    h.advance_ms(600000);
    h.expect_state(ATCP_FIN_WAIT_2);

    h.in("P. 101:201(100) ack 2 win 65535");
    h.in("P. 201:301(100) ack 2 win 65535");
    h.advance_ms(h.params().delack_ms);
    h.out(". 2:2(0) ack 301 win 65535");
    h.no_out();
    EXPECT_EQ(h.delivered(), 300u);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_READ);

    h.in("F. 301:301(0) ack 2 win 65535");
    h.out(". 2:2(0) ack 302 win 65535");
    h.expect_state(ATCP_TIME_WAIT);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_EOF);
}

// RFC 9293 3.10.7.4 eighth: in TIME-WAIT a retransmitted FIN is acknowledged and the 2 MSL
// timeout restarts, for the connection and for its compact entry alike.
class TimeWait : public testing::TestWithParam<atcp_state> {};

TEST_P(TimeWait, RetransmittedFin)
{
    Harness h;
    drive_to(h, GetParam());
    const uint64_t two_msl_ms = 2ull * h.params().msl_ms;
    h.advance_ms(two_msl_ms / 2);
    h.in("F. 101:101(0) ack 2 win 65535");
    h.out(". 2:2(0) ack 102 win 65535");
    h.no_out();
    h.advance_ms(two_msl_ms - 1);
    h.expect_state(ATCP_TIME_WAIT);
    h.advance_ms(1);
    h.expect_state(ATCP_CLOSED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_RELEASE);
}

INSTANTIATE_TEST_SUITE_P(ConnectionAndEntry, TimeWait,
                         testing::Values(ATCP_TIME_WAIT, kTimeWaitEntry));

// RFC 9293 3.10.7.1: the reset goes back where the segment came from.
TEST(ResetFor, SwapsPorts)
{
    Segment s{};
    ASSERT_TRUE(parse_segment(". 1:1(0) ack 77 win 65535", Harness::kPeerIsn, 0, &s, nullptr));
    s.hdr.src_port = Harness::kRemotePort;
    s.hdr.dst_port = Harness::kLocalPort;
    atcp_out_segment rst;
    ASSERT_TRUE(atcp_engine_reset_owed(&s.hdr, s.len, &rst));
    EXPECT_EQ(rst.hdr.src_port, Harness::kLocalPort);
    EXPECT_EQ(rst.hdr.dst_port, Harness::kRemotePort);
    EXPECT_EQ(rst.data_len, 0u);
}

// RFC 9293 3.10.7.1 with ACK off: SEG.LEN counts SYN and FIN as well as the text (3.4).
TEST(ResetFor, SegLenCountsSynAndFin)
{
    EXPECT_PRED2(matches, "R. 0:0(0) ack 102 win 0", reset_for("FS 0:100(100) win 65535"));
    EXPECT_PRED2(matches, "R. 0:0(0) ack 1 win 0", reset_for("S 0:0(0) win 65535"));
    EXPECT_PRED2(matches, "R. 0:0(0) ack 4294967295 win 0",
                 reset_for("P 4294967195:4294967295(100) win 65535"));
}

// RFC 9293 3.10.7.1: an RST is never answered, with or without ACK.
TEST(ResetFor, RstNotAnswered)
{
    EXPECT_EQ(reset_for("R 5:5(0) win 0"), "");
    EXPECT_EQ(reset_for("R. 5:5(0) ack 77 win 0"), "");
    EXPECT_EQ(reset_for("FRP. 5:105(100) ack 77 win 0"), "");
}

} // namespace
} // namespace atcp::test
