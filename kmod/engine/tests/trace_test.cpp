// SPDX-License-Identifier: GPL-2.0
// Host tests for the packet-trace notation the engine tests are written in.
#include "trace.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <source_location>
#include <string>
#include <string_view>

namespace {

using atcp::test::format_segment;
using atcp::test::matches;
using atcp::test::parse_segment;
using atcp::test::Segment;

struct Bases {
    uint32_t seq;
    uint32_t ack;
};

// Zero bases would hide a base applied to the wrong field; the others cross 2^32.
constexpr Bases kBases[] = {
    {0, 0},
    {0x3b9aca00, 0x8badf00d},
    {0xffffffff, 0xfffffff0},
};

Segment parse(std::string_view text, Bases b,
              std::source_location where = std::source_location::current())
{
    const testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()), "parse");
    Segment s{};
    std::string error;
    EXPECT_TRUE(parse_segment(text, b.seq, b.ack, &s, &error)) << text << ": " << error;
    return s;
}

std::string format(const Segment& s, Bases b)
{
    return format_segment(s.hdr, s.len, b.seq, b.ack);
}

// The bytes the codec would put on the wire for s, read back by the codec.
atcp_tcp_header through_the_wire(const atcp_tcp_header& h)
{
    uint8_t buf[ATCP_TCP_HDR_MAX];
    const size_t len = atcp_tcp_write(&h, buf, sizeof(buf));
    atcp_tcp_header back{};
    EXPECT_EQ(atcp_tcp_parse(buf, len, &back), ATCP_CODEC_OK);
    return back;
}

constexpr uint8_t kAllOptions =
    ATCP_OPT_MSS | ATCP_OPT_SACK_PERM | ATCP_OPT_TIMESTAMP | ATCP_OPT_WSCALE;

TEST(TraceParse, SynWithAllOptions)
{
    const Bases b = {0xc0ffee00, 0x1234};
    const Segment s = parse("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>", b);
    EXPECT_EQ(s.len, 0u);
    EXPECT_EQ(s.hdr.seq, 0xc0ffee00u);
    EXPECT_EQ(s.hdr.ack, 0u) << "no ACK flag, so no ack field";
    EXPECT_EQ(s.hdr.flags, ATCP_TCP_SYN);
    EXPECT_EQ(s.hdr.window, 65535);
    EXPECT_EQ(s.hdr.urgent, 0);
    EXPECT_EQ(s.hdr.header_len, 40);
    EXPECT_EQ(s.hdr.opt.present, kAllOptions);
    EXPECT_EQ(s.hdr.opt.mss, 1460);
    EXPECT_EQ(s.hdr.opt.ts_val, 1u);
    EXPECT_EQ(s.hdr.opt.ts_ecr, 0u);
    EXPECT_EQ(s.hdr.opt.wscale, 7);
    EXPECT_EQ(s.hdr.opt.sack_count, 0);
}

TEST(TraceParse, AckWithTimestampWrapsAroundTheBases)
{
    const Segment s = parse(". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1>",
                            {.seq = 0xffffffff, .ack = 0xfffffffa});
    EXPECT_EQ(s.len, 0u);
    EXPECT_EQ(s.hdr.seq, 0u);
    EXPECT_EQ(s.hdr.ack, 0xfffffffbu);
    EXPECT_EQ(s.hdr.flags, ATCP_TCP_ACK);
    EXPECT_EQ(s.hdr.window, 512);
    EXPECT_EQ(s.hdr.header_len, 32);
    EXPECT_EQ(s.hdr.opt.present, ATCP_OPT_TIMESTAMP);
    EXPECT_EQ(s.hdr.opt.ts_val, 5u);
    EXPECT_EQ(s.hdr.opt.ts_ecr, 1u);
}

TEST(TraceParse, DataWithoutOptions)
{
    const Segment s = parse("P. 1:101(100) ack 1 win 512", {.seq = 0xfffffff0, .ack = 0x10});
    EXPECT_EQ(s.len, 100u);
    EXPECT_EQ(s.hdr.seq, 0xfffffff1u);
    EXPECT_EQ(s.hdr.ack, 0x11u);
    EXPECT_EQ(s.hdr.flags, ATCP_TCP_PSH | ATCP_TCP_ACK);
    EXPECT_EQ(s.hdr.window, 512);
    EXPECT_EQ(s.hdr.header_len, 20);
    EXPECT_EQ(s.hdr.opt.present, 0);
}

