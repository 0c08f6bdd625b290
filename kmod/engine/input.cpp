// SPDX-License-Identifier: GPL-2.0
// SEGMENT ARRIVES: RFC 9293 section 3.10.7, with RFC 5961 and RFC 7323 checks.
#include "engine.hpp"

namespace atcp {
namespace {

constexpr uint64_t kPawsIdleUs = 24ull * 24 * 3600 * 1000 * 1000; // RFC 7323 5.5: 24 days
// RFC 5961 7: the challenge ACK limit counts per second.
constexpr uint64_t kChallengeWindowUs = 1000 * 1000;
// RFC 6298 5.7: the RTO data starts with after a SYN timed out unmeasured.
constexpr uint32_t kRtoAfterSynTimeoutUs = 3000 * 1000;

} // namespace

void Conn::input(const Segment& arrived)
{
    act_.mib.in_segs = 1;
    ++t_.segs_in;
    switch (t_.state) {
    case ATCP_CLOSED:
        return; // the caller answers with atcp_engine_reset_owed
    case ATCP_LISTEN:
        input_listen(arrived);
        return;
    case ATCP_SYN_SENT:
        input_syn_sent(arrived);
        return;
    default:
        break;
    }

    // In a simultaneous open the peer's SYN-ACK crosses ours: its SYN is one
    // we already took, and what is left of it is the ACK (RFC 9293 3.5,
    // figure 7).
    atcp_tcp_header trimmed;
    const Segment seg = crossed_syn_ack(arrived, trimmed) ? Segment{trimmed, arrived.len} : arrived;

    // A retransmitted SYN: our SYN-ACK was lost; send it again.
    if (t_.state == ATCP_SYN_RECEIVED && seg.flag(ATCP_TCP_SYN) && !seg.flag(ATCP_TCP_ACK) &&
        seg.hdr.seq == t_.irs) {
        t_.snd_nxt = t_.iss;
        return;
    }
    if (missing_timestamp(seg))
        return; // RFC 7323 3.2: silently

    // First: the sequence number (RFC 9293 3.10.7.4), after PAWS (RFC 7323 5.3).
    if (paws_rejects(seg) || !acceptable(seg)) {
        if (!seg.flag(ATCP_TCP_RST)) {
            t_.set(kAckNow);
            if (seg.len > 0 && seq_le(seg.hdr.seq + seg.len, t_.rcv_nxt))
                note_dsack(seg.hdr.seq, seg.hdr.seq + seg.len); // an old duplicate
            if (t_.state == ATCP_TIME_WAIT && seg.flag(ATCP_TCP_FIN))
                arm_time_wait();
        }
        return;
    }
    t_.last_recv_us = now_;
    t_.keepalive_probes = 0;
    arm_keepalive();

    // Second: RST.  Third (security) does not apply.  Fourth: SYN.
    if (seg.flag(ATCP_TCP_RST)) {
        input_rst(seg);
        return;
    }
    if (seg.flag(ATCP_TCP_SYN)) {
        if (t_.state == ATCP_SYN_RECEIVED && t_.has(kPassive)) {
            // RFC 9293 3.10.7.4, fourth: a passive open goes back to LISTEN.
            act_.mib.attempt_fails = 1;
            release();
        } else {
            challenge_ack(); // RFC 5961 4.2
        }
        return;
    }

    // Fifth: the ACK field.
    if (!seg.flag(ATCP_TCP_ACK) || !input_ack(seg))
        return;
    take_timestamp(seg);
    ecn_input(seg);

    // Seventh: the text; eighth: FIN.  Data before rcv_nxt is skipped.
    const uint32_t skip = seq_lt(seg.hdr.seq, t_.rcv_nxt) ? t_.rcv_nxt - seg.hdr.seq : 0;
    if (seg.len > skip && orphan_drops_data(seg))
        return;
    if (t_.state == ATCP_ESTABLISHED || t_.state == ATCP_FIN_WAIT_1 || t_.state == ATCP_FIN_WAIT_2)
        input_text(seg, min_of(skip, seg.len));
    if (!seg.flag(ATCP_TCP_FIN))
        return;
    if (t_.state == ATCP_TIME_WAIT) {
        // The peer's FIN is in already: acknowledge, restart 2 MSL (RFC 9293 3.10.7.4).
        t_.set(kAckNow);
        arm_time_wait();
        return;
    }
    if (t_.state == ATCP_ESTABLISHED || t_.state == ATCP_FIN_WAIT_1 ||
        t_.state == ATCP_FIN_WAIT_2) {
        const uint32_t fin = seg.hdr.seq + seg.len;
        if (fin == t_.rcv_nxt) {
            input_fin();
        } else if (seq_gt(fin, t_.rcv_nxt) && seq_lt(fin, t_.rcv_adv)) {
            t_.set(kFinHeld);
            t_.fin_seq = fin;
        }
    }
}

// RFC 1122 4.2.2.13: new data after the user closed cannot be read by anyone;
// a RST tells the peer it was lost, rather than a window that fills and then
// stays shut.  Its sequence number is the segment's ACK (RFC 9293 3.10.7.1 on
// resets), which the peer's RFC 5961 check takes as exact.  Linux counts this
// as TCPAbortOnData, FreeBSD as tcps_rcvafterclose.
bool Conn::orphan_drops_data(const Segment& seg)
{
    if (!t_.has(kOrphan) || (t_.state != ATCP_FIN_WAIT_1 && t_.state != ATCP_FIN_WAIT_2))
        return false;
    send_rst(seg.hdr.ack);
    act_.mib.abort_on_data = 1;
    release();
    return true;
}

// RFC 9293 3.10.7.2.
void Conn::input_listen(const Segment& seg)
{
    if (seg.flag(ATCP_TCP_RST))
        return;
    if (seg.flag(ATCP_TCP_ACK)) {
        atcp_out_segment* rst = new_segment(0, 0);
        if (rst != nullptr && atcp_engine_reset_owed(&seg.hdr, seg.len, rst))
            act_.mib.out_rsts = 1;
        return;
    }
    if (seg.flag(ATCP_TCP_SYN))
        act_.wake |= ATCP_WAKE_SPAWN;
}

// RFC 9293 3.10.7.3.
void Conn::input_syn_sent(const Segment& seg)
{
    const atcp_tcp_header& h = seg.hdr;
    const bool has_ack = seg.flag(ATCP_TCP_ACK);
    if (has_ack && (seq_le(h.ack, t_.iss) || seq_gt(h.ack, t_.snd_max))) {
        if (!seg.flag(ATCP_TCP_RST))
            send_rst(h.ack);
        return;
    }
    if (seg.flag(ATCP_TCP_RST)) {
        if (has_ack)
            fail(ATCP_ERR_REFUSED);
        return;
    }
    if (!seg.flag(ATCP_TCP_SYN))
        return;

    take_peer_syn(h);
    if (!has_ack) {
        // Simultaneous open: answer with SYN-ACK from the same ISS.
        set_state(ATCP_SYN_RECEIVED);
        t_.snd_nxt = t_.iss;
        return;
    }
    const bool syn_timed_out = t_.retries > 0;
    take_rtt_sample(seg);
    t_.snd_una = h.ack;
    t_.set(kSynAcked);
    t_.snd_wl2 = h.ack;
    t_.retries = 0;
    t_.rexmt_at = 0;
    handshake_rto(syn_timed_out);
    t_.last_ack_recv_us = now_;
    set_state(ATCP_ESTABLISHED);
    t_.set(kAckNow);
    if (seg.len > 0)
        input_text(seg, 0);
    if (seg.flag(ATCP_TCP_FIN) && h.seq + 1 + seg.len == t_.rcv_nxt)
        input_fin();
}

bool Conn::crossed_syn_ack(const Segment& seg, atcp_tcp_header& trimmed) const
{
    if (t_.state != ATCP_SYN_RECEIVED || t_.has(kPassive) || !seg.flag(ATCP_TCP_SYN) ||
        !seg.flag(ATCP_TCP_ACK) || seg.hdr.seq != t_.irs)
        return false;
    trimmed = seg.hdr;
    // ECE and CWR on it were the SYN's agreement (RFC 3168 6.1.1), no echo.
    trimmed.flags &= static_cast<uint8_t>(~(ATCP_TCP_SYN | ATCP_TCP_ECE | ATCP_TCP_CWR));
    trimmed.seq += 1;
    return true;
}

// RFC 7323 section 3.2: once both sides use timestamps, a segment without
// one (other than a RST) is dropped.
bool Conn::missing_timestamp(const Segment& seg) const
{
    return t_.has(kTimestamps) && !seg.flag(ATCP_TCP_RST) &&
           !(seg.hdr.opt.present & ATCP_OPT_TIMESTAMP);
}

// RFC 7323 section 5.3: a timestamp older than the last one is an old duplicate.
bool Conn::paws_rejects(const Segment& seg) const
{
    const atcp_tcp_options& o = seg.hdr.opt;
    return t_.has(kTimestamps) && (o.present & ATCP_OPT_TIMESTAMP) && !seg.flag(ATCP_TCP_RST) &&
           seq_lt(o.ts_val, t_.ts_recent) && !ts_recent_expired();
}

// RFC 7323 section 5.5: TS.Recent is no longer valid after 24 days idle.
bool Conn::ts_recent_expired() const
{
    return now_ - t_.ts_recent_us >= kPawsIdleUs;
}

// RFC 9293 3.10.7.4, the four cases of the acceptability test.
bool Conn::acceptable(const Segment& seg) const
{
    const uint32_t seq = seg.hdr.seq;
    const uint32_t len = seg.seq_len();
    const uint32_t wnd = seq_gt(t_.rcv_adv, t_.rcv_nxt) ? t_.rcv_adv - t_.rcv_nxt : 0;
    if (wnd == 0)
        // "Special allowance" for ACKs and RSTs: the segment at rcv_nxt is
        // processed for its control bits; its text is trimmed to nothing.
        return seq == t_.rcv_nxt;
    const uint32_t end = t_.rcv_nxt + wnd;
    if (len == 0)
        return seq_in(seq, t_.rcv_nxt, end);
    return seq_in(seq, t_.rcv_nxt, end) || seq_in(seq + len - 1, t_.rcv_nxt, end);
}

// RFC 5961 section 3.2: only an exact RST resets; others get a challenge.
void Conn::input_rst(const Segment& seg)
{
    if (seg.hdr.seq != t_.rcv_nxt) {
        challenge_ack();
        return;
    }
    switch (t_.state) {
    case ATCP_SYN_RECEIVED:
        fail(t_.has(kPassive) ? ATCP_ERR_RESET : ATCP_ERR_REFUSED);
        break;
    case ATCP_ESTABLISHED:
    case ATCP_FIN_WAIT_1:
    case ATCP_FIN_WAIT_2:
    case ATCP_CLOSE_WAIT:
    case ATCP_CLOSING:
    case ATCP_LAST_ACK:
        // RFC 9293 only closes CLOSING and LAST-ACK; tcp(4) tells a socket
        // still open after shutdown() ECONNRESET, as BSD's tcp_drop() does.
        fail(ATCP_ERR_RESET);
        break;
    default:
        release(); // TIME-WAIT
        break;
    }
}

// RFC 5961 section 7: challenge ACKs are rate limited.
void Conn::challenge_ack()
{
    if (now_ - t_.challenge_window_us >= kChallengeWindowUs) {
        t_.challenge_window_us = now_;
        t_.challenge_acks = 0;
    }
    if (t_.challenge_acks < t_.params.challenge_ack_limit) {
        ++t_.challenge_acks;
        t_.set(kAckNow);
    }
}

// False when the segment is to be dropped here.
bool Conn::input_ack(const Segment& seg)
{
    const uint32_t ack = seg.hdr.ack;
    const bool syn_timed_out = t_.state == ATCP_SYN_RECEIVED && t_.retries > 0;
    if (t_.state == ATCP_SYN_RECEIVED) {
        if (!seq_lt(t_.snd_una, ack) || !seq_le(ack, t_.snd_max)) {
            send_rst(ack);
            return false;
        }
        set_state(ATCP_ESTABLISHED);
        t_.snd_wnd = uint32_t{seg.hdr.window} << t_.snd_wscale;
        t_.max_snd_wnd = max_of(t_.max_snd_wnd, t_.snd_wnd);
        t_.snd_wl1 = seg.hdr.seq;
        t_.snd_wl2 = ack;
    }
    if (seq_gt(ack, t_.snd_max)) {
        t_.set(kAckNow); // it acknowledges what we never sent
        return false;
    }
    // RFC 5961 section 5.2: an ACK older than the window we ever offered.
    if (seq_lt(ack, t_.snd_una - t_.max_snd_wnd)) {
        challenge_ack();
        return false;
    }

    const bool duplicate = ack == t_.snd_una && seg.len == 0 && !seg.flag(ATCP_TCP_FIN) &&
                           (uint32_t{seg.hdr.window} << t_.snd_wscale) == t_.snd_wnd &&
                           t_.flight() > 0 && t_.snd_wnd != 0; // not an answer to a window probe
    const uint32_t una_before = t_.snd_una;
    const uint32_t sacked_before = sacked_bytes();
    // Before the window moves: the reduction is of the window the mark was in.
    on_ece(seg);
    if (seq_gt(ack, t_.snd_una)) {
        const uint32_t data_start = t_.data_start();
        const uint32_t data_end = t_.send_end();
        const uint32_t acked = seq_gt(ack, data_start) ? seq_min(ack, data_end) - data_start : 0;
        const bool our_fin_acked = t_.has(kFinSent) && seq_gt(ack, data_end);

        take_rtt_sample(seg);

        t_.snd_una = ack;
        trim_scoreboard();
        t_.set(kSynAcked);
        if (seq_lt(t_.snd_nxt, ack))
            t_.snd_nxt = ack;
        t_.send_queued -= acked;
        t_.bytes_acked += acked;
        act_.acked += acked;
        act_.wake |= ATCP_WAKE_WRITE;
        t_.retries = 0;
        t_.head_sent_us = now_;
        t_.limited_bytes = 0;
        t_.last_ack_recv_us = now_;
        on_new_ack(acked);
        sample_delivery_rate();
        retry_blackhole_mss();
        if (t_.snd_una == t_.snd_max) {
            if (!t_.has(kPersist))
                t_.rexmt_at = 0;
        } else {
            arm_rexmt();
        }
        if (our_fin_acked) {
            t_.clear(kFinQueued); // nothing of ours is left to send
            fin_acked();
        }
        if (t_.state == ATCP_CLOSED)
            return false;
        if (syn_timed_out)
            handshake_rto(true);
    }
    take_sack_blocks(seg);
    update_send_window(seg);
    if (duplicate)
        on_dupack();
    rack_on_ack(seg, una_before);
    // RFC 6937: DeliveredData, what this ACK newly acknowledged or SACKed.
    const int64_t delivered = int64_t{t_.snd_una - una_before} + sacked_bytes() - sacked_before;
    if (!t_.has(kSackRecovery) && sack_recovery_due())
        enter_sack_recovery();
    // A held ACK leaves cwnd as it was (Linux returns before its PRR step).
    if (t_.has(kSackRecovery) && !t_.rack.has(kHoldRetransmit))
        prr_on_ack(static_cast<uint32_t>(max_of<int64_t>(delivered, 0)));
    return true;
}

// An ACK of something new (the SYN included): RFC 6298 section 3 and RFC
// 7323 4.1, an RTT sample from the echoed timestamp, or from the timed
// segment if it was never retransmitted (Karn).
void Conn::take_rtt_sample(const Segment& seg)
{
    // RFC 1122 4.2.3.9: a soft error is reported only if the connection then
    // fails; this one made progress, so the path works again (Linux's
    // tcp_ack() clears sk_err_soft), sample or not (Karn).
    t_.soft_error = ATCP_ERR_NONE;
    const atcp_tcp_options& o = seg.hdr.opt;
    const uint32_t ack = seg.hdr.ack;
    // An echo from the future or from before the connection is not ours.
    const uint32_t ts_rtt_ms = ts_now() - o.ts_ecr;
    const bool timed = t_.has(kRttTiming) && seq_gt(ack, t_.rtt_seq);
    const uint32_t timed_us = static_cast<uint32_t>(now_ - t_.rtt_start_us);
    // min_RTT takes samples to the microsecond only, this one and RACK's:
    // an echoed timestamp counts milliseconds, and one under a millisecond
    // would read as no delay at all.
    if (timed)
        note_min_rtt(timed_us);
    if (t_.has(kTimestamps) && (o.present & ATCP_OPT_TIMESTAMP) && o.ts_ecr != 0 &&
        ts_rtt_ms <= t_.params.rto_max_ms)
        rtt_sample(ts_rtt_ms * 1000);
    else if (timed)
        rtt_sample(timed_us);
    if (timed)
        t_.clear(kRttTiming);
}

// RFC 6298 5.7: a SYN that timed out without a sample leaves 3 s for data.
void Conn::handshake_rto(bool syn_timed_out)
{
    if (syn_timed_out && t_.srtt_us == 0) {
        t_.rto_us = max_of(t_.rto_us, kRtoAfterSynTimeoutUs);
        t_.backoff = 0; // re-initialized, not backed off
    }
}

// RFC 9293 3.10.7.4: take the window from the newest segment only.
void Conn::update_send_window(const Segment& seg)
{
    const uint32_t seq = seg.hdr.seq;
    const uint32_t ack = seg.hdr.ack;
    if (!(seq_lt(t_.snd_wl1, seq) || (t_.snd_wl1 == seq && seq_le(t_.snd_wl2, ack))))
        return;
    t_.snd_wnd = uint32_t{seg.hdr.window} << t_.snd_wscale;
    t_.max_snd_wnd = max_of(t_.max_snd_wnd, t_.snd_wnd);
    t_.snd_wl1 = seq;
    t_.snd_wl2 = ack;
    if (t_.snd_wnd > 0 && t_.has(kPersist)) {
        t_.clear(kPersist);
        t_.rexmt_at = 0;
        t_.backoff = 0;
    }
}

// RFC 7323 section 4.3.
void Conn::take_timestamp(const Segment& seg)
{
    const atcp_tcp_options& o = seg.hdr.opt;
    if (t_.has(kTimestamps) && (o.present & ATCP_OPT_TIMESTAMP) &&
        (seq_ge(o.ts_val, t_.ts_recent) || ts_recent_expired()) &&
        seq_le(seg.hdr.seq, t_.last_ack_sent)) {
        t_.ts_recent = o.ts_val;
        t_.ts_recent_us = now_;
    }
}

// Payload bytes [skip, len) of seg, where skip brings the start to rcv_nxt or later.
void Conn::input_text(const Segment& seg, uint32_t skip)
{
    const uint32_t data_seq = seg.hdr.seq + (seg.flag(ATCP_TCP_SYN) ? 1 : 0);
    const uint32_t start = data_seq + skip;
    // Trim to the window we offered (RFC 9293 3.10.7.4).
    const uint32_t room = seq_gt(t_.rcv_adv, start) ? t_.rcv_adv - start : 0;
    const uint32_t len = min_of(seg.len - skip, room);
    if (len < seg.len - skip || skip > 0)
        t_.set(kAckNow); // a duplicate or an overrun: tell the sender where we are
    if (skip > 0)
        note_dsack(data_seq, start); // the part we had already
    if (len == 0)
        return;

    if (start != t_.rcv_nxt) {
        // Out of order: hold it and say so at once (RFC 5681 4.2).
        t_.set(kAckNow);
        if (hold(start, start + len)) {
            act_.hold_offset = skip;
            act_.hold_len = len;
            act_.hold_seq = start;
        }
        return;
    }

    act_.deliver_offset = skip;
    act_.deliver_len = len;
    t_.rcv_nxt += len;
    t_.rcv_queued += len;
    t_.bytes_received += len;
    t_.last_recv_us = now_;
    act_.wake |= ATCP_WAKE_READ;
    if (t_.ooo_count > 0) {
        t_.set(kAckNow); // all or part of a gap filled (RFC 5681 4.2)
        if (drain_held()) {
            act_.drain = 1;
            act_.drain_to = t_.rcv_nxt;
        }
    }
    // RFC 5681 4.2: ACK at least every second full-sized segment, else delay.
    if (++t_.delack_segs >= 2 || t_.has(kFinHeld))
        t_.set(kAckNow);
    else if (t_.delack_at == 0)
        t_.delack_at = now_ + uint64_t{t_.params.delack_ms} * 1000;
    if (t_.has(kFinHeld) && t_.fin_seq == t_.rcv_nxt)
        input_fin();
}

// RFC 2883 4: the ACK a duplicate provokes reports it in its first SACK
// block, once.
void Conn::note_dsack(uint32_t start, uint32_t end)
{
    if (!t_.has(kSackOk))
        return;
    t_.dsack_start = start;
    t_.dsack_end = end;
    t_.set(kDsack);
}

// RFC 9293 3.10.7.4, eighth: the FIN is in order.
void Conn::input_fin()
{
    t_.clear(kFinHeld);
    t_.rcv_nxt += 1;
    t_.set(kAckNow);
    act_.wake |= ATCP_WAKE_READ | ATCP_WAKE_EOF;
    switch (t_.state) {
    case ATCP_SYN_RECEIVED:
    case ATCP_ESTABLISHED:
        set_state(ATCP_CLOSE_WAIT);
        break;
    case ATCP_FIN_WAIT_1:
        set_state(ATCP_CLOSING);
        break;
    case ATCP_FIN_WAIT_2:
    case ATCP_TIME_WAIT:
        set_state(ATCP_TIME_WAIT);
        arm_time_wait();
        break;
    default:
        break;
    }
}

} // namespace atcp
