// SPDX-License-Identifier: GPL-2.0
/*
 * What both tools do with a failure: one line on stderr and the exit status
 * their manual pages promise.
 */
#pragma once

#include "result.h"

namespace atcp_tools {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// "PROG: MESSAGE"; returns the exit status for the error's kind.
int report(const char* prog, const Error& error);

} // namespace atcp_tools
