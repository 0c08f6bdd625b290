// SPDX-License-Identifier: GPL-2.0
// Network byte order loads and stores: the engine's only view of raw bytes.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace atcp::wire {

constexpr uint16_t load16(const uint8_t* p)
{
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

constexpr uint32_t load32(const uint8_t* p)
{
    return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
           static_cast<uint32_t>(p[2]) << 8 | p[3];
}

constexpr void store16(uint8_t* p, uint16_t v)
{
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

constexpr void store32(uint8_t* p, uint32_t v)
{
    store16(p, static_cast<uint16_t>(v >> 16));
    store16(p + 2, static_cast<uint16_t>(v));
}

} // namespace atcp::wire
