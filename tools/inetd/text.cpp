// SPDX-License-Identifier: GPL-2.0
#include "text.h"

namespace atcp_inetd {

std::vector<std::string_view> split_lines(std::string_view text)
{
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

std::vector<std::string_view> split_fields(std::string_view line)
{
    std::vector<std::string_view> fields;
    constexpr std::string_view blanks = " \t";
    for (;;) {
        auto start = line.find_first_not_of(blanks);
        if (start == std::string_view::npos)
            return fields;
        line.remove_prefix(start);
        auto end = line.find_first_of(blanks);
        fields.push_back(line.substr(0, end));
        if (end == std::string_view::npos)
            return fields;
        line.remove_prefix(end);
    }
}

std::optional<uint64_t> parse_number(std::string_view text, uint64_t min, uint64_t max)
{
    // More digits than any limit we use would overflow before the range check.
    if (text.empty() || text.size() > 10)
        return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + uint64_t(c - '0');
    }
    if (value < min || value > max)
        return std::nullopt;
    return value;
}

} // namespace atcp_inetd
