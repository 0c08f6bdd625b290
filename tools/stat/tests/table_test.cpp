// SPDX-License-Identifier: GPL-2.0
// The text table: widths, alignment, and no trailing blanks.
#include "table.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_tools;
using A = Table::Align;

TEST(Table, AlignsColumnsToTheWidestCell)
{
    Table t({{"USER"}, {"PID", A::right}, {"COMMAND"}});
    t.add({"root", "1", "init"});
    t.add({"www-data", "12345", "python3 -m http.server"});
    EXPECT_EQ(t.render(), "USER       PID COMMAND\n"
                          "root         1 init\n"
                          "www-data 12345 python3 -m http.server\n");
}

TEST(Table, GapAndShortRows)
{
    Table t({{"A"}, {"B"}, {"C"}}, 2);
    t.add({"x"});
    t.add({"long", "y", ""});
    EXPECT_EQ(t.render(), "A     B  C\n"
                          "x\n"
                          "long  y\n");
}

TEST(Table, HeadingOnly)
{
    Table t({{"Counter"}, {"Value", A::right}});
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(t.render(), "Counter Value\n");
}

} // namespace
