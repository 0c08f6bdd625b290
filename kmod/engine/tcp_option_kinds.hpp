// SPDX-License-Identifier: GPL-2.0
// TCP option kinds and sizes on the wire (RFC 9293 3.2, RFC 7323, RFC 2018).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace atcp {

enum OptionKind : uint8_t {
    kEol = 0,
    kNop = 1,
    kMss = 2,
    kWindowScale = 3,
    kSackPermitted = 4,
    kSack = 5,
    kTimestamp = 8,
};

constexpr size_t kSackBlockLen = 8;

} // namespace atcp
