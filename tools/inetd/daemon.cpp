// SPDX-License-Identifier: GPL-2.0
#include "daemon.h"

#include "internal_serve.h"
#include "log.h"
#include "net.h"
#include "reload.h"
#include "spawn.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace atcp_inetd {

namespace {

// Connections taken from one listener per wakeup, so that a busy service
// cannot starve the others or the signals.
constexpr int accepts_per_wakeup = 16;

std::optional<std::string> read_file(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// file:line, as diagnostics name a line.
std::string where(const ServiceEntry& entry)
{
    return entry.file + ":" + std::to_string(entry.line);
}

} // namespace

bool Inetd::Service::accepting() const
{
    if (fd < 0 || holder != 0)
        return false;
    return entry.max_children == 0 || children < entry.max_children;
}

Inetd::Service* Inetd::find(uint64_t id)
{
    for (auto& service : services_)
        if (service->id == id)
            return service.get();
    return nullptr;
}

// Reads the file and makes the running services what it says.  A file that
// cannot be read changes nothing.
bool Inetd::load()
{
    auto text = read_file(options_.config_path);
    if (!text) {
        log_line(LOG_ERR, "cannot read %s: %s", options_.config_path.c_str(), strerror(errno));
        return false;
    }
    auto lookups = system_lookups(options_.services_path, atcp_ipv6_supported(family_));
    auto parsed = parse_config(*text, options_.config_path, lookups, options_.defaults);
    for (const auto& diagnostic : parsed.diagnostics)
        log_line(LOG_ERR, "%s", diagnostic.text().c_str());

    std::vector<ServiceEntry> running;
    for (const auto& service : services_)
        running.push_back(service->entry);
    auto plan = plan_reload(running, parsed.services);

    for (size_t index : plan.removed) {
        auto& service = *services_[index];
        log_line(LOG_INFO, "%s: removed, port %u closed", service.entry.label().c_str(),
                 service.entry.listen.port);
        close_listener(service);
    }
    // The others keep their sockets, their children and their limits.
    std::map<ListenKey, std::unique_ptr<Service>> kept;
    for (size_t index = 0; index < services_.size(); ++index)
        if (!std::ranges::binary_search(plan.removed, index))
            kept.emplace(services_[index]->entry.listen, std::move(services_[index]));
    services_.clear();

    for (size_t index = 0; index < parsed.services.size(); ++index) {
        auto& entry = parsed.services[index];
        auto it = kept.find(entry.listen);
        if (it == kept.end()) {
            auto service = std::make_unique<Service>();
            service->entry = std::move(entry);
            service->id = next_id_++;
            open_listener_for(*service);
            services_.push_back(std::move(service));
            continue;
        }
        auto service = std::move(it->second);
        if (!service->entry.same_service(entry))
            log_line(LOG_INFO, "%s: changed at %s; its socket and connections stay",
                     entry.label().c_str(), where(entry).c_str());
        service->entry = std::move(entry); // the line number may have moved
        service->limit_logged = false;
        // A port that was in use is tried again on every reload.
        if (service->fd < 0 && service->holder == 0 && !service->paused)
            open_listener_for(*service);
        services_.push_back(std::move(service));
    }
    log_line(
        LOG_INFO,
        "%s: %zu service%s (%zu added, %zu removed, %zu changed, %zu unchanged), %zu bad line%s",
        options_.config_path.c_str(), services_.size(), services_.size() == 1 ? "" : "s",
        plan.added.size(), plan.removed.size(), plan.changed.size(), plan.unchanged.size(),
        parsed.diagnostics.size(), parsed.diagnostics.size() == 1 ? "" : "s");
    return true;
}

void Inetd::open_listener_for(Service& service)
{
    const auto& entry = service.entry;
    std::string error;
    service.retry_at.reset();
    service.fd = open_listener(entry, family_, error);
    if (service.fd < 0) {
        service.retry_at = Clock::now() + options_.retry_interval;
        log_line(LOG_ERR, "%s at %s: port %u: %s; tried again on reload and in %lld s",
                 entry.label().c_str(), where(entry).c_str(), entry.listen.port, error.c_str(),
                 (long long)options_.retry_interval.count());
        return;
    }
    if (service.paused)
        log_line(LOG_NOTICE, "%s: pause over, port %u open again", entry.label().c_str(),
                 entry.listen.port);
    else
        log_line(LOG_INFO, "%s: listening on port %u (%s)", entry.label().c_str(),
                 entry.listen.port, where(entry).c_str());
    service.paused = false;
}

void Inetd::close_listener(Service& service)
{
    if (service.fd >= 0)
        close(service.fd);
    service.fd = -1;
    service.retry_at.reset();
}

// BSD inetd's answer to a looping or flooded service: refuse it for a while.
bool Inetd::admit(Service& service)
{
    const auto& entry = service.entry;
    if (service.rate.admit(Clock::now(), entry.max_per_minute))
        return true;
    log_line(LOG_WARNING,
             "%s: more than %u connections in a minute (the limit); service paused for %lld s",
             entry.label().c_str(), entry.max_per_minute,
             (long long)options_.retry_interval.count());
    close_listener(service);
    service.rate.reset();
    service.paused = true;
    service.retry_at = Clock::now() + options_.retry_interval;
    return false;
}

void Inetd::start_server(Service& service, int fd)
{
    const auto& entry = service.entry;
    pid_t pid = spawn_server(entry, fd, original_mask_);
    if (pid < 0) {
        log_line(LOG_ERR, "%s: fork: %s", entry.label().c_str(), strerror(errno));
        return;
    }
    log_line(LOG_DEBUG, "%s: started pid %d", entry.label().c_str(), int(pid));
    children_[pid] = service.id;
    ++service.children;
    if (entry.wait) {
        service.holder = pid;
        return;
    }
    if (entry.max_children != 0 && service.children >= entry.max_children &&
        !service.limit_logged) {
        log_line(LOG_WARNING, "%s: %u of %u children running; new connections wait until one exits",
                 entry.label().c_str(), service.children, entry.max_children);
        service.limit_logged = true;
    }
}

void Inetd::serve_ready(Service& service)
{
    const auto& entry = service.entry;
    if (entry.wait) {
        // The server takes the listener and accepts for itself.
        if (admit(service))
            start_server(service, service.fd);
        return;
    }
    for (int taken = 0; taken < accepts_per_wakeup && service.accepting(); ++taken) {
        int connection = accept4(service.fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (connection < 0) {
            // EAGAIN: none left; ECONNABORTED and the like: that one is gone.
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR)
                log_line(LOG_ERR, "%s: accept: %s", entry.label().c_str(), strerror(errno));
            return;
        }
        if (!admit(service)) {
            close(connection);
            return;
        }
        if (entry.internal && !internal_is_long_lived(*entry.internal))
            serve_internal(*entry.internal, connection);
        else
            start_server(service, connection);
        close(connection);
    }
}

void Inetd::reap_children()
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        auto child = children_.find(pid);
        if (child == children_.end())
            continue;
        Service* service = find(child->second);
        children_.erase(child);
        if (service == nullptr)
            continue; // its line was removed; its connection ran to the end
        std::string name = service->entry.label();
        const char* label = name.c_str();
        if (WIFSIGNALED(status))
            log_line(LOG_WARNING, "%s: pid %d killed by signal %d", label, int(pid),
                     WTERMSIG(status));
        else if (WEXITSTATUS(status) != 0)
            log_line(LOG_WARNING, "%s: pid %d exited with status %d", label, int(pid),
                     WEXITSTATUS(status));
        else
            log_line(LOG_DEBUG, "%s: pid %d done", label, int(pid));
        --service->children;
        if (service->holder == pid) {
            service->holder = 0;
            if (service->fd >= 0)
                set_nonblocking(service->fd, true);
        }
        if (service->limit_logged && service->accepting()) {
            log_line(LOG_INFO, "%s: below its limit of %u children again", label,
                     service->entry.max_children);
            service->limit_logged = false;
        }
    }
}

