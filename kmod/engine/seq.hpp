// SPDX-License-Identifier: GPL-2.0
// Sequence number arithmetic: comparisons modulo 2^32 (RFC 9293 section 3.4).
#pragma once

#include <stdint.h>

namespace atcp {

constexpr bool seq_lt(uint32_t a, uint32_t b)
{
    return static_cast<int32_t>(a - b) < 0;
}
constexpr bool seq_le(uint32_t a, uint32_t b)
{
    return static_cast<int32_t>(a - b) <= 0;
}
constexpr bool seq_gt(uint32_t a, uint32_t b)
{
    return seq_lt(b, a);
}
constexpr bool seq_ge(uint32_t a, uint32_t b)
{
    return seq_le(b, a);
}
constexpr uint32_t seq_max(uint32_t a, uint32_t b)
{
    return seq_gt(a, b) ? a : b;
}
constexpr uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

// lo <= x < hi, modulo 2^32.
constexpr bool seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
    return x - lo < hi - lo;
}

template <typename T> constexpr T min_of(T a, T b)
{
    return a < b ? a : b;
}
template <typename T> constexpr T max_of(T a, T b)
{
    return a < b ? b : a;
}

} // namespace atcp
