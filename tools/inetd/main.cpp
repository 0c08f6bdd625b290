// SPDX-License-Identifier: GPL-2.0
/*
 * atcp-inetd: the internet superserver over atcp.  See atcp-inetd(8).
 */
#include "command_line.h"
#include "daemon.h"
#include "log.h"
#include "text.h"

#include <fcntl.h>
#include <linux/atcp.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace {

using namespace atcp_inetd;

void usage(FILE* out)
{
    fputs("usage: atcp-inetd [-d] [-c MAX] [-R RATE] [-t SECONDS] [-s SERVICES] [CONFIG]\n"
          "\n"
          "Listens over atcp on the services CONFIG (default /etc/atcp-inetd.conf) lists,\n"
          "in inetd.conf syntax with protocol atcp, and starts a server for each\n"
          "connection.  SIGHUP rereads CONFIG.\n"
          "\n"
          "  -d          stay in the foreground; log to stderr, debug lines too\n"
          "  -c MAX      children at once per service unless its line says\n"
          "              (default 0: no limit)\n"
          "  -R RATE     connections a minute per service unless its line says\n"
          "              (default 256; 0: no limit)\n"
          "  -t SECONDS  how long a service over its rate is paused, and how often\n"
          "              a port in use is tried again (default 600)\n"
          "  -s FILE     the services file for service names (default /etc/services)\n"
          "  -h, --help  this text\n"
          "  --version   atcp's version\n",
          out);
}

// An option's number from min to max, or the usage error saying it is not one.
atcp_tools::Result<uint64_t> number_option(const char* text, uint64_t min, uint64_t max)
{
    if (auto number = atcp_tools::parse_number(text, min, max))
        return *number;
    return atcp_tools::usage_error("'" + std::string(text) + "' is not a number from " +
                                   std::to_string(min) + " to " + std::to_string(max));
}

// The classic daemon dance: no terminal, no parent waiting, fds 0-2 on
// /dev/null so that no socket or log ever lands on them by accident.
bool daemonize()
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("atcp-inetd: fork");
        return false;
    }
    if (pid > 0)
        _exit(0);
    setsid();
    if (chdir("/") != 0)
        return false;
    int null = open("/dev/null", O_RDWR);
    if (null < 0)
        return false;
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd)
        dup2(null, fd);
    if (null > STDERR_FILENO)
        close(null);
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    const atcp_tools::CommandLine cli{"atcp-inetd",
                                      usage,
                                      {{.id = 'd', .flag = &options.debug},
                                       {.id = 'c', .takes_argument = true},
                                       {.id = 'R', .takes_argument = true},
                                       {.id = 't', .takes_argument = true},
                                       {.id = 's', .takes_argument = true}},
                                      1};
    auto take = [&](int id, const char* arg) -> atcp_tools::Status {
        if (id == 's') {
            options.services_path = arg;
            return atcp_tools::Ok{};
        }
        auto n = id == 't' ? number_option(arg, 1, 86'400) : number_option(arg, 0, 1'000'000);
        if (!n)
            return n.error();
        if (id == 'c')
            options.defaults.max_children = unsigned(*n);
        else if (id == 'R')
            options.defaults.max_per_minute = unsigned(*n);
        else
            options.retry_interval = std::chrono::seconds(*n);
        return atcp_tools::Ok{};
    };
    auto operands = atcp_tools::parse_command_line(cli, argc, argv, take);
    if (!operands)
        return atcp_tools::usage_failure(cli.prog, usage, operands.error());
    if (!operands->empty())
        options.config_path = operands->front();
    // Said here, on the terminal, before syslog is the only witness.
    if (access(options.config_path.c_str(), R_OK) != 0) {
        fprintf(stderr, "atcp-inetd: %s: %s\n", options.config_path.c_str(), strerror(errno));
        return 1;
    }
    if (!options.debug && !daemonize())
        return 1;
    log_open(options.debug);
    return Inetd(options).run();
}
