// SPDX-License-Identifier: GPL-2.0
// Loss recovery as packet traces: RTO, retransmission, congestion control, NewReno, keepalive.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace atcp::test {
namespace {

constexpr uint32_t kMss = 1460;   // the peer offers 1460 and no timestamps: all of it is payload
constexpr uint32_t kTsMss = 1448; // with timestamps every segment carries 12 option bytes
constexpr uint64_t kRttMs = 100;  // the handshake's round trip, unless a test says otherwise
constexpr uint64_t kMs = 1000;

constexpr const char* kOurSyn =
    "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>";

// An active open the peer answers after rtt_ms with MSS 1460 and no other option, so no segment
// carries options and windows are not scaled.  The SYN's round trip is the first RTT sample.
void establish(Harness& h, uint64_t rtt_ms = kRttMs, uint16_t peer_window = 65535)
{
    h.connect();
    h.out(kOurSyn);
    h.advance_ms(rtt_ms);
    h.in("S. 0:0(0) ack 1 win " + std::to_string(peer_window) + " <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    h.no_out();
    ASSERT_EQ(h.state(), ATCP_ESTABLISHED);
}

// The same with timestamps and window scaling on both sides (RFC 7323), the SYN-ACK at 1.1 s.
void open_with_timestamps(Harness& h)
{
    h.connect();
    h.out(kOurSyn);
    h.advance_ms(kRttMs);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,TS val 1100 ecr 50>");
    h.no_out();
    ASSERT_EQ(h.state(), ATCP_ESTABLISHED);
}

// Our full-sized segment number n (from 0) of a connection made by establish().
std::string data(uint32_t n)
{
    const uint32_t start = 1 + n * kMss;
    return ". " + std::to_string(start) + ":" + std::to_string(start + kMss) + "(" +
           std::to_string(kMss) + ") ack 1 win 65535";
}

// The peer's pure ACK of our first n full-sized segments; repeated, a duplicate ACK.
std::string ack_of(uint32_t n, uint16_t window = 65535)
{
    return ". 1:1(0) ack " + std::to_string(1 + n * kMss) + " win " + std::to_string(window);
}

// RFC 6298 section 2 in exact arithmetic, to check the engine's integer microseconds against.
class RttEstimator {
  public:
    explicit RttEstimator(const atcp_params& p) : p_(p) {}

    void sample(double r_us)
    {
        if (first_) {
            srtt_ = r_us; // (2.2)
            rttvar_ = r_us / 2;
            first_ = false;
        } else {
            rttvar_ = (1 - kBeta) * rttvar_ + kBeta * std::fabs(srtt_ - r_us); // (2.3)
            srtt_ = (1 - kAlpha) * srtt_ + kAlpha * r_us;
        }
    }
    double srtt() const { return srtt_; }
    double rttvar() const { return rttvar_; }
    // (2.2), (2.3), then the bounds of (2.4) and (2.5) as tunables.
    double rto() const
    {
        return std::clamp(srtt_ + std::max(kG, 4 * rttvar_), p_.rto_min_ms * 1000.0,
                          p_.rto_max_ms * 1000.0);
    }

  private:
    static constexpr double kAlpha = 1.0 / 8;
    static constexpr double kBeta = 1.0 / 4;
    static constexpr double kG = 1000; // the clock granularity: 1 ms
    const atcp_params& p_;
    double srtt_ = 0;
    double rttvar_ = 0;
    bool first_ = true;
};

// The engine keeps microseconds in integers: allow its truncation.
void expect_rtt(const Harness& h, const RttEstimator& e,
                std::source_location where = std::source_location::current())
{
    const testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()), "rtt");
    const atcp_conn_info i = h.info();
    EXPECT_NEAR(i.rtt_us, e.srtt(), 2);
    EXPECT_NEAR(i.rttvar_us, e.rttvar(), 2);
    EXPECT_NEAR(i.rto_us, e.rto(), 4);
}

uint32_t getopt(Harness& h, atcp_option opt)
{
    return atcp_engine_getopt(&h.tcb(), opt);
}

// RFC 6298: the retransmission timeout.

TEST(Rto, InitialRtoTimesTheSyn)
{
    Harness h;
    h.params().rto_initial_ms = 1500;
    h.connect();
    h.out(kOurSyn);
    EXPECT_EQ(h.info().rto_us, 1500 * kMs); // (2.1): before any sample
    EXPECT_EQ(h.deadline_us(), Harness::kStartUs + 1500 * kMs);
    h.advance_ms(1499);
    h.no_out();
    h.advance_ms(1);
    h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 2500 ecr 0,nop,wscale 7>");
}

TEST(Rto, FirstSampleSetsSrttAndRttvar)
{
    Harness h;
    establish(h); // the SYN-ACK came 100 ms after the SYN
    // (2.2): SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 * RTTVAR) = 100 + 200 ms.
    EXPECT_EQ(h.info().rtt_us, 100 * kMs);
    EXPECT_EQ(h.info().rttvar_us, 50 * kMs);
    EXPECT_EQ(h.info().rto_us, 300 * kMs);

    // (5.1): the first data starts the timer with that RTO.
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    EXPECT_EQ(h.deadline_us(), h.now_us() + 300 * kMs);
}

