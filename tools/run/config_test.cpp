// SPDX-License-Identifier: GPL-2.0
/*
 * atcp-run's environment switches: what each value means, and that a bad
 * value is refused with a message naming the variable and the bad part.
 */
#include "config.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using atcp_run::Config;
using atcp_run::Role;

struct Parsed {
    bool ok;
    std::string err;
};

Parsed ports(Config& c, const char* value)
{
    char err[256] = "";
    bool ok = atcp_run::parse_ports(value, c, err, sizeof(err));
    return {ok, err};
}

TEST(AtcpRunConfig, UnsetMeansEverySocketAtSocketTime)
{
    Config c;
    char err[256] = "";
    ASSERT_TRUE(atcp_run::parse_config(nullptr, nullptr, nullptr, c, err, sizeof(err)));
    EXPECT_FALSE(c.trace);
    EXPECT_EQ(c.only, Role::all);
    EXPECT_TRUE(c.any_port);
    EXPECT_FALSE(c.filtered());
    EXPECT_TRUE(c.has_port(1));
    EXPECT_TRUE(c.has_port(65535));
}

TEST(AtcpRunConfig, EmptyValuesAreUnset)
{
    Config c;
    char err[256] = "";
    ASSERT_TRUE(atcp_run::parse_config("", "", "", c, err, sizeof(err)));
    EXPECT_FALSE(c.trace);
    EXPECT_FALSE(c.filtered());
}

TEST(AtcpRunConfig, Trace)
{
    Config c;
    char err[256] = "";
    ASSERT_TRUE(atcp_run::parse_trace("1", c, err, sizeof(err)));
    EXPECT_TRUE(c.trace);
    ASSERT_TRUE(atcp_run::parse_trace("0", c, err, sizeof(err)));
    EXPECT_FALSE(c.trace);
}

TEST(AtcpRunConfig, TraceRefusesOtherValues)
{
    for (const char* bad : {"yes", "2", "01", " 1", "true"}) {
        Config c;
        char err[256] = "";
        EXPECT_FALSE(atcp_run::parse_trace(bad, c, err, sizeof(err))) << bad;
        EXPECT_EQ(std::string(err), "ATCP_RUN_TRACE=" + std::string(bad) + ": expected 0 or 1");
    }
}

TEST(AtcpRunConfig, Only)
{
    Config c;
    char err[256] = "";
    ASSERT_TRUE(atcp_run::parse_only("listen", c, err, sizeof(err)));
    EXPECT_EQ(c.only, Role::listen);
    EXPECT_TRUE(c.filtered());
    ASSERT_TRUE(atcp_run::parse_only("connect", c, err, sizeof(err)));
    EXPECT_EQ(c.only, Role::connect);
    EXPECT_TRUE(c.filtered());
    ASSERT_TRUE(atcp_run::parse_only("all", c, err, sizeof(err)));
    EXPECT_EQ(c.only, Role::all);
    EXPECT_FALSE(c.filtered());
}

TEST(AtcpRunConfig, OnlyRefusesOtherValues)
{
    for (const char* bad : {"server", "Listen", "listen,connect", "accept"}) {
        Config c;
        char err[256] = "";
        EXPECT_FALSE(atcp_run::parse_only(bad, c, err, sizeof(err))) << bad;
        EXPECT_EQ(std::string(err),
                  "ATCP_RUN_ONLY=" + std::string(bad) + ": expected listen, connect or all");
    }
}

TEST(AtcpRunPorts, List)
{
    Config c;
    ASSERT_TRUE(ports(c, "80,8080").ok);
    EXPECT_FALSE(c.any_port);
    EXPECT_TRUE(c.filtered());
    EXPECT_TRUE(c.has_port(80));
    EXPECT_TRUE(c.has_port(8080));
    EXPECT_FALSE(c.has_port(81));
    EXPECT_FALSE(c.has_port(79));
    EXPECT_FALSE(c.has_port(8081));
    EXPECT_FALSE(c.has_port(0));
}

