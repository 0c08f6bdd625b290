// SPDX-License-Identifier: GPL-2.0
// tcpdump's notation for segments: parsing into codec headers, formatting from them, matching.
#include "trace.hpp"

#include "../wire.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace atcp::test {
namespace {

// tcpdump's order, so "FP." comes out as tcpdump prints it.
constexpr struct {
    uint8_t bit;
    char letter;
} kFlagLetters[] = {
    {ATCP_TCP_FIN, 'F'}, {ATCP_TCP_SYN, 'S'}, {ATCP_TCP_RST, 'R'}, {ATCP_TCP_PSH, 'P'},
    {ATCP_TCP_ACK, '.'}, {ATCP_TCP_URG, 'U'}, {ATCP_TCP_ECE, 'E'}, {ATCP_TCP_CWR, 'W'},
};

constexpr std::string_view kNoFlags = "none";

// The IP header's ECN field (RFC 3168 5), written before the flags as
// packetdrill writes it; Not-ECT is written as nothing.
constexpr std::string_view kEcnNames[] = {"[noecn]", "[ect1]", "[ect0]", "[ce]"};
constexpr std::string_view kAny = "...";
constexpr std::string_view kSpace = " \t\n";

std::string_view trim(std::string_view s)
{
    const size_t first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::vector<std::string_view> words(std::string_view s)
{
    std::vector<std::string_view> out;
    for (s = trim(s); !s.empty(); s = trim(s)) {
        const size_t end = std::min(s.find_first_of(kSpace), s.size());
        out.push_back(s.substr(0, end));
        s.remove_prefix(end);
    }
    return out;
}

// The items of an option list; a blank list has none, so "<>" reads as no options.
std::vector<std::string_view> items(std::string_view list)
{
    std::vector<std::string_view> out;
    if (trim(list).empty())
        return out;
    for (size_t comma; (comma = list.find(',')) != std::string_view::npos;) {
        out.push_back(trim(list.substr(0, comma)));
        list.remove_prefix(comma + 1);
    }
    out.push_back(trim(list));
    return out;
}

bool to_number(std::string_view s, uint32_t max, uint32_t* v)
{
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return ec == std::errc{} && end == s.data() + s.size() && *v <= max;
}

std::string quote(std::string_view s)
{
    return '"' + std::string(s) + '"';
}

// A segment's text split around its option list.
struct Sections {
    std::string_view head = {};    // flags and fields, before '<'
    std::string_view options = {}; // between '<' and '>'
    std::string_view open = {};    // from '<' on, to name an unterminated list
    std::string_view tail = {};    // after '>'
    bool terminated = true;
};

Sections sections(std::string_view text)
{
    const size_t open = text.find('<');
    if (open == std::string_view::npos)
        return {.head = text};
    const size_t close = text.find('>', open);
    if (close == std::string_view::npos)
        return {.head = text.substr(0, open), .open = text.substr(open), .terminated = false};
    return {.head = text.substr(0, open),
            .options = text.substr(open + 1, close - open - 1),
            .open = text.substr(open),
            .tail = text.substr(close + 1)};
}

// The words of a segment's head or of one option, taken front to back.
class Tokens {
  public:
    explicit Tokens(std::string_view text) : words_(words(text)) {}

    bool empty() const { return next_ == words_.size(); }
    std::string_view peek() const { return empty() ? std::string_view{} : words_[next_]; }
    std::string_view take() { return empty() ? std::string_view{} : words_[next_++]; }

  private:
    std::vector<std::string_view> words_;
    size_t next_ = 0;
};

class Parser {
  public:
    Parser(uint32_t seq_base, uint32_t ack_base, std::string* error)
        : seq_base_(seq_base), ack_base_(ack_base), error_(error)
    {
    }

    bool segment(std::string_view text, Segment* out);

  private:
    bool fail(std::string message);
    bool number(Tokens& t, std::string_view what, uint32_t max, uint32_t* v);
    bool keyword(Tokens& t, std::string_view word, std::string_view option);
    bool ecn(Tokens& t);
    bool flags(std::string_view word);
    bool range(std::string_view word);
    bool fields(Tokens& t);
    bool field(std::string_view key, uint32_t value);
    bool options(const Sections& s);
    bool option(std::string_view text);
    bool claim(atcp_tcp_option bit, std::string_view text);
    bool mss(Tokens& t);
    bool wscale(Tokens& t);
    bool timestamp(Tokens& t, std::string_view text);
    bool sack(Tokens& t, std::string_view text);
    bool sack_block(std::string_view block, atcp_sack_block* out);

    uint32_t seq_base_;
    uint32_t ack_base_;
    std::string* error_;
    Segment seg_{};
};

bool Parser::fail(std::string message)
{
    if (error_ != nullptr)
        *error_ = std::move(message);
    return false;
}

bool Parser::number(Tokens& t, std::string_view what, uint32_t max, uint32_t* v)
{
    if (t.empty())
        return fail(quote(what) + " needs a number");
    const std::string_view word = t.take();
    if (!to_number(word, max, v))
        return fail(quote(word) + " after " + quote(what) + " is not a number up to " +
                    std::to_string(max));
    return true;
}

bool Parser::keyword(Tokens& t, std::string_view word, std::string_view option)
{
    if (t.take() == word)
        return true;
    return fail(quote(option) + " needs " + quote(word) + " here");
}

bool Parser::segment(std::string_view text, Segment* out)
{
    const Sections s = sections(text);
    Tokens head(s.head);
    if (!ecn(head))
        return false;
    if (head.empty())
        return fail("no flags in " + quote(text));
    if (!flags(head.take()))
        return false;
    if (head.empty())
        return fail("no sequence number in " + quote(text));
    if (!range(head.take()) || !fields(head) || !options(s))
        return false;
    seg_.hdr.header_len =
        static_cast<uint8_t>(ATCP_TCP_HDR_MIN + atcp_tcp_options_len(&seg_.hdr.opt));
    *out = seg_;
    return true;
}

// An optional "[noecn]", "[ect1]", "[ect0]" or "[ce]".
bool Parser::ecn(Tokens& t)
{
    if (!t.peek().starts_with('['))
        return true;
    const std::string_view word = t.take();
    const auto* name = std::find(std::begin(kEcnNames), std::end(kEcnNames), word);
    if (name == std::end(kEcnNames))
        return fail("unknown ECN codepoint " + quote(word) + ", want [noecn] [ect1] [ect0] [ce]");
    seg_.hdr.ecn = static_cast<uint8_t>(name - std::begin(kEcnNames));
    return true;
}

bool Parser::flags(std::string_view word)
{
    if (word == kNoFlags)
        return true;
    for (const char c : word) {
        const auto* f = std::find_if(std::begin(kFlagLetters), std::end(kFlagLetters),
                                     [c](const auto& entry) { return entry.letter == c; });
        if (f == std::end(kFlagLetters))
            return fail("unknown flag '" + std::string(1, c) + "' in " + quote(word));
        if ((seg_.hdr.flags & f->bit) != 0)
            return fail("flag '" + std::string(1, c) + "' twice in " + quote(word));
        seg_.hdr.flags |= f->bit;
    }
    return true;
}

// "SEQ:END(LEN)", or just "SEQ" for an empty segment.
bool Parser::range(std::string_view word)
{
    uint32_t seq, end, len;
    const size_t colon = word.find(':');
    const size_t paren = word.find('(');
    if (colon == std::string_view::npos) {
        if (!to_number(word, UINT32_MAX, &seq))
            return fail("bad sequence number " + quote(word));
        end = seq;
        len = 0;
    } else if (paren < colon || paren == std::string_view::npos || !word.ends_with(')') ||
               !to_number(word.substr(0, colon), UINT32_MAX, &seq) ||
               !to_number(word.substr(colon + 1, paren - colon - 1), UINT32_MAX, &end) ||
               !to_number(word.substr(paren + 1, word.size() - paren - 2), UINT32_MAX, &len)) {
        return fail("bad range " + quote(word) + ", want SEQ:END(LEN)");
    }
    // Modulo 2^32, so a range may cross the wrap of the relative numbers too.
    if (end - seq != len)
        return fail("range " + quote(word) + " spans " + std::to_string(end - seq) +
                    " bytes, not " + std::to_string(len));
    seg_.hdr.seq = seq_base_ + seq;
    seg_.len = len;
    return true;
}

// "ack N", "win N" and "urg N", each at most once and in the order tcpdump prints them.
bool Parser::fields(Tokens& t)
{
    static constexpr std::string_view kKeys[] = {"ack", "win", "urg"};
    const auto* next = std::begin(kKeys);
    while (!t.empty()) {
        const std::string_view key = t.peek();
        const auto* k = std::find(next, std::end(kKeys), key);
        if (k == std::end(kKeys))
            return fail("unexpected " + quote(key) +
                        ": after the range come ack, win, urg, each once, then <options>");
        t.take();
        uint32_t value;
        if (!number(t, key, key == "ack" ? UINT32_MAX : UINT16_MAX, &value) || !field(key, value))
            return false;
        next = k + 1;
    }
    return true;
}

bool Parser::field(std::string_view key, uint32_t value)
{
    atcp_tcp_header& h = seg_.hdr;
    if (key == "win") {
        h.window = static_cast<uint16_t>(value);
        return true;
    }
    const bool is_ack = key == "ack";
    if ((h.flags & (is_ack ? ATCP_TCP_ACK : ATCP_TCP_URG)) == 0)
        return fail(quote(key) + " without the " + (is_ack ? "'.'" : "'U'") +
                    " flag, which tcpdump would not print");
    if (is_ack)
        h.ack = ack_base_ + value;
    else
        h.urgent = static_cast<uint16_t>(value);
    return true;
}

bool Parser::options(const Sections& s)
{
    if (!s.terminated)
        return fail("unterminated option list " + quote(s.open));
    if (!trim(s.tail).empty())
        return fail("trailing " + quote(trim(s.tail)) + " after the option list");
    for (const std::string_view item : items(s.options)) {
        if (item.empty())
            return fail("empty option in " + quote(s.open));
        if (!option(item))
            return false;
    }
    return true;
}

bool Parser::option(std::string_view text)
{
    Tokens t(text);
    const std::string_view name = t.take();
    bool ok = true;
    if (name == "mss")
        ok = claim(ATCP_OPT_MSS, text) && mss(t);
    else if (name == "wscale")
        ok = claim(ATCP_OPT_WSCALE, text) && wscale(t);
    else if (name == "sackOK")
        ok = claim(ATCP_OPT_SACK_PERM, text);
    else if (name == "TS")
        ok = claim(ATCP_OPT_TIMESTAMP, text) && timestamp(t, text);
    else if (name == "sack")
        ok = claim(ATCP_OPT_SACK, text) && sack(t, text);
    else if (name != "nop" && name != "eol")
        return fail("unknown option " + quote(text));
    if (ok && !t.empty())
        return fail("unexpected " + quote(t.peek()) + " in option " + quote(text));
    return ok;
}

bool Parser::claim(atcp_tcp_option bit, std::string_view text)
{
    if ((seg_.hdr.opt.present & bit) != 0)
        return fail("option " + quote(text) + " given twice");
    seg_.hdr.opt.present |= bit;
    return true;
}

bool Parser::mss(Tokens& t)
{
    uint32_t value;
    if (!number(t, "mss", UINT16_MAX, &value))
        return false;
    seg_.hdr.opt.mss = static_cast<uint16_t>(value);
    return true;
}

bool Parser::wscale(Tokens& t)
{
    uint32_t shift;
    if (!number(t, "wscale", UINT8_MAX, &shift))
        return false;
    seg_.hdr.opt.wscale = static_cast<uint8_t>(std::min<uint32_t>(shift, ATCP_TCP_WSCALE_MAX));
    return true;
}

bool Parser::timestamp(Tokens& t, std::string_view text)
{
    atcp_tcp_options& opt = seg_.hdr.opt;
    return keyword(t, "val", text) && number(t, "val", UINT32_MAX, &opt.ts_val) &&
           keyword(t, "ecr", text) && number(t, "ecr", UINT32_MAX, &opt.ts_ecr);
}

// "sack N {a:b}{c:d}...": the count, then the blocks in one word as tcpdump prints them.
bool Parser::sack(Tokens& t, std::string_view text)
{
    uint32_t count;
    if (!number(t, "sack", ATCP_TCP_SACK_MAX, &count))
        return false;
    if (count == 0)
        return fail(quote(text) + ": a SACK option carries 1 to " +
                    std::to_string(ATCP_TCP_SACK_MAX) + " blocks");
    atcp_tcp_options& opt = seg_.hdr.opt;
    for (std::string_view rest = t.take(); !rest.empty(); ++opt.sack_count) {
        if (opt.sack_count == ATCP_TCP_SACK_MAX)
            return fail("more than " + std::to_string(ATCP_TCP_SACK_MAX) + " blocks in " +
                        quote(text));
        // Up to the next '}', or all that is left when there is none, to show it in the error.
        const size_t block_len = std::min(rest.find('}'), rest.size() - 1) + 1;
        if (!sack_block(rest.substr(0, block_len), &opt.sack[opt.sack_count]))
            return false;
        rest.remove_prefix(block_len);
    }
    if (opt.sack_count != count)
        return fail(quote(text) + " has " + std::to_string(opt.sack_count) + " blocks, not " +
                    std::to_string(count));
    return true;
}

// "{START:END}", both relative to ack_base.
bool Parser::sack_block(std::string_view block, atcp_sack_block* out)
{
    const size_t colon = block.find(':');
    uint32_t start, end;
    if (!block.starts_with('{') || !block.ends_with('}') || colon == std::string_view::npos ||
        !to_number(block.substr(1, colon - 1), UINT32_MAX, &start) ||
        !to_number(block.substr(colon + 1, block.size() - colon - 2), UINT32_MAX, &end))
        return fail("bad SACK block " + quote(block) + ", want {START:END}");
    out->start = ack_base_ + start;
    out->end = ack_base_ + end;
    return true;
}

std::string flags_text(uint8_t flags)
{
    std::string out;
    for (const auto& f : kFlagLetters) {
        if ((flags & f.bit) != 0)
            out += f.letter;
    }
    return out.empty() ? std::string(kNoFlags) : out;
}

// One option as tcpdump prints it, from its kind and body.
std::string option_text(uint8_t kind, const uint8_t* body, size_t body_len, uint32_t ack_base)
{
    switch (kind) {
    case ATCP_TCPOPT_MSS:
        return "mss " + std::to_string(wire::load16(body));
    case ATCP_TCPOPT_WSCALE:
        return "wscale " + std::to_string(body[0]);
    case ATCP_TCPOPT_SACK_PERM:
        return "sackOK";
    case ATCP_TCPOPT_SACK: {
        std::string out = "sack " + std::to_string(body_len / ATCP_TCP_SACK_BLOCK_LEN) + " ";
        for (size_t i = 0; i + ATCP_TCP_SACK_BLOCK_LEN <= body_len; i += ATCP_TCP_SACK_BLOCK_LEN)
            out += "{" + std::to_string(wire::load32(body + i) - ack_base) + ":" +
                   std::to_string(wire::load32(body + i + 4) - ack_base) + "}";
        return out;
    }
    case ATCP_TCPOPT_TIMESTAMP:
        return "TS val " + std::to_string(wire::load32(body)) + " ecr " +
               std::to_string(wire::load32(body + 4));
    default:
        return "unknown-" + std::to_string(kind);
    }
}

// Walks the options as written, so the text shows the codec's padding and SACK truncation.
std::string options_text(const atcp_tcp_header& h, uint32_t ack_base)
{
    // A buffer of the largest header: the write cannot run out of room.
    uint8_t buf[ATCP_TCP_HDR_MAX];
    const size_t end = atcp_tcp_write(&h, buf, sizeof(buf));
    std::string out;
    for (size_t i = ATCP_TCP_HDR_MIN; i < end;) {
        if (!out.empty())
            out += ",";
        const uint8_t kind = buf[i];
        if (kind == ATCP_TCPOPT_EOL)
            return out + "eol"; // tcpdump reads no further
        if (kind == ATCP_TCPOPT_NOP) {
            out += "nop";
            ++i;
            continue;
        }
        // tcpdump's mark for a length that leaves the header; only a codec bug gets here.
        const size_t len = i + 1 < end ? buf[i + 1] : 0;
        if (len < 2 || i + len > end)
            return out + "[bad opt]";
        out += option_text(kind, buf + i + 2, len - 2, ack_base);
        i += len;
    }
    return out;
}

bool words_match(std::string_view pattern, std::string_view formatted)
{
    const std::vector<std::string_view> p = words(pattern);
    const std::vector<std::string_view> f = words(formatted);
    if (p.size() != f.size())
        return false;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] != kAny && p[i] != f[i])
            return false;
    }
    return true;
}

