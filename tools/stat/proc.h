// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc says about processes: which sockets each holds (the links
 * "socket:[INODE]" in /proc/PID/fd) and the figures ps(1) shows.  The root
 * is a parameter so that tests read a fixture tree.
 *
 * A process whose fd directory we may not read (another user's, without
 * privilege) is left out of the owners, as ss(8) leaves it out: its sockets
 * still show, without a process.
 */
#pragma once

#include "result.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace atcp_tools {

struct ProcFs {
    std::string root = "/proc";
    long hz = 100;         // clock ticks per second, for the times in stat
    long page_size = 4096; // for stat's rss, counted in pages

    static ProcFs system(); // /proc with this machine's sysconf values
};

struct SocketFd {
    int pid = 0;
    int fd = 0;
};

// Socket inode -> the descriptors that hold it, ordered by pid then fd.
using SocketOwners = std::unordered_map<uint64_t, std::vector<SocketFd>>;

// Every process's sockets for which wanted(inode) is true.
SocketOwners scan_socket_owners(const ProcFs& proc, const std::function<bool(uint64_t)>& wanted);

// "socket:[1234]" -> 1234; anything else -> nullopt.
std::optional<uint64_t> socket_inode(std::string_view link);

// /proc/PID/stat, the fields ps uses.
struct ProcStat {
    int pid = 0;
    std::string comm;
    char state = '?';
    int ppid = 0, pgrp = 0, session = 0, tty_nr = 0, tpgid = 0;
    uint64_t utime = 0, stime = 0; // ticks
    int64_t nice = 0, num_threads = 0;
    uint64_t start_ticks = 0; // after boot
    uint64_t vsize = 0;       // bytes
    int64_t rss_pages = 0;
};
Result<ProcStat> parse_proc_stat(std::string_view text);

// /proc/PID/status: the effective uid (ps's USER) and the locked memory (STAT's L).
struct ProcStatus {
    uint32_t euid = 0;
    uint64_t locked_kb = 0;
};
std::optional<ProcStatus> parse_proc_status(std::string_view text);

// /proc/PID/cmdline's NUL-separated arguments joined by spaces, control
// characters shown as '?'; "[comm]" when empty (a kernel thread, a zombie).
std::string command_line(std::string_view raw, std::string_view comm);

// System-wide figures: /proc/uptime, btime in /proc/stat, MemTotal.
struct SystemInfo {
    double uptime = 0;     // seconds
    int64_t boot_time = 0; // seconds since the epoch
    uint64_t mem_total_kb = 0;
};
Result<SystemInfo> read_system_info(const ProcFs& proc);

// One process as ps aux sees it, its figures computed the way procps does.
struct Process {
    int pid = 0;
    uint32_t euid = 0;
    std::string comm;
    unsigned pcpu_permille = 0; // %CPU * 10 over the process's life
    unsigned pmem_permille = 0; // %MEM * 10
    uint64_t vsz_kb = 0, rss_kb = 0;
    int tty_nr = 0;
    std::string stat;       // "Ss", "Sl+", ...
    int64_t start_time = 0; // seconds since the epoch
    uint64_t cpu_seconds = 0;
    std::string command;
};
Result<Process> read_process(const ProcFs& proc, const SystemInfo& sys, int pid);

// /proc/PID/comm without its newline, or nullopt when the process is gone.
std::optional<std::string> process_comm(const ProcFs& proc, int pid);

} // namespace atcp_tools
