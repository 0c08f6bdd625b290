// SPDX-License-Identifier: GPL-2.0
// Options, data transfer, receive windows, ACK policy and persist (RFC 9293 3.7-3.8), as traces.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

namespace atcp::test {
namespace {

// Our SYN at virtual time 1 s, with rfc1323 on and off.
constexpr const char* kOurSyn =
    "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>";
constexpr const char* kOurSynNo1323 = "S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK>";

// A peer with window scaling and SACK, no timestamps: segments carry 1460 bytes, our window
// field is scaled by 7 (131072 bytes of buffer are "win 1024").
constexpr const char* kPeerWsSack = "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>";
// A peer offering only its MSS: every window is unscaled, so the fields are exact byte counts.
constexpr const char* kPeerPlain = "S. 0:0(0) ack 1 win 65535 <mss 1460>";

// An active open against a peer answering with synack.
void establish(Harness& h, const char* synack)
{
    h.connect();
    h.out("S 0:0(0) win ... <...>");
    h.in(synack);
    h.out(". 1:1(0) ack 1 win ... <...>");
    h.expect_state(ATCP_ESTABLISHED);
}

// "FLAGS SEQ:END(LEN) REST", for segments written in loops.
std::string seg(const char* flags, uint32_t seq, uint32_t len, const char* rest)
{
    return std::string(flags) + " " + std::to_string(seq) + ":" + std::to_string(seq + len) + "(" +
           std::to_string(len) + ") " + rest;
}

std::string ack_of(uint32_t ack, const char* rest)
{
    return ". 1:1(0) ack " + std::to_string(ack) + " " + rest;
}

struct Carried {
    uint32_t offset;
    uint32_t len;
};

// The segments of the last call carry these send queue ranges (offsets from the queue's head
// after the bytes that call acknowledged are freed).
void expect_carries(const Harness& h, std::vector<Carried> want)
{
    ASSERT_EQ(size_t{h.last().nsegs}, want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(h.last().segs[i].data_offset, want[i].offset) << "segment " << i;
        EXPECT_EQ(h.last().segs[i].data_len, want[i].len) << "segment " << i;
    }
}

// A zero window probe: an old sequence number with no data, as Linux sends, or one new octet,
// as RFC 9293 3.8.6.1 and BSD do.  Either makes the peer answer with its window.
void expect_probe(Harness& h, uint32_t snd_una)
{
    const std::vector<std::string> got = h.drain();
    ASSERT_EQ(got.size(), 1u) << "want one window probe";
    const std::string old_seq = seg(".", snd_una - 1, 0, "ack ... win ... <...>");
    const std::string one_octet = seg("...", snd_una, 1, "ack ... win ... <...>");
    EXPECT_TRUE(matches(old_seq, got[0]) || matches(one_octet, got[0])) << got[0];
}

// Option negotiation (RFC 7323 2.2 and 3.2): WS and TS are each used only if both SYNs carry
// them, never with rfc1323 off.  Each case opens, lets the peer set its window to 3000 (scaled by
// its shift 3 if WS is in use) and sends 2000 bytes: a full segment goes, 12 bytes smaller with
// timestamps (RFC 7323 3, RFC 9293 3.7.1), and Nagle keeps the rest.
struct OpenCase {
    const char* name;
    bool active;
    bool rfc1323;
    const char* peer_syn; // the peer's SYN-ACK (active) or SYN (passive)
    const char* reply;    // our ACK of it (active) or our SYN-ACK (passive)
    const char* peer_ack; // the peer's next segment, win 3000
    bool ws;
    bool ts;
    const char* data; // our first segment
};

constexpr OpenCase kOpenCases[] = {
    {"ActiveBoth", true, true,
     "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 3>",
     ". 1:1(0) ack 1 win 1024 <nop,nop,TS val 1000 ecr 50>",
     ". 1:1(0) ack 1 win 3000 <nop,nop,TS val 51 ecr 1000>", true, true,
     ". 1:1449(1448) ack 1 win 1024 <nop,nop,TS val 1000 ecr 51>"},
    {"ActivePeerWsOnly", true, true, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 3>",
     ". 1:1(0) ack 1 win 1024", ". 1:1(0) ack 1 win 3000", true, false,
     ". 1:1461(1460) ack 1 win 1024"},
    {"ActivePeerTsOnly", true, true,
     "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000>",
     ". 1:1(0) ack 1 win 65535 <nop,nop,TS val 1000 ecr 50>",
     ". 1:1(0) ack 1 win 3000 <nop,nop,TS val 51 ecr 1000>", false, true,
     ". 1:1449(1448) ack 1 win 65535 <nop,nop,TS val 1000 ecr 51>"},
    {"ActivePeerNeither", true, true, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK>",
     ". 1:1(0) ack 1 win 65535", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"ActiveOffPeerBoth", true, false,
     "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 3>",
     ". 1:1(0) ack 1 win 65535", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"ActiveOffPeerWsOnly", true, false, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 3>",
     ". 1:1(0) ack 1 win 65535", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"ActiveOffPeerTsOnly", true, false,
     "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000>", ". 1:1(0) ack 1 win 65535",
     ". 1:1(0) ack 1 win 3000", false, false, ". 1:1461(1460) ack 1 win 65535"},
    {"ActiveOffPeerNeither", true, false, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK>",
     ". 1:1(0) ack 1 win 65535", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"PassiveBoth", false, true, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 3>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 7,nop,wscale 7>",
     ". 1:1(0) ack 1 win 3000 <nop,nop,TS val 8 ecr 1000>", true, true,
     ". 1:1449(1448) ack 1 win 1024 <nop,nop,TS val 1000 ecr 8>"},
    {"PassivePeerWsOnly", false, true, "S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 3>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>", ". 1:1(0) ack 1 win 3000",
     true, false, ". 1:1461(1460) ack 1 win 1024"},
    {"PassivePeerTsOnly", false, true, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 7>",
     ". 1:1(0) ack 1 win 3000 <nop,nop,TS val 8 ecr 1000>", false, true,
     ". 1:1449(1448) ack 1 win 65535 <nop,nop,TS val 1000 ecr 8>"},
    {"PassivePeerNeither", false, true, "S 0:0(0) win 65535 <mss 1460,sackOK>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"PassiveOffPeerBoth", false, false,
     "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 3>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"PassiveOffPeerWsOnly", false, false, "S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 3>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"PassiveOffPeerTsOnly", false, false, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 7 ecr 0>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
    {"PassiveOffPeerNeither", false, false, "S 0:0(0) win 65535 <mss 1460,sackOK>",
     "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>", ". 1:1(0) ack 1 win 3000", false, false,
     ". 1:1461(1460) ack 1 win 65535"},
};

class OptionMatrix : public testing::TestWithParam<OpenCase> {};

TEST_P(OptionMatrix, WsAndTsOnlyWhenBothSynsCarryThem)
{
    const OpenCase& c = GetParam();
    Harness h;
    h.params().rfc1323 = c.rfc1323;
    if (c.active) {
        h.connect();
        h.out(c.rfc1323 ? kOurSyn : kOurSynNo1323);
        h.in(c.peer_syn);
        h.out(c.reply);
    } else {
        h.accept(c.peer_syn);
        h.out(c.reply);
    }
    h.in(c.peer_ack);
    h.no_out();
    h.expect_state(ATCP_ESTABLISHED);
    const atcp_conn_info info = h.info();
    EXPECT_EQ(info.rcv_wscale, c.ws ? 7 : 0);
    EXPECT_EQ(info.snd_wscale, c.ws ? 3 : 0);
    EXPECT_EQ(info.snd_wnd, c.ws ? 3000u << 3 : 3000u);
    EXPECT_EQ(info.timestamps != 0, c.ts);
    EXPECT_EQ(info.snd_mss, c.ts ? 1448u : 1460u);

    h.send(2000);
    h.out(c.data);
    h.no_out();
}

INSTANTIATE_TEST_SUITE_P(Opens, OptionMatrix, testing::ValuesIn(kOpenCases),
                         [](const testing::TestParamInfo<OpenCase>& i) { return i.param.name; });

// tcp(4) TCP_NOOPT: no options in any segment, not even MSS, and so no SACK blocks.
TEST(Options, NoOptSendsNoOptionsAtAll)
{
    Harness h;
    ASSERT_EQ(h.setopt(ATCP_OPTION_NOOPT, 1), 0);
    h.connect();
    h.out("S 0:0(0) win 65535");
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win 65535");
    EXPECT_EQ(h.setopt(ATCP_OPTION_NOOPT, 0), -1); // the SYNs are gone

    h.send(2000);
    h.out(". 1:1461(1460) ack 1 win 65535");
    h.in("P. 1461:2921(1460) ack 1 win 65535");
    h.out(". 1461:1461(0) ack 1 win 65535");
    h.no_out();
}

// TCP_MAXSEG lowers the MSS we announce and the segments we send (tcp(4), tcp(7)); timestamps
// take their 12 bytes from that (RFC 7323 3).
TEST(Options, MaxsegLowersAnnouncedMssAndSegmentSize)
{
    Harness h;
    ASSERT_EQ(h.setopt(ATCP_OPTION_MAXSEG, 1000), 0);
    h.connect();
    h.out("S 0:0(0) win 65535 <mss 1000,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,TS val 1000 ecr 50>");
    h.send(2000);
    h.out(". 1:989(988) ack 1 win 1024 <nop,nop,TS val 1000 ecr 50>");
    h.out(". 989:1977(988) ack 1 win 1024 <nop,nop,TS val 1000 ecr 50>");
    h.no_out();
}

// tcp(4): TCP_MAXSEG can only reduce the MSS, neither above the path's nor above the peer's.
TEST(Options, MaxsegNeverRaisesMss)
{
    Harness h;
    ASSERT_EQ(h.setopt(ATCP_OPTION_MAXSEG, 9000), 0);
    h.connect(1460);
    h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
    h.in("S. 0:0(0) ack 1 win 65535 <mss 9000,sackOK,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win 1024");
    h.send(3000);
    h.out(". 1:1461(1460) ack 1 win 1024");
    h.out(". 1461:2921(1460) ack 1 win 1024");
    h.no_out();

    Harness small;
    ASSERT_EQ(small.setopt(ATCP_OPTION_MAXSEG, 1400), 0);
    small.connect();
    small.out("S 0:0(0) win 65535 <mss 1400,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
    small.in("S. 0:0(0) ack 1 win 65535 <mss 1000,sackOK,nop,wscale 7>");
    small.out(". 1:1(0) ack 1 win 1024");
    small.send(1500);
    small.out(". 1:1001(1000) ack 1 win 1024");
    small.no_out();
}

// RFC 9293 3.7.1: a SYN without MSS means the default send MSS, 536 for IPv4 (mssdflt).
TEST(Options, DefaultMssWhenPeerSendsNone)
{
    Harness h;
    h.connect();
    h.out(kOurSyn);
    h.in("S. 0:0(0) ack 1 win 65535");
    h.out(". 1:1(0) ack 1 win 65535");
    EXPECT_EQ(h.info().snd_mss, 536u);
    h.send(1200);
    h.out(". 1:537(536) ack 1 win 65535");
    h.out(". 537:1073(536) ack 1 win 65535");
    h.no_out();
}

// RFC 9293 3.7.1: 1220 for IPv6 (v6mssdflt), in connections made and accepted alike; until
// connected TCP_MAXSEG reads the family's default.
TEST(Options, DefaultMssOverIpv6)
{
    Harness active;
    active.params().mss_default_v6 = 1000;
    EXPECT_EQ(atcp_engine_getopt(&active.tcb(), ATCP_OPTION_MAXSEG), 536u);
    active.connect(1460, true);
    EXPECT_EQ(atcp_engine_getopt(&active.tcb(), ATCP_OPTION_MAXSEG), 1000u);
    active.out(kOurSyn);
    active.in("S. 0:0(0) ack 1 win 65535");
    active.out(". 1:1(0) ack 1 win 65535");
    EXPECT_EQ(active.info().snd_mss, 1000u);

    Harness passive;
    passive.accept("S 0:0(0) win 65535", 1460, true);
    passive.out("S. 0:0(0) ack 1 win 65535 <mss 1460>");
    passive.in(". 1:1(0) ack 1 win 65535");
    passive.send(1300);
    passive.out(". 1:1221(1220) ack 1 win 65535");
    passive.no_out();
}

// A socket that connects again keeps the parameters it was created with.
TEST(Options, ParametersOutliveAFailedConnect)
{
    Harness h;
    h.params().mss_default = 1000;
    h.connect();
    h.out(kOurSyn);
    h.in("R. 0:0(0) ack 1 win 0");
    h.expect_state(ATCP_CLOSED);
    h.connect();
    h.out(kOurSyn);
    h.in("S. 0:0(0) ack 1 win 65535");
    h.out(". 1:1(0) ack 1 win 65535");
    EXPECT_EQ(h.info().snd_mss, 1000u);
}

// The sysctl sets that default, and timestamps come out of it as out of any MSS.
TEST(Options, MssDefaultParameterOnPassiveOpen)
{
    Harness h;
    h.params().mss_default = 1200;
    h.accept("S 0:0(0) win 65535 <sackOK,TS val 7 ecr 0>");
    h.out("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 7>");
    h.in(". 1:1(0) ack 1 win 65535 <nop,nop,TS val 8 ecr 1000>");
    h.send(1300);
    h.out(". 1:1189(1188) ack 1 win 65535 <nop,nop,TS val 1000 ecr 8>");
    h.no_out();
}

// Segments of at most snd_mss carry consecutive send queue ranges; PSH marks the one that empties
// the queue; offsets count from the queue's head after this call's acknowledged bytes are freed.
TEST(DataTransfer, SegmentsCarrySendQueueOffsets)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.send(4380);
    h.out(". 1:1461(1460) ack 1 win 1024");
    h.out(". 1461:2921(1460) ack 1 win 1024");
    h.out("P. 2921:4381(1460) ack 1 win 1024");
    h.no_out();
    expect_carries(h, {{0, 1460}, {1460, 1460}, {2920, 1460}});

    h.in(". 1:1(0) ack 1461 win 512");
    EXPECT_EQ(h.last().acked, 1460u);
    h.send(2920);
    h.out(". 4381:5841(1460) ack 1 win 1024");
    h.out("P. 5841:7301(1460) ack 1 win 1024");
    h.no_out();
    expect_carries(h, {{2920, 1460}, {4380, 1460}});
}

TEST(DataTransfer, AcksFreeTheSendQueue)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.send(2920);
    h.out(". 1:1461(1460) ack 1 win 1024");
    h.out("P. 1461:2921(1460) ack 1 win 1024");
    h.in(". 1:1(0) ack 1001 win 512");
    EXPECT_EQ(h.acked(), 1000u);
    EXPECT_TRUE(h.last().wake & ATCP_WAKE_WRITE);
    h.in(". 1:1(0) ack 1001 win 512"); // a duplicate frees nothing
    EXPECT_EQ(h.last().acked, 0u);
    h.in(". 1:1(0) ack 2921 win 512");
    EXPECT_EQ(h.last().acked, 1920u);
    EXPECT_EQ(h.acked(), 2920u);
    EXPECT_EQ(h.info().unacked, 0u);
    h.no_out();
}

// The send window is the peer's field shifted by its scale (RFC 7323 2.3), and the sender does
// not fill its tail with a small segment (RFC 9293 3.8.6.2.1).
TEST(DataTransfer, SendWindowIsPeerWindowTimesScale)
{
    Harness h;
    establish(h, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 3>");
    h.in(". 1:1(0) ack 1 win 500"); // 4000 bytes
    h.send(10000);
    h.out(". 1:1461(1460) ack 1 win 1024");
    h.out(". 1461:2921(1460) ack 1 win 1024");
    h.no_out();
    h.in(". 1:1(0) ack 1461 win 500");
    h.out(". 2921:4381(1460) ack 1 win 1024");
    h.no_out();
    h.in(". 1:1(0) ack 4381 win 500");
    h.out(". 4381:5841(1460) ack 1 win 1024");
    h.out(". 5841:7301(1460) ack 1 win 1024");
    h.no_out();
    expect_carries(h, {{0, 1460}, {1460, 1460}});
}

// RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)); then slow start adds min(acked, SMSS) per ACK
// (RFC 5681 3.1).
TEST(DataTransfer, InitialWindowIsTenSegments)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1(0) ack 1 win 1024"); // 128 KB
    h.send(30000);
    for (uint32_t i = 0; i < 10; ++i)
        h.out(seg(".", 1 + i * 1460, 1460, "ack 1 win 1024"));
    h.no_out();
    h.in(". 1:1(0) ack 1461 win 1024");
    h.out(". 14601:16061(1460) ack 1 win 1024");
    h.out(". 16061:17521(1460) ack 1 win 1024");
    h.no_out();
}

TEST(DataTransfer, InitialWindowOfLargeSegmentsIsTwo)
{
    Harness h;
    h.connect(9000);
    h.out("S 0:0(0) win 65535 <mss 9000,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
    h.in("S. 0:0(0) ack 1 win 65535 <mss 8960,sackOK,nop,wscale 7>");
    h.out(". 1:1(0) ack 1 win 1024");
    h.in(". 1:1(0) ack 1 win 1024");
    h.send(100000);
    h.out(". 1:8961(8960) ack 1 win 1024");
    h.out(". 8961:17921(8960) ack 1 win 1024"); // max(2*MSS, 14600) = 2 segments
    h.no_out();
}

TEST(DataTransfer, InitialWindowOfSmallSegmentsIsTenOfThem)
{
    Harness h;
    establish(h, "S. 0:0(0) ack 1 win 65535 <sackOK,nop,wscale 7>"); // MSS 536
    h.in(". 1:1(0) ack 1 win 1024");
    h.send(30000);
    for (uint32_t i = 0; i < 10; ++i)
        h.out(seg(".", 1 + i * 536, 536, "ack 1 win 1024"));
    h.no_out();
}

// RFC 5681 4.1: after an idle period longer than the RTO, at most the restart window,
// min(IW, cwnd), goes out before new ACKs clock more.
TEST(DataTransfer, RestartWindowAfterIdle)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1(0) ack 1 win 1024");
    h.send(14600);
    for (uint32_t i = 1; i <= 10; ++i) {
        h.out(seg(i == 10 ? "P." : ".", 1 + (i - 1) * 1460, 1460, "ack 1 win 1024"));
        h.in(ack_of(1 + i * 1460, "win 1024"));
    }
    h.no_out();
    EXPECT_EQ(h.info().snd_cwnd, 20u * 1460);
    h.advance_ms(1000);
    h.send(30000);
    for (uint32_t i = 0; i < 10; ++i)
        h.out(seg(".", 14601 + i * 1460, 1460, "ack 1 win 1024"));
    h.no_out();
}

// A peer with 1460-byte segments and no window scale: our window fields are byte counts.  The
// buffer is 8192 bytes; it fills to a zero window, the right edge staying at 8193.
void fill_8k_buffer(Harness& h)
{
    ASSERT_EQ(h.setopt(ATCP_OPTION_RCVBUF, 8192), 0);
    h.connect();
    h.out("S 0:0(0) win 8192 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
    h.in(kPeerPlain);
    h.out(". 1:1(0) ack 1 win 8192");
    h.in(". 1:1461(1460) ack 1 win 65535");
    h.no_out();
    h.in(". 1461:2921(1460) ack 1 win 65535");
    h.out(". 1:1(0) ack 2921 win 5272");
    h.in(". 2921:4381(1460) ack 1 win 65535");
    h.in(". 4381:5841(1460) ack 1 win 65535");
    h.out(". 1:1(0) ack 5841 win 2352");
    h.in(". 5841:7301(1460) ack 1 win 65535");
    h.in("P. 7301:8193(892) ack 1 win 65535");
    h.out(". 1:1(0) ack 8193 win 0");
    h.no_out();
    EXPECT_EQ(h.delivered(), 8192u);
}

// RFC 9293 3.10.7.4: a zero window accepts no data, and the segment is answered with an ACK.
TEST(Receive, ZeroWindowTakesNoData)
{
    Harness h;
    fill_8k_buffer(h);
    h.in(". 8193:8194(1) ack 1 win 65535");
    EXPECT_EQ(h.last().deliver_len, 0u);
    EXPECT_EQ(h.last().hold_len, 0u);
    h.out(". 1:1(0) ack 8193 win 0");
    h.no_out();
    EXPECT_EQ(h.delivered(), 8192u);
}

TEST(Receive, InOrderDataIsDelivered)
{
    Harness h;
    establish(h, kPeerPlain);
    h.in("P. 1:1001(1000) ack 1 win 65535");
    EXPECT_EQ(h.last().deliver_offset, 0u);
    EXPECT_EQ(h.last().deliver_len, 1000u);
    EXPECT_EQ(h.last().hold_len, 0u);
    EXPECT_TRUE(h.last().wake & ATCP_WAKE_READ);
    // A retransmission overlapping what we have: only its new part is appended.
    h.in("P. 501:1501(1000) ack 1 win 65535");
    EXPECT_EQ(h.last().deliver_offset, 500u);
    EXPECT_EQ(h.last().deliver_len, 500u);
    EXPECT_EQ(h.delivered(), 1500u);
    h.out(". 1:1(0) ack 1501 win 65535");
    h.no_out();
}

TEST(Receive, WindowShrinksAsDataQueues)
{
    Harness h;
    fill_8k_buffer(h);
}

// Receiver SWS avoidance (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3): the window opens only once it
// can move by min(RCV.BUFF/2, MSS), here 1460.
TEST(Receive, SmallReadsDoNotReopenTheWindow)
{
    Harness h;
    fill_8k_buffer(h);
    h.consumed(1000);
    h.no_out();
    h.consumed(459);
    h.no_out();
    h.advance_ms(100);
    h.no_out();
}

// Receiver SWS avoidance again: unscaled, the window field says at most 65535, so with a larger
// buffer a read frees room no segment could announce; it is no reason for a window update (a
// peer's packetdrill script saw one after a 10-byte read).
TEST(Receive, NoWindowUpdateBeyondWhatTheFieldCanSay)
{
    Harness h;
    ASSERT_EQ(h.setopt(ATCP_OPTION_RCVBUF, 262144), 0);
    establish(h, kPeerPlain);
    h.in(". 1:1461(1460) ack 1 win 65535");
    h.in(". 1461:2921(1460) ack 1 win 65535");
    h.out(". 1:1(0) ack 2921 win 65535");
    h.consumed(10);
    h.no_out();
    h.consumed(2910);
    h.no_out();
    h.advance_ms(100);
    h.no_out();
}

TEST(Receive, WindowUpdateOnceItReopensByOneMss)
{
    Harness h;
    fill_8k_buffer(h);
    h.consumed(1460);
    h.out(". 1:1(0) ack 8193 win 1460");
    h.no_out();
}

TEST(Receive, WindowUpdateAtHalfASmallBuffer)
{
    Harness h;
    ASSERT_EQ(h.setopt(ATCP_OPTION_RCVBUF, 2048), 0);
    h.connect();
    h.out("S 0:0(0) win 2048 <...>");
    h.in(kPeerPlain);
    h.out(". 1:1(0) ack 1 win 2048");
    h.in(". 1:1461(1460) ack 1 win 65535");
    h.in("P. 1461:2049(588) ack 1 win 65535");
    h.out(". 1:1(0) ack 2049 win 0");
    h.consumed(1023);
    h.no_out();
    h.consumed(1); // min(2048/2, 1460) = 1024
    h.out(". 1:1(0) ack 2049 win 1024");
    h.no_out();
}

TEST(Receive, FullReadReopensTheWholeWindow)
{
    Harness h;
    fill_8k_buffer(h);
    h.consumed(8192);
    h.out(". 1:1(0) ack 8193 win 8192");
    h.no_out();
}

// The right edge of an advertised window never moves left (RFC 9293 3.8.6, RFC 7323 2.4), not
// even when the buffer shrinks under it.
TEST(Receive, RightEdgeNeverShrinks)
{
    Harness h;
    ASSERT_EQ(h.setopt(ATCP_OPTION_RCVBUF, 8192), 0);
    h.connect();
    h.out("S 0:0(0) win 8192 <...>");
    h.in(kPeerPlain);
    h.out(". 1:1(0) ack 1 win 8192");
    ASSERT_EQ(h.setopt(ATCP_OPTION_RCVBUF, 4096), 0);
    h.in(". 1:1461(1460) ack 1 win 65535");
    h.in(". 1461:2921(1460) ack 1 win 65535");
    h.out(". 1:1(0) ack 2921 win 5272");
    h.consumed(2920); // 4096 free reaches only to 7017, short of the edge at 8193
    h.no_out();
}

// With a window scale, the field is rounded up rather than let the right edge (131073) recede.
TEST(Receive, ScaledWindowKeepsTheRightEdge)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1461(1460) ack 1 win 512");
    h.in(". 1461:2921(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 2921 win 1002");
    h.no_out();
}

// RFC 5681 4.2, RFC 1122 4.2.3.2: an ACK for at least every second full-sized segment.
TEST(DelayedAck, EverySecondFullSegment)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1461(1460) ack 1 win 512");
    h.no_out();
    h.in(". 1461:2921(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 2921 win ...");
    h.in(". 2921:4381(1460) ack 1 win 512");
    h.no_out();
    h.in(". 4381:5841(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 5841 win ...");
    h.no_out();
}

TEST(DelayedAck, LoneSegmentAckedAfterDelackMs)
{
    Harness h;
    h.params().delack_ms = 100;
    establish(h, kPeerWsSack);
    h.in("P. 1:101(100) ack 1 win 512");
    h.no_out();
    h.advance_ms(99);
    h.no_out();
    h.advance_ms(1);
    h.out(". 1:1(0) ack 101 win 1024");
    h.no_out();
}

// RFC 5681 4.2: out-of-order data is acknowledged at once.
TEST(DelayedAck, ImmediateOnOutOfOrderData)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1461:2921(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {1461:2921}>");
    h.no_out();
}

// RFC 5681 4.2: a segment that fills all of a gap is acknowledged at once.
TEST(DelayedAck, ImmediateOnGapFill)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1461:2921(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <...>");
    h.in(". 1:1461(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 2921 win ...");
    h.no_out();
}

// RFC 5681 4.2: "... fills in all or part of a gap": part is enough.
TEST(DelayedAck, ImmediateOnPartialGapFill)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 2921:4381(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {2921:4381}>");
    h.in(". 1:1461(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1461 win ... <nop,nop,sack 1 {2921:4381}>");
    h.no_out();
}

// RFC 9293 3.10.7.4, eighth: a FIN is acknowledged at once.
TEST(DelayedAck, ImmediateOnFin)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in("FP. 1:101(100) ack 1 win 512");
    h.out(". 1:1(0) ack 102 win ...");
    h.no_out();
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_EOF);
    h.expect_state(ATCP_CLOSE_WAIT);
}

