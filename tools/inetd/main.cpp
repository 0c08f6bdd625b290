// SPDX-License-Identifier: GPL-2.0
/*
 * atcp-inetd: the internet superserver over atcp.  See atcp-inetd(8).
 */
#include "daemon.h"
#include "log.h"
#include "text.h"

#include <fcntl.h>
#include <getopt.h>
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

bool number_option(const char* text, uint64_t min, uint64_t max, uint64_t& value)
{
    auto number = atcp_tools::parse_number(text, min, max);
    if (!number) {
        fprintf(stderr, "atcp-inetd: '%s' is not a number from %llu to %llu\n", text,
                (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    value = *number;
    return true;
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
    static const option long_options[] = {
        {"help", no_argument, nullptr, 'h'}, {"version", no_argument, nullptr, 'V'}, {}};
    int opt;
    uint64_t value;
    while ((opt = getopt_long(argc, argv, "dc:R:t:s:h", long_options, nullptr)) != -1) {
        switch (opt) {
        case 'd':
            options.debug = true;
            break;
        case 'c':
            if (!number_option(optarg, 0, 1'000'000, value))
                return 2;
            options.defaults.max_children = unsigned(value);
            break;
        case 'R':
            if (!number_option(optarg, 0, 1'000'000, value))
                return 2;
            options.defaults.max_per_minute = unsigned(value);
            break;
        case 't':
            if (!number_option(optarg, 1, 86'400, value))
                return 2;
            options.retry_interval = std::chrono::seconds(value);
            break;
        case 's':
            options.services_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            std::printf("atcp-inetd (atcp) %s\n", ATCP_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind > 1) {
        usage(stderr);
        return 2;
    }
    if (optind < argc)
        options.config_path = argv[optind];
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
