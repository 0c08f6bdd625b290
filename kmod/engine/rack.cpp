// SPDX-License-Identifier: GPL-2.0
// RACK loss detection (RFC 8985 6): a segment is lost when one sent
// sufficiently later was delivered.  The tail loss probe and the undo of
// spurious reductions are in probe.cpp.  Used when the peer SACKs; without
// SACK the engine recovers with NewReno (congestion.cpp).
#include "engine.hpp"

namespace atcp {
namespace {

// RFC 8985 6.2 step 4: the window reverts after 16 recoveries without D-SACK.
constexpr uint8_t kReoPersist = 16;
constexpr uint32_t kMaxReordering = 300;

// RFC 8985 6.2: RACK_sent_after(t1, seq1, t2, seq2).  Of two runs the
// clock stamped alike, a retransmission counts as the later: it answers
// ACKs of the other, where the sequence order would say the opposite.
bool sent_after(uint64_t t1, uint32_t seq1, bool retx1, uint64_t t2, uint32_t seq2, bool retx2)
{
    if (t1 != t2)
        return t1 > t2;
    return retx1 != retx2 ? retx1 : seq_gt(seq1, seq2);
}

} // namespace

uint32_t Conn::run_start(uint8_t i) const
{
    return i == 0 ? t_.snd_una : t_.sent[i - 1].end;
}

// Makes room for one more run: the two adjacent runs sent closest in time
// become one (see kSentRuns), runs alike in being lost or delivered if any
// are; otherwise a merged run is lost or delivered only if both were.
void Conn::merge_closest_runs()
{
    uint8_t best = kSentRuns;
    uint64_t best_gap = ~uint64_t{0};
    for (uint8_t pass = 0; pass < 2 && best == kSentRuns; ++pass) {
        for (uint8_t i = 0; i + 1 < t_.sent_count; ++i) {
            const SentRun& a = t_.sent[i];
            const SentRun& b = t_.sent[i + 1];
            if (pass == 0 && ((a.flags ^ b.flags) & (kRunLost | kRunDelivered)))
                continue;
            const uint64_t gap =
                a.xmit_us > b.xmit_us ? a.xmit_us - b.xmit_us : b.xmit_us - a.xmit_us;
            if (gap < best_gap) {
                best_gap = gap;
                best = i;
            }
        }
    }
    SentRun& a = t_.sent[best];
    const SentRun& b = t_.sent[best + 1];
    const uint64_t earliest = min_of(a.xmit_us - a.spread_us, b.xmit_us - b.spread_us);
    a.xmit_us = max_of(a.xmit_us, b.xmit_us);
    a.spread_us = static_cast<uint16_t>(min_of<uint64_t>(a.xmit_us - earliest, 0xffff));
    a.end = b.end;
    a.flags = static_cast<uint8_t>(((a.flags | b.flags) & kRunRetransmitted) |
                                   (a.flags & b.flags & (kRunLost | kRunDelivered)));
    for (uint8_t i = best + 1; i + 1 < t_.sent_count; ++i)
        t_.sent[i] = t_.sent[i + 1];
    --t_.sent_count;
}

// The index of the run that starts at seq, splitting the run around it;
// the caller made room for one more.
uint8_t Conn::split_runs_at(uint32_t seq)
{
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        if (run_start(i) == seq)
            return i;
        if (seq_lt(seq, t_.sent[i].end)) {
            for (uint8_t j = t_.sent_count; j > i; --j)
                t_.sent[j] = t_.sent[j - 1];
            ++t_.sent_count;
            t_.sent[i].end = seq;
            return static_cast<uint8_t>(i + 1);
        }
    }
    return t_.sent_count;
}

