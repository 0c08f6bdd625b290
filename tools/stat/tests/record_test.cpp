// SPDX-License-Identifier: GPL-2.0
// The names of states, events, timers, options and counters, and the
// --state parser.
#include "record.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace {

using namespace atcp_tools;

TEST(Record, StateNamesAsSs)
{
    EXPECT_EQ(state_name(ATCP_LISTEN), "LISTEN");
    EXPECT_EQ(state_name(ATCP_ESTABLISHED), "ESTAB");
    EXPECT_EQ(state_name(ATCP_SYN_RECEIVED), "SYN-RECV");
    EXPECT_EQ(state_name(ATCP_TIME_WAIT), "TIME-WAIT");
    EXPECT_EQ(state_name(ATCP_STATE_COUNT), "UNKNOWN-11");
}

TEST(Record, ParsesStatesAndGroups)
{
    EXPECT_EQ(parse_state_name("established"), state_bit(ATCP_ESTABLISHED));
    EXPECT_EQ(parse_state_name("ESTAB"), state_bit(ATCP_ESTABLISHED));
    EXPECT_EQ(parse_state_name("Listening"), state_bit(ATCP_LISTEN));
    EXPECT_EQ(parse_state_name("listen"), state_bit(ATCP_LISTEN));
    EXPECT_EQ(parse_state_name("all"), all_states);
    EXPECT_EQ(parse_state_name("connected"), connected_states);
    EXPECT_EQ(parse_state_name("synchronized"), connected_states & ~state_bit(ATCP_SYN_SENT));
    EXPECT_FALSE(parse_state_name("estab lished"));
    EXPECT_FALSE(parse_state_name(""));
}

TEST(Record, ParsesStateLists)
{
    EXPECT_EQ(parse_state_list("time-wait,close-wait"),
              state_bit(ATCP_TIME_WAIT) | state_bit(ATCP_CLOSE_WAIT));
    EXPECT_FALSE(parse_state_list("time-wait,"));
    EXPECT_FALSE(parse_state_list("time-wait,bogus"));
    EXPECT_FALSE(parse_state_list(""));
}

TEST(Record, ConnectedIsAllButListenAndClosed)
{
    EXPECT_FALSE(connected_states & state_bit(ATCP_LISTEN));
    EXPECT_FALSE(connected_states & state_bit(ATCP_CLOSED));
    EXPECT_TRUE(connected_states & state_bit(ATCP_TIME_WAIT));
    EXPECT_EQ(all_states, 0x7ffu);
}

TEST(Record, OtherNames)
{
    EXPECT_EQ(event_name(ATCP_EVENT_RESET), "reset");
    EXPECT_EQ(event_name(9), "event-9");
    EXPECT_EQ(timer_name(ATCP_TIMER_PERSIST), "persist");
    EXPECT_EQ(timer_name(ATCP_TIMER_LOSS_PROBE), "probe");
    EXPECT_EQ(options_text(0), "-");
    EXPECT_EQ(options_text(ATCP_SOCKOPT_KEEPALIVE | ATCP_SOCKOPT_CORK), "cork,keepalive");
    EXPECT_EQ(options_text(1U << 31), "-");
    EXPECT_EQ(counter_name(ATCP_MIB_ACTIVE_OPENS), "ActiveOpens");
    EXPECT_EQ(counter_name(ATCP_MIB_OUT_RSTS), "OutRsts");
    EXPECT_EQ(counter_name(ATCP_MIB_ABORT_ON_DATA), "AbortOnData");
    EXPECT_EQ(counter_name(ATCP_MIB_ICMP_IN), "IcmpIn");
    EXPECT_EQ(counter_name(ATCP_MIB_PMTU_UPDATES), "PmtuUpdates");
    EXPECT_EQ(counter_name(ATCP_MIB_BLACKHOLE_FAILED), "PmtudBlackholeFailed");
    EXPECT_EQ(counter_name(ATCP_MIB_ECN_CE_RCVD), "EcnCeRcvd");
    EXPECT_EQ(counter_name(ATCP_MIB_ECN_ECE_RCVD), "EcnEceRcvd");
    EXPECT_EQ(counter_name(ATCP_MIB_ECN_CWR_SENT), "EcnCwrSent");
    EXPECT_EQ(counter_name(ATCP_MIB_LOSS_PROBES), "LossProbes");
    EXPECT_EQ(counter_name(ATCP_MIB_DSACK_UNDO), "DsackUndo");
    EXPECT_EQ(counter_name(ATCP_MIB_SYNCOOKIES_SENT), "SyncookiesSent");
    EXPECT_EQ(counter_name(ATCP_MIB_LISTEN_DROPS), "ListenDrops");
    EXPECT_EQ(counter_name(ATCP_MIB_TIMESTAMP_UNDO), "TimestampUndo");
    EXPECT_EQ(counter_name(ATCP_MIB_MEMORY_PRESSURES_MS), "MemoryPressuresChrono");
    EXPECT_EQ(counter_name(ATCP_MIB_ABORT_ON_MEMORY), "AbortOnMemory");
    EXPECT_EQ(counter_name(ATCP_MIB_REQQ_FULL_DROP), "ReqQFullDrop");
    EXPECT_EQ(counter_name(ATCP_MIB_TIME_WAIT), "TW");
    EXPECT_EQ(counter_name(ATCP_MIB_TIME_WAIT_OVERFLOW), "TCPTimeWaitOverflow");
    EXPECT_EQ(counter_name(ATCP_MIB_COUNT), "mib" + std::to_string(ATCP_MIB_COUNT));
}

TEST(Record, Addresses)
{
    Address a;
    a.family = AF_INET;
    EXPECT_TRUE(a.is_wildcard());
    EXPECT_EQ(a.to_string(), "0.0.0.0");
    inet_pton(AF_INET, "10.1.2.3", a.bytes.data());
    EXPECT_FALSE(a.is_wildcard());
    EXPECT_EQ(a.to_string(), "10.1.2.3");
    Address b;
    b.family = AF_INET6;
    EXPECT_TRUE(b.is_wildcard());
    EXPECT_EQ(b.to_string(), "::");
    b.bytes[15] = 1;
    EXPECT_EQ(b.to_string(), "::1");
}

} // namespace
