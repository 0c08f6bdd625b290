// SPDX-License-Identifier: GPL-2.0
// Service names from a services(5) fixture: tcp only, the first name per
// port, aliases for the reverse lookup, and the lines to skip.
#include "services.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_tools;

Services fixture()
{
    return Services::load(ATCP_TOOLS_TESTDATA "/services");
}

TEST(Services, NamesTcpPorts)
{
    Services s = fixture();
    EXPECT_EQ(s.name(80), "http");
    EXPECT_EQ(s.name(22), "ssh");
    EXPECT_EQ(s.name(8080), "http-alt");
    EXPECT_EQ(s.name(7), "echo");
    EXPECT_EQ(s.name(7300), "indented");
}

TEST(Services, FirstNameForAPortWins)
{
    EXPECT_EQ(fixture().name(7100), "first-name");
}

TEST(Services, SkipsUdpAndBadLines)
{
    Services s = fixture();
    EXPECT_FALSE(s.name(9999)); // udp only
    EXPECT_FALSE(s.name(7200)); // no protocol
    EXPECT_FALSE(s.name(0));
    EXPECT_FALSE(s.port("notaport"));
    EXPECT_FALSE(s.port("zero"));
    EXPECT_FALSE(s.port("toobig"));
    EXPECT_FALSE(s.name(12345));
}

TEST(Services, NamesAndAliasesGivePorts)
{
    Services s = fixture();
    EXPECT_EQ(s.port("http"), 80);
    EXPECT_EQ(s.port("www"), 80);
    EXPECT_EQ(s.port("webcache"), 8080);
    EXPECT_EQ(s.port("first-alias"), 7100);
    EXPECT_EQ(s.port("second-name"), 7100);
    EXPECT_FALSE(s.port("udponly"));
}

TEST(Services, AMissingFileMeansNumbers)
{
    Services s = Services::load(ATCP_TOOLS_TESTDATA "/no-such-services");
    EXPECT_FALSE(s.name(80));
}

TEST(Services, ParsePortTakesNumbersAndNames)
{
    Services s = fixture();
    EXPECT_EQ(parse_port("8000", s), 8000);
    EXPECT_EQ(parse_port("https", s), 443);
    EXPECT_EQ(parse_port("65535", s), 65535);
    for (const char* bad : {"0", "65536", "-1", "", "nosuch", "80x"})
        EXPECT_FALSE(parse_port(bad, s)) << bad;
}

// inetd.conf's fixture: names, aliases and the first line winning.
Services inetd_fixture()
{
    return Services::load(ATCP_INETD_TESTDATA "/services");
}

TEST(InetdServices, NamesAndAliases)
{
    EXPECT_EQ(inetd_fixture().port("echo"), 7);
    EXPECT_EQ(inetd_fixture().port("discard"), 9);
    EXPECT_EQ(inetd_fixture().port("sink"), 9);
    EXPECT_EQ(inetd_fixture().port("null"), 9);
    EXPECT_EQ(inetd_fixture().port("ttytst"), 19);
    EXPECT_EQ(inetd_fixture().port("timserver"), 37);
}

TEST(InetdServices, TheFirstLineWins)
{
    EXPECT_EQ(inetd_fixture().port("frobnitz"), 7007);
    EXPECT_EQ(inetd_fixture().port("frob"), 7007);
}

TEST(InetdServices, OnlyTcp)
{
    EXPECT_EQ(inetd_fixture().port("tftp"), std::nullopt);
}

TEST(InetdServices, CommentsAndBrokenLines)
{
    EXPECT_EQ(inetd_fixture().port("comment"), std::nullopt);
    EXPECT_EQ(inetd_fixture().port("#"), std::nullopt);
    EXPECT_EQ(inetd_fixture().port("broken"), std::nullopt);
    EXPECT_EQ(inetd_fixture().port("7/tcp"), std::nullopt);
    auto db = Services::parse("a 1/tcp # b 2/tcp\n"
                              "c\n"
                              "d 0/tcp\n"
                              "e 65536/tcp\n"
                              "f 65535/tcp\r\n"
                              "g 12\n");
    EXPECT_EQ(db.port("a"), 1);
    EXPECT_EQ(db.port("b"), std::nullopt);
    EXPECT_EQ(db.port("c"), std::nullopt);
    EXPECT_EQ(db.port("d"), std::nullopt);
    EXPECT_EQ(db.port("e"), std::nullopt);
    EXPECT_EQ(db.port("f"), 65535);
    EXPECT_EQ(db.port("g"), std::nullopt);
}

TEST(InetdServices, AMissingFileIsEmpty)
{
    auto db = Services::load(ATCP_INETD_TESTDATA "/no-such-file");
    EXPECT_EQ(db.port("echo"), std::nullopt);
}

} // namespace