// [start, end) went out now: new data at snd_max, or sent again.
void Conn::note_sent(uint32_t start, uint32_t end, bool retransmit)
{
    if (!seq_lt(start, end))
        return;
    if (!retransmit) {
        // New data: one run per moment, appended; the probe timer restarts.
        t_.rack.tlp_at = 0;
        SentRun* last = t_.sent_count > 0 ? &t_.sent[t_.sent_count - 1] : nullptr;
        if (last != nullptr && last->xmit_us == now_ && last->flags == 0) {
            last->end = seq_max(last->end, end);
            return;
        }
        if (t_.sent_count == kSentRuns)
            merge_closest_runs();
        t_.sent[t_.sent_count++] = {now_, end, 0, 0};
        return;
    }
    RackState& rack = t_.rack;
    if (rack.has(kUndoArmed) && seq_ge(start, rack.undo_from)) {
        rack.undo_retrans = static_cast<uint16_t>(min_of(rack.undo_retrans + 1, 0xffff));
        if (!rack.has(kUndoTsval)) {
            rack.undo_tsval = ts_now();
            rack.set(kUndoTsval);
        }
    }
    // Room for the two splits first, so that neither moves the other's index.
    while (t_.sent_count > kSentRuns - 2)
        merge_closest_runs();
    const uint8_t from = split_runs_at(start);
    const uint8_t to = split_runs_at(seq_min(end, t_.snd_max));
    if (from == to)
        return;
    t_.sent[from] = {now_, t_.sent[to - 1].end, kRunRetransmitted, 0};
    const uint8_t gone = static_cast<uint8_t>(to - from - 1);
    for (uint8_t i = from + 1; i + gone < t_.sent_count; ++i)
        t_.sent[i] = t_.sent[i + gone];
    t_.sent_count = static_cast<uint8_t>(t_.sent_count - gone);
}

// RFC 8985 6.3: after a timeout every byte not SACKed is deemed lost.
void Conn::mark_all_lost()
{
    t_.rack.clear(kHoldRetransmit);
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        if (unsacked(run_start(i), t_.sent[i].end) > 0)
            t_.sent[i].flags |= kRunLost;
    }
    t_.rack.reo_at = 0;
    t_.rack.tlp_at = 0;
    t_.rack.clear(kTlpOut);
}

// The first byte of a lost run not yet sent again, or snd_max: none.
uint32_t Conn::first_lost() const
{
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        if (!(t_.sent[i].flags & kRunLost))
            continue;
        const uint32_t hole = first_unsacked(run_start(i));
        if (seq_lt(hole, t_.sent[i].end))
            return hole;
    }
    return t_.snd_max;
}

// Where the lost stretch starting at seq ends: its run's end, the next
// SACKed range, or snd_max.
uint32_t Conn::lost_end(uint32_t seq) const
{
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        if (seq_lt(seq, t_.sent[i].end))
            return seq_min(t_.sent[i].end, hole_end(seq));
    }
    return hole_end(seq);
}

// RFC 6675 SetPipe() with RACK's marks for IsLost(): the bytes not SACKed
// and not deemed lost, a retransmission counting as in flight.
uint32_t Conn::pipe() const
{
    uint32_t in_flight = 0;
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        if (!(t_.sent[i].flags & kRunLost))
            in_flight += unsacked(run_start(i), t_.sent[i].end);
    }
    return in_flight;
}

// RFC 8985 6.2 step 2: RACK_update() for one delivered run.  A merged
// run counts as sent at its earliest byte's time: what it delivered may be
// that byte, and an RTT taken from its latest would be short (a min_RTT
// too low, others deemed lost too soon); only a run of one moment gives
// min_RTT a sample.
void Conn::rack_update(const SentRun& run, const Segment& ack)
{
    const uint64_t sent = run.xmit_us - run.spread_us;
    const uint32_t rtt = static_cast<uint32_t>(min_of<uint64_t>(now_ - sent, ~0u));
    if (run.flags & kRunRetransmitted) {
        // Which transmission was delivered is ambiguous: an echo from
        // before the retransmission, or an RTT below the least seen, says
        // it was the original.
        const atcp_tcp_options& o = ack.hdr.opt;
        if (t_.has(kTimestamps) && (o.present & ATCP_OPT_TIMESTAMP) &&
            seq_lt(o.ts_ecr, static_cast<uint32_t>(run.xmit_us / 1000)))
            return;
        if (rtt < t_.min_rtt_us)
            return;
    } else if (run.spread_us == 0) {
        note_min_rtt(rtt);
    }
    t_.rack.rtt_us = rtt;
    const bool retx = (run.flags & kRunRetransmitted) != 0;
    if (sent_after(sent, run.end, retx, t_.rack.xmit_us, t_.rack.end,
                   t_.rack.has(kLatestRetrans))) {
        t_.rack.xmit_us = sent;
        t_.rack.end = run.end;
        t_.rack.set(kLatestRetrans, retx);
    }
}

// RFC 8985 6.2 step 4: the reordering window.
uint32_t Conn::reo_wnd() const
{
    if (!t_.rack.has(kReorderSeen)) {
        if (t_.has(kInRecovery) || rto_recovery())
            return 0;
        if (sacked_bytes() >= kDupThresh * t_.snd_mss)
            return 0;
    }
    const uint64_t wnd = uint64_t{max_of<uint8_t>(t_.rack.reo_mult, 1)} * t_.min_rtt_us / 4;
    return static_cast<uint32_t>(min_of<uint64_t>(wnd, t_.srtt_us));
}

