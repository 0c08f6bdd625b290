// SPDX-License-Identifier: GPL-2.0
#include "json.h"

#include <cstdio>

namespace atcp_tools {

namespace {

// The length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_length(std::string_view s, size_t i)
{
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    size_t n;
    uint32_t cp;
    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        n = 2, cp = b & 0x1f;
    else if (b >= 0xe0 && b <= 0xef)
        n = 3, cp = b & 0x0f;
    else if (b >= 0xf0 && b <= 0xf4)
        n = 4, cp = b & 0x07;
    else
        return 0;
    if (i + n > s.size())
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (byte(i + k) & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

} // namespace

std::string json_quote(std::string_view s)
{
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f) {
            char esc[8];
            std::snprintf(esc, sizeof(esc), "\\u%04x", c);
            out += esc;
        } else if (c >= 0x80) {
            size_t n = utf8_length(s, i);
            if (n == 0) {
                out += "\\ufffd";
                i++;
                continue;
            }
            out.append(s.substr(i, n));
            i += n;
            continue;
        } else {
            out += static_cast<char>(c);
        }
        i++;
    }
    return out + "\"";
}

void Json::before_value()
{
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back())
            out_ += ',';
        first_.back() = false;
    }
    flush_newline();
}

void Json::flush_newline()
{
    if (newline_) {
        out_ += '\n';
        newline_ = false;
    }
}

Json& Json::begin_object()
{
    before_value();
    out_ += '{';
    first_.push_back(true);
    return *this;
}

Json& Json::end_object()
{
    flush_newline();
    first_.pop_back();
    out_ += '}';
    return *this;
}

Json& Json::begin_array()
{
    before_value();
    out_ += '[';
    first_.push_back(true);
    return *this;
}

Json& Json::end_array()
{
    flush_newline();
    first_.pop_back();
    out_ += ']';
    return *this;
}

Json& Json::key(std::string_view name)
{
    before_value();
    out_ += json_quote(name);
    out_ += ':';
    after_key_ = true;
    return *this;
}

Json& Json::string(std::string_view s)
{
    before_value();
    out_ += json_quote(s);
    return *this;
}

Json& Json::number(uint64_t n)
{
    before_value();
    out_ += std::to_string(n);
    return *this;
}

Json& Json::signed_number(int64_t n)
{
    before_value();
    out_ += std::to_string(n);
    return *this;
}

Json& Json::decimal(std::string_view digits)
{
    before_value();
    out_ += digits;
    return *this;
}

Json& Json::boolean(bool b)
{
    before_value();
    out_ += b ? "true" : "false";
    return *this;
}

Json& Json::null()
{
    before_value();
    out_ += "null";
    return *this;
}

Json& Json::newline()
{
    newline_ = true;
    return *this;
}

} // namespace atcp_tools