// Held data is reported to the caller, merged with neighbours, SACKed (RFC 2018) and drained in
// order once the gap fills.
TEST(OutOfOrder, HeldMergedAndDrained)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1461:2921(1460) ack 1 win 512");
    EXPECT_EQ(h.last().deliver_len, 0u);
    EXPECT_EQ(h.last().hold_offset, 0u);
    EXPECT_EQ(h.last().hold_len, 1460u);
    EXPECT_EQ(h.last().hold_seq, Harness::kPeerIsn + 1461);
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {1461:2921}>");

    h.in(". 2921:4381(1460) ack 1 win 512");
    EXPECT_EQ(h.last().hold_len, 1460u);
    EXPECT_EQ(h.last().hold_seq, Harness::kPeerIsn + 2921);
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {1461:4381}>");

    h.in(". 1:1461(1460) ack 1 win 512");
    EXPECT_EQ(h.last().deliver_offset, 0u);
    EXPECT_EQ(h.last().deliver_len, 1460u);
    EXPECT_EQ(h.last().drain, 1);
    EXPECT_EQ(h.last().drain_to, Harness::kPeerIsn + 4381);
    h.out(". 1:1(0) ack 4381 win ...");
    h.no_out();
}

// RFC 9293 3.10.7.4, eighth: a FIN beyond a gap takes effect once the gap fills.
TEST(OutOfOrder, FinBeyondAGapTakesEffectWhenTheGapFills)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in("FP. 1461:2921(1460) ack 1 win 512");
    EXPECT_EQ(h.last().hold_len, 1460u);
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {1461:2921}>");
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_FALSE(h.wakes() & ATCP_WAKE_EOF);
    h.in(". 1:1461(1460) ack 1 win 512");
    EXPECT_EQ(h.last().drain_to, Harness::kPeerIsn + 2921);
    h.out(". 1:1(0) ack 2922 win ...");
    h.no_out();
    h.expect_state(ATCP_CLOSE_WAIT);
    EXPECT_TRUE(h.wakes() & ATCP_WAKE_EOF);
}

