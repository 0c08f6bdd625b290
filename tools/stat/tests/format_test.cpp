// SPDX-License-Identifier: GPL-2.0
// How endpoints, the extended figures and the ps columns print.
#include "format.h"
#include "socket_view.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace {

using namespace atcp_tools;

Services services()
{
    return Services::load(ATCP_TOOLS_TESTDATA "/services");
}

Address v4(const char* text)
{
    Address a;
    a.family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text, a.bytes.data()), 1) << text;
    return a;
}

Address v6(const char* text)
{
    Address a;
    a.family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text, a.bytes.data()), 1) << text;
    return a;
}

SockRecord sock(uint8_t state, const char* local, uint16_t lport, const char* remote = "0.0.0.0",
                uint16_t rport = 0)
{
    SockRecord r;
    r.state = state;
    r.local = v4(local);
    r.local_port = lport;
    r.remote = v4(remote);
    r.remote_port = rport;
    return r;
}

TEST(Format, PortsAsServiceNamesOrNumbers)
{
    Services s = services();
    EXPECT_EQ(port_text(80, s, false), "http");
    EXPECT_EQ(port_text(80, s, true), "80");
    EXPECT_EQ(port_text(7007, s, false), "7007");
    EXPECT_EQ(port_text(0, s, false), "*");
}

TEST(Format, EndpointsInSsNotation)
{
    Services s = services();
    EXPECT_EQ(endpoint_text(v4("127.0.0.1"), 8080, s, false), "127.0.0.1:http-alt");
    EXPECT_EQ(endpoint_text(v4("127.0.0.1"), 8080, s, true), "127.0.0.1:8080");
    EXPECT_EQ(endpoint_text(v4("0.0.0.0"), 0, s, false), "0.0.0.0:*");
    EXPECT_EQ(endpoint_text(v6("::1"), 443, s, false), "[::1]:https");
    EXPECT_EQ(endpoint_text(v6("fe80::1"), 5000, s, true), "[fe80::1]:5000");
}

TEST(Format, ListenersKeepTheNumberBesideTheName)
{
    Services s = services();
    EXPECT_EQ(listener_text(v4("0.0.0.0"), 80, s, false), "*:80(http)");
    EXPECT_EQ(listener_text(v4("0.0.0.0"), 80, s, true), "*:80");
    EXPECT_EQ(listener_text(v4("127.0.0.1"), 7007, s, false), "127.0.0.1:7007");
    EXPECT_EQ(listener_text(v6("::"), 22, s, false), "*:22(ssh)");
}

TEST(Format, EndpointsSummaryListsListenersAndCountsTheRest)
{
    Services s = services();
    SockRecord l80 = sock(ATCP_LISTEN, "0.0.0.0", 80), l22 = sock(ATCP_LISTEN, "127.0.0.1", 22);
    SockRecord e1 = sock(ATCP_ESTABLISHED, "127.0.0.1", 80, "127.0.0.1", 40000);
    SockRecord e2 = e1, e3 = e1, cw = e1;
    cw.state = ATCP_CLOSE_WAIT;
    EXPECT_EQ(endpoints_summary({&l80, &e1, &cw, &e2, &l22, &e3}, s, false),
              "LISTEN 127.0.0.1:22(ssh), LISTEN *:80(http), ESTAB 3, CLOSE-WAIT 1");
    EXPECT_EQ(endpoints_summary({&e1}, s, false), "ESTAB 1");
    EXPECT_EQ(endpoints_summary({}, s, false), "-");
}

TEST(Format, MillisecondsFromMicroseconds)
{
    EXPECT_EQ(ms_text(0), "0");
    EXPECT_EQ(ms_text(1500), "1.5");
    EXPECT_EQ(ms_text(204000), "204");
    EXPECT_EQ(ms_text(123), "0.123");
    EXPECT_EQ(ms_text(10), "0.01");
}

// A connection's record with every figure an older module sent.
SockRecord older_module_record()
{
    SockRecord r = sock(ATCP_ESTABLISHED, "127.0.0.1", 7007, "127.0.0.1", 40000);
    r.uid = 1000;
    r.inode = 5001;
    r.options = ATCP_SOCKOPT_TIMESTAMPS | ATCP_SOCKOPT_SACK;
    r.mss = 1448;
    r.rtt_us = 1500;
    r.rttvar_us = 750;
    r.rto_us = 204000;
    r.cwnd = 14480;
    r.ssthresh = 65535;
    r.retransmits = 2;
    r.bytes_acked = 1 << 20;
    r.bytes_received = 42;
    for (int a = ATCP_A_SOCK_FAMILY; a <= ATCP_A_SOCK_BYTES_RECEIVED; a++)
        r.present.set(a);
    return r;
}

