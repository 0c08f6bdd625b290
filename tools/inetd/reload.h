// SPDX-License-Identifier: GPL-2.0
/*
 * What a SIGHUP changes: the services of the new file against those running,
 * matched by where they listen.  A service whose address stays keeps its
 * socket (and so its queued connections); the children serving live
 * connections are never touched.
 */
#pragma once

#include "config.h"

#include <vector>

namespace atcp_inetd {

struct ReloadPlan {
    std::vector<size_t> added;     // indexes into the new services
    std::vector<size_t> removed;   // indexes into the old services
    std::vector<size_t> changed;   // new index: same address, other settings
    std::vector<size_t> unchanged; // new index: the line says what it said
};

ReloadPlan plan_reload(const std::vector<ServiceEntry>& running,
                       const std::vector<ServiceEntry>& wanted);

} // namespace atcp_inetd