// The IP header's ECN field, before the flags as packetdrill writes it.
TEST(TraceParse, EcnCodepoint)
{
    const Bases b = {0, 0};
    EXPECT_EQ(parse("[ect0] P. 1:101(100) ack 1 win 512", b).hdr.ecn, ATCP_ECN_ECT0);
    EXPECT_EQ(parse("[ect1] P. 1:101(100) ack 1 win 512", b).hdr.ecn, ATCP_ECN_ECT1);
    EXPECT_EQ(parse("[ce] P. 1:101(100) ack 1 win 512", b).hdr.ecn, ATCP_ECN_CE);
    const Segment s = parse("[noecn] . 1:1(0) ack 1 win 512", b);
    EXPECT_EQ(s.hdr.ecn, ATCP_ECN_NOT_ECT);
    EXPECT_EQ(format(s, b), ". 1:1(0) ack 1 win 512");
    EXPECT_EQ(format(parse("[ce] .EW 1:1(0) ack 1 win 512", b), b),
              "[ce] .EW 1:1(0) ack 1 win 512");
    std::string error;
    Segment out{};
    EXPECT_FALSE(parse_segment("[ect2] . 1:1(0) ack 1 win 512", 0, 0, &out, &error));
    EXPECT_NE(error.find("[ect2]"), std::string::npos) << error;
}

TEST(TraceParse, RangeMayCrossTheWrapOfRelativeNumbers)
{
    const Segment s = parse("P. 4294967246:50(100) ack 1 win 512", {.seq = 100, .ack = 0});
    EXPECT_EQ(s.hdr.seq, 50u);
    EXPECT_EQ(s.len, 100u);
}

TEST(TraceParse, ShortFormIsAnEmptyRange)
{
    const Bases b = {0x3b9aca00, 0x8badf00d};
    const Segment s = parse(". 7 ack 1 win 512", b);
    EXPECT_EQ(s.hdr.seq, b.seq + 7);
    EXPECT_EQ(s.len, 0u);
    EXPECT_EQ(format(s, b), ". 7:7(0) ack 1 win 512");
}

TEST(TraceParse, EachFlagLetter)
{
    const struct {
        std::string_view letters;
        uint8_t flags;
    } cases[] = {
        {"S", ATCP_TCP_SYN}, {"F", ATCP_TCP_FIN}, {"R", ATCP_TCP_RST},
        {"P", ATCP_TCP_PSH}, {"U", ATCP_TCP_URG}, {"E", ATCP_TCP_ECE},
        {"W", ATCP_TCP_CWR}, {".", ATCP_TCP_ACK}, {"none", 0},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.letters);
        EXPECT_EQ(parse(std::string(c.letters) + " 0:0(0)", {}).hdr.flags, c.flags);
    }
}

TEST(TraceParse, FlagLettersInAnyOrder)
{
    EXPECT_EQ(parse(".SWE 0:0(0) ack 0", {}).hdr.flags,
              ATCP_TCP_SYN | ATCP_TCP_ACK | ATCP_TCP_ECE | ATCP_TCP_CWR);
    EXPECT_EQ(parse("W.UEPRSF 0:0(0) ack 0", {}).hdr.flags, 0xff);
}

TEST(TraceParse, UrgentPointer)
{
    const Segment s = parse("U. 1:2(1) ack 1 win 512 urg 1", {});
    EXPECT_EQ(s.hdr.flags, ATCP_TCP_URG | ATCP_TCP_ACK);
    EXPECT_EQ(s.hdr.urgent, 1);
}

TEST(TraceParse, MssOption)
{
    const Segment s = parse("S 0:0(0) win 1 <mss 536>", {});
    EXPECT_EQ(s.hdr.opt.present, ATCP_OPT_MSS);
    EXPECT_EQ(s.hdr.opt.mss, 536);
}