// Without the peer's SACK-permitted there are no SACK blocks (RFC 2018 2).
TEST(OutOfOrder, NoSackBlocksWithoutSackPermitted)
{
    Harness h;
    establish(h, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>");
    h.in(". 1461:2921(1460) ack 1 win 512");
    EXPECT_EQ(h.last().hold_len, 1460u);
    h.out(". 1:1(0) ack 1 win 1024");
    h.no_out();
}

// RFC 2018 4: the first block holds the segment that triggered the ACK.
TEST(OutOfOrder, SackBlockOfTheNewestSegmentFirst)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 5841:7301(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {5841:7301}>");
    h.in(". 2921:4381(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 2 {2921:4381}{5841:7301}>");
    h.in(". 8761:10221(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 3 {8761:10221}{2921:4381}{5841:7301}>");
    h.in(". 4381:5841(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 2 {2921:7301}{8761:10221}>");
    h.no_out();
}

// RFC 2018 4: after the first block, the most recently reported blocks, newest first.
TEST(OutOfOrder, SackRepeatsMostRecentlyReportedBlocks)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 2921:4381(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {2921:4381}>");
    h.in(". 5841:7301(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 2 {5841:7301}{2921:4381}>");
    h.in(". 8761:10221(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 3 {8761:10221}{5841:7301}{2921:4381}>");
    h.no_out();
}

// RFC 2883 4: a duplicate segment is reported in the first SACK block of the ACK it provokes, and
// only there (a peer's packetdrill script found no D-SACK at all).
TEST(Dsack, OldDuplicateFirstBlockOnce)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1461(1460) ack 1 win 512");
    h.in(". 1461:2921(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 2921 win ...");
    h.in(". 1:1461(1460) ack 1 win 512");
    EXPECT_EQ(h.last().deliver_len, 0u);
    h.out(". 1:1(0) ack 2921 win ... <nop,nop,sack 1 {1:1461}>");
    h.no_out();
    h.in(". 2921:4381(1460) ack 1 win 512");
    h.in(". 4381:5841(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 5841 win ...");
    h.no_out();
}

