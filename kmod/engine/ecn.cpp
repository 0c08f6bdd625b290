// SPDX-License-Identifier: GPL-2.0
// Explicit Congestion Notification (RFC 3168 6.1): the SYNs' agreement, the
// codepoint of each segment sent, the receiver's echo and the sender's
// response.
#include "engine.hpp"

namespace atcp {

// 6.1.1: an active open's SYN asks with ECE and CWR when net.atcp.ecn is 1;
// a SYN-ACK agrees with ECE alone.  6.1.1.1: a retransmitted SYN goes
// without, in case something on the path drops ECN-setup SYNs (Linux's
// tcp_ecn_clear_syn).  A SYN-ACK keeps ECE when retransmitted, as Linux's.
uint8_t Conn::ecn_syn_flags()
{
    if (t_.state == ATCP_SYN_SENT)
        t_.set(kEcnOk, t_.params.ecn == 1 && t_.retries == 0);
    if (!t_.has(kEcnOk))
        return 0;
    return t_.state == ATCP_SYN_SENT ? ATCP_TCP_ECE | ATCP_TCP_CWR : ATCP_TCP_ECE;
}

// 6.1.1: the peer's SYN asks with ECE and CWR, which a passive open agrees
// to unless net.atcp.ecn is 0, and a simultaneous open only if it asked
// too.  Its SYN-ACK agrees with ECE without CWR: one with both set came
// from a host that reflects the flags it got without knowing ECN.
void Conn::take_ecn_setup(const atcp_tcp_header& syn)
{
    const uint8_t f = syn.flags & (ATCP_TCP_ECE | ATCP_TCP_CWR);
    if (syn.flags & ATCP_TCP_ACK)
        t_.set(kEcnOk, t_.has(kEcnOk) && f == ATCP_TCP_ECE);
    else
        t_.set(kEcnOk, f == (ATCP_TCP_ECE | ATCP_TCP_CWR) &&
                           (t_.has(kPassive) ? t_.params.ecn != 0 : t_.has(kEcnOk)));
}

// 6.1.3: data that arrived CE is echoed with ECE on every ACK until a
// segment with CWR says the sender reduced its window.  CWR is taken first,
// so that a CE on that same segment starts a new echo, as in Linux.  Only
// data counts: ECT is never set on anything else (6.1.4, 6.1.5).
void Conn::ecn_input(const Segment& seg)
{
    if (!t_.has(kEcnOk))
        return;
    if (seg.flag(ATCP_TCP_CWR))
        t_.clear(kEcnEcho);
    if (seg.len == 0 || seg.hdr.ecn == ATCP_ECN_NOT_ECT)
        return;
    t_.set(kEcnSeen);
    if (seg.hdr.ecn != ATCP_ECN_CE)
        return;
    act_.mib.ecn_ce_rcvd = 1;
    // The first mark is told at once: a sender with a small window may
    // wait long for a delayed ACK (Linux's quick ACK on CE).
    if (!t_.has(kEcnEcho))
        t_.set(kAckNow);
    t_.set(kEcnEcho);
}

// 6.1.2: an ACK with ECE says a segment of ours was marked CE.  The window
// is reduced as for a loss, through the connection's congestion algorithm,
// but nothing is retransmitted, and the next new data carries CWR.  Once
// per window of data: not again until what was sent by now is
// acknowledged, nor within a loss's recovery, which reduced it already.
void Conn::on_ece(const Segment& seg)
{
    if (!t_.has(kEcnOk) || !seg.flag(ATCP_TCP_ECE))
        return;
    act_.mib.ecn_ece_rcvd = 1;
    if (t_.in_ecn_cwr() || t_.has(kInRecovery) ||
        (t_.has(kRecoverSet) && seq_lt(t_.snd_una, t_.recover)))
        return;
    lower_ssthresh();
    t_.cwnd = min_of(t_.cwnd, t_.ssthresh);
    t_.bytes_acked_ca = 0;
    t_.ecn_cwr_end = t_.snd_max;
    t_.set(kEcnCwr);
    t_.set(kEcnCwrDue);
}

// 6.1.2, 6.1.5: new data goes ECT(0) once ECN is agreed, and the first
// after a reduction carries CWR.  What is not new data (SYNs, pure ACKs,
// window probes, RSTs, retransmissions) is sent Not-ECT.
void Conn::ecn_mark_data(atcp_out_segment& s)
{
    if (!t_.has(kEcnOk))
        return;
    s.hdr.ecn = ATCP_ECN_ECT0;
    if (t_.has(kEcnCwrDue)) {
        t_.clear(kEcnCwrDue);
        s.hdr.flags |= ATCP_TCP_CWR;
        act_.mib.ecn_cwr_sent = 1;
    }
}

} // namespace atcp
