// SPDX-License-Identifier: GPL-2.0
// /proc on the fixture tree: who holds which socket, and the ps figures
// computed as procps computes them.
#include "proc.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_tools;

ProcFs fixture()
{
    ProcFs p;
    p.root = ATCP_TOOLS_TESTDATA "/proc";
    p.hz = 100;
    p.page_size = 4096;
    return p;
}

TEST(Proc, SocketInodeReadsOnlySocketLinks)
{
    EXPECT_EQ(socket_inode("socket:[5001]"), 5001u);
    for (const char* other : {"pipe:[5001]", "socket:[]", "socket:[12", "socket:[x]", "/dev/null",
                              "socket:5001", "anon_inode:[eventpoll]"})
        EXPECT_FALSE(socket_inode(other)) << other;
}

TEST(Proc, ScanFindsEveryHolderOfAWantedSocket)
{
    auto owners = scan_socket_owners(fixture(), [](uint64_t inode) { return inode != 9999; });
    ASSERT_EQ(owners.size(), 4u);
    ASSERT_EQ(owners[5001].size(), 1u);
    EXPECT_EQ(owners[5001][0].pid, 100);
    EXPECT_EQ(owners[5001][0].fd, 3);
    EXPECT_EQ(owners[5002][0].fd, 4);
    // One socket on two descriptors of a process: both, in fd order.
    ASSERT_EQ(owners[5003].size(), 2u);
    EXPECT_EQ(owners[5003][0].pid, 200);
    EXPECT_EQ(owners[5003][0].fd, 5);
    EXPECT_EQ(owners[5003][1].fd, 6);
    EXPECT_EQ(owners[5004][0].fd, 10);
    EXPECT_FALSE(owners.count(9999)); // not wanted
}

TEST(Proc, ScanOfAMissingRootFindsNothing)
{
    ProcFs p = fixture();
    p.root += "/none";
    EXPECT_TRUE(scan_socket_owners(p, [](uint64_t) { return true; }).empty());
}

TEST(Proc, StatTakesTheCommandUpToTheLastParenthesis)
{
    auto s = parse_proc_stat("200 ((my server) x) R 1 200 150 34816 200 4194304 10 0 0 0 7 3 0 0 "
                             "15 -5 3 0 990000 104857600 2500 18446744073709551615");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->pid, 200);
    EXPECT_EQ(s->comm, "(my server) x");
    EXPECT_EQ(s->state, 'R');
    EXPECT_EQ(s->ppid, 1);
    EXPECT_EQ(s->pgrp, 200);
    EXPECT_EQ(s->session, 150);
    EXPECT_EQ(s->tty_nr, 34816);
    EXPECT_EQ(s->tpgid, 200);
    EXPECT_EQ(s->utime, 7u);
    EXPECT_EQ(s->stime, 3u);
    EXPECT_EQ(s->nice, -5);
    EXPECT_EQ(s->num_threads, 3);
    EXPECT_EQ(s->start_ticks, 990000u);
    EXPECT_EQ(s->vsize, 104857600u);
    EXPECT_EQ(s->rss_pages, 2500);
}

TEST(Proc, StatRefusesWhatIsNotStat)
{
    for (const char* bad : {"", "1 (x", "1 x) S", "1 (x) S 1 2 3",
                            "x (y) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
                            "1 (y) S 1 1 1 0 -1 0 0 0 0 0 z 0 0 0 20 0 1 0 5 0 0"})
        EXPECT_FALSE(parse_proc_stat(bad)) << bad;
}

TEST(Proc, StatusGivesTheEffectiveUidAndLockedMemory)
{
    auto st = parse_proc_status("Name:\tx\nUid:\t1000\t33\t33\t33\nVmLck:\t     12 kB\n");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->euid, 33u);
    EXPECT_EQ(st->locked_kb, 12u);
    EXPECT_FALSE(parse_proc_status("Name:\tx\n"));
}

TEST(Proc, CommandLineJoinsArguments)
{
    using namespace std::string_literals;
    EXPECT_EQ(command_line("python3\0-m\0http.server\0"s, "python3"), "python3 -m http.server");
    EXPECT_EQ(command_line("a\nb\0c\x1b"s, "a"), "a?b c?");
    EXPECT_EQ(command_line(""s, "kworker/0:1"), "[kworker/0:1]");
    EXPECT_EQ(command_line("\0\0"s, "zombie"), "[zombie]");
}

TEST(Proc, SystemInfo)
{
    auto sys = read_system_info(fixture());
    ASSERT_TRUE(sys) << sys.error().message;
    EXPECT_EQ(sys->uptime, 10000); // whole seconds, as procps uses them
    EXPECT_EQ(sys->boot_time, 1700000000);
    EXPECT_EQ(sys->mem_total_kb, 2000000u);
    ProcFs p = fixture();
    p.root = ATCP_TOOLS_TESTDATA;
    EXPECT_FALSE(read_system_info(p));
}

TEST(Proc, ADaemonsFigures)
{
    ProcFs proc = fixture();
    auto p = read_process(proc, *read_system_info(proc), 100);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->pid, 100);
    EXPECT_EQ(p->euid, 0u);
    EXPECT_EQ(p->comm, "atcp-echo");
    // 500 s of CPU over the 5000 s since it started: 10 %.
    EXPECT_EQ(p->pcpu_permille, 100u);
    EXPECT_EQ(p->cpu_seconds, 500u);
    // 5000 pages of 4 KiB out of 2000000 KiB: 1 %.
    EXPECT_EQ(p->rss_kb, 20000u);
    EXPECT_EQ(p->pmem_permille, 10u);
    EXPECT_EQ(p->vsz_kb, 2500u);
    EXPECT_EQ(p->tty_nr, 0);
    EXPECT_EQ(p->stat, "Ss");
    EXPECT_EQ(p->start_time, 1700005000);
    EXPECT_EQ(p->command, "/work/main/build/bin/atcp-echo 7007");
}

TEST(Proc, EveryStatFlag)
{
    ProcFs proc = fixture();
    auto p = read_process(proc, *read_system_info(proc), 200);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->euid, 1000u);
    // Nice below 0, locked memory, threads, the foreground process group.
    EXPECT_EQ(p->stat, "R<Ll+");
    EXPECT_EQ(p->pcpu_permille, 1u);
    EXPECT_EQ(p->pmem_permille, 5u);
    EXPECT_EQ(p->command, "python3 -m http.server 8080");
}

TEST(Proc, AKernelThreadAndAGoneProcess)
{
    ProcFs proc = fixture();
    auto sys = *read_system_info(proc);
    auto k = read_process(proc, sys, 300);
    ASSERT_TRUE(k) << k.error().message;
    EXPECT_EQ(k->command, "[kworker/0:1]");
    EXPECT_EQ(k->stat, "I");
    EXPECT_FALSE(read_process(proc, sys, 400));
    EXPECT_FALSE(read_process(proc, sys, 500));
}

TEST(Proc, CommWithoutItsNewline)
{
    EXPECT_EQ(process_comm(fixture(), 200), "(my server) x");
    EXPECT_FALSE(process_comm(fixture(), 400));
}

} // namespace