// RFC 2883 4.1.1: a segment partly below RCV.NXT reports the duplicate part; its new part is
// delivered.
TEST(Dsack, PartialDuplicateReportsTheOldPart)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1461(1460) ack 1 win 512");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 1461 win ...");
    h.in(". 731:2191(1460) ack 1 win 512");
    EXPECT_EQ(h.last().deliver_len, 730u);
    h.out(". 1:1(0) ack 2191 win ... <nop,nop,sack 1 {731:1461}>");
    h.no_out();
}

// RFC 2883 4.2.1: with data held out of order, the D-SACK block comes first and the SACK
// blocks follow it.
TEST(Dsack, BeforeTheSackBlocks)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1461(1460) ack 1 win 512");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 1461 win ...");
    h.in(". 2921:4381(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1461 win ... <nop,nop,sack 1 {2921:4381}>");
    h.in(". 1:1461(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1461 win ... <nop,nop,sack 2 {1:1461}{2921:4381}>");
    h.no_out();
}

// RFC 2883 needs SACK-permitted as RFC 2018 does: without it a duplicate gets a plain ACK.
TEST(Dsack, NoneWithoutSackPermitted)
{
    Harness h;
    establish(h, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>");
    h.in(". 1:1461(1460) ack 1 win 512");
    h.advance_ms(h.params().delack_ms);
    h.out(". 1:1(0) ack 1461 win ...");
    h.in(". 1:1461(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1461 win ...");
    h.no_out();
}

// params().ooo_max bounds the ranges held: data needing another range is dropped, data that
// extends a held range is still taken.
TEST(OutOfOrder, OooMaxDropsDataNeedingANewRange)
{
    Harness h;
    h.params().ooo_max = 2;
    establish(h, kPeerWsSack);
    h.in(". 2921:4381(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 1 {2921:4381}>");
    h.in(". 5841:7301(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 2 {5841:7301}{2921:4381}>");
    h.in(". 8761:10221(1460) ack 1 win 512");
    EXPECT_EQ(h.last().hold_len, 0u);
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 2 {5841:7301}{2921:4381}>");
    h.in(". 7301:8761(1460) ack 1 win 512");
    EXPECT_EQ(h.last().hold_len, 1460u);
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 2 {5841:8761}{2921:4381}>");
    h.in(". 1461:2921(1460) ack 1 win 512");
    h.out(". 1:1(0) ack 1 win 1024 <nop,nop,sack 2 {1461:4381}{5841:8761}>");
    h.in(". 1:1461(1460) ack 1 win 512");
    EXPECT_EQ(h.last().deliver_len, 1460u);
    EXPECT_EQ(h.last().drain_to, Harness::kPeerIsn + 4381);
    h.out(". 1:1(0) ack 4381 win ... <nop,nop,sack 1 {5841:8761}>");
    h.no_out();
}

// Nagle (RFC 896, RFC 1122 4.2.3.4): while data is unacknowledged a small segment waits, but a
// full-sized one goes.
TEST(Nagle, SecondSmallWriteWaitsForTheAck)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 1024");
    h.send(100);
    h.no_out();
    h.in(". 1:1(0) ack 101 win 512");
    h.out("P. 101:201(100) ack 1 win 1024");
    h.no_out();
}