void Inetd::retry_due(Clock::time_point now)
{
    for (auto& service : services_)
        if (service->retry_at && *service->retry_at <= now)
            open_listener_for(*service);
}

int Inetd::poll_timeout_ms() const
{
    std::optional<Clock::time_point> next;
    for (const auto& service : services_)
        if (service->retry_at && (!next || *service->retry_at < *next))
            next = service->retry_at;
    if (!next)
        return -1;
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
    return int(std::clamp<int64_t>(wait.count(), 0, 60'000));
}

bool Inetd::handle_signals()
{
    signalfd_siginfo info;
    bool keep_running = true;
    while (read(signal_fd_, &info, sizeof(info)) == ssize_t(sizeof(info))) {
        switch (info.ssi_signo) {
        case SIGCHLD:
            reap_children();
            break;
        case SIGHUP:
            log_line(LOG_INFO, "SIGHUP: reloading %s", options_.config_path.c_str());
            load();
            break;
        default:
            log_line(LOG_INFO, "signal %u: exiting", info.ssi_signo);
            keep_running = false;
        }
    }
    return keep_running;
}

int Inetd::run()
{
    family_ = atcp_family();
    sigset_t handled;
    sigemptyset(&handled);
    for (int signal : {SIGCHLD, SIGHUP, SIGTERM, SIGINT})
        sigaddset(&handled, signal);
    sigprocmask(SIG_BLOCK, &handled, &original_mask_);
    // Inline answers use MSG_NOSIGNAL; this covers whatever else writes.
    ::signal(SIGPIPE, SIG_IGN);
    signal_fd_ = signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0) {
        log_line(LOG_ERR, "signalfd: %s", strerror(errno));
        return 1;
    }
    log_line(LOG_INFO, "atcp family %d; reading %s", family_, options_.config_path.c_str());
    if (!load())
        return 1;

    std::vector<pollfd> fds;
    std::vector<uint64_t> ids; // the service behind each fds[i + 1]
    for (;;) {
        fds.assign(1, pollfd{signal_fd_, POLLIN, 0});
        ids.clear();
        for (const auto& service : services_) {
            if (!service->accepting())
                continue;
            fds.push_back(pollfd{service->fd, POLLIN, 0});
            ids.push_back(service->id);
        }
        if (poll(fds.data(), fds.size(), poll_timeout_ms()) < 0 && errno != EINTR) {
            log_line(LOG_ERR, "poll: %s", strerror(errno));
            return 1;
        }
        // Signals first: a reload may have closed a listener polled below.
        if ((fds[0].revents & POLLIN) && !handle_signals())
            break;
        for (size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents == 0)
                continue;
            Service* service = find(ids[i - 1]);
            if (service != nullptr && service->fd == fds[i].fd && service->accepting())
                serve_ready(*service);
        }
        retry_due(Clock::now());
    }
    for (auto& service : services_)
        close_listener(*service);
    return 0;
}

} // namespace atcp_inetd
