// SPDX-License-Identifier: GPL-2.0
#include "spawn.h"

#include "internal_serve.h"
#include "log.h"
#include "net.h"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

namespace atcp_inetd {

namespace {

// The signals inetd handles or ignores: a server starts with the defaults.
constexpr int inetd_signals[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGPIPE};

// fd becomes 0, 1 and 2; every other descriptor but keep goes.
void become_stdio(int fd, int keep)
{
    if (fd <= STDERR_FILENO)
        fd = fcntl(fd, F_DUPFD, STDERR_FILENO + 1);
    for (int target = STDIN_FILENO; target <= STDERR_FILENO; ++target)
        dup2(fd, target);
    if (keep > STDERR_FILENO) {
        close_range(STDERR_FILENO + 1, unsigned(keep) - 1, 0);
        close_range(unsigned(keep) + 1, UINT_MAX, 0);
    } else {
        close_range(STDERR_FILENO + 1, UINT_MAX, 0);
    }
}

// setgid, initgroups, setuid: the order in which each step is still allowed.
bool become_user(const ServiceEntry& entry)
{
    if (geteuid() != 0) {
        // Not root (atcp-inetd -d by a user): only that user's own lines run.
        if (entry.uid == getuid() && (entry.group.empty() || entry.gid == getgid()))
            return true;
        log_line(LOG_ERR, "%s at %s:%d: cannot run as %s: atcp-inetd is not root",
                 entry.label().c_str(), entry.file.c_str(), entry.line, entry.user.c_str());
        return false;
    }
    const char* failed = nullptr;
    if (setgid(entry.gid) != 0)
        failed = "setgid";
    else if (initgroups(entry.user.c_str(), entry.gid) != 0)
        failed = "initgroups";
    else if (setuid(entry.uid) != 0)
        failed = "setuid";
    // A server that could take root back would not be running as the line says.
    else if (entry.uid != 0 && (setuid(0) == 0 || geteuid() == 0))
        failed = "dropping root";
    if (failed != nullptr) {
        log_line(LOG_ERR, "%s at %s:%d: %s for user %s: %s", entry.label().c_str(),
                 entry.file.c_str(), entry.line, failed, entry.user.c_str(), strerror(errno));
        return false;
    }
    return true;
}

[[noreturn]] void run_child(const ServiceEntry& entry, int fd, const sigset_t& signal_mask)
{
    for (int handled : inetd_signals)
        signal(handled, SIG_DFL);
    sigprocmask(SIG_SETMASK, &signal_mask, nullptr);
    // Its own session: a ^C or a kill of inetd's process group is not for servers.
    setsid();
    become_stdio(fd, log_prepare_child());
    if (entry.wait)
        set_nonblocking(STDIN_FILENO, false);
    if (!become_user(entry))
        _exit(1);
    if (entry.internal) {
        serve_internal(*entry.internal, STDIN_FILENO);
        _exit(0);
    }
    std::vector<char*> argv;
    for (const auto& arg : entry.argv)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(entry.server.c_str(), argv.data());
    log_line(LOG_ERR, "%s at %s:%d: cannot execute %s: %s", entry.label().c_str(),
             entry.file.c_str(), entry.line, entry.server.c_str(), strerror(errno));
    _exit(127);
}

} // namespace

pid_t spawn_server(const ServiceEntry& entry, int fd, const sigset_t& signal_mask)
{
    pid_t pid = fork();
    if (pid == 0)
        run_child(entry, fd, signal_mask);
    return pid;
}

} // namespace atcp_inetd
