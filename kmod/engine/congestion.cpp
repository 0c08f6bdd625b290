// SPDX-License-Identifier: GPL-2.0
// Congestion control: NewReno (RFC 5681), CUBIC (RFC 9438) with HyStart++
// (RFC 9406); RFC 6582 NewReno recovery and RFC 3042 limited transmit (the
// latter in output.cpp's window).
#include "congestion.hpp"

#include "engine.hpp"

namespace atcp {
namespace {

// RFC 5681 3.1 slow start, with RFC 3465's limit L SMSS per ACK.
void slow_start(Tcb& t, uint32_t acked, uint32_t limit_segs)
{
    t.cwnd += min_of(acked, limit_segs * t.snd_mss);
}

void reno_on_rtt_sample(Tcb&, uint32_t)
{
}

void reno_on_ack(Tcb& t, uint32_t acked, uint64_t)
{
    if (t.cwnd < t.ssthresh) {
        slow_start(t, acked, 1);
        return;
    }
    // Congestion avoidance: one SMSS per cwnd of bytes acknowledged.
    t.bytes_acked_ca += acked;
    if (t.bytes_acked_ca >= t.cwnd) {
        t.bytes_acked_ca -= t.cwnd;
        t.cwnd += t.snd_mss;
    }
}

// RFC 5681 equation (4).
uint32_t reno_ssthresh(Tcb& t, uint32_t flight)
{
    return max_of(flight / 2, 2u * t.snd_mss);
}

// CUBIC (RFC 9438) in integers, as Linux's tcp_cubic.c keeps it: time in
// 1/1024 s, beta_cubic and alpha_cubic scaled by 1024, C = 0.4 as 410/1024.
constexpr uint32_t kScale = 1024;
constexpr uint32_t kBetaCubic = 717;  // 0.7 (4.6)
constexpr uint32_t kAlphaCubic = 542; // 3 (1 - 0.7) / (1 + 0.7) = 0.529 (4.3)
constexpr uint64_t kCubicC = 410;     // 0.4 segments / s^3 (5)
// |t - K| is held below 2^18 / 1024 s (256 s) so that C |t - K|^3 fits 64 bits.
constexpr uint64_t kMaxOffset = (uint64_t{1} << 18) - 1;

// HyStart++'s constants (RFC 9406 4.3); L for a sender that does not pace.
constexpr uint32_t kMinRttThreshUs = 4000;
constexpr uint32_t kMaxRttThreshUs = 16000;
constexpr uint32_t kMinRttDivisor = 8;
constexpr uint8_t kNRttSample = 8;
constexpr uint32_t kCssGrowthDivisor = 4;
constexpr uint8_t kCssRounds = 5;
constexpr uint32_t kHystartL = 8;

enum HystartPhase : uint8_t {
    kHystartFirst, // standard slow start, no round begun yet
    kHystartSlowStart,
    kHystartCss, // conservative slow start
};

// W_cubic(t) of equation (1) in bytes, t in microseconds since the epoch.
uint64_t w_cubic(const Tcb& t, uint64_t elapsed_us)
{
    const CcState& c = t.cc;
    const uint64_t now = elapsed_us * kScale / 1000000;
    const uint64_t offs = min_of<uint64_t>(now < c.k ? c.k - now : now - c.k, kMaxOffset);
    // C (t - K)^3 segments, in 1/1024 segments, then bytes.
    const uint64_t delta = ((kCubicC * offs * offs * offs) >> 30) * t.snd_mss / kScale;
    if (now < c.k)
        return c.w_max > delta ? c.w_max - delta : 0;
    return c.w_max + delta;
}

// The start of a congestion avoidance stage: equation (2)'s K, and W_est
// from cwnd_epoch (4.3).  A stage with no W_max above cwnd (the first,
// after HyStart++ left slow start without a loss, or after a timeout)
// starts with K = 0 and W_max = cwnd (4.8, 4.10).
void cubic_begin_epoch(Tcb& t, uint64_t now_us)
{
    CcState& c = t.cc;
    c.epoch_start_us = max_of<uint64_t>(now_us, 1);
    c.w_est = t.cwnd;
    c.w_est_acked = 0;
    t.bytes_acked_ca = 0;
    if (c.w_max <= t.cwnd) {
        c.w_max = t.cwnd;
        c.k = 0;
        return;
    }
    // K = cbrt((W_max - cwnd_epoch) / C) s, in 1/1024 s: the cube root of
    // (W_max - cwnd_epoch) / SMSS * 2^40 / 410, the segments taken in 1/1024.
    const uint64_t segs =
        min_of<uint64_t>((uint64_t{c.w_max - t.cwnd} * kScale) / t.snd_mss, uint64_t{1} << 40);
    c.k = cube_root(segs * ((uint64_t{1} << 30) / kCubicC));
}

// RFC 9406 4.2: each ACK in slow start, with HyStart++ while ssthresh is
// still its initial value; later slow starts are standard (4.2's last
// paragraph), with RFC 3465's L = 1 as NewReno's.
void hystart_on_ack(Tcb& t, uint32_t acked)
{
    CcState& c = t.cc;
    if (t.ssthresh != kInitialSsthresh) {
        slow_start(t, acked, 1);
        return;
    }
    if (c.hystart == kHystartFirst || seq_ge(t.snd_una, c.window_end)) {
        // A round begins: it ends when what is sent by now is acknowledged.
        if (c.hystart == kHystartCss && ++c.css_rounds > kCssRounds) {
            t.ssthresh = t.cwnd; // CSS_ROUNDS rounds done: congestion avoidance
            return;
        }
        if (c.hystart == kHystartFirst)
            c.hystart = kHystartSlowStart;
        c.window_end = t.snd_nxt;
        c.last_round_min_rtt = c.round_min_rtt;
        c.round_min_rtt = 0;
        c.rtt_samples = 0;
    }
    const uint32_t grow = min_of(acked, kHystartL * t.snd_mss);
    t.cwnd += c.hystart == kHystartCss ? grow / kCssGrowthDivisor : grow;
    if (c.rtt != 0) {
        c.round_min_rtt = c.round_min_rtt == 0 ? c.rtt : min_of(c.round_min_rtt, c.rtt);
        c.rtt = 0;
        if (c.rtt_samples < 0xff)
            ++c.rtt_samples;
    }
    if (c.rtt_samples < kNRttSample || c.round_min_rtt == 0)
        return;
    if (c.hystart == kHystartSlowStart && c.last_round_min_rtt != 0) {
        const uint32_t thresh =
            max_of(kMinRttThreshUs, min_of(c.last_round_min_rtt / kMinRttDivisor, kMaxRttThreshUs));
        if (c.round_min_rtt >= c.last_round_min_rtt + thresh) {
            c.css_baseline_min_rtt = c.round_min_rtt; // the delay rose: CSS
            c.hystart = kHystartCss;
            c.css_rounds = 0;
        }
    } else if (c.hystart == kHystartCss && c.round_min_rtt < c.css_baseline_min_rtt) {
        c.css_baseline_min_rtt = 0; // a spurious exit: slow start again
        c.hystart = kHystartSlowStart;
    }
}

void cubic_on_rtt_sample(Tcb& t, uint32_t rtt_us)
{
    t.cc.rtt = max_of(rtt_us, 1u);
}

void cubic_on_ack(Tcb& t, uint32_t acked, uint64_t now_us)
{
    CcState& c = t.cc;
    if (t.cwnd < t.ssthresh) {
        c.epoch_start_us = 0; // congestion avoidance, when it comes, starts afresh
        hystart_on_ack(t, acked);
        return;
    }
    c.rtt = 0;
    if (c.epoch_start_us == 0)
        cubic_begin_epoch(t, now_us);
    const uint64_t elapsed = now_us - c.epoch_start_us;

    // 4.3: W_est grows by alpha_cubic SMSS per cwnd acknowledged, by one
    // once it has reached cwnd_prior.
    const uint32_t alpha = c.w_est >= c.cwnd_prior ? kScale : kAlphaCubic;
    const uint64_t est_acked = c.w_est_acked + uint64_t{acked} * alpha / kScale;
    const uint64_t steps = est_acked / t.cwnd;
    c.w_est = static_cast<uint32_t>(min_of<uint64_t>(c.w_est + steps * t.snd_mss, 0xffffffff));
    c.w_est_acked = static_cast<uint32_t>(est_acked - steps * t.cwnd);
    if (w_cubic(t, elapsed) < c.w_est) {
        t.cwnd = max_of(t.cwnd, c.w_est); // the Reno-friendly region
        return;
    }
    // 4.4, 4.5: concave or convex, toward W_cubic(t + RTT), at most 1.5 cwnd;
    // cwnd grows by (target - cwnd) / cwnd SMSS per SMSS acknowledged.
    const uint64_t target = min_of(w_cubic(t, elapsed + t.srtt_us), uint64_t{t.cwnd} + t.cwnd / 2);
    if (target <= t.cwnd)
        return;
    const uint64_t per_smss = max_of<uint64_t>(uint64_t{t.cwnd} * t.snd_mss / (target - t.cwnd), 1);
    const uint64_t counted = uint64_t{t.bytes_acked_ca} + acked;
    const uint64_t grow = counted / per_smss;
    t.cwnd = static_cast<uint32_t>(min_of<uint64_t>(t.cwnd + grow * t.snd_mss, 0xffffffff));
    t.bytes_acked_ca = static_cast<uint32_t>(counted - grow * per_smss);
}

// 4.6 multiplicative decrease, 4.7 fast convergence, 4.8 timeouts.
uint32_t cubic_ssthresh(Tcb& t, uint32_t flight)
{
    CcState& c = t.cc;
    if (t.retries > 1)
        return t.ssthresh; // the same segment timed out again: the first's stands
    c.epoch_start_us = 0;
    c.cwnd_prior = t.cwnd;
    if (t.retries != 0)
        c.w_max = 0; // the next stage starts from its own cwnd, K = 0 (4.8)
    else if (t.cwnd < c.w_max)
        c.w_max = static_cast<uint32_t>(uint64_t{t.cwnd} * (kScale + kBetaCubic) / (2 * kScale));
    else
        c.w_max = t.cwnd;
    return max_of(static_cast<uint32_t>(uint64_t{flight} * kBetaCubic / kScale), 2u * t.snd_mss);
}

} // namespace

const CongestionOps kNewReno = {"newreno", reno_on_rtt_sample, reno_on_ack, reno_ssthresh};
const CongestionOps kCubic = {"cubic", cubic_on_rtt_sample, cubic_on_ack, cubic_ssthresh};

namespace {

// Indexed by enum atcp_cc.
constexpr const CongestionOps* kAlgorithms[] = {&kCubic, &kNewReno};
static_assert(sizeof(kAlgorithms) / sizeof(kAlgorithms[0]) == ATCP_CC_COUNT);

} // namespace

const CongestionOps& cc_ops(const Tcb& t)
{
    return t.cc_algo < ATCP_CC_COUNT ? *kAlgorithms[t.cc_algo] : kCubic;
}

// The digit-by-digit cube root of Hacker's Delight (2nd ed.) 11-2, one bit
// of the root per three of x: exact, no division, no table.  Linux's
// cubic_root() (tcp_cubic.c) starts from a table and refines it by
// Newton-Raphson instead.
uint32_t cube_root(uint64_t x)
{
    uint64_t y = 0;
    for (int s = 63; s >= 0; s -= 3) {
        y *= 2;
        const uint64_t b = 3 * y * (y + 1) + 1;
        if ((x >> s) >= b) {
            x -= b << s;
            ++y;
        }
    }
    return static_cast<uint32_t>(y);
}

void Conn::on_new_ack(uint32_t acked)
{
    const CongestionOps& cc = cc_ops(t_);
    if (!t_.has(kInRecovery)) {
        t_.dupacks = 0;
        // The window an ECE reduced does not grow until it is acknowledged,
        // as in Linux's CWR state (RFC 3168 6.1.2).
        if (t_.in_ecn_cwr())
            return;
        t_.clear(kEcnCwr);
        cc.on_ack(t_, acked, now_);
        return;
    }
    if (seq_ge(t_.snd_una, t_.recover) && t_.has(kSackRecovery)) {
        exit_sack_recovery();
        return;
    }
    if (t_.has(kSackRecovery))
        return; // PRR paces it (prr_on_ack), NextSeg picks what goes
    if (seq_ge(t_.snd_una, t_.recover)) {
        // RFC 6582 3.2 step 3, full acknowledgment: deflate.
        t_.cwnd = min_of(t_.ssthresh, max_of(t_.flight(), uint32_t{t_.snd_mss}) + t_.snd_mss);
        t_.clear(kInRecovery);
        t_.dupacks = 0;
        return;
    }
    // Step 4, partial acknowledgment: the next hole goes out now.
    retransmit_first();
    t_.cwnd -= min_of(acked, t_.cwnd);
    if (acked >= t_.snd_mss)
        t_.cwnd += t_.snd_mss;
}

void Conn::on_dupack()
{
    ++t_.dupacks;
    if (t_.has(kInRecovery)) {
        if (!t_.has(kSackRecovery))
            t_.cwnd += t_.snd_mss; // RFC 6582 3.2 step 3: inflate
        return;
    }
    // RFC 6582 3.2 step 2: enter recovery once per window of data; with
    // SACK blocks to go by, RFC 6675's recovery does instead.
    if (t_.dupacks != 3 || (t_.has(kRecoverSet) && seq_le(t_.snd_una, t_.recover)) ||
        (t_.has(kSackOk) && t_.sacked_count > 0))
        return;
    lower_ssthresh();
    t_.recover = t_.snd_max;
    t_.set(kRecoverSet);
    t_.set(kInRecovery);
    retransmit_first();
    t_.cwnd = t_.ssthresh + 3u * t_.snd_mss;
}

// The ssthresh after a loss or an ECE: RFC 5681's equation (4) through the
// connection's algorithm, from the flight less limited transmit's segments.
// Not lowered twice for the congestion of one window: a loss in the window
// an ECE already reduced leaves it (RFC 3168 6.1.2), as Linux's CWR state.
void Conn::lower_ssthresh()
{
    if (t_.in_ecn_cwr())
        return;
    const uint32_t flight = t_.flight() - min_of(t_.limited_bytes, t_.flight());
    t_.ssthresh = cc_ops(t_).ssthresh_after_loss(t_, flight);
}

// RFC 5681 3.1: after a timeout the loss window is one segment.
void Conn::on_rto_loss()
{
    if (!t_.has(kInRecovery) && !rto_recovery())
        undo_start(); // a new episode; one already under way keeps its values
    mark_all_lost();
    t_.ssthresh = cc_ops(t_).ssthresh_after_loss(t_, t_.flight());
    t_.cwnd = t_.snd_mss;
    t_.bytes_acked_ca = 0;
    t_.dupacks = 0;
    t_.clear(kInRecovery);
    t_.clear(kSackRecovery);
    t_.recover = t_.snd_max; // RFC 6582 section 4
    t_.set(kRecoverSet);
    // RFC 2018 section 8: the peer may have reneged; a second timeout in a
    // row forgets what it SACKed, and everything is sent again.
    if (t_.retries >= 2)
        t_.sacked_count = 0;
}

} // namespace atcp
