// SPDX-License-Identifier: GPL-2.0
// RACK with a peer that echoes timestamps, as packet traces: the undo of a
// reduction an echoed timestamp shows spurious (RFC 3522, Eifel detection,
// as Linux's tcp_try_undo_partial), and what min_RTT takes.  The
// peer SACKs and echoes timestamps; its ACKs come a 100 ms round trip after
// our segments, and our timestamp clock counts milliseconds.
#include "harness.hpp"

#include <gtest/gtest.h>

namespace atcp::test {
namespace {

constexpr uint32_t kMss = 1448; // 1460 less the timestamp option

// A peer that SACKs and echoes timestamps, 100 ms away.
void establish_with_ts_peer(Harness& h)
{
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    h.advance_ms(100);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000>");
    h.out(". 1:1(0) ack 1 win 65535 <nop,nop,TS val 1100 ecr 50>");
    h.no_out();
}

// Segment n's end (from 1) in our sequence space.
std::string end_of(uint32_t n)
{
    return std::to_string(1 + n * kMss);
}

// The peer's ACK of everything below ack, echoing ecr, with SACK blocks
// ("" for none, else "{a:b}{c:d}" for n blocks).
std::string ack_ecr(const std::string& ack, uint32_t ecr, uint32_t n = 0,
                    const std::string& blocks = "")
{
    std::string s =
        ". 1:1(0) ack " + ack + " win 65535 <nop,nop,TS val 60 ecr " + std::to_string(ecr);
    if (n != 0)
        s += ",nop,nop,sack " + std::to_string(n) + " " + blocks;
    return s + ">";
}

// n segments go out at 1100 ms; at 1200 ms the peer SACKs as blocks say,
// echoing 1100.  What was resent in answer (its TSval: 1200).
std::vector<std::string> send_then_sack(Harness& h, uint32_t n, uint32_t count,
                                        const std::string& blocks)
{
    establish_with_ts_peer(h);
    h.send(n * kMss);
    EXPECT_EQ(h.drain().size(), n);
    h.advance_ms(100);
    h.in(ack_ecr("1", 1100, count, blocks));
    return h.drain();
}

// Six segments, 2..6 SACKed: segment 1 is resent at once.
void fast_retransmit_first(Harness& h)
{
    const std::vector<std::string> out =
        send_then_sack(h, 6, 1, "{" + end_of(1) + ":" + end_of(6) + "}");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].rfind(". 1:" + end_of(1) + "(1448)", 0), 0u) << out[0];
    EXPECT_TRUE(h.info().in_recovery);
    EXPECT_LT(h.info().snd_ssthresh, 0x7fffffffu);
}

// Section 3.2: the ACK that fills the hole echoes 1100, the original's
// TSval, older than the retransmission's: the original was only late.
// With no retransmission left unacknowledged the reduction is undone.
TEST(TimestampRack, LateOriginalUndoesTheReduction)
{
    Harness h;
    const uint32_t cwnd_before = 10 * kMss;
    fast_retransmit_first(h);
    h.advance_ms(10);
    h.in(ack_ecr(end_of(6), 1100));
    EXPECT_EQ(h.mib().timestamp_undo, 1u);
    EXPECT_FALSE(h.info().in_recovery);
    EXPECT_EQ(h.info().snd_ssthresh, 0x7fffffffu);
    EXPECT_GE(h.info().snd_cwnd, cwnd_before);
    EXPECT_GT(h.info().reordering, 3u); // the hole was reordering, not loss
}

// The same ACK echoing the retransmission's TSval: it repaired a loss,
// and the reduction stands.
TEST(TimestampRack, EchoOfTheRetransmissionKeepsTheReduction)
{
    Harness h;
    fast_retransmit_first(h);
    h.advance_ms(100);
    h.in(ack_ecr(end_of(6), 1200));
    EXPECT_EQ(h.mib().timestamp_undo, 0u);
    EXPECT_LT(h.info().snd_ssthresh, 0x7fffffffu);
}

// Two holes, both resent.  An ACK that fills the first with its late
// original proves nothing of the second, whose retransmission is still
// out: no undo until an old echo covers that one too.
TEST(TimestampRack, WaitsForEveryRetransmission)
{
    Harness h;
    const std::string blocks =
        "{" + end_of(3) + ":" + end_of(6) + "}{" + end_of(1) + ":" + end_of(2) + "}";
    EXPECT_EQ(send_then_sack(h, 6, 2, blocks).size(), 2u); // segments 1 and 3
    h.advance_ms(10);
    h.in(ack_ecr(end_of(2), 1100, 1, "{" + end_of(3) + ":" + end_of(6) + "}"));
    EXPECT_EQ(h.mib().timestamp_undo, 0u);
    EXPECT_LT(h.info().snd_ssthresh, 0x7fffffffu);
    h.advance_ms(1);
    h.in(ack_ecr(end_of(6), 1100));
    EXPECT_EQ(h.mib().timestamp_undo, 1u);
    EXPECT_EQ(h.info().snd_ssthresh, 0x7fffffffu);
}

// Linux's tcp_try_undo_partial: with three segments SACKed above them,
// seven are deemed lost and PRR resends some.  The ACK of the first's late
// original shows the reordering deeper than RACK allowed for: the rest are
// likely only late too and are not resent for it, while copies are out.
TEST(TimestampRack, LateOriginalHoldsFurtherRetransmissions)
{
    Harness h;
    const std::string sacked = "{" + end_of(7) + ":" + end_of(10) + "}";
    const size_t resent = send_then_sack(h, 10, 1, sacked).size();
    EXPECT_GE(resent, 1u);
    EXPECT_LT(resent, 7u);
    h.advance_ms(1);
    h.in(ack_ecr(end_of(1), 1100, 1, sacked));
    h.no_out();
    h.advance_ms(1);
    h.in(ack_ecr(end_of(2), 1100, 1, sacked));
    h.no_out();
    EXPECT_EQ(h.mib().timestamp_undo, 0u); // copies are still out
    EXPECT_TRUE(h.info().in_recovery);
}

// RACK.fack starts at the ISS: with the ISS in the upper half of the
// sequence space, in-order ACKs are not taken for reordering.
TEST(TimestampRack, InOrderDeliveryIsNotReordering)
{
    Harness h;
    h.set_isn_hash(0x90000000u);
    establish_with_ts_peer(h);
    h.send(4 * kMss);
    EXPECT_EQ(h.drain().size(), 4u);
    h.advance_ms(100);
    h.in(ack_ecr(end_of(2), 1100));
    h.in(ack_ecr(end_of(4), 1100));
    EXPECT_EQ(h.mib().sack_reorder, 0u);
    EXPECT_EQ(h.info().reordering, 3u);
}

// RFC 8985 6.1: min_RTT to the microsecond.  An ACK 300 us after the
// segment echoes a timestamp of this very millisecond; RACK's own sample
// says 300 us, where the echo would say nothing at all.
TEST(TimestampRack, MinRttIsNotTheEchoedTimestampsMilliseconds)
{
    Harness h;
    establish_with_ts_peer(h);
    h.send(kMss);
    EXPECT_EQ(h.drain().size(), 1u);
    h.advance_us(300);
    h.in(ack_ecr(end_of(1), 1100));
    EXPECT_EQ(h.info().min_rtt_us, 300u);
}

} // namespace
} // namespace atcp::test