TEST(TraceParse, SackPermittedOption)
{
    EXPECT_EQ(parse("S 0:0(0) win 1 <sackOK>", {}).hdr.opt.present, ATCP_OPT_SACK_PERM);
}

TEST(TraceParse, TimestampIsNotRelative)
{
    const Segment s = parse(". 1:1(0) ack 1 win 1 <TS val 4294967295 ecr 7>", kBases[1]);
    EXPECT_EQ(s.hdr.opt.present, ATCP_OPT_TIMESTAMP);
    EXPECT_EQ(s.hdr.opt.ts_val, 0xffffffffu);
    EXPECT_EQ(s.hdr.opt.ts_ecr, 7u);
}

TEST(TraceParse, WindowScaleOption)
{
    const Segment s = parse("S 0:0(0) win 1 <wscale 14>", {});
    EXPECT_EQ(s.hdr.opt.present, ATCP_OPT_WSCALE);
    EXPECT_EQ(s.hdr.opt.wscale, 14);
}

// RFC 7323 section 2.3, as the codec applies it to what arrives.
TEST(TraceParse, WindowScaleAbove14IsClampedLikeTheCodec)
{
    EXPECT_EQ(parse("S 0:0(0) win 1 <wscale 15>", {}).hdr.opt.wscale, 14);
    EXPECT_EQ(parse("S 0:0(0) win 1 <wscale 255>", {}).hdr.opt.wscale, 14);
}

TEST(TraceParse, NopAndEolAreIgnored)
{
    const Segment s = parse(". 1:1(0) ack 1 win 1 <nop,eol,nop>", {});
    EXPECT_EQ(s.hdr.opt.present, 0);
    EXPECT_EQ(s.hdr.header_len, 20);
}

TEST(TraceParse, SackBlocksAreRelativeToTheAckBase)
{
    const Bases b = {.seq = 5, .ack = 0xfffffc00};
    const Segment s = parse(". 1:1(0) ack 1001 win 512 <nop,nop,sack 2 {1001:2001}{3001:4001}>", b);
    EXPECT_EQ(s.hdr.ack, 0xffffffe9u);
    EXPECT_EQ(s.hdr.opt.present, ATCP_OPT_SACK);
    ASSERT_EQ(s.hdr.opt.sack_count, 2);
    EXPECT_EQ(s.hdr.opt.sack[0].start, 0xffffffe9u);
    EXPECT_EQ(s.hdr.opt.sack[0].end, 977u);
    EXPECT_EQ(s.hdr.opt.sack[1].start, 1977u);
    EXPECT_EQ(s.hdr.opt.sack[1].end, 2977u);
}

TEST(TraceParse, FourSackBlocks)
{
    const Segment s =
        parse(". 1:1(0) ack 1 win 1 <sack 4 {10:20}{30:40}{50:60}{70:80}>", {.seq = 0, .ack = 1});
    ASSERT_EQ(s.hdr.opt.sack_count, 4);
    EXPECT_EQ(s.hdr.opt.sack[3].start, 71u);
    EXPECT_EQ(s.hdr.opt.sack[3].end, 81u);
}

TEST(TraceParse, HeaderLengthIsWhatTheCodecWrites)
{
    const Segment s = parse("S 0:0(0) win 1 <mss 1460,nop,wscale 7>", {});
    uint8_t buf[ATCP_TCP_HDR_MAX];
    EXPECT_EQ(s.hdr.header_len, atcp_tcp_write(&s.hdr, buf, sizeof(buf)));
}