TEST(Rto, LaterSamplesSmoothWithAlphaAndBeta)
{
    Harness h;
    establish(h);
    RttEstimator e(h.params());
    e.sample(kRttMs * kMs);

    // Without timestamps one new segment is timed from its send to the ACK covering it.
    h.send(1000);
    h.out("P. 1:1001(1000) ack 1 win 65535");
    h.advance_ms(200);
    h.in(". 1:1(0) ack 1001 win 65535");
    e.sample(200 * kMs);
    expect_rtt(h, e); // (2.3): RTTVAR 62.5 ms, SRTT 112.5 ms, RTO 362.5 ms

    h.send(1000);
    h.out("P. 1001:2001(1000) ack 1 win 65535");
    h.advance_ms(60);
    h.in(". 1:1(0) ack 2001 win 65535");
    e.sample(60 * kMs);
    expect_rtt(h, e);

    h.send(1000);
    h.out("P. 2001:3001(1000) ack 1 win 65535");
    h.advance_ms(300); // within the RTO of 345.9 ms
    h.no_out();
    h.in(". 1:1(0) ack 3001 win 65535");
    e.sample(300 * kMs);
    expect_rtt(h, e);
}

// RFC 7323 section 4: with timestamps each ACK that advances SND.UNA is a sample, measured from
// the TSval it echoes.  Two segments in flight keep RFC 7323 appendix G's ExpectedSamples at 1.
TEST(Rto, TimestampsGiveTheSamples)
{
    Harness h;
    open_with_timestamps(h);
    RttEstimator e(h.params());
    e.sample(kRttMs * kMs);

    h.send(kTsMss);
    h.out("P. 1:1449(1448) ack 1 win 1024 <nop,nop,TS val 1100 ecr 50>");
    h.advance_ms(80);
    h.send(kTsMss);
    h.out("P. 1449:2897(1448) ack 1 win 1024 <nop,nop,TS val 1180 ecr 50>");
    h.advance_ms(20);
    h.in(". 1:1(0) ack 1449 win 512 <nop,nop,TS val 60 ecr 1100>");
    e.sample(100 * kMs);
    expect_rtt(h, e);
    h.advance_ms(10);
    // Section 4.1: only an ACK that advances SND.UNA is a sample, not a duplicate.
    h.in(". 1:1(0) ack 1449 win 512 <nop,nop,TS val 61 ecr 1100>");
    expect_rtt(h, e);
    h.advance_ms(20);
    h.in(". 1:1(0) ack 2897 win 512 <nop,nop,TS val 62 ecr 1180>");
    e.sample(50 * kMs); // 1230 - 1180: the second segment's own round trip
    expect_rtt(h, e);
}

TEST(Rto, ClampedToRtoMin)
{
    Harness h;
    h.params().rto_min_ms = 250;
    establish(h, 10); // SRTT 10 ms + 4 * 5 ms is below the floor
    EXPECT_EQ(h.info().rtt_us, 10 * kMs);
    EXPECT_EQ(h.info().rto_us, 250 * kMs);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    h.advance_ms(249);
    h.no_out();
    h.advance_ms(1);
    h.out("P. 1:101(100) ack 1 win 65535");
}

// (2.5): the maximum bounds the computed RTO, and (5.5) the backed-off one too.
TEST(Rto, ClampedToRtoMax)
{
    Harness h;
    h.params().rto_initial_ms = 3000;
    h.params().rto_max_ms = 2000;
    establish(h, 1500); // SRTT 1.5 s + 4 * 0.75 s = 4.5 s
    EXPECT_EQ(h.info().rtt_us, 1500 * kMs);
    EXPECT_EQ(h.info().rto_us, 2000 * kMs);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    const uint64_t sent = h.now_us();
    h.fire_deadline();
    h.out("P. 1:101(100) ack 1 win 65535");
    EXPECT_EQ(h.now_us(), sent + 2000 * kMs);
    h.fire_deadline();
    h.out("P. 1:101(100) ack 1 win 65535");
    EXPECT_EQ(h.now_us(), sent + 4000 * kMs); // 2 s again, not 4
}

// Section 3: no RTT sample from a segment that was retransmitted.
TEST(Rto, KarnTakesNoSampleFromATimedOutSegment)
{
    Harness h;
    establish(h); // RTO 300 ms
    h.send(1000);
    h.out("P. 1:1001(1000) ack 1 win 65535");
    h.fire_deadline();
    h.out("P. 1:1001(1000) ack 1 win 65535");
    h.advance_ms(50);
    h.in(". 1:1(0) ack 1001 win 65535"); // 350 ms after the first send, 50 after the second
    EXPECT_EQ(h.info().rtt_us, 100 * kMs);
    EXPECT_EQ(h.info().rttvar_us, 50 * kMs);
}

TEST(Rto, KarnTakesNoSampleFromAFastRetransmission)
{
    Harness h;
    establish(h);
    h.send(4 * kMss);
    for (uint32_t n = 0; n < 3; ++n)
        h.out(data(n));
    h.out("P. 4381:5841(1460) ack 1 win 65535");
    h.advance_ms(50);
    for (int dup = 0; dup < 3; ++dup)
        h.in(ack_of(0));
    h.out(data(0));
    h.advance_ms(200);
    h.in(ack_of(4)); // 250 ms after the first transmission of the timed segment
    EXPECT_EQ(h.info().rtt_us, 100 * kMs);
    EXPECT_EQ(h.info().rttvar_us, 50 * kMs);
    EXPECT_EQ(h.info().rto_us, 300 * kMs);
}

