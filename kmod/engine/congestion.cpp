// SPDX-License-Identifier: GPL-2.0
// RFC 5681 congestion control with RFC 6582 NewReno recovery and RFC 3042
// limited transmit (the latter in output.cpp's window).
#include "congestion.hpp"

#include "engine.hpp"

namespace atcp {
namespace {

void reno_on_ack(Tcb& t, uint32_t acked)
{
    if (t.cwnd < t.ssthresh) {
        // Slow start, with RFC 3465's limit L = 1 SMSS per ACK.
        t.cwnd += min_of(acked, uint32_t{t.snd_mss});
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
uint32_t reno_ssthresh(const Tcb& t, uint32_t flight)
{
    return max_of(flight / 2, 2u * t.snd_mss);
}

} // namespace

const CongestionOps kNewReno = {reno_on_ack, reno_ssthresh};

void Conn::on_new_ack(uint32_t acked)
{
    const CongestionOps& cc = kNewReno;
    if (!t_.has(kInRecovery)) {
        t_.dupacks = 0;
        cc.on_ack(t_, acked);
        return;
    }
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
        t_.cwnd += t_.snd_mss; // RFC 6582 3.2 step 3: inflate
        return;
    }
    // RFC 6582 3.2 step 2: enter recovery once per window of data.
    if (t_.dupacks != 3 || (t_.has(kRecoverSet) && seq_le(t_.snd_una, t_.recover)))
        return;
    const uint32_t flight = t_.flight() - min_of(t_.limited_bytes, t_.flight());
    t_.ssthresh = kNewReno.ssthresh_after_loss(t_, flight);
    t_.recover = t_.snd_max;
    t_.set(kRecoverSet);
    t_.set(kInRecovery);
    retransmit_first();
    t_.cwnd = t_.ssthresh + 3u * t_.snd_mss;
}

// RFC 5681 3.1: after a timeout the loss window is one segment.
void Conn::on_rto_loss()
{
    t_.ssthresh = kNewReno.ssthresh_after_loss(t_, t_.flight());
    t_.cwnd = t_.snd_mss;
    t_.bytes_acked_ca = 0;
    t_.dupacks = 0;
    t_.clear(kInRecovery);
    t_.recover = t_.snd_max; // RFC 6582 section 4
    t_.set(kRecoverSet);
}

} // namespace atcp
