// SPDX-License-Identifier: GPL-2.0
#include "command_line.h"

#include <getopt.h>
#include <linux/atcp.h>

#include <algorithm>
#include <cstdlib>

namespace atcp_tools {

namespace {

constexpr int version_id = long_only - 1;

} // namespace

int report(const char* prog, const Error& error)
{
    std::fprintf(stderr, "%s: %s\n", prog, error.message.c_str());
    return error.kind == Error::Kind::usage ? exit_usage : exit_failure;
}

Result<std::vector<std::string>> parse_command_line(const CommandLine& cl, int argc, char** argv,
                                                    const OptionHandler& take)
{
    std::string shorts;
    std::vector<option> longs;
    for (const Option& o : cl.options) {
        if (o.id < long_only) {
            shorts += static_cast<char>(o.id);
            if (o.takes_argument)
                shorts += ':';
        }
        if (o.name)
            longs.push_back(
                {o.name, o.takes_argument ? required_argument : no_argument, nullptr, o.id});
    }
    shorts += 'h';
    longs.push_back({"help", no_argument, nullptr, 'h'});
    longs.push_back({"version", no_argument, nullptr, version_id});
    longs.push_back({nullptr, 0, nullptr, 0});

    argv[0] = const_cast<char*>(cl.prog);
    optind = 0; // a whole new parse, as if the first
    int c;
    while ((c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr)) != -1) {
        switch (c) {
        case 'h':
            cl.usage(stdout);
            std::exit(0);
        case version_id:
            std::printf("%s (atcp) %s\n", cl.prog, ATCP_VERSION);
            std::exit(0);
        case '?':
        case ':':
            return usage_error(""); // getopt said why
        default:
            auto o = std::find_if(cl.options.begin(), cl.options.end(),
                                  [c](const Option& o) { return o.id == c; });
            if (o != cl.options.end() && o->flag)
                *o->flag = true;
            else if (auto taken = take(c, optarg); !taken)
                return taken.error();
        }
    }
    if (static_cast<size_t>(argc - optind) > cl.max_operands)
        return usage_error(std::string("unexpected argument ") + argv[optind + cl.max_operands]);
    return std::vector<std::string>(argv + optind, argv + argc);
}

int usage_failure(const char* prog, void (*usage)(FILE* out), const Error& error)
{
    if (!error.message.empty())
        std::fprintf(stderr, "%s: %s\n", prog, error.message.c_str());
    usage(stderr);
    return exit_usage;
}

} // namespace atcp_tools
