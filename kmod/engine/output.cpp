// SPDX-License-Identifier: GPL-2.0
// What to send: SYNs, data under the windows and Nagle, FINs, ACKs, RSTs.
#include "congestion.hpp"
#include "engine.hpp"

namespace atcp {

namespace {

constexpr uint64_t kCorkCeilingUs = 200000; // tcp(7): TCP_CORK holds at most 200 ms

} // namespace

void Conn::output()
{
    if (!t_.has(kSynAcked)) {
        // Until the SYN is acknowledged only the SYN (or SYN-ACK) goes out.
        if (t_.snd_nxt == t_.iss)
            send_syn();
    } else if (t_.has(kSackRecovery)) {
        while (send_in_recovery()) {
        }
    } else {
        while (send_data()) {
        }
    }
    if (t_.has(kAckNow))
        send_ack();

    // Data waits for a window too small for it, and nothing is in flight to
    // bring an update: probe (RFC 9293 3.8.6.1), which also breaks a stall
    // from sender SWS avoidance.
    const uint32_t unsent = seq_lt(t_.snd_nxt, t_.send_end()) ? t_.send_end() - t_.snd_nxt : 0;
    const bool window_blocked = t_.snd_wnd < min_of(unsent, uint32_t{t_.snd_mss});
    if (t_.has(kSynAcked) && unsent > 0 && window_blocked && t_.flight() == 0 && t_.rexmt_at == 0) {
        t_.set(kPersist);
        t_.rexmt_at = now_ + backed_off_rto();
    }
}

// The payload a segment may carry: snd_mss already leaves room for the
// timestamp every segment has; SACK blocks, when we send them, take theirs
// out of the same MSS (RFC 9293 3.7.1).
uint32_t Conn::segment_payload_max() const
{
    const uint32_t blocks = sack_blocks();
    return t_.snd_mss - (blocks > 0 ? 4 + 8 * blocks : 0);
}

// SACK blocks our segments carry: what the option space holds beside the
// timestamp (RFC 2018 3), and never so many that no payload fits.
uint32_t Conn::sack_blocks() const
{
    const uint32_t ranges = t_.ooo_count + (t_.has(kDsack) ? 1 : 0);
    if (!t_.has(kSackOk) || ranges == 0)
        return 0;
    const uint32_t fit = t_.has(kTimestamps) ? 3 : 4;
    const uint32_t room = t_.snd_mss > 4 ? (t_.snd_mss - 4 - 1) / 8 : 0;
    return min_of(min_of(ranges, fit), room);
}

// One segment of new or go-back-N data, or a FIN; false when nothing may go.
// A loss probe (RFC 8985 7.3) sends one segment of new data, small or not,
// whatever the congestion window.
bool Conn::send_data(bool probe)
{
    const uint32_t end = t_.send_end();
    // Going back after a timeout passes over what the peer SACKed, as
    // Linux's tcp_enter_loss() keeps it (the scoreboard goes if it times
    // out again: on_rto_loss()).
    if (t_.sacked_count > 0 && seq_lt(t_.snd_nxt, t_.snd_max))
        t_.snd_nxt = first_unsacked(t_.snd_nxt);
    if (act_.nsegs == ATCP_ACTIONS_SEGS) {
        act_.more = seq_lt(t_.snd_nxt, end) || (t_.has(kFinQueued) && t_.snd_nxt == end);
        return false;
    }
    const uint32_t unsent = seq_lt(t_.snd_nxt, end) ? end - t_.snd_nxt : 0;
    const bool fin_waits = t_.has(kFinQueued) && seq_le(t_.snd_nxt, end);
    if (unsent == 0 && !fin_waits)
        return false;

    // RFC 5681 4.1: after an idle RTO, restart from at most the initial window.
    if (t_.flight() == 0 && t_.last_send_us != 0 && now_ - t_.last_send_us > t_.rto_us)
        t_.cwnd = min_of(t_.cwnd, initial_window(t_.snd_mss));

    // RFC 5681 3.1 and RFC 3042: within min(cwnd, rwnd), plus one segment per
    // early duplicate ACK; in SACK recovery pipe is the congestion limit
    // (send_in_recovery()), and only the peer's window is left.
    uint32_t cwnd = t_.cwnd;
    if (t_.has(kSackRecovery) || probe)
        cwnd = ~uint32_t{0};
    else if (!t_.has(kInRecovery) && t_.dupacks < 3)
        cwnd += t_.dupacks * uint32_t{t_.snd_mss};
    const uint32_t wnd_end = t_.snd_una + min_of(t_.snd_wnd, cwnd);
    const uint32_t usable = seq_gt(wnd_end, t_.snd_nxt) ? wnd_end - t_.snd_nxt : 0;
    const uint32_t full = segment_payload_max();
    const bool retransmit = seq_lt(t_.snd_nxt, t_.snd_max);
    if (probe && retransmit)
        return false;
    const uint32_t hole = retransmit ? hole_end(t_.snd_nxt) - t_.snd_nxt : ~uint32_t{0};
    const uint32_t len = min_of(min_of(min_of(unsent, usable), full), hole);
    const bool fin = t_.has(kFinQueued) && t_.snd_nxt + len == end;

    if (len == 0 && !fin)
        return false;
    if (len < full && !retransmit && !t_.has(kForcePush) && !probe) {
        if (len < unsent) {
            // Sender SWS avoidance (RFC 9293 3.8.6.2.1): no small window-limited segments.
            if (len < t_.max_snd_wnd / 2)
                return false;
        } else if (!fin) {
            // TCP_NOPUSH and TCP_CORK hold a partial segment until close; Nagle
            // (RFC 896) while anything is unacknowledged.
            if (t_.has(kNoPush) || t_.has(kCork)) {
                if (t_.has(kCork) && t_.cork_at == 0)
                    t_.cork_at = now_ + kCorkCeilingUs;
                return false;
            }
            if (!t_.has(kNoDelay) && t_.flight() > 0)
                return false;
        }
    }
    if (len < full)
        t_.clear(kForcePush);
    t_.cork_at = 0;

    uint8_t flags = ATCP_TCP_ACK;
    if (len > 0 && t_.snd_nxt + len == end)
        flags |= ATCP_TCP_PSH;
    if (fin)
        flags |= ATCP_TCP_FIN;
    atcp_out_segment* s = new_segment(t_.snd_nxt, flags, retransmit);
    if (s == nullptr)
        return false;
    s->data_offset = t_.snd_nxt - t_.data_start();
    s->data_len = len;
    if (!retransmit && len > 0)
        ecn_mark_data(*s);

    if (t_.flight() == 0)
        t_.head_sent_us = now_;
    if (!retransmit)
        t_.last_send_us = now_;
    // Limited transmit's segments stay out of FlightSize (RFC 5681 3.2 step 2).
    const uint32_t plain_end = t_.snd_una + min_of(t_.snd_wnd, t_.cwnd);
    if (t_.has(kSackRecovery))
        t_.prr_out += len;
    else if (seq_gt(t_.snd_nxt + len, plain_end))
        t_.limited_bytes += t_.snd_nxt + len - seq_max(plain_end, t_.snd_nxt);
    if (!retransmit && len > 0 && !t_.has(kRttTiming) && !t_.has(kTimestamps)) {
        // Karn: time one new segment at a time, never a retransmission.
        t_.set(kRttTiming);
        t_.rtt_seq = t_.snd_nxt;
        t_.rtt_start_us = now_;
    }
    note_sent(t_.snd_nxt, t_.snd_nxt + len + (fin ? 1 : 0), retransmit);
    t_.snd_nxt += len + (fin ? 1 : 0);
    if (fin)
        t_.set(kFinSent);
    t_.snd_max = seq_max(t_.snd_max, t_.snd_nxt);
    if (t_.rexmt_at == 0 || t_.has(kPersist))
        arm_rexmt();
    return true;
}

void Conn::send_syn()
{
    const bool syn_ack = t_.state != ATCP_SYN_SENT;
    const uint8_t flags = ATCP_TCP_SYN | (syn_ack ? ATCP_TCP_ACK : 0) | ecn_syn_flags();
    atcp_out_segment* s = new_segment(t_.iss, flags, t_.retries > 0);
    if (s == nullptr)
        return;
    if (t_.retries == 0) {
        t_.set(kRttTiming);
        t_.rtt_seq = t_.iss;
        t_.rtt_start_us = now_;
    }
    t_.snd_nxt = t_.iss + 1;
    t_.snd_max = seq_max(t_.snd_max, t_.snd_nxt);
    if (t_.rexmt_at == 0)
        arm_rexmt();
}

// A pure ACK carries snd_max, not a go-back-N snd_nxt that the peer, having
// received that data, would find behind its window and drop (as BSD does).
void Conn::send_ack()
{
    new_segment(t_.snd_max, ATCP_TCP_ACK);
}

// A segment the peer must answer with its current ACK and window: an old
// sequence number and no data (window probes and keepalives, as Linux sends).
void Conn::send_probe()
{
    new_segment(t_.snd_una - 1, ATCP_TCP_ACK);
}

void Conn::send_rst(uint32_t seq)
{
    if (new_segment(seq, ATCP_TCP_RST) != nullptr)
        act_.mib.out_rsts = 1;
}

// Fast retransmission: the first unacknowledged segment, snd_nxt untouched.
void Conn::retransmit_first()
{
    retransmit_at(t_.snd_una, t_.snd_max);
}

// What was sent from seq, again: one segment, ending by end (the next SACKed
// range, or snd_max: a retransmission never reaches past what was sent).
// Returns the sequence space it took, 0 when nothing went.
uint32_t Conn::retransmit_at(uint32_t seq, uint32_t end)
{
    const uint32_t data_end = t_.send_end();
    const uint32_t limit = seq_min(end, data_end);
    const uint32_t len = min_of(seq_gt(limit, seq) ? limit - seq : 0u, segment_payload_max());
    const bool fin = t_.has(kFinSent) && seq + len == data_end && seq_lt(data_end, end);
    if (len == 0 && !fin)
        return 0;
    uint8_t flags = ATCP_TCP_ACK | (fin ? ATCP_TCP_FIN : 0);
    // The segment that ends the data pushes it again, as the original did
    // (RFC 9293 3.9.1.2; Linux and BSD keep PSH on such a retransmission).
    if (len > 0 && seq + len == data_end)
        flags |= ATCP_TCP_PSH;
    atcp_out_segment* s = new_segment(seq, flags, true);
    if (s == nullptr)
        return 0;
    s->data_offset = seq - t_.data_start();
    s->data_len = len;
    t_.clear(kRttTiming); // Karn: the timed segment may be this one
    note_sent(seq, seq + len + (fin ? 1 : 0), true);
    // RFC 6298 5.1: any segment with data, a retransmission too, starts the
    // timer if it is not running.
    if (t_.rexmt_at == 0)
        arm_rexmt();
    return len + (fin ? 1 : 0);
}

// Appends a segment with the ACK, window and options every segment carries.
atcp_out_segment* Conn::new_segment(uint32_t seq, uint8_t flags, bool retransmit)
{
    if (act_.nsegs == ATCP_ACTIONS_SEGS) {
        act_.more = 1;
        return nullptr;
    }
    atcp_out_segment& s = act_.segs[act_.nsegs++];
    s = atcp_out_segment{};
    s.hdr.src_port = t_.local_port;
    s.hdr.dst_port = t_.remote_port;
    s.hdr.seq = seq;
    s.hdr.flags = flags;
    const bool syn = (flags & ATCP_TCP_SYN) != 0;
    if (flags & ATCP_TCP_ACK) {
        // RFC 3168 6.1.3: every ACK echoes a CE mark until CWR arrives.
        if (!syn && t_.has(kEcnEcho))
            s.hdr.flags |= ATCP_TCP_ECE;
        s.hdr.ack = t_.rcv_nxt;
        s.hdr.window = window_field(syn);
        t_.last_ack_sent = t_.rcv_nxt;
        t_.clear(kAckNow);
        t_.delack_at = 0;
        t_.delack_segs = 0;
    } else if (syn) {
        s.hdr.window = window_field(true);
    }
    if (!(flags & ATCP_TCP_RST))
        add_options(s, syn);

    ++t_.segs_out;
    if (retransmit) {
        ++act_.mib.retrans_segs;
        ++t_.total_retrans;
    } else {
        ++act_.mib.out_segs;
    }
    return &s;
}

// The window to advertise, moving rcv_adv: it never shrinks (RFC 7323 2.4)
// and opens only in steps worth announcing (RFC 9293 3.8.6.2.2).
uint16_t Conn::window_field(bool syn)
{
    const uint32_t free = t_.rcv_free();
    if (syn) {
        // Never scaled in a SYN (RFC 7323 2.2).
        const uint32_t wnd = min_of(free, 0xffffu);
        t_.rcv_adv = t_.rcv_nxt + wnd;
        return static_cast<uint16_t>(wnd);
    }
    const uint32_t edge = t_.rcv_nxt + free;
    if (seq_lt(t_.rcv_adv, t_.rcv_nxt))
        t_.rcv_adv = t_.rcv_nxt;
    if (seq_gt(edge, t_.rcv_adv) && edge - t_.rcv_adv >= t_.window_step())
        t_.rcv_adv = edge;
    // Round up so that scaling never pulls the right edge back.
    const uint32_t scale = t_.rcv_wscale;
    const uint32_t wnd = t_.rcv_adv - t_.rcv_nxt;
    const uint32_t field = min_of((wnd + (1u << scale) - 1) >> scale, 0xffffu);
    t_.rcv_adv = t_.rcv_nxt + (field << scale);
    return static_cast<uint16_t>(field);
}

void Conn::add_options(atcp_out_segment& s, bool syn)
{
    if (t_.has(kNoOpt))
        return; // tcp(4) TCP_NOOPT: none at all, not even MSS
    atcp_tcp_options& o = s.hdr.opt;
    if (syn) {
        const bool offer = t_.state == ATCP_SYN_SENT;
        o.mss = t_.adv_mss;
        o.present |= ATCP_OPT_MSS;
        // An active open offers what rfc1323 allows; a passive one answers only
        // what the peer offered (RFC 7323 2.2, 3.2).
        if (offer ? t_.params.rfc1323 : t_.has(kWindowScale)) {
            o.wscale = t_.rcv_wscale;
            o.present |= ATCP_OPT_WSCALE;
        }
        if (offer ? t_.params.rfc1323 : t_.has(kTimestamps)) {
            o.ts_val = ts_now();
            o.ts_ecr = offer ? 0 : t_.ts_recent;
            o.present |= ATCP_OPT_TIMESTAMP;
        }
        if (offer || t_.has(kSackOk))
            o.present |= ATCP_OPT_SACK_PERM;
        return;
    }
    if (t_.has(kTimestamps)) {
        o.ts_val = ts_now();
        o.ts_ecr = t_.ts_recent;
        o.present |= ATCP_OPT_TIMESTAMP;
    }
    if (sack_blocks() > 0 && (s.hdr.flags & ATCP_TCP_ACK))
        add_sack_blocks(o);
}

// RFC 2018 section 4: the block with the newest segment first, then the
// others from the most recently reported back; before them all, once, a
// duplicate just received (D-SACK, RFC 2883 4).
void Conn::add_sack_blocks(atcp_tcp_options& o)
{
    const uint32_t blocks = sack_blocks();
    uint32_t below = ~0u; // stamps below this are still to be placed
    uint8_t n = 0;
    if (t_.has(kDsack)) {
        t_.clear(kDsack);
        o.sack[n].start = t_.dsack_start;
        o.sack[n].end = t_.dsack_end;
        ++n;
    }
    while (n < blocks) {
        const SeqRange* newest = nullptr;
        for (uint8_t i = 0; i < t_.ooo_count; ++i) {
            const SeqRange& r = t_.ooo[i];
            if (r.stamp < below && (newest == nullptr || r.stamp > newest->stamp))
                newest = &r;
        }
        o.sack[n].start = newest->start;
        o.sack[n].end = newest->end;
        below = newest->stamp;
        ++n;
    }
    o.sack_count = n;
    o.present |= ATCP_OPT_SACK;
}

} // namespace atcp

using namespace atcp;

// RFC 9293 3.10.7.1: the answer to a segment for no connection.
extern "C" bool atcp_engine_reset_owed(const atcp_tcp_header* seg, uint32_t payload_len,
                                       atcp_out_segment* rst)
{
    if (seg->flags & ATCP_TCP_RST)
        return false;
    *rst = atcp_out_segment{};
    rst->hdr.src_port = seg->dst_port;
    rst->hdr.dst_port = seg->src_port;
    if (seg->flags & ATCP_TCP_ACK) {
        rst->hdr.seq = seg->ack;
        rst->hdr.flags = ATCP_TCP_RST;
    } else {
        const Segment s{*seg, payload_len};
        rst->hdr.ack = seg->seq + s.seq_len();
        rst->hdr.flags = ATCP_TCP_RST | ATCP_TCP_ACK;
    }
    return true;
}
