// SPDX-License-Identifier: GPL-2.0
// Congestion control algorithms behind one table of hooks: CUBIC (RFC 9438)
// with HyStart++ (RFC 9406), the default, and NewReno (RFC 5681).  Loss
// recovery (fast retransmit, RFC 6582) is the engine's; it asks the table
// for the window's growth and the ssthresh after a loss, and nothing else
// branches on the algorithm.
#pragma once

#include "tcb.hpp"

namespace atcp {

struct CongestionOps {
    const char* name; // TCP_CONGESTION's, at most ATCP_CC_NAME_MAX - 1 bytes
    // An RTT sample (RFC 6298) from the ACK about to be processed.
    void (*on_rtt_sample)(Tcb& t, uint32_t rtt_us);
    // New data acknowledged outside recovery: grow cwnd.
    void (*on_ack)(Tcb& t, uint32_t acked, uint64_t now_us);
    // A loss was detected: the new ssthresh.  t.cwnd is still the window
    // the loss happened in; t.retries != 0 says a retransmission timeout
    // found it (the first when t.retries is 1).
    uint32_t (*ssthresh_after_loss)(Tcb& t, uint32_t flight);
};

extern const CongestionOps kNewReno;
extern const CongestionOps kCubic;

// The connection's algorithm.
const CongestionOps& cc_ops(const Tcb& t);

// RFC 5681 3.1: ssthresh starts arbitrarily high.
constexpr uint32_t kInitialSsthresh = 0x7fffffff;

// RFC 6928: the initial window.
constexpr uint32_t initial_window(uint32_t mss)
{
    return min_of(10 * mss, max_of(2 * mss, 14600u));
}

// floor(cbrt(x)), exactly.
uint32_t cube_root(uint64_t x);

} // namespace atcp
