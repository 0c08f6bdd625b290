// SPDX-License-Identifier: GPL-2.0
/*
 * What the module reports over generic netlink, decoded: a socket record,
 * the namespace's counters and an event.  The names the tools print for
 * states, timers, options, events and counters live here too, so that the
 * two tools and their JSON agree.
 */
#pragma once

#include <linux/atcp.h>

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atcp_tools {

// An address in network order: the first 4 bytes for AF_INET.
struct Address {
    int family = 0; // AF_INET or AF_INET6
    std::array<uint8_t, 16> bytes{};

    bool is_wildcard() const;
    std::string to_string() const; // inet_ntop's text
};

struct SockRecord {
    uint8_t state = ATCP_CLOSED;
    Address local, remote;
    uint16_t local_port = 0, remote_port = 0;
    uint64_t inode = 0;
    uint32_t uid = 0;
    uint32_t recv_q = 0, send_q = 0;
    uint32_t accept_q = 0, accept_max = 0;
    uint8_t timer = ATCP_TIMER_NONE;
    uint32_t timer_ms = 0;
    uint32_t options = 0;
    uint32_t mss = 0;
    uint8_t snd_wscale = 0, rcv_wscale = 0;
    uint32_t rtt_us = 0, rttvar_us = 0, rto_us = 0;
    uint32_t cwnd = 0, ssthresh = 0;
    uint32_t retransmits = 0;
    uint64_t bytes_acked = 0, bytes_received = 0;
    std::string congestion; // "cubic", "newreno"
    uint8_t ecn = 0;        // ATCP_SOCK_ECN_* bits
    // Loss recovery, in bytes above SND.UNA as the module counts them.
    uint32_t sacked = 0, lost = 0, retrans_out = 0;
    uint32_t reordering = 0;    // segments
    uint32_t min_rtt_us = 0;    // 0: no sample yet
    uint64_t delivery_rate = 0; // bytes a second
    uint32_t syn_q = 0;         // listeners: connections in their handshake
    // The socket's memory, as ss -m's skmem: enum atcp_skmem's figures.
    std::array<uint32_t, ATCP_SKMEM_COUNT> skmem{};

    // Which ATCP_A_* attributes the record carried: the extended figures
    // are shown only when the module sent them.
    std::bitset<ATCP_A_MAX + 1> present;
    bool has(int attr) const { return present.test(static_cast<size_t>(attr)); }
};

// ATCP_CMD_STATS_GET's answer: each counter the module sent.
struct Counters {
    std::array<std::optional<uint64_t>, ATCP_MIB_COUNT> value{};
    // What atcp holds in every namespace (net.atcp.mem, max_orphans).
    std::optional<uint64_t> mem_pages;
    std::optional<bool> mem_pressure;
    std::optional<uint32_t> orphans;
    // TIME-WAIT entries in the caller's namespace (net.atcp.max_tw_buckets).
    std::optional<uint32_t> time_wait;
};

struct Event {
    uint8_t kind = ATCP_EVENT_LISTEN;
    SockRecord sock;
};

// "ESTAB", "LISTEN", ... as ss(8) prints them; "UNKNOWN-n" past the enum.
std::string state_name(uint8_t state);
// The names --state accepts (ss's, any case) -> a mask of (1 << state) bits:
// one state, or the groups "all", "connected" and "synchronized".
std::optional<uint32_t> parse_state_name(std::string_view name);
// A comma-separated list of the above, or nullopt at the first bad name.
std::optional<uint32_t> parse_state_list(std::string_view list);

constexpr uint32_t state_bit(int state)
{
    return 1U << state;
}
constexpr uint32_t all_states = (1U << ATCP_STATE_COUNT) - 1;
// What ss shows by default: every state but LISTEN and CLOSED.
constexpr uint32_t connected_states =
    all_states & ~state_bit(ATCP_LISTEN) & ~state_bit(ATCP_CLOSED);

std::string event_name(uint8_t kind);    // "listen", "established", ...
std::string timer_name(uint8_t timer);   // "retransmit", "persist", ...
std::string options_text(uint32_t bits); // "nodelay,ts,sack" or "-"
std::string counter_name(int mib);       // "ActiveOpens", as RFC 4022 and nstat

} // namespace atcp_tools
