// SPDX-License-Identifier: GPL-2.0
/*
 * atcp_dump_bench [ROUNDS]: how long a full ATCP_CMD_SOCK_GET dump takes,
 * request to the last record parsed, without printing; the best and the
 * median of ROUNDS (default 10).  tools_test.sh runs it over 10,000 sockets.
 */
#include "command_line.h"
#include "genl.h"
#include "text.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace atcp_tools;

int main(int argc, char** argv)
{
    auto rounds = argc > 1 ? parse_uint(argv[1]) : std::optional<uint64_t>(10);
    if (argc > 2 || !rounds || *rounds == 0 || *rounds > 1000) {
        std::fprintf(stderr, "usage: atcp_dump_bench [ROUNDS]\n");
        return exit_usage;
    }
    auto nl = AtcpNetlink::connect();
    if (!nl)
        return report("atcp_dump_bench", nl.error());
    std::vector<double> ms;
    size_t count = 0;
    for (uint64_t i = 0; i < *rounds; i++) {
        auto start = std::chrono::steady_clock::now();
        size_t n = 0;
        auto s = nl->dump(SockFilter{}, [&](SockRecord&&) { n++; });
        auto end = std::chrono::steady_clock::now();
        if (!s)
            return report("atcp_dump_bench", s.error());
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
        count = n;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%zu sockets: best %.1f ms, median %.1f ms over %zu dumps\n", count, ms.front(),
                ms[ms.size() / 2], ms.size());
    return 0;
}