TEST(TraceParse, ErrorsNameTheBadToken)
{
    const struct {
        std::string_view text;
        std::string_view names;
    } cases[] = {
        {"", "no flags"},
        {"S", "no sequence number"},
        {"SX 0:0(0) win 1", "'X'"},
        {"SS 0:0(0) win 1", "'S' twice"},
        {"P. 1:101(99) ack 1 win 512", "\"1:101(99)\""},
        {"S 0:0 win 1", "\"0:0\""},
        {"S -1:0(1) win 1", "\"-1:0(1)\""},
        {"S 0:0(0) win 1 <mss 1460,md5 abc>", "\"md5 abc\""},
        {"P. 1:101(100) ack", "\"ack\" needs a number"},
        {"P. 1:101(100) ack 1 win", "\"win\" needs a number"},
        {"P. 1:101(100) ack one win 512", "\"one\""},
        {"S 0:0(0) win 70000", "\"70000\""},
        {"S 0:0(0) win 1 <mss>", "\"mss\" needs a number"},
        {"S 0:0(0) win 1 <mss 65536>", "\"65536\""},
        {"S 0:0(0) win 1 <wscale 256>", "\"256\""},
        {"S 0:0(0) win 1 <TS val 1>", "\"ecr\""},
        {"S 0:0(0) win 1 <TS 1 ecr 0>", "\"val\""},
        {"S 0:0(0) win 1 <mss 1460,sackOK", "\"<mss 1460,sackOK\""},
        {"S 0:0(0) win 1 <mss 1460,>", "empty option in \"<mss 1460,>\""},
        {"P. 1:101(100) ack 1 win 512 junk", "\"junk\""},
        {"S 0:0(0) win 1 <mss 1460> junk", "\"junk\""},
        {"S 0:0(0) win 1 <sackOK 1>", "\"1\""},
        {"S 0:0(0) win 1 <mss 1460,mss 536>", "\"mss 536\" given twice"},
        {"S 0:0(0) ack 1 win 1", "\"ack\" without"},
        {". 1:1(0) ack 1 win 1 urg 5", "\"urg\" without"},
        {". 1:1(0) win 1 ack 1", "unexpected \"ack\""},
        {". 1:1(0) ack 1 ack 2", "unexpected \"ack\""},
        {". 1:1(0) ack 1 win 1 <sack 0>", "\"sack 0\""},
        {". 1:1(0) ack 1 win 1 <sack 5 {1:2}>", "\"5\""},
        {". 1:1(0) ack 1 win 1 <sack 2 {1:2}>", "\"sack 2 {1:2}\" has 1 blocks, not 2"},
        {". 1:1(0) ack 1 win 1 <sack 1 {1:2>", "\"{1:2\""},
        {". 1:1(0) ack 1 win 1 <sack 1 {1:2}x>", "\"x\""},
        {". 1:1(0) ack 1 win 1 <sack 4 {1:2}{3:4}{5:6}{7:8}{9:10}>", "more than 4 blocks"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        Segment s;
        std::memset(&s, 0xa5, sizeof(s));
        unsigned char before[sizeof(s)];
        std::memcpy(before, &s, sizeof(s));
        std::string error;
        EXPECT_FALSE(parse_segment(c.text, 1, 2, &s, &error));
        EXPECT_NE(error.find(c.names), std::string::npos) << "error: " << error;
        EXPECT_EQ(std::memcmp(&s, before, sizeof(s)), 0) << "a failed parse changed *out";
    }
}

TEST(TraceParse, ErrorMessageIsOptional)
{
    Segment s{};
    EXPECT_FALSE(parse_segment("SX 0:0(0)", 0, 0, &s, nullptr));
}

atcp_tcp_header syn_with_all_options()
{
    atcp_tcp_header h{};
    h.seq = 0x3b9aca00;
    h.flags = ATCP_TCP_SYN;
    h.window = 65535;
    h.opt.present = kAllOptions;
    h.opt.mss = 1460;
    h.opt.ts_val = 1;
    h.opt.wscale = 7;
    return h;
}

TEST(TraceFormat, SynWithAllOptions)
{
    EXPECT_EQ(format_segment(syn_with_all_options(), 0, 0x3b9aca00, 0),
              "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>");
}

TEST(TraceFormat, AckWithTimestamp)
{
    atcp_tcp_header h{};
    h.seq = 0;
    h.ack = 0xfffffffb;
    h.flags = ATCP_TCP_ACK;
    h.window = 512;
    h.opt.present = ATCP_OPT_TIMESTAMP;
    h.opt.ts_val = 5;
    h.opt.ts_ecr = 1;
    EXPECT_EQ(format_segment(h, 0, 0xffffffff, 0xfffffffa),
              ". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1>");
}

TEST(TraceFormat, DataWithoutOptions)
{
    atcp_tcp_header h{};
    h.seq = 0xfffffff1;
    h.ack = 0x11;
    h.flags = ATCP_TCP_PSH | ATCP_TCP_ACK;
    h.window = 512;
    EXPECT_EQ(format_segment(h, 100, 0xfffffff0, 0x10), "P. 1:101(100) ack 1 win 512");
}

TEST(TraceFormat, AckAndUrgOnlyWithTheirFlags)
{
    atcp_tcp_header h{};
    h.flags = ATCP_TCP_RST;
    h.ack = 99;
    h.urgent = 7;
    EXPECT_EQ(format_segment(h, 0, 0, 0), "R 0:0(0) win 0");
    h.flags = ATCP_TCP_RST | ATCP_TCP_ACK | ATCP_TCP_URG;
    EXPECT_EQ(format_segment(h, 0, 0, 0), "R.U 0:0(0) ack 99 win 0 urg 7");
}

TEST(TraceFormat, FlagsInTcpdumpOrder)
{
    atcp_tcp_header h{};
    h.flags = ATCP_TCP_ACK | ATCP_TCP_PSH | ATCP_TCP_FIN;
    EXPECT_EQ(format_segment(h, 0, 0, 0), "FP. 0:0(0) ack 0 win 0");
    h.flags = 0xff;
    EXPECT_EQ(format_segment(h, 0, 0, 0), "FSRP.UEW 0:0(0) ack 0 win 0 urg 0");
    h.flags = 0;
    EXPECT_EQ(format_segment(h, 0, 0, 0), "none 0:0(0) win 0");
}

// With a timestamp, only three blocks fit in the option space; the wire carries the first three.
TEST(TraceFormat, SackBlocksThatDoNotFitAreLeftOut)
{
    const std::string all_four = ". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1,nop,nop,"
                                 "sack 4 {11:21}{31:41}{51:61}{71:81}>";
    Segment s{};
    std::string error;
    ASSERT_TRUE(parse_segment(all_four, 0, 0, &s, &error)) << error;
    EXPECT_EQ(format(s, {}), ". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1,nop,nop,"
                             "sack 3 {11:21}{31:41}{51:61}>");
}

TEST(TraceFormat, OutSegmentCarriesItsDataLength)
{
    atcp_out_segment seg{};
    seg.hdr.seq = 1001;
    seg.hdr.ack = 2001;
    seg.hdr.flags = ATCP_TCP_PSH | ATCP_TCP_ACK;
    seg.hdr.window = 512;
    seg.data_offset = 4096;
    seg.data_len = 1448;
    EXPECT_EQ(format_segment(seg, 1000, 2000), "P. 1:1449(1448) ack 1 win 512");
}

// Strings as format_segment prints them, so each must survive parse and format unchanged.
constexpr std::string_view kCanonical[] = {
    "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>",
    "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 2 ecr 1,nop,wscale 7>",
    "S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>",
    "S 0:0(0) win 29200 <mss 536>",
    "SEW 0:0(0) win 65535 <mss 1460>",
    ". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1>",
    ". 1:1(0) ack 1001 win 512 <nop,nop,TS val 5 ecr 1,nop,nop,"
    "sack 3 {2001:3001}{4001:5001}{6001:7001}>",
    ". 1:1(0) ack 1 win 512 <nop,nop,sack 4 {1001:2001}{3001:4001}{5001:6001}{7001:8001}>",
    "P. 1:101(100) ack 1 win 512",
    "FP. 101:201(100) ack 1 win 512",
    "F. 1:1(0) ack 1 win 512",
    ".U 1:2(1) ack 1 win 512 urg 1",
    "R 1:1(0) win 0",
    "R. 0:0(0) ack 1 win 0",
    "none 1:1(0) win 0",
};

TEST(TraceFormat, RoundTrip)
{
    for (const Bases& b : kBases) {
        for (const std::string_view text : kCanonical) {
            SCOPED_TRACE(testing::Message() << text << " bases " << b.seq << "/" << b.ack);
            EXPECT_EQ(format(parse(text, b), b), text);
        }
    }
}

// What format_segment prints is what a capture of the codec's bytes shows.
TEST(TraceFormat, AgreesWithTheBytes)
{
    for (const Bases& b : kBases) {
        for (const std::string_view text : kCanonical) {
            SCOPED_TRACE(testing::Message() << text << " bases " << b.seq << "/" << b.ack);
            const Segment s = parse(text, b);
            const atcp_tcp_header back = through_the_wire(s.hdr);
            EXPECT_EQ(back.header_len, s.hdr.header_len);
            EXPECT_EQ(format_segment(back, s.len, b.seq, b.ack), format(s, b));
        }
    }
}

TEST(TraceFormat, AgreesWithTheBytesWhenSackBlocksDoNotFit)
{
    atcp_tcp_header h = syn_with_all_options();
    h.flags = ATCP_TCP_ACK;
    h.opt.present = ATCP_OPT_TIMESTAMP | ATCP_OPT_SACK;
    h.opt.sack_count = ATCP_TCP_SACK_MAX;
    for (uint32_t i = 0; i < ATCP_TCP_SACK_MAX; ++i)
        h.opt.sack[i] = {.start = 100 * i, .end = 100 * i + 50};
    EXPECT_EQ(format_segment(through_the_wire(h), 0, 1, 2), format_segment(h, 0, 1, 2));
}

TEST(TraceMatch, SameStringMatches)
{
    for (const std::string_view text : kCanonical)
        EXPECT_PRED2(matches, text, text);
}

TEST(TraceMatch, DotsStandForOneWord)
{
    EXPECT_PRED2(matches, "P. ... ack 1 win ...", "P. 1:101(100) ack 1 win 512");
    EXPECT_PRED2(matches, "... 1:101(100) ... ... ... ...", "P. 1:101(100) ack 1 win 512");
    EXPECT_FALSE(matches("P. ... win 512", "P. 1:101(100) ack 1 win 512"));
    EXPECT_FALSE(matches("P. 1:101(100) ack 1 win 512 ...", "P. 1:101(100) ack 1 win 512"));
}

TEST(TraceMatch, DotsInBracketsStandForAnyOptionList)
{
    EXPECT_PRED2(matches, "S 0:0(0) win 65535 <...>",
                 "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>");
    EXPECT_PRED2(matches, "R. 0:0(0) ack 1 win 0 <...>", "R. 0:0(0) ack 1 win 0");
}

TEST(TraceMatch, DotsStandForOneOptionOrOneWordInIt)
{
    const std::string_view syn = "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>";
    EXPECT_PRED2(matches, "S 0:0(0) win 65535 <mss 1460,...,TS val ... ecr 0,...,wscale 7>", syn);
    EXPECT_FALSE(matches("S 0:0(0) win 65535 <mss 1460,...>", syn));
    EXPECT_FALSE(matches("S 0:0(0) win 65535 <mss 1460,...,TS val ... ecr 0,...,...,...>", syn));
}

TEST(TraceMatch, DifferingNumberDoesNotMatch)
{
    EXPECT_FALSE(matches("P. 1:101(100) ack 2 win 512", "P. 1:101(100) ack 1 win 512"));
    EXPECT_FALSE(matches("P. 1:101(100) ack 1 win 511", "P. 1:101(100) ack 1 win 512"));
    EXPECT_FALSE(matches(". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 2>",
                         ". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1>"));
    EXPECT_FALSE(matches(". 1:1(0) ack 1 win 1 <nop,nop,sack 1 {1:3}>",
                         ". 1:1(0) ack 1 win 1 <nop,nop,sack 1 {1:2}>"));
}

TEST(TraceMatch, OptionsMustBeThereOrNotAsThePatternSays)
{
    EXPECT_FALSE(
        matches(". 1:1(0) ack 1 win 512", ". 1:1(0) ack 1 win 512 <nop,nop,TS val 5 ecr 1>"));
    EXPECT_FALSE(matches(". 1:1(0) ack 1 win 512 <...,...,...>", ". 1:1(0) ack 1 win 512"));
}

TEST(TraceMatch, MalformedTextNeverMatches)
{
    EXPECT_FALSE(matches("S 0:0(0) win 1 <mss 1460", "S 0:0(0) win 1 <mss 1460"));
    EXPECT_FALSE(matches("S 0:0(0) win 1 <...> x", "S 0:0(0) win 1 <mss 1460> x"));
}

} // namespace
