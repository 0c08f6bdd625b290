// SPDX-License-Identifier: GPL-2.0
// The tail loss probe (RFC 8985 7): a segment sent when the ACKs stop, so
// that RACK sees a loss at the end of a flight without waiting for the
// RTO.  And the undo of a window reduction shown spurious by D-SACKs (RFC
// 3708 section 3 with RFC 2883's D-SACK; as Linux's tcp_try_undo_dsack) or
// by an echoed timestamp (RFC 3522; as Linux's tcp_try_undo_partial).
#include "engine.hpp"

namespace atcp {
namespace {

// RFC 8985 7.2: WCDelAckT, the longest a receiver may delay an ACK.
constexpr uint32_t kWorstDelayedAckUs = 200000;

} // namespace

// RFC 8985 7.2: a probe is scheduled while new data flows normally: SACK
// in use, data in flight, not in any recovery, no probe unanswered.
void Conn::schedule_probe()
{
    const bool due = t_.params.tlp && t_.has(kSackOk) && t_.has(kSynAcked) && t_.flight() > 0 &&
                     !t_.has(kInRecovery) && !rto_recovery() && !t_.has(kPersist) &&
                     !t_.rack.has(kTlpOut) && t_.retries == 0 && t_.rexmt_at != 0 &&
                     t_.synchronized();
    if (!due) {
        t_.rack.tlp_at = 0;
        return;
    }
    if (t_.rack.tlp_at != 0)
        return;
    uint64_t pto = 1000000; // no RTT sample yet: one second
    if (t_.srtt_us != 0) {
        pto = 2 * uint64_t{t_.srtt_us};
        pto += t_.flight() <= t_.snd_mss ? kWorstDelayedAckUs : kTimerSlackUs;
    }
    // Never later than the retransmission timer: the probe goes in its place.
    t_.rack.tlp_at = min_of(now_ + pto, t_.rexmt_at);
}

// RFC 8985 7.3: the probe timeout fired.  New data if the peer's window
// takes it, else the last segment again; then the retransmission timer.
void Conn::on_probe_deadline()
{
    if (send_data(true)) {
        t_.rack.clear(kTlpRetrans);
    } else {
        const uint32_t data_end = t_.send_end();
        const uint32_t last = min_of(segment_payload_max(), data_end - t_.snd_una);
        if (retransmit_at(data_end - last, t_.snd_max) == 0)
            return;
        t_.rack.set(kTlpRetrans);
    }
    act_.mib.loss_probes = 1;
    t_.rack.set(kTlpOut);
    t_.rack.tlp_end = t_.snd_max;
    arm_rexmt();
}

// RFC 8985 7.4.2: what the ACK of a probe says.  A retransmitted probe
// acknowledged beyond itself without a D-SACK repaired a loss: the window
// is reduced as for any loss.
void Conn::probe_on_ack(const Segment& seg, bool advanced, bool dsack, uint32_t dstart,
                        uint32_t dend)
{
    RackState& r = t_.rack;
    const uint32_t ack = seg.hdr.ack;
    if (!r.has(kTlpOut) || seq_lt(ack, r.tlp_end))
        return;
    const bool sack = (seg.hdr.opt.present & ATCP_OPT_SACK) != 0;
    if (!r.has(kTlpRetrans)) {
        r.clear(kTlpOut);
    } else if (dsack && seq_le(dend, r.tlp_end) && seq_gt(dend, dstart)) {
        r.clear(kTlpOut); // the probe was a duplicate: nothing was lost
    } else if (seq_gt(ack, r.tlp_end)) {
        r.clear(kTlpOut);
        lower_ssthresh();
        t_.cwnd = min_of(t_.cwnd, t_.ssthresh);
        act_.mib.loss_probe_recovery = 1;
    } else if (!advanced && !sack) {
        r.clear(kTlpOut); // a duplicate ACK: the original and the probe both arrived
    }
}

// A window reduction begins (fast recovery or a timeout): remember what to
// restore if D-SACKs or timestamps later show every retransmission of it
// spurious.
void Conn::undo_start()
{
    RackState& r = t_.rack;
    r.undo_cwnd = t_.cwnd;
    r.undo_ssthresh = t_.ssthresh;
    r.undo_from = t_.snd_una;
    r.undo_until = t_.snd_max;
    r.undo_retrans = 0;
    r.set(kUndoArmed);
    r.clear(kUndoTsval);
}

// Whether the episode's reduction may still be undone: armed, and either
// under way or less than a round trip past (its D-SACKs are still coming).
bool Conn::undo_possible()
{
    RackState& r = t_.rack;
    if (!r.has(kUndoArmed))
        return false;
    if (seq_gt(t_.snd_una, r.undo_until) && !t_.has(kInRecovery) && !rto_recovery()) {
        r.clear(kUndoArmed);
        return false;
    }
    return true;
}

// A D-SACK for [start, end): a retransmission of this episode was a
// duplicate.  When none is left unaccounted, the reduction is undone as
// Linux's tcp_try_undo_dsack does.
void Conn::undo_on_dsack(uint32_t start, uint32_t end)
{
    RackState& r = t_.rack;
    if (!undo_possible() || seq_lt(start, r.undo_from) || r.undo_retrans == 0)
        return;
    const uint32_t segs = (end - start + t_.snd_mss - 1) / t_.snd_mss;
    r.undo_retrans = static_cast<uint16_t>(r.undo_retrans - min_of<uint32_t>(segs, r.undo_retrans));
    if (r.undo_retrans != 0)
        return;
    undo_reduction();
    act_.mib.dsack_undo = 1;
}

// RFC 3522 section 3.2 (Eifel detection): an ACK that moves snd_una and
// echoes a timestamp older than the episode's first retransmission
// acknowledges an original: the hole was filled by a segment the path
// delayed, not lost.  As Linux's tcp_try_undo_partial, any later ACK counts
// too, and the reduction is undone once no retransmission is left
// unacknowledged (one may yet repair a real loss).  Until then the
// reordering is deeper than the loss detector allowed for: what it marked
// lost is likely only late too, and is not resent on this ACK.  Returns
// whether to hold so.
bool Conn::undo_on_delayed_original(const Segment& seg, uint32_t una_before)
{
    const RackState& r = t_.rack;
    const atcp_tcp_options& o = seg.hdr.opt;
    if (!undo_possible() || !r.has(kUndoTsval) || !t_.has(kTimestamps) ||
        !(o.present & ATCP_OPT_TIMESTAMP) || !seq_lt(o.ts_ecr, r.undo_tsval))
        return false;
    note_reordering(una_before);
    for (uint8_t i = 0; i < t_.sent_count; ++i) {
        if ((t_.sent[i].flags & kRunRetransmitted) && unsacked(run_start(i), t_.sent[i].end) > 0)
            return true;
    }
    for (uint8_t i = 0; i < t_.sent_count; ++i)
        t_.sent[i].flags &= static_cast<uint8_t>(~kRunLost);
    undo_reduction();
    act_.mib.timestamp_undo = 1;
    return false;
}

// The reduction was spurious: cwnd and ssthresh back to at least what
// they were, the recovery over (Linux's tcp_undo_cwnd_reduction).
void Conn::undo_reduction()
{
    RackState& r = t_.rack;
    r.clear(kUndoArmed);
    t_.cwnd = max_of(t_.cwnd, r.undo_cwnd);
    t_.ssthresh = max_of(t_.ssthresh, r.undo_ssthresh);
    t_.clear(kInRecovery);
    t_.clear(kSackRecovery);
    t_.clear(kRecoverSet);
    t_.dupacks = 0;
}

} // namespace atcp