// (5.5) doubles RTO; only a new RTT measurement recomputes it (the note after (5.7)), so the
// ACK of a retransmission, which Karn's rule leaves unmeasured, keeps the backed-off value.
TEST(Rto, KarnKeepsTheBackedOffRtoUntilAValidSample)
{
    Harness h;
    establish(h); // RTO 300 ms
    h.send(1000);
    h.out("P. 1:1001(1000) ack 1 win 65535");
    h.fire_deadline();
    h.out("P. 1:1001(1000) ack 1 win 65535");
    h.advance_ms(50);
    h.in(". 1:1(0) ack 1001 win 65535");

    h.send(1000);
    h.out("P. 1001:2001(1000) ack 1 win 65535");
    EXPECT_EQ(h.deadline_us(), h.now_us() + 600 * kMs);

    h.advance_ms(100);
    h.in(". 1:1(0) ack 2001 win 65535"); // new data, first sent: a valid sample
    RttEstimator e(h.params());
    e.sample(kRttMs * kMs);
    e.sample(100 * kMs);
    expect_rtt(h, e);
    h.send(1000);
    h.out("P. 2001:3001(1000) ack 1 win 65535");
    EXPECT_EQ(h.deadline_us(), h.now_us() + 250 * kMs); // collapsed to the new RTO
}

// (5.7): a SYN timed out and the handshake gave no sample: data starts with an RTO of 3 s.
TEST(Rto, SynTimeoutLeavesThreeSecondsForData)
{
    Harness h;
    h.connect();
    h.out(kOurSyn);
    h.fire_deadline();
    h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 2000 ecr 0,nop,wscale 7>");
    h.advance_ms(100);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_EQ(h.info().rtt_us, 0u); // Karn: the SYN-ACK may answer either SYN
    EXPECT_EQ(h.info().rto_us, 3000 * kMs);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    EXPECT_EQ(h.deadline_us(), h.now_us() + 3000 * kMs);
}

// RFC 6298 section 5: retransmission in virtual time.

TEST(Retransmit, TimeoutResendsTheFirstSegmentAndBacksOff)
{
    Harness h;
    establish(h); // RTO 300 ms
    h.send(3 * kMss);
    h.out(data(0));
    h.out(data(1));
    h.out("P. 2921:4381(1460) ack 1 win 65535");
    h.no_out();
    const uint64_t sent = h.now_us();

    // (5.4) the earliest unacknowledged segment alone, the loss window being one segment;
    // (5.5) RTO doubles each time.
    const uint64_t expiries_ms[] = {300, 900, 2100, 4500, 9300};
    for (uint8_t k = 1; k <= 5; ++k) {
        h.fire_deadline();
        EXPECT_EQ(h.now_us(), sent + expiries_ms[k - 1] * kMs) << "expiry " << int{k};
        h.out(data(0));
        h.no_out();
        const atcp_conn_info i = h.info();
        EXPECT_EQ(i.retransmits, k);
        EXPECT_EQ(i.backoff, k);
        EXPECT_EQ(i.total_retrans, k);
        // What the timer waits now, backed off (Linux's tcpi_rto, FreeBSD's t_rxtcur).
        EXPECT_EQ(i.rto_us, (300u << k) * kMs);
    }
    // RFC 4022: retransmissions are counted apart from new segments.
    EXPECT_EQ(h.mib().retrans_segs, 5);
    EXPECT_EQ(h.mib().out_segs, 5); // SYN, ACK and three segments of data
    EXPECT_EQ(h.mib().out_rsts, 0);
    EXPECT_EQ(h.info().unacked, 3 * kMss);
}

// Go-back-N: after a timeout, snd_nxt returns to snd_una and the window resends what follows.
TEST(Retransmit, GoesBackToSndUna)
{
    Harness h;
    establish(h);
    h.send(3 * kMss);
    h.out(data(0));
    h.out(data(1));
    h.out("P. 2921:4381(1460) ack 1 win 65535");
    h.fire_deadline();
    h.out(data(0));
    h.no_out();
    h.advance_ms(50);
    h.in(ack_of(1)); // cwnd 2 segments: the rest goes again
    h.out(data(1));
    h.out("P. 2921:4381(1460) ack 1 win 65535");
    h.no_out();
    EXPECT_EQ(h.mib().retrans_segs, 3);
    EXPECT_EQ(h.info().total_retrans, 3u);
    h.in(ack_of(3));
    EXPECT_EQ(h.info().unacked, 0u);
    EXPECT_EQ(h.deadline_us(), 0u); // (5.2): all acknowledged, the timer stops
}

