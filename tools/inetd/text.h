// SPDX-License-Identifier: GPL-2.0
/*
 * Small string helpers the parsers share.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace atcp_inetd {

// Lines without their terminators; a final line without '\n' counts.
std::vector<std::string_view> split_lines(std::string_view text);

// Fields separated by blanks (spaces and tabs), as inetd.conf and services(5) have them.
std::vector<std::string_view> split_fields(std::string_view line);

// A decimal number from min to max, all digits, no sign: or nothing.
std::optional<uint64_t> parse_number(std::string_view text, uint64_t min, uint64_t max);

} // namespace atcp_inetd
