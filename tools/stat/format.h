// SPDX-License-Identifier: GPL-2.0
/*
 * How the tools print what they found: endpoints and their service names,
 * the extended figures, and the ps(1) columns as procps formats them.
 */
#pragma once

#include "record.h"
#include "services.h"

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace atcp_tools {

// A port as atcpstat shows it: the service name, or the number when there
// is none or numeric is set; "*" for port 0 (a listener's peer).
std::string port_text(uint16_t port, const Services& services, bool numeric);

// "127.0.0.1:http", "0.0.0.0:*", "[::1]:8080": ss's notation.
std::string endpoint_text(const Address& addr, uint16_t port, const Services& services,
                          bool numeric);

// atcp-ps's listener: "*:80(http)", "127.0.0.1:7007"; the number always,
// the name beside it unless numeric.
std::string listener_text(const Address& addr, uint16_t port, const Services& services,
                          bool numeric);

// atcp-ps's ATCP column for one process's sockets: each listener, then a
// count per other state: "LISTEN *:80(http), LISTEN *:443(https), ESTAB 3".
std::string endpoints_summary(const std::vector<const SockRecord*>& sockets,
                              const Services& services, bool numeric);

// atcpstat -e's line of figures, e.g. "uid:0 ino:1234 timer:(retransmit,200ms)
// opts:nodelay,ts cubic mss:1448 wscale:7,7 rtt:0.1/0.05 rto:204 cwnd:14480 ...":
// only what the record carried.
std::string extended_text(const SockRecord& r);

// atcpstat -m's figures, as ss -m prints them:
// "skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)"; "" if the module sent none.
std::string skmem_text(const SockRecord& r);

// Microseconds as milliseconds with up to three decimals: 1500 -> "1.5".
std::string ms_text(uint32_t us);

// Bytes a second as ss prints a rate, in bits a second to three significant
// digits: 125000 -> "1Mbps", 1500 -> "12kbps".
std::string rate_text(uint64_t bytes_per_second);

// ps columns.
std::string permille_text(unsigned permille);       // 123 -> "12.3"; 10000 -> "1000"
std::string cpu_time_text(uint64_t seconds);        // BSD's TIME: "M:SS"
std::string start_text(int64_t start, int64_t now); // "HH:MM", "MonDD" or "YYYY"
std::string tty_text(int tty_nr);                   // "?", "pts/0", "tty1", "ttyS0"
std::string user_column(const std::string& name);   // longer than 8: 7 and '+'

} // namespace atcp_tools
