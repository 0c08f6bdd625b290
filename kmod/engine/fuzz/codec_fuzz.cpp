// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the TCP codec: parsing arbitrary bytes, and writing back what was parsed.
//
// The input is parsed as a segment; whatever parses must describe those bytes and survive
// atcp_tcp_write and a second parse unchanged.  The same bytes, read as a header structure with
// arbitrary fields, must also write into something that parses back to them.
#include <atcp/tcp_codec.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

void check(bool ok, const char* what)
{
    if (!ok) {
        std::fprintf(stderr, "codec_fuzz: %s\n", what);
        std::abort();
    }
}

uint16_t load16(const uint8_t* p)
{
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

uint32_t load32(const uint8_t* p)
{
    return uint32_t{load16(p)} << 16 | load16(p + 2);
}

bool has(const atcp_tcp_options& o, uint8_t bit)
{
    return (o.present & bit) != 0;
}

// SACK blocks atcp_tcp_write keeps beside the other options, in Linux's layout.
uint8_t sack_blocks_written(const atcp_tcp_options& o)
{
    if (!has(o, ATCP_OPT_SACK))
        return 0;
    size_t used = has(o, ATCP_OPT_MSS) ? 4 : 0;
    if (has(o, ATCP_OPT_TIMESTAMP))
        used += 12;
    else if (has(o, ATCP_OPT_SACK_PERM))
        used += 4;
    if (has(o, ATCP_OPT_WSCALE))
        used += 4;
    if (used + 4 + 8 > ATCP_TCP_OPT_MAX)
        return 0;
    const size_t fit = (ATCP_TCP_OPT_MAX - used - 4) / 8;
    return static_cast<uint8_t>(fit < o.sack_count ? fit : o.sack_count);
}

// Writes h, parses the result, and checks every field came back; wscale as parsing clamps it.
void round_trip(const atcp_tcp_header& h)
{
    uint8_t buf[ATCP_TCP_HDR_MAX];
    const size_t n = atcp_tcp_write(&h, buf, sizeof(buf));
    check(n >= ATCP_TCP_HDR_MIN && n <= ATCP_TCP_HDR_MAX && n % 4 == 0,
          "write returned an impossible header length");
    check(n == ATCP_TCP_HDR_MIN + atcp_tcp_options_len(&h.opt),
          "atcp_tcp_options_len disagrees with atcp_tcp_write");

    // One byte short: nothing may be written, and nothing past the buffer (ASan watches).
    std::vector<uint8_t> small(n - 1);
    check(atcp_tcp_write(&h, small.data(), small.size()) == 0, "write into too small a buffer");

    atcp_tcp_header p;
    check(atcp_tcp_parse(buf, n, &p) == ATCP_CODEC_OK, "a written header does not parse");
    check(p.src_port == h.src_port && p.dst_port == h.dst_port && p.seq == h.seq &&
              p.ack == h.ack && p.flags == h.flags && p.window == h.window &&
              p.checksum == h.checksum && p.urgent == h.urgent && p.header_len == n,
          "fixed fields changed in the round trip");

    const atcp_tcp_options& a = h.opt;
    const atcp_tcp_options& b = p.opt;
    const uint8_t sacks = sack_blocks_written(a);
    const uint8_t want = static_cast<uint8_t>(
        (a.present & (ATCP_OPT_MSS | ATCP_OPT_WSCALE | ATCP_OPT_SACK_PERM | ATCP_OPT_TIMESTAMP)) |
        (sacks > 0 ? ATCP_OPT_SACK : 0));
    check(b.present == want, "the options present changed in the round trip");
    check(!has(a, ATCP_OPT_MSS) || b.mss == a.mss, "MSS changed");
    check(!has(a, ATCP_OPT_WSCALE) ||
              b.wscale == (a.wscale > ATCP_TCP_WSCALE_MAX ? ATCP_TCP_WSCALE_MAX : a.wscale),
          "window scale changed");
    check(!has(a, ATCP_OPT_TIMESTAMP) || (b.ts_val == a.ts_val && b.ts_ecr == a.ts_ecr),
          "timestamps changed");
    check(b.sack_count == sacks, "SACK block count changed");
    for (uint8_t i = 0; i < sacks; ++i)
        check(b.sack[i].start == a.sack[i].start && b.sack[i].end == a.sack[i].end,
              "a SACK block changed");
}

void parse_bytes(const uint8_t* data, size_t size)
{
    atcp_tcp_header h;
    std::memset(&h, 0xa5, sizeof(h));
    const atcp_codec_status status = atcp_tcp_parse(data, size, &h);
    if (status != ATCP_CODEC_OK) {
        check(status == ATCP_CODEC_TRUNCATED || status == ATCP_CODEC_BAD_OFFSET ||
                  status == ATCP_CODEC_BAD_OPTION,
              "parse returned an unknown status");
        check(status != ATCP_CODEC_TRUNCATED || size < ATCP_TCP_HDR_MIN ||
                  static_cast<size_t>(data[12] >> 4) * 4 > size,
              "TRUNCATED for a segment holding its whole header");
        check(status != ATCP_CODEC_BAD_OFFSET || data[12] >> 4 < 5,
              "BAD_OFFSET for a data offset of 5 words or more");
        return;
    }
    check(size >= ATCP_TCP_HDR_MIN, "a segment shorter than a header parsed");
    check(h.header_len == (data[12] >> 4) * 4 && h.header_len >= ATCP_TCP_HDR_MIN &&
              h.header_len <= size,
          "header_len is not the data offset, or runs past the segment");
    check(h.src_port == load16(data) && h.dst_port == load16(data + 2) &&
              h.seq == load32(data + 4) && h.ack == load32(data + 8) && h.flags == data[13] &&
              h.window == load16(data + 14) && h.checksum == load16(data + 16) &&
              h.urgent == load16(data + 18),
          "fixed fields differ from the bytes");
    const atcp_tcp_options& o = h.opt;
    check((o.present & ~0x1f) == 0, "unknown option bits");
    check(!has(o, ATCP_OPT_WSCALE) || o.wscale <= ATCP_TCP_WSCALE_MAX, "wscale not clamped");
    check(o.sack_count <= ATCP_TCP_SACK_MAX, "more SACK blocks than fit");
    check(has(o, ATCP_OPT_SACK) == (o.sack_count > 0), "SACK bit and block count disagree");
    round_trip(h);
}

// The bytes as a header structure with arbitrary field values, counts and padding.
void write_struct(const uint8_t* data, size_t size)
{
    atcp_tcp_header h;
    std::memset(&h, 0, sizeof(h));
    std::memcpy(&h, data, size < sizeof(h) ? size : sizeof(h));
    round_trip(h);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    parse_bytes(data, size);
    write_struct(data, size);
    return 0;
}
