// SPDX-License-Identifier: GPL-2.0
// ICMP and ICMPv6 errors: path MTU discovery, hard and soft errors; and
// path MTU blackhole detection, for paths whose ICMP errors never arrive.
#include "engine.hpp"

namespace atcp {
namespace {

// FreeBSD's tcp_timer_rexmt: each step down gets two timeouts, the third
// timeout of the first step is the first of the next, and after the sixth
// the lower MSS has not helped either.
constexpr uint8_t kBlackholeFirstStep = 2;
constexpr uint8_t kBlackholeGiveUp = 6;
// Linux's tcp_probe_interval: how long a lowered MSS stands before the
// saved one is tried again.
constexpr uint64_t kBlackholeRetryUs = 600ull * 1000 * 1000;

} // namespace

atcp_icmp_result Conn::icmp(const atcp_icmp& m)
{
    if (t_.state == ATCP_CLOSED || t_.state == ATCP_LISTEN)
        return ATCP_ICMP_IGNORED;
    // RFC 5927 4.1: believe an error only for a segment in flight,
    // SND.UNA =< SEG.SEQ < SND.NXT.  The RFC's SND.NXT is snd_max here:
    // snd_nxt goes back to snd_una on a go-back-N retransmission.
    if (!seq_ge(m.seq, t_.snd_una) || !seq_lt(m.seq, t_.snd_max))
        return ATCP_ICMP_OUT_OF_WINDOW;

    switch (m.kind) {
    case ATCP_ICMP_PMTU:
        return lower_path_mss(m.mss_max) ? ATCP_ICMP_MSS_LOWERED : ATCP_ICMP_ACCEPTED;
    case ATCP_ICMP_REFUSED:
        // RFC 1122 4.2.3.9 makes port and protocol unreachable hard errors;
        // as FreeBSD's icmp_may_rst (and RFC 5461 4.1) only the SYN's own
        // refusal ends a connection, and only while it is being opened.
        if (t_.state == ATCP_SYN_SENT && m.may_rst && m.seq == t_.snd_una) {
            fail(ATCP_ERR_REFUSED);
            return ATCP_ICMP_ABORTED;
        }
        t_.soft_error = ATCP_ERR_REFUSED;
        return ATCP_ICMP_SOFT_ERROR;
    case ATCP_ICMP_NET_UNREACH:
        // RFC 1122 4.2.3.9: soft errors; TCP MUST NOT abort on them, and
        // SHOULD make them available to the application.
        t_.soft_error = ATCP_ERR_NET_UNREACH;
        return ATCP_ICMP_SOFT_ERROR;
    case ATCP_ICMP_HOST_UNREACH:
        t_.soft_error = ATCP_ERR_HOST_UNREACH;
        return ATCP_ICMP_SOFT_ERROR;
    default:
        return ATCP_ICMP_ACCEPTED;
    }
}

// RFC 1191 6.5 and RFC 8201 5.4: the MSS follows a lower path MTU, and the
// segments the router dropped go out again at once at the new size, once
// per decrease however many copies of the error arrive (RFC 1191 6.5: one
// retransmission per Datagram Too Big would be a burst).  RFC 8201 section
// 4: a Packet Too Big never raises the estimate.  False when snd_mss is
// unchanged.
bool Conn::lower_path_mss(uint32_t mss_max)
{
    // FreeBSD's net.inet.tcp.minmss: a path claiming less is not believed.
    mss_max = max_of(mss_max, t_.params.min_mss);
    if (t_.has(kBlackhole) && mss_max < t_.blackhole_saved_mss)
        t_.blackhole_saved_mss = static_cast<uint16_t>(mss_max); // never restore above it
    if (mss_max >= t_.mss_max)
        return false;
    t_.mss_max = static_cast<uint16_t>(mss_max);
    if (t_.state == ATCP_SYN_SENT)
        return false; // the SYN-ACK's MSS option sets snd_mss from mss_max
    const uint16_t mss = effective_mss();
    if (mss >= t_.snd_mss)
        return false; // the peer's MSS or TCP_MAXSEG was lower already
    t_.snd_mss = mss;
    if (!t_.has(kSynAcked) || t_.flight() == 0)
        return true;
    // As FreeBSD's tcp_mtudisc: go back to snd_una, leave recovery without
    // touching the congestion window (the loss was not congestion), and
    // time no segment sent before (Karn).
    t_.snd_nxt = t_.snd_una;
    t_.clear(kRttTiming);
    t_.clear(kInRecovery);
    t_.clear(kSackRecovery);
    t_.dupacks = 0;
    t_.limited_bytes = 0;
    t_.recover = t_.snd_max;
    t_.set(kRecoverSet);
    return true;
}

bool Conn::blackhole_detection_on() const
{
    switch (t_.params.pmtud_blackhole_detection) {
    case 1:
        return true;
    case 2:
        return !t_.has(kIpv6);
    case 3:
        return t_.has(kIpv6);
    default:
        return false;
    }
}

// Blackhole detection, as FreeBSD's net.inet.tcp.pmtud_blackhole_detection
// (and RFC 4821's premise): a router that drops segments too big for its
// next link without the ICMP error path MTU discovery waits for (RFC 2923
// 2.1) looks like repeated timeouts of full-sized segments.  At the second
// and fourth consecutive timeout the MSS steps down, to
// pmtud_blackhole_mss (v6pmtud_blackhole_mss) and then to mssdflt, never
// below minmss nor up, so that the retransmission about to go out is
// smaller; after the sixth the path
// was not the cause and the saved MSS comes back.  Called from the
// retransmission timeout, after the congestion response.
void Conn::detect_blackhole()
{
    if (!blackhole_detection_on() || (t_.state != ATCP_ESTABLISHED && t_.state != ATCP_FIN_WAIT_1))
        return;
    const bool full_sized_lost = t_.flight() >= t_.snd_mss;
    if (full_sized_lost && t_.retries >= kBlackholeFirstStep && t_.retries < kBlackholeGiveUp &&
        t_.retries % 2 == 0) {
        const uint32_t step =
            t_.has(kIpv6) ? t_.params.v6pmtud_blackhole_mss : t_.params.pmtud_blackhole_mss;
        const bool first_step = t_.mss_max > step;
        const uint32_t mss = max_of(first_step ? step : t_.mss_default(), t_.params.min_mss);
        if (mss >= t_.mss_max)
            return; // nothing smaller to try
        if (!t_.has(kBlackhole)) {
            t_.set(kBlackhole);
            t_.blackhole_saved_mss = t_.mss_max;
        }
        set_path_mss(mss);
        if (first_step)
            act_.mib.blackhole_activated = 1;
        else
            act_.mib.blackhole_activated_min_mss = 1;
        t_.blackhole_retry_at = now_ + kBlackholeRetryUs;
    } else if (t_.has(kBlackhole) && t_.retries >= kBlackholeGiveUp) {
        end_blackhole();
        act_.mib.blackhole_failed = 1;
    }
}

// Data moved at the lowered MSS for kBlackholeRetryUs: the path may have
// changed, so the saved MSS is tried again; detection lowers it anew if
// it still disappears.
void Conn::retry_blackhole_mss()
{
    if (t_.has(kBlackhole) && now_ >= t_.blackhole_retry_at)
        end_blackhole();
}

void Conn::end_blackhole()
{
    t_.clear(kBlackhole);
    set_path_mss(t_.blackhole_saved_mss);
}

// The path's MSS as blackhole detection sets it, down or back; the loss
// window follows (RFC 5681 3.1: one segment).
void Conn::set_path_mss(uint32_t mss_max)
{
    t_.mss_max = static_cast<uint16_t>(mss_max);
    t_.snd_mss = effective_mss();
    if (t_.retries != 0)
        t_.cwnd = t_.snd_mss;
}

} // namespace atcp

using namespace atcp;

extern "C" int atcp_engine_icmp(atcp_tcb* tcb, const atcp_icmp* icmp, uint64_t now_us,
                                atcp_actions* act)
{
    Conn c(tcb_of(tcb), *act, now_us);
    const atcp_icmp_result r = c.icmp(*icmp);
    c.finish();
    return r;
}
