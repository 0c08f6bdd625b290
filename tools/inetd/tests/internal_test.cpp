// SPDX-License-Identifier: GPL-2.0
/*
 * The bytes of the internal services: chargen's pattern (RFC 864),
 * daytime's line (RFC 867) and time's 32-bit seconds since 1900 (RFC 868).
 */
#include "internal.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace atcp_inetd;

std::string chargen_bytes(size_t count)
{
    Chargen pattern;
    std::string out(count, '\0');
    pattern.fill(out);
    return out;
}

// RFC 864: line n holds characters n to n + 71 of the ring of 95.
std::string expected_line(size_t n)
{
    std::string line;
    for (size_t i = 0; i < 72; ++i)
        line += char(' ' + (n + i) % 95);
    return line + "\r\n";
}

TEST(InetdInternal, Names)
{
    for (auto name : {"echo", "discard", "chargen", "daytime", "time"}) {
        auto service = internal_by_name(name);
        ASSERT_TRUE(service) << name;
        EXPECT_EQ(internal_name(*service), name);
    }
    EXPECT_FALSE(internal_by_name("qotd"));
    EXPECT_FALSE(internal_by_name("Echo"));
    EXPECT_EQ(internal_names(), "echo, discard, chargen, daytime, time");
}

TEST(InetdInternal, LongLivedOnesRunInAChild)
{
    EXPECT_TRUE(internal_is_long_lived(Internal::echo));
    EXPECT_TRUE(internal_is_long_lived(Internal::discard));
    EXPECT_TRUE(internal_is_long_lived(Internal::chargen));
    EXPECT_FALSE(internal_is_long_lived(Internal::daytime));
    EXPECT_FALSE(internal_is_long_lived(Internal::time));
}

TEST(InetdInternal, ChargenFirstLines)
{
    std::string out = chargen_bytes(3 * 74);
    EXPECT_EQ(out.substr(0, 74), expected_line(0));
    EXPECT_EQ(out.substr(0, 74),
              " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
              "abcdefg\r\n");
    // The RFC's sample lines, which start one character into the ring.
    EXPECT_EQ(out.substr(74, 74),
              "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n");
    EXPECT_EQ(out.substr(148, 74),
              "\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghi\r\n");
}

TEST(InetdInternal, ChargenWrapsAroundTheRing)
{
    std::string out = chargen_bytes(96 * 74);
    for (size_t n = 0; n < 96; ++n)
        ASSERT_EQ(out.substr(n * 74, 74), expected_line(n)) << "line " << n;
    // Line 24 is the first to wrap: '~' then ' '.
    EXPECT_EQ(out.substr(24 * 74 + 70, 4), "~ \r\n");
    // After 95 lines the pattern starts again.
    EXPECT_EQ(out.substr(95 * 74, 74), out.substr(0, 74));
    EXPECT_EQ(out.substr(94 * 74, 1), "~");
}

TEST(InetdInternal, ChargenIsOneStreamWhateverTheChunks)
{
    std::string whole = chargen_bytes(10000);
    Chargen pattern;
    std::string pieces;
    for (size_t size : {1, 73, 74, 75, 2, 1000, 4096}) {
        std::string chunk(size, '\0');
        pattern.fill(chunk);
        pieces += chunk;
    }
    EXPECT_EQ(pieces, whole.substr(0, pieces.size()));
}

TEST(InetdInternal, ChargenIsPrintableLines)
{
    std::string out = chargen_bytes(74 * 200);
    for (size_t i = 0; i < out.size(); ++i) {
        size_t column = i % 74;
        if (column < 72)
            ASSERT_TRUE(out[i] >= ' ' && out[i] <= '~') << i;
        else
            ASSERT_EQ(out[i], column == 72 ? '\r' : '\n') << i;
    }
}

std::tm make_tm(int year, int month, int day, int hour, int minute, int second, int weekday)
{
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    t.tm_wday = weekday;
    return t;
}

TEST(InetdInternal, DaytimeIsCtimeWithCrLf)
{
    EXPECT_EQ(daytime_text(make_tm(2026, 11, 21, 9, 5, 3, 6)), "Sat Nov 21 09:05:03 2026\r\n");
    // ctime pads a one-digit day with a blank.
    EXPECT_EQ(daytime_text(make_tm(2026, 3, 1, 23, 59, 60, 0)), "Sun Mar  1 23:59:60 2026\r\n");
}

TEST(InetdInternal, DaytimeAgreesWithAsctime)
{
    for (time_t t : {time_t(0), time_t(951782400), time_t(1700000000), time_t(4102444799)}) {
        std::tm utc{};
        gmtime_r(&t, &utc);
        char text[64];
        asctime_r(&utc, text);
        std::string want(text);
        want.replace(want.size() - 1, 1, "\r\n");
        EXPECT_EQ(daytime_text(utc), want) << t;
    }
}

uint32_t big_endian(std::array<uint8_t, 4> bytes)
{
    return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3];
}

TEST(InetdInternal, TimeIsSecondsSince1900BigEndian)
{
    // RFC 868's own examples.
    EXPECT_EQ(time_bytes(0), (std::array<uint8_t, 4>{0x83, 0xaa, 0x7e, 0x80}));
    EXPECT_EQ(big_endian(time_bytes(0)), 2208988800u);
    EXPECT_EQ(big_endian(time_bytes(189302400)), 2398291200u);            // 1976-01-01
    EXPECT_EQ(big_endian(time_bytes(315532800)), 2524521600u);            // 1980-01-01
    EXPECT_EQ(big_endian(time_bytes(420595200)), 2629584000u);            // 1983-05-01
    EXPECT_EQ(int32_t(big_endian(time_bytes(-3506716800))), -1297728000); // 1858-11-17
    EXPECT_EQ(big_endian(time_bytes(-seconds_from_1900_to_1970)), 0u);
}

TEST(InetdInternal, TimeWrapsIn2036)
{
    // 2036-02-07 06:28:16 UTC is 2^32 seconds after 1900.
    EXPECT_EQ(big_endian(time_bytes(2085978496 - 1)), 0xffffffffu);
    EXPECT_EQ(big_endian(time_bytes(2085978496)), 0u);
    EXPECT_EQ(big_endian(time_bytes(2085978496 + 1)), 1u);
}

} // namespace
