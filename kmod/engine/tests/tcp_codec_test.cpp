// SPDX-License-Identifier: GPL-2.0
// Host tests for the TCP header and options codec: raw segment bytes in, fields out, and back.
#include <atcp/tcp_codec.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <source_location>
#include <span>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

// The fixed part of a header as a reader of a capture would describe it.
struct Fields {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0;
    uint16_t window = 0;
    uint16_t checksum = 0;
    uint16_t urgent = 0;
};

Bytes be16(uint16_t v)
{
    return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

Bytes be32(uint32_t v)
{
    return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
            static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes& part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

// Option bytes as they appear in a capture, for the options whose bodies are numbers.
Bytes timestamp(uint32_t val, uint32_t ecr)
{
    return cat({{0x08, 0x0a}, be32(val), be32(ecr)});
}

Bytes block(uint32_t start, uint32_t end)
{
    return cat({be32(start), be32(end)});
}

// Encodes the header by hand, independently of the codec, so a byte order mistake in the codec
// cannot hide behind the same mistake here.  The data offset covers exactly the given options.
Bytes segment(const Fields& f, const Bytes& options = {}, const Bytes& payload = {})
{
    EXPECT_EQ(options.size() % 4, 0u) << "test bug: options must fill whole words";
    EXPECT_LE(options.size(), size_t{ATCP_TCP_OPT_MAX}) << "test bug: too many option bytes";
    const auto offset_words = static_cast<uint8_t>((ATCP_TCP_HDR_MIN + options.size()) / 4);
    return cat({be16(f.src_port),
                be16(f.dst_port),
                be32(f.seq),
                be32(f.ack),
                {static_cast<uint8_t>(offset_words << 4), f.flags},
                be16(f.window),
                be16(f.checksum),
                be16(f.urgent),
                options,
                payload});
}

Bytes with_data_offset(Bytes seg, uint8_t words)
{
    seg[12] = static_cast<uint8_t>(words << 4 | (seg[12] & 0x0f));
    return seg;
}

Bytes truncated(Bytes seg, size_t len)
{
    seg.resize(len);
    return seg;
}

// Parses from an exact-size heap copy, so ASan and valgrind flag any read past len.
atcp_codec_status parse_exact(std::span<const uint8_t> seg, atcp_tcp_header* out)
{
    const auto copy = std::make_unique<uint8_t[]>(seg.size());
    if (!seg.empty())
        std::memcpy(copy.get(), seg.data(), seg.size());
    return atcp_tcp_parse(copy.get(), seg.size(), out);
}

atcp_tcp_header parse(std::span<const uint8_t> seg,
                      std::source_location where = std::source_location::current())
{
    const testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()), "parse");
    atcp_tcp_header h{};
    EXPECT_EQ(parse_exact(seg, &h), ATCP_CODEC_OK);
    return h;
}

constexpr uint8_t kSentinel = 0xa5;

bool untouched(const atcp_tcp_header& h)
{
    const auto* bytes = reinterpret_cast<const uint8_t*>(&h);
    for (size_t i = 0; i < sizeof(h); ++i) {
        if (bytes[i] != kSentinel)
            return false;
    }
    return true;
}

// A failed parse must not leave a half-filled header behind for the caller to trust.
testing::AssertionResult rejects(std::span<const uint8_t> seg, atcp_codec_status want)
{
    atcp_tcp_header out;
    std::memset(&out, kSentinel, sizeof(out));
    const atcp_codec_status got = parse_exact(seg, &out);
    if (got != want)
        return testing::AssertionFailure() << "status " << got << ", want " << want;
    if (!untouched(out))
        return testing::AssertionFailure() << "status " << got << " but *out was modified";
    return testing::AssertionSuccess();
}

atcp_tcp_header header(const Fields& f)
{
    atcp_tcp_header h{};
    h.src_port = f.src_port;
    h.dst_port = f.dst_port;
    h.seq = f.seq;
    h.ack = f.ack;
    h.flags = f.flags;
    h.window = f.window;
    h.checksum = f.checksum;
    h.urgent = f.urgent;
    return h;
}

Bytes write(const atcp_tcp_header& h)
{
    Bytes buf(ATCP_TCP_HDR_MAX);
    buf.resize(atcp_tcp_write(&h, buf.data(), buf.size()));
    return buf;
}

