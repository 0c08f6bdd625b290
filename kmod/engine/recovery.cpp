// SPDX-License-Identifier: GPL-2.0
// SACK-based loss recovery: the sender's scoreboard of what the peer's SACK
// blocks reported (RFC 2018) and the choice of what to send (RFC 6675),
// paced by Proportional Rate Reduction (RFC 6937); RACK (rack.cpp) says
// what is lost.  Without SACK
// the engine recovers with NewReno (congestion.cpp).
#include "engine.hpp"

namespace atcp {

uint32_t sacked_bytes(const Tcb& t)
{
    uint32_t sum = 0;
    for (uint8_t i = 0; i < t.sacked_count; ++i)
        sum += t.sacked[i].end - t.sacked[i].start;
    return sum;
}

uint32_t Conn::sacked_bytes() const
{
    return atcp::sacked_bytes(t_);
}

// Ranges at or below snd_una are acknowledged for good: the scoreboard
// keeps only what lies above it.
void Conn::trim_scoreboard()
{
    uint8_t kept = 0;
    for (uint8_t i = 0; i < t_.sacked_count; ++i) {
        SackRange r = t_.sacked[i];
        if (seq_le(r.end, t_.snd_una))
            continue;
        r.start = seq_max(r.start, t_.snd_una);
        t_.sacked[kept++] = r;
    }
    t_.sacked_count = kept;
}

// Adds [start, end) to the sorted, disjoint scoreboard, merging what it
// touches.  When the ranges outnumber the scoreboard the highest goes: the
// holes nearest snd_una are the ones to repair next, and a forgotten range
// only makes IsLost more cautious and may resend bytes the peer holds.
void Conn::add_sacked(uint32_t start, uint32_t end)
{
    SackRange merged[kScoreboardRanges + 1];
    uint8_t n = 0;
    bool placed = false;
    for (uint8_t i = 0; i < t_.sacked_count; ++i) {
        const SackRange r = t_.sacked[i];
        if (seq_lt(r.end, start)) {
            merged[n++] = r;
        } else if (seq_lt(end, r.start)) {
            if (!placed) {
                merged[n++] = {start, end};
                placed = true;
            }
            merged[n++] = r;
        } else {
            start = seq_min(start, r.start);
            end = seq_max(end, r.end);
        }
    }
    if (!placed)
        merged[n++] = {start, end};
    t_.sacked_count = min_of<uint8_t>(n, kScoreboardRanges);
    for (uint8_t i = 0; i < t_.sacked_count; ++i)
        t_.sacked[i] = merged[i];
}

// RFC 2018 section 4: the blocks of an acceptable ACK.  A block at or
// below the cumulative ACK is a D-SACK (RFC 2883) and reports nothing new;
// one reaching past what was sent is bogus.
void Conn::take_sack_blocks(const Segment& seg)
{
    const atcp_tcp_options& o = seg.hdr.opt;
    if (!t_.has(kSackOk) || !(o.present & ATCP_OPT_SACK))
        return;
    for (uint8_t i = 0; i < o.sack_count; ++i) {
        const uint32_t start = seq_max(o.sack[i].start, t_.snd_una);
        const uint32_t end = o.sack[i].end;
        if (seq_lt(start, end) && seq_le(end, t_.snd_max))
            add_sacked(start, end);
    }
}

// RFC 6675 IsLost() for every hole at once, when RACK is off: a hole is
// lost when DupThresh discontiguous ranges, or more than (DupThresh - 1) *
// SMSS SACKed bytes, lie above it.  Returns the sequence below which every
// hole is lost (snd_una: none is).
uint32_t Conn::lost_below() const
{
    uint32_t bytes = 0;
    for (uint8_t i = t_.sacked_count; i-- > 0;) {
        bytes += t_.sacked[i].end - t_.sacked[i].start;
        const uint32_t ranges = t_.sacked_count - i;
        if (ranges >= kDupThresh || bytes > (kDupThresh - 1) * t_.snd_mss)
            return t_.sacked[i].start;
    }
    return t_.snd_una;
}

// RFC 6675 section 5's loss detection, in place of RACK's: what IsLost()
// and not yet sent again is marked lost, and at DupThresh duplicate ACKs
// the first unacknowledged segment is, whatever IsLost() says.  Returns
// whether a run is lost.
bool Conn::dupthresh_detect_loss()
{
    uint32_t below = lost_below();
    if (t_.dupacks >= kDupThresh && !t_.has(kInRecovery)) {
        const uint32_t hole = first_unsacked(t_.snd_una);
        below = seq_max(below, seq_min(hole + t_.snd_mss, hole_end(hole)));
    }
    if (seq_gt(below, t_.snd_una) && seq_lt(below, t_.snd_max)) {
        if (t_.sent_count == kSentRuns)
            merge_closest_runs();
        split_runs_at(below);
    }
    bool lost = false;
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        SentRun& r = t_.sent[i];
        if (!(r.flags & kRunRetransmitted) && seq_le(r.end, below) &&
            unsacked(run_start(i), r.end) > 0)
            r.flags |= kRunLost;
        lost = lost || (r.flags & kRunLost) != 0;
    }
    return lost;
}

