// SPDX-License-Identifier: GPL-2.0
#include "internal.h"

#include <cstdio>

namespace atcp_inetd {

namespace {

struct NamedInternal {
    Internal service;
    std::string_view name;
};

constexpr std::array<NamedInternal, 5> internals = {{
    {Internal::echo, "echo"},
    {Internal::discard, "discard"},
    {Internal::chargen, "chargen"},
    {Internal::daytime, "daytime"},
    {Internal::time, "time"},
}};

} // namespace

std::optional<Internal> internal_by_name(std::string_view name)
{
    for (const auto& entry : internals)
        if (entry.name == name)
            return entry.service;
    return std::nullopt;
}

std::string_view internal_name(Internal service)
{
    for (const auto& entry : internals)
        if (entry.service == service)
            return entry.name;
    return "?";
}

std::string internal_names()
{
    std::string names;
    for (const auto& entry : internals) {
        if (!names.empty())
            names += ", ";
        names += entry.name;
    }
    return names;
}

bool internal_is_long_lived(Internal service)
{
    return service == Internal::echo || service == Internal::discard ||
           service == Internal::chargen;
}

void Chargen::fill(std::span<char> out)
{
    for (char& byte : out) {
        uint64_t line = offset_ / line_bytes;
        uint64_t column = offset_ % line_bytes;
        if (column < line_chars)
            byte = char(first_char + (line + column) % printable_count);
        else
            byte = column == line_chars ? '\r' : '\n';
        ++offset_;
    }
}

std::string daytime_text(const std::tm& local_time)
{
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const char* day =
        local_time.tm_wday >= 0 && local_time.tm_wday < 7 ? days[local_time.tm_wday] : "???";
    const char* month =
        local_time.tm_mon >= 0 && local_time.tm_mon < 12 ? months[local_time.tm_mon] : "???";
    char text[64];
    // ctime(3)'s layout; unlike ctime, a year past 9999 cannot overflow the buffer.
    snprintf(text, sizeof(text), "%s %s %2d %02d:%02d:%02d %d\r\n", day, month, local_time.tm_mday,
             local_time.tm_hour, local_time.tm_min, local_time.tm_sec, local_time.tm_year + 1900);
    return text;
}

std::array<uint8_t, 4> time_bytes(int64_t unix_seconds)
{
    auto since_1900 = uint32_t(uint64_t(unix_seconds + seconds_from_1900_to_1970));
    return {uint8_t(since_1900 >> 24), uint8_t(since_1900 >> 16), uint8_t(since_1900 >> 8),
            uint8_t(since_1900)};
}

} // namespace atcp_inetd