// An ACK with a valid sample (timestamps) ends the backoff: RTO is recomputed, not doubled.
TEST(Retransmit, NewAckResetsTheBackoff)
{
    Harness h;
    open_with_timestamps(h); // RTO 300 ms
    h.send(2 * kTsMss);
    h.out(". 1:1449(1448) ack 1 win 1024 <nop,nop,TS val 1100 ecr 50>");
    h.out("P. 1449:2897(1448) ack 1 win 1024 <nop,nop,TS val 1100 ecr 50>");
    // The peer SACKs: the loss probe goes first, 2 * SRTT + 2 ms after
    // (RFC 8985 7.2), then the RTO runs from it.
    h.fire_deadline();
    h.out("P. 1449:2897(1448) ack 1 win 1024 <nop,nop,TS val 1302 ecr 50>");
    h.fire_deadline();
    h.out(". 1:1449(1448) ack 1 win 1024 <nop,nop,TS val 1602 ecr 50>");
    h.fire_deadline();
    h.out(". 1:1449(1448) ack 1 win 1024 <nop,nop,TS val 2202 ecr 50>");
    EXPECT_EQ(h.info().backoff, 2);
    EXPECT_EQ(h.info().retransmits, 2);

    h.advance_ms(100);
    h.in(". 1:1(0) ack 1449 win 512 <nop,nop,TS val 60 ecr 2202>");
    RttEstimator e(h.params());
    e.sample(kRttMs * kMs);
    e.sample(100 * kMs);
    expect_rtt(h, e);
    EXPECT_EQ(h.info().backoff, 0);
    EXPECT_EQ(h.info().retransmits, 0);
    // (5.3): the timer restarts with the current RTO for what is still in flight.
    EXPECT_EQ(h.deadline_us(), h.now_us() + 250 * kMs);
}

TEST(Retransmit, GivesUpAfterDataRetries)
{
    Harness h;
    h.params().data_retries = 3;
    establish(h); // RTO 300 ms
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    const uint64_t sent = h.now_us();
    for (int k = 0; k < 3; ++k) {
        h.fire_deadline();
        h.out("P. 1:101(100) ack 1 win 65535");
    }
    EXPECT_EQ(h.now_us(), sent + 2100 * kMs);
    h.advance_ms(2399);
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);

    // The fourth expiry finds the retries spent: drop with a RST, as FreeBSD's tcp_drop.
    h.advance_ms(1);
    h.out("R 101:101(0) win 0");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_RELEASE);
    EXPECT_EQ(h.deadline_us(), 0u);
    EXPECT_EQ(h.mib().retrans_segs, 3);
    EXPECT_EQ(h.mib().out_rsts, 1);
    EXPECT_EQ(h.mib().estab_resets, 1);
    EXPECT_EQ(h.mib().curr_estab, 0);
}

// The RST carries the highest sequence number sent, as FreeBSD's tcp_output sets it for an RST
// without data (snd_max): a peer that got all the data has RCV.NXT there and would drop an RST
// from below its window (RFC 9293 3.10.7.4), such as one at go-back-N's snd_nxt.
TEST(Retransmit, GiveUpResetCarriesTheHighestSequenceSent)
{
    Harness h;
    h.params().data_retries = 1;
    establish(h);
    h.send(3 * kMss);
    h.out(data(0));
    h.out(data(1));
    h.out("P. 2921:4381(1460) ack 1 win 65535");
    h.fire_deadline();
    h.out(data(0));
    h.fire_deadline();
    h.out("R 4381:4381(0) win 0");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
}

// RFC 5482, RFC 9293 3.10.8: the user timeout ends the connection before the retries do.
TEST(Retransmit, UserTimeoutEndsItBeforeTheRetries)
{
    Harness h;
    establish(h); // data_retries 15
    ASSERT_EQ(h.setopt(ATCP_OPTION_USER_TIMEOUT, 1000), 0);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    h.advance_ms(10000);
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
    EXPECT_LT(h.mib().retrans_segs, 15);
    EXPECT_EQ(h.mib().out_rsts, 1);
    const std::vector<std::string> sent = h.drain();
    ASSERT_FALSE(sent.empty());
    EXPECT_PRED2(matches, "R 101:101(0) win 0", sent.back());
}

// RFC 5482 section 1: the user timeout bounds how long transmitted data may remain
// unacknowledged, so it runs from the data's first transmission, not from the first timeout.
TEST(Retransmit, UserTimeoutRunsFromTheTransmission)
{
    Harness h;
    establish(h); // RTO 300 ms: timeouts at 300 and 900 ms, then 2100 ms
    ASSERT_EQ(h.setopt(ATCP_OPTION_USER_TIMEOUT, 1000), 0);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    h.advance_ms(999);
    h.out("P. 1:101(100) ack 1 win 65535");
    h.out("P. 1:101(100) ack 1 win 65535");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    h.advance_ms(1);
    h.out("R 101:101(0) win 0");
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
}

TEST(Retransmit, SynRetriesEndInTimedOut)
{
    Harness h;
    h.params().syn_retries = 3;
    h.connect();
    h.out(kOurSyn);
    // RTO 1 s, doubling: again at 1, 3 and 7 s; given up at 15 s.
    const uint64_t expiries_ms[] = {1000, 3000, 7000};
    for (const uint64_t at : expiries_ms) {
        h.fire_deadline();
        EXPECT_EQ(h.now_us(), Harness::kStartUs + at * kMs);
        h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val " +
              std::to_string(Harness::kStartUs / kMs + at) + " ecr 0,nop,wscale 7>");
    }
    h.advance_ms(7999);
    h.no_out();
    h.expect_state(ATCP_SYN_SENT);
    h.advance_ms(1);
    h.no_out(); // nothing synchronized: no RST (RFC 9293 3.10.5)
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
    EXPECT_EQ(h.mib().retrans_segs, 3);
    EXPECT_EQ(h.mib().out_segs, 1);
    EXPECT_EQ(h.mib().out_rsts, 0);
    EXPECT_EQ(h.mib().attempt_fails, 1);
}

