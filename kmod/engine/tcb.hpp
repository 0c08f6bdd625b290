// SPDX-License-Identifier: GPL-2.0
// The transmission control block: all the engine knows about one connection.
#pragma once

#include <atcp/engine.h>

#include "seq.hpp"

namespace atcp {

// Bits of Tcb::flags.
enum TcbFlag : uint32_t {
    kNoDelay = 1u << 0,       // TCP_NODELAY: no Nagle (RFC 9293 3.7.4)
    kNoPush = 1u << 1,        // TCP_NOPUSH (tcp(4)): only full segments until cleared
    kCork = 1u << 2,          // TCP_CORK (tcp(7)): as NOPUSH, for at most 200 ms
    kNoOpt = 1u << 3,         // TCP_NOOPT (tcp(4)): no TCP options at all, not even MSS
    kKeepAlive = 1u << 4,     // SO_KEEPALIVE: probe an idle connection (RFC 1122 4.2.3.6)
    kTimestamps = 1u << 5,    // both SYNs carried TS (RFC 7323 3.2)
    kWindowScale = 1u << 6,   // both SYNs carried WS (RFC 7323 2.2)
    kSackOk = 1u << 7,        // the peer's SYN carried SACK-permitted
    kFinQueued = 1u << 8,     // the user closed: a FIN follows the data
    kFinSent = 1u << 9,       // our FIN went out once: it sits at send_end()
    kFinHeld = 1u << 10,      // the peer's FIN arrived beyond a gap
    kOrphan = 1u << 11,       // no socket: new data gets a RST, FIN-WAIT-2 times out
    kAckNow = 1u << 12,       // an ACK goes out with this call, not delayed
    kPassive = 1u << 13,      // opened by a listener
    kInRecovery = 1u << 14,   // in fast recovery until recover is acked (RFC 6582 3.2)
    kRttTiming = 1u << 15,    // rtt_seq is timed from rtt_start_us (RFC 6298 3, Karn)
    kPersist = 1u << 16,      // the retransmit deadline is a window probe
    kRecoverSet = 1u << 17,   // recover holds a loss's snd_max (RFC 6582 3.2 step 2)
    kSynAcked = 1u << 18,     // our SYN is acknowledged: the send queue starts at snd_una
    kForcePush = 1u << 19,    // one partial segment may go despite Nagle, cork or SWS
    kIpv6 = 1u << 20,         // the connection runs over IPv6: IPv6's default MSS
    kBlackhole = 1u << 21,    // blackhole detection lowered mss_max from blackhole_saved_mss
    kSackRecovery = 1u << 22, // the recovery under way is RFC 6675's, paced by PRR (RFC 6937)
    kDsack = 1u << 23,        // dsack_start..dsack_end goes first in the next SACK (RFC 2883)
    kRcvBufPinned = 1u << 24, // SO_RCVBUF: rcv_buf is the user's, not right-sized
    // ECN (RFC 3168 6.1): our SYN asked for it, or, once synchronized, both agreed.
    kEcnOk = 1u << 25,
    kEcnEcho = 1u << 26,        // data arrived CE: every ACK carries ECE until CWR (6.1.3)
    kEcnCwrDue = 1u << 27,      // the window was reduced: the next new data carries CWR (6.1.2)
    kEcnCwr = 1u << 28,         // reduced for an ECE until ecn_cwr_end is acknowledged
    kEcnSeen = 1u << 29,        // a segment arrived ECT or CE (Linux's TCP_ECN_SEEN)
    kMemoryPressure = 1u << 30, // the host's socket memory is short: windows stay small
};

constexpr uint32_t kUserFlags = kNoDelay | kNoPush | kCork | kNoOpt | kKeepAlive | kRcvBufPinned;

// Ranges above snd_una the peer's SACK blocks reported received (RFC 2018),
// sorted and disjoint; the nearest to snd_una are kept when more arrive.
constexpr uint8_t kScoreboardRanges = 8;

struct SackRange {
    uint32_t start;
    uint32_t end;
};

// RACK-TLP (RFC 8985) needs when each part of the flight last went out.
// The flight [snd_una, snd_max) is kept as runs of sequence space sent at
// one time, in sequence order, each starting where the one before ends
// (the first at snd_una).  When a send would need more runs than this, the
// two adjacent runs sent closest in time become one, stamped with the later
// time: their loss is then detected a little later, never too early.
constexpr uint8_t kSentRuns = 32;

enum RunFlag : uint8_t {
    kRunRetransmitted = 1u << 0, // sent more than once: its RTT is ambiguous (RFC 8985 6.2 step 2)
    kRunLost = 1u << 1,          // RACK or a timeout deemed it lost; not sent since
    kRunDelivered = 1u << 2,     // cumulatively acknowledged or SACKed
};

struct SentRun {
    uint64_t xmit_us; // when the run's latest byte was sent
    uint32_t end;
    uint8_t flags;      // RunFlag
    uint16_t spread_us; // xmit_us less its earliest byte's send time (merged runs; at most 65 ms)
};

// Bits of RackState::flags.
enum RackFlag : uint8_t {
    kReorderSeen = 1u << 0,    // RACK.reordering_seen (RFC 8985 6.2 step 3)
    kDsackRound = 1u << 1,     // RACK.dsack_round is set
    kTlpOut = 1u << 2,         // a loss probe is unanswered: TLP.end_seq is set (7.3)
    kTlpRetrans = 1u << 3,     // ...and it was a retransmission (TLP.is_retrans)
    kUndoArmed = 1u << 4,      // a reduction may be undone (RFC 3708 D-SACK detection)
    kLatestRetrans = 1u << 5,  // RACK.xmit_ts is a retransmission's
    kUndoTsval = 1u << 6,      // undo_tsval is set (RFC 3522 Eifel detection)
    kHoldRetransmit = 1u << 7, // the last ACK showed an original only late: resend nothing
};

// RACK-TLP's state (RFC 8985 6.1, 7) and the undo of a reduction whose
// every retransmission a D-SACK (RFC 3708 section 3) or an echoed
// timestamp (RFC 3522) showed spurious.
struct RackState {
    uint64_t xmit_us;     // RACK.xmit_ts: of the latest-sent run delivered
    uint64_t reo_at;      // RACK's reordering timer; 0: off
    uint64_t tlp_at;      // the probe timeout (PTO); 0: off
    uint32_t end;         // RACK.end_seq
    uint32_t rtt_us;      // RACK.rtt
    uint32_t fack;        // RACK.fack: the highest sequence delivered
    uint32_t dsack_round; // RACK.dsack_round (kDsackRound)
    uint32_t tlp_end;     // TLP.end_seq (kTlpOut)
    uint32_t undo_cwnd;   // cwnd and ssthresh before the reduction
    uint32_t undo_ssthresh;
    uint32_t undo_from;    // retransmissions at or above this count toward undo
    uint32_t undo_until;   // the episode is over once snd_una passes this (kUndoArmed)
    uint32_t undo_tsval;   // TSval of the episode's first retransmission (kUndoTsval)
    uint16_t undo_retrans; // retransmitted segments not yet reported duplicate
    uint16_t reordering;   // segments: the furthest reordering seen (Linux's tp->reordering)
    uint8_t reo_mult;      // RACK.reo_wnd_mult
    uint8_t reo_persist;   // RACK.reo_wnd_persist
    uint8_t flags;         // RackFlag
    bool has(RackFlag f) const { return (flags & f) != 0; }
    void set(RackFlag f) { flags |= f; }
    void clear(RackFlag f) { flags &= static_cast<uint8_t>(~f); }
    void set(RackFlag f, bool on) { on ? set(f) : clear(f); }
};

struct SeqRange {
    uint32_t start;
    uint32_t end;
    uint32_t stamp; // when a segment last landed in it: SACK order (RFC 2018 4)
};

// Per-connection congestion control state (congestion.cpp): CUBIC's
// (RFC 9438) and HyStart++'s (RFC 9406).  Zero is a fresh start; NewReno
// keeps only Tcb::bytes_acked_ca.  Windows are in bytes.
struct CcState {
    uint64_t epoch_start_us; // the congestion avoidance stage began; 0: not yet
    uint32_t w_max;          // W_max (4.6, 4.7); 0: none (start or after a timeout)
    uint32_t k;              // K (4.2), 1/1024 s
    uint32_t w_est;          // W_est, the Reno-friendly window (4.3)
    uint32_t w_est_acked;    // bytes acknowledged toward W_est's next SMSS
    uint32_t cwnd_prior;     // cwnd at the last congestion event (4.3, 4.6)
    // HyStart++ (RFC 9406 4.2): RTTs in microseconds, 0 for infinity.
    uint32_t window_end; // the round ends when this is acknowledged
    uint32_t last_round_min_rtt;
    uint32_t round_min_rtt;
    uint32_t css_baseline_min_rtt;
    uint32_t rtt;        // the sample of the ACK being processed, 0: none
    uint8_t rtt_samples; // in this round
    uint8_t css_rounds;  // rounds in CSS
    uint8_t hystart;     // HystartPhase
};

// Standard layout and trivially copyable: it lives in C-owned storage, zero is CLOSED.
struct Tcb {
    atcp_params params;
    uint32_t flags;
    uint8_t state;
    uint8_t snd_wscale;
    uint8_t rcv_wscale;
    uint8_t backoff;
    uint8_t retries; // consecutive timeouts of the same segment
    uint8_t dupacks;
    uint8_t keepalive_probes;
    uint8_t ooo_count;
    uint8_t delack_segs; // in-order segments not yet acknowledged
    uint8_t soft_error;  // atcp_error an ICMP reported, given on timeout