// RFC 6675 NextSeg() rule 3, with RACK off: a hole below the highest SACKed
// byte that is not deemed lost and was never sent again; snd_max: none.
uint32_t Conn::unlost_hole() const
{
    const uint32_t highest = t_.sacked_count > 0 ? t_.sacked[t_.sacked_count - 1].end : t_.snd_una;
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        const SentRun& r = t_.sent[i];
        if (r.flags & (kRunLost | kRunRetransmitted | kRunDelivered))
            continue;
        const uint32_t hole = first_unsacked(run_start(i));
        if (seq_lt(hole, r.end) && seq_lt(hole, highest))
            return hole;
    }
    return t_.snd_max;
}

// Bytes in [from, to) no SACK range covers.
uint32_t unsacked(const Tcb& t, uint32_t from, uint32_t to)
{
    if (!seq_lt(from, to))
        return 0;
    uint32_t n = to - from;
    for (uint8_t i = 0; i < t.sacked_count; ++i) {
        const uint32_t s = seq_max(t.sacked[i].start, from);
        const uint32_t e = seq_min(t.sacked[i].end, to);
        if (seq_lt(s, e))
            n -= e - s;
    }
    return n;
}

uint32_t Conn::unsacked(uint32_t from, uint32_t to) const
{
    return atcp::unsacked(t_, from, to);
}

// The first sequence number at or above from that no range covers.
uint32_t Conn::first_unsacked(uint32_t from) const
{
    for (uint8_t i = 0; i < t_.sacked_count; ++i) {
        if (seq_le(t_.sacked[i].start, from) && seq_lt(from, t_.sacked[i].end))
            from = t_.sacked[i].end;
    }
    return from;
}

// Where the hole starting at from ends: the next range, or snd_max.
uint32_t Conn::hole_end(uint32_t from) const
{
    for (uint8_t i = 0; i < t_.sacked_count; ++i) {
        if (seq_gt(t_.sacked[i].start, from))
            return t_.sacked[i].start;
    }
    return t_.snd_max;
}

// RFC 8985 section 3.4: recovery begins as soon as RACK deems a segment
// lost (in place of RFC 6675's DupThresh rule, which RACK's reordering
// window folds in), once per window of data (RecoveryPoint; RFC 6582's
// rule, which also holds after a timeout).
bool Conn::sack_recovery_due() const
{
    if (!t_.has(kSackOk) || t_.has(kInRecovery))
        return false;
    if (t_.has(kRecoverSet) && seq_le(t_.snd_una, t_.recover))
        return false;
    return seq_lt(first_lost(), t_.snd_max);
}

// RFC 6675 section 5 step 4 and RFC 6937's initialization: the first
// lost segment goes out again now, whatever the window.
void Conn::enter_sack_recovery()
{
    undo_start();
    lower_ssthresh();
    t_.recover = t_.snd_max;
    t_.set(kRecoverSet);
    t_.set(kInRecovery);
    t_.set(kSackRecovery);
    t_.recover_fs = t_.flight();
    t_.prr_delivered = 0;
    t_.prr_out = 0;
    retransmit_hole(first_lost());
}

// RFC 6937 section 3 on an ACK during recovery: the proportional part
// while pipe exceeds ssthresh, then slow start up to it (PRR-SSRB).
void Conn::prr_on_ack(uint32_t delivered)
{
    t_.prr_delivered += delivered;
    const uint32_t in_pipe = pipe();
    uint32_t sndcnt;
    if (in_pipe > t_.ssthresh) {
        const uint64_t due = (uint64_t{t_.prr_delivered} * t_.ssthresh + t_.recover_fs - 1) /
                             max_of(t_.recover_fs, 1u);
        sndcnt = due > t_.prr_out ? static_cast<uint32_t>(due - t_.prr_out) : 0;
    } else {
        const uint32_t owed = t_.prr_delivered > t_.prr_out ? t_.prr_delivered - t_.prr_out : 0;
        sndcnt = min_of(t_.ssthresh - in_pipe, max_of(owed, delivered) + t_.snd_mss);
    }
    t_.cwnd = in_pipe + sndcnt;
}

// RFC 6937: recovery ends with cwnd at ssthresh.
void Conn::exit_sack_recovery()
{
    t_.cwnd = t_.ssthresh;
    t_.clear(kInRecovery);
    t_.clear(kSackRecovery);
    t_.dupacks = 0;
    reo_wnd_after_recovery();
}

// One segment of RFC 6675's NextSeg() while cwnd exceeds pipe; false when
// nothing may or can go.  Rule 1 with the loss detector's marks for
// IsLost(); with RACK, rule 3 (a hole not known lost) is left to its timer
// and the loss probe.
bool Conn::send_in_recovery()
{
    if (t_.cwnd <= pipe())
        return false;
    if (act_.nsegs == ATCP_ACTIONS_SEGS) {
        act_.more = 1;
        return false;
    }
    // After an ACK that showed an original only late, new data only.
    const bool hold = t_.rack.has(kHoldRetransmit);
    const uint32_t lost = hold ? t_.snd_max : first_lost();
    if (seq_lt(lost, t_.snd_max))
        return retransmit_hole(lost);
    if (send_data())
        return true;
    const uint32_t hole = t_.params.rack || hold ? t_.snd_max : unlost_hole();
    return seq_lt(hole, t_.snd_max) && retransmit_hole(hole);
}

// The lost stretch at seq, one segment of it, again; prr_out follows.
bool Conn::retransmit_hole(uint32_t seq)
{
    const uint32_t len = retransmit_at(seq, lost_end(seq));
    if (len == 0)
        return false;
    t_.prr_out += len;
    return true;
}

} // namespace atcp
