// SPDX-License-Identifier: GPL-2.0
// The C ABI of include/atcp/engine.h over Conn.
#include "congestion.hpp"
#include "engine.hpp"

using namespace atcp;

namespace {

// The largest IPv4 datagram less its header and TCP's.
constexpr uint32_t kMaxMss = 65535 - 40;
// Linux's tcp_min_snd_mss: a path claiming less is not believed.
constexpr uint32_t kMinPathMss = 48;
// Linux's TCP_MIN_MSS, the least TCP_MAXSEG takes: (60 + 60 + 8) - (20 + 20),
// IP and TCP headers at their largest less at their smallest.
constexpr uint32_t kMinUserMss = 88;
// Linux's MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL (seconds), MAX_TCP_KEEPCNT.
constexpr uint32_t kMaxKeepSeconds = 32767;
constexpr uint32_t kMaxKeepCount = 127;
// The least receive buffer: the 2048 data bytes of Linux's smallest one
// (SOCK_MIN_RCVBUF, TCP_SKB_MIN_TRUESIZE); a smaller window would not hold
// a segment of the default MSS and its neighbours.
constexpr uint32_t kMinRcvBuf = 2048;

uint16_t path_mss(uint32_t mss_max)
{
    return static_cast<uint16_t>(min_of(max_of(mss_max, kMinPathMss), kMaxMss));
}

// The path a new connection runs over.
void set_path(Tcb& t, bool ipv6, uint32_t mss_max)
{
    t.set(kIpv6, ipv6);
    t.mss_max = path_mss(mss_max);
}

void set_flag(Tcb& t, TcbFlag f, uint32_t value)
{
    t.set(f, value != 0);
}

// A TCB that ran a connection before starts the next one afresh, keeping
// only its parameters and what the user set (a socket may connect again
// after a failure).
void keep_only_options(Tcb& t)
{
    Tcb fresh{};
    fresh.params = t.params;
    fresh.take_user_options(t);
    t = fresh;
}

bool streq(const char* a, const char* b)
{
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

// Linux's tcpi_ca_state: fast recovery; a timeout's loss state until what
// was outstanding then is acknowledged (RFC 6582 section 4's recover); the
// window an ECE reduced (RFC 3168 6.1.2); or duplicate ACKs.
atcp_ca_state ca_state(const Tcb& t)
{
    if (t.has(kInRecovery))
        return ATCP_CA_RECOVERY;
    if (t.has(kRecoverSet) && seq_lt(t.snd_una, t.recover))
        return ATCP_CA_LOSS;
    if (t.in_ecn_cwr())
        return ATCP_CA_CWR;
    return t.dupacks != 0 ? ATCP_CA_DISORDER : ATCP_CA_OPEN;
}

} // namespace

extern "C" const char* atcp_engine_cc_name(atcp_cc cc)
{
    if (cc >= ATCP_CC_COUNT)
        return nullptr;
    Tcb t{};
    t.cc_algo = static_cast<uint8_t>(cc);
    return cc_ops(t).name;
}

extern "C" int atcp_engine_cc_find(const char* name)
{
    if (streq(name, "reno"))
        return ATCP_CC_NEWRENO; // Linux's name for it
    for (int cc = 0; cc < ATCP_CC_COUNT; ++cc) {
        if (streq(name, atcp_engine_cc_name(static_cast<atcp_cc>(cc))))
            return cc;
    }
    return -1;
}

extern "C" void atcp_params_default(atcp_params* p)
{
    *p = atcp_params{};
    p->mss_default = ATCP_MSS_DEFAULT;       // FreeBSD's net.inet.tcp.mssdflt
    p->mss_default_v6 = ATCP_MSS_DEFAULT_V6; // FreeBSD's net.inet.tcp.v6mssdflt
    p->msl_ms = 30000;                       // FreeBSD's net.inet.tcp.msl
    p->rto_initial_ms = 1000;
    p->rto_min_ms = 200;
    p->rto_max_ms = 120000;
    p->delack_ms = 40;
    p->keepalive_idle_ms = 7200 * 1000; // RFC 1122 4.2.3.6: two hours
    p->keepalive_intvl_ms = 75 * 1000;
    p->keepalive_count = 8;
    p->fin_wait_2_ms = 60000;
    p->syn_retries = 6;
    p->data_retries = 15;
    p->rfc1323 = 1;
    p->ooo_max = ATCP_OOO_MAX;
    p->challenge_ack_limit = 100;
    p->icmp_may_rst = 1; // FreeBSD's net.inet.tcp.icmp_may_rst
    p->min_mss = 216;    // FreeBSD's net.inet.tcp.minmss (TCP_MINMSS)
    // FreeBSD's pmtud_blackhole_detection and the two steps' MSS; off by
    // default, as there and as Linux's tcp_mtu_probing.
    p->pmtud_blackhole_mss = 1200;
    p->v6pmtud_blackhole_mss = 1220;
    p->congestion = ATCP_CC_CUBIC; // as Linux's and FreeBSD's defaults
    p->ecn = 2;                    // Linux's tcp_ecn default: agree when asked
    p->rack = 1;                   // RACK-TLP, as Linux's defaults
    p->tlp = 1;
    p->syncookies = 1; // Linux's tcp_syncookies default: when the queue is full
    // Linux's tcp_rmem default and maximum.
    p->rcv_buf = 131072;
    p->rcv_buf_max = 6u << 20;
}

extern "C" void atcp_engine_init(atcp_tcb* tcb, const atcp_params* params)
{
    Tcb& t = tcb_of(tcb);
    t = Tcb{};
    t.params = *params;
    t.cc_algo = params->congestion < ATCP_CC_COUNT ? params->congestion : uint8_t{ATCP_CC_CUBIC};
}

extern "C" void atcp_engine_connect(atcp_tcb* tcb, bool ipv6, uint16_t local_port,
                                    uint16_t remote_port, uint32_t mss_max, uint32_t isn_hash,
                                    uint64_t now_us, atcp_actions* act)
{
    Tcb& t = tcb_of(tcb);
    keep_only_options(t);
    set_path(t, ipv6, mss_max);
    t.local_port = local_port;
    t.remote_port = remote_port;
    Conn c(t, *act, now_us);
    c.open_active(isn_hash);
    c.finish();
}

extern "C" void atcp_engine_listen(atcp_tcb* tcb, uint16_t local_port)
{
    Tcb& t = tcb_of(tcb);
    t.local_port = local_port;
    t.state = ATCP_LISTEN;
}

extern "C" void atcp_engine_accept(atcp_tcb* child, const atcp_tcb* listener,
                                   const atcp_tcp_header* syn, bool ipv6, uint32_t mss_max,
                                   uint32_t isn_hash, uint64_t now_us, atcp_actions* act)
{
    Tcb& t = tcb_of(child);
    set_path(t, ipv6, mss_max);
    Conn c(t, *act, now_us);
    c.open_passive(tcb_of(listener), *syn, isn_hash);
    c.finish();
}

extern "C" void atcp_engine_syncookie_synack(const atcp_tcb* listener, const atcp_tcp_header* syn,
                                             bool ipv6, uint32_t mss_max,
                                             const atcp_syncookie_hashes* hashes, uint64_t now_us,
                                             atcp_actions* act)
{
    // The child whose SYN-ACK it is lives for this call only.
    const Tcb& l = tcb_of(listener);
    Tcb child{};
    child.params = l.params;
    set_path(child, ipv6, mss_max);
    Conn c(child, *act, now_us);
    c.syncookie_syn_ack(l, *syn, *hashes);
}

extern "C" void atcp_engine_syncookie_accept(atcp_tcb* child, const atcp_tcb* listener,
                                             const atcp_tcp_header* ack, bool ipv6,
                                             uint32_t mss_max, const atcp_syncookie* cookie,
                                             uint64_t now_us, atcp_actions* act)
{
    Tcb& t = tcb_of(child);
    set_path(t, ipv6, mss_max);
    Conn c(t, *act, now_us);
    c.open_from_syncookie(tcb_of(listener), *ack, *cookie);
    c.finish();
}

extern "C" void atcp_engine_input(atcp_tcb* tcb, const atcp_tcp_header* seg, uint32_t payload_len,
                                  uint64_t now_us, atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    c.input(Segment{*seg, payload_len});
    c.finish();
}

extern "C" void atcp_engine_timer(atcp_tcb* tcb, uint64_t now_us, atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    c.timer();
    c.finish();
}

extern "C" void atcp_engine_send(atcp_tcb* tcb, uint32_t len, uint64_t now_us, atcp_actions* act)
{
    Tcb& t = tcb_of(tcb);
    t.send_queued += len;
    Conn c(t, *act, now_us);
    c.finish();
}

extern "C" void atcp_engine_output(atcp_tcb* tcb, uint64_t now_us, atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    c.finish();
}

extern "C" void atcp_engine_consumed(atcp_tcb* tcb, uint32_t len, uint64_t now_us,
                                     atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    c.consumed(len);
    c.finish();
}

extern "C" void atcp_engine_memory_pressure(atcp_tcb* tcb, bool under)
{
    tcb_of(tcb).set(kMemoryPressure, under);
}

extern "C" void atcp_engine_close(atcp_tcb* tcb, uint64_t now_us, atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    c.close();
    c.finish();
}

extern "C" void atcp_engine_orphan(atcp_tcb* tcb, uint64_t now_us, atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    c.orphan();
    c.finish();
}

extern "C" void atcp_engine_abort(atcp_tcb* tcb, uint64_t now_us, atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    c.abort();
    c.finish();
}

extern "C" int atcp_engine_setopt(atcp_tcb* tcb, atcp_option opt, uint32_t value, uint64_t now_us,
                                  atcp_actions* act)
{
    Tcb& t = tcb_of(tcb);
    switch (opt) {
    case ATCP_OPTION_NODELAY:
        set_flag(t, kNoDelay, value);
        break;
    case ATCP_OPTION_NOPUSH:
    case ATCP_OPTION_CORK: {
        // Clearing either sends what it held at once (tcp(4), tcp(7)).
        const TcbFlag f = opt == ATCP_OPTION_CORK ? kCork : kNoPush;
        if (value == 0 && t.has(f))
            t.set(kForcePush);
        set_flag(t, f, value);
        break;
    }
    case ATCP_OPTION_NOOPT:
        if (t.state != ATCP_CLOSED && t.state != ATCP_LISTEN)
            return -1; // options are agreed in the SYNs
        set_flag(t, kNoOpt, value);
        break;
    case ATCP_OPTION_MAXSEG:
        // tcp(4): it can only lower the MSS; 0 restores the default.
        if (value != 0 && (value < kMinUserMss || value > kMaxMss))
            return -1;
        t.user_mss = static_cast<uint16_t>(value);
        if (value != 0 && t.has(kSynAcked) && value < t.snd_mss)
            t.snd_mss = static_cast<uint16_t>(value);
        break;
    case ATCP_OPTION_KEEPALIVE:
        set_flag(t, kKeepAlive, value);
        break;
    case ATCP_OPTION_KEEPIDLE:
    case ATCP_OPTION_KEEPINTVL:
        if (value < 1 || value > kMaxKeepSeconds)
            return -1;
        (opt == ATCP_OPTION_KEEPIDLE ? t.keepalive_idle_ms : t.keepalive_intvl_ms) = value * 1000;
        break;
    case ATCP_OPTION_KEEPCNT:
        if (value < 1 || value > kMaxKeepCount)
            return -1;
        t.keepalive_count = static_cast<uint8_t>(value);
        break;
    case ATCP_OPTION_USER_TIMEOUT:
        if (value > 0x7fffffff)
            return -1;
        t.user_timeout_ms = value;
        break;
    case ATCP_OPTION_RCVBUF:
        if (value < kMinRcvBuf)
            return -1;
        t.rcv_buf = value;
        t.set(kRcvBufPinned, true);
        break;
    case ATCP_OPTION_CONGESTION:
        if (value >= ATCP_CC_COUNT)
            return -1;
        if (value != t.cc_algo) {
            // As Linux's tcp_reinit_congestion_control: the new algorithm
            // starts afresh from the window as it is.
            t.cc_algo = static_cast<uint8_t>(value);
            t.cc = CcState{};
            t.bytes_acked_ca = 0;
        }
        break;
    default:
        return -1;
    }
    // Clearing TCP_NOPUSH or TCP_CORK pushes what they held; KEEPALIVE rearms.
    Conn c(t, *act, now_us);
    c.option_changed();
    c.finish();
    return 0;
}

extern "C" uint32_t atcp_engine_getopt(const atcp_tcb* tcb, atcp_option opt)
{
    const Tcb& t = tcb_of(tcb);
    switch (opt) {
    case ATCP_OPTION_NODELAY:
        return t.has(kNoDelay);
    case ATCP_OPTION_NOPUSH:
        return t.has(kNoPush);
    case ATCP_OPTION_CORK:
        return t.has(kCork);
    case ATCP_OPTION_NOOPT:
        return t.has(kNoOpt);
    case ATCP_OPTION_MAXSEG:
        // Linux and BSD report the MSS in use once connected.
        return t.has(kSynAcked) ? t.snd_mss : (t.user_mss != 0 ? t.user_mss : t.mss_default());
    case ATCP_OPTION_KEEPALIVE:
        return t.has(kKeepAlive);
    case ATCP_OPTION_KEEPIDLE:
        return (t.keepalive_idle_ms ? t.keepalive_idle_ms : t.params.keepalive_idle_ms) / 1000;
    case ATCP_OPTION_KEEPINTVL:
        return (t.keepalive_intvl_ms ? t.keepalive_intvl_ms : t.params.keepalive_intvl_ms) / 1000;
    case ATCP_OPTION_KEEPCNT:
        return t.keepalive_count ? t.keepalive_count : t.params.keepalive_count;
    case ATCP_OPTION_USER_TIMEOUT:
        return t.user_timeout_ms;
    case ATCP_OPTION_RCVBUF:
        return t.rcv_buf;
    case ATCP_OPTION_CONGESTION:
        return t.cc_algo;
    }
    return 0;
}

extern "C" uint32_t atcp_engine_send_buffer_segments(const atcp_tcb* tcb, uint32_t* mss)
{
    const Tcb& t = tcb_of(tcb);
    const uint32_t seg = max_of<uint32_t>(t.snd_mss, 1);

    *mss = seg;
    return 2 * max_of(t.cwnd, initial_window(seg)) / seg;
}

extern "C" atcp_state atcp_engine_state(const atcp_tcb* tcb)
{
    return static_cast<atcp_state>(tcb_of(tcb).state);
}

extern "C" void atcp_engine_info(const atcp_tcb* tcb, uint64_t now_us, atcp_conn_info* info)
{
    const Tcb& t = tcb_of(tcb);
    *info = atcp_conn_info{};
    info->state = t.state;
    info->retransmits = t.retries;
    info->backoff = t.backoff;
    info->snd_wscale = t.snd_wscale;
    info->rcv_wscale = t.rcv_wscale;
    info->timestamps = t.has(kTimestamps);
    info->window_scale = t.has(kWindowScale);
    info->sack_permitted = t.has(kSackOk);
    info->in_recovery = t.has(kInRecovery);
    info->ca_state = ca_state(t);
    info->ecn = t.has(kEcnOk) && t.synchronized();
    info->ecn_seen = t.has(kEcnSeen);
    // As Linux's icsk_rto and FreeBSD's t_rxtcur: the backed-off value.
    info->rto_us = backed_off_rto(t);
    info->ato_us = t.params.delack_ms * 1000;
    info->snd_mss = t.snd_mss;
    info->rcv_mss = t.adv_mss;
    info->advmss = t.adv_mss;
    info->path_mss = t.mss_max;
    info->rtt_us = t.srtt_us;
    info->rttvar_us = t.rttvar_us;
    info->snd_cwnd = t.cwnd;
    info->snd_ssthresh = t.ssthresh;
    info->snd_wnd = t.snd_wnd;
    info->rcv_wnd = t.rcv_adv - t.rcv_nxt;
    info->unacked = t.flight();
    info->total_retrans = t.total_retrans;
    info->bytes_acked = t.bytes_acked;
    info->bytes_received = t.bytes_received;
    info->segs_out = t.segs_out;
    info->segs_in = t.segs_in;
    info->last_data_recv_us = now_us - t.last_recv_us;
    info->last_ack_recv_us = now_us - t.last_ack_recv_us;
    const Tcb::DueTimer due = t.next_timer();
    info->timer = due.kind;
    info->timer_in_us = due.at > now_us ? due.at - now_us : 0;
    const RecoveryFigures f = recovery_figures(t);
    info->sacked = f.sacked;
    info->lost = f.lost;
    info->retrans_out = f.retrans_out;
    // RFC 6675's DupThresh until reordering further than that is seen.
    info->reordering = max_of<uint32_t>(t.rack.reordering, 3);
    info->min_rtt_us = t.min_rtt_us;
    info->delivery_rate = t.delivery_rate;
}
