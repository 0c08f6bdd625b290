// SPDX-License-Identifier: GPL-2.0
/*
 * The services inetd answers itself ("internal" in inetd.conf), the stream
 * variants: echo (RFC 862), discard (RFC 863), chargen (RFC 864), daytime
 * (RFC 867) and time (RFC 868).  This file is the pure part, the bytes each
 * one sends; internal_serve.h moves them over a socket.
 */
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace atcp_inetd {

enum class Internal { echo, discard, chargen, daytime, time };

std::optional<Internal> internal_by_name(std::string_view name);
std::string_view internal_name(Internal service);
// "echo, discard, chargen, daytime, time", for messages.
std::string internal_names();

// echo, discard and chargen last as long as the client stays, so they run
// in a child; daytime and time answer at once from the event loop.
bool internal_is_long_lived(Internal service);

// RFC 864's pattern: lines of 72 characters from the 95 printable ASCII
// characters (' ' to '~') in order, each line starting one character
// further along, ended by CR LF.
class Chargen {
  public:
    static constexpr size_t line_chars = 72;
    static constexpr size_t line_bytes = line_chars + 2;
    static constexpr int first_char = ' ';
    static constexpr int printable_count = 95;

    // The next out.size() bytes of the endless stream.
    void fill(std::span<char> out);

  private:
    uint64_t offset_ = 0; // bytes of the stream already produced
};

// RFC 867 leaves the format open; like BSD inetd we send ctime(3)'s
// "Thu Nov 21 12:34:56 2026" of the local time, ended by CR LF.
std::string daytime_text(const std::tm& local_time);

// RFC 868: seconds since 1900-01-01 00:00 UTC as a 32-bit big-endian
// number, wrapping (in 2036) as the RFC's 32 bits must.
constexpr int64_t seconds_from_1900_to_1970 = 2208988800;
std::array<uint8_t, 4> time_bytes(int64_t unix_seconds);

} // namespace atcp_inetd
