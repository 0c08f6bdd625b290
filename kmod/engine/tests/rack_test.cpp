// SPDX-License-Identifier: GPL-2.0
// RACK-TLP (RFC 8985) and the undo of spurious reductions (RFC 3708 with
// D-SACK) as packet traces.  The peer SACKs, has no timestamps, and its
// ACKs come a 100 ms round trip after our segments.
#include "harness.hpp"

#include <gtest/gtest.h>

namespace atcp::test {
namespace {

constexpr uint32_t kMss = 1460;
constexpr uint64_t kMs = 1000;

// Full segment n (from 1) of our data, as the engine sends it.
std::string seg(uint32_t n, const char* flags = ".")
{
    return std::string(flags) + " " + range(1 + (n - 1) * kMss, 1 + n * kMss) + " ack 1 win 65535";
}

std::string sack_ack(uint32_t ack, uint32_t start, uint32_t end)
{
    return ". 1:1(0) ack " + std::to_string(ack) + " win 65535 <sack 1 {" + std::to_string(start) +
           ":" + std::to_string(end) + "}>";
}

// Segments 1..n in flight, sent together; a round trip passes.
void in_flight(Harness& h, uint32_t n, uint32_t queued = 0)
{
    establish_with_sack_peer(h);
    h.send((n + queued) * kMss);
    for (uint32_t i = 1; i <= n; ++i)
        h.out(seg(i, i == n + queued ? "P." : "."));
    h.no_out();
    h.advance_ms(100);
}

bool sent(const std::vector<std::string>& out, const std::string& s)
{
    for (const std::string& o : out) {
        if (o == s)
            return true;
    }
    return false;
}

// 6.2 steps 4 and 5: one segment SACKed above a hole is not yet enough
// (no reordering seen, fewer than DupThresh SACKed): the hole is lost once
// a quarter of min_RTT has passed beyond RACK.rtt, by the reordering timer
// (which waits 2 ms beyond, as Linux's).
TEST(Rack, ReorderingTimerDeemsAHoleLost)
{
    Harness h;
    in_flight(h, 4);
    h.in(sack_ack(1, 1461, 2921));
    h.no_out();
    EXPECT_EQ(h.deadline_us(), h.now_us() + 27 * kMs);
    EXPECT_EQ(h.info().timer, ATCP_TIMER_REORDER);
    h.fire_deadline();
    h.out(seg(1));
    EXPECT_TRUE(h.info().in_recovery);
}

// net.atcp.rack 0: RFC 6675's DupThresh instead; a hole below one SACKed
// segment waits for the third duplicate ACK however long it takes.
TEST(Rack, OffWaitsForDupThresh)
{
    Harness h;
    h.params().rack = 0;
    h.params().tlp = 0; // the probe would come at 2 * SRTT
    in_flight(h, 4);
    h.in(sack_ack(1, 1461, 2921));
    EXPECT_NE(h.info().timer, ATCP_TIMER_REORDER);
    h.advance_ms(150);
    h.in(sack_ack(1, 1461, 4381));
    h.no_out();
    h.in(sack_ack(1, 1461, 5841));
    h.out(seg(1));
    EXPECT_TRUE(h.info().in_recovery);
}

// net.atcp.tlp 0: no probe; the RTO resends the first segment.
TEST(Rack, TlpOffLeavesTheTailToTheRto)
{
    Harness h;
    h.params().tlp = 0;
    in_flight(h, 3);
    EXPECT_EQ(h.info().timer, ATCP_TIMER_RETRANSMIT);
    h.fire_deadline();
    h.out(seg(1));
    EXPECT_EQ(h.mib().loss_probes, 0u);
}

// 6.2 step 4: with DupThresh segments SACKed and no reordering seen, the
// window is zero: the hole is lost at once.
TEST(Rack, DupThreshSackedSegmentsMeanLossAtOnce)
{
    Harness h;
    in_flight(h, 5);
    h.in(sack_ack(1, 1461, 2921));
    h.in(sack_ack(1, 1461, 4381));
    h.drain(); // limited transmit has nothing new to send; the timer waits
    h.in(sack_ack(1, 1461, 5841));
    h.out(seg(1));
    EXPECT_TRUE(h.info().in_recovery);
    // TCP_INFO's figures: three segments SACKed, one resent, none left lost.
    EXPECT_EQ(h.info().sacked, 3 * kMss);
    EXPECT_EQ(h.info().retrans_out, kMss);
    EXPECT_EQ(h.info().lost, 0u);
    EXPECT_EQ(h.info().reordering, 3u);
    EXPECT_EQ(h.info().min_rtt_us, 100 * kMs);
}

// TCP_INFO's delivery rate: a round trip's acknowledged bytes a second.
TEST(Rack, DeliveryRateIsTheLastRoundTrips)
{
    Harness h;
    in_flight(h, 10, 20);
    h.in(". 1:1(0) ack 1461 win 65535"); // the first round starts
    h.drain();
    h.advance_ms(100);
    h.in(". 1:1(0) ack 14601 win 65535"); // and ends: 13140 bytes in 100 ms
    EXPECT_EQ(h.info().delivery_rate, 131400u);
}

// 6.2 step 3: a segment never resent that arrives below the highest one
// delivered shows reordering; from then on the window stays min_RTT / 4
// even with DupThresh segments SACKed.
TEST(Rack, ReorderingSeenWidensTheWindow)
{
    Harness h;
    in_flight(h, 8);
    h.in(sack_ack(1, 1461, 2921));
    h.in(". 1:1(0) ack 2921 win 65535"); // segment 1 was only late
    EXPECT_EQ(h.mib().sack_reorder, 1u);
    EXPECT_EQ(h.info().reordering, 3u); // one segment's reordering: DupThresh still
    EXPECT_FALSE(h.info().in_recovery);
    h.drain();
    h.in(sack_ack(2921, 4381, 5841));
    h.in(sack_ack(2921, 4381, 7301));
    h.in(sack_ack(2921, 4381, 8761));
    for (const std::string& o : h.drain())
        EXPECT_NE(o, seg(3)) << "resent before the reordering window passed";
    EXPECT_EQ(h.info().timer, ATCP_TIMER_REORDER);
    h.fire_deadline();
    EXPECT_TRUE(sent(h.drain(), seg(3)));
}

// 7.2 and 7.3: the last segments' ACKs never come; after 2 * SRTT (plus
// the host's slack) the last segment goes again as a probe, before the
// RTO, and the RTO restarts from it.
TEST(Rack, TailLossProbeResendsTheLastSegment)
{
    Harness h;
    establish_with_sack_peer(h);
    h.send(3 * kMss);
    h.out(seg(1));
    h.out(seg(2));
    h.out(seg(3, "P."));
    const uint64_t sent_at = h.now_us();
    EXPECT_EQ(h.info().timer, ATCP_TIMER_LOSS_PROBE);
    EXPECT_EQ(h.deadline_us(), sent_at + 202 * kMs);
    h.fire_deadline();
    h.out(seg(3, "P."));
    EXPECT_EQ(h.mib().loss_probes, 1u);
    EXPECT_EQ(h.info().timer, ATCP_TIMER_RETRANSMIT);
    EXPECT_EQ(h.deadline_us(), h.now_us() + h.info().rto_us);

    // The probe's SACK shows the two before it lost: recovery repairs them.
    h.advance_ms(100);
    h.in(sack_ack(1, 2921, 4381));
    h.out(seg(1));
    EXPECT_TRUE(h.info().in_recovery);
}

// 7.3: with new data queued, the probe is new data, whatever cwnd says.
TEST(Rack, ProbeSendsNewDataWhenThereIsSome)
{
    Harness h;
    in_flight(h, 10, 10);
    h.fire_deadline();
    h.out(seg(11));
    EXPECT_EQ(h.mib().loss_probes, 1u);
    EXPECT_EQ(h.mib().retrans_segs, 0u);
}

// With one segment out the probe waits for a delayed ACK too (WCDelAckT),
// which the RTO comes before: the probe goes in the RTO's place.
TEST(Rack, OneSegmentOutProbesAtTheRto)
{
    Harness h;
    establish_with_sack_peer(h);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    EXPECT_EQ(h.info().timer, ATCP_TIMER_LOSS_PROBE);
    EXPECT_EQ(h.deadline_us(), h.now_us() + h.info().rto_us);
    h.fire_deadline();
    h.out("P. 1:101(100) ack 1 win 65535");
    EXPECT_EQ(h.mib().loss_probes, 1u);
    EXPECT_EQ(h.info().backoff, 0);
}

// 7.4.2: the peer had the segment; the probe comes back as a D-SACK.
// Nothing was lost: the window stands.
TEST(Rack, ProbeReportedAsADuplicateLeavesTheWindow)
{
    Harness h;
    in_flight(h, 2);
    const uint32_t cwnd = h.info().snd_cwnd;
    h.fire_deadline();
    h.out(seg(2, "P."));
    h.advance_ms(100);
    h.in(". 1:1(0) ack 2921 win 65535");
    h.in(sack_ack(2921, 1461, 2921));
    EXPECT_GE(h.info().snd_cwnd, cwnd);
    EXPECT_EQ(h.mib().loss_probe_recovery, 0u);
}

// 7.4.2: the probe repaired the loss of the last segment: an ACK beyond it
// with no D-SACK says so, and the window is reduced as for any loss.
TEST(Rack, ProbeThatRepairedALossReducesTheWindow)
{
    Harness h;
    in_flight(h, 2);
    h.in(". 1:1(0) ack 1461 win 65535");
    h.drain();
    h.fire_deadline();
    h.out(seg(2, "P."));
    h.advance_ms(100);
    h.in(". 1:1(0) ack 2921 win 65535");
    EXPECT_EQ(h.info().snd_ssthresh, 0x7fffffffu);
    h.send(100);
    h.out("P. 2921:3021(100) ack 1 win 65535");
    h.advance_ms(100);
    h.in(". 1:1(0) ack 3021 win 65535");
    EXPECT_EQ(h.mib().loss_probe_recovery, 1u);
    EXPECT_LT(h.info().snd_ssthresh, 0x7fffffffu);
}

// RFC 3708 section 3 with D-SACK: fast recovery resent segment 1, and the
// peer reports that copy a duplicate: the original was only late.  The
// reduction is undone (Linux's tcp_try_undo_dsack).
TEST(Rack, DsackUndoesASpuriousFastRecovery)
{
    Harness h;
    in_flight(h, 6);
    const uint32_t cwnd = h.info().snd_cwnd;
    h.in(sack_ack(1, 1461, 2921));
    h.in(sack_ack(1, 1461, 4381));
    h.in(sack_ack(1, 1461, 5841));
    EXPECT_TRUE(sent(h.drain(), seg(1)));
    EXPECT_TRUE(h.info().in_recovery);
    EXPECT_LT(h.info().snd_ssthresh, 0x7fffffffu);
    h.in(". 1:1(0) ack 8761 win 65535"); // the original, late
    h.in(sack_ack(8761, 1, 1461));       // and the copy: a duplicate
    EXPECT_EQ(h.mib().dsack_undo, 1u);
    EXPECT_FALSE(h.info().in_recovery);
    EXPECT_EQ(h.info().snd_ssthresh, 0x7fffffffu);
    EXPECT_GE(h.info().snd_cwnd, cwnd);
}

// The same for a timeout: every segment it resent comes back a duplicate.
TEST(Rack, DsackUndoesASpuriousTimeout)
{
    Harness h;
    establish_with_sack_peer(h);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    const uint32_t cwnd = h.info().snd_cwnd;
    h.fire_deadline(); // the probe, in the RTO's place
    h.out("P. 1:101(100) ack 1 win 65535");
    h.fire_deadline(); // the RTO
    h.out("P. 1:101(100) ack 1 win 65535");
    EXPECT_EQ(h.info().snd_cwnd, kMss);
    h.in(". 1:1(0) ack 101 win 65535");
    h.in(sack_ack(101, 1, 101));
    EXPECT_EQ(h.mib().dsack_undo, 1u);
    EXPECT_GE(h.info().snd_cwnd, cwnd);
}

// Runs merged for want of room give min_RTT no sample: the first two
// segments, sent 100 us apart, share a run stamped with the second's time,
// and the ACK of the first alone would read 100 us short.
TEST(Rack, MergedRunsGiveMinRttNoSample)
{
    Harness h;
    establish_with_sack_peer(h);
    h.setopt(ATCP_OPTION_NODELAY, 1);
    for (uint32_t i = 1; i <= 40; ++i) {
        h.send(100);
        h.out("P. " + range(1 + (i - 1) * 100, 1 + i * 100) + " ack 1 win 65535");
        h.advance_us(100);
    }
    h.advance_us(100000 - 40 * 100);
    h.in(". 1:1(0) ack 101 win 65535");
    EXPECT_EQ(h.info().min_rtt_us, 100000u);
}

// More moments in flight than the TCB keeps runs for: runs merge, and
// the lost segment is still found and resent once, nothing else.
TEST(Rack, MoreSendTimesThanRunsStillRecover)
{
    Harness h;
    establish_with_sack_peer(h);
    h.setopt(ATCP_OPTION_NODELAY, 1);
    auto at = [](uint32_t n) { return std::to_string(1 + (n - 1) * 100); };
    for (uint32_t i = 1; i <= 60; ++i) {
        h.send(100);
        h.out("P. " + range(1 + (i - 1) * 100, 1 + i * 100) + " ack 1 win 65535");
        h.advance_us(100);
    }
    h.advance_ms(100);
    // Segment 5 is lost; the rest arrive.
    h.in(". 1:1(0) ack " + at(5) + " win 65535");
    h.in(". 1:1(0) ack " + at(5) + " win 65535 <sack 1 {" + at(6) + ":" + at(61) + "}>");
    const std::vector<std::string> out = h.drain();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], ". " + range(401, 501) + " ack 1 win 65535");
}

} // namespace
} // namespace atcp::test