TEST(Nagle, FullSegmentsGoWhileASmallOneIsOutstanding)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 1024");
    h.send(3000);
    h.out(". 101:1561(1460) ack 1 win 1024");
    h.out(". 1561:3021(1460) ack 1 win 1024");
    h.no_out();
    h.in(". 1:1(0) ack 3021 win 512");
    h.out("P. 3021:3101(80) ack 1 win 1024");
    h.no_out();
}

TEST(Nagle, NoDelaySendsAtOnce)
{
    Harness h;
    establish(h, kPeerWsSack);
    ASSERT_EQ(h.setopt(ATCP_OPTION_NODELAY, 1), 0);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 1024");
    h.send(100);
    h.out("P. 101:201(100) ack 1 win 1024");
    h.no_out();
}

// tcp(7) TCP_NODELAY: "setting this option forces an explicit flush of pending output".
TEST(Nagle, SettingNoDelayFlushes)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 1024");
    h.send(100);
    h.no_out();
    ASSERT_EQ(h.setopt(ATCP_OPTION_NODELAY, 1), 0);
    h.out("P. 101:201(100) ack 1 win 1024");
    h.no_out();
}

// tcp(4) TCP_NOPUSH: full segments go, a partial one waits until the option is cleared or the
// connection closes.
TEST(NoPush, HoldsPartialSegmentUntilCleared)
{
    Harness h;
    establish(h, kPeerWsSack);
    ASSERT_EQ(h.setopt(ATCP_OPTION_NOPUSH, 1), 0);
    h.send(100);
    h.no_out();
    h.send(3000);
    h.out(". 1:1461(1460) ack 1 win 1024");
    h.out(". 1461:2921(1460) ack 1 win 1024");
    h.no_out();
    h.in(". 1:1(0) ack 2921 win 512");
    h.no_out();
    ASSERT_EQ(h.setopt(ATCP_OPTION_NOPUSH, 0), 0);
    h.out("P. 2921:3101(180) ack 1 win 1024");
    h.no_out();
}

