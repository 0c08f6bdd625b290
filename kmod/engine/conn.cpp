// SPDX-License-Identifier: GPL-2.0
// Opening, closing and the state bookkeeping shared by every event.
#include "congestion.hpp"
#include "engine.hpp"

namespace atcp {
namespace {

constexpr uint32_t kTimestampOptionLen = 12;

// The shortest round trip receive right-sizing measures over: Linux's
// receiver estimate never goes below one timestamp tick, 1 ms
// (tcp_rcv_rtt_measure_ts).  Over a microsecond round trip (loopback) each
// read would be a round trip of its own, and no read outgrows the last.
constexpr uint32_t kRightSizingMinRoundTripUs = 1000;

bool counts_as_established(uint8_t s)
{
    return s == ATCP_ESTABLISHED || s == ATCP_CLOSE_WAIT;
}

} // namespace

Conn::Conn(Tcb& t, atcp_actions& act, uint64_t now_us) : t_(t), act_(act), now_(now_us)
{
    act_ = atcp_actions{};
}

// RFC 6528 section 3: ISN = M + F(4-tuple, secret), M a 4 microsecond clock.
uint32_t Conn::clock_isn(uint32_t isn_hash) const
{
    return isn_hash + static_cast<uint32_t>(now_ / 4);
}

void Conn::init_common(uint32_t iss)
{
    t_.iss = iss;
    t_.snd_una = t_.snd_nxt = t_.snd_max = t_.iss;
    t_.snd_wl2 = t_.iss;
    t_.rack.fack = t_.iss; // RACK.fack: nothing delivered yet
    if (t_.rcv_buf == 0)
        t_.rcv_buf = t_.params.rcv_buf;
    t_.rto_us = t_.params.rto_initial_ms * 1000;
    t_.ssthresh = kInitialSsthresh;
    if (t_.keepalive_idle_ms == 0)
        t_.keepalive_idle_ms = t_.params.keepalive_idle_ms;
    if (t_.keepalive_intvl_ms == 0)
        t_.keepalive_intvl_ms = t_.params.keepalive_intvl_ms;
    if (t_.keepalive_count == 0)
        t_.keepalive_count = static_cast<uint8_t>(t_.params.keepalive_count);

    // TCP_MAXSEG can only lower what the path allows (tcp(4)).
    t_.adv_mss = t_.user_mss != 0 ? min_of(t_.mss_max, t_.user_mss) : t_.mss_max;
    t_.rcv_wscale = 0;
    if (t_.rfc7323_allowed()) {
        // Fixed at the SYN, so chosen for the largest buffer the socket
        // may grow to, as Linux does with tcp_rmem[2].
        const uint32_t most = max_of(t_.rcv_buf, t_.params.rcv_buf_max);
        while (t_.rcv_wscale < ATCP_TCP_WSCALE_MAX && (most >> t_.rcv_wscale) > 0xffff)
            ++t_.rcv_wscale;
    }
    t_.last_recv_us = now_;
}

// The peer's SYN: its sequence space, window and options.
void Conn::take_peer_syn(const atcp_tcp_header& syn)
{
    t_.irs = syn.seq;
    t_.rcv_nxt = syn.seq + 1;
    t_.rcv_adv = t_.rcv_nxt;
    t_.snd_wnd = syn.window; // never scaled in a SYN (RFC 7323 2.2)
    t_.max_snd_wnd = t_.snd_wnd;
    t_.snd_wl1 = syn.seq;
    take_syn_options(syn);
    take_ecn_setup(syn);
}

// RFC 7323 sections 2.2 and 3.2: each option is used only if both SYNs carry it.
void Conn::take_syn_options(const atcp_tcp_header& syn)
{
    const atcp_tcp_options& o = syn.opt;
    const bool extensions = t_.rfc7323_allowed();

    t_.peer_mss = t_.syn_mss(o);
    t_.set(kWindowScale, extensions && (o.present & ATCP_OPT_WSCALE));
    t_.set(kTimestamps, extensions && (o.present & ATCP_OPT_TIMESTAMP));
    t_.set(kSackOk, !t_.has(kNoOpt) && (o.present & ATCP_OPT_SACK_PERM));
    if (t_.has(kWindowScale)) {
        t_.snd_wscale = o.wscale;
    } else {
        t_.snd_wscale = 0;
        t_.rcv_wscale = 0;
    }
    if (t_.has(kTimestamps)) {
        t_.ts_recent = o.ts_val;
        t_.ts_recent_us = now_;
    }

    t_.snd_mss = effective_mss();
    t_.cwnd = initial_window(t_.snd_mss);
}

// RFC 9293 3.7.1: send no more than the peer's MSS and our path allow,
// less the option bytes every segment carries (RFC 7323 section 3);
// TCP_MAXSEG lowers it further (tcp(4)).
uint16_t Conn::effective_mss() const
{
    // FreeBSD's net.inet.tcp.minmss: a peer may not make us send tinier segments.
    uint32_t mss = min_of<uint32_t>(max_of<uint32_t>(t_.peer_mss, t_.params.min_mss), t_.mss_max);
    if (t_.user_mss != 0)
        mss = min_of<uint32_t>(mss, t_.user_mss);
    if (t_.has(kTimestamps))
        mss -= kTimestampOptionLen;
    return static_cast<uint16_t>(mss);
}

void Conn::open_active(uint32_t isn_hash)
{
    init_common(clock_isn(isn_hash));
    t_.clear(kPassive);
    set_state(ATCP_SYN_SENT);
    act_.mib.active_opens = 1;
}

void Conn::open_passive(const Tcb& listener, const atcp_tcp_header& syn, uint32_t isn_hash)
{
    answer_syn(listener, syn, clock_isn(isn_hash));
    act_.mib.passive_opens = 1;
}

// A listener's child takes the peer's SYN: SYN-RECEIVED, its SYN-ACK from iss due.
void Conn::answer_syn(const Tcb& listener, const atcp_tcp_header& syn, uint32_t iss)
{
    t_.take_user_options(listener);
    t_.set(kPassive);
    t_.local_port = listener.local_port;
    t_.remote_port = syn.src_port;

    init_common(iss);
    take_peer_syn(syn);
    set_state(ATCP_SYN_RECEIVED);
}

void Conn::set_state(atcp_state s)
{
    if (counts_as_established(t_.state) && !counts_as_established(s))
        act_.mib.curr_estab = -1;
    else if (!counts_as_established(t_.state) && counts_as_established(s))
        act_.mib.curr_estab = 1;
    if (s == ATCP_ESTABLISHED && t_.state < ATCP_ESTABLISHED) {
        act_.wake |= ATCP_WAKE_CONNECTED | ATCP_WAKE_WRITE;
        arm_keepalive();
    }
    t_.state = s;
}

// The connection is over for the caller's demux: nothing more will come of it.
void Conn::release()
{
    set_state(ATCP_CLOSED);
    t_.rexmt_at = t_.delack_at = t_.keepalive_at = t_.close_at = t_.cork_at = 0;
    t_.rack.reo_at = t_.rack.tlp_at = 0;
    act_.wake |= ATCP_WAKE_RELEASE;
}

void Conn::fail(atcp_error e)
{
    if (t_.state == ATCP_SYN_SENT || t_.state == ATCP_SYN_RECEIVED)
        act_.mib.attempt_fails = 1;
    else if (counts_as_established(t_.state))
        act_.mib.estab_resets = 1;
    act_.error = e;
    act_.wake |= ATCP_WAKE_READ | ATCP_WAKE_WRITE;
    release();
}

// RFC 9293 3.10.4, CLOSE.
void Conn::close()
{
    switch (t_.state) {
    case ATCP_CLOSED:
    case ATCP_LISTEN:
        release();
        break;
    case ATCP_SYN_SENT:
        act_.mib.attempt_fails = 1;
        release();
        break;
    case ATCP_SYN_RECEIVED:
    case ATCP_ESTABLISHED:
        t_.set(kFinQueued);
        set_state(ATCP_FIN_WAIT_1);
        break;
    case ATCP_CLOSE_WAIT:
        t_.set(kFinQueued);
        set_state(ATCP_LAST_ACK);
        break;
    default:
        break; // already closing
    }
}

// RFC 9293 3.10.5, ABORT.
void Conn::abort()
{
    switch (t_.state) {
    case ATCP_SYN_RECEIVED:
    case ATCP_ESTABLISHED:
    case ATCP_FIN_WAIT_1:
    case ATCP_FIN_WAIT_2:
    case ATCP_CLOSE_WAIT:
        send_rst(t_.snd_nxt);
        if (counts_as_established(t_.state))
            act_.mib.estab_resets = 1;
        break;
    case ATCP_SYN_SENT:
        act_.mib.attempt_fails = 1;
        break;
    default:
        break;
    }
    release();
}

// The socket is gone; the connection finishes its close on its own.
void Conn::orphan()
{
    t_.set(kOrphan);
    if (t_.state == ATCP_CLOSED || t_.state == ATCP_LISTEN)
        release();
    else if (t_.state == ATCP_FIN_WAIT_2)
        t_.close_at = now_ + uint64_t{t_.params.fin_wait_2_ms} * 1000;
}

// TIME-WAIT lasts 2 MSL from the last FIN it acknowledged (RFC 9293 3.10.7.4).
void Conn::arm_time_wait()
{
    t_.close_at = now_ + uint64_t{t_.params.msl_ms} * 2 * 1000;
}

void Conn::option_changed()
{
    arm_keepalive();
}

// Receive buffer right-sizing, as Linux's tcp_rcv_space_adjust (DRS) and
// FreeBSD's autorcvbuf: once a round trip, if the reader took more than in
// the round trip measured before, the buffer grows to twice that (room for
// a loss) plus twice the growth (the sender's slow start doubles its
// window while this ACK is on its way), up to params.rcv_buf_max.  A
// buffer the user set stays as set.
void Conn::right_size_rcv_buf(uint32_t len)
{
    if (t_.has(kRcvBufPinned) || t_.has(kMemoryPressure))
        return;
    if (t_.rcvq_space == 0) {
        // The first guess is the sender's first flight, but no more than
        // the window Linux first offers from such a buffer: half of it
        // (tcp_init_buffer_space, tcp_win_from_space).  A guess as large as
        // the window could never be beaten where a 64 KiB MSS makes the
        // first flight the whole buffer, as on loopback.
        t_.rcvq_space = min_of(t_.rcv_buf / 2, initial_window(t_.adv_mss));
        t_.rcvq_since_us = now_;
    }
    t_.rcvq_copied += len;
    if (t_.srtt_us == 0 || now_ - t_.rcvq_since_us < max_of(t_.srtt_us, kRightSizingMinRoundTripUs))
        return;
    // Past rcv_buf_max / 2 the answer is rcv_buf_max: the cap keeps the
    // products below within 64 bits.
    const uint32_t copied = min_of(t_.rcvq_copied, t_.params.rcv_buf_max);
    t_.rcvq_copied = 0;
    t_.rcvq_since_us = now_;
    if (copied <= t_.rcvq_space)
        return;
    uint64_t want = uint64_t{copied} * 2 + uint64_t{16} * t_.adv_mss;
    want += want * (copied - t_.rcvq_space) / t_.rcvq_space * 2;
    want = min_of<uint64_t>(want, t_.params.rcv_buf_max);
    t_.rcv_buf = max_of(t_.rcv_buf, static_cast<uint32_t>(want));
    t_.rcvq_space = copied;
}

// TCP_INFO's delivery rate: what was acknowledged over the last round trip
// of ACKs (the round ends when what was in flight at its start is
// acknowledged), a second's worth.
void Conn::sample_delivery_rate()
{
    if (t_.rate_since_us != 0 && seq_lt(t_.snd_una, t_.rate_round_end))
        return;
    if (t_.rate_since_us != 0 && now_ > t_.rate_since_us)
        t_.delivery_rate =
            (t_.bytes_acked - t_.rate_acked_at) * 1000000 / (now_ - t_.rate_since_us);
    t_.rate_round_end = t_.snd_max;
    t_.rate_since_us = now_;
    t_.rate_acked_at = t_.bytes_acked;
}

void Conn::consumed(uint32_t len)
{
    t_.rcv_queued -= min_of(len, t_.rcv_queued);
    right_size_rcv_buf(len);
    // Announce a window that reopened by a step worth it, as far as the
    // window field can say (unscaled, 65535 at most).
    const uint32_t edge = t_.rcv_nxt + min_of(t_.rcv_free(), 0xffffu << t_.rcv_wscale);
    const uint32_t offered = seq_max(t_.rcv_adv, t_.rcv_nxt);
    if (t_.synchronized() && seq_gt(edge, offered) && edge - offered >= t_.window_step())
        t_.set(kAckNow);
}

void Conn::fin_acked()
{
    switch (t_.state) {
    case ATCP_FIN_WAIT_1:
        set_state(ATCP_FIN_WAIT_2);
        if (t_.has(kOrphan))
            t_.close_at = now_ + uint64_t{t_.params.fin_wait_2_ms} * 1000;
        break;
    case ATCP_CLOSING:
        set_state(ATCP_TIME_WAIT);
        arm_time_wait();
        break;
    case ATCP_LAST_ACK:
        release();
        break;
    default:
        break;
    }
}

void Conn::finish()
{
    if (t_.state != ATCP_CLOSED && t_.state != ATCP_LISTEN) {
        output();
        // RFC 6298 5.1: the timer runs while data is outstanding, whatever
        // stopped it (a window that reopened ends persist and its timer).
        if (t_.has(kSynAcked) && t_.flight() > 0 && t_.rexmt_at == 0)
            arm_rexmt();
        schedule_probe();
    }
    act_.state = t_.state;
    act_.deadline_us = next_deadline();
}

} // namespace atcp
