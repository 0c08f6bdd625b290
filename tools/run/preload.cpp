// SPDX-License-Identifier: GPL-2.0
/*
 * libatcp-preload.so: an unmodified program's IPv4 and IPv6 TCP sockets
 * become atcp sockets.  atcp-run preloads it; it interposes socket(), bind(), listen(),
 * connect() and getsockopt() and hands everything else to libc untouched.
 *
 * Without a filter, socket(AF_INET or AF_INET6, SOCK_STREAM, 0 or
 * IPPROTO_TCP) creates socket(AF_ATCP, ...) at once.  With ATCP_RUN_ONLY or
 * ATCP_RUN_PORTS the choice needs the role or the port, so an IPv4 socket
 * starts as Linux TCP and
 * is replaced when it qualifies: a new atcp socket takes over its options,
 * its bound address and its flags, and dup3() puts it on the same fd.  The
 * kernel is asked what each fd is (SO_DOMAIN), so there is no fd table.
 *
 * No exceptions, RTTI or libstdc++: this is loaded into every process.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/atcp.h>

#define ATCP_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using socket_fn = int (*)(int, int, int);
using addr_fn = int (*)(int, const sockaddr*, socklen_t);
using listen_fn = int (*)(int, int);
using getsockopt_fn = int (*)(int, int, int, void*, socklen_t*);

struct Real {
    socket_fn socket;
    addr_fn bind;
    addr_fn connect;
    listen_fn listen;
    getsockopt_fn getsockopt;
};

Real real;
atcp_run::Config config;
bool config_ok = true;
char config_error[256];
int atcp_family = AF_ATCP;
pthread_once_t once = PTHREAD_ONCE_INIT;

// One line on stderr, errno kept: tracing must not change what the program sees.
__attribute__((format(printf, 1, 2))) void say(const char* fmt, ...)
{
    int saved = errno;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (len < 0)
        len = 0;
    if (size_t(len) > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, size_t(len));
    (void)ignored;
    errno = saved;
}

template <typename F> void resolve(F& fn, const char* name)
{
    fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// The family the loaded module registered: it may be moved with family=N.
int read_family()
{
    int fd = open(ATCP_FAMILY_SYSFS, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return AF_ATCP;
    char buf[16] = {};
    ssize_t len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    int family = 0;
    for (ssize_t i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
        family = family * 10 + (buf[i] - '0');
    return family > 0 && family < AF_MAX ? family : AF_ATCP;
}

void init()
{
    int saved = errno;
    resolve(real.socket, "socket");
    resolve(real.bind, "bind");
    resolve(real.connect, "connect");
    resolve(real.listen, "listen");
    resolve(real.getsockopt, "getsockopt");
    atcp_family = read_family();
    config_ok = atcp_run::parse_config(getenv("ATCP_RUN_TRACE"), getenv("ATCP_RUN_ONLY"),
                                       getenv("ATCP_RUN_PORTS"), config, config_error,
                                       sizeof(config_error));
    // atcp-run checks the switches with this same parser before it runs PROG.
    if (getenv("ATCP_RUN_CHECK") != nullptr) {
        if (!config_ok)
            say("atcp-run: %s", config_error);
        _exit(config_ok ? 0 : 2);
    }
    if (!config_ok) {
        say("atcp-run: %s; IPv4 TCP sockets fail with EINVAL", config_error);
        config = atcp_run::Config{};
    }
    errno = saved;
}

// Before main, and again (a no-op) from each interposer in case another
// library's constructor opens a socket before ours has run.
__attribute__((constructor)) void on_load()
{
    pthread_once(&once, init);
}

void ensure_init()
{
    pthread_once(&once, init);
}

// Whether libc's own fn is there to call, read (by reference) once the
// lookup has run; ENOSYS if not.
template <class Fn> bool have_real(Fn* const& fn)
{
    ensure_init();
    if (fn != nullptr)
        return true;
    errno = ENOSYS;
    return false;
}

// IPv4 and IPv6 TCP sockets become atcp; an atcp socket takes either address.
bool is_tcp(int domain, int type, int protocol)
{
    return (domain == AF_INET || domain == AF_INET6) &&
           (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM &&
           (protocol == 0 || protocol == IPPROTO_TCP);
}

int get_int(int fd, int level, int name, int& value)
{
    socklen_t len = sizeof(value);
    return real.getsockopt(fd, level, name, &value, &len);
}

// Is fd a Linux IPv4 TCP socket, a candidate to become atcp?
bool is_linux_tcp4(int fd)
{
    int saved = errno, domain = 0, type = 0, protocol = 0;
    bool yes = get_int(fd, SOL_SOCKET, SO_DOMAIN, domain) == 0 && domain == AF_INET &&
               get_int(fd, SOL_SOCKET, SO_TYPE, type) == 0 && type == SOCK_STREAM &&
               get_int(fd, SOL_SOCKET, SO_PROTOCOL, protocol) == 0 && protocol == IPPROTO_TCP;
    errno = saved;
    return yes;
}

bool inet4(const sockaddr* addr, socklen_t len, sockaddr_in& out)
{
    if (addr == nullptr || len < socklen_t(sizeof(out)) || addr->sa_family != AF_INET)
        return false;
    memcpy(&out, addr, sizeof(out));
    return true;
}

const char* type_name(int type)
{
    switch (type & (SOCK_NONBLOCK | SOCK_CLOEXEC)) {
    case SOCK_NONBLOCK:
        return "SOCK_STREAM|SOCK_NONBLOCK";
    case SOCK_CLOEXEC:
        return "SOCK_STREAM|SOCK_CLOEXEC";
    case SOCK_NONBLOCK | SOCK_CLOEXEC:
        return "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC";
    default:
        return "SOCK_STREAM";
    }
}

struct AddrText {
    char text[INET_ADDRSTRLEN + 8];
};

AddrText addr_text(const sockaddr_in& addr)
{
    AddrText t;
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip));
    snprintf(t.text, sizeof(t.text), "%s:%u", ip, unsigned(ntohs(addr.sin_port)));
    return t;
}

// Carries an option the program changed from its default: set on the new
// socket only when it differs, so atcp keeps its own defaults otherwise.
template <typename T> int carry(int from, int to, int level, int name)
{
    T value, zero;
    memset(&value, 0, sizeof(value));
    memset(&zero, 0, sizeof(zero));
    socklen_t len = sizeof(value);
    if (real.getsockopt(from, level, name, &value, &len) < 0 || memcmp(&value, &zero, len) == 0)
        return 0;
    return setsockopt(to, level, name, &value, len);
}

// SO_RCVBUF and SO_SNDBUF read back doubled and never zero: they are set
// (to half, which the kernel doubles again) only when they differ from what
// a fresh Linux TCP socket has, i.e. when the program set them.
int carry_buffers(int from, int to)
{
    static const int names[] = {SO_RCVBUF, SO_SNDBUF};
    int probe = -1, err = 0;
    for (int name : names) {
        int value = 0, fresh = 0;
        if (get_int(from, SOL_SOCKET, name, value) < 0)
            continue;
        if (probe < 0)
            probe = real.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        if (probe < 0 || get_int(probe, SOL_SOCKET, name, fresh) < 0 || value == fresh)
            continue;
        int half = value / 2;
        if (setsockopt(to, SOL_SOCKET, name, &half, sizeof(half)) < 0) {
            err = -1;
            break;
        }
    }
    if (probe >= 0) {
        int saved = errno;
        close(probe);
        errno = saved;
    }
    return err;
}

int carry_options(int from, int to)
{
    if (carry<int>(from, to, SOL_SOCKET, SO_REUSEADDR) < 0 ||
        carry<int>(from, to, SOL_SOCKET, SO_KEEPALIVE) < 0 ||
        carry<int>(from, to, IPPROTO_TCP, TCP_NODELAY) < 0 ||
        carry<linger>(from, to, SOL_SOCKET, SO_LINGER) < 0 ||
        carry<timeval>(from, to, SOL_SOCKET, SO_RCVTIMEO) < 0 ||
        carry<timeval>(from, to, SOL_SOCKET, SO_SNDTIMEO) < 0)
        return -1;
    return carry_buffers(from, to);
}

// A socket bound before listen() or connect() keeps its address.
int carry_address(int from, int to)
{
    sockaddr_in local;
    socklen_t len = sizeof(local);
    if (getsockname(from, reinterpret_cast<sockaddr*>(&local), &len) < 0)
        return -1;
    if (local.sin_port == 0 && local.sin_addr.s_addr == htonl(INADDR_ANY))
        return 0;
    return real.bind(to, reinterpret_cast<const sockaddr*>(&local), sizeof(local));
}

// Replaces the Linux socket on fd with an atcp socket.  On failure fd is
// left as it was and the reason is in errno.
int convert(int fd, const char* call, const sockaddr_in& shown, bool bound_before)
{
    int saved = errno;
    int status = -1, fl = -1, fdfl = -1;
    int nfd = real.socket(atcp_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (nfd >= 0 && carry_options(fd, nfd) == 0 && (!bound_before || carry_address(fd, nfd) == 0) &&
        (fl = fcntl(fd, F_GETFL)) >= 0 && fcntl(nfd, F_SETFL, fl) == 0 &&
        (fdfl = fcntl(fd, F_GETFD)) >= 0 &&
        dup3(nfd, fd, (fdfl & FD_CLOEXEC) != 0 ? O_CLOEXEC : 0) == fd)
        status = 0;
    int err = errno;
    if (nfd >= 0)
        close(nfd);
    if (config.trace) {
        if (status == 0)
            say("atcp-run: fd %d %s(%s) -> atcp", fd, call, addr_text(shown).text);
        else
            say("atcp-run: fd %d %s(%s) -> atcp failed: %s", fd, call, addr_text(shown).text,
                strerror(err));
    }
    errno = status == 0 ? saved : err;
    return status;
}

} // namespace

ATCP_EXPORT int socket(int domain, int type, int protocol)
{
    if (!have_real(real.socket))
        return -1;
    if (!is_tcp(domain, type, protocol))
        return real.socket(domain, type, protocol);
    if (!config_ok) {
        errno = EINVAL;
        return -1;
    }
    // The filters decide at bind, listen or connect, for IPv4 sockets only.
    if (config.filtered())
        return real.socket(domain, type, protocol);
    int fd = real.socket(atcp_family, type, protocol);
    const char* family = domain == AF_INET ? "AF_INET" : "AF_INET6";
    if (config.trace) {
        if (fd >= 0)
            say("atcp-run: fd %d socket(%s, %s) -> atcp", fd, family, type_name(type));
        else
            say("atcp-run: socket(%s, %s) -> atcp failed: %s", family, type_name(type),
                strerror(errno));
    }
    return fd;
}

// With a port filter and no role filter, a bind to a listed port decides.
ATCP_EXPORT int bind(int fd, const sockaddr* addr, socklen_t len)
{
    if (!have_real(real.bind))
        return -1;
    sockaddr_in at;
    if (config.only == atcp_run::Role::all && !config.any_port && inet4(addr, len, at) &&
        config.has_port(ntohs(at.sin_port)) && is_linux_tcp4(fd) &&
        convert(fd, "bind", at, false) < 0)
        return -1;
    return real.bind(fd, addr, len);
}

ATCP_EXPORT int listen(int fd, int backlog)
{
    if (!have_real(real.listen))
        return -1;
    if (config.filtered() && config.only != atcp_run::Role::connect && is_linux_tcp4(fd)) {
        sockaddr_in local;
        socklen_t len = sizeof(local);
        int saved = errno;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
            config.has_port(ntohs(local.sin_port)) && convert(fd, "listen", local, true) < 0)
            return -1;
        errno = saved;
    }
    return real.listen(fd, backlog);
}

ATCP_EXPORT int connect(int fd, const sockaddr* addr, socklen_t len)
{
    if (!have_real(real.connect))
        return -1;
    sockaddr_in to;
    if (config.filtered() && config.only != atcp_run::Role::listen && inet4(addr, len, to) &&
        config.has_port(ntohs(to.sin_port)) && is_linux_tcp4(fd) &&
        convert(fd, "connect", to, true) < 0)
        return -1;
    return real.connect(fd, addr, len);
}

// An atcp socket is an IPv4 or IPv6 TCP socket to the program: Python's
// socket(fileno=...) takes its family from SO_DOMAIN.
ATCP_EXPORT int getsockopt(int fd, int level, int name, void* value, socklen_t* len)
{
    if (!have_real(real.getsockopt))
        return -1;
    int status = real.getsockopt(fd, level, name, value, len);
    if (status == 0 && level == SOL_SOCKET && name == SO_DOMAIN && value != nullptr &&
        len != nullptr && *len >= socklen_t(sizeof(int))) {
        int domain;
        memcpy(&domain, value, sizeof(domain));
        if (domain == atcp_family) {
            // The family its address has: AF_INET6 once bound or connected so.
            sockaddr_storage local;
            socklen_t local_len = sizeof(local);
            int saved = errno;
            domain = getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0
                         ? local.ss_family
                         : AF_INET;
            errno = saved;
            memcpy(value, &domain, sizeof(domain));
        }
    }
    return status;
}
