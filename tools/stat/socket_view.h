// SPDX-License-Identifier: GPL-2.0
/*
 * One socket as both tools print it in JSON, and the processes that hold
 * sockets, found through /proc, as atcpstat -p names them.
 */
#pragma once

#include "json.h"
#include "proc.h"
#include "record.h"
#include "services.h"

#include <string>
#include <vector>

namespace atcp_tools {

// The record's members, written into an object the caller has begun (so
// that it can add its own): state, queues, endpoints, and every other
// figure the module sent.  Service names unless numeric.
void socket_json_members(Json& j, const SockRecord& r, const Services& services, bool numeric);

struct Owner {
    int pid = 0;
    int fd = 0;
    std::string comm;
};

// Who holds each socket, with the command names looked up once per pid.
class OwnerIndex {
  public:
    // Scan proc for the inodes of these records (0, a socket without a
    // file, is never looked up).
    OwnerIndex(const ProcFs& proc, const std::vector<SockRecord>& records);
    const std::vector<Owner>& owners(uint64_t inode) const;

  private:
    std::unordered_map<uint64_t, std::vector<Owner>> by_inode_;
};

// "123/atcp-echo" per holder, comma-separated; "-" for none, as netstat -p.
std::string owners_text(const std::vector<Owner>& owners);
void owners_json(Json& j, const std::vector<Owner>& owners); // an array of {pid, fd, command}

} // namespace atcp_tools