// A passive open whose SYN-ACK is never answered: no RST, as nothing was synchronized.
TEST(Retransmit, SynAckRetriesEndThePassiveOpen)
{
    Harness h;
    h.params().syn_retries = 2;
    h.accept("S 0:0(0) win 65535 <mss 1460>");
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.fire_deadline();
    EXPECT_EQ(h.now_us(), Harness::kStartUs + 1000 * kMs);
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.fire_deadline();
    EXPECT_EQ(h.now_us(), Harness::kStartUs + 3000 * kMs);
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.fire_deadline();
    EXPECT_EQ(h.now_us(), Harness::kStartUs + 7000 * kMs);
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_RELEASE);
    EXPECT_EQ(h.mib().retrans_segs, 2);
    EXPECT_EQ(h.mib().attempt_fails, 1);
}

// RFC 5681 section 3.1: slow start, congestion avoidance, the loss window.

TEST(Congestion, SlowStartOpensOneSegmentPerAck)
{
    Harness h;
    establish(h);
    EXPECT_EQ(h.info().snd_cwnd, 10 * kMss); // RFC 6928: min(10 MSS, max(2 MSS, 14600))
    h.send(30 * kMss);
    for (uint32_t n = 0; n < 10; ++n)
        h.out(data(n));
    h.no_out();

    // cwnd += min(N, SMSS) for each ACK of new data.
    h.advance_ms(kRttMs);
    h.in(ack_of(1));
    EXPECT_EQ(h.info().snd_cwnd, 11 * kMss);
    h.out(data(10));
    h.out(data(11));
    h.no_out();
    h.in(ack_of(3)); // two segments in one ACK still open one SMSS
    EXPECT_EQ(h.info().snd_cwnd, 12 * kMss);
    h.out(data(12));
    h.out(data(13));
    h.out(data(14));
    h.no_out();
    h.in(". 1:1(0) ack 4381 win 60000"); // a window update acknowledges nothing new: no growth
    EXPECT_EQ(h.info().snd_cwnd, 12 * kMss);
}

// RFC 5681 equation (4) with FlightSize, not cwnd; then the loss window of one segment.
TEST(Congestion, TimeoutHalvesFlightSizeAndLeavesOneSegment)
{
    Harness h;
    establish(h);
    h.send(6 * kMss); // cwnd is 10 segments, 6 in flight
    for (uint32_t n = 0; n < 5; ++n)
        h.out(data(n));
    h.out("P. 7301:8761(1460) ack 1 win 65535");
    h.fire_deadline();
    h.out(data(0));
    h.no_out();
    EXPECT_EQ(h.info().snd_ssthresh, 3 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, kMss);

    // The same segment timed out again: ssthresh is held (section 3.1), cwnd stays one segment.
    h.fire_deadline();
    h.out(data(0));
    EXPECT_EQ(h.info().snd_ssthresh, 3 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, kMss);
}

TEST(Congestion, TimeoutSsthreshIsAtLeastTwoSegments)
{
    Harness h;
    establish(h);
    h.send(kMss);
    h.out("P. 1:1461(1460) ack 1 win 65535");
    h.fire_deadline();
    h.out("P. 1:1461(1460) ack 1 win 65535");
    EXPECT_EQ(h.info().snd_ssthresh, 2 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, kMss);
}

// Above ssthresh, cwnd grows by one SMSS per cwnd of bytes acknowledged: one per round trip.
TEST(Congestion, AvoidanceOpensOneSegmentPerRoundTrip)
{
    Harness h;
    establish(h);
    h.send(4 * kMss);
    for (uint32_t n = 0; n < 3; ++n)
        h.out(data(n));
    h.out("P. 4381:5841(1460) ack 1 win 65535");
    h.fire_deadline(); // ssthresh 2 segments, cwnd 1
    h.out(data(0));
    h.in(ack_of(4)); // the rest had arrived: slow start takes cwnd to ssthresh
    EXPECT_EQ(h.info().snd_ssthresh, 2 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, 2 * kMss);

    h.send(40 * kMss);
    h.out(data(4));
    h.out(data(5));
    h.no_out();
    // Round trip 1: two ACKs; cwnd opens at the second.
    h.advance_ms(kRttMs);
    h.in(ack_of(5));
    EXPECT_EQ(h.info().snd_cwnd, 2 * kMss);
    h.out(data(6));
    h.in(ack_of(6));
    EXPECT_EQ(h.info().snd_cwnd, 3 * kMss);
    h.out(data(7));
    h.out(data(8));
    h.no_out();
    // Round trip 2: three ACKs.
    h.advance_ms(kRttMs);
    h.in(ack_of(7));
    h.in(ack_of(8));
    EXPECT_EQ(h.info().snd_cwnd, 3 * kMss);
    h.in(ack_of(9));
    EXPECT_EQ(h.info().snd_cwnd, 4 * kMss);
    for (uint32_t n = 9; n < 13; ++n)
        h.out(data(n));
    h.no_out();
}