    uint16_t local_port;
    uint16_t remote_port;
    uint16_t user_mss; // TCP_MAXSEG, 0: none
    uint16_t mss_max;  // the path's
    uint16_t adv_mss;  // what our SYN said
    uint16_t snd_mss;  // payload per full segment, options subtracted
    uint16_t peer_mss;
    uint16_t challenge_acks;
    uint16_t blackhole_saved_mss; // mss_max before blackhole detection lowered it

    uint32_t iss;
    uint32_t irs;
    uint32_t snd_una;
    uint32_t snd_nxt;
    uint32_t snd_max;
    uint32_t snd_wnd;
    uint32_t max_snd_wnd;
    uint32_t snd_wl1;
    uint32_t snd_wl2;
    uint32_t send_queued; // bytes in the caller's send queue, from snd_una

    uint32_t rcv_nxt;
    uint32_t rcv_adv; // right edge of the window we advertised
    uint32_t rcv_buf;
    uint32_t rcv_queued;  // delivered, not yet consumed
    uint32_t rcv_held;    // held out of order
    uint32_t rcvq_space;  // right-sizing: what the reader took in the last round trip measured
    uint32_t rcvq_copied; // and in the one being measured, since rcvq_since_us
    uint32_t last_ack_sent;
    uint32_t fin_seq;    // of a held FIN
    uint32_t hold_clock; // stamps SeqRange::stamp

