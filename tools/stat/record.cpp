// SPDX-License-Identifier: GPL-2.0
#include "record.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace atcp_tools {

bool Address::is_wildcard() const
{
    size_t n = family == AF_INET6 ? 16 : 4;
    return std::all_of(bytes.begin(), bytes.begin() + n, [](uint8_t b) { return b == 0; });
}

std::string Address::to_string() const
{
    char text[INET6_ADDRSTRLEN] = "";
    if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof(text)))
        return "?";
    return text;
}

namespace {

// Indexed by enum atcp_state: what ss prints, and the name --state takes.
struct StateNames {
    const char* shown;
    const char* option;
};
constexpr std::array<StateNames, ATCP_STATE_COUNT> state_names{{
    {"CLOSED", "closed"},
    {"LISTEN", "listening"},
    {"SYN-SENT", "syn-sent"},
    {"SYN-RECV", "syn-recv"},
    {"ESTAB", "established"},
    {"FIN-WAIT-1", "fin-wait-1"},
    {"FIN-WAIT-2", "fin-wait-2"},
    {"CLOSE-WAIT", "close-wait"},
    {"CLOSING", "closing"},
    {"LAST-ACK", "last-ack"},
    {"TIME-WAIT", "time-wait"},
}};

bool same_name(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::string state_name(uint8_t state)
{
    // A state newer than this build has no name here yet.
    if (state < state_names.size() && state_names[state].shown)
        return state_names[state].shown;
    return "UNKNOWN-" + std::to_string(state);
}

std::optional<uint32_t> parse_state_name(std::string_view name)
{
    for (size_t s = 0; s < state_names.size(); s++) {
        if (state_names[s].shown &&
            (same_name(name, state_names[s].option) || same_name(name, state_names[s].shown)))
            return state_bit(static_cast<int>(s));
    }
    if (same_name(name, "all"))
        return all_states;
    if (same_name(name, "connected"))
        return connected_states;
    // ss's "synchronized": connected, less SYN-SENT.
    if (same_name(name, "synchronized"))
        return connected_states & ~state_bit(ATCP_SYN_SENT);
    return std::nullopt;
}

std::optional<uint32_t> parse_state_list(std::string_view list)
{
    uint32_t mask = 0;
    while (true) {
        size_t comma = list.find(',');
        auto bits = parse_state_name(list.substr(0, comma));
        if (!bits)
            return std::nullopt;
        mask |= *bits;
        if (comma == std::string_view::npos)
            return mask;
        list.remove_prefix(comma + 1);
    }
}

std::string event_name(uint8_t kind)
{
    static constexpr std::array<const char*, ATCP_EVENT_COUNT> names{"listen", "established",
                                                                     "closed", "reset"};
    if (kind < names.size() && names[kind])
        return names[kind];
    return "event-" + std::to_string(kind);
}

std::string timer_name(uint8_t timer)
{
    static constexpr std::array<const char*, ATCP_TIMER_COUNT> names{
        "off", "retransmit", "persist", "delack", "keepalive", "close", "cork", "reorder", "probe"};
    if (timer < names.size() && names[timer])
        return names[timer];
    return "timer-" + std::to_string(timer);
}

std::string options_text(uint32_t bits)
{
    static constexpr std::array<std::pair<uint32_t, const char*>, 8> names{{
        {ATCP_SOCKOPT_NODELAY, "nodelay"},
        {ATCP_SOCKOPT_NOPUSH, "nopush"},
        {ATCP_SOCKOPT_NOOPT, "noopt"},
        {ATCP_SOCKOPT_CORK, "cork"},
        {ATCP_SOCKOPT_KEEPALIVE, "keepalive"},
        {ATCP_SOCKOPT_WSCALE, "wscale"},
        {ATCP_SOCKOPT_TIMESTAMPS, "ts"},
        {ATCP_SOCKOPT_SACK, "sack"},
    }};
    std::string text;
    for (auto [bit, name] : names) {
        if (bits & bit) {
            text += text.empty() ? "" : ",";
            text += name;
        }
    }
    return text.empty() ? "-" : text;
}

std::string counter_name(int mib)
{
    static constexpr std::array<std::string_view, ATCP_MIB_COUNT> names{
        "ActiveOpens",
        "PassiveOpens",
        "AttemptFails",
        "EstabResets",
        "CurrEstab",
        "InSegs",
        "OutSegs",
        "RetransSegs",
        "InErrs",
        "OutRsts",
        "AbortOnData",
        "IcmpIn",
        "IcmpNoConn",
        "IcmpOutOfWindow",
        "PmtuUpdates",
        "PmtudBlackholeActivated",
        "PmtudBlackholeActivatedMinMss",
        "PmtudBlackholeFailed",
        "EcnCeRcvd",
        "EcnEceRcvd",
        "EcnCwrSent",
        "LossProbes",
        "LossProbeRecovery",
        "SackReorder",
        "DsackUndo",
        "SyncookiesSent",
        "SyncookiesRecv",
        "SyncookiesFailed",
        "ListenOverflows",
        "ListenDrops",
        "TimestampUndo",
        "MemoryPressures",
        "MemoryPressuresChrono",
        "RcvQDrop",
        "AbortOnMemory",
        "SynsReceived",
        "ReqQFullDoCookies",
        "ReqQFullDrop",
        "TW",
        "TCPTimeWaitOverflow"};
    if (mib >= 0 && mib < ATCP_MIB_COUNT && !names[mib].empty())
        return std::string(names[mib]);
    // A counter newer than this build: still a distinct JSON key.
    return "mib" + std::to_string(mib);
}

} // namespace atcp_tools