void expect_same_header(const atcp_tcp_header& got, const atcp_tcp_header& want,
                        std::source_location where = std::source_location::current())
{
    const testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "compared here");
    EXPECT_EQ(got.src_port, want.src_port);
    EXPECT_EQ(got.dst_port, want.dst_port);
    EXPECT_EQ(got.seq, want.seq);
    EXPECT_EQ(got.ack, want.ack);
    EXPECT_EQ(got.header_len, want.header_len);
    EXPECT_EQ(got.flags, want.flags);
    EXPECT_EQ(got.window, want.window);
    EXPECT_EQ(got.checksum, want.checksum);
    EXPECT_EQ(got.urgent, want.urgent);
    EXPECT_EQ(got.opt.present, want.opt.present);
    EXPECT_EQ(got.opt.wscale, want.opt.wscale);
    EXPECT_EQ(got.opt.mss, want.opt.mss);
    EXPECT_EQ(got.opt.ts_val, want.opt.ts_val);
    EXPECT_EQ(got.opt.ts_ecr, want.opt.ts_ecr);
    ASSERT_EQ(got.opt.sack_count, want.opt.sack_count);
    for (size_t i = 0; i < want.opt.sack_count; ++i) {
        EXPECT_EQ(got.opt.sack[i].start, want.opt.sack[i].start) << "block " << i;
        EXPECT_EQ(got.opt.sack[i].end, want.opt.sack[i].end) << "block " << i;
    }
}

constexpr Fields kAck = {.src_port = 443,
                         .dst_port = 51234,
                         .seq = 0x8badf00d,
                         .ack = 0x0badcafe,
                         .flags = ATCP_TCP_ACK,
                         .window = 501};

// Linux 6.x SYN: mss 1460, sackOK, TS val 0x9c3e7a11 ecr 0, nop, wscale 7.
const Bytes kLinuxSynOptions = {
    0x02, 0x04, 0x05, 0xb4,                                     // mss 1460
    0x04, 0x02, 0x08, 0x0a, 0x9c, 0x3e, 0x7a, 0x11, 0, 0, 0, 0, // sackOK, TS
    0x01, 0x03, 0x03, 0x07,                                     // nop, wscale 7
};

TEST(TcpCodecParse, PlainHeaderFieldsInHostOrder)
{
    const Bytes seg = {
        0x01, 0xbb, 0xc8, 0x22, // 443 -> 51234
        0x8b, 0xad, 0xf0, 0x0d, // seq
        0x0b, 0xad, 0xca, 0xfe, // ack
        0x50, 0x38, 0x01, 0xf5, // offset 5, URG|ACK|PSH, window 501
        0x1c, 0x46, 0x01, 0x02, // checksum, urgent
    };
    const atcp_tcp_header h = parse(seg);
    EXPECT_EQ(h.src_port, 443);
    EXPECT_EQ(h.dst_port, 51234);
    EXPECT_EQ(h.seq, 0x8badf00du);
    EXPECT_EQ(h.ack, 0x0badcafeu);
    EXPECT_EQ(h.header_len, 20);
    EXPECT_EQ(h.flags, ATCP_TCP_URG | ATCP_TCP_ACK | ATCP_TCP_PSH);
    EXPECT_EQ(h.window, 501);
    EXPECT_EQ(h.checksum, 0x1c46);
    EXPECT_EQ(h.urgent, 0x0102);
    EXPECT_EQ(h.opt.present, 0);
    EXPECT_EQ(h.opt.sack_count, 0);
}

// RFC 9293 section 3.1: the reserved bits beside the data offset are ignored on receipt.
TEST(TcpCodecParse, ReservedBitsDoNotLeakIntoOffsetOrFlags)
{
    Bytes seg = segment(kAck);
    seg[12] |= 0x0f;
    const atcp_tcp_header h = parse(seg);
    EXPECT_EQ(h.header_len, 20);
    EXPECT_EQ(h.flags, ATCP_TCP_ACK);
}

