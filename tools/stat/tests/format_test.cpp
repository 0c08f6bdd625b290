// SPDX-License-Identifier: GPL-2.0
// How endpoints, the extended figures and the ps columns print.
#include "format.h"

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

TEST(Format, ExtendedShowsWhatTheModuleSent)
{
    SockRecord r = sock(ATCP_ESTABLISHED, "127.0.0.1", 7007, "127.0.0.1", 40000);
    EXPECT_EQ(extended_text(r), "");
    r.uid = 1000;
    r.inode = 5001;
    r.timer = ATCP_TIMER_RETRANSMIT;
    r.timer_ms = 200;
    r.options =
        ATCP_SOCKOPT_NODELAY | ATCP_SOCKOPT_TIMESTAMPS | ATCP_SOCKOPT_SACK | ATCP_SOCKOPT_WSCALE;
    r.mss = 1448;
    r.snd_wscale = 7;
    r.rcv_wscale = 6;
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
    EXPECT_EQ(extended_text(r),
              "uid:1000 ino:5001 timer:(retransmit,200ms) opts:nodelay,wscale,ts,sack mss:1448 "
              "wscale:7,6 rtt:1.5/0.75 rto:204 cwnd:14480 ssthresh:65535 retrans:2 "
              "bytes_acked:1048576 bytes_received:42");
    r.timer = ATCP_TIMER_NONE;
    r.options = 0;
    EXPECT_NE(extended_text(r).find("timer:(off) opts:- "), std::string::npos);
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