// A timeout's recovery: what was outstanding then is not yet acknowledged.
bool Conn::rto_recovery() const
{
    return !t_.has(kInRecovery) && t_.has(kRecoverSet) && seq_lt(t_.snd_una, t_.recover);
}

// RFC 8985 6.2 step 5: marks lost every run sent a reordering window and
// RACK.rtt before the latest delivered one, and arms the timer (with
// Linux's slack) for the first that is not yet so old.  Returns whether any
// run is lost.
bool Conn::rack_detect_loss()
{
    const uint32_t wnd = reo_wnd();
    uint64_t wait = 0;
    bool lost = false;
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        SentRun& r = t_.sent[i];
        if (r.flags & kRunLost) {
            lost = lost || seq_lt(first_unsacked(run_start(i)), r.end);
            continue;
        }
        if ((r.flags & kRunDelivered) || unsacked(run_start(i), r.end) == 0)
            continue;
        if (!sent_after(t_.rack.xmit_us, t_.rack.end, t_.rack.has(kLatestRetrans), r.xmit_us, r.end,
                        (r.flags & kRunRetransmitted) != 0))
            continue;
        const uint64_t due = r.xmit_us + t_.rack.rtt_us + wnd;
        if (due <= now_) {
            r.flags |= kRunLost;
            lost = true;
        } else {
            wait = max_of(wait, due - now_);
        }
    }
    t_.rack.reo_at = wait != 0 ? now_ + wait + kTimerSlackUs : 0;
    return lost;
}

// RFC 8985 6.2 step 4: the window grows by one quarter min_RTT for each
// round trip that brings a D-SACK, and reverts after 16 recoveries without.
void Conn::adapt_reo_wnd(bool dsack)
{
    RackState& r = t_.rack;
    if (r.has(kDsackRound) && seq_ge(t_.snd_una, r.dsack_round))
        r.clear(kDsackRound);
    if (!r.has(kDsackRound) && dsack) {
        r.set(kDsackRound);
        r.dsack_round = t_.snd_max;
        r.reo_mult = static_cast<uint8_t>(min_of(max_of<uint8_t>(r.reo_mult, 1) + 1, 255));
        r.reo_persist = kReoPersist;
    }
}

// Called when a recovery ends: RACK.reo_wnd_persist counts down.
void Conn::reo_wnd_after_recovery()
{
    RackState& r = t_.rack;
    if (r.reo_persist > 0 && --r.reo_persist == 0)
        r.reo_mult = 1;
}

// RFC 2883 section 4: the first block is a D-SACK when it lies at or below
// the cumulative ACK, or within the second block.
bool Conn::dsack_block(const Segment& seg, uint32_t& start, uint32_t& end) const
{
    const atcp_tcp_options& o = seg.hdr.opt;
    if (!t_.has(kSackOk) || !(o.present & ATCP_OPT_SACK) || o.sack_count == 0)
        return false;
    start = o.sack[0].start;
    end = o.sack[0].end;
    if (!seq_lt(start, end))
        return false;
    if (seq_le(end, seg.hdr.ack))
        return true;
    return o.sack_count > 1 && seq_ge(start, o.sack[1].start) && seq_le(end, o.sack[1].end);
}

// RFC 8985 6.2 step 3: the original of a segment sent before the highest
// delivered one arrived after it, at end.  How far: the segments between
// the two, as Linux's tcp_check_sack_reordering measures (at most 300, its
// tcp_max_reordering).
void Conn::note_reordering(uint32_t end)
{
    if (!seq_lt(end, t_.rack.fack))
        return;
    if (!t_.rack.has(kReorderSeen))
        act_.mib.sack_reorder = 1;
    t_.rack.set(kReorderSeen);
    const uint32_t distance = (t_.rack.fack - end + t_.snd_mss - 1) / t_.snd_mss + 1;
    t_.rack.reordering = static_cast<uint16_t>(
        max_of<uint32_t>(t_.rack.reordering, min_of(distance, kMaxReordering)));
}

// RFC 8985 6.2 steps 2 and 3 for what an ACK delivered of a run: the
// sequence up to end, sent at run.xmit_us.
void Conn::rack_delivered(const SentRun& run, uint32_t end, const Segment& ack)
{
    rack_update({run.xmit_us, end, run.flags, run.spread_us}, ack);
    if (seq_gt(end, t_.rack.fack))
        t_.rack.fack = end;
    else if (!(run.flags & kRunRetransmitted))
        note_reordering(end);
}