bool options_match(std::string_view pattern, std::string_view formatted)
{
    if (trim(pattern) == kAny)
        return true;
    const std::vector<std::string_view> p = items(pattern);
    const std::vector<std::string_view> f = items(formatted);
    if (p.size() != f.size())
        return false;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] != kAny && !words_match(p[i], f[i]))
            return false;
    }
    return true;
}

bool well_formed(const Sections& s)
{
    return s.terminated && trim(s.tail).empty();
}

} // namespace

bool parse_segment(std::string_view text, uint32_t seq_base, uint32_t ack_base, Segment* out,
                   std::string* error)
{
    return Parser(seq_base, ack_base, error).segment(text, out);
}

std::string format_segment(const atcp_tcp_header& h, uint32_t len, uint32_t seq_base,
                           uint32_t ack_base)
{
    const uint32_t seq = h.seq - seq_base;
    std::string out = h.ecn != ATCP_ECN_NOT_ECT && h.ecn < std::size(kEcnNames)
                          ? std::string(kEcnNames[h.ecn]) + " "
                          : std::string();
    out += flags_text(h.flags) + " " + std::to_string(seq) + ":" + std::to_string(seq + len) + "(" +
           std::to_string(len) + ")";
    if ((h.flags & ATCP_TCP_ACK) != 0)
        out += " ack " + std::to_string(h.ack - ack_base);
    out += " win " + std::to_string(h.window);
    if ((h.flags & ATCP_TCP_URG) != 0)
        out += " urg " + std::to_string(h.urgent);
    const std::string options = options_text(h, ack_base);
    if (!options.empty())
        out += " <" + options + ">";
    return out;
}

std::string format_segment(const atcp_out_segment& seg, uint32_t seq_base, uint32_t ack_base)
{
    return format_segment(seg.hdr, seg.data_len, seq_base, ack_base);
}

bool matches(std::string_view pattern, std::string_view formatted)
{
    const Sections p = sections(pattern);
    const Sections f = sections(formatted);
    return well_formed(p) && well_formed(f) && words_match(p.head, f.head) &&
           options_match(p.options, f.options);
}

} // namespace atcp::test