// RFC 5681 3.2 and RFC 6582 3.2: fast retransmit and NewReno fast recovery.

// Ten segments in flight and no more to send, so limited transmit stays out of the way.
void ten_in_flight(Harness& h)
{
    establish(h);
    h.send(10 * kMss);
    for (uint32_t n = 0; n < 9; ++n)
        h.out(data(n));
    h.out("P. 13141:14601(1460) ack 1 win 65535");
    h.no_out();
    h.advance_ms(kRttMs);
}

TEST(FastRecovery, ThirdDupackRetransmitsAndInflates)
{
    Harness h;
    ten_in_flight(h); // segment 0 is lost
    h.in(ack_of(0));
    h.in(ack_of(0));
    h.no_out();
    EXPECT_EQ(h.info().in_recovery, 0);
    EXPECT_EQ(h.info().snd_cwnd, 10 * kMss); // the first two change nothing, with no new data

    h.in(ack_of(0));
    h.out(data(0));
    h.no_out();
    EXPECT_EQ(h.info().in_recovery, 1);
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss); // max(FlightSize / 2, 2 * SMSS)
    EXPECT_EQ(h.info().snd_cwnd, 8 * kMss);     // ssthresh + 3 * SMSS
    EXPECT_EQ(h.mib().retrans_segs, 1);
    EXPECT_EQ(h.info().total_retrans, 1u);

    // More data to send; each further dupack inflates cwnd by one SMSS and new data goes
    // once cwnd exceeds the 10 segments in flight.
    h.send(10 * kMss);
    h.no_out();
    h.in(ack_of(0));
    h.in(ack_of(0));
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 10 * kMss);
    h.in(ack_of(0));
    EXPECT_EQ(h.info().snd_cwnd, 11 * kMss);
    h.out(data(10));
    h.no_out();
    h.in(ack_of(0));
    h.out(data(11));
    h.in(ack_of(0));
    h.out(data(12));
    h.in(ack_of(0)); // the ninth and last: segments 1 to 9 have arrived
    h.out(data(13));
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 14 * kMss);
    EXPECT_EQ(h.mib().retrans_segs, 1);
    EXPECT_EQ(h.mib().out_segs, 16); // SYN, ACK and segments 0 to 13 once each

    // Full acknowledgment (ack >= recover): cwnd = min(ssthresh, FlightSize + SMSS).
    h.in(ack_of(10));
    EXPECT_EQ(h.info().in_recovery, 0);
    EXPECT_EQ(h.info().snd_cwnd, 5 * kMss); // FlightSize 4 segments
    h.out(data(14));
    h.no_out();

    // Segment 11 is lost in the next window: three dupacks above recover retransmit it.
    h.in(ack_of(11));
    h.out(data(15));
    h.in(ack_of(11));
    h.out(data(16)); // limited transmit
    h.in(ack_of(11));
    h.out(data(17));
    h.in(ack_of(11));
    h.out(data(11));
    h.no_out();
    EXPECT_EQ(h.info().in_recovery, 1);
    EXPECT_EQ(h.mib().retrans_segs, 2);
}

TEST(FastRecovery, PartialAckRetransmitsTheNextHoleAndDeflates)
{
    Harness h;
    ten_in_flight(h); // segments 0 and 4 are lost
    for (int dup = 0; dup < 3; ++dup)
        h.in(ack_of(0));
    h.out(data(0));
    for (int dup = 0; dup < 5; ++dup)
        h.in(ack_of(0)); // from segments 5 to 9
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 13 * kMss);

    // Segment 0 filled the first hole: the ACK stops at the second.
    h.advance_ms(kRttMs);
    h.in(ack_of(4));
    h.out(data(4));
    h.no_out();
    EXPECT_EQ(h.info().in_recovery, 1);
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss);
    // Deflate by the 4 segments acknowledged, add back one SMSS: 13 - 4 + 1.
    EXPECT_EQ(h.info().snd_cwnd, 10 * kMss);
    // RFC 6582 3.2 step 3: the first partial ACK resets the retransmit timer.
    EXPECT_EQ(h.deadline_us(), h.now_us() + h.info().rto_us);
    EXPECT_EQ(h.mib().retrans_segs, 2);

    // Further dupacks in the same recovery inflate; no second fast retransmit.
    for (int dup = 0; dup < 3; ++dup)
        h.in(ack_of(4));
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 13 * kMss);
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss);

    // Full acknowledgment with nothing in flight: min(ssthresh, max(FlightSize, SMSS) + SMSS).
    h.advance_ms(kRttMs);
    h.in(ack_of(10));
    EXPECT_EQ(h.info().in_recovery, 0);
    EXPECT_EQ(h.info().snd_cwnd, 2 * kMss);
    EXPECT_EQ(h.mib().retrans_segs, 2);
}

