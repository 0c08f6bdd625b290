// SPDX-License-Identifier: GPL-2.0
// TCP header and options codec (RFC 9293 section 3.1, RFC 7323, RFC 2018).
#include <atcp/tcp_codec.h>

#include "wire.hpp"

namespace atcp {
namespace {

constexpr size_t kMssLen = 4;
constexpr size_t kWindowScaleLen = 3;
constexpr size_t kSackPermittedLen = 2;
constexpr size_t kTimestampLen = 10;

// Applies one option with a valid length to opt; false if the length is wrong for its kind.
bool apply_option(uint8_t kind, const uint8_t* body, size_t len, atcp_tcp_options& opt)
{
    switch (kind) {
    case ATCP_TCPOPT_MSS:
        if (len != kMssLen)
            return false;
        opt.mss = wire::load16(body);
        opt.present |= ATCP_OPT_MSS;
        return true;
    case ATCP_TCPOPT_WSCALE:
        if (len != kWindowScaleLen)
            return false;
        // RFC 7323 section 2.3: a shift above 14 is used as 14.
        opt.wscale = body[0] > ATCP_TCP_WSCALE_MAX ? ATCP_TCP_WSCALE_MAX : body[0];
        opt.present |= ATCP_OPT_WSCALE;
        return true;
    case ATCP_TCPOPT_SACK_PERM:
        if (len != kSackPermittedLen)
            return false;
        opt.present |= ATCP_OPT_SACK_PERM;
        return true;
    case ATCP_TCPOPT_TIMESTAMP:
        if (len != kTimestampLen)
            return false;
        opt.ts_val = wire::load32(body);
        opt.ts_ecr = wire::load32(body + 4);
        opt.present |= ATCP_OPT_TIMESTAMP;
        return true;
    case ATCP_TCPOPT_SACK: {
        // RFC 2018 section 3: 2 + 8n bytes, at most four blocks fit.
        const size_t blocks = (len - 2) / ATCP_TCP_SACK_BLOCK_LEN;
        if ((len - 2) % ATCP_TCP_SACK_BLOCK_LEN != 0 || blocks == 0 || blocks > ATCP_TCP_SACK_MAX)
            return false;
        for (size_t i = 0; i < blocks; ++i) {
            opt.sack[i].start = wire::load32(body + i * ATCP_TCP_SACK_BLOCK_LEN);
            opt.sack[i].end = wire::load32(body + i * ATCP_TCP_SACK_BLOCK_LEN + 4);
        }
        opt.sack_count = static_cast<uint8_t>(blocks);
        opt.present |= ATCP_OPT_SACK;
        return true;
    }
    default:
        // RFC 9293 section 3.1: options we do not know are skipped by their length.
        return true;
    }
}

atcp_codec_status parse_options(const uint8_t* p, size_t len, atcp_tcp_options& opt)
{
    size_t i = 0;
    while (i < len) {
        const uint8_t kind = p[i];
        if (kind == ATCP_TCPOPT_EOL)
            break;
        if (kind == ATCP_TCPOPT_NOP) {
            ++i;
            continue;
        }
        // RFC 9293 section 3.2: an illegal length (zero, one, or past the header) is malformed.
        if (i + 1 >= len)
            return ATCP_CODEC_BAD_OPTION;
        const size_t opt_len = p[i + 1];
        if (opt_len < 2 || i + opt_len > len)
            return ATCP_CODEC_BAD_OPTION;
        if (!apply_option(kind, p + i + 2, opt_len, opt))
            return ATCP_CODEC_BAD_OPTION;
        i += opt_len;
    }
    return ATCP_CODEC_OK;
}

bool has(const atcp_tcp_options& opt, atcp_tcp_option bit)
{
    return (opt.present & bit) != 0;
}

// SACK blocks that fit beside the other options in the 40-byte option space.
size_t sack_blocks_that_fit(const atcp_tcp_options& opt, size_t used)
{
    if (!has(opt, ATCP_OPT_SACK) || used + 4 + ATCP_TCP_SACK_BLOCK_LEN > ATCP_TCP_OPT_MAX)
        return 0;
    size_t blocks = (ATCP_TCP_OPT_MAX - used - 4) / ATCP_TCP_SACK_BLOCK_LEN;
    return blocks < opt.sack_count ? blocks : opt.sack_count;
}

class OptionWriter {
  public:
    explicit OptionWriter(uint8_t* p) : p_(p) {}

    void put(uint8_t byte) { p_[n_++] = byte; }
    void put16(uint16_t v)
    {
        wire::store16(p_ + n_, v);
        n_ += 2;
    }
    void put32(uint32_t v)
    {
        wire::store32(p_ + n_, v);
        n_ += 4;
    }
    size_t written() const { return n_; }