    uint32_t ts_recent;
    uint32_t srtt_us;
    uint32_t rttvar_us;
    uint32_t rto_us;
    uint32_t rtt_seq;
    uint32_t cwnd;
    uint32_t ssthresh;
    uint32_t recover;
    uint32_t bytes_acked_ca; // congestion avoidance byte counter (RFC 5681 3.1)
    uint32_t limited_bytes;  // sent by limited transmit (RFC 3042), not in FlightSize
    uint32_t ecn_cwr_end;    // snd_max when an ECE reduced the window (kEcnCwr)

    uint32_t keepalive_idle_ms;
    uint32_t keepalive_intvl_ms;
    uint32_t user_timeout_ms;
    uint8_t keepalive_count;

    uint64_t rtt_start_us;
    uint64_t ts_recent_us;
    uint64_t rexmt_at; // retransmit or persist deadline
    uint64_t delack_at;
    uint64_t keepalive_at;
    uint64_t close_at;     // TIME-WAIT or orphaned FIN-WAIT-2 ends
    uint64_t head_sent_us; // the oldest unacknowledged data went out (RFC 5482)
    uint64_t last_send_us; // new data last went out (RFC 5681 4.1)
    uint64_t cork_at;      // TCP_CORK's 200 ms ceiling ends
    uint64_t last_recv_us;
    uint64_t rcvq_since_us;
    uint64_t last_ack_recv_us;
    uint64_t challenge_window_us;
    uint64_t blackhole_retry_at; // the saved MSS is tried again once data flows past this

    SeqRange ooo[ATCP_OOO_MAX];

    // The sender's SACK scoreboard and recovery (RFC 6675, RFC 6937).
    SackRange sacked[kScoreboardRanges];
    uint8_t sacked_count;
    uint32_t recover_fs;    // RecoverFS: the flight when recovery began
    uint32_t prr_delivered; // bytes the peer got since then
    uint32_t prr_out;       // bytes sent since then

