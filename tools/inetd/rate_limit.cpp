// SPDX-License-Identifier: GPL-2.0
#include "rate_limit.h"

namespace atcp_inetd {

bool RateWindow::admit(Clock::time_point now, unsigned max_per_minute)
{
    if (max_per_minute == 0)
        return true;
    if (count_ == 0 || now - start_ >= window) {
        start_ = now;
        count_ = 0;
    }
    ++count_;
    return count_ <= max_per_minute;
}

} // namespace atcp_inetd