TEST(NoPush, CloseSendsHeldDataWithTheFin)
{
    Harness h;
    establish(h, kPeerWsSack);
    ASSERT_EQ(h.setopt(ATCP_OPTION_NOPUSH, 1), 0);
    h.send(100);
    h.no_out();
    h.close();
    h.out("FP. 1:101(100) ack 1 win 1024");
    h.no_out();
}

// tcp(7) TCP_CORK: "All queued partial frames are sent when the option is cleared again", even
// with full segments unacknowledged.
TEST(Cork, UncorkFlushesThePartialSegment)
{
    Harness h;
    establish(h, kPeerWsSack);
    ASSERT_EQ(h.setopt(ATCP_OPTION_CORK, 1), 0);
    h.send(100);
    h.no_out();
    h.send(2000);
    h.out(". 1:1461(1460) ack 1 win 1024");
    h.no_out();
    ASSERT_EQ(h.setopt(ATCP_OPTION_CORK, 0), 0);
    h.out("P. 1461:2101(640) ack 1 win 1024");
    h.no_out();
}

TEST(Cork, UncorkWhenIdleSends)
{
    Harness h;
    establish(h, kPeerWsSack);
    ASSERT_EQ(h.setopt(ATCP_OPTION_CORK, 1), 0);
    h.send(100);
    h.no_out();
    ASSERT_EQ(h.setopt(ATCP_OPTION_CORK, 0), 0);
    h.out("P. 1:101(100) ack 1 win 1024");
    h.no_out();
}

