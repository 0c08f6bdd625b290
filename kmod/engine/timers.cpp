// SPDX-License-Identifier: GPL-2.0
// Retransmission (RFC 6298), persist, delayed ACK, keepalive and the close timers.
#include "congestion.hpp"
#include "engine.hpp"

namespace atcp {
namespace {

constexpr uint32_t kClockGranularityUs = 1000; // timestamps tick in milliseconds
constexpr uint8_t kMaxBackoff = 15;

} // namespace

uint32_t backed_off_rto(const Tcb& t)
{
    const uint64_t rto = uint64_t{t.rto_us} << t.backoff;
    return static_cast<uint32_t>(min_of<uint64_t>(rto, uint64_t{t.params.rto_max_ms} * 1000));
}

uint32_t Conn::backed_off_rto() const
{
    return atcp::backed_off_rto(t_);
}

void Conn::arm_rexmt()
{
    t_.clear(kPersist);
    t_.rexmt_at = now_ + backed_off_rto();
    // RFC 5482: the user timeout counts from the oldest unacknowledged send.
    if (t_.user_timeout_ms != 0)
        t_.rexmt_at = min_of(t_.rexmt_at, t_.head_sent_us + uint64_t{t_.user_timeout_ms} * 1000);
}

void Conn::arm_keepalive()
{
    t_.keepalive_at =
        t_.has(kKeepAlive) && t_.synchronized() ? now_ + uint64_t{t_.keepalive_idle_ms} * 1000 : 0;
}

// RFC 6298 sections 2.2 and 2.3; a valid sample also ends the backoff
// kept since a timeout (section 5 and Karn).
void Conn::rtt_sample(uint32_t rtt_us)
{
    t_.backoff = 0;
    if (t_.srtt_us == 0) {
        t_.srtt_us = max_of(rtt_us, 1u);
        t_.rttvar_us = rtt_us / 2;
    } else {
        const uint32_t delta = t_.srtt_us > rtt_us ? t_.srtt_us - rtt_us : rtt_us - t_.srtt_us;
        t_.rttvar_us = t_.rttvar_us - t_.rttvar_us / 4 + delta / 4;
        t_.srtt_us = t_.srtt_us - t_.srtt_us / 8 + rtt_us / 8;
    }
    cc_ops(t_).on_rtt_sample(t_, rtt_us);
    const uint32_t rto = t_.srtt_us + max_of(kClockGranularityUs, 4 * t_.rttvar_us);
    t_.rto_us = min_of(max_of(rto, t_.params.rto_min_ms * 1000), t_.params.rto_max_ms * 1000);
}

// RACK.min_RTT (RFC 8985 6.1) and TCP_INFO's tcpi_min_rtt: the least
// sample of the connection's life.
void Conn::note_min_rtt(uint32_t rtt_us)
{
    rtt_us = max_of(rtt_us, 1u);
    if (t_.min_rtt_us == 0 || rtt_us < t_.min_rtt_us)
        t_.min_rtt_us = rtt_us;
}

Tcb::DueTimer Tcb::next_timer() const
{
    const DueTimer timers[] = {
        // First: a probe due with the RTO goes in its place (RFC 8985 7.2).
        {rack.tlp_at, ATCP_TIMER_LOSS_PROBE},
        {rexmt_at, has(kPersist) ? ATCP_TIMER_PERSIST : ATCP_TIMER_RETRANSMIT},
        {rack.reo_at, ATCP_TIMER_REORDER},
        {delack_at, ATCP_TIMER_DELACK},
        {keepalive_at, ATCP_TIMER_KEEPALIVE},
        {close_at, ATCP_TIMER_CLOSE},
        {cork_at, ATCP_TIMER_CORK},
    };
    DueTimer next{0, ATCP_TIMER_NONE};
    for (const DueTimer& t : timers) {
        if (t.at != 0 && (next.at == 0 || t.at < next.at))
            next = t;
    }
    return next;
}

uint64_t Conn::next_deadline() const
{
    return t_.next_timer().at;
}

void Conn::timer()
{
    if (t_.close_at != 0 && now_ >= t_.close_at) {
        release(); // TIME-WAIT's 2 MSL, or an orphan's FIN-WAIT-2, ended
        return;
    }
    // The probe may stand in for the retransmission due at the same time
    // (RFC 8985 7.2): it goes first and restarts that timer.
    if (t_.rack.tlp_at != 0 && now_ >= t_.rack.tlp_at) {
        t_.rack.tlp_at = 0;
        on_probe_deadline();
    }
    if (t_.rack.reo_at != 0 && now_ >= t_.rack.reo_at) {
        t_.rack.reo_at = 0;
        on_reo_deadline();
    }
    if (t_.rexmt_at != 0 && now_ >= t_.rexmt_at) {
        t_.rexmt_at = 0;
        on_rexmt_deadline();
        if (t_.state == ATCP_CLOSED)
            return;
    }
    if (t_.delack_at != 0 && now_ >= t_.delack_at) {
        t_.delack_at = 0;
        t_.set(kAckNow);
    }
    if (t_.keepalive_at != 0 && now_ >= t_.keepalive_at)
        on_keepalive_deadline();
    if (t_.cork_at != 0 && now_ >= t_.cork_at) {
        t_.cork_at = 0;
        t_.set(kForcePush);
    }
}

void Conn::on_rexmt_deadline()
{
    const bool user_timeout =
        t_.user_timeout_ms != 0 && now_ - t_.head_sent_us >= uint64_t{t_.user_timeout_ms} * 1000;

    // A window shrunk to zero under data in flight is probed like any zero
    // window, not timed out (RFC 9293 3.8.6).
    if (!t_.has(kPersist) && t_.has(kSynAcked) && t_.snd_wnd == 0) {
        t_.set(kPersist);
        t_.snd_nxt = t_.snd_una;
    }
    if (t_.has(kPersist)) {
        // RFC 1122 4.2.2.17: probing goes on while the peer answers.
        if (user_timeout) {
            time_out();
            return;
        }
        if (t_.snd_wnd > 0) {
            // RFC 9293 3.8.6.2.1: the override timeout sends what the small window takes.
            t_.set(kForcePush);
            t_.clear(kPersist);
            return;
        }
        send_probe();
        t_.backoff = min_of<uint8_t>(t_.backoff + 1, kMaxBackoff);
        t_.rexmt_at = now_ + backed_off_rto();
        return;
    }

    const uint32_t limit = t_.has(kSynAcked) ? t_.params.data_retries : t_.params.syn_retries;
    if (t_.retries >= limit || user_timeout) {
        time_out();
        return;
    }
    ++t_.retries;
    t_.backoff = min_of<uint8_t>(t_.backoff + 1, kMaxBackoff);
    t_.clear(kRttTiming); // Karn's rule
    if (!t_.has(kSynAcked)) {
        t_.snd_nxt = t_.iss; // output sends the SYN again
    } else {
        on_rto_loss();
        detect_blackhole();
        t_.snd_nxt = t_.snd_una; // go back N
    }
    arm_rexmt();
}

// The peer is gone: drop the connection with a RST, as FreeBSD's tcp_drop
// does, at the highest sequence sent so that a peer that got it all accepts it.
void Conn::time_out()
{
    if (t_.has(kSynAcked))
        send_rst(t_.snd_max);
    // RFC 1122 4.2.3.9: a soft error an ICMP reported explains the timeout.
    fail(t_.soft_error != ATCP_ERR_NONE ? static_cast<atcp_error>(t_.soft_error)
                                        : ATCP_ERR_TIMEDOUT);
}

void Conn::on_keepalive_deadline()
{
    t_.keepalive_at = 0;
    if (!t_.has(kKeepAlive) || !t_.synchronized())
        return;
    const uint64_t idle_until = t_.last_recv_us + uint64_t{t_.keepalive_idle_ms} * 1000;
    if (now_ < idle_until) {
        t_.keepalive_at = idle_until;
        return;
    }
    if (t_.keepalive_probes >= t_.keepalive_count) {
        time_out();
        return;
    }
    send_probe();
    ++t_.keepalive_probes;
    t_.keepalive_at = now_ + uint64_t{t_.keepalive_intvl_ms} * 1000;
}

} // namespace atcp