TEST(TcpCodecParse, LinuxSynOptions)
{
    const Bytes seg = segment({.src_port = 54321,
                               .dst_port = 80,
                               .seq = 0x3b9aca00,
                               .flags = ATCP_TCP_SYN,
                               .window = 64240},
                              kLinuxSynOptions);
    const atcp_tcp_header h = parse(seg);
    EXPECT_EQ(h.src_port, 54321);
    EXPECT_EQ(h.dst_port, 80);
    EXPECT_EQ(h.seq, 0x3b9aca00u);
    EXPECT_EQ(h.ack, 0u);
    EXPECT_EQ(h.header_len, 40);
    EXPECT_EQ(h.flags, ATCP_TCP_SYN);
    EXPECT_EQ(h.window, 64240);
    EXPECT_EQ(h.opt.present,
              ATCP_OPT_MSS | ATCP_OPT_SACK_PERM | ATCP_OPT_TIMESTAMP | ATCP_OPT_WSCALE);
    EXPECT_EQ(h.opt.mss, 1460);
    EXPECT_EQ(h.opt.ts_val, 0x9c3e7a11u);
    EXPECT_EQ(h.opt.ts_ecr, 0u);
    EXPECT_EQ(h.opt.wscale, 7);
    EXPECT_EQ(h.opt.sack_count, 0);
}

TEST(TcpCodecParse, PayloadAfterHeaderIsNotOptions)
{
    const Bytes options = {0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2};
    // Payload bytes that would be a malformed option if the parser strayed into them.
    const Bytes payload = {0x02, 0x03, 0xff, 'h', 'e', 'l', 'l', 'o'};
    const atcp_tcp_header h = parse(segment(kAck, options, payload));
    EXPECT_EQ(h.header_len, 32);
    EXPECT_EQ(h.opt.present, ATCP_OPT_TIMESTAMP);
    EXPECT_EQ(h.opt.ts_val, 1u);
    EXPECT_EQ(h.opt.ts_ecr, 2u);
}

TEST(TcpCodecParse, EolEndsOptionsAndHidesGarbageAfterIt)
{
    const Bytes options = {
        0x02, 0x04, 0x05, 0xb4, // mss 1460
        0x00, 0x02, 0x03, 0xff, // eol, then an mss with a bad length
    };
    const atcp_tcp_header h = parse(segment(kAck, options));
    EXPECT_EQ(h.header_len, 28);
    EXPECT_EQ(h.opt.present, ATCP_OPT_MSS);
    EXPECT_EQ(h.opt.mss, 1460);
}

TEST(TcpCodecParse, EolFirstMeansNoOptions)
{
    const Bytes options = {0x00, 0x05, 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff};
    EXPECT_EQ(parse(segment(kAck, options)).opt.present, 0);
}

TEST(TcpCodecParse, NopPadding)
{
    const Bytes options = {
        0x01, 0x01, 0x01, 0x01, // nop x4
        0x01, 0x03, 0x03, 0x07, // nop, wscale 7
        0x01, 0x01, 0x01, 0x01, // trailing nops to the end of the header
    };
    const atcp_tcp_header h = parse(segment(kAck, options));
    EXPECT_EQ(h.opt.present, ATCP_OPT_WSCALE);
    EXPECT_EQ(h.opt.wscale, 7);
}

// RFC 9293 section 3.1: an unknown kind is skipped by its length.
TEST(TcpCodecParse, UnknownKindSkippedByLength)
{
    const Bytes options = {
        0x1e, 0x04, 0xde, 0xad, // kind 30 len 4
        0x02, 0x04, 0x05, 0xb4, // mss 1460
        0xfd, 0x02, 0x01, 0x01, // kind 253 len 2 (no body), nop, nop
    };
    const atcp_tcp_header h = parse(segment(kAck, options));
    EXPECT_EQ(h.opt.present, ATCP_OPT_MSS);
    EXPECT_EQ(h.opt.mss, 1460);
}

// RFC 7323 section 2.3: a shift above 14 is used as 14.
TEST(TcpCodecParse, WindowScaleClampedTo14)
{
    for (const uint8_t shift : {0, 14, 15, 255}) {
        SCOPED_TRACE(testing::Message() << "wscale " << int{shift});
        const atcp_tcp_header h = parse(segment(kAck, {0x01, 0x03, 0x03, shift}));
        EXPECT_EQ(h.opt.present, ATCP_OPT_WSCALE);
        EXPECT_EQ(h.opt.wscale, shift > 14 ? 14 : shift);
    }
}

