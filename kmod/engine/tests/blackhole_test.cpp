// SPDX-License-Identifier: GPL-2.0
// Path MTU blackhole detection as packet traces: FreeBSD's
// net.inet.tcp.pmtud_blackhole_detection, for a path that drops segments
// too big for it without the ICMP error RFC 1191 relies on (RFC 2923 2.1).
#include "harness.hpp"

#include <gtest/gtest.h>

namespace atcp::test {
namespace {

constexpr uint32_t kMss = 1460;

Harness detecting(uint32_t mode = 1)
{
    atcp_params p;
    atcp_params_default(&p);
    p.pmtud_blackhole_detection = mode;
    return Harness(&p);
}

// An active open answered with MSS mss and no other option; RTO 300 ms.
void establish(Harness& h, uint32_t mss = kMss, bool ipv6 = false)
{
    h.connect(mss, ipv6);
    h.out("S 0:0(0) win 65535 <...>");
    h.advance_ms(100);
    h.in("S. 0:0(0) ack 1 win 65535 <mss " + std::to_string(mss) + ">");
    h.out(". 1:1(0) ack 1 win 65535");
    h.no_out();
}

// Four full segments go out and vanish, with no ICMP error.
void four_lost(Harness& h)
{
    establish(h);
    send_four_full_segments(h);
}

// Two timeouts at each size: 1460, then pmtud_blackhole_mss, then mssdflt;
// after the sixth the path was not the cause, and the MSS comes back.
TEST(Blackhole, FullSizedTimeoutsStepTheMssDownThenRestoreIt)
{
    Harness h = detecting();
    four_lost(h);
    h.fire_deadline();
    h.out(". 1:1461(1460) ack 1 win 65535");
    h.fire_deadline();
    h.out(". 1:1201(1200) ack 1 win 65535");
    EXPECT_EQ(h.mib().blackhole_activated, 1u);
    EXPECT_EQ(h.info().snd_mss, 1200u);
    EXPECT_EQ(h.info().path_mss, 1200u);
    EXPECT_EQ(h.info().snd_cwnd, 1200u); // the loss window, at the new size
    h.fire_deadline();
    h.out(". 1:1201(1200) ack 1 win 65535");
    h.fire_deadline();
    h.out(". 1:537(536) ack 1 win 65535");
    EXPECT_EQ(h.mib().blackhole_activated_min_mss, 1u);
    h.fire_deadline();
    h.out(". 1:537(536) ack 1 win 65535");
    h.fire_deadline();
    h.out(". 1:1461(1460) ack 1 win 65535");
    EXPECT_EQ(h.mib().blackhole_failed, 1u);
    EXPECT_EQ(h.info().path_mss, kMss);
}

// Once the smaller segments get through, the connection goes on at that
// size; after ten minutes of it the saved MSS is tried again.
TEST(Blackhole, TheLowerMssStandsThenTheSavedOneIsTriedAgain)
{
    Harness h = detecting();
    four_lost(h);
    h.fire_deadline();
    h.drain();
    h.fire_deadline();
    h.out(". 1:1201(1200) ack 1 win 65535");
    h.in(". 1:1(0) ack 1201 win 65535");
    h.out(". 1201:2401(1200) ack 1 win 65535");
    h.out(". 2401:3601(1200) ack 1 win 65535");
    h.in(". 1:1(0) ack 3601 win 65535");
    h.out(". 3601:4801(1200) ack 1 win 65535");
    h.out("P. 4801:5841(1040) ack 1 win 65535");
    h.in(". 1:1(0) ack 5841 win 65535");
    h.no_out();
    EXPECT_EQ(h.info().snd_mss, 1200u);

    h.advance_ms(600 * 1000);
    h.send(2 * kMss);
    h.out(". 5841:7041(1200) ack 1 win 65535");
    h.out(". 7041:8241(1200) ack 1 win 65535");
    h.no_out(); // Nagle holds the 520-byte tail
    h.in(". 1:1(0) ack 8241 win 65535");
    EXPECT_EQ(h.info().snd_mss, kMss);
    EXPECT_EQ(h.mib().blackhole_failed, 0u);
    h.out("P. 8241:8761(520) ack 1 win 65535");
}

// Off by default, as FreeBSD's and Linux's tcp_mtu_probing.
TEST(Blackhole, OffByDefault)
{
    Harness h;
    four_lost(h);
    for (int i = 0; i < 6; ++i) {
        h.fire_deadline();
        h.out(". 1:1461(1460) ack 1 win 65535");
    }
    EXPECT_EQ(h.mib().blackhole_activated, 0u);
}

// Small segments that time out say nothing about the path's MTU.
TEST(Blackhole, SmallSegmentsTimingOutLeaveTheMss)
{
    Harness h = detecting();
    establish(h);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 65535");
    for (int i = 0; i < 6; ++i) {
        h.fire_deadline();
        h.out("P. 1:101(100) ack 1 win 65535");
    }
    EXPECT_EQ(h.info().snd_mss, kMss);
    EXPECT_EQ(h.mib().blackhole_activated, 0u);
}

// 2 is IPv4 only, 3 IPv6 only; IPv6 steps to v6pmtud_blackhole_mss.
TEST(Blackhole, TheModeSelectsTheFamily)
{
    for (const uint32_t mode : {2u, 3u}) {
        Harness h = detecting(mode);
        establish(h, 1440, true);
        h.send(2 * 1440);
        h.drain();
        h.fire_deadline();
        h.drain();
        h.fire_deadline();
        EXPECT_EQ(h.info().snd_mss, mode == 3 ? 1220u : 1440u) << "mode " << mode;
    }
}

// A path narrower than both steps is left alone: detection never raises.
TEST(Blackhole, NeverRaisesTheMssAboveThePath)
{
    Harness h = detecting();
    establish(h, 500);
    h.send(4 * 500);
    h.drain();
    for (int i = 0; i < 6; ++i) {
        h.fire_deadline();
        h.out(". 1:501(500) ack 1 win 65535");
    }
    EXPECT_EQ(h.mib().blackhole_activated + h.mib().blackhole_activated_min_mss, 0u);
}

// An ICMP error that does arrive bounds the MSS that is later restored.
TEST(Blackhole, AnIcmpErrorBoundsTheRestoredMss)
{
    Harness h = detecting();
    four_lost(h);
    h.fire_deadline();
    h.fire_deadline();
    EXPECT_EQ(h.info().snd_mss, 1200u);
    EXPECT_EQ(h.icmp(ATCP_ICMP_PMTU, 1, 1240), ATCP_ICMP_ACCEPTED);
    for (int i = 0; i < 4; ++i)
        h.fire_deadline();
    EXPECT_EQ(h.mib().blackhole_failed, 1u);
    EXPECT_EQ(h.info().snd_mss, 1240u);
}

// net.atcp.minmss floors both the peer's MSS option and the ICMP errors.
TEST(MinMss, FloorsThePeersMssAndThePath)
{
    atcp_params p;
    atcp_params_default(&p);
    p.min_mss = 1000;
    Harness h(&p);
    h.connect();
    h.drain();
    h.in("S. 0:0(0) ack 1 win 65535 <mss 600>");
    EXPECT_EQ(h.info().snd_mss, 1000u);

    Harness g(&p);
    four_lost(g);
    EXPECT_EQ(g.icmp(ATCP_ICMP_PMTU, 1, 600), ATCP_ICMP_MSS_LOWERED);
    EXPECT_EQ(g.info().snd_mss, 1000u);
}

} // namespace
} // namespace atcp::test
