// SPDX-License-Identifier: GPL-2.0
// TIME-WAIT as a compact entry (atcp_engine_time_wait): every segment gets the
// answer the connection itself would give, with timestamps and window scaling
// in use (the option-less cases are StateGrid's TimeWaitEntry rows).
#include "harness.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atcp::test {
namespace {

// An active close with timestamps and window scaling, to TIME-WAIT: our FIN
// is 1, the peer's 1, its last TS value 52.
void drive_to_time_wait(Harness& h)
{
    h.connect();
    h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win ... <...>");
    h.close();
    h.out("F. 1:1(0) ack 1 win ... <...>");
    h.in(". 1:1(0) ack 2 win 512 <nop,nop,TS val 51 ecr 1000>");
    h.in("F. 1:1(0) ack 2 win 512 <nop,nop,TS val 52 ecr 1000>");
    h.out(". 2:2(0) ack 2 win ... <...>");
    h.expect_state(ATCP_TIME_WAIT);
}

struct Step {
    const char* name;
    const char* seg;
    uint64_t after_ms; // time passing before it
};

// Each kind of segment TIME-WAIT sorts (RFC 9293 3.10.7.4, RFC 7323 3.2 and 5.3, RFC 5961).
constexpr Step kSteps[] = {
    {"RetransmittedFin", "F. 1:1(0) ack 2 win 512 <nop,nop,TS val 60 ecr 1000>", 1000},
    {"NoTimestamp", "F. 1:1(0) ack 2 win 512", 10},
    {"PawsOld", ". 2:2(0) ack 2 win 512 <nop,nop,TS val 40 ecr 1000>", 10},
    {"OldDuplicateData", "P. 1:101(100) ack 2 win 512 <nop,nop,TS val 61 ecr 1000>", 10},
    {"DataInWindow", "P. 2:102(100) ack 2 win 512 <nop,nop,TS val 62 ecr 1000>", 10},
    {"AckOfUnsent", ". 2:2(0) ack 5001 win 512 <nop,nop,TS val 63 ecr 1000>", 10},
    {"Syn", "S 5000:5000(0) win 65535 <mss 1460,TS val 64 ecr 0>", 10},
    {"RstInWindow", "R 100:100(0) win 0", 10},
    {"RstOutOfWindow", "R 900000:900000(0) win 0", 10},
    {"Ack", ". 2:2(0) ack 2 win 512 <nop,nop,TS val 65 ecr 1000>", 2000},
    {"FinAgain", "F. 1:1(0) ack 2 win 512 <nop,nop,TS val 66 ecr 1000>", 5000},
    {"RstExact", "R 2:2(0) win 0", 10},
};

class TimeWaitEntry : public testing::TestWithParam<size_t> {};

// The first n steps, to the connection and to its entry side by side: the same segments out,
// the same deadline, ending at the same step.
TEST_P(TimeWaitEntry, AnswersAsTheConnection)
{
    Harness conn;
    Harness entry;
    drive_to_time_wait(conn);
    drive_to_time_wait(entry);
    entry.to_time_wait_entry();
    EXPECT_EQ(entry.deadline_us(), conn.deadline_us());
    for (size_t i = 0; i < GetParam(); ++i) {
        const Step& s = kSteps[i];
        SCOPED_TRACE(s.name);
        conn.advance_ms(s.after_ms);
        entry.advance_ms(s.after_ms);
        if (conn.state() == ATCP_CLOSED)
            break;
        conn.in(s.seg);
        entry.in(s.seg);
        EXPECT_EQ(entry.drain(), conn.drain());
        EXPECT_EQ(entry.state(), conn.state());
        EXPECT_EQ(entry.deadline_us(), conn.deadline_us());
        EXPECT_EQ(entry.last().wake & ATCP_WAKE_RELEASE, conn.last().wake & ATCP_WAKE_RELEASE);
    }
}

INSTANTIATE_TEST_SUITE_P(Steps, TimeWaitEntry, testing::Range(size_t{1}, std::size(kSteps) + 1));

// The entry ends 2 MSL after the FIN it last acknowledged, as the connection would.
TEST(TimeWaitEntry, EndsAtTwoMsl)
{
    Harness h;
    drive_to_time_wait(h);
    h.to_time_wait_entry();
    h.advance_ms(2ull * h.params().msl_ms - 1);
    h.expect_state(ATCP_TIME_WAIT);
    h.advance_ms(1);
    h.expect_state(ATCP_CLOSED);
}

// A retransmitted FIN is acknowledged with the timestamps the connection kept: it lies before
// RCV.NXT, so its TS value does not become TS.Recent (RFC 7323 4.3), which the ACK echoes.
TEST(TimeWaitEntry, AcknowledgesAFinWithTheConnectionsOptions)
{
    Harness h;
    drive_to_time_wait(h);
    h.to_time_wait_entry();
    h.advance_ms(1000);
    h.in("F. 1:1(0) ack 2 win 512 <nop,nop,TS val 60 ecr 1000>");
    h.out(". 2:2(0) ack 2 win 1024 <nop,nop,TS val 2000 ecr 52>");
    h.no_out();
}

} // namespace
} // namespace atcp::test
