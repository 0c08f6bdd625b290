// SPDX-License-Identifier: GPL-2.0
/*
 * atcpstat: atcp's listeners and connections as ss(8) and netstat(8) show
 * TCP's, its counters, and its events as they happen; from the module over
 * generic netlink.  See atcpstat(8).
 */
#include "command_line.h"
#include "format.h"
#include "genl.h"
#include "json.h"
#include "socket_view.h"
#include "table.h"
#include "text.h"

#include <linux/atcp.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>

using namespace atcp_tools;

namespace {

const char* const prog = "atcpstat";

void usage(FILE* out)
{
    std::fputs("usage: atcpstat [options]\n"
               "\n"
               "Shows atcp's sockets (by default the connections: every state but LISTEN\n"
               "and CLOSED), its counters, or its events.\n"
               "\n"
               "options:\n"
               "  -l, --listening      listening sockets only\n"
               "  -a, --all            sockets in every state\n"
               "      --state STATES   only these states, comma-separated: established, syn-sent,\n"
               "                       syn-recv, fin-wait-1, fin-wait-2, time-wait, closed,\n"
               "                       close-wait, last-ack, listening, closing; or all,\n"
               "                       connected, synchronized\n"
               "      --sport PORT     local port, a number or a service name\n"
               "      --dport PORT     peer port\n"
               "  -n, --numeric        port numbers, no service names\n"
               "  -p, --processes      the processes holding each socket (PID/command)\n"
               "  -e, --extended       timer, options, ECN, congestion control, mss, wscale,\n"
               "                       rtt, rto, cwnd, ssthresh, retransmits, losses, bytes,\n"
               "                       delivery rate and least rtt per socket; a listener's\n"
               "                       SYN queue\n"
               "  -m, --memory         each socket's memory, as ss -m (skmem)\n"
               "  -s, --stats          the counters and TIME-WAIT entries of this network\n"
               "                       namespace, and the socket memory and orphans of atcp\n"
               "                       as a whole\n"
               "  -E, --watch          print events (listen, established, closed, reset) as\n"
               "                       they happen, until interrupted\n"
               "  -c, --count N        with --watch: exit after N events\n"
               "  -j, --json           JSON (with --watch, one object per line)\n"
               "  -h, --help           this text\n"
               "      --version        atcp's version\n",
               out);
}

struct Options {
    enum class Mode { sockets, stats, watch };
    Mode mode = Mode::sockets;
    bool listening = false, all = false, numeric = false, processes = false, extended = false,
         memory = false, json = false;
    std::optional<uint32_t> states;
    std::optional<uint16_t> sport, dport;
    std::optional<uint64_t> count;
};

Result<Options> parse_options(int argc, char** argv, const Services& services)
{
    enum { opt_state = long_only, opt_sport, opt_dport };
    Options o;
    bool stats = false, watch = false;
    const CommandLine cli{prog,
                          usage,
                          {{.name = "listening", .id = 'l', .flag = &o.listening},
                           {.name = "all", .id = 'a', .flag = &o.all},
                           {.name = "state", .id = opt_state, .takes_argument = true},
                           {.name = "sport", .id = opt_sport, .takes_argument = true},
                           {.name = "dport", .id = opt_dport, .takes_argument = true},
                           {.name = "numeric", .id = 'n', .flag = &o.numeric},
                           {.name = "processes", .id = 'p', .flag = &o.processes},
                           {.name = "extended", .id = 'e', .flag = &o.extended},
                           {.name = "memory", .id = 'm', .flag = &o.memory},
                           {.name = "stats", .id = 's', .flag = &stats},
                           {.name = "watch", .id = 'E', .flag = &watch},
                           {.name = "count", .id = 'c', .takes_argument = true},
                           {.name = "json", .id = 'j', .flag = &o.json}}};
    auto take = [&](int id, const char* arg) -> Status {
        if (id == opt_state) {
            auto bits = parse_state_list(arg);
            if (!bits)
                return usage_error(std::string("--state ") + arg + ": not a state");
            o.states = o.states.value_or(0) | *bits;
        } else if (id == opt_sport || id == opt_dport) {
            auto port = parse_port(arg, services);
            if (!port)
                return usage_error(std::string(id == opt_sport ? "--sport " : "--dport ") + arg +
                                   ": not a port (1-65535) or a tcp service name");
            (id == opt_sport ? o.sport : o.dport) = *port;
        } else if (id == 'c') {
            auto n = parse_uint(arg);
            if (!n || *n == 0)
                return usage_error(std::string("--count ") + arg + ": not a positive number");
            o.count = *n;
        }
        return Ok{};
    };
    if (auto operands = parse_command_line(cli, argc, argv, take); !operands)
        return operands.error();
    if (stats && watch)
        return usage_error("--stats and --watch do not go together");
    if (o.count && !watch)
        return usage_error("--count is for --watch");
    if (o.listening && o.states && !(*o.states & state_bit(ATCP_LISTEN)))
        return usage_error("--listening with --state leaves no state to show");
    o.mode = stats ? Options::Mode::stats : watch ? Options::Mode::watch : Options::Mode::sockets;
    return o;
}

void print(const std::string& text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
}

// Listeners first, then by local and peer endpoint: a stable order to read.
bool row_order(const SockRecord& a, const SockRecord& b)
{
    auto key = [](const SockRecord& r) {
        return std::make_tuple(r.state != ATCP_LISTEN, r.local_port, r.local.bytes, r.remote.bytes,
                               r.remote_port, r.state);
    };
    return key(a) < key(b);
}

// ss's convention: a listener's Recv-Q and Send-Q are its accept queue and backlog.
std::pair<uint64_t, uint64_t> queues(const SockRecord& r)
{
    if (r.state == ATCP_LISTEN)
        return {r.accept_q, r.accept_max};
    return {r.recv_q, r.send_q};
}

int show_sockets(AtcpNetlink& nl, const Options& o, const Services& services)
{
    SockFilter filter;
    filter.states = o.states;
    if (!o.states && !o.all && !o.listening)
        filter.states = connected_states;
    filter.listeners = o.listening;
    // JSON has every field; the table only with -e.
    filter.info = o.extended || o.json;
    filter.local_port = o.sport;
    filter.remote_port = o.dport;
    auto records = nl.sockets(filter);
    if (!records)
        return report(prog, records.error());
    std::sort(records->begin(), records->end(), row_order);
    std::optional<OwnerIndex> owners;
    if (o.processes)
        owners.emplace(ProcFs::system(), *records);

    if (o.json) {
        Json j;
        j.begin_object().key("sockets").begin_array();
        for (const auto& r : *records) {
            j.newline().begin_object();
            socket_json_members(j, r, services, o.numeric);
            if (owners) {
                j.key("processes");
                owners_json(j, owners->owners(r.inode));
            }
            j.end_object();
        }
        j.newline().end_array().end_object();
        print(j.text() + "\n");
        return 0;
    }

    using A = Table::Align;
    std::vector<Table::Column> columns{{"Proto"},
                                       {"Recv-Q", A::right},
                                       {"Send-Q", A::right},
                                       {"Local Address:Port"},
                                       {"Peer Address:Port"},
                                       {"State"}};
    if (o.processes)
        columns.push_back({"PID/Program"});
    Table table(std::move(columns), 2);
    for (const auto& r : *records) {
        auto [recv, send] = queues(r);
        std::vector<std::string> row{"atcp",
                                     std::to_string(recv),
                                     std::to_string(send),
                                     endpoint_text(r.local, r.local_port, services, o.numeric),
                                     endpoint_text(r.remote, r.remote_port, services, o.numeric),
                                     state_name(r.state)};
        if (owners)
            row.push_back(owners_text(owners->owners(r.inode)));
        table.add(std::move(row));
    }
    if (!o.extended && !o.memory) {
        print(table.render());
        return 0;
    }
    // The figures go on a line of their own under each socket, as ss -i -m.
    std::string rendered = table.render();
    auto lines = split_lines(rendered);
    std::string out = std::string(lines[0]) + "\n";
    for (size_t i = 0; i < records->size(); i++) {
        const SockRecord& r = (*records)[i];
        std::string figures = o.extended ? extended_text(r) : "";
        if (o.memory)
            figures += (figures.empty() ? "" : " ") + skmem_text(r);
        out += std::string(lines[i + 1]) + "\n";
        out += "\t" + figures + "\n";
    }
    print(out);
    return 0;
}

int show_stats(AtcpNetlink& nl, const Options& o)
{
    auto counters = nl.counters();
    if (!counters)
        return report(prog, counters.error());
    if (o.json) {
        Json j;
        j.begin_object().key("counters").begin_object();
        for (int mib = 0; mib < ATCP_MIB_COUNT; mib++) {
            if (counters->value[mib])
                j.newline().key(counter_name(mib)).number(*counters->value[mib]);
        }
        j.newline().end_object();
        if (counters->mem_pages) {
            j.key("memory").begin_object().key("pages").number(*counters->mem_pages);
            j.key("pressure").boolean(counters->mem_pressure.value_or(false));
            j.key("orphans").number(counters->orphans.value_or(0)).end_object();
        }
        if (counters->time_wait)
            j.key("time_wait").number(*counters->time_wait);
        j.end_object();
        print(j.text() + "\n");
        return 0;
    }
    Table table({{"Counter"}, {"Value", Table::Align::right}}, 2);
    for (int mib = 0; mib < ATCP_MIB_COUNT; mib++) {
        if (counters->value[mib])
            table.add({counter_name(mib), std::to_string(*counters->value[mib])});
    }
    // atcp as a whole, in every namespace: net.atcp.mem's and max_orphans's measure.
    if (counters->mem_pages) {
        table.add({"MemoryPages", std::to_string(*counters->mem_pages)});
        table.add({"MemoryPressure", counters->mem_pressure.value_or(false) ? "1" : "0"});
        table.add({"Orphans", std::to_string(counters->orphans.value_or(0))});
    }
    if (counters->time_wait)
        table.add({"TimeWait", std::to_string(*counters->time_wait)});
    print(table.render());
    return 0;
}

bool event_wanted(const Options& o, const SockRecord& r)
{
    return (!o.states || (*o.states & state_bit(r.state))) &&
           (!o.listening || r.state == ATCP_LISTEN) && (!o.sport || *o.sport == r.local_port) &&
           (!o.dport || *o.dport == r.remote_port);
}

std::string padded(std::string s, size_t width)
{
    if (s.size() < width)
        s.append(width - s.size(), ' ');
    return s;
}

int watch_events(AtcpNetlink& nl, const Options& o, const Services& services)
{
    if (auto s = nl.subscribe_events(); !s)
        return report(prog, s.error());
    // The heading says the subscription is in place: events from here on.
    if (!o.json) {
        std::string head = padded("Event", 12) + padded("State", 12) +
                           padded("Local Address:Port", 24) + padded("Peer Address:Port", 24);
        if (o.processes)
            head += "PID/Program";
        head.erase(head.find_last_not_of(' ') + 1);
        print(head + "\n");
    }
    std::fflush(stdout);
    ProcFs proc = ProcFs::system();
    uint64_t seen = 0;
    auto each = [&](const Event& ev) {
        if (!event_wanted(o, ev.sock))
            return true;
        std::optional<OwnerIndex> owners;
        if (o.processes)
            owners.emplace(proc, std::vector<SockRecord>{ev.sock});
        if (o.json) {
            Json j;
            j.begin_object().key("event").string(event_name(ev.kind)).key("socket").begin_object();
            socket_json_members(j, ev.sock, services, o.numeric);
            if (owners) {
                j.key("processes");
                owners_json(j, owners->owners(ev.sock.inode));
            }
            j.end_object().end_object();
            print(j.text() + "\n");
        } else {
            const SockRecord& r = ev.sock;
            std::string line =
                padded(event_name(ev.kind), 12) + padded(state_name(r.state), 12) +
                padded(endpoint_text(r.local, r.local_port, services, o.numeric), 24) +
                padded(endpoint_text(r.remote, r.remote_port, services, o.numeric), 24);
            if (owners)
                line += owners_text(owners->owners(r.inode));
            line.erase(line.find_last_not_of(' ') + 1);
            if (o.extended)
                line += "\n\t" + extended_text(r);
            print(line + "\n");
        }
        std::fflush(stdout);
        return !o.count || ++seen < *o.count;
    };
    auto warn = [](const std::string& message) {
        std::fprintf(stderr, "%s: %s\n", prog, message.c_str());
    };
    if (auto s = nl.watch(each, warn); !s)
        return report(prog, s.error());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    Services services = Services::load();
    auto options = parse_options(argc, argv, services);
    if (!options)
        return usage_failure(prog, usage, options.error());
    auto nl = AtcpNetlink::connect();
    if (!nl)
        return report(prog, nl.error());
    switch (options->mode) {
    case Options::Mode::stats:
        return show_stats(*nl, *options);
    case Options::Mode::watch:
        return watch_events(*nl, *options, services);
    case Options::Mode::sockets:
        break;
    }
    return show_sockets(*nl, *options, services);
}
