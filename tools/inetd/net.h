// SPDX-License-Identifier: GPL-2.0
/*
 * atcp sockets: the family number the loaded module registered, whether it
 * takes IPv6 addresses yet, and the listening sockets inetd watches.
 */
#pragma once

#include "config.h"

#include <string>

namespace atcp_inetd {

// From ATCP_FAMILY_SYSFS; AF_ATCP when the module does not say.
int atcp_family();

// Whether an atcp socket binds a sockaddr_in6; EAFNOSUPPORT says it does not.
bool atcp_ipv6_supported(int family);

// A non-blocking, close-on-exec listener for the entry, or -1 with the
// reason in error.
int open_listener(const ServiceEntry& entry, int family, std::string& error);

// The listener a wait service's server accepts on must block, as any
// inherited socket does; inetd sets it back when it watches it again.
void set_nonblocking(int fd, bool on);

} // namespace atcp_inetd
