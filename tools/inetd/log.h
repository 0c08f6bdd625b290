// SPDX-License-Identifier: GPL-2.0
/*
 * Log lines go to syslog (LOG_DAEMON), or with -d to the stderr inetd was
 * started with.  Children log through the same channel until they exec, so
 * a server that cannot be started is reported like everything else.
 */
#pragma once

#include <syslog.h>

namespace atcp_inetd {

// to_stderr: lines on stderr, LOG_DEBUG included; otherwise syslog.
void log_open(bool to_stderr);

// A child about to hand fds 0, 1 and 2 to a connection: keep the channel on
// a descriptor above them that exec closes.  Returns that descriptor (or -1
// for syslog, which reopens its own socket), which the child must not close.
int log_prepare_child();

void log_line(int priority, const char* format, ...) __attribute__((format(printf, 2, 3)));

} // namespace atcp_inetd