TEST(TcpCodecParse, SackThreeBlocks)
{
    const Bytes options = cat({
        {0x01, 0x01, 0x05, 0x1a}, // nop, nop, SACK with three blocks
        block(1001, 2001),
        block(3001, 4001),
        block(0xfffffff0, 0x10), // wraps the sequence space
    });
    const atcp_tcp_header h = parse(segment(kAck, options));
    EXPECT_EQ(h.opt.present, ATCP_OPT_SACK);
    ASSERT_EQ(h.opt.sack_count, 3);
    EXPECT_EQ(h.opt.sack[0].start, 1001u);
    EXPECT_EQ(h.opt.sack[0].end, 2001u);
    EXPECT_EQ(h.opt.sack[1].start, 3001u);
    EXPECT_EQ(h.opt.sack[1].end, 4001u);
    EXPECT_EQ(h.opt.sack[2].start, 0xfffffff0u);
    EXPECT_EQ(h.opt.sack[2].end, 0x10u);
}

TEST(TcpCodecParse, SackOneToFourBlocks)
{
    for (uint8_t n = 1; n <= ATCP_TCP_SACK_MAX; ++n) {
        SCOPED_TRACE(testing::Message() << n << " blocks");
        Bytes options = {0x01, 0x01, 0x05, static_cast<uint8_t>(2 + 8 * n)};
        for (uint32_t i = 0; i < n; ++i)
            options = cat({options, block(100 * i, 100 * i + 50)});
        const atcp_tcp_header h = parse(segment(kAck, options));
        EXPECT_EQ(h.opt.present, ATCP_OPT_SACK);
        ASSERT_EQ(h.opt.sack_count, n);
        for (uint32_t i = 0; i < n; ++i) {
            EXPECT_EQ(h.opt.sack[i].start, 100 * i);
            EXPECT_EQ(h.opt.sack[i].end, 100 * i + 50);
        }
    }
}

TEST(TcpCodecParse, SackWithWrongSizeRejected)
{
    // RFC 2018 section 3: a SACK option is 2 + 8n bytes with n from 1 to 4.
    EXPECT_TRUE(rejects(segment(kAck, {0x01, 0x01, 0x05, 0x02}), ATCP_CODEC_BAD_OPTION));
    EXPECT_TRUE(
        rejects(segment(kAck, cat({{0x05, 0x0b}, Bytes(9, 0x11), {0x01}})), ATCP_CODEC_BAD_OPTION));
    // Five blocks are 42 bytes: more than the option space even with payload behind it.
    EXPECT_TRUE(rejects(segment(kAck, cat({{0x05, 0x2a}, Bytes(38, 0x22)}), Bytes(8, 0x22)),
                        ATCP_CODEC_BAD_OPTION));
}

