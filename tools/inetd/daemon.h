// SPDX-License-Identifier: GPL-2.0
/*
 * The superserver: one thread, one poll(2) loop over the listening sockets
 * and a signalfd (SIGCHLD, SIGHUP, SIGTERM, SIGINT), so that no work
 * happens in a signal handler and a reload cannot race a child's exit.
 */
#pragma once

#include "config.h"
#include "rate_limit.h"
#include "services.h"

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atcp_inetd {

struct Options {
    std::string config_path = "/etc/atcp-inetd.conf";
    std::string services_path = atcp_tools::default_services_path;
    bool debug = false; // foreground, log to stderr
    Defaults defaults;
    // How long a service that went over its rate stays paused, and how
    // often a port that was in use is tried again (BSD inetd's RETRYTIME).
    std::chrono::seconds retry_interval{600};
};

class Inetd {
  public:
    explicit Inetd(Options options) : options_(std::move(options)) {}

    // Until SIGTERM or SIGINT: 0, or 1 when the first load fails.
    int run();

  private:
    struct Service {
        ServiceEntry entry;
        uint64_t id = 0;  // children name their service by it across reloads
        int fd = -1;      // the listener; -1 while paused or its port is taken
        pid_t holder = 0; // a wait service's server, which has the listener
        unsigned children = 0;
        bool limit_logged = false;
        bool paused = false; // by the rate limit, until retry_at
        std::optional<Clock::time_point> retry_at;
        RateWindow rate;

        bool accepting() const;
    };

    bool load();
    void open_listener_for(Service& service);
    void close_listener(Service& service);
    void serve_ready(Service& service);
    bool admit(Service& service);
    void start_server(Service& service, int fd);
    void reap_children();
    void retry_due(Clock::time_point now);
    bool handle_signals(); // false: time to exit
    int poll_timeout_ms() const;
    Service* find(uint64_t id);

    Options options_;
    int family_ = 0;
    int signal_fd_ = -1;
    sigset_t original_mask_{};
    uint64_t next_id_ = 1;
    std::vector<std::unique_ptr<Service>> services_; // in file order
    std::map<pid_t, uint64_t> children_;             // pid -> Service::id
};

} // namespace atcp_inetd
