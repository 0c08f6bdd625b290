// SPDX-License-Identifier: GPL-2.0
// A listener's half-open connection as a compact entry (atcp_engine_syn_received): every
// segment and deadline of the handshake gets the answer the child in SYN-RECEIVED gives, with
// timestamps, window scaling and SACK in use (the option-less cases are StateGrid's
// SynReceivedEntry rows), and the connection the handshake opens is the child's, byte for byte.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace atcp::test {
namespace {

constexpr const char* kSyn = "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>";

void open_child(Harness& h)
{
    h.accept(kSyn);
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 100,nop,wscale 7>");
}

// Where two TCBs first differ, "" if nowhere.
std::string first_difference(const atcp_tcb& a, const atcp_tcb& b)
{
    const auto* x = reinterpret_cast<const unsigned char*>(&a);
    const auto* y = reinterpret_cast<const unsigned char*>(&b);
    for (size_t i = 0; i < sizeof(atcp_tcb); ++i) {
        if (x[i] != y[i])
            return "byte " + std::to_string(i);
    }
    return "";
}

struct Step {
    const char* name;
    const char* seg; // nullptr: only time passes, and the deadlines due fire
    uint64_t after_ms;
};

// Each kind of segment SYN-RECEIVED sorts (RFC 9293 3.10.7.4, RFC 7323 3.2 and 5.3, RFC 5961),
// and the SYN-ACK's retransmission timeouts, then the handshake's ACK.
constexpr Step kSteps[] = {
    {"RetransmittedSyn", kSyn, 100},
    {"SynAckTimeout", nullptr, 1100},
    {"NoTimestamp", ". 1:1(0) ack 1 win 512", 10},
    {"PawsOld", ". 1:1(0) ack 1 win 512 <nop,nop,TS val 50 ecr 1000>", 10},
    {"OutOfWindow", ". 900000:900000(0) ack 1 win 512 <nop,nop,TS val 101 ecr 1000>", 10},
    {"AckOfUnsent", ". 1:1(0) ack 5001 win 512 <nop,nop,TS val 102 ecr 1000>", 10},
    {"RstOutOfWindow", "R 900000:900000(0) win 0", 10},
    {"SecondTimeout", nullptr, 2100},
    {"HandshakeAckWithData", "P. 1:101(100) ack 1 win 512 <nop,nop,TS val 103 ecr 1000>", 10},
    {"DataAfter", "P. 101:201(100) ack 1 win 512 <nop,nop,TS val 104 ecr 1000>", 10},
    {"Fin", "F. 201:201(0) ack 1 win 512 <nop,nop,TS val 105 ecr 1000>", 300},
};

class SynReceivedEntry : public testing::TestWithParam<size_t> {};

// The first n steps, to the child and to its entry side by side: the same segments out, the
// same deadline and state, and after each step the same TCB, whether rebuilt from the entry or
// taken over from it once the handshake completed.
TEST_P(SynReceivedEntry, AnswersAsTheChild)
{
    Harness child;
    Harness entry;
    entry.keep_handshakes_as_entries();
    open_child(child);
    open_child(entry);
    ASSERT_TRUE(entry.in_syn_entry());
    EXPECT_EQ(entry.deadline_us(), child.deadline_us());
    EXPECT_EQ(first_difference(entry.connection(), child.connection()), "");
    for (size_t i = 0; i < GetParam(); ++i) {
        const Step& s = kSteps[i];
        SCOPED_TRACE(s.name);
        child.advance_ms(s.after_ms);
        entry.advance_ms(s.after_ms);
        if (s.seg != nullptr) {
            child.in(s.seg);
            entry.in(s.seg);
        }
        EXPECT_EQ(entry.drain(), child.drain());
        EXPECT_EQ(entry.state(), child.state());
        EXPECT_EQ(entry.deadline_us(), child.deadline_us());
        EXPECT_EQ(entry.delivered(), child.delivered());
        EXPECT_EQ(first_difference(entry.connection(), child.connection()), "");
    }
}

INSTANTIATE_TEST_SUITE_P(Steps, SynReceivedEntry, testing::Range(size_t{1}, std::size(kSteps) + 1));

// Unanswered, the entry gives up after net.atcp.syn_retries SYN-ACKs as the child would.
TEST(SynReceivedEntry, GivesUpAsTheChild)
{
    Harness child;
    Harness entry;
    entry.keep_handshakes_as_entries();
    open_child(child);
    open_child(entry);
    child.advance_ms(600000);
    entry.advance_ms(600000);
    EXPECT_EQ(entry.drain(), child.drain());
    child.expect_state(ATCP_CLOSED);
    entry.expect_state(ATCP_CLOSED);
    EXPECT_EQ(entry.mib().attempt_fails, child.mib().attempt_fails);
}

// ICMP errors quoting the SYN-ACK (RFC 5927, RFC 1191): a smaller path MTU and a soft error are
// taken as the child takes them, and the connection the handshake opens keeps them.
TEST(SynReceivedEntry, IcmpAsTheChild)
{
    Harness child;
    Harness entry;
    entry.keep_handshakes_as_entries();
    open_child(child);
    open_child(entry);
    EXPECT_EQ(entry.icmp(ATCP_ICMP_PMTU, 0, 1000), child.icmp(ATCP_ICMP_PMTU, 0, 1000));
    EXPECT_EQ(entry.icmp(ATCP_ICMP_HOST_UNREACH, 0), child.icmp(ATCP_ICMP_HOST_UNREACH, 0));
    EXPECT_EQ(entry.icmp(ATCP_ICMP_HOST_UNREACH, 5000), child.icmp(ATCP_ICMP_HOST_UNREACH, 5000));
    const char* ack = ". 1:1(0) ack 1 win 512 <nop,nop,TS val 103 ecr 1000>";
    child.in(ack);
    entry.in(ack);
    EXPECT_EQ(entry.drain(), child.drain());
    entry.expect_state(ATCP_ESTABLISHED);
    EXPECT_EQ(first_difference(entry.connection(), child.connection()), "");
}

// A listener that closes resets its half-open connections (RFC 9293 3.10.4, ABORT in
// SYN-RECEIVED), entries as children.
TEST(SynReceivedEntry, AbortResetsAsTheChild)
{
    Harness child;
    Harness entry;
    entry.keep_handshakes_as_entries();
    open_child(child);
    open_child(entry);
    child.abort();
    entry.abort();
    const std::vector<std::string> sent = entry.drain();
    EXPECT_EQ(sent, child.drain());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].rfind("R ", 0), 0u) << sent[0];
    entry.expect_state(ATCP_CLOSED);
    EXPECT_NE(entry.last().wake & ATCP_WAKE_RELEASE, 0);
}

} // namespace
} // namespace atcp::test