// Splits runs at the edges of the ACK's SACK blocks, so that a run is
// either SACKed whole or not at all: within a run sent at one moment the
// sequence order is the sending order (RACK_sent_after's tie-break).
void Conn::split_runs_at_sack_blocks(const Segment& seg)
{
    const atcp_tcp_options& o = seg.hdr.opt;
    if (!t_.has(kSackOk) || !(o.present & ATCP_OPT_SACK))
        return;
    for (uint8_t i = 0; i < o.sack_count; ++i) {
        const uint32_t edges[] = {o.sack[i].start, o.sack[i].end};
        for (const uint32_t edge : edges) {
            if (!seq_gt(edge, t_.snd_una) || !seq_lt(edge, t_.snd_max))
                continue;
            if (t_.sent_count == kSentRuns)
                merge_closest_runs();
            split_runs_at(edge);
        }
    }
}

// What an acceptable ACK tells RACK, after the scoreboard took its blocks
// and snd_una moved up from una_before.  Returns whether a run is lost.
bool Conn::rack_on_ack(const Segment& seg, uint32_t una_before)
{
    // Runs acknowledged cumulatively leave; of one acknowledged in part,
    // the part below snd_una was delivered.
    uint8_t acked = 0;
    while (acked < t_.sent_count && seq_le(t_.sent[acked].end, t_.snd_una)) {
        if (!(t_.sent[acked].flags & kRunDelivered))
            rack_delivered(t_.sent[acked], t_.sent[acked].end, seg);
        ++acked;
    }
    for (uint8_t i = acked; i < t_.sent_count; ++i)
        t_.sent[i - acked] = t_.sent[i];
    t_.sent_count = static_cast<uint8_t>(t_.sent_count - acked);
    if (t_.sent_count > 0 && seq_gt(t_.snd_una, una_before) && !(t_.sent[0].flags & kRunDelivered))
        rack_delivered(t_.sent[0], t_.snd_una, seg);

    split_runs_at_sack_blocks(seg);
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        SentRun& r = t_.sent[i];
        if (!(r.flags & kRunDelivered) && unsacked(run_start(i), r.end) == 0) {
            rack_delivered(r, r.end, seg);
            r.flags = static_cast<uint8_t>((r.flags | kRunDelivered) & ~kRunLost);
        }
    }

    uint32_t dstart = 0;
    uint32_t dend = 0;
    const bool dsack = dsack_block(seg, dstart, dend);
    if (dsack)
        undo_on_dsack(dstart, dend);
    adapt_reo_wnd(dsack);
    const bool advanced = seq_gt(t_.snd_una, una_before);
    t_.rack.set(kHoldRetransmit, advanced && undo_on_delayed_original(seg, una_before));
    if (advanced)
        t_.rack.tlp_at = 0; // RFC 8985 7.2: restarted by an ACK of new data
    if (t_.rack.has(kUndoArmed) && (t_.has(kInRecovery) || rto_recovery()))
        t_.rack.undo_until = t_.snd_max; // a round trip's grace after the episode
    probe_on_ack(seg, advanced, dsack, dstart, dend);
    if (t_.rack.has(kHoldRetransmit))
        return false; // nothing more is deemed lost either
    if (t_.sent_count == 0 || !t_.has(kSackOk) || !t_.params.rack) {
        t_.rack.reo_at = 0;
        return t_.has(kSackOk) && t_.sent_count > 0 && dupthresh_detect_loss();
    }
    return rack_detect_loss();
}

// The reordering timer fired (RFC 8985 6.2 step 5): what it waited for is
// now old enough to be deemed lost.
void Conn::on_reo_deadline()
{
    t_.rack.clear(kHoldRetransmit);
    if (rack_detect_loss() && !t_.has(kSackRecovery) && sack_recovery_due())
        enter_sack_recovery();
}

RecoveryFigures recovery_figures(const Tcb& t)
{
    RecoveryFigures f{};
    f.sacked = sacked_bytes(t);
    uint32_t start = t.snd_una;
    for (uint8_t i = 0; i < t.sent_count; ++i) {
        const SentRun& r = t.sent[i];
        const uint32_t bytes = unsacked(t, start, r.end);
        if (r.flags & kRunLost)
            f.lost += bytes;
        else if (r.flags & kRunRetransmitted)
            f.retrans_out += bytes;
        start = r.end;
    }
    return f;
}

} // namespace atcp
