// SPDX-License-Identifier: GPL-2.0
/*
 * Starting a server: a child with the socket as fds 0, 1 and 2, under the
 * line's user, running the server program or an internal service.
 */
#pragma once

#include "config.h"

#include <signal.h>
#include <sys/types.h>

namespace atcp_inetd {

// Forks a child serving socket fd (a connection, or a wait service's
// listener) for entry.  The child starts with signal_mask, the mask inetd
// itself was started with.  Returns the child's pid, or -1 (errno set).
// The caller keeps fd and closes it when it is done with it.
pid_t spawn_server(const ServiceEntry& entry, int fd, const sigset_t& signal_mask);

} // namespace atcp_inetd
