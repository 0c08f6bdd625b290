// SPDX-License-Identifier: GPL-2.0
#include "reload.h"

#include <map>

namespace atcp_inetd {

ReloadPlan plan_reload(const std::vector<ServiceEntry>& running,
                       const std::vector<ServiceEntry>& wanted)
{
    std::map<ListenKey, size_t> running_at;
    for (size_t i = 0; i < running.size(); ++i)
        running_at.emplace(running[i].listen, i);

    ReloadPlan plan;
    std::map<ListenKey, size_t> wanted_at;
    for (size_t i = 0; i < wanted.size(); ++i) {
        wanted_at.emplace(wanted[i].listen, i);
        auto old = running_at.find(wanted[i].listen);
        if (old == running_at.end())
            plan.added.push_back(i);
        else if (running[old->second].same_service(wanted[i]))
            plan.unchanged.push_back(i);
        else
            plan.changed.push_back(i);
    }
    for (size_t i = 0; i < running.size(); ++i)
        if (!wanted_at.contains(running[i].listen))
            plan.removed.push_back(i);
    return plan;
}

} // namespace atcp_inetd
