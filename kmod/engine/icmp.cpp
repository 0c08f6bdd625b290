// SPDX-License-Identifier: GPL-2.0
// ICMP and ICMPv6 errors: path MTU discovery, hard and soft errors.
#include "engine.hpp"

namespace atcp {
namespace {

// Linux's tcp_min_snd_mss: a path claiming less is not believed.
constexpr uint32_t kMinPathMss = 48;

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
    mss_max = max_of(mss_max, kMinPathMss);
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
    t_.dupacks = 0;
    t_.limited_bytes = 0;
    t_.recover = t_.snd_max;
    t_.set(kRecoverSet);
    return true;
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
