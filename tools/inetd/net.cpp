// SPDX-License-Identifier: GPL-2.0
#include "net.h"

#include <linux/atcp.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace atcp_inetd {

namespace {

// Enough for the connections that arrive while a server starts.
constexpr int listen_backlog = 128;

} // namespace

int atcp_family()
{
    int family = AF_ATCP;
    if (FILE* f = fopen(ATCP_FAMILY_SYSFS, "r")) {
        if (fscanf(f, "%d", &family) != 1)
            family = AF_ATCP;
        fclose(f);
    }
    return family;
}

bool atcp_ipv6_supported(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_in6 any{};
    any.sin6_family = AF_INET6;
    any.sin6_addr = in6addr_any;
    // Port 0: nothing is taken, and the socket is closed at once.
    bool supported =
        bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof(any)) == 0 || errno != EAFNOSUPPORT;
    close(fd);
    return supported;
}

int open_listener(const ServiceEntry& entry, int family, std::string& error)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + strerror(errno) + " (is atcp.ko loaded?)";
        return -1;
    }
    int one = 1;
    // A pause or a reload may reopen a port whose last connections are in TIME-WAIT.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_storage address{};
    socklen_t length;
    if (entry.listen.family == Family::inet6) {
        // atcp and atcp6 lines on one port are two services, as tcp and tcp6 are.
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(entry.listen.port);
        memcpy(&in6->sin6_addr, entry.listen.address.data(), sizeof(in6->sin6_addr));
        length = sizeof(*in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&address);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(entry.listen.port);
        memcpy(&in4->sin_addr, entry.listen.address.data(), sizeof(in4->sin_addr));
        length = sizeof(*in4);
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
        error = std::string("bind: ") + strerror(errno);
        close(fd);
        return -1;
    }
    if (listen(fd, listen_backlog) != 0) {
        error = std::string("listen: ") + strerror(errno);
        close(fd);
        return -1;
    }
    return fd;
}

void set_nonblocking(int fd, bool on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

} // namespace atcp_inetd
