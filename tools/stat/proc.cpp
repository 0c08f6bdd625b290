// SPDX-License-Identifier: GPL-2.0
#include "proc.h"

#include "text.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

namespace atcp_tools {

namespace {

struct DirCloser {
    void operator()(DIR* d) const { closedir(d); }
};
using Dir = std::unique_ptr<DIR, DirCloser>;

std::optional<int> pid_of(const char* name)
{
    auto n = parse_uint(name);
    if (!n || *n == 0 || *n > INT32_MAX)
        return std::nullopt;
    return static_cast<int>(*n);
}

std::string pid_path(const ProcFs& proc, int pid, const char* file)
{
    return proc.root + "/" + std::to_string(pid) + "/" + file;
}

} // namespace

ProcFs ProcFs::system()
{
    ProcFs p;
    p.hz = sysconf(_SC_CLK_TCK);
    p.page_size = sysconf(_SC_PAGESIZE);
    return p;
}

std::optional<uint64_t> socket_inode(std::string_view link)
{
    constexpr std::string_view prefix = "socket:[";
    if (link.size() <= prefix.size() + 1 || link.substr(0, prefix.size()) != prefix ||
        link.back() != ']')
        return std::nullopt;
    return parse_uint(link.substr(prefix.size(), link.size() - prefix.size() - 1));
}

SocketOwners scan_socket_owners(const ProcFs& proc, const std::function<bool(uint64_t)>& wanted)
{
    SocketOwners owners;
    Dir root(opendir(proc.root.c_str()));
    if (!root)
        return owners;
    std::vector<int> pids;
    while (dirent* e = readdir(root.get())) {
        if (auto pid = pid_of(e->d_name))
            pids.push_back(*pid);
    }
    std::sort(pids.begin(), pids.end());
    for (int pid : pids) {
        // EACCES for other users' processes, ENOENT for one that just ended.
        Dir fds(opendir(pid_path(proc, pid, "fd").c_str()));
        if (!fds)
            continue;
        while (dirent* e = readdir(fds.get())) {
            auto fd = parse_uint(e->d_name);
            if (!fd)
                continue;
            char link[64];
            ssize_t n = readlinkat(dirfd(fds.get()), e->d_name, link, sizeof(link));
            if (n <= 0 || n == sizeof(link))
                continue;
            auto inode = socket_inode(std::string_view(link, static_cast<size_t>(n)));
            if (inode && wanted(*inode))
                owners[*inode].push_back({pid, static_cast<int>(*fd)});
        }
    }
    // readdir's order within a directory is the filesystem's.
    for (auto& [inode, fds] : owners) {
        std::sort(fds.begin(), fds.end(), [](const SocketFd& a, const SocketFd& b) {
            return a.pid != b.pid ? a.pid < b.pid : a.fd < b.fd;
        });
    }
    return owners;
}

Result<ProcStat> parse_proc_stat(std::string_view text)
{
    // The command may hold spaces and parentheses: it ends at the last ')'.
    size_t open = text.find('(');
    size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return failure("stat: no (comm)");
    ProcStat s;
    auto head = split_words(text.substr(0, open));
    auto pid = head.size() == 1 ? parse_uint(head[0]) : std::nullopt;
    s.comm = std::string(text.substr(open + 1, close - open - 1));
    // fields[0] is the third field of proc(5), the state.
    auto fields = split_words(text.substr(close + 1));
    if (!pid || fields.size() < 22 || fields[0].size() != 1)
        return failure("stat: too few fields");
    s.pid = static_cast<int>(*pid);
    s.state = fields[0][0];
    auto field = [&](int number) { return parse_int(fields[static_cast<size_t>(number - 3)]); };
    auto ppid = field(4), pgrp = field(5), session = field(6), tty = field(7), tpgid = field(8);
    auto utime = field(14), stime = field(15), nice = field(19), threads = field(20);
    auto start = field(22), vsize = field(23), rss = field(24);
    for (auto* f : {&ppid, &pgrp, &session, &tty, &tpgid, &utime, &stime, &nice, &threads, &start,
                    &vsize, &rss}) {
        if (!*f)
            return failure("stat: a field that is not a number");
    }
    s.ppid = static_cast<int>(*ppid);
    s.pgrp = static_cast<int>(*pgrp);
    s.session = static_cast<int>(*session);
    s.tty_nr = static_cast<int>(*tty);
    s.tpgid = static_cast<int>(*tpgid);
    s.utime = static_cast<uint64_t>(*utime);
    s.stime = static_cast<uint64_t>(*stime);
    s.nice = *nice;
    s.num_threads = *threads;
    s.start_ticks = static_cast<uint64_t>(*start);
    s.vsize = static_cast<uint64_t>(*vsize);
    s.rss_pages = *rss;
    return s;
}

std::optional<ProcStatus> parse_proc_status(std::string_view text)
{
    ProcStatus st;
    bool have_uid = false;
    for (std::string_view line : split_lines(text)) {
        auto words = split_words(line);
        if (words.size() >= 3 && words[0] == "Uid:") {
            // Real, effective, saved, filesystem: ps's USER is the effective one.
            auto euid = parse_uint(words[2]);
            if (!euid)
                return std::nullopt;
            st.euid = static_cast<uint32_t>(*euid);
            have_uid = true;
        } else if (words.size() >= 2 && words[0] == "VmLck:") {
            st.locked_kb = parse_uint(words[1]).value_or(0);
        }
    }
    if (!have_uid)
        return std::nullopt;
    return st;
}

std::string command_line(std::string_view raw, std::string_view comm)
{
    while (!raw.empty() && raw.back() == '\0')
        raw.remove_suffix(1);
    if (raw.empty())
        return "[" + std::string(comm) + "]";
    std::string line(raw);
    for (char& c : line) {
        if (c == '\0')
            c = ' ';
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    }
    return line;
}

Result<SystemInfo> read_system_info(const ProcFs& proc)
{
    SystemInfo sys;
    auto uptime = read_file(proc.root + "/uptime");
    auto stat = read_file(proc.root + "/stat");
    auto meminfo = read_file(proc.root + "/meminfo");
    if (!uptime || !stat || !meminfo)
        return failure("cannot read " + proc.root + "/uptime, stat or meminfo");
    auto words = split_words(*uptime);
    // "12345.67 ..." : whole seconds are what ps's figures use.
    if (words.empty() || !parse_uint(words[0].substr(0, words[0].find('.'))))
        return failure(proc.root + "/uptime: not a number");
    sys.uptime = static_cast<double>(*parse_uint(words[0].substr(0, words[0].find('.'))));
    for (std::string_view line : split_lines(*stat)) {
        auto w = split_words(line);
        if (w.size() == 2 && w[0] == "btime")
            sys.boot_time = parse_int(w[1]).value_or(0);
    }
    for (std::string_view line : split_lines(*meminfo)) {
        auto w = split_words(line);
        if (w.size() >= 2 && w[0] == "MemTotal:")
            sys.mem_total_kb = parse_uint(w[1]).value_or(0);
    }
    if (sys.boot_time == 0 || sys.mem_total_kb == 0)
        return failure(proc.root + ": no btime in stat or no MemTotal in meminfo");
    return sys;
}

namespace {

// ps's STAT: the state letter, then <, N, L, s, l, + as procps adds them.
std::string stat_column(const ProcStat& s, const ProcStatus& status)
{
    std::string out(1, s.state);
    if (s.nice < 0)
        out += '<';
    if (s.nice > 0)
        out += 'N';
    if (status.locked_kb > 0)
        out += 'L';
    if (s.session == s.pid)
        out += 's';
    if (s.num_threads > 1)
        out += 'l';
    if (s.tpgid > 0 && s.pgrp == s.tpgid)
        out += '+';
    return out;
}

} // namespace

Result<Process> read_process(const ProcFs& proc, const SystemInfo& sys, int pid)
{
    auto stat_text = read_file(pid_path(proc, pid, "stat"));
    auto status_text = read_file(pid_path(proc, pid, "status"));
    auto cmdline = read_file(pid_path(proc, pid, "cmdline"));
    if (!stat_text || !status_text || !cmdline)
        return failure("process " + std::to_string(pid) + " is gone");
    auto s = parse_proc_stat(*stat_text);
    if (!s)
        return failure(pid_path(proc, pid, "stat") + ": " + s.error().message);
    auto status = parse_proc_status(*status_text);
    if (!status)
        return failure(pid_path(proc, pid, "status") + ": no Uid line");

    Process p;
    p.pid = pid;
    p.euid = status->euid;
    p.comm = s->comm;
    p.tty_nr = s->tty_nr;
    p.stat = stat_column(*s, *status);
    p.vsz_kb = s->vsize / 1024;
    p.rss_kb = static_cast<uint64_t>(std::max<int64_t>(s->rss_pages, 0)) *
               static_cast<uint64_t>(proc.page_size) / 1024;
    uint64_t hz = static_cast<uint64_t>(proc.hz);
    uint64_t cpu_ticks = s->utime + s->stime;
    p.cpu_seconds = cpu_ticks / hz;
    p.start_time = sys.boot_time + static_cast<int64_t>(s->start_ticks / hz);
    // procps: CPU time over the whole seconds the process has lived.
    auto alive = static_cast<int64_t>(sys.uptime) - static_cast<int64_t>(s->start_ticks / hz);
    if (alive > 0)
        p.pcpu_permille =
            static_cast<unsigned>(cpu_ticks * 1000 / hz / static_cast<uint64_t>(alive));
    p.pmem_permille = static_cast<unsigned>(p.rss_kb * 1000 / sys.mem_total_kb);
    p.command = command_line(*cmdline, s->comm);
    return p;
}

std::optional<std::string> process_comm(const ProcFs& proc, int pid)
{
    auto comm = read_file(pid_path(proc, pid, "comm"));
    if (!comm)
        return std::nullopt;
    if (!comm->empty() && comm->back() == '\n')
        comm->pop_back();
    return comm;
}

} // namespace atcp_tools
