// SPDX-License-Identifier: GPL-2.0
/*
 * The module's generic netlink messages -> records, through libnl's
 * genlmsg_parse and one attribute policy.  Kept apart from the socket code
 * so that host tests feed them messages built the way the kernel builds
 * them.
 */
#pragma once

#include "record.h"
#include "result.h"

#include <linux/netlink.h>

namespace atcp_tools {

// One ATCP_CMD_SOCK_GET dump message: a socket record.
Result<SockRecord> parse_sock_message(nlmsghdr* msg);
// The ATCP_CMD_STATS_GET answer.
Result<Counters> parse_stats_message(nlmsghdr* msg);
// An ATCP_CMD_EVENT message from the events group.
Result<Event> parse_event_message(nlmsghdr* msg);

} // namespace atcp_tools