TEST(Format, ExtendedShowsWhatTheModuleSent)
{
    EXPECT_EQ(extended_text(sock(ATCP_ESTABLISHED, "127.0.0.1", 7007, "127.0.0.1", 40000)), "");
    SockRecord r = older_module_record();
    r.timer = ATCP_TIMER_RETRANSMIT;
    r.timer_ms = 200;
    r.options |= ATCP_SOCKOPT_NODELAY | ATCP_SOCKOPT_WSCALE;
    r.snd_wscale = 7;
    r.rcv_wscale = 6;
    EXPECT_EQ(extended_text(r),
              "uid:1000 ino:5001 timer:(retransmit,200ms) opts:nodelay,wscale,ts,sack mss:1448 "
              "wscale:7,6 rtt:1.5/0.75 rto:204 cwnd:14480 ssthresh:65535 retrans:2 "
              "bytes_acked:1048576 bytes_received:42");
    r.timer = ATCP_TIMER_NONE;
    r.options = 0;
    EXPECT_NE(extended_text(r).find("timer:(off) opts:- "), std::string::npos);
}

void set_recovery_figures(SockRecord& r)
{
    r.congestion = "cubic";
    r.ecn = ATCP_SOCK_ECN_AGREED | ATCP_SOCK_ECN_SEEN;
    r.sacked = 3 * 1448;
    r.lost = 1448 + 100; // a short segment counts as one
    r.retrans_out = 1448;
    r.reordering = 5;
    r.min_rtt_us = 123;
    r.delivery_rate = 15'400'000; // 123.2 Mbit/s
    for (int a = ATCP_A_SOCK_CC; a <= ATCP_A_SOCK_DELIVERY_RATE; a++)
        r.present.set(a);
}

TEST(Format, ExtendedShowsTheRecoveryFiguresAsSs)
{
    SockRecord r = older_module_record();
    set_recovery_figures(r);
    EXPECT_EQ(extended_text(r),
              "uid:1000 ino:5001 timer:(off) opts:ts,sack ecn ecnseen cubic mss:1448 wscale:0,0 "
              "rtt:1.5/0.75 rto:204 cwnd:14480 ssthresh:65535 retrans:1/2 lost:2 sacked:3 "
              "reordering:5 bytes_acked:1048576 bytes_received:42 delivery_rate 123Mbps "
              "minrtt:0.123");
}

TEST(Format, ExtendedLeavesOutWhatSsLeavesOut)
{
    SockRecord r = older_module_record();
    set_recovery_figures(r);
    r.ecn = 0;
    r.sacked = r.lost = r.retrans_out = 0;
    r.reordering = 3;
    r.min_rtt_us = 0;
    r.delivery_rate = 0;
    EXPECT_EQ(extended_text(r),
              "uid:1000 ino:5001 timer:(off) opts:ts,sack cubic mss:1448 wscale:0,0 "
              "rtt:1.5/0.75 rto:204 cwnd:14480 ssthresh:65535 retrans:0/2 "
              "bytes_acked:1048576 bytes_received:42");
    r.ecn = ATCP_SOCK_ECN_SEEN; // ECT arrived on a connection that did not agree to ECN
    EXPECT_NE(extended_text(r).find(" opts:ts,sack ecnseen cubic "), std::string::npos);
}

TEST(Format, ExtendedLossFiguresInBytesWithoutAnMss)
{
    SockRecord r = older_module_record();
    set_recovery_figures(r);
    r.present.reset(ATCP_A_SOCK_MSS);
    std::string text = extended_text(r);
    EXPECT_NE(text.find(" retrans:1448B/2 lost:1548B sacked:4344B "), std::string::npos) << text;
    r.present.set(ATCP_A_SOCK_MSS);
    r.mss = 0;
    EXPECT_EQ(extended_text(r), text.replace(text.find("wscale:"), 0, "mss:0 "));
}

TEST(Format, AnOlderModulesRecordPrintsAsBefore)
{
    EXPECT_EQ(extended_text(older_module_record()),
              "uid:1000 ino:5001 timer:(off) opts:ts,sack mss:1448 wscale:0,0 rtt:1.5/0.75 "
              "rto:204 cwnd:14480 ssthresh:65535 retrans:2 bytes_acked:1048576 "
              "bytes_received:42");
}

// The JSON members after bytes_received: where the recovery figures go.
std::string json_tail(const SockRecord& r)
{
    Json j;
    j.begin_object();
    socket_json_members(j, r, services(), true);
    j.end_object();
    return j.text().substr(j.text().find("\"bytes_received\""));
}

TEST(Format, JsonHasEveryRecoveryFigureInBytes)
{
    SockRecord r = older_module_record();
    EXPECT_EQ(json_tail(r), R"("bytes_received":42})");
    set_recovery_figures(r);
    r.ecn = ATCP_SOCK_ECN_AGREED;
    EXPECT_EQ(json_tail(r),
              R"("bytes_received":42,"congestion":"cubic","ecn":true,"ecn_seen":false,)"
              R"("sacked_bytes":4344,"lost_bytes":1548,"retrans_out_bytes":1448,"reordering":5,)"
              R"("min_rtt_us":123,"delivery_rate":15400000})");
    // Zeros too: JSON shows what the module sent.
    r.ecn = 0;
    r.sacked = r.lost = r.retrans_out = r.min_rtt_us = 0;
    r.delivery_rate = 0;
    EXPECT_EQ(json_tail(r),
              R"("bytes_received":42,"congestion":"cubic","ecn":false,"ecn_seen":false,)"
              R"("sacked_bytes":0,"lost_bytes":0,"retrans_out_bytes":0,"reordering":5,)"
              R"("min_rtt_us":0,"delivery_rate":0})");
}

