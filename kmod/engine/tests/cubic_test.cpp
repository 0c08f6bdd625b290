// SPDX-License-Identifier: GPL-2.0
// CUBIC (RFC 9438) and HyStart++ (RFC 9406) as traces of the congestion window
// over virtual time, checked against the RFCs' formulas in exact arithmetic;
// TCP_CONGESTION in the engine.
#include "harness.hpp"

#include <gtest/gtest.h>

#include "../congestion.hpp"
#include "../tcb.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace atcp::test {
namespace {

constexpr uint64_t kMs = 1000;

// A bulk sender and a scripted receiver that acknowledges every segment one
// round trip after it was sent, as a path with a fixed RTT and no
// bottleneck queue would; the test picks the RTT of each round and which
// segments the path loses.
class Pipe {
  public:
    Pipe(atcp_cc cc, bool timestamps, uint64_t rtt_ms) : ts_(timestamps)
    {
        h.params().congestion = static_cast<uint8_t>(cc);
        // NewReno recovery takes two round trips here, and does not restart
        // the retransmission timer: keep a timeout out of it.
        h.params().rto_min_ms = static_cast<uint32_t>(std::max<uint64_t>(1000, 4 * rtt_ms));
        h.connect();
        h.drain();
        h.advance_ms(rtt_ms);
        h.in(timestamps
                 ? "S. 0:0(0) ack 1 win 65535 <mss 1460,TS val 1 ecr " + now_ms() + ",nop,wscale 7>"
                 : std::string("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>"));
        EXPECT_EQ(h.state(), ATCP_ESTABLISHED);
        h.drain();
        h.send(1u << 30);
        take_sent();
    }

    // One round trip: each segment sent since the last round arrives (or is
    // lost) and is acknowledged alone, and what that releases goes out.
    void round(uint64_t rtt_ms)
    {
        std::vector<Sent> batch;
        batch.swap(flight_);
        h.advance_ms(rtt_ms);
        for (const Sent& s : batch) {
            if (lose_.erase(s.start) == 0)
                arrive(s.start, s.end);
            std::string ack = ". 1:1(0) ack " + std::to_string(rcv_nxt_) + " win 65535";
            if (ts_)
                ack += " <nop,nop,TS val " + std::to_string(++ts_val_) + " ecr " +
                       std::to_string(s.sent_ms) + ">";
            h.in(ack);
            take_sent();
        }
        ++rounds_;
    }

    // The first transmission of the segment that starts at this relative
    // sequence number is lost.
    void lose(uint32_t start) { lose_[start] = true; }
    // The first segment not yet acknowledged.
    uint32_t flight_start() const { return flight_.front().start; }
    // The next new segment's sequence number.
    uint32_t next_seq() const { return next_seq_; }
    uint32_t mss() const { return h.info().snd_mss; }
    uint32_t cwnd_segs() const { return h.info().snd_cwnd / mss(); }
    const Tcb& tcb() { return tcb_of(&h.tcb()); }
    uint32_t in_flight() const { return static_cast<uint32_t>(flight_.size()); }

    Harness h;

  private:
    struct Sent {
        uint32_t start;
        uint32_t end;
        uint64_t sent_ms;
    };

    std::string now_ms() const { return std::to_string(h.now_us() / 1000); }

    void arrive(uint32_t start, uint32_t end)
    {
        if (start != rcv_nxt_) {
            held_[start] = end;
            return;
        }
        rcv_nxt_ = end;
        for (auto it = held_.begin(); it != held_.end() && it->first <= rcv_nxt_;) {
            rcv_nxt_ = std::max(rcv_nxt_, it->second);
            it = held_.erase(it);
        }
    }

    void take_sent()
    {
        for (const std::string& seg : h.drain()) {
            uint32_t start = 0;
            uint32_t end = 0;
            if (std::sscanf(seg.c_str(), "%*s %u:%u", &start, &end) != 2 || start == end)
                continue;
            flight_.push_back(Sent{start, end, h.now_us() / 1000});
            next_seq_ = std::max(next_seq_, end);
        }
    }