TEST(AtcpRunPorts, RangesAndEnds)
{
    Config c;
    ASSERT_TRUE(ports(c, "1,9000-9002,443-443,65535").ok);
    for (unsigned p : {1u, 443u, 9000u, 9001u, 9002u, 65535u})
        EXPECT_TRUE(c.has_port(p)) << p;
    for (unsigned p : {2u, 442u, 444u, 8999u, 9003u, 65534u, 65536u})
        EXPECT_FALSE(c.has_port(p)) << p;
}

TEST(AtcpRunPorts, LeadingZerosAreDecimal)
{
    Config c;
    ASSERT_TRUE(ports(c, "0080").ok);
    EXPECT_TRUE(c.has_port(80));
}

TEST(AtcpRunPorts, WholeRange)
{
    Config c;
    ASSERT_TRUE(ports(c, "1-65535").ok);
    for (unsigned p = 1; p <= 65535; p++)
        ASSERT_TRUE(c.has_port(p)) << p;
}

TEST(AtcpRunPorts, ParsingAgainStartsAfresh)
{
    Config c;
    ASSERT_TRUE(ports(c, "80").ok);
    ASSERT_TRUE(ports(c, "81").ok);
    EXPECT_FALSE(c.has_port(80));
    EXPECT_TRUE(c.has_port(81));
    ASSERT_TRUE(ports(c, nullptr).ok);
    EXPECT_TRUE(c.any_port);
}

TEST(AtcpRunPorts, RefusesWhatIsNotAPort)
{
    for (const char* bad : {"0", "65536", "123456", "8o", "-80", "80-", "+80", " 80", "80 ", "0x50",
                            "80-90-100", "http", "-"}) {
        Config c;
        Parsed r = ports(c, bad);
        EXPECT_FALSE(r.ok) << bad;
        EXPECT_EQ(r.err, "ATCP_RUN_PORTS=" + std::string(bad) + ": '" + bad +
                             "': expected a port (1-65535) or a range LOW-HIGH")
            << bad;
    }
}

TEST(AtcpRunPorts, NamesTheBadEntry)
{
    Config c;
    Parsed r = ports(c, "80,99999,443");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(
        r.err,
        "ATCP_RUN_PORTS=80,99999,443: '99999': expected a port (1-65535) or a range LOW-HIGH");
}

TEST(AtcpRunPorts, RefusesEmptyEntries)
{
    for (const char* bad : {",", "80,", ",80", "80,,81"}) {
        Config c;
        Parsed r = ports(c, bad);
        EXPECT_FALSE(r.ok) << bad;
        EXPECT_EQ(r.err, "ATCP_RUN_PORTS=" + std::string(bad) + ": an empty entry") << bad;
    }
}

TEST(AtcpRunPorts, RefusesBackwardRange)
{
    Config c;
    Parsed r = ports(c, "9010-9000");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.err, "ATCP_RUN_PORTS=9010-9000: '9010-9000': the range runs backwards");
}

TEST(AtcpRunPorts, LongValueIsCutToTheBuffer)
{
    std::string many(1000, '8');
    Config c;
    char err[64];
    EXPECT_FALSE(atcp_run::parse_ports(many.c_str(), c, err, sizeof(err)));
    EXPECT_EQ(std::string(err).size(), sizeof(err) - 1);
}

TEST(AtcpRunConfig, FirstErrorWins)
{
    Config c;
    char err[256] = "";
    EXPECT_FALSE(atcp_run::parse_config("1", "servers", "x", c, err, sizeof(err)));
    EXPECT_EQ(std::string(err), "ATCP_RUN_ONLY=servers: expected listen, connect or all");
}

TEST(AtcpRunConfig, RoleAndPortsTogether)
{
    Config c;
    char err[256] = "";
    ASSERT_TRUE(atcp_run::parse_config("1", "listen", "8000-8001", c, err, sizeof(err)));
    EXPECT_TRUE(c.trace);
    EXPECT_EQ(c.only, Role::listen);
    EXPECT_TRUE(c.has_port(8001));
    EXPECT_FALSE(c.has_port(8002));
}

} // namespace
