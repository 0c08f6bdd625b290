// SPDX-License-Identifier: GPL-2.0
/*
 * Small text helpers for the files the tools read (/proc, services, passwd,
 * inetd.conf).
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atcp_tools {

// The whole file, or nullopt when it cannot be read (errno says why).
std::optional<std::string> read_file(const std::string& path);

// Lines without their terminators ("\n" or "\r\n"), empty ones kept but for
// a last one after the final newline.
std::vector<std::string_view> split_lines(std::string_view text);
// Split at runs of spaces and tabs; no empty words.
std::vector<std::string_view> split_words(std::string_view text);
// Split at every sep, empty fields kept.
std::vector<std::string_view> split(std::string_view text, char sep);

// Decimal digits only (no sign, no spaces), fitting in 64 bits.
std::optional<uint64_t> parse_uint(std::string_view text);
// An optional '-' and decimal digits.
std::optional<int64_t> parse_int(std::string_view text);
// parse_uint's number, from min to max.
std::optional<uint64_t> parse_number(std::string_view text, uint64_t min, uint64_t max);

} // namespace atcp_tools
