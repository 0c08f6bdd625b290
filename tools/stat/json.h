// SPDX-License-Identifier: GPL-2.0
/*
 * A JSON writer that places the commas: begin/end objects and arrays, keys,
 * values.  Strings are escaped; bytes that are not UTF-8 (a command line
 * may hold any) become U+FFFD so that the output always parses.
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace atcp_tools {

// s as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

class Json {
  public:
    Json& begin_object();
    Json& end_object();
    Json& begin_array();
    Json& end_array();
    Json& key(std::string_view name);
    Json& string(std::string_view s);
    Json& number(uint64_t n);
    Json& signed_number(int64_t n);
    Json& decimal(std::string_view digits); // an already formatted number, e.g. "0.5"
    Json& boolean(bool b);
    Json& null();
    // A line break before the next element (after its comma) or before the
    // closing bracket: one element per line.
    Json& newline();

    const std::string& text() const { return out_; }

  private:
    void before_value();
    void flush_newline();
    std::string out_;
    std::vector<bool> first_; // per open container: no element yet
    bool after_key_ = false;
    bool newline_ = false;
};

} // namespace atcp_tools
