// SPDX-License-Identifier: GPL-2.0
// The text helpers the /proc, services and passwd readers stand on.
#include "text.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_tools;

TEST(Text, ParseUintTakesDigitsOnly)
{
    EXPECT_EQ(parse_uint("0"), 0u);
    EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
    for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "18446744073709551616", "1a"})
        EXPECT_FALSE(parse_uint(bad)) << bad;
}

TEST(Text, ParseIntTakesASign)
{
    EXPECT_EQ(parse_int("-5"), -5);
    EXPECT_EQ(parse_int("42"), 42);
    for (const char* bad : {"", "-", "+3", "4-", "9223372036854775808"})
        EXPECT_FALSE(parse_int(bad)) << bad;
}

TEST(Text, SplitWordsDropsRunsOfBlanks)
{
    auto w = split_words("  a\tb   c  ");
    ASSERT_EQ(w.size(), 3u);
    EXPECT_EQ(w[0], "a");
    EXPECT_EQ(w[1], "b");
    EXPECT_EQ(w[2], "c");
    EXPECT_TRUE(split_words(" \t ").empty());
}

TEST(Text, SplitKeepsEmptyFields)
{
    auto f = split("a::b:", ':');
    ASSERT_EQ(f.size(), 4u);
    EXPECT_EQ(f[1], "");
    EXPECT_EQ(f[3], "");
}

TEST(Text, SplitLinesHasNoEmptyLastLine)
{
    EXPECT_EQ(split_lines("a\nb\n").size(), 2u);
    EXPECT_EQ(split_lines("a\nb").size(), 2u);
    EXPECT_TRUE(split_lines("").empty());
}

// inetd.conf reports errors by line number: empty lines count, and a file
// written on DOS keeps its words clean.
TEST(Text, SplitLinesKeepsEmptyOnesAndDropsCarriageReturns)
{
    auto lines = split_lines("a\r\n\nb\n");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "a");
    EXPECT_EQ(lines[1], "");
    EXPECT_EQ(lines[2], "b");
}

TEST(Text, ParseNumberKeepsToItsRange)
{
    EXPECT_EQ(parse_number("1", 1, 65535), 1u);
    EXPECT_EQ(parse_number("65535", 1, 65535), 65535u);
    for (const char* bad : {"0", "65536", "", "-1", "1 ", "99999999999999999999999"})
        EXPECT_FALSE(parse_number(bad, 1, 65535)) << bad;
}

TEST(Text, ReadFileReadsAndReportsAbsence)
{
    auto text = read_file(ATCP_TOOLS_TESTDATA "/proc/uptime");
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "10000.75 19000.00\n");
    EXPECT_FALSE(read_file(ATCP_TOOLS_TESTDATA "/no-such-file"));
}

} // namespace