  private:
    uint8_t* p_;
    size_t n_ = 0;
};

// Linux's layout (tcp_options_write), so captures of both stacks read alike.
size_t write_options(const atcp_tcp_options& opt, uint8_t* p)
{
    OptionWriter w(p);
    if (has(opt, ATCP_OPT_MSS)) {
        w.put(ATCP_TCPOPT_MSS);
        w.put(kMssLen);
        w.put16(opt.mss);
    }
    if (has(opt, ATCP_OPT_TIMESTAMP)) {
        if (has(opt, ATCP_OPT_SACK_PERM)) {
            w.put(ATCP_TCPOPT_SACK_PERM);
            w.put(kSackPermittedLen);
        } else {
            w.put(ATCP_TCPOPT_NOP);
            w.put(ATCP_TCPOPT_NOP);
        }
        w.put(ATCP_TCPOPT_TIMESTAMP);
        w.put(kTimestampLen);
        w.put32(opt.ts_val);
        w.put32(opt.ts_ecr);
    } else if (has(opt, ATCP_OPT_SACK_PERM)) {
        w.put(ATCP_TCPOPT_NOP);
        w.put(ATCP_TCPOPT_NOP);
        w.put(ATCP_TCPOPT_SACK_PERM);
        w.put(kSackPermittedLen);
    }
    if (has(opt, ATCP_OPT_WSCALE)) {
        w.put(ATCP_TCPOPT_NOP);
        w.put(ATCP_TCPOPT_WSCALE);
        w.put(kWindowScaleLen);
        w.put(opt.wscale);
    }
    const size_t blocks = sack_blocks_that_fit(opt, w.written());
    if (blocks > 0) {
        w.put(ATCP_TCPOPT_NOP);
        w.put(ATCP_TCPOPT_NOP);
        w.put(ATCP_TCPOPT_SACK);
        w.put(static_cast<uint8_t>(2 + blocks * ATCP_TCP_SACK_BLOCK_LEN));
        for (size_t i = 0; i < blocks; ++i) {
            w.put32(opt.sack[i].start);
            w.put32(opt.sack[i].end);
        }
    }
    return w.written();
}

} // namespace
} // namespace atcp

using namespace atcp;

extern "C" atcp_codec_status atcp_tcp_parse(const uint8_t* seg, size_t len, atcp_tcp_header* out)
{
    if (len < ATCP_TCP_HDR_MIN)
        return ATCP_CODEC_TRUNCATED;
    const size_t header_len = static_cast<size_t>(seg[12] >> 4) * 4;
    if (header_len < ATCP_TCP_HDR_MIN)
        return ATCP_CODEC_BAD_OFFSET;
    if (header_len > len)
        return ATCP_CODEC_TRUNCATED;

    atcp_tcp_header h{};
    h.src_port = wire::load16(seg);
    h.dst_port = wire::load16(seg + 2);
    h.seq = wire::load32(seg + 4);
    h.ack = wire::load32(seg + 8);
    h.header_len = static_cast<uint8_t>(header_len);
    h.flags = seg[13];
    h.window = wire::load16(seg + 14);
    h.checksum = wire::load16(seg + 16);
    h.urgent = wire::load16(seg + 18);
    const atcp_codec_status status =
        parse_options(seg + ATCP_TCP_HDR_MIN, header_len - ATCP_TCP_HDR_MIN, h.opt);
    if (status == ATCP_CODEC_OK)
        *out = h;
    return status;
}

extern "C" size_t atcp_tcp_options_len(const atcp_tcp_options* opt)
{
    uint8_t scratch[ATCP_TCP_OPT_MAX];
    return write_options(*opt, scratch);
}

extern "C" size_t atcp_tcp_write(const atcp_tcp_header* hdr, uint8_t* buf, size_t cap)
{
    const size_t header_len = ATCP_TCP_HDR_MIN + atcp_tcp_options_len(&hdr->opt);
    if (cap < header_len)
        return 0;
    wire::store16(buf, hdr->src_port);
    wire::store16(buf + 2, hdr->dst_port);
    wire::store32(buf + 4, hdr->seq);
    wire::store32(buf + 8, hdr->ack);
    buf[12] = static_cast<uint8_t>((header_len / 4) << 4);
    buf[13] = hdr->flags;
    wire::store16(buf + 14, hdr->window);
    wire::store16(buf + 16, hdr->checksum);
    wire::store16(buf + 18, hdr->urgent);
    write_options(hdr->opt, buf + ATCP_TCP_HDR_MIN);
    return header_len;
}
