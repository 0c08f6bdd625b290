// SPDX-License-Identifier: GPL-2.0
// ICMP errors as packet traces: path MTU discovery (RFC 1191, RFC 8201), the
// sequence check (RFC 5927) and hard and soft errors (RFC 1122 4.2.3.9).
#include "harness.hpp"

#include <gtest/gtest.h>

namespace atcp::test {
namespace {

constexpr uint32_t kMss = 1460;
constexpr uint32_t kPmtuMss = 1240; // a 1280-byte IPv4 path less 40 bytes of headers

// An active open answered with MSS 1460 and no other option.
void establish(Harness& h)
{
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    h.advance_ms(100);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    h.no_out();
    ASSERT_EQ(h.state(), ATCP_ESTABLISHED);
}

// Four full segments in flight: 1..5841.
void four_in_flight(Harness& h)
{
    establish(h);
    send_four_full_segments(h);
}

// RFC 1191 6.5, RFC 8201 5.4: the dropped segments go out again at once at
// the new size, not after the retransmission timeout.
TEST(Pmtu, LowerMtuResendsTheFlightAtOnceInSmallerSegments)
{
    Harness h;
    four_in_flight(h);
    const uint32_t retrans = h.mib().retrans_segs;
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, kPmtuMss), ATCP_ICMP_MSS_LOWERED);
    h.out(". 1:1241(1240) ack 1 win 65535");
    h.out(". 1241:2481(1240) ack 1 win 65535");
    h.out(". 2481:3721(1240) ack 1 win 65535");
    h.out(". 3721:4961(1240) ack 1 win 65535");
    h.out("P. 4961:5841(880) ack 1 win 65535");
    h.no_out();
    EXPECT_EQ(h.mib().retrans_segs - retrans, 5u);
    EXPECT_EQ(h.info().snd_mss, kPmtuMss);
    EXPECT_EQ(h.info().path_mss, kPmtuMss);
    // The cwnd is unchanged: the loss was not congestion (FreeBSD's tcp_mtudisc).
    EXPECT_EQ(h.info().snd_cwnd, 10 * kMss);
}

// RFC 1191 6.5: one retransmission per decrease, not one per copy of the error.
TEST(Pmtu, FurtherErrorsForTheSameMtuSendNothing)
{
    Harness h;
    four_in_flight(h);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, kPmtuMss), ATCP_ICMP_MSS_LOWERED);
    h.drain();
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1461, kPmtuMss), ATCP_ICMP_ACCEPTED);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 4381, kPmtuMss), ATCP_ICMP_ACCEPTED);
    h.no_out();
    // New data after the ACK goes at the new size.
    h.in(". 1:1(0) ack 5841 win 65535");
    h.send(2 * kMss);
    h.out(". 5841:7081(1240) ack 1 win 65535");
    h.out(". 7081:8321(1240) ack 1 win 65535");
    h.no_out(); // the 440-byte tail waits for Nagle (RFC 896)
}

// RFC 5927 4.1: SND.UNA =< SEG.SEQ < SND.NXT, else the error is not believed.
TEST(Pmtu, QuotedSequenceOutsideTheFlightIsIgnored)
{
    Harness h;
    four_in_flight(h);
    h.in(". 1:1(0) ack 1461 win 65535");
    h.no_out();
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, kPmtuMss), ATCP_ICMP_OUT_OF_WINDOW);    // acked
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 5841, kPmtuMss), ATCP_ICMP_OUT_OF_WINDOW); // not sent
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 0x80000000u, kPmtuMss), ATCP_ICMP_OUT_OF_WINDOW);
    h.no_out();
    EXPECT_EQ(h.info().snd_mss, kMss);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 5840, kPmtuMss), ATCP_ICMP_MSS_LOWERED); // last byte sent
}

// RFC 8201 section 4: a Packet Too Big never raises the estimate.
TEST(Pmtu, HigherMtuIsNotBelieved)
{
    Harness h;
    four_in_flight(h);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, 9000 - 40), ATCP_ICMP_ACCEPTED);
    h.no_out();
    EXPECT_EQ(h.info().snd_mss, kMss);
}

// tcp(4): TCP_MAXSEG still clamps; a path above it changes nothing.
TEST(Pmtu, MaxsegBelowThePathStaysInForce)
{
    Harness h;
    four_in_flight(h);
    ASSERT_EQ(h.setopt(ATCP_OPTION_MAXSEG, 1000), 0);
    EXPECT_EQ(h.info().snd_mss, 1000u);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, kPmtuMss), ATCP_ICMP_ACCEPTED);
    EXPECT_EQ(h.info().snd_mss, 1000u);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, 900), ATCP_ICMP_MSS_LOWERED);
    EXPECT_EQ(h.info().snd_mss, 900u);
    h.out(". 1:901(900) ack 1 win 65535");
}

// Timestamps' 12 bytes come out of the new MSS as out of the old.
TEST(Pmtu, TimestampOptionComesOffTheNewMss)
{
    Harness h;
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    h.advance_ms(100);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>");
    h.drain();
    EXPECT_EQ(h.info().snd_mss, 1448u);
    h.send(1448);
    h.drain();
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, 1280 - 60), ATCP_ICMP_MSS_LOWERED); // IPv6's minimum MTU
    EXPECT_EQ(h.info().snd_mss, 1220u - 12);
    h.out(". 1:1209(1208) ack 1 win 1024 <nop,nop,TS val ... ecr 50>");
}

// A path below net.atcp.minmss is taken as minmss (FreeBSD's 216 bytes).
TEST(Pmtu, AbsurdMtuIsFloored)
{
    Harness h;
    four_in_flight(h);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, 8), ATCP_ICMP_MSS_LOWERED);
    EXPECT_EQ(h.info().snd_mss, 216u);
}