TEST(TcpCodecParse, MalformedLengthsRejected)
{
    const struct {
        const char* why;
        Bytes options;
        Bytes payload;
    } cases[] = {
        {"length 0", {0x1e, 0x00, 0x01, 0x01}, {}},
        {"length 1", {0x1e, 0x01, 0x01, 0x01}, {}},
        {"unknown kind runs past the header", {0x01, 0x01, 0x1e, 0x04}, {}},
        {"timestamp runs into the payload", {0x01, 0x01, 0x08, 0x0a}, {0, 0, 0, 1, 0, 0, 0, 2}},
        {"kind as the last byte, no room for its length", {0x01, 0x01, 0x01, 0x02}, {}},
        {"mss len 3", {0x02, 0x03, 0x05, 0x01}, {}},
        {"mss len 5", {0x02, 0x05, 0x05, 0xb4, 0x00, 0x01, 0x01, 0x01}, {}},
        {"wscale len 4", {0x03, 0x04, 0x07, 0x00}, {}},
        {"sackOK len 3", {0x04, 0x03, 0x00, 0x01}, {}},
        {"timestamp len 8", {0x08, 0x08, 0, 0, 0, 1, 0, 0, 0x01, 0x01, 0x01, 0x01}, {}},
        {"good mss, then a bad option", {0x02, 0x04, 0x05, 0xb4, 0x03, 0x02, 0x01, 0x01}, {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.why);
        EXPECT_TRUE(rejects(segment(kAck, c.options, c.payload), ATCP_CODEC_BAD_OPTION));
    }
}

TEST(TcpCodecParse, ShorterThanFixedHeaderIsTruncated)
{
    const Bytes seg = segment(kAck);
    EXPECT_TRUE(rejects(truncated(seg, 0), ATCP_CODEC_TRUNCATED));
    EXPECT_TRUE(rejects(truncated(seg, 19), ATCP_CODEC_TRUNCATED));
}

TEST(TcpCodecParse, ShorterThanDataOffsetIsTruncated)
{
    // The data offset says 24 bytes but the capture stops after 20.
    const Bytes seg = truncated(segment(kAck, {0x02, 0x04, 0x05, 0xb4}), 20);
    EXPECT_TRUE(rejects(seg, ATCP_CODEC_TRUNCATED));
    EXPECT_TRUE(rejects(truncated(segment(kAck, kLinuxSynOptions), 39), ATCP_CODEC_TRUNCATED));
}

TEST(TcpCodecParse, DataOffsetBelowFiveWordsIsBadOffset)
{
    for (uint8_t words = 0; words < 5; ++words) {
        SCOPED_TRACE(testing::Message() << "data offset " << int{words});
        EXPECT_TRUE(rejects(with_data_offset(segment(kAck), words), ATCP_CODEC_BAD_OFFSET));
    }
}

TEST(TcpCodecParse, EveryPrefixOfSegmentStopsAtItsLength)
{
    const Bytes seg = segment(kAck, kLinuxSynOptions);
    for (size_t len = 0; len < seg.size(); ++len) {
        SCOPED_TRACE(testing::Message() << "len " << len);
        EXPECT_TRUE(rejects(truncated(seg, len), ATCP_CODEC_TRUNCATED));
    }
}

// Every byte value at every option position of a full option space.  The parse reads from an
// exact-size buffer, so a stray read past len shows up under ASan or valgrind; here it must
// only ever accept or reject the options, and never hand back impossible values.  The NOP and
// chained patterns put a kind or a length byte at every position, including the last.
TEST(TcpCodecParse, SingleByteCorruptionNeverEscapes)
{
    const Bytes linux_like = cat({
        {0x02, 0x04, 0x05, 0xb4}, // mss 1460
        {0x04, 0x02},             // sackOK
        timestamp(0x01020304, 0),
        {0x01, 0x03, 0x03, 0x07}, // nop, wscale 7
        {0x01, 0x01, 0x05, 0x12}, // nop, nop, SACK with two blocks
        block(1, 2),
        block(3, 4),
    });
    const Bytes nops(ATCP_TCP_OPT_MAX, 0x01);
    Bytes chained; // unknown kind 30, length 2, twenty times
    for (size_t i = 0; i < ATCP_TCP_OPT_MAX / 2; ++i)
        chained = cat({chained, {0x1e, 0x02}});

    for (const Bytes& pattern : {linux_like, nops, chained}) {
        SCOPED_TRACE(testing::Message() << "options " << testing::PrintToString(pattern));
        ASSERT_EQ(pattern.size(), size_t{ATCP_TCP_OPT_MAX});
        const Bytes clean = segment(kAck, pattern);
        ASSERT_EQ(parse(clean).header_len, ATCP_TCP_HDR_MAX);
        const auto seg = std::make_unique<uint8_t[]>(clean.size());
        std::memcpy(seg.get(), clean.data(), clean.size());

        for (size_t pos = ATCP_TCP_HDR_MIN; pos < clean.size(); ++pos) {
            for (unsigned v = 0; v <= 0xff; ++v) {
                seg[pos] = static_cast<uint8_t>(v);
                atcp_tcp_header h;
                std::memset(&h, kSentinel, sizeof(h));
                const atcp_codec_status status = atcp_tcp_parse(seg.get(), clean.size(), &h);
                if (status == ATCP_CODEC_OK) {
                    EXPECT_EQ(h.header_len, ATCP_TCP_HDR_MAX) << "byte " << v << " at " << pos;
                    EXPECT_LE(h.opt.sack_count, ATCP_TCP_SACK_MAX) << "byte " << v << " at " << pos;
                    EXPECT_LE(h.opt.wscale, ATCP_TCP_WSCALE_MAX) << "byte " << v << " at " << pos;
                } else {
                    EXPECT_EQ(status, ATCP_CODEC_BAD_OPTION) << "byte " << v << " at " << pos;
                    EXPECT_TRUE(untouched(h)) << "byte " << v << " at " << pos;
                }
            }
            seg[pos] = clean[pos];
        }
    }
}

TEST(TcpCodecWrite, PlainHeaderBigEndian)
{
    atcp_tcp_header h = header({.src_port = 0x1234,
                                .dst_port = 80,
                                .seq = 0x01020304,
                                .ack = 0xa0b0c0d0,
                                .flags = ATCP_TCP_ACK | ATCP_TCP_PSH,
                                .window = 0xfaf0,
                                .checksum = 0xbeef,
                                .urgent = 0x0102});
    h.header_len = 0xff; // documented as ignored
    const Bytes want = {
        0x12, 0x34, 0x00, 0x50, // ports
        0x01, 0x02, 0x03, 0x04, // seq
        0xa0, 0xb0, 0xc0, 0xd0, // ack
        0x50, 0x18, 0xfa, 0xf0, // offset 5, reserved 0, PSH|ACK, window
        0xbe, 0xef, 0x01, 0x02, // checksum as given, urgent
    };
    EXPECT_EQ(write(h), want);
}

atcp_tcp_header linux_syn()
{
    atcp_tcp_header h = header({.src_port = 54321,
                                .dst_port = 80,
                                .seq = 0x3b9aca00,
                                .flags = ATCP_TCP_SYN,
                                .window = 64240});
    h.opt.present = ATCP_OPT_MSS | ATCP_OPT_SACK_PERM | ATCP_OPT_TIMESTAMP | ATCP_OPT_WSCALE;
    h.opt.mss = 1460;
    h.opt.ts_val = 0x9c3e7a11;
    h.opt.wscale = 7;
    return h;
}

TEST(TcpCodecWrite, LinuxSynLayout)
{
    const Bytes out = write(linux_syn());
    ASSERT_EQ(out.size(), 40u);
    EXPECT_EQ(out[12], 0xa0);
    EXPECT_EQ(Bytes(out.begin() + 20, out.end()), kLinuxSynOptions);
}

TEST(TcpCodecWrite, TimestampWithoutSackPermittedIsNopPadded)
{
    atcp_tcp_header h = header(kAck);
    h.opt.present = ATCP_OPT_TIMESTAMP;
    h.opt.ts_val = 0x11223344;
    h.opt.ts_ecr = 0x55667788;
    const Bytes out = write(h);
    ASSERT_EQ(out.size(), 32u);
    EXPECT_EQ(Bytes(out.begin() + 20, out.end()),
              cat({{0x01, 0x01}, timestamp(0x11223344, 0x55667788)}));
}

TEST(TcpCodecWrite, SackPermittedWithoutTimestampIsNopPadded)
{
    atcp_tcp_header h = header(kAck);
    h.opt.present = ATCP_OPT_SACK_PERM;
    const Bytes out = write(h);
    ASSERT_EQ(out.size(), 24u);
    EXPECT_EQ(Bytes(out.begin() + 20, out.end()), Bytes({0x01, 0x01, 0x04, 0x02}));
}

atcp_tcp_header ack_with_sack(uint8_t blocks, bool timestamp)
{
    atcp_tcp_header h = header(kAck);
    h.opt.present = ATCP_OPT_SACK;
    h.opt.sack_count = blocks;
    for (uint32_t i = 0; i < blocks; ++i)
        h.opt.sack[i] = {1000 * (i + 1), 1000 * (i + 1) + 500};
    if (timestamp) {
        h.opt.present |= ATCP_OPT_TIMESTAMP;
        h.opt.ts_val = 7;
        h.opt.ts_ecr = 9;
    }
    return h;
}

TEST(TcpCodecWrite, TimestampAndThreeSackBlocksFillOptionSpace)
{
    const Bytes out = write(ack_with_sack(3, true));
    ASSERT_EQ(out.size(), 60u); // 12 + 4 + 24 = 40 option bytes
    const Bytes want = cat({
        {0x01, 0x01},
        timestamp(7, 9),
        {0x01, 0x01, 0x05, 0x1a}, // nop, nop, SACK with three blocks
        block(1000, 1500),
        block(2000, 2500),
        block(3000, 3500),
    });
    EXPECT_EQ(Bytes(out.begin() + 20, out.end()), want);
}

TEST(TcpCodecWrite, FourthSackBlockDroppedBesideTimestamp)
{
    // The option space is 40 bytes; the timestamp leaves room for three blocks, not four.
    const Bytes out = write(ack_with_sack(4, true));
    ASSERT_EQ(out.size(), 60u);
    EXPECT_EQ(out, write(ack_with_sack(3, true)));
}

TEST(TcpCodecWrite, FourSackBlocksWithoutTimestamp)
{
    const Bytes out = write(ack_with_sack(4, false));
    ASSERT_EQ(out.size(), 56u); // 4 + 32 = 36 option bytes
    const Bytes want = cat({
        {0x01, 0x01, 0x05, 0x22}, // nop, nop, SACK with four blocks
        block(1000, 1500),
        block(2000, 2500),
        block(3000, 3500),
        block(4000, 4500),
    });
    EXPECT_EQ(Bytes(out.begin() + 20, out.end()), want);
}

// Every combination of option kinds and SACK block counts.
TEST(TcpCodecWrite, OptionsLenMatchesWrite)
{
    constexpr uint8_t kAllOptions =
        ATCP_OPT_MSS | ATCP_OPT_WSCALE | ATCP_OPT_SACK_PERM | ATCP_OPT_TIMESTAMP | ATCP_OPT_SACK;
    for (unsigned present = 0; present <= kAllOptions; ++present) {
        for (uint8_t blocks = 0; blocks <= ATCP_TCP_SACK_MAX; ++blocks) {
            SCOPED_TRACE(testing::Message()
                         << "present " << present << ", " << int{blocks} << " SACK blocks");
            atcp_tcp_header h = ack_with_sack(blocks, false);
            h.opt.present = static_cast<uint8_t>(present);
            h.opt.mss = 1460;
            h.opt.wscale = 7;
            const size_t len = atcp_tcp_options_len(&h.opt);
            EXPECT_EQ(len % 4, 0u);
            EXPECT_LE(len, size_t{ATCP_TCP_OPT_MAX});
            EXPECT_EQ(write(h).size(), ATCP_TCP_HDR_MIN + len);
        }
    }
}

// Writes into a buffer of exactly cap bytes followed by a guard, so an overrun is caught twice:
// by the guard bytes here and by ASan or valgrind on the exact-size allocation.
TEST(TcpCodecWrite, NeverWritesPastCap)
{
    constexpr uint8_t kGuard = 0xee;
    const struct {
        const char* why;
        atcp_tcp_header hdr;
        size_t needed;
    } cases[] = {
        {"no options", header(kAck), 20},
        {"Linux SYN options", linux_syn(), 40},
        {"timestamp and three SACK blocks", ack_with_sack(3, true), 60},
        {"four SACK blocks", ack_with_sack(4, false), 56},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.why);
        for (const size_t cap : {size_t{0}, c.needed - 1, c.needed}) {
            SCOPED_TRACE(testing::Message() << "cap " << cap);
            const auto exact = std::make_unique<uint8_t[]>(cap);
            std::memset(exact.get(), kGuard, cap);
            EXPECT_EQ(atcp_tcp_write(&c.hdr, exact.get(), cap), cap == c.needed ? cap : 0);

            Bytes guarded(cap + 16, kGuard);
            const size_t len = atcp_tcp_write(&c.hdr, guarded.data(), cap);
            if (len == 0)
                EXPECT_EQ(guarded, Bytes(cap + 16, kGuard)) << "a refused write touched buf";
            else
                EXPECT_EQ(Bytes(guarded.begin() + static_cast<std::ptrdiff_t>(cap), guarded.end()),
                          Bytes(16, kGuard));
        }
    }
}

