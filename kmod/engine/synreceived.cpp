// SPDX-License-Identifier: GPL-2.0
// A listener's half-open connection kept as a compact entry until its
// handshake completes (FreeBSD's syncache).  Each segment and deadline for
// the entry rebuilds the TCB in the caller's scratch storage and runs the
// connection's own rules on it (input.cpp, timers.cpp): one set of rules
// whether a half-open connection is a socket or an entry.
#include "congestion.hpp"
#include "engine.hpp"

namespace atcp {
namespace {

// What a passive open's child holds in SYN-RECEIVED beyond its parameters:
// what answer_syn() took from the SYN and the listener, what sending the
// SYN-ACK and its retransmissions set, and what segments in the handshake
// touch (PAWS, RFC 5961's challenge ACKs, an old duplicate's D-SACK, keepalive and delayed
// ACKs).
// The rest of the TCB follows from these or is still as Tcb{} leaves it.
struct SynReceived {
    uint64_t rexmt_at;
    uint64_t rtt_start_us;
    uint64_t ts_recent_us;
    uint64_t last_recv_us;
    uint64_t challenge_window_us;
    uint64_t keepalive_at;
    uint64_t delack_at;
    uint32_t flags;
    uint32_t iss;
    uint32_t irs;
    uint32_t snd_nxt;
    uint32_t snd_max;
    uint32_t snd_wnd;
    uint32_t rcv_adv;
    uint32_t rcv_buf;
    uint32_t last_ack_sent;
    uint32_t ts_recent;
    uint32_t rto_us;
    uint32_t cwnd;
    uint32_t user_timeout_ms;
    uint32_t keepalive_idle_ms;
    uint32_t keepalive_intvl_ms;
    uint32_t segs_in;
    uint32_t segs_out;
    uint32_t total_retrans;
    uint32_t dsack_start;
    uint32_t dsack_end;
    uint16_t local_port;
    uint16_t remote_port;
    uint16_t user_mss;
    uint16_t mss_max;
    uint16_t adv_mss;
    uint16_t snd_mss;
    uint16_t peer_mss;
    uint16_t challenge_acks;
    uint8_t snd_wscale;
    uint8_t rcv_wscale;
    uint8_t backoff;
    uint8_t retries;
    uint8_t keepalive_count;
    uint8_t cc_algo;
    uint8_t soft_error;
};

static_assert(sizeof(SynReceived) <= sizeof(atcp_syn_received),
              "SynReceived outgrew its C storage");
static_assert(alignof(SynReceived) <= alignof(atcp_syn_received),
              "SynReceived needs stronger alignment");

SynReceived& entry_of(atcp_syn_received* e)
{
    return *reinterpret_cast<SynReceived*>(e);
}

void save(const Tcb& t, SynReceived& w)
{
    w.rexmt_at = t.rexmt_at;
    w.rtt_start_us = t.rtt_start_us;
    w.ts_recent_us = t.ts_recent_us;
    w.last_recv_us = t.last_recv_us;
    w.challenge_window_us = t.challenge_window_us;
    w.keepalive_at = t.keepalive_at;
    w.delack_at = t.delack_at;
    w.flags = t.flags;
    w.iss = t.iss;
    w.irs = t.irs;
    w.snd_nxt = t.snd_nxt;
    w.snd_max = t.snd_max;
    w.snd_wnd = t.snd_wnd;
    w.rcv_adv = t.rcv_adv;
    w.rcv_buf = t.rcv_buf;
    w.last_ack_sent = t.last_ack_sent;
    w.ts_recent = t.ts_recent;
    w.rto_us = t.rto_us;
    w.cwnd = t.cwnd;
    w.user_timeout_ms = t.user_timeout_ms;
    w.keepalive_idle_ms = t.keepalive_idle_ms;
    w.keepalive_intvl_ms = t.keepalive_intvl_ms;
    w.segs_in = static_cast<uint32_t>(t.segs_in);
    w.segs_out = static_cast<uint32_t>(t.segs_out);
    w.total_retrans = t.total_retrans;
    w.dsack_start = t.dsack_start;
    w.dsack_end = t.dsack_end;
    w.local_port = t.local_port;
    w.remote_port = t.remote_port;
    w.user_mss = t.user_mss;
    w.mss_max = t.mss_max;
    w.adv_mss = t.adv_mss;
    w.snd_mss = t.snd_mss;
    w.peer_mss = t.peer_mss;
    w.challenge_acks = t.challenge_acks;
    w.snd_wscale = t.snd_wscale;
    w.rcv_wscale = t.rcv_wscale;
    w.backoff = t.backoff;
    w.retries = t.retries;
    w.keepalive_count = t.keepalive_count;
    w.cc_algo = t.cc_algo;
    w.soft_error = t.soft_error;
}

// The fields that follow from the saved ones are as the SYN and the SYN-ACK left them: nothing
// of ours is acknowledged, nothing of the peer's arrived but its SYN.
void restore(const SynReceived& w, const atcp_params& params, Tcb& t)
{
    t = Tcb{};
    t.params = params;
    t.state = ATCP_SYN_RECEIVED;
    t.rexmt_at = w.rexmt_at;
    t.rtt_start_us = w.rtt_start_us;
    t.ts_recent_us = w.ts_recent_us;
    t.last_recv_us = w.last_recv_us;
    t.challenge_window_us = w.challenge_window_us;
    t.keepalive_at = w.keepalive_at;
    t.delack_at = w.delack_at;
    t.flags = w.flags;
    t.iss = w.iss;
    t.irs = w.irs;
    t.snd_una = w.iss;
    t.snd_nxt = w.snd_nxt;
    t.snd_max = w.snd_max;
    t.snd_wnd = w.snd_wnd;
    t.max_snd_wnd = w.snd_wnd;
    t.snd_wl1 = w.irs;
    t.snd_wl2 = w.iss;
    t.rcv_nxt = w.irs + 1;
    t.rcv_adv = w.rcv_adv;
    t.rcv_buf = w.rcv_buf;
    t.last_ack_sent = w.last_ack_sent;
    t.ts_recent = w.ts_recent;
    t.rto_us = w.rto_us;
    t.rtt_seq = w.iss;
    t.cwnd = w.cwnd;
    t.ssthresh = kInitialSsthresh;
    t.rack.fack = w.iss;
    t.user_timeout_ms = w.user_timeout_ms;
    t.keepalive_idle_ms = w.keepalive_idle_ms;
    t.keepalive_intvl_ms = w.keepalive_intvl_ms;
    t.segs_in = w.segs_in;
    t.segs_out = w.segs_out;
    t.total_retrans = w.total_retrans;
    t.dsack_start = w.dsack_start;
    t.dsack_end = w.dsack_end;
    t.local_port = w.local_port;
    t.remote_port = w.remote_port;
    t.user_mss = w.user_mss;
    t.mss_max = w.mss_max;
    t.adv_mss = w.adv_mss;
    t.snd_mss = w.snd_mss;
    t.peer_mss = w.peer_mss;
    t.challenge_acks = w.challenge_acks;
    t.snd_wscale = w.snd_wscale;
    t.rcv_wscale = w.rcv_wscale;
    t.backoff = w.backoff;
    t.retries = w.retries;
    t.keepalive_count = w.keepalive_count;
    t.cc_algo = w.cc_algo;
    t.soft_error = w.soft_error;
}

// After a call on the rebuilt TCB: still half-open, the entry takes the outcome; synchronized,
// the caller's socket takes the whole TCB from scratch and the entry stays as it was.
void settle(const Tcb& t, SynReceived& w)
{
    if (t.state == ATCP_SYN_RECEIVED)
        save(t, w);
}

// One call on the TCB rebuilt from e; e then takes what it left, while still half-open.
template <typename Step>
void run(atcp_syn_received* e, const atcp_params* params, atcp_tcb* scratch, uint64_t now_us,
         atcp_actions* act, Step step)
{
    Tcb& t = tcb_of(scratch);
    restore(entry_of(e), *params, t);
    Conn c(t, *act, now_us);
    step(c);
    c.finish();
    settle(t, entry_of(e));
}

} // namespace

extern "C" void atcp_engine_syn_received(const atcp_tcb* tcb, atcp_syn_received* e)
{
    *e = atcp_syn_received{};
    save(tcb_of(tcb), entry_of(e));
}

extern "C" void atcp_engine_syn_received_input(atcp_syn_received* e, const atcp_params* params,
                                               atcp_tcb* scratch, const atcp_tcp_header* seg,
                                               uint32_t payload_len, uint64_t now_us,
                                               atcp_actions* act)
{
    run(e, params, scratch, now_us, act, [&](Conn& c) { c.input(Segment{*seg, payload_len}); });
}

extern "C" void atcp_engine_syn_received_timer(atcp_syn_received* e, const atcp_params* params,
                                               atcp_tcb* scratch, uint64_t now_us,
                                               atcp_actions* act)
{
    run(e, params, scratch, now_us, act, [](Conn& c) { c.timer(); });
}

extern "C" void atcp_engine_syn_received_abort(atcp_syn_received* e, const atcp_params* params,
                                               atcp_tcb* scratch, uint64_t now_us,
                                               atcp_actions* act)
{
    run(e, params, scratch, now_us, act, [](Conn& c) { c.abort(); });
}

extern "C" int atcp_engine_syn_received_icmp(atcp_syn_received* e, const atcp_params* params,
                                             atcp_tcb* scratch, const atcp_icmp* icmp,
                                             uint64_t now_us, atcp_actions* act)
{
    atcp_icmp_result r = ATCP_ICMP_IGNORED;
    run(e, params, scratch, now_us, act, [&](Conn& c) { r = c.icmp(*icmp); });
    return r;
}

} // namespace atcp
