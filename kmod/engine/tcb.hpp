// SPDX-License-Identifier: GPL-2.0
// The transmission control block: all the engine knows about one connection.
#pragma once

#include <atcp/engine.h>

#include "seq.hpp"

namespace atcp {

// Bits of Tcb::flags.
enum TcbFlag : uint32_t {
    kNoDelay = 1u << 0,     // TCP_NODELAY: no Nagle (RFC 9293 3.7.4)
    kNoPush = 1u << 1,      // TCP_NOPUSH (tcp(4)): only full segments until cleared
    kCork = 1u << 2,        // TCP_CORK (tcp(7)): as NOPUSH, for at most 200 ms
    kNoOpt = 1u << 3,       // TCP_NOOPT (tcp(4)): no TCP options at all, not even MSS
    kKeepAlive = 1u << 4,   // SO_KEEPALIVE: probe an idle connection (RFC 1122 4.2.3.6)
    kTimestamps = 1u << 5,  // both SYNs carried TS (RFC 7323 3.2)
    kWindowScale = 1u << 6, // both SYNs carried WS (RFC 7323 2.2)
    kSackOk = 1u << 7,      // the peer's SYN carried SACK-permitted
    kFinQueued = 1u << 8,   // the user closed: a FIN follows the data
    kFinSent = 1u << 9,     // our FIN went out once: it sits at send_end()
    kFinHeld = 1u << 10,    // the peer's FIN arrived beyond a gap
    kOrphan = 1u << 11,     // no socket: new data gets a RST, FIN-WAIT-2 times out
    kAckNow = 1u << 12,     // an ACK goes out with this call, not delayed
    kPassive = 1u << 13,    // opened by a listener
    kInRecovery = 1u << 14, // in fast recovery until recover is acked (RFC 6582 3.2)
    kRttTiming = 1u << 15,  // rtt_seq is timed from rtt_start_us (RFC 6298 3, Karn)
    kPersist = 1u << 16,    // the retransmit deadline is a window probe
    kRecoverSet = 1u << 17, // recover holds a loss's snd_max (RFC 6582 3.2 step 2)
    kSynAcked = 1u << 18,   // our SYN is acknowledged: the send queue starts at snd_una
    kForcePush = 1u << 19,  // one partial segment may go despite Nagle, cork or SWS
    kIpv6 = 1u << 20,       // the connection runs over IPv6: IPv6's default MSS
};

constexpr uint32_t kUserFlags = kNoDelay | kNoPush | kCork | kNoOpt | kKeepAlive;

struct SeqRange {
    uint32_t start;
    uint32_t end;
    uint32_t stamp; // when a segment last landed in it: SACK order (RFC 2018 4)
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
    uint32_t rcv_queued; // delivered, not yet consumed
    uint32_t rcv_held;   // held out of order
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
    uint64_t last_ack_recv_us;
    uint64_t challenge_window_us;

    SeqRange ooo[ATCP_OOO_MAX];

    uint64_t bytes_acked;
    uint64_t bytes_received;
    uint64_t segs_in;
    uint64_t segs_out;
    uint32_t total_retrans;

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
    }

    bool has(TcbFlag f) const { return (flags & f) != 0; }
    // The peer's MSS when its SYN carries none (RFC 9293 3.7.1).
    uint32_t mss_default() const { return has(kIpv6) ? params.mss_default_v6 : params.mss_default; }

    // The deadline due first (0: none) and which timer it is.
    struct DueTimer {
        uint64_t at;
        atcp_timer kind;
    };
    DueTimer next_timer() const
    {
        const DueTimer timers[] = {
            {rexmt_at, has(kPersist) ? ATCP_TIMER_PERSIST : ATCP_TIMER_RETRANSMIT},
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
    void set(TcbFlag f) { flags |= f; }
    void clear(TcbFlag f) { flags &= ~static_cast<uint32_t>(f); }
    void set(TcbFlag f, bool on) { on ? set(f) : clear(f); }

    bool synchronized() const { return state >= ATCP_ESTABLISHED; }
    // Sequence number of the send queue's first byte: the SYN comes before it.
    uint32_t data_start() const { return has(kSynAcked) ? snd_una : iss + 1; }
    // Sequence number just past the data in the send queue; a queued FIN takes it.
    uint32_t send_end() const { return data_start() + send_queued; }
    uint32_t flight() const { return snd_max - snd_una; }
    uint32_t rcv_free() const { return rcv_buf - min_of(rcv_buf, rcv_queued + rcv_held); }
    // Receiver SWS avoidance (RFC 9293 3.8.6.2.2): the right edge moves in
    // steps of at least min(half the buffer, one MSS).
    uint32_t window_step() const { return min_of<uint32_t>(rcv_buf / 2, adv_mss); }
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
