// SPDX-License-Identifier: GPL-2.0
/*
 * nowait.N: N connections a minute, counted as BSD inetd counts them.
 */
#include "rate_limit.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_inetd;
using std::chrono::seconds;

const Clock::time_point start = Clock::time_point() + std::chrono::hours(1000);

TEST(InetdRate, AdmitsNThenRefuses)
{
    RateWindow rate;
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(rate.admit(start + seconds(i), 3)) << i;
    EXPECT_FALSE(rate.admit(start + seconds(10), 3));
    EXPECT_FALSE(rate.admit(start + seconds(59), 3));
}

TEST(InetdRate, TheWindowIsAMinuteFromItsFirstConnection)
{
    RateWindow rate;
    EXPECT_TRUE(rate.admit(start, 2));
    EXPECT_TRUE(rate.admit(start + seconds(30), 2));
    // A minute after the first, a new window opens.
    EXPECT_TRUE(rate.admit(start + seconds(60), 2));
    EXPECT_TRUE(rate.admit(start + seconds(61), 2));
    EXPECT_FALSE(rate.admit(start + seconds(62), 2));
}

TEST(InetdRate, ZeroIsNoLimit)
{
    RateWindow rate;
    for (int i = 0; i < 100000; ++i)
        ASSERT_TRUE(rate.admit(start, 0));
}

TEST(InetdRate, ResetStartsAfresh)
{
    RateWindow rate;
    EXPECT_TRUE(rate.admit(start, 1));
    EXPECT_FALSE(rate.admit(start + seconds(1), 1));
    rate.reset();
    EXPECT_TRUE(rate.admit(start + seconds(2), 1));
    EXPECT_FALSE(rate.admit(start + seconds(3), 1));
}

} // namespace