void expect_round_trip(atcp_tcp_header want,
                       std::source_location where = std::source_location::current())
{
    const Bytes wire = write(want);
    want.header_len = static_cast<uint8_t>(wire.size());
    expect_same_header(parse(wire, where), want, where);
}

TEST(TcpCodecRoundTrip, PlainAck)
{
    expect_round_trip(header({.src_port = 443,
                              .dst_port = 51234,
                              .seq = 0xfffffffe,
                              .ack = 0x00000001,
                              .flags = ATCP_TCP_ACK | ATCP_TCP_PSH | ATCP_TCP_FIN,
                              .window = 0xffff,
                              .checksum = 0x1234,
                              .urgent = 0}));
}

TEST(TcpCodecRoundTrip, SynWithAllOptions)
{
    atcp_tcp_header h = linux_syn();
    h.flags |= ATCP_TCP_ECE | ATCP_TCP_CWR;
    h.opt.wscale = ATCP_TCP_WSCALE_MAX;
    expect_round_trip(h);
}

TEST(TcpCodecRoundTrip, AckWithTimestampAndSack)
{
    expect_round_trip(ack_with_sack(3, true));
}

TEST(TcpCodecRoundTrip, AckWithFourSackBlocks)
{
    expect_round_trip(ack_with_sack(4, false));
}

} // namespace
