// SPDX-License-Identifier: GPL-2.0
// Opening and closing connections (RFC 9293 3.5, 3.6), as packet traces.
#include "harness.hpp"

#include <gtest/gtest.h>

namespace atcp::test {
namespace {

// Our SYN at virtual time 1 s: TS val is the millisecond clock.
constexpr const char* kOurSyn =
    "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>";

TEST(Handshake, ActiveOpen)
{
    Harness h;
    h.connect();
    h.out(kOurSyn);
    h.expect_state(ATCP_SYN_SENT);
    EXPECT_EQ(h.mib().active_opens, 1);

    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,TS val 1000 ecr 50>");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_CONNECTED);
    EXPECT_EQ(h.mib().curr_estab, 1);
}

TEST(Handshake, PassiveOpen)
{
    Harness h;
    h.accept("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 7>");
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 7,nop,wscale 7>");
    h.expect_state(ATCP_SYN_RECEIVED);
    EXPECT_EQ(h.mib().passive_opens, 1);

    h.in(". 1:1(0) ack 1 win 512 <nop,nop,TS val 8 ecr 1000>");
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_CONNECTED);
}

TEST(Handshake, RefusedByRst)
{
    Harness h;
    h.connect();
    h.out(kOurSyn);
    h.in("R. 0:0(0) ack 1 win 0");
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_REFUSED);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_RELEASE);
    EXPECT_EQ(h.mib().attempt_fails, 1);
}

TEST(Handshake, SynRetriesEndInTimeout)
{
    Harness h;
    h.params().syn_retries = 2;
    h.connect();
    h.out(kOurSyn);
    h.fire_deadline();
    EXPECT_EQ(h.now_us(), Harness::kStartUs + 1000000); // initial RTO 1 s
    h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 2000 ecr 0,nop,wscale 7>");
    h.fire_deadline();
    EXPECT_EQ(h.now_us(), Harness::kStartUs + 3000000); // backed off to 2 s
    h.out("S 0:0(0) win 65535 <...>");
    h.fire_deadline();
    h.no_out();
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.error(), ATCP_ERR_TIMEDOUT);
}

TEST(Handshake, ActiveCloseThroughTimeWait)
{
    Harness h;
    h.connect();
    h.out(kOurSyn);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win ... <...>");
    h.close();
    h.out("F. 1:1(0) ack 1 win 1024 <...>");
    h.expect_state(ATCP_FIN_WAIT_1);
    h.in(". 1:1(0) ack 2 win 512 <nop,nop,TS val 51 ecr 1000>");
    h.expect_state(ATCP_FIN_WAIT_2);
    h.in("F. 1:1(0) ack 2 win 512 <nop,nop,TS val 52 ecr 1000>");
    h.out(". 2:2(0) ack 2 win 1024 <...>");
    h.expect_state(ATCP_TIME_WAIT);
    h.advance_ms(59999);
    h.expect_state(ATCP_TIME_WAIT);
    h.advance_ms(1);
    h.expect_state(ATCP_CLOSED); // 2 * MSL of 30 s
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_RELEASE);
}

TEST(Handshake, PassiveCloseThroughLastAck)
{
    Harness h;
    h.accept("S 0:0(0) win 65535 <mss 1460,nop,wscale 7>");
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>");
    h.in(". 1:1(0) ack 1 win 512");
    h.in("F. 1:1(0) ack 1 win 512");
    h.out(". 1:1(0) ack 2 win 1024");
    h.expect_state(ATCP_CLOSE_WAIT);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_EOF);
    h.close();
    h.out("F. 1:1(0) ack 2 win 1024");
    h.expect_state(ATCP_LAST_ACK);
    h.in(". 2:2(0) ack 2 win 512");
    h.expect_state(ATCP_CLOSED);
    EXPECT_EQ(h.mib().curr_estab, 0);
}

TEST(Handshake, ListenerAnswersAckWithRst)
{
    Harness h;
    h.listen();
    h.in_listener(". 1:1(0) ack 77 win 512");
    h.out("R 77:77(0) win 0");
    EXPECT_FALSE(h.wakes() & ATCP_WAKE_SPAWN);
    h.in_listener("S 0:0(0) win 512");
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_SPAWN);
}

} // namespace
} // namespace atcp::test
