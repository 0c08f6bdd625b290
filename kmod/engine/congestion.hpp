// SPDX-License-Identifier: GPL-2.0
// The congestion control algorithm behind a small interface: NewReno now,
// CUBIC later.  Loss recovery (fast retransmit, RFC 6582) is the engine's.
#pragma once

#include "tcb.hpp"

namespace atcp {

struct CongestionOps {
    // New data acknowledged outside recovery: grow cwnd.
    void (*on_ack)(Tcb& t, uint32_t acked);
    // A loss was detected: the new ssthresh.
    uint32_t (*ssthresh_after_loss)(const Tcb& t, uint32_t flight);
};

extern const CongestionOps kNewReno;

// RFC 6928: the initial window.
constexpr uint32_t initial_window(uint32_t mss)
{
    return min_of(10 * mss, max_of(2 * mss, 14600u));
}

} // namespace atcp