// RFC 9293 3.9.1.2: the segment that ends the data carries PSH, and so does its
// retransmission (as Linux's and BSD's do): here the partial ACK of RFC 6582 3.2
// step 3 resends the last segment of the write.
TEST(FastRecovery, RetransmissionOfTheLastSegmentKeepsPsh)
{
    Harness h;
    establish(h);
    h.send(5 * kMss); // segments 0 and 4 are lost
    for (uint32_t n = 0; n < 4; ++n)
        h.out(data(n));
    h.out("P. 5841:7301(1460) ack 1 win 65535");
    h.no_out();
    h.advance_ms(kRttMs);
    for (int dup = 0; dup < 3; ++dup)
        h.in(ack_of(0));
    h.out(data(0));
    h.no_out();
    h.advance_ms(kRttMs);
    h.in(ack_of(4));
    h.out("P. 5841:7301(1460) ack 1 win 65535");
    h.no_out();
    EXPECT_EQ(h.mib().retrans_segs, 2);
}

// RFC 6582 section 4: after a timeout, recover is the highest sequence number sent, and
// duplicate ACKs that do not cover more than it start no fast retransmit.
TEST(FastRecovery, NoFastRetransmitForDupacksAfterATimeout)
{
    Harness h;
    establish(h);
    h.send(3 * kMss);
    h.out(data(0));
    h.out(data(1));
    h.out("P. 2921:4381(1460) ack 1 win 65535");
    h.fire_deadline();
    h.out(data(0));
    h.in(ack_of(1));
    h.out(data(1));
    h.out("P. 2921:4381(1460) ack 1 win 65535");
    h.no_out();
    EXPECT_EQ(h.info().snd_ssthresh, 2 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, 2 * kMss);

    for (int dup = 0; dup < 3; ++dup)
        h.in(ack_of(1)); // ack 1461 is below recover 4381
    h.no_out();
    EXPECT_EQ(h.info().in_recovery, 0);
    EXPECT_EQ(h.info().snd_ssthresh, 2 * kMss);
    EXPECT_EQ(h.info().snd_cwnd, 2 * kMss);
    EXPECT_EQ(h.mib().retrans_segs, 3);
}

// RFC 3042: each of the first two duplicate ACKs sends one new segment, cwnd unchanged.
TEST(FastRecovery, LimitedTransmitSendsOneSegmentPerEarlyDupack)
{
    Harness h;
    establish(h);
    h.send(20 * kMss);
    for (uint32_t n = 0; n < 10; ++n)
        h.out(data(n));
    h.no_out();
    h.advance_ms(kRttMs);
    h.in(ack_of(0));
    h.out(data(10));
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 10 * kMss);
    h.in(ack_of(0));
    h.out(data(11));
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 10 * kMss);
    EXPECT_EQ(h.mib().retrans_segs, 0);
    h.in(ack_of(0));
    h.out(data(0));
    h.no_out();
}

// RFC 5681 3.2 step 2: "When [RFC3042] is in use, additional data sent in limited transmit
// MUST NOT be included in this calculation" of ssthresh.
TEST(FastRecovery, SsthreshLeavesOutLimitedTransmitData)
{
    Harness h;
    establish(h);
    h.send(20 * kMss);
    for (uint32_t n = 0; n < 10; ++n)
        h.out(data(n));
    h.advance_ms(kRttMs);
    h.in(ack_of(0));
    h.out(data(10));
    h.in(ack_of(0));
    h.out(data(11));
    h.in(ack_of(0));
    h.out(data(0));
    h.no_out();
    EXPECT_EQ(h.info().snd_ssthresh, 5 * kMss); // half the 10 segments, not of 12
    EXPECT_EQ(h.info().snd_cwnd, 8 * kMss);
}

// RFC 3042: only "if the receiver's advertised window allows".
TEST(FastRecovery, LimitedTransmitNeedsTheReceiveWindow)
{
    Harness h;
    establish(h, kRttMs, 10 * kMss);
    h.send(20 * kMss);
    for (uint32_t n = 0; n < 10; ++n)
        h.out(data(n));
    h.no_out();
    h.advance_ms(kRttMs);
    h.in(ack_of(0, 10 * kMss));
    h.in(ack_of(0, 10 * kMss));
    h.no_out();
    h.in(ack_of(0, 10 * kMss));
    h.out(data(0));
    h.no_out();
}

// RFC 1122 4.2.3.6, RFC 9293 3.8.4: keepalive.

TEST(Keepalive, NoProbesUnlessEnabled)
{
    Harness h;
    establish(h);
    h.advance_ms(3 * 3600 * kMs);
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
}

TEST(Keepalive, FirstProbeAfterTheIdleTime)
{
    Harness h;
    establish(h);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPALIVE, 1), 0);
    // params(): two hours idle, then every 75 s.  A probe is <SEQ=SND.UNA-1> with no data.
    h.advance_ms(h.params().keepalive_idle_ms - 1);
    h.no_out();
    h.advance_ms(1);
    h.out(". 0:0(0) ack 1 win 65535");
    h.no_out();
    h.advance_ms(h.params().keepalive_intvl_ms - 1);
    h.no_out();
    h.advance_ms(1);
    h.out(". 0:0(0) ack 1 win 65535");
    EXPECT_EQ(h.mib().retrans_segs, 0); // no octet is sent again
}