// In SYN-SENT the SYN-ACK's MSS option meets the lowered path.
TEST(Pmtu, DuringSynSentTheLowerPathAppliesAtTheSynAck)
{
    Harness h;
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 0, kPmtuMss), ATCP_ICMP_ACCEPTED);
    h.no_out();
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.drain();
    EXPECT_EQ(h.info().snd_mss, kPmtuMss);
}

// FreeBSD's icmp_may_rst, RFC 1122 4.2.3.9: a port unreachable for our SYN
// ends connect() with ECONNREFUSED.
TEST(IcmpError, RefusalOfTheSynEndsSynSent)
{
    Harness h;
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    EXPECT_EQ(h.icmp(ATCP_ICMP_REFUSED, 0), ATCP_ICMP_ABORTED);
    EXPECT_EQ(h.state(), ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_REFUSED);
    EXPECT_EQ(h.mib().attempt_fails, 1u);
    EXPECT_NE(h.wakes() & ATCP_WAKE_RELEASE, 0);
    h.no_out(); // no RST for a connection never synchronized
}

TEST(IcmpError, RefusalOutsideTheWindowIsIgnored)
{
    Harness h;
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    EXPECT_EQ(h.icmp(ATCP_ICMP_REFUSED, 1), ATCP_ICMP_OUT_OF_WINDOW);
    EXPECT_EQ(h.icmp(ATCP_ICMP_REFUSED, 0xffffffffu), ATCP_ICMP_OUT_OF_WINDOW);
    EXPECT_EQ(h.state(), ATCP_SYN_SENT);
    EXPECT_EQ(h.error(), ATCP_ERR_NONE);
}

// icmp_may_rst=0: the refusal is a soft error; connect() waits for its
// timeout and then reports it (FreeBSD's t_softerror, Linux's sk_err_soft).
TEST(IcmpError, WithoutMayRstRefusalIsSoftAndReportedOnTimeout)
{
    Harness h;
    h.params().syn_retries = 2;
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    EXPECT_EQ(h.icmp(ATCP_ICMP_REFUSED, 0, 0, false), ATCP_ICMP_SOFT_ERROR);
    EXPECT_EQ(h.state(), ATCP_SYN_SENT);
    h.fire_deadline();
    h.out("S 0:0(0) win 65535 <...>");
    h.fire_deadline();
    h.out("S 0:0(0) win 65535 <...>");
    EXPECT_EQ(h.error(), ATCP_ERR_NONE);
    h.fire_deadline();
    EXPECT_EQ(h.state(), ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_REFUSED);
}

// A connect whose SYN draws a host unreachable (soft: SYN-SENT stays) and
// is sent again on the timeout.
void syn_retransmitted_after_host_unreachable(Harness& h)
{
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    EXPECT_EQ(h.icmp(ATCP_ICMP_HOST_UNREACH, 0), ATCP_ICMP_SOFT_ERROR);
    EXPECT_EQ(h.state(), ATCP_SYN_SENT);
    h.fire_deadline();
    h.out("S 0:0(0) win 65535 <...>");
}

// RFC 1122 4.2.3.9: net and host unreachable are soft: no abort, but the
// error, not ETIMEDOUT, when the connection times out.
TEST(IcmpError, HostUnreachableIsReportedWhenTheConnectTimesOut)
{
    Harness h;
    h.params().syn_retries = 1;
    syn_retransmitted_after_host_unreachable(h);
    h.fire_deadline();
    EXPECT_EQ(h.error(), ATCP_ERR_HOST_UNREACH);
}

TEST(IcmpError, NetUnreachableInEstablishedDoesNotAbort)
{
    Harness h;
    four_in_flight(h);
    EXPECT_EQ(h.icmp(ATCP_ICMP_NET_UNREACH, 1), ATCP_ICMP_SOFT_ERROR);
    EXPECT_EQ(h.icmp(ATCP_ICMP_REFUSED, 1), ATCP_ICMP_SOFT_ERROR); // only SYN-SENT aborts
    EXPECT_EQ(h.state(), ATCP_ESTABLISHED);
    h.no_out();
}

// With data_retries at 1, new data that is never acknowledged: the
// connection times out with ETIMEDOUT, no stale soft error.
void expect_data_times_out(Harness& h)
{
    h.send(100);
    h.drain();
    h.fire_deadline();
    h.drain();
    h.fire_deadline();
    EXPECT_EQ(h.state(), ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
}

// FreeBSD's tcp_xmit_timer: an RTT sample shows the path works; the soft
// error is forgotten and a later timeout is ETIMEDOUT.
TEST(IcmpError, AnRttSampleClearsTheSoftError)
{
    Harness h;
    h.params().data_retries = 1;
    four_in_flight(h);
    EXPECT_EQ(h.icmp(ATCP_ICMP_HOST_UNREACH, 1), ATCP_ICMP_SOFT_ERROR);
    h.advance_ms(50);
    h.in(". 1:1(0) ack 5841 win 65535");
    expect_data_times_out(h);
}

// RFC 1122 4.2.3.9: soft errors are reported only if the connection fails;
// a handshake that completes after its SYN was retransmitted (so with no RTT
// sample, Karn) made progress, and a later timeout is ETIMEDOUT.
TEST(IcmpError, TheHandshakeClearsTheSoftError)
{
    Harness h;
    h.params().data_retries = 1;
    syn_retransmitted_after_host_unreachable(h);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    h.out(". 1:1(0) ack 1 win 65535");
    EXPECT_EQ(h.state(), ATCP_ESTABLISHED);
    expect_data_times_out(h);
}

} // namespace
} // namespace atcp::test
