// SPDX-License-Identifier: GPL-2.0
// User names from a passwd(5) fixture, without NSS.
#include "users.h"

#include "text.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_tools;

Users fixture()
{
    auto text = read_file(ATCP_TOOLS_TESTDATA "/passwd");
    EXPECT_TRUE(text);
    return Users::parse(text.value_or(""));
}

TEST(Users, NamesUids)
{
    Users u = fixture();
    EXPECT_EQ(u.name(0), "root"); // not root2: the first entry wins
    EXPECT_EQ(u.name(33), "www-data");
    EXPECT_EQ(u.name(65534), "nobody");
    EXPECT_EQ(u.name(4242), "4242");
}

TEST(Users, NamesAndNumbersGiveUids)
{
    Users u = fixture();
    EXPECT_EQ(u.uid("alice"), 1000u);
    EXPECT_EQ(u.uid("root2"), 0u);
    EXPECT_EQ(u.uid("4242"), 4242u);
    EXPECT_FALSE(u.uid("mallory"));
    EXPECT_FALSE(u.uid("broken line"));
}

} // namespace
