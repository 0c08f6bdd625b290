// SPDX-License-Identifier: GPL-2.0
// SACK-based loss recovery as packet traces: the scoreboard (RFC 2018), loss
// detection and NextSeg (RFC 6675), and PRR's pacing (RFC 6937).
#include "harness.hpp"

#include <gtest/gtest.h>

namespace atcp::test {
namespace {

constexpr uint32_t kMss = 1460;

// Ten segments in flight, twenty queued; the peer SACKs (no timestamps).
// Its ACKs come a round trip later.
void ten_in_flight(Harness& h)
{
    establish_with_sack_peer(h);
    h.send(20 * kMss);
    for (uint32_t i = 0; i < 10; ++i)
        h.out(". " + range(1 + i * kMss, 1 + (i + 1) * kMss) + " ack 1 win 65535");
    h.no_out();
    h.advance_ms(100);
}

// Segments 2 and 5 are lost.  RFC 6675: recovery begins when the first hole
// IsLost (more than 2 * SMSS SACKed above it); each hole goes out again once
// it is deemed lost, and no SACKed byte is sent twice.  Limited transmit
// (RFC 3042) sends new data on the first two duplicates.
TEST(SackRecovery, ResendsExactlyTheLostSegments)
{
    Harness h;
    ten_in_flight(h);
    h.in(". 1:1(0) ack 1461 win 65535");
    h.out(". 14601:16061(1460) ack 1 win 65535");
    h.out(". 16061:17521(1460) ack 1 win 65535");
    h.in(". 1:1(0) ack 1461 win 65535 <sack 1 {2921:4381}>");
    h.out(". 17521:18981(1460) ack 1 win 65535");
    h.in(". 1:1(0) ack 1461 win 65535 <sack 1 {2921:5841}>");
    h.out(". 18981:20441(1460) ack 1 win 65535");
    h.no_out();
    const uint32_t retrans = h.mib().retrans_segs;
    h.in(". 1:1(0) ack 1461 win 65535 <sack 2 {7301:8761}{2921:5841}>");
    h.out(". 1461:2921(1460) ack 1 win 65535");
    h.no_out();
    EXPECT_TRUE(h.info().in_recovery);
    // ssthresh: half the flight without limited transmit's two segments.
    EXPECT_EQ(h.info().snd_ssthresh, 8030u);
    h.in(". 1:1(0) ack 1461 win 65535 <sack 2 {7301:10221}{2921:5841}>");
    h.no_out(); // 5841 is not yet lost, and PRR holds new data back
    h.in(". 1:1(0) ack 1461 win 65535 <sack 2 {7301:11681}{2921:5841}>");
    h.out(". 5841:7301(1460) ack 1 win 65535");
    h.no_out();
    EXPECT_EQ(h.mib().retrans_segs - retrans, 2u);

    // Both holes repaired: new data again, at PRR's pace; the ACK of
    // everything sent before recovery ends it with cwnd at ssthresh.
    h.in(". 1:1(0) ack 1461 win 65535 <sack 2 {7301:13141}{2921:5841}>");
    h.no_out();
    h.in(". 1:1(0) ack 1461 win 65535 <sack 2 {7301:14601}{2921:5841}>");
    h.out(". 20441:21901(1460) ack 1 win 65535");
    h.in(". 1:1(0) ack 5841 win 65535 <sack 1 {7301:16061}>");
    h.out(". 21901:23361(1460) ack 1 win 65535");
    h.in(". 1:1(0) ack 20441 win 65535");
    EXPECT_FALSE(h.info().in_recovery);
    EXPECT_EQ(h.info().snd_cwnd, 8030u);
    EXPECT_EQ(h.mib().retrans_segs - retrans, 2u);
}

// RFC 6937: while pipe exceeds ssthresh, PRR sends in proportion to what
// is delivered, about one segment for every two the peer receives.
TEST(SackRecovery, PrrSendsHalfAsMuchAsIsDelivered)
{
    Harness h;
    ten_in_flight(h);
    // Segment 1 lost; 2..10 arrive, each SACKed.
    uint32_t sent = 0;
    for (uint32_t i = 2; i <= 10; ++i) {
        h.in(". 1:1(0) ack 1 win 65535 <sack 1 {1461:" + std::to_string(1 + i * kMss) + "}>");
        sent += static_cast<uint32_t>(h.drain().size());
    }
    // Two by limited transmit, the fast retransmission, then PRR's share
    // of the six segments delivered after it: ssthresh / RecoverFS of them,
    // 7300 / 17520 (the flight counts limited transmit's), so two.
    EXPECT_TRUE(h.info().in_recovery);
    EXPECT_EQ(sent, 2u + 1u + 2u);
}

// RFC 2883: a D-SACK block (at or below the cumulative ACK) and a block
// beyond what was sent say nothing new: no recovery, no retransmission.
TEST(SackRecovery, DsackAndBogusBlocksAreIgnored)
{
    Harness h;
    ten_in_flight(h);
    h.in(". 1:1(0) ack 2921 win 65535 <sack 1 {1:1461}>");
    h.drain();
    h.in(". 1:1(0) ack 2921 win 65535 <sack 1 {40001:41461}>");
    h.in(". 1:1(0) ack 2921 win 65535 <sack 1 {1461:2921}>");
    EXPECT_FALSE(h.info().in_recovery);
    EXPECT_EQ(h.mib().retrans_segs, 0u);
}

// More discontiguous ranges than the scoreboard holds: the lowest are
// kept, and no segment they cover is sent again.
TEST(SackRecovery, ScoreboardOverflowKeepsTheLowestRanges)
{
    Harness h;
    ten_in_flight(h);
    // Slow start to a 20-segment flight: segments 11..30 (index from 1).
    for (uint32_t i = 1; i <= 10; ++i) {
        h.in(". 1:1(0) ack " + std::to_string(1 + i * kMss) + " win 65535");
        h.drain();
    }
    auto seg = [](uint32_t n) { return 1 + (n - 1) * kMss; };
    // Every even segment from 12 to 30 arrives: ten ranges.
    std::vector<std::string> out;
    for (uint32_t n = 12; n <= 30; n += 2) {
        h.in(". 1:1(0) ack " + std::to_string(seg(11)) + " win 65535 <sack 1 {" +
             std::to_string(seg(n)) + ":" + std::to_string(seg(n + 1)) + "}>");
        for (auto& s : h.drain())
            out.push_back(s);
    }
    EXPECT_TRUE(h.info().in_recovery);
    bool first_resent = false;
    for (const std::string& s : out) {
        const uint32_t start = static_cast<uint32_t>(std::stoul(s.substr(2)));
        if (start == seg(11))
            first_resent = true;
        // Below new data only holes go, or the two ranges forgotten.
        if (start < seg(31)) {
            EXPECT_TRUE((start - 1) / kMss % 2 == 0 || start >= seg(28)) << s;
        }
    }
    EXPECT_TRUE(first_resent);
}

// After a timeout the go-back-N retransmission passes over SACKed data
// (Linux's tcp_enter_loss keeps it); a second timeout in a row forgets it
// (RFC 2018 section 8: the peer may have reneged).
TEST(SackRecovery, GoBackNAfterATimeoutSkipsSackedData)
{
    Harness h;
    establish_with_sack_peer(h);
    h.send(5 * kMss);
    h.drain();
    h.in(". 1:1(0) ack 1 win 65535 <sack 1 {2921:5841}>");
    h.drain();
    h.fire_deadline();
    h.out(". 1:1461(1460) ack 1 win 65535");
    h.in(". 1:1(0) ack 1461 win 65535 <sack 1 {2921:5841}>");
    h.out(". 1461:2921(1460) ack 1 win 65535");
    h.no_out(); // 2921:4381 would fit the window, but the peer has it
    h.in(". 1:1(0) ack 5841 win 65535");
    h.out("P. 5841:7301(1460) ack 1 win 65535");

    Harness g;
    establish_with_sack_peer(g);
    g.send(5 * kMss);
    g.drain();
    g.in(". 1:1(0) ack 1 win 65535 <sack 1 {2921:5841}>");
    g.drain();
    g.fire_deadline();
    g.drain();
    g.fire_deadline();
    g.out(". 1:1461(1460) ack 1 win 65535");
    g.in(". 1:1(0) ack 1461 win 65535");
    g.out(". 1461:2921(1460) ack 1 win 65535");
    g.out(". 2921:4381(1460) ack 1 win 65535");
}

} // namespace
} // namespace atcp::test
