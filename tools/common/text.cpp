// SPDX-License-Identifier: GPL-2.0
#include "text.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>

namespace atcp_tools {

std::optional<std::string> read_file(const std::string& path)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    // /proc files report a size of 0: read until the end instead.
    std::string text;
    char buf[8192];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        text.append(buf, static_cast<size_t>(n));
    close(fd);
    if (n < 0)
        return std::nullopt;
    return text;
}

std::vector<std::string_view> split_lines(std::string_view text)
{
    std::vector<std::string_view> lines = split(text, '\n');
    if (!lines.empty() && lines.back().empty())
        lines.pop_back();
    for (std::string_view& line : lines) {
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
    }
    return lines;
}

std::vector<std::string_view> split_words(std::string_view text)
{
    std::vector<std::string_view> words;
    size_t i = 0;
    while (true) {
        i = text.find_first_not_of(" \t", i);
        if (i == std::string_view::npos)
            return words;
        size_t end = text.find_first_of(" \t", i);
        words.push_back(text.substr(i, end == std::string_view::npos ? end : end - i));
        if (end == std::string_view::npos)
            return words;
        i = end;
    }
}

std::vector<std::string_view> split(std::string_view text, char sep)
{
    std::vector<std::string_view> fields;
    while (true) {
        size_t at = text.find(sep);
        fields.push_back(text.substr(0, at));
        if (at == std::string_view::npos)
            return fields;
        text.remove_prefix(at + 1);
    }
}

namespace {

// The whole of text as a T, nothing before or after it.
template <typename T> std::optional<T> parse_whole(std::string_view text)
{
    T value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace

std::optional<uint64_t> parse_uint(std::string_view text)
{
    // from_chars takes no '+', but would take a '-' for 0: digits only here.
    if (text.empty() || text[0] < '0' || text[0] > '9')
        return std::nullopt;
    return parse_whole<uint64_t>(text);
}

std::optional<int64_t> parse_int(std::string_view text)
{
    return parse_whole<int64_t>(text);
}

std::optional<uint64_t> parse_number(std::string_view text, uint64_t min, uint64_t max)
{
    auto value = parse_uint(text);
    if (!value || *value < min || *value > max)
        return std::nullopt;
    return value;
}

} // namespace atcp_tools