// tcp(7): "there is a 200 millisecond ceiling on the time for which output is corked".
TEST(Cork, CorkedDataGoesWithin200Ms)
{
    Harness h;
    establish(h, kPeerWsSack);
    ASSERT_EQ(h.setopt(ATCP_OPTION_CORK, 1), 0);
    h.send(100);
    h.no_out();
    h.advance_ms(200);
    h.out("P. 1:101(100) ack 1 win 1024");
    h.no_out();
}

// RFC 1122 4.2.2.17, RFC 9293 3.8.6.1: with a zero window, probes go out from one RTO on with
// exponential backoff (capped at rto_max), for as long as the peer answers them; the data goes
// when the window opens.
TEST(Persist, ZeroWindowProbesBackOffWhileThePeerAnswers)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.in(". 1:1(0) ack 1 win 0");
    h.send(1000);
    h.no_out();
    uint64_t interval_ms = h.info().rto_us / 1000;
    ASSERT_GT(interval_ms, 1u);
    for (int probe = 0; probe < 20; ++probe) {
        SCOPED_TRACE("probe " + std::to_string(probe));
        h.advance_ms(interval_ms - 1);
        h.no_out();
        h.advance_ms(1);
        expect_probe(h, 1);
        h.in(". 1:1(0) ack 1 win 0");
        h.no_out();
        interval_ms = std::min<uint64_t>(interval_ms * 2, h.params().rto_max_ms);
    }
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_EQ(h.error(), ATCP_ERR_NONE);

    h.in(". 1:1(0) ack 1 win 512");
    h.out("P. 1:1001(1000) ack 1 win 1024");
    h.no_out();
}

TEST(Persist, WindowUpdateResumesSending)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 1024");
    h.in(". 1:1(0) ack 101 win 0");
    h.send(3000);
    h.no_out();
    h.in(". 1:1(0) ack 101 win 512");
    h.out(". 101:1561(1460) ack 1 win 1024");
    h.out(". 1561:3021(1460) ack 1 win 1024");
    h.no_out(); // Nagle keeps the last 80 bytes
}

