// SPDX-License-Identifier: GPL-2.0
// Buffer sizing: the receive buffer right-sized to what the reader takes per
// round trip (Linux's DRS, FreeBSD's autorcvbuf), the window scale chosen for
// the largest buffer, and the send buffer asked for by the congestion window.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atcp::test {
namespace {

// A peer with a 10 ms round trip, window scaling and SACK, no timestamps.
void establish_10ms(Harness& h)
{
    h.connect();
    h.out("S 0:0(0) win ... <...>");
    h.advance_ms(10);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win ... <...>");
    h.expect_state(ATCP_ESTABLISHED);
}

// The peer sends n full segments from offset *seq; the reader takes each.
void deliver_and_read(Harness& h, uint32_t& seq, int n)
{
    for (int i = 0; i < n; ++i) {
        h.in(". " + std::to_string(seq) + ":" + std::to_string(seq + 1460) +
             "(1460) ack 1 win 1000");
        h.consumed(1460);
        seq += 1460;
    }
    h.drain();
}

uint32_t rcv_buf(Harness& h)
{
    return atcp_engine_getopt(&h.tcb(), ATCP_OPTION_RCVBUF);
}

// The first guess is the sender's initial window (RFC 6928: 14600 bytes at
// MSS 1460).  The first read a round trip later ends the measurement: a
// reader that took 40880 bytes gets twice that plus 16 segments, plus twice
// the growth over the guess:
// 2 * 40880 + 16 * 1460 = 105120; 105120 * (40880 - 14600) / 14600 = 189216.
TEST(RightSizing, GrowsToTwiceWhatTheReaderTookPlusTheGrowth)
{
    Harness h;
    establish_10ms(h);
    EXPECT_EQ(rcv_buf(h), 131072u);
    uint32_t seq = 1;
    deliver_and_read(h, seq, 27);
    EXPECT_EQ(rcv_buf(h), 131072u) << "no round trip has passed";
    h.advance_ms(10);
    deliver_and_read(h, seq, 1);
    EXPECT_EQ(rcv_buf(h), 105120u + 2 * 189216u);
    EXPECT_GT(h.info().rcv_wnd, 131072u) << "the window grew with the buffer";
}

TEST(RightSizing, AReaderNoFasterThanBeforeLeavesTheBuffer)
{
    Harness h;
    establish_10ms(h);
    uint32_t seq = 1;
    deliver_and_read(h, seq, 5);
    h.advance_ms(10);
    deliver_and_read(h, seq, 5); // 14600 bytes: no more than the first guess
    EXPECT_EQ(rcv_buf(h), 131072u);
}

// A round trip of microseconds (loopback) is measured over 1 ms, Linux's
// floor: read by read, no 64 KiB read would outgrow the one before.
TEST(RightSizing, MeasuresOverOneMillisecondAtLeast)
{
    Harness h;
    h.connect();
    h.out("S 0:0(0) win ... <...>");
    h.advance_us(20);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win ... <...>");
    uint32_t seq = 1;
    for (int read = 0; read < 9; ++read) {
        deliver_and_read(h, seq, 10);
        h.advance_us(100);
    }
    EXPECT_EQ(rcv_buf(h), 131072u) << "still within the first millisecond";
    h.advance_us(100);
    deliver_and_read(h, seq, 1);
    EXPECT_GT(rcv_buf(h), 131072u) << "131400 bytes in 1 ms";
}

TEST(RightSizing, StopsAtRmemMax)
{
    Harness h;
    h.params().rcv_buf_max = 200000;
    establish_10ms(h);
    uint32_t seq = 1;
    for (int rtt = 0; rtt < 4; ++rtt) {
        deliver_and_read(h, seq, 60);
        h.advance_ms(10);
    }
    deliver_and_read(h, seq, 1);
    EXPECT_EQ(rcv_buf(h), 200000u);
}

// SO_RCVBUF: the user's size stays, as in Linux (SOCK_RCVBUF_LOCK).
TEST(RightSizing, ABufferTheUserSetStaysAsSet)
{
    Harness h;
    ASSERT_EQ(h.setopt(ATCP_OPTION_RCVBUF, 65536), 0);
    establish_10ms(h);
    uint32_t seq = 1;
    for (int rtt = 0; rtt < 3; ++rtt) {
        deliver_and_read(h, seq, 30);
        h.advance_ms(10);
    }
    EXPECT_EQ(rcv_buf(h), 65536u);
}

// RFC 7323 2.3: the scale is fixed by the SYN, so it is chosen for the
// largest buffer right-sizing may reach, as Linux chooses it for tcp_rmem[2].
TEST(RightSizing, WindowScaleCoversTheLargestBuffer)
{
    Harness h;
    h.params().rcv_buf_max = 1u << 30;
    h.connect();
    h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val ... ecr 0,nop,wscale 14>");

    Harness small;
    small.params().rcv_buf = 65535;
    small.params().rcv_buf_max = 65535;
    small.connect();
    small.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val ... ecr 0,nop,wscale 0>");
}

// Memory pressure (net.atcp.mem's second value passed): the window offered
// closes to four segments as the peer uses up what was offered before,
// which is never taken back (RFC 7323 2.4), and opens again once it ends.
TEST(MemoryPressure, WindowClosesToFourSegments)
{
    Harness h;
    establish_10ms(h);
    uint32_t seq = 1;
    deliver_and_read(h, seq, 1);
    const uint32_t offered = h.info().rcv_wnd;
    EXPECT_GT(offered, 100000u);
    atcp_engine_memory_pressure(&h.tcb(), true);
    deliver_and_read(h, seq, 1);
    EXPECT_EQ(h.info().rcv_wnd, offered - 1460) << "the right edge stays";
    deliver_and_read(h, seq, 100);
    EXPECT_LE(h.info().rcv_wnd, 4u * 1460 + 127) << "four segments, rounded up to the scale";
    EXPECT_GT(h.info().rcv_wnd, 0u);
    atcp_engine_memory_pressure(&h.tcb(), false);
    deliver_and_read(h, seq, 1);
    EXPECT_GT(h.info().rcv_wnd, 100000u);
}

// Under pressure the reader's pace grows no buffer (Linux grows rcv_ssthresh
// only outside it, tcp_grow_window()).
TEST(MemoryPressure, TheBufferDoesNotGrow)
{
    Harness h;
    establish_10ms(h);
    atcp_engine_memory_pressure(&h.tcb(), true);
    uint32_t seq = 1;
    for (int rtt = 0; rtt < 3; ++rtt) {
        deliver_and_read(h, seq, 30);
        h.advance_ms(10);
    }
    EXPECT_EQ(rcv_buf(h), 131072u) << "GrowsToTwiceWhatTheReaderTookPlusTheGrowth grew it";
}

// Two congestion windows of segments, two initial windows at least (Linux's
// tcp_sndbuf_expand).
TEST(SendBuffer, TwoCongestionWindowsOfSegments)
{
    Harness h;
    establish_10ms(h);
    uint32_t mss = 0;
    EXPECT_EQ(atcp_engine_send_buffer_segments(&h.tcb(), &mss), 20u);
    EXPECT_EQ(mss, 1460u);

    h.send(40 * 1460);
    h.drain();
    for (uint32_t acked = 1; acked <= 10; ++acked)
        h.in(". 1:1(0) ack " + std::to_string(1 + acked * 1460) + " win 1000");
    h.drain();
    // Slow start: ten segments acknowledged one by one grow the window to twenty.
    EXPECT_EQ(atcp_engine_send_buffer_segments(&h.tcb(), &mss), 40u);
}

} // namespace
} // namespace atcp::test
