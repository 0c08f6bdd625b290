// SPDX-License-Identifier: GPL-2.0
/*
 * atcp-ps: the processes that hold atcp sockets, one row each with the
 * columns of ps aux and the process's atcp endpoints.  The sockets come from
 * the module over generic netlink, their owners from the socket inodes in
 * /proc/PID/fd.  See atcp-ps(8).
 */
#include "cli.h"
#include "format.h"
#include "genl.h"
#include "json.h"
#include "proc.h"
#include "socket_view.h"
#include "table.h"
#include "text.h"
#include "users.h"

#include <getopt.h>
#include <linux/atcp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <unordered_set>

using namespace atcp_tools;

namespace {

const char* const prog = "atcp-ps";

void usage(FILE* out)
{
    std::fputs("usage: atcp-ps [options]\n"
               "\n"
               "Shows each process that holds atcp sockets: the columns of ps aux and\n"
               "its atcp endpoints (each listener, and a count per other state).\n"
               "\n"
               "options:\n"
               "  -l, --listening    daemons only: processes with a listening socket\n"
               "  -p, --pid PID      that process only\n"
               "  -u, --user USER    that user's processes (a name or a uid)\n"
               "  -n, --numeric      port numbers, no service names\n"
               "  -j, --json         JSON\n"
               "  -h, --help         this text\n"
               "      --version      atcp's version\n",
               out);
}

struct Options {
    bool listening = false, numeric = false, json = false;
    std::optional<int> pid;
    std::optional<uint32_t> uid;
};

Error bad_usage(std::string message)
{
    return Error{Error::Kind::usage, std::move(message)};
}

Result<Options> parse_options(int argc, char** argv, const Users& users)
{
    static const option longs[] = {
        {"listening", no_argument, nullptr, 'l'},  {"pid", required_argument, nullptr, 'p'},
        {"user", required_argument, nullptr, 'u'}, {"numeric", no_argument, nullptr, 'n'},
        {"json", no_argument, nullptr, 'j'},       {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},    {nullptr, 0, nullptr, 0},
    };
    Options o;
    // getopt's own messages name argv[0]: the tool's name, not its path.
    argv[0] = const_cast<char*>(prog);
    int c;
    while ((c = getopt_long(argc, argv, "lp:u:njh", longs, nullptr)) != -1) {
        switch (c) {
        case 'l':
            o.listening = true;
            break;
        case 'p': {
            auto pid = parse_uint(optarg);
            if (!pid || *pid == 0 || *pid > INT32_MAX)
                return bad_usage(std::string("--pid ") + optarg + ": not a process id");
            o.pid = static_cast<int>(*pid);
            break;
        }
        case 'u': {
            auto uid = users.uid(optarg);
            if (!uid)
                return bad_usage(std::string("--user ") + optarg + ": no such user");
            o.uid = *uid;
            break;
        }
        case 'n':
            o.numeric = true;
            break;
        case 'j':
            o.json = true;
            break;
        case 'h':
            usage(stdout);
            std::exit(0);
        case 'V':
            std::printf("%s (atcp) %s\n", prog, ATCP_VERSION);
            std::exit(0);
        default:
            return bad_usage("");
        }
    }
    if (optind < argc)
        return bad_usage(std::string("unexpected argument ") + argv[optind]);
    return o;
}

// One process and the atcp sockets it holds, each once however many
// descriptors refer to it.
struct Holder {
    Process process;
    std::vector<const SockRecord*> sockets;
    std::vector<int> fds; // beside sockets
};

void print(const std::string& text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
}

void show_json(const std::vector<Holder>& holders, const Users& users, const Services& services,
               const Options& o, int64_t now)
{
    Json j;
    j.begin_object().key("processes").begin_array();
    for (const Holder& h : holders) {
        const Process& p = h.process;
        j.newline().begin_object();
        j.key("user").string(users.name(p.euid)).key("uid").number(p.euid);
        j.key("pid").number(static_cast<uint64_t>(p.pid));
        j.key("cpu").decimal(permille_text(p.pcpu_permille));
        j.key("mem").decimal(permille_text(p.pmem_permille));
        j.key("vsz").number(p.vsz_kb).key("rss").number(p.rss_kb);
        j.key("tty").string(tty_text(p.tty_nr)).key("stat").string(p.stat);
        j.key("start").string(start_text(p.start_time, now));
        j.key("start_time").signed_number(p.start_time);
        j.key("time").string(cpu_time_text(p.cpu_seconds));
        j.key("cpu_seconds").number(p.cpu_seconds);
        j.key("command").string(p.command);
        j.key("sockets").begin_array();
        for (size_t i = 0; i < h.sockets.size(); i++) {
            j.begin_object();
            j.key("fd").number(static_cast<uint64_t>(h.fds[i]));
            socket_json_members(j, *h.sockets[i], services, o.numeric);
            j.end_object();
        }
        j.end_array().end_object();
    }
    j.newline().end_array().end_object();
    print(j.text() + "\n");
}

void show_table(const std::vector<Holder>& holders, const Users& users, const Services& services,
                const Options& o, int64_t now)
{
    using A = Table::Align;
    Table table({{"USER"},
                 {"PID", A::right},
                 {"%CPU", A::right},
                 {"%MEM", A::right},
                 {"VSZ", A::right},
                 {"RSS", A::right},
                 {"TTY"},
                 {"STAT"},
                 {"START"},
                 {"TIME", A::right},
                 {"ATCP"},
                 {"COMMAND"}});
    for (const Holder& h : holders) {
        const Process& p = h.process;
        table.add({user_column(users.name(p.euid)), std::to_string(p.pid),
                   permille_text(p.pcpu_permille), permille_text(p.pmem_permille),
                   std::to_string(p.vsz_kb), std::to_string(p.rss_kb), tty_text(p.tty_nr), p.stat,
                   start_text(p.start_time, now), cpu_time_text(p.cpu_seconds),
                   endpoints_summary(h.sockets, services, o.numeric), p.command});
    }
    print(table.render());
}

int run(const Options& o, const Users& users, const Services& services)
{
    auto nl = AtcpNetlink::connect();
    if (!nl)
        return report(prog, nl.error());
    auto records = nl->sockets(SockFilter{});
    if (!records)
        return report(prog, records.error());

    std::unordered_map<uint64_t, const SockRecord*> by_inode;
    for (const auto& r : *records) {
        if (r.inode != 0)
            by_inode.emplace(r.inode, &r);
    }
    ProcFs proc = ProcFs::system();
    SocketOwners owners =
        scan_socket_owners(proc, [&](uint64_t inode) { return by_inode.count(inode) != 0; });

    // pid -> its sockets, in inode order for a stable listing.
    std::map<int, std::map<uint64_t, int>> by_pid;
    for (const auto& [inode, fds] : owners) {
        for (const SocketFd& s : fds)
            by_pid[s.pid].try_emplace(inode, s.fd);
    }
    auto sys = read_system_info(proc);
    if (!sys)
        return report(prog, sys.error());

    std::vector<Holder> holders;
    for (const auto& [pid, inodes] : by_pid) {
        if (o.pid && *o.pid != pid)
            continue;
        Holder h;
        for (const auto& [inode, fd] : inodes) {
            h.sockets.push_back(by_inode.at(inode));
            h.fds.push_back(fd);
        }
        if (o.listening && std::none_of(h.sockets.begin(), h.sockets.end(),
                                        [](auto* r) { return r->state == ATCP_LISTEN; }))
            continue;
        auto p = read_process(proc, *sys, pid);
        if (!p) // it ended since the scan
            continue;
        if (o.uid && *o.uid != p->euid)
            continue;
        h.process = std::move(*p);
        holders.push_back(std::move(h));
    }

    int64_t now = std::time(nullptr);
    if (o.json)
        show_json(holders, users, services, o, now);
    else
        show_table(holders, users, services, o, now);

    // Without privilege other users' descriptors cannot be read: say that
    // rows may be missing rather than let the listing look complete.
    if (geteuid() != 0 && !o.pid && !o.uid) {
        size_t hidden = std::count_if(by_inode.begin(), by_inode.end(),
                                      [&](const auto& e) { return owners.count(e.first) == 0; });
        if (hidden)
            std::fprintf(stderr,
                         "%s: %zu atcp socket%s held by processes whose descriptors you may not "
                         "read\n",
                         prog, hidden, hidden == 1 ? " is" : "s are");
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    Users users = Users::system();
    auto options = parse_options(argc, argv, users);
    if (!options) {
        if (!options.error().message.empty())
            std::fprintf(stderr, "%s: %s\n", prog, options.error().message.c_str());
        usage(stderr);
        return exit_usage;
    }
    return run(*options, users, Services::load());
}