    SentRun sent[kSentRuns];
    uint8_t sent_count;
    RackState rack;
    uint32_t min_rtt_us; // the least RTT sample (RACK.min_RTT); 0: none yet

    // The delivery rate over the last round trip of acknowledgments.
    uint32_t rate_round_end; // the round ends when this is acknowledged
    uint64_t rate_since_us;  // the round began; 0: not yet
    uint64_t rate_acked_at;  // bytes_acked then
    uint64_t delivery_rate;  // bytes a second, the last round's

    uint64_t bytes_acked;
    uint64_t bytes_received;
    uint64_t segs_in;
    uint64_t segs_out;
    uint32_t total_retrans;
    uint32_t dsack_start; // a duplicate the next ACK reports (kDsack)
    uint32_t dsack_end;

    uint8_t cc_algo; // enum atcp_cc
    CcState cc;

    // What the user set through options: kept across a new connection and
    // handed from a listener to its children.
    void take_user_options(const Tcb& from)
    {
        flags = (flags & ~kUserFlags) | (from.flags & kUserFlags);
        user_mss = from.user_mss;
        rcv_buf = from.rcv_buf;
        keepalive_idle_ms = from.keepalive_idle_ms;
        keepalive_intvl_ms = from.keepalive_intvl_ms;
        keepalive_count = from.keepalive_count;
        user_timeout_ms = from.user_timeout_ms;
        cc_algo = from.cc_algo;
    }

    bool has(TcbFlag f) const { return (flags & f) != 0; }
    // The peer's MSS when its SYN carries none (RFC 9293 3.7.1).
    uint32_t mss_default() const { return has(kIpv6) ? params.mss_default_v6 : params.mss_default; }
    // What the peer's SYN options say its MSS is.
    uint16_t syn_mss(const atcp_tcp_options& o) const
    {
        return (o.present & ATCP_OPT_MSS) ? o.mss : static_cast<uint16_t>(mss_default());
    }
    // RFC 7323's options may be offered and agreed: net.atcp.rfc1323, no TCP_NOOPT.
    bool rfc7323_allowed() const { return params.rfc1323 && !has(kNoOpt); }

    // The deadline due first (0: none) and which timer it is.
    struct DueTimer {
        uint64_t at;
        atcp_timer kind;
    };
    // Out of line: a kernel module must not hold an inline function's
    // copies in several objects (their __mcount_loc entries would point
    // into discarded sections).
    DueTimer next_timer() const;
    void set(TcbFlag f) { flags |= f; }
    void clear(TcbFlag f) { flags &= ~static_cast<uint32_t>(f); }
    void set(TcbFlag f, bool on) { on ? set(f) : clear(f); }

    bool synchronized() const { return state >= ATCP_ESTABLISHED; }
    // Sequence number of the send queue's first byte: the SYN comes before it.
    uint32_t data_start() const { return has(kSynAcked) ? snd_una : iss + 1; }
    // Sequence number just past the data in the send queue; a queued FIN takes it.
    uint32_t send_end() const { return data_start() + send_queued; }
    uint32_t flight() const { return snd_max - snd_una; }
    // Under memory pressure at most four segments, as Linux clamps
    // rcv_ssthresh to 4 * advmss (__tcp_select_window).
    uint32_t rcv_free() const
    {
        const uint32_t free = rcv_buf - min_of(rcv_buf, rcv_queued + rcv_held);
        return has(kMemoryPressure) ? min_of<uint32_t>(free, 4u * adv_mss) : free;
    }
    // Receiver SWS avoidance (RFC 9293 3.8.6.2.2): the right edge moves in
    // steps of at least min(half the buffer, one MSS).
    uint32_t window_step() const { return min_of<uint32_t>(rcv_buf / 2, adv_mss); }
    // Within the window an ECE reduced (RFC 3168 6.1.2): Linux's TCP_CA_CWR.
    bool in_ecn_cwr() const { return has(kEcnCwr) && seq_lt(snd_una, ecn_cwr_end); }
};

static_assert(sizeof(Tcb) <= sizeof(atcp_tcb), "the TCB outgrew its C storage");
static_assert(alignof(Tcb) <= alignof(atcp_tcb), "the TCB needs stronger alignment");

inline Tcb& tcb_of(atcp_tcb* t)
{
    return *reinterpret_cast<Tcb*>(t);
}
inline const Tcb& tcb_of(const atcp_tcb* t)
{
    return *reinterpret_cast<const Tcb*>(t);
}

} // namespace atcp