// RFC 9293 3.8.6: a sender "MUST be robust against window shrinking", "SHOULD NOT time out the
// connection if data beyond the right window edge is not acknowledged", and for a window shrunk
// to zero "MUST probe it in the standard way": every timeout puts a probe (or a retransmission)
// on the wire for the peer to answer.
TEST(Persist, WindowShrunkToZeroIsProbed)
{
    Harness h;
    establish(h, kPeerWsSack);
    h.send(2920);
    h.out(". 1:1461(1460) ack 1 win 1024");
    h.out("P. 1461:2921(1460) ack 1 win 1024");
    h.in(". 1:1(0) ack 1461 win 0");
    h.no_out();
    for (int round = 0; round < 20; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        h.fire_deadline();
        const std::vector<std::string> got = h.drain();
        ASSERT_EQ(got.size(), 1u) << "want a probe or a retransmission";
        EXPECT_TRUE(matches(". 1460:1460(0) ack 1 win 1024", got[0]) ||
                    matches("... 1461:1462(1) ack 1 win 1024", got[0]) ||
                    matches("... 1461:2921(1460) ack 1 win 1024", got[0]))
            << got[0];
        h.in(". 1:1(0) ack 1461 win 0");
    }
    h.expect_state(ATCP_ESTABLISHED);
    EXPECT_EQ(h.error(), ATCP_ERR_NONE);
}

// RFC 9293 3.8.6.2.1: a window too small to be worth a segment is used once the override
// timeout (0.1 to 1 s) runs out; probing an open window would only return the same window.
TEST(Persist, SmallWindowUsedAfterOverrideTimeout)
{
    Harness h;
    establish(h, kPeerPlain);
    h.in(". 1:1(0) ack 1 win 1000");
    h.send(3000);
    h.no_out(); // 1000 is less than half the largest window, 65535
    h.advance_ms(1000);
    h.out(". 1:1001(1000) ack 1 win 65535");
}

// 1 MB to a peer acknowledging every segment, ms_per_ack apart: each byte goes once, in order,
// from the right send queue offset, and nothing is retransmitted.  With timestamps the peer
// echoes the TS val of the segment it acknowledges (RFC 7323 4.3).
void transfer_1mb(const char* synack, bool timestamps, uint64_t ms_per_ack)
{
    constexpr uint32_t kTotal = 1u << 20;
    Harness h;
    establish(h, synack);
    h.send(kTotal);

    struct Sent {
        uint32_t end;
        uint32_t ts_val;
    };
    std::deque<Sent> unacked;
    uint32_t next = 1;
    auto check_sent = [&] {
        for (const std::string& s : h.drain()) {
            uint32_t start = 0, end = 0, len = 0, ts_val = 0;
            ASSERT_EQ(std::sscanf(s.c_str(), "%*s %u:%u(%u)", &start, &end, &len), 3) << s;
            ASSERT_EQ(start, next) << s;
            ASSERT_GT(len, 0u) << s;
            ASSERT_LE(len, timestamps ? 1448u : 1460u) << s;
            EXPECT_EQ(s.starts_with("P."), end == kTotal + 1) << s;
            const size_t ts = s.find("TS val ");
            ASSERT_EQ(ts != std::string::npos, timestamps) << s;
            if (timestamps) {
                ASSERT_EQ(std::sscanf(s.c_str() + ts, "TS val %u", &ts_val), 1) << s;
            }
            next = end;
            unacked.push_back({end, ts_val});
        }
        for (uint8_t i = 0; i < h.last().nsegs; ++i) {
            const atcp_out_segment& o = h.last().segs[i];
            EXPECT_EQ(o.data_offset, o.hdr.seq - h.iss() - 1 - h.acked());
        }
    };
    check_sent();
    for (uint32_t peer_ts = 100; !unacked.empty() && !testing::Test::HasFatalFailure(); ++peer_ts) {
        h.advance_ms(ms_per_ack);
        const Sent acked = unacked.front();
        unacked.pop_front();
        const std::string ts = " <nop,nop,TS val " + std::to_string(peer_ts) + " ecr " +
                               std::to_string(acked.ts_val) + ">";
        h.in(ack_of(acked.end, "win 1024") + (timestamps ? ts : ""));
        check_sent();
    }
    EXPECT_EQ(next, kTotal + 1);
    EXPECT_EQ(h.acked(), kTotal);
    EXPECT_EQ(h.mib().retrans_segs, 0);
}

TEST(LongTransfer, OneMegabyteEveryByteOnceInOrder)
{
    transfer_1mb(kPeerWsSack, false, 0);
}

TEST(LongTransfer, OneMegabyteWithTimestampsAndAMillisecondPerAck)
{
    transfer_1mb("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 50 ecr 1000,nop,wscale 7>",
                 true, 1);
}

// The dump reports the timer due next and when: retransmission while data is out, the persist
// probe against a zero window, nothing once everything is acknowledged.
TEST(Info, ReportsTheTimerDueNext)
{
    Harness h;
    establish(h, kPeerWsSack);
    EXPECT_EQ(h.info().timer, ATCP_TIMER_NONE);
    h.send(100);
    h.out("P. 1:101(100) ack 1 win 1024");
    // The peer SACKs: the loss probe, due with the RTO, goes in its place.
    EXPECT_EQ(h.info().timer, ATCP_TIMER_LOSS_PROBE);
    EXPECT_EQ(h.info().timer_in_us, h.info().rto_us);
    h.advance_ms(10);
    EXPECT_EQ(h.info().timer_in_us, h.info().rto_us - 10000);
    h.in(". 1:1(0) ack 101 win 0");
    h.send(100);
    EXPECT_EQ(h.info().timer, ATCP_TIMER_PERSIST);
    h.in(". 1:1(0) ack 101 win 512");
    h.out("P. 101:201(100) ack 1 win 1024");
    h.in(". 1:1(0) ack 201 win 512");
    EXPECT_EQ(h.info().timer, ATCP_TIMER_NONE);
    EXPECT_EQ(h.info().timer_in_us, 0u);
}

} // namespace
} // namespace atcp::test