    bool ts_;
    uint32_t ts_val_ = 1;
    uint32_t rcv_nxt_ = 1;
    uint32_t next_seq_ = 1;
    uint32_t rounds_ = 0;
    std::vector<Sent> flight_;
    std::map<uint32_t, uint32_t> held_;
    std::map<uint32_t, bool> lose_;
};

// Equation (1) in segments and seconds.
double w_cubic(double t, double k, double w_max)
{
    return 0.4 * std::pow(t - k, 3) + w_max;
}

// Slow start to about `segs` segments, then one loss and NewReno's recovery
// of it; returns cwnd (segments) at the loss.  The next round is the first
// of congestion avoidance.
uint32_t slow_start_then_lose(Pipe& p, uint32_t segs, uint64_t rtt_ms)
{
    while (p.cwnd_segs() < segs)
        p.round(rtt_ms);
    const uint32_t at_loss = p.cwnd_segs();
    p.lose(p.flight_start()); // every ACK of the round is a duplicate
    p.round(rtt_ms);          // fast retransmit
    EXPECT_TRUE(p.h.info().in_recovery);
    p.round(rtt_ms); // the retransmission arrives: recovery ends
    EXPECT_FALSE(p.h.info().in_recovery);
    return at_loss;
}

TEST(Cubic, CubeRootIsExact)
{
    EXPECT_EQ(cube_root(0), 0u);
    EXPECT_EQ(cube_root(1), 1u);
    EXPECT_EQ(cube_root(7), 1u);
    EXPECT_EQ(cube_root(8), 2u);
    for (uint64_t n = 2; n < 2642245; n = n * 3 / 2 + 1) {
        EXPECT_EQ(cube_root(n * n * n), n);
        EXPECT_EQ(cube_root(n * n * n - 1), n - 1);
        EXPECT_EQ(cube_root(n * n * n + 3 * n * n), n); // below (n + 1)^3
    }
    EXPECT_EQ(cube_root(UINT64_MAX), 2642245u); // 2642245^3 <= 2^64 - 1 < 2642246^3
}

// 4.6 (ssthresh = 0.7 FlightSize), then 4.2: W_max and K, and the window
// following W_cubic(t), concave up to W_max at t = K and convex after it.
// A long RTT keeps the Reno-friendly region (4.3) out of the way.
TEST(Cubic, WindowGrowsConcaveToWmaxThenConvex)
{
    constexpr uint64_t kRtt = 500;
    Pipe p(ATCP_CC_CUBIC, false, kRtt);
    const uint32_t mss = p.mss();
    while (p.cwnd_segs() < 300)
        p.round(kRtt);
    const uint32_t flight = p.in_flight();
    const uint32_t w_max = p.cwnd_segs();
    ASSERT_EQ(flight, w_max); // the window is full
    p.lose(p.flight_start());
    p.round(kRtt);
    ASSERT_TRUE(p.h.info().in_recovery);
    EXPECT_EQ(p.tcb().cc.w_max, w_max * mss);
    const uint32_t ssthresh = p.h.info().snd_ssthresh;
    EXPECT_EQ(ssthresh, flight * mss * 717 / 1024); // beta_cubic 0.7
    p.round(kRtt); // the full ACK: cwnd = ssthresh, the epoch starts at the next ACK
    ASSERT_FALSE(p.h.info().in_recovery);
    const uint64_t epoch_us = p.tcb().cc.epoch_start_us;
    ASSERT_NE(epoch_us, 0u);
    const double k = std::cbrt((w_max - double(ssthresh) / mss) / 0.4); // equation (2)
    // C is 410/1024, 0.1 % above 0.4: K comes out within 1/256 s.
    EXPECT_NEAR(p.tcb().cc.k / 1024.0, k, 1 / 256.0);
    ASSERT_GT(k, 5.5);
    ASSERT_LT(k, 7.0);

    std::vector<double> growth;
    double last = ssthresh / double(mss);
    double at_k = 0;
    for (uint32_t n = 1; n <= 24; ++n) {
        p.round(kRtt);
        const double t = double(p.h.now_us() - epoch_us) / 1e6;
        const double cwnd = p.h.info().snd_cwnd / double(mss);
        // Toward W_cubic(t + RTT), reached within about one round trip.
        EXPECT_GE(cwnd, w_cubic(t, k, w_max) - 2) << "t " << t;
        EXPECT_LE(cwnd, w_cubic(t + kRtt / 1000.0, k, w_max) + 1) << "t " << t;
        if (std::fabs(t - k) <= 0.25)
            at_k = cwnd;
        growth.push_back(cwnd - last);
        last = cwnd;
    }
    EXPECT_NEAR(at_k, w_max, 2); // the plateau
    // Concave before K (each round adds less), convex after (each adds more).
    for (size_t i = 1; i + 2 < size_t(k * 2); ++i)
        EXPECT_LE(growth[i], growth[i - 1]) << "round " << i;
    for (size_t i = size_t(k * 2) + 3; i < growth.size(); ++i)
        EXPECT_GE(growth[i], growth[i - 1]) << "round " << i;
    EXPECT_GT(p.cwnd_segs(), w_max + 30);
}

// 4.3: on a short RTT Reno's AIMD outgrows equation (1): cwnd follows
// W_est, alpha_cubic = 0.53 SMSS per round trip until W_est reaches
// cwnd_prior, then one.
TEST(Cubic, RenoFriendlyRegionFollowsWest)
{
    constexpr uint64_t kRtt = 2;
    Pipe p(ATCP_CC_CUBIC, false, kRtt);
    const uint32_t mss = p.mss();
    const uint32_t w_max = slow_start_then_lose(p, 20, kRtt);
    const uint32_t cwnd_epoch = p.h.info().snd_cwnd / mss;
    p.round(kRtt); // the epoch starts
    const CcState& cc = p.tcb().cc;
    EXPECT_EQ(cc.cwnd_prior, w_max * mss);
    const uint64_t epoch_us = cc.epoch_start_us;
    const double k = cc.k / 1024.0;
    uint32_t rounds = 1;
    while (cc.w_est < cc.cwnd_prior) {
        p.round(kRtt);
        ++rounds;
        const double t = double(p.h.now_us() - epoch_us) / 1e6;
        ASSERT_LT(w_cubic(t, k, w_max), cc.w_est / double(mss));
        EXPECT_EQ(p.h.info().snd_cwnd, std::max(cc.w_est, cwnd_epoch * mss));
    }
    // (W_max - cwnd_epoch) / 0.53 round trips, give or take one.
    EXPECT_NEAR(rounds, (w_max - cwnd_epoch) / (3 * 0.3 / 1.7), 2.0);
    const uint32_t before = p.h.info().snd_cwnd;
    for (int n = 0; n < 10; ++n)
        p.round(kRtt);
    EXPECT_NEAR(double(p.h.info().snd_cwnd - before) / mss, 10, 1.0); // alpha 1
}

// 4.7: a loss before cwnd regained W_max leaves W_max = cwnd (1 + beta) / 2.
TEST(Cubic, FastConvergence)
{
    constexpr uint64_t kRtt = 100;
    Pipe p(ATCP_CC_CUBIC, false, kRtt);
    const uint32_t mss = p.mss();
    const uint32_t first = slow_start_then_lose(p, 60, kRtt);
    EXPECT_EQ(p.tcb().cc.w_max, first * mss);
    for (int n = 0; n < 3; ++n)
        p.round(kRtt);
    const uint32_t cwnd = p.h.info().snd_cwnd;
    ASSERT_LT(cwnd, first * mss);
    p.lose(p.flight_start());
    p.round(kRtt);
    ASSERT_TRUE(p.h.info().in_recovery);
    EXPECT_EQ(p.tcb().cc.w_max, uint64_t{cwnd} * (1024 + 717) / 2048);
    EXPECT_EQ(p.tcb().cc.cwnd_prior, cwnd);
}

// 4.8: a timeout takes cwnd to one segment and ssthresh to 0.7 FlightSize; the
// next congestion avoidance starts with K = 0 and W_max = its own cwnd.
TEST(Cubic, TimeoutRestartsFromKZero)
{
    constexpr uint64_t kRtt = 100;
    Pipe p(ATCP_CC_CUBIC, false, kRtt);
    const uint32_t mss = p.mss();
    slow_start_then_lose(p, 40, kRtt);
    for (int n = 0; n < 3; ++n)
        p.round(kRtt);
    const uint32_t flight = p.in_flight() * mss;
    p.h.fire_deadline(); // nothing is acknowledged: the RTO
    EXPECT_EQ(p.h.info().snd_cwnd, mss);
    const uint32_t ssthresh = p.h.info().snd_ssthresh;
    EXPECT_NEAR(ssthresh, 0.7 * flight, mss / 2.0);
    EXPECT_EQ(p.tcb().cc.w_max, 0u);
    p.h.fire_deadline(); // the same segment again: ssthresh stands
    EXPECT_EQ(p.h.info().snd_ssthresh, ssthresh);
    EXPECT_EQ(p.h.info().ca_state, ATCP_CA_LOSS);
}

TEST(Cubic, TimeoutThenCongestionAvoidanceFromOwnWindow)
{
    constexpr uint64_t kRtt = 100;
    Pipe p(ATCP_CC_CUBIC, false, kRtt);
    p.round(kRtt);
    Harness& h = p.h;
    // Drop everything in flight, time out, and let slow start refill to ssthresh.
    h.fire_deadline();
    const uint32_t ssthresh = h.info().snd_ssthresh;
    ASSERT_EQ(p.tcb().cc.w_max, 0u);
    // The peer got none of it: go-back-N resends, acknowledged one by one.
    for (int n = 0; n < 20 && h.info().snd_cwnd < ssthresh; ++n)
        p.round(kRtt);
    ASSERT_GE(h.info().snd_cwnd, ssthresh);
    p.round(kRtt);
    EXPECT_EQ(p.tcb().cc.k, 0u);
    EXPECT_GE(p.tcb().cc.w_max, ssthresh);
    EXPECT_NE(p.tcb().cc.epoch_start_us, 0u);
}

// RFC 9406 4.2: with an RTT sample per ACK, a rise of the round's least RTT
// by at least RttThresh leaves slow start for CSS, where cwnd grows a
// quarter as fast; CSS_ROUNDS rounds later ssthresh = cwnd and congestion
// avoidance follows, with no loss at all.
TEST(Hystart, RttIncreaseEntersCssThenAvoidance)
{
    Pipe p(ATCP_CC_CUBIC, true, 100);
    const CcState& cc = p.tcb().cc;
    for (int n = 0; n < 3; ++n)
        p.round(100);
    EXPECT_EQ(cc.hystart, 1); // slow start
    const uint32_t before = p.h.info().snd_cwnd;
    p.round(100);
    EXPECT_EQ(p.h.info().snd_cwnd, 2 * before); // doubling each round
    // RttThresh = max(4, min(100 / 8, 16)) ms: 112 ms is not 100 + 12.5.
    p.round(112);
    EXPECT_EQ(cc.hystart, 1);
    p.round(100);
    p.round(113);
    EXPECT_EQ(cc.hystart, 2); // CSS
    EXPECT_EQ(cc.css_baseline_min_rtt, 113 * kMs);
    EXPECT_EQ(p.h.info().snd_ssthresh, kInitialSsthresh);

    // CSS: cwnd grows by a quarter of what slow start would.
    const uint32_t css_start = p.h.info().snd_cwnd;
    const uint32_t acks = p.in_flight();
    p.round(113);
    EXPECT_NEAR(p.h.info().snd_cwnd - css_start, acks * p.mss() / 4.0, 2.0 * p.mss());
    // CSS_ROUNDS rounds later: ssthresh = cwnd.
    int rounds = 1;
    while (p.h.info().snd_ssthresh == kInitialSsthresh && rounds < 10) {
        EXPECT_EQ(cc.hystart, 2);
        p.round(113);
        ++rounds;
    }
    EXPECT_EQ(rounds, 6); // five whole rounds after the one CSS began in
    EXPECT_LE(p.h.info().snd_ssthresh, p.h.info().snd_cwnd);
    EXPECT_EQ(p.h.info().total_retrans, 0u);
    // Then CUBIC's first avoidance stage: K = 0, W_max = its cwnd (RFC 9438 4.10).
    p.round(113);
    EXPECT_EQ(cc.k, 0u);
    EXPECT_GE(cc.w_max, p.h.info().snd_ssthresh);
}

// A round in CSS whose least RTT is below the baseline again: the rise was
// spurious, slow start resumes.
TEST(Hystart, SpuriousCssExitResumesSlowStart)
{
    Pipe p(ATCP_CC_CUBIC, true, 100);
    const CcState& cc = p.tcb().cc;
    for (int n = 0; n < 4; ++n)
        p.round(100);
    p.round(130);
    ASSERT_EQ(cc.hystart, 2);
    p.round(100);
    EXPECT_EQ(cc.hystart, 1);
    EXPECT_EQ(cc.css_baseline_min_rtt, 0u);
    const uint32_t before = p.h.info().snd_cwnd;
    p.round(100);
    EXPECT_EQ(p.h.info().snd_cwnd, 2 * before);
}

// Fewer than N_RTT_SAMPLE samples a round (no timestamps: one timed segment
// per round trip) never leave slow start early; a loss ends it.
TEST(Hystart, WithoutSamplesSlowStartRunsToLoss)
{
    Pipe p(ATCP_CC_CUBIC, false, 100);
    p.round(100);
    p.round(100);
    for (int n = 0; n < 4; ++n)
        p.round(150);
    EXPECT_EQ(p.h.info().snd_ssthresh, kInitialSsthresh);
    EXPECT_NE(p.tcb().cc.hystart, 2);
}

// NewReno stays RFC 5681's: one SMSS per ACK in slow start, no HyStart++.
TEST(Congestion, NewRenoIgnoresRttRise)
{
    Pipe p(ATCP_CC_NEWRENO, true, 100);
    for (int n = 0; n < 4; ++n)
        p.round(100);
    const uint32_t before = p.h.info().snd_cwnd;
    p.round(150);
    EXPECT_EQ(p.h.info().snd_cwnd, 2 * before);
    EXPECT_EQ(p.tcb().cc.hystart, 0);
}

// TCP_CONGESTION in the engine: an index, CUBIC unless set.
TEST(Congestion, DefaultIsCubic)
{
    atcp_params params;
    atcp_params_default(&params);
    EXPECT_EQ(params.congestion, ATCP_CC_CUBIC);
    atcp_tcb tcb{};
    atcp_engine_init(&tcb, &params);
    EXPECT_EQ(atcp_engine_getopt(&tcb, ATCP_OPTION_CONGESTION), uint32_t{ATCP_CC_CUBIC});
    params.congestion = ATCP_CC_NEWRENO;
    atcp_engine_init(&tcb, &params);
    EXPECT_EQ(atcp_engine_getopt(&tcb, ATCP_OPTION_CONGESTION), uint32_t{ATCP_CC_NEWRENO});
    params.congestion = 200; // not one: the default
    atcp_engine_init(&tcb, &params);
    EXPECT_EQ(atcp_engine_getopt(&tcb, ATCP_OPTION_CONGESTION), uint32_t{ATCP_CC_CUBIC});
}

TEST(Congestion, NamesAndAliases)
{
    EXPECT_STREQ(atcp_engine_cc_name(ATCP_CC_CUBIC), "cubic");
    EXPECT_STREQ(atcp_engine_cc_name(ATCP_CC_NEWRENO), "newreno");
    EXPECT_EQ(atcp_engine_cc_name(ATCP_CC_COUNT), nullptr);
    EXPECT_EQ(atcp_engine_cc_find("cubic"), ATCP_CC_CUBIC);
    EXPECT_EQ(atcp_engine_cc_find("newreno"), ATCP_CC_NEWRENO);
    EXPECT_EQ(atcp_engine_cc_find("reno"), ATCP_CC_NEWRENO); // Linux's name
    EXPECT_EQ(atcp_engine_cc_find("bbr"), -1);
    EXPECT_EQ(atcp_engine_cc_find(""), -1);
    EXPECT_EQ(atcp_engine_cc_find("cubicx"), -1);
    EXPECT_EQ(atcp_engine_cc_find("cubi"), -1);
    EXPECT_EQ(atcp_engine_cc_find("CUBIC"), -1); // as Linux: names are case-sensitive
    for (int cc = 0; cc < ATCP_CC_COUNT; ++cc)
        EXPECT_LT(std::string(atcp_engine_cc_name(static_cast<atcp_cc>(cc))).size(),
                  size_t{ATCP_CC_NAME_MAX});
}

TEST(Congestion, SetAndGet)
{
    Harness h;
    EXPECT_EQ(h.setopt(ATCP_OPTION_CONGESTION, ATCP_CC_CUBIC), 0);
    EXPECT_EQ(atcp_engine_getopt(&h.tcb(), ATCP_OPTION_CONGESTION), uint32_t{ATCP_CC_CUBIC});
    EXPECT_EQ(h.setopt(ATCP_OPTION_CONGESTION, ATCP_CC_COUNT), -1);
    EXPECT_EQ(h.setopt(ATCP_OPTION_CONGESTION, 0xffffffff), -1);
    EXPECT_EQ(atcp_engine_getopt(&h.tcb(), ATCP_OPTION_CONGESTION), uint32_t{ATCP_CC_CUBIC});
    // Kept by the connection made after it.
    h.connect();
    EXPECT_EQ(atcp_engine_getopt(&h.tcb(), ATCP_OPTION_CONGESTION), uint32_t{ATCP_CC_CUBIC});
}

// Switched mid-connection, the new algorithm starts afresh from the window
// as it is, as Linux's tcp_reinit_congestion_control.
TEST(Congestion, SwitchMidConnectionKeepsTheWindow)
{
    constexpr uint64_t kRtt = 100;
    Pipe p(ATCP_CC_CUBIC, false, kRtt);
    slow_start_then_lose(p, 30, kRtt);
    p.round(kRtt);
    ASSERT_NE(p.tcb().cc.w_max, 0u);
    const uint32_t cwnd = p.h.info().snd_cwnd;
    const uint32_t ssthresh = p.h.info().snd_ssthresh;
    EXPECT_EQ(p.h.setopt(ATCP_OPTION_CONGESTION, ATCP_CC_NEWRENO), 0);
    EXPECT_EQ(p.tcb().cc.w_max, 0u);
    EXPECT_EQ(p.h.info().snd_cwnd, cwnd);
    EXPECT_EQ(p.h.info().snd_ssthresh, ssthresh);
    // NewReno's avoidance: one SMSS per round trip.
    p.round(kRtt);
    p.round(kRtt);
    EXPECT_NEAR(double(p.h.info().snd_cwnd - cwnd) / p.mss(), 2, 1);
    EXPECT_EQ(p.h.setopt(ATCP_OPTION_CONGESTION, ATCP_CC_CUBIC), 0);
    EXPECT_EQ(p.h.setopt(ATCP_OPTION_CONGESTION, ATCP_CC_CUBIC), 0); // the same: nothing changes
    p.round(kRtt);
    EXPECT_EQ(p.tcb().cc.k, 0u); // a fresh epoch from this window
}

// A listener's algorithm goes to its children, as Linux's sk_clone does.
TEST(Congestion, ChildInheritsFromListener)
{
    atcp_params params;
    atcp_params_default(&params);
    for (const atcp_cc cc : {ATCP_CC_NEWRENO, ATCP_CC_CUBIC}) {
        atcp_tcb listener{};
        atcp_tcb child{};
        atcp_engine_init(&listener, &params);
        atcp_engine_init(&child, &params);
        atcp_actions act;
        ASSERT_EQ(atcp_engine_setopt(&listener, ATCP_OPTION_CONGESTION, cc, 0, &act), 0);
        atcp_engine_listen(&listener, 80);
        atcp_tcp_header syn{};
        syn.src_port = 40000;
        syn.dst_port = 80;
        syn.seq = 1000;
        syn.flags = ATCP_TCP_SYN;
        syn.window = 65535;
        atcp_engine_accept(&child, &listener, &syn, false, 1460, 1, 1000000, &act);
        EXPECT_EQ(atcp_engine_state(&child), ATCP_SYN_RECEIVED);
        EXPECT_EQ(atcp_engine_getopt(&child, ATCP_OPTION_CONGESTION), uint32_t{cc});
    }
}

// Linux's tcpi_ca_state: Open, Disorder on a duplicate ACK, Recovery.
TEST(Congestion, CaState)
{
    constexpr uint64_t kRtt = 100;
    Pipe p(ATCP_CC_NEWRENO, false, kRtt);
    EXPECT_EQ(p.h.info().ca_state, ATCP_CA_OPEN);
    p.round(kRtt);
    p.lose(p.next_seq() - 5 * p.mss());
    p.round(kRtt);
    EXPECT_EQ(p.h.info().ca_state, ATCP_CA_RECOVERY);
    p.round(kRtt);
    EXPECT_EQ(p.h.info().ca_state, ATCP_CA_OPEN);
    p.h.in(". 1:1(0) ack " + std::to_string(p.tcb().snd_una - p.tcb().iss) + " win 65535");
    EXPECT_EQ(p.h.info().ca_state, ATCP_CA_DISORDER);
}

} // namespace
} // namespace atcp::test
