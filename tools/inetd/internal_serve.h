// SPDX-License-Identifier: GPL-2.0
/*
 * The internal services over a connected socket.
 */
#pragma once

#include "internal.h"

namespace atcp_inetd {

// Serves the client on fd until the service is done with it: at once for
// daytime and time (which never block: a few bytes into a fresh socket),
// when the client goes for echo, discard and chargen.  Leaves fd open.
void serve_internal(Internal service, int fd);

} // namespace atcp_inetd
