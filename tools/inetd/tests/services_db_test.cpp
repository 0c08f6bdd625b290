// SPDX-License-Identifier: GPL-2.0
/*
 * services(5): names and aliases for tcp, the first line winning.
 */
#include "services_db.h"

#include <gtest/gtest.h>

namespace {

using atcp_inetd::ServicesDb;

const ServicesDb fixture = ServicesDb::load(ATCP_INETD_TESTDATA "/services");

TEST(InetdServices, NamesAndAliases)
{
    EXPECT_EQ(fixture.tcp_port("echo"), 7);
    EXPECT_EQ(fixture.tcp_port("discard"), 9);
    EXPECT_EQ(fixture.tcp_port("sink"), 9);
    EXPECT_EQ(fixture.tcp_port("null"), 9);
    EXPECT_EQ(fixture.tcp_port("ttytst"), 19);
    EXPECT_EQ(fixture.tcp_port("timserver"), 37);
}

TEST(InetdServices, TheFirstLineWins)
{
    EXPECT_EQ(fixture.tcp_port("frobnitz"), 7007);
    EXPECT_EQ(fixture.tcp_port("frob"), 7007);
}

TEST(InetdServices, OnlyTcp)
{
    EXPECT_EQ(fixture.tcp_port("tftp"), std::nullopt);
}

TEST(InetdServices, CommentsAndBrokenLines)
{
    EXPECT_EQ(fixture.tcp_port("comment"), std::nullopt);
    EXPECT_EQ(fixture.tcp_port("#"), std::nullopt);
    EXPECT_EQ(fixture.tcp_port("broken"), std::nullopt);
    EXPECT_EQ(fixture.tcp_port("7/tcp"), std::nullopt);
    auto db = ServicesDb::parse("a 1/tcp # b 2/tcp\n"
                                "c\n"
                                "d 0/tcp\n"
                                "e 65536/tcp\n"
                                "f 65535/tcp\r\n"
                                "g 12\n");
    EXPECT_EQ(db.tcp_port("a"), 1);
    EXPECT_EQ(db.tcp_port("b"), std::nullopt);
    EXPECT_EQ(db.tcp_port("c"), std::nullopt);
    EXPECT_EQ(db.tcp_port("d"), std::nullopt);
    EXPECT_EQ(db.tcp_port("e"), std::nullopt);
    EXPECT_EQ(db.tcp_port("f"), 65535);
    EXPECT_EQ(db.tcp_port("g"), std::nullopt);
}

TEST(InetdServices, AMissingFileIsEmpty)
{
    auto db = ServicesDb::load(ATCP_INETD_TESTDATA "/no-such-file");
    EXPECT_EQ(db.tcp_port("echo"), std::nullopt);
}

} // namespace