TEST(Keepalive, UnansweredProbesTimeOut)
{
    Harness h;
    establish(h);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPIDLE, 10), 0);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPINTVL, 5), 0);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPCNT, 3), 0);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPALIVE, 1), 0);
    const uint64_t idle_from = h.now_us();
    for (const uint64_t at_s : {10, 15, 20}) {
        h.fire_deadline();
        EXPECT_EQ(h.now_us(), idle_from + at_s * 1000 * kMs);
        h.out(". 0:0(0) ack 1 win 65535");
        h.no_out();
    }
    h.fire_deadline();
    EXPECT_EQ(h.now_us(), idle_from + 25 * 1000 * kMs);
    h.out("R 1:1(0) win 0");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
    EXPECT_EQ(h.mib().out_rsts, 1);
    EXPECT_EQ(h.mib().out_segs, 6); // SYN, ACK, three probes, RST
}

TEST(Keepalive, AnswerResetsTheProbes)
{
    Harness h;
    establish(h);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPIDLE, 10), 0);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPINTVL, 5), 0);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPCNT, 2), 0);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPALIVE, 1), 0);
    h.advance_ms(15000);
    h.out(". 0:0(0) ack 1 win 65535");
    h.out(". 0:0(0) ack 1 win 65535");
    h.advance_ms(2000);
    h.in(". 1:1(0) ack 1 win 65535"); // the answer: idle time and count start over
    h.no_out();
    h.advance_ms(9999);
    h.no_out();
    h.advance_ms(1);
    h.out(". 0:0(0) ack 1 win 65535");
    h.advance_ms(5000);
    h.out(". 0:0(0) ack 1 win 65535");
    h.advance_ms(4999);
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    h.advance_ms(1);
    h.out("R 1:1(0) win 0");
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
}

TEST(Keepalive, TrafficPostponesTheProbe)
{
    Harness h;
    establish(h);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPIDLE, 10), 0);
    ASSERT_EQ(h.setopt(ATCP_OPTION_KEEPALIVE, 1), 0);
    h.advance_ms(6000);
    h.in("P. 1:101(100) ack 1 win 65535");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 101 win 65535");
    h.advance_ms(10000 - h.params().delack_ms - 1);
    h.no_out();
    h.advance_ms(1);
    h.out(". 0:0(0) ack 101 win 65535");
}

// Values out of range are refused and change nothing (include/atcp/engine.h).

TEST(Setopt, OutOfRangeValuesLeaveTheOptionUnchanged)
{
    Harness h;
    establish(h);
    const struct {
        atcp_option opt;
        uint32_t bad;
    } refused[] = {
        {ATCP_OPTION_KEEPIDLE, 0},
        {ATCP_OPTION_KEEPIDLE, 32768},
        {ATCP_OPTION_KEEPINTVL, 0},
        {ATCP_OPTION_KEEPINTVL, 32768},
        {ATCP_OPTION_KEEPCNT, 0},
        {ATCP_OPTION_KEEPCNT, 128},
        {ATCP_OPTION_USER_TIMEOUT, 1u << 31},
        {ATCP_OPTION_MAXSEG, 87},
        {ATCP_OPTION_MAXSEG, 1u << 16},
        {ATCP_OPTION_RCVBUF, 2047},
    };
    for (const auto& r : refused) {
        const uint32_t before = getopt(h, r.opt);
        EXPECT_EQ(h.setopt(r.opt, r.bad), -1) << "option " << r.opt << " value " << r.bad;
        EXPECT_EQ(getopt(h, r.opt), before) << "option " << r.opt << " value " << r.bad;
    }
    h.no_out();

    // The limits themselves are accepted.
    EXPECT_EQ(h.setopt(ATCP_OPTION_KEEPIDLE, 32767), 0);
    EXPECT_EQ(getopt(h, ATCP_OPTION_KEEPIDLE), 32767u);
    EXPECT_EQ(h.setopt(ATCP_OPTION_KEEPINTVL, 1), 0);
    EXPECT_EQ(getopt(h, ATCP_OPTION_KEEPINTVL), 1u);
    EXPECT_EQ(h.setopt(ATCP_OPTION_KEEPCNT, 127), 0);
    EXPECT_EQ(getopt(h, ATCP_OPTION_KEEPCNT), 127u);
    EXPECT_EQ(h.setopt(ATCP_OPTION_USER_TIMEOUT, 0x7fffffff), 0);
    EXPECT_EQ(getopt(h, ATCP_OPTION_USER_TIMEOUT), 0x7fffffffu);

    // A refused value after a good one keeps the good one.
    EXPECT_EQ(h.setopt(ATCP_OPTION_USER_TIMEOUT, 5000), 0);
    EXPECT_EQ(h.setopt(ATCP_OPTION_USER_TIMEOUT, 0xffffffff), -1);
    EXPECT_EQ(getopt(h, ATCP_OPTION_USER_TIMEOUT), 5000u);
    EXPECT_EQ(h.setopt(ATCP_OPTION_KEEPCNT, 3), 0);
    EXPECT_EQ(h.setopt(ATCP_OPTION_KEEPCNT, 200), -1);
    EXPECT_EQ(getopt(h, ATCP_OPTION_KEEPCNT), 3u);
}

} // namespace
} // namespace atcp::test
