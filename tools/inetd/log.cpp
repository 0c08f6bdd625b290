// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <string>

namespace atcp_inetd {

namespace {

constexpr const char* ident = "atcp-inetd";
// The copy of stderr we write to; -1 when logging to syslog.
int stderr_copy = -1;

} // namespace

void log_open(bool to_stderr)
{
    if (to_stderr) {
        // A copy above 2 that exec closes: children keep it for their
        // last words and servers never see it.
        stderr_copy = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        return;
    }
    openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_prepare_child()
{
    if (stderr_copy >= 0)
        return stderr_copy;
    // The child's syslog() connects afresh on first use, not through a
    // descriptor that fds 0-2 might be about to replace.
    closelog();
    openlog(ident, LOG_PID, LOG_DAEMON);
    return -1;
}

void log_line(int priority, const char* format, ...)
{
    va_list args;
    va_start(args, format);
    if (stderr_copy < 0) {
        vsyslog(priority, format, args);
        va_end(args);
        return;
    }
    char text[1024];
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    // One write a line, so that lines from children do not interleave.
    std::string line = std::string(ident) + "[" + std::to_string(getpid()) + "]: " + text + "\n";
    ssize_t ignored = write(stderr_copy, line.data(), line.size());
    (void)ignored;
}

} // namespace atcp_inetd
