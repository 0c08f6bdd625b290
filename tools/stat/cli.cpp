// SPDX-License-Identifier: GPL-2.0
#include "cli.h"

#include <cstdio>

namespace atcp_tools {

int report(const char* prog, const Error& error)
{
    std::fprintf(stderr, "%s: %s\n", prog, error.message.c_str());
    return error.kind == Error::Kind::usage ? exit_usage : exit_failure;
}

} // namespace atcp_tools
