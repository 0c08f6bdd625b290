// SPDX-License-Identifier: GPL-2.0
/*
 * SIGHUP's plan: which services start, stop, change or stay.
 */
#include "reload.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_inetd;

std::vector<ServiceEntry> services(std::string_view text)
{
    Lookups lookups;
    lookups.user = [](const std::string& name) -> std::optional<UserInfo> {
        if (name == "root")
            return UserInfo{0, 0};
        if (name == "nobody")
            return UserInfo{65534, 65534};
        return std::nullopt;
    };
    auto result = parse_config(text, "inetd.conf", lookups);
    for (const auto& d : result.diagnostics)
        ADD_FAILURE() << d.text();
    return result.services;
}

using Indexes = std::vector<size_t>;

TEST(InetdReload, AddedRemovedChangedUnchanged)
{
    auto running = services("7001 stream atcp nowait root /bin/cat\n"
                            "7002 stream atcp nowait root /bin/cat\n"
                            "7003 stream atcp nowait root /bin/cat\n");
    auto wanted = services("# 7002 is gone and 7004 new; 7003 runs as nobody now\n"
                           "7003 stream atcp nowait nobody /bin/cat\n"
                           "7001 stream atcp nowait root /bin/cat\n"
                           "7004 stream atcp nowait root /bin/cat\n");
    auto plan = plan_reload(running, wanted);
    EXPECT_EQ(plan.added, Indexes{2});
    EXPECT_EQ(plan.removed, Indexes{1});
    EXPECT_EQ(plan.changed, Indexes{0});
    EXPECT_EQ(plan.unchanged, Indexes{1});
}

TEST(InetdReload, AMovedLineIsUnchanged)
{
    auto running = services("7001 stream atcp nowait root /bin/cat\n");
    auto wanted = services("\n\n# moved down\n7001 stream atcp nowait root /bin/cat\n");
    auto plan = plan_reload(running, wanted);
    EXPECT_EQ(plan.unchanged, Indexes{0});
    EXPECT_TRUE(plan.added.empty() && plan.removed.empty() && plan.changed.empty());
}

TEST(InetdReload, TheSameFileChangesNothing)
{
    auto running = services("7 stream atcp nowait root internal echo\n"
                            "7002 stream atcp wait nobody /bin/cat\n");
    auto plan = plan_reload(running, running);
    EXPECT_EQ(plan.unchanged, (Indexes{0, 1}));
    EXPECT_TRUE(plan.added.empty() && plan.removed.empty() && plan.changed.empty());
}

TEST(InetdReload, AnotherAddressIsAnotherService)
{
    auto running = services("7001 stream atcp nowait root /bin/cat\n");
    auto wanted = services("127.0.0.1:7001 stream atcp nowait root /bin/cat\n");
    auto plan = plan_reload(running, wanted);
    EXPECT_EQ(plan.added, Indexes{0});
    EXPECT_EQ(plan.removed, Indexes{0});
}

TEST(InetdReload, AnEmptyFileStopsEverything)
{
    auto running = services("7001 stream atcp nowait root /bin/cat\n"
                            "7002 stream atcp nowait root /bin/cat\n");
    auto plan = plan_reload(running, {});
    EXPECT_EQ(plan.removed, (Indexes{0, 1}));
}

} // namespace
