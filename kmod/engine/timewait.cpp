// SPDX-License-Identifier: GPL-2.0
// TIME-WAIT kept as a compact entry once no socket refers to the connection.
// A segment for the entry is answered by rebuilding, in the caller's scratch
// storage, the part of the TCB TIME-WAIT reads and running the connection's
// own SEGMENT ARRIVES (input.cpp) on it: one set of rules for both.
#include "engine.hpp"

namespace atcp {
namespace {

// What RFC 9293 3.10.7.4's processing in TIME-WAIT reads and updates: the
// acceptability test and PAWS (rcv_*, ts_recent*), RST and SYN with RFC
// 5961's challenge ACKs (challenge_*), the ACK checks (snd_*), the ACK it
// sends (ports, window, options) and the 2 MSL restart (close_at).
struct TimeWait {
    uint64_t close_at;
    uint64_t ts_recent_us;
    uint64_t challenge_window_us;
    uint32_t flags;
    uint32_t snd_una;
    uint32_t snd_nxt;
    uint32_t snd_max;
    uint32_t snd_wnd;
    uint32_t max_snd_wnd;
    uint32_t snd_wl1;
    uint32_t snd_wl2;
    uint32_t rcv_nxt;
    uint32_t rcv_adv;
    uint32_t rcv_buf;
    uint32_t last_ack_sent;
    uint32_t ts_recent;
    uint32_t msl_ms;
    uint16_t local_port;
    uint16_t remote_port;
    uint16_t adv_mss;
    uint16_t challenge_acks;
    uint16_t challenge_ack_limit;
    uint8_t snd_wscale;
    uint8_t rcv_wscale;
};

static_assert(sizeof(TimeWait) <= sizeof(atcp_time_wait), "TimeWait outgrew its C storage");
static_assert(alignof(TimeWait) <= alignof(atcp_time_wait), "TimeWait needs stronger alignment");

// The flags that shape TIME-WAIT's answers; keepalive and pending work end with the socket.
constexpr uint32_t kTimeWaitFlags = kTimestamps | kWindowScale | kSackOk | kNoOpt | kIpv6 |
                                    kSynAcked | kFinQueued | kFinSent | kOrphan | kEcnOk |
                                    kEcnEcho | kMemoryPressure;

TimeWait& entry_of(atcp_time_wait* tw)
{
    return *reinterpret_cast<TimeWait*>(tw);
}

void save(const Tcb& t, TimeWait& w)
{
    w.close_at = t.close_at;
    w.ts_recent_us = t.ts_recent_us;
    w.challenge_window_us = t.challenge_window_us;
    w.flags = t.flags & kTimeWaitFlags;
    w.snd_una = t.snd_una;
    w.snd_nxt = t.snd_nxt;
    w.snd_max = t.snd_max;
    w.snd_wnd = t.snd_wnd;
    w.max_snd_wnd = t.max_snd_wnd;
    w.snd_wl1 = t.snd_wl1;
    w.snd_wl2 = t.snd_wl2;
    w.rcv_nxt = t.rcv_nxt;
    w.rcv_adv = t.rcv_adv;
    w.rcv_buf = t.rcv_buf;
    w.last_ack_sent = t.last_ack_sent;
    w.ts_recent = t.ts_recent;
    w.msl_ms = t.params.msl_ms;
    w.local_port = t.local_port;
    w.remote_port = t.remote_port;
    w.adv_mss = t.adv_mss;
    w.challenge_acks = t.challenge_acks;
    w.challenge_ack_limit = t.params.challenge_ack_limit;
    w.snd_wscale = t.snd_wscale;
    w.rcv_wscale = t.rcv_wscale;
}

void restore(const TimeWait& w, Tcb& t)
{
    t = Tcb{};
    t.state = ATCP_TIME_WAIT;
    t.close_at = w.close_at;
    t.ts_recent_us = w.ts_recent_us;
    t.challenge_window_us = w.challenge_window_us;
    t.flags = w.flags;
    t.snd_una = w.snd_una;
    t.snd_nxt = w.snd_nxt;
    t.snd_max = w.snd_max;
    t.snd_wnd = w.snd_wnd;
    t.max_snd_wnd = w.max_snd_wnd;
    t.snd_wl1 = w.snd_wl1;
    t.snd_wl2 = w.snd_wl2;
    t.rcv_nxt = w.rcv_nxt;
    t.rcv_adv = w.rcv_adv;
    t.rcv_buf = w.rcv_buf;
    t.last_ack_sent = w.last_ack_sent;
    t.ts_recent = w.ts_recent;
    t.params.msl_ms = w.msl_ms;
    t.local_port = w.local_port;
    t.remote_port = w.remote_port;
    t.adv_mss = w.adv_mss;
    t.challenge_acks = w.challenge_acks;
    t.params.challenge_ack_limit = w.challenge_ack_limit;
    t.snd_wscale = w.snd_wscale;
    t.rcv_wscale = w.rcv_wscale;
}

} // namespace

extern "C" uint64_t atcp_engine_time_wait(const atcp_tcb* tcb, atcp_time_wait* tw)
{
    const Tcb& t = tcb_of(tcb);
    *tw = atcp_time_wait{};
    save(t, entry_of(tw));
    return t.close_at;
}

extern "C" void atcp_engine_time_wait_input(atcp_time_wait* tw, atcp_tcb* scratch,
                                            const atcp_tcp_header* seg, uint32_t payload_len,
                                            uint64_t now_us, atcp_actions* act)
{
    Tcb& t = tcb_of(scratch);
    restore(entry_of(tw), t);
    Conn c(t, *act, now_us);
    c.input(Segment{*seg, payload_len});
    c.finish();
    save(t, entry_of(tw));
}

} // namespace atcp
