// SPDX-License-Identifier: GPL-2.0
/*
 * The connection rate limit of nowait.N, counted as BSD inetd counts it: a
 * window opens at a connection and lasts a minute; a connection beyond the
 * N-th inside it trips the limit, and the service is paused.
 */
#pragma once

#include <chrono>

namespace atcp_inetd {

using Clock = std::chrono::steady_clock;

class RateWindow {
  public:
    static constexpr auto window = std::chrono::seconds(60);

    // Counts a connection at now; false when it is one too many.
    // max_per_minute 0 admits everything.
    bool admit(Clock::time_point now, unsigned max_per_minute);
    // After a pause the service starts afresh.
    void reset() { count_ = 0; }

  private:
    Clock::time_point start_{};
    unsigned count_ = 0;
};

} // namespace atcp_inetd
