// SPDX-License-Identifier: GPL-2.0
// The parsers on replies recorded from the module in the guest (see
// testdata/README): the encoding the kernel really uses, padding
// and all.
#include "format.h"
#include "parse.h"
#include "socket_view.h"
#include "text.h"

#include <gtest/gtest.h>
#include <netlink/msg.h>

#include <string>
#include <vector>

namespace {

using namespace atcp_tools;

// The bytes of a hex file; line breaks are ignored.
std::vector<unsigned char> hex_file(const std::string& name)
{
    auto text = read_file(ATCP_TOOLS_TESTDATA "/recorded/" + name);
    EXPECT_TRUE(text) << name;
    std::vector<unsigned char> bytes;
    std::string digits;
    for (char c : text.value_or("")) {
        if (c != '\n')
            digits += c;
    }
    for (size_t i = 0; i + 1 < digits.size(); i += 2)
        bytes.push_back(static_cast<unsigned char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    return bytes;
}

// Each message of a datagram, walked with libnl as the tools walk them.
std::vector<nlmsghdr*> messages(std::vector<unsigned char>& datagram)
{
    std::vector<nlmsghdr*> out;
    int left = static_cast<int>(datagram.size());
    for (auto* h = reinterpret_cast<nlmsghdr*>(datagram.data()); nlmsg_ok(h, left);
         h = nlmsg_next(h, &left))
        out.push_back(h);
    EXPECT_EQ(left, 0);
    return out;
}

// Message i of the recorded dump: 0 the listener, 1 the connection.
SockRecord recorded_sock(size_t i)
{
    auto datagram = hex_file("dump.hex");
    const auto msgs = messages(datagram);
    EXPECT_EQ(msgs.size(), 2u);
    auto r = parse_sock_message(msgs.at(i));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : SockRecord{};
}

TEST(Recorded, ADumpOfAListenerAndAConnection)
{
    const SockRecord listener_record = recorded_sock(0);
    const SockRecord* listener = &listener_record;
    EXPECT_EQ(listener->state, ATCP_LISTEN);
    EXPECT_EQ(listener->local.to_string(), "0.0.0.0");
    EXPECT_EQ(listener->local_port, 7);
    EXPECT_EQ(listener->remote_port, 0);
    EXPECT_EQ(listener->accept_max, 64u); // atcp-echo's backlog
    EXPECT_NE(listener->inode, 0u);
    EXPECT_EQ(listener->uid, 0u);
    EXPECT_FALSE(listener->has(ATCP_A_SOCK_RTT_US)); // listeners have no connection figures

    const SockRecord conn_record = recorded_sock(1);
    const SockRecord* conn = &conn_record;
    EXPECT_EQ(conn->state, ATCP_ESTABLISHED);
    EXPECT_EQ(conn->local.to_string(), "127.0.0.1");
    EXPECT_EQ(conn->local_port, 7);
    EXPECT_EQ(conn->remote.to_string(), "127.0.0.1");
    EXPECT_NE(conn->remote_port, 0);
    EXPECT_EQ(conn->bytes_received, 5u); // "hello"
    EXPECT_EQ(conn->bytes_acked, 5u);    // and back
    EXPECT_TRUE(conn->has(ATCP_A_SOCK_RTT_US));
    EXPECT_TRUE(conn->options & ATCP_SOCKOPT_TIMESTAMPS);
    EXPECT_GT(conn->mss, 0u);
}

TEST(Recorded, AnOlderModulesConnectionPrintsAsBefore)
{
    // The module recorded sent no congestion control, ECN or loss recovery
    // figures: its record prints as it did before the tools knew them.
    const SockRecord conn = recorded_sock(1);
    EXPECT_EQ(extended_text(conn),
              "uid:0 ino:5068 timer:(off) opts:wscale,ts,sack mss:65483 wscale:7,7 "
              "rtt:4.5/2.875 rto:200 cwnd:130971 ssthresh:2147483647 retrans:0 bytes_acked:5 "
              "bytes_received:5");
    Json j;
    j.begin_object();
    socket_json_members(j, conn, Services::load(ATCP_TOOLS_TESTDATA "/services"), true);
    j.end_object();
    EXPECT_EQ(j.text(),
              R"({"proto":"atcp","family":"inet","state":"ESTAB","recv_q":0,"send_q":0,)"
              R"("local":{"address":"127.0.0.1","port":7},"peer":{"address":"127.0.0.1",)"
              R"("port":38766},"inode":5068,"uid":0,"timer":"off","timer_ms":0,)"
              R"("options":["wscale","ts","sack"],"mss":65483,"snd_wscale":7,"rcv_wscale":7,)"
              R"("rtt_us":4500,"rttvar_us":2875,"rto_us":200000,"cwnd":130971,)"
              R"("ssthresh":2147483647,"retransmits":0,"bytes_acked":5,"bytes_received":5})");
}

TEST(Recorded, TheCounters)
{
    auto datagram = hex_file("stats.hex");
    auto msgs = messages(datagram);
    ASSERT_GE(msgs.size(), 1u);
    auto c = parse_stats_message(msgs[0]);
    ASSERT_TRUE(c) << c.error().message;
    // Every counter the recorded module had: those up to the ECN ones.
    for (int mib = 0; mib <= ATCP_MIB_ECN_CWR_SENT; mib++)
        EXPECT_TRUE(c->value[mib]) << counter_name(mib);
    EXPECT_EQ(c->value[ATCP_MIB_PASSIVE_OPENS], 1u);
    EXPECT_EQ(c->value[ATCP_MIB_CURR_ESTAB], 1u);
}

TEST(Recorded, Events)
{
    auto text = read_file(ATCP_TOOLS_TESTDATA "/recorded/events.hex");
    ASSERT_TRUE(text);
    std::vector<uint8_t> kinds;
    for (std::string_view line : split_lines(*text)) {
        std::vector<unsigned char> bytes;
        for (size_t i = 0; i + 1 < line.size(); i += 2)
            bytes.push_back(
                static_cast<unsigned char>(std::stoi(std::string(line.substr(i, 2)), nullptr, 16)));
        auto msgs = messages(bytes);
        ASSERT_EQ(msgs.size(), 1u);
        auto ev = parse_event_message(msgs[0]);
        ASSERT_TRUE(ev) << ev.error().message;
        EXPECT_EQ(ev->sock.local_port, 7);
        kinds.push_back(ev->kind);
    }
    EXPECT_EQ(kinds,
              (std::vector<uint8_t>{ATCP_EVENT_LISTEN, ATCP_EVENT_ESTABLISHED, ATCP_EVENT_CLOSED}));
}

} // namespace
