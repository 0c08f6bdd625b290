// SPDX-License-Identifier: GPL-2.0
#include "internal_serve.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace atcp_inetd {

namespace {

constexpr size_t buffer_bytes = 16384;

// All of data, or false once the client is gone.  MSG_NOSIGNAL: a client
// that left is an ordinary end, not a SIGPIPE.
bool send_all(int fd, const char* data, size_t size, int flags = 0)
{
    while (size > 0) {
        ssize_t sent = send(fd, data, size, flags | MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false;
        data += sent;
        size -= size_t(sent);
    }
    return true;
}

void echo(int fd)
{
    char buffer[buffer_bytes];
    for (;;) {
        ssize_t got = read(fd, buffer, sizeof(buffer));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || !send_all(fd, buffer, size_t(got)))
            return;
    }
}

void discard(int fd)
{
    char buffer[buffer_bytes];
    for (;;) {
        ssize_t got = read(fd, buffer, sizeof(buffer));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return;
    }
}

// Sends until the client goes; what it sends is read and thrown away
// (RFC 864), so that it never fills our receive window and blocks it.
void chargen(int fd)
{
    Chargen pattern;
    char out[buffer_bytes];
    char in[buffer_bytes];
    bool reading = true;
    for (;;) {
        pollfd p{fd, short(POLLOUT | (reading ? POLLIN : 0)), 0};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (p.revents & (POLLERR | POLLNVAL))
            return;
        if (p.revents & POLLIN) {
            // A half-close ends the client's data, not its wish for ours.
            if (read(fd, in, sizeof(in)) == 0)
                reading = false;
        }
        if (p.revents & (POLLOUT | POLLHUP)) {
            pattern.fill(out);
            if (!send_all(fd, out, sizeof(out)))
                return;
        }
    }
}

} // namespace

void serve_internal(Internal service, int fd)
{
    time_t now = time(nullptr);
    switch (service) {
    case Internal::echo:
        echo(fd);
        return;
    case Internal::discard:
        discard(fd);
        return;
    case Internal::chargen:
        chargen(fd);
        return;
    case Internal::daytime: {
        std::tm local{};
        localtime_r(&now, &local);
        std::string text = daytime_text(local);
        send_all(fd, text.data(), text.size(), MSG_DONTWAIT);
        return;
    }
    case Internal::time: {
        auto bytes = time_bytes(now);
        send_all(fd, reinterpret_cast<const char*>(bytes.data()), bytes.size(), MSG_DONTWAIT);
        return;
    }
    }
}

} // namespace atcp_inetd