// ss -m's skmem, in its order; a listener's SYN queue with -e, and both in JSON.
TEST(Format, MemoryAsSsAndTheSynQueue)
{
    SockRecord r = sock(ATCP_LISTEN, "0.0.0.0", 80);
    EXPECT_EQ(skmem_text(r), "");
    r.skmem = {0, 131072, 0, 16384, 4096, 0, 0, 0, 7};
    r.present.set(ATCP_A_SOCK_SKMEM);
    EXPECT_EQ(skmem_text(r), "skmem:(r0,rb131072,t0,tb16384,f4096,w0,o0,bl0,d7)");
    r.syn_q = 3;
    r.present.set(ATCP_A_SOCK_SYN_Q);
    EXPECT_EQ(extended_text(r), "syn_q:3");
    Json j;
    j.begin_object();
    socket_json_members(j, r, services(), true);
    j.end_object();
    EXPECT_NE(j.text().find(R"("syn_q":3,"skmem":{"rmem_alloc":0,"rcvbuf":131072,"wmem_alloc":0,)"
                            R"("sndbuf":16384,"fwd_alloc":4096,"wmem_queued":0,"optmem":0,)"
                            R"("backlog":0,"drops":7})"),
              std::string::npos)
        << j.text();
}

TEST(Format, RatesInBitsAsSsPrintsThem)
{
    EXPECT_EQ(rate_text(1), "8bps");
    EXPECT_EQ(rate_text(124), "992bps");
    EXPECT_EQ(rate_text(125), "1kbps");
    EXPECT_EQ(rate_text(1500), "12kbps");
    EXPECT_EQ(rate_text(15'400'000), "123Mbps");
    EXPECT_EQ(rate_text(124'999), "1Mbps"); // 999.992 kbit/s: not "1e+03kbps"
    EXPECT_EQ(rate_text(155'000'000), "1.24Gbps");
    EXPECT_EQ(rate_text(1'250'000'000'000ULL), "10Tbps");
    EXPECT_EQ(rate_text(1'250'000'000'000'000ULL), "10000Tbps");
}

TEST(Format, PercentagesAsProcps)
{
    EXPECT_EQ(permille_text(0), "0.0");
    EXPECT_EQ(permille_text(5), "0.5");
    EXPECT_EQ(permille_text(123), "12.3");
    EXPECT_EQ(permille_text(999), "99.9");
    EXPECT_EQ(permille_text(1000), "100");
    EXPECT_EQ(permille_text(2345), "234");
}

TEST(Format, CpuTimeAsMinutesAndSeconds)
{
    EXPECT_EQ(cpu_time_text(0), "0:00");
    EXPECT_EQ(cpu_time_text(500), "8:20");
    EXPECT_EQ(cpu_time_text(60 * 1234 + 5), "1234:05");
}

class StartText : public ::testing::Test {
  protected:
    void SetUp() override
    {
        const char* tz = std::getenv("TZ");
        saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    void TearDown() override
    {
        if (saved_)
            setenv("TZ", saved_->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    std::optional<std::string> saved_;
};

TEST_F(StartText, TimeTodayDateThisYearYearBefore)
{
    const int64_t now = 1700010000; // 2023-11-15 01:00 UTC
    EXPECT_EQ(start_text(1700009900, now), "00:58");
    EXPECT_EQ(start_text(1700005000, now), "Nov14");
    EXPECT_EQ(start_text(1672531199, now), "2022"); // 2022-12-31 23:59:59
    EXPECT_EQ(start_text(1672531200, now), "Jan01");
}

TEST(Format, TerminalNames)
{
    EXPECT_EQ(tty_text(0), "?");
    EXPECT_EQ(tty_text(136 << 8), "pts/0");
    EXPECT_EQ(tty_text((136 << 8) | 3), "pts/3");
    // Minor numbers past 255 live in bits 20 and up.
    EXPECT_EQ(tty_text((136 << 8) | (1 << 20) | 4), "pts/260");
    EXPECT_EQ(tty_text((4 << 8) | 1), "tty1");
    EXPECT_EQ(tty_text((4 << 8) | 64), "ttyS0");
    EXPECT_EQ(tty_text((5 << 8) | 1), "console");
    EXPECT_EQ(tty_text((204 << 8) | 64), "204,64");
}

TEST(Format, LongUserNamesAreCutAsPsCutsThem)
{
    EXPECT_EQ(user_column("root"), "root");
    EXPECT_EQ(user_column("www-data"), "www-data");
    EXPECT_EQ(user_column("averyverylongname"), "averyve+");
}

} // namespace
