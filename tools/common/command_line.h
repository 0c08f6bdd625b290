// SPDX-License-Identifier: GPL-2.0
/*
 * The tools' command lines: each tool gives a table of its options and a
 * handler for them; the parsing (getopt_long), -h/--help, --version, the
 * operands and what a usage error prints and returns are here, once.
 */
#pragma once

#include "result.h"

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace atcp_tools {

// The exit statuses the manual pages promise.
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// "PROG: MESSAGE" on stderr; returns the exit status for the error's kind.
int report(const char* prog, const Error& error);

inline Error usage_error(std::string message)
{
    return Error{Error::Kind::usage, std::move(message)};
}

// Ids from here on are long options with no short letter.
constexpr int long_only = 256;

// One option of a tool, written with designated initializers:
//   {.name = "listening", .id = 'l', .flag = &o.listening}
//   {.name = "pid", .id = 'p', .takes_argument = true}
// id is its short letter (-l), or long_only and up for an option with a long
// name alone; name is the long name without "--", or nullptr for a short
// option alone.  A flag sets *flag; the handler sees the others.
struct Option {
    const char* name = nullptr;
    int id = 0;
    bool takes_argument = false;
    bool* flag = nullptr;
};

struct CommandLine {
    const char* prog;            // in messages and --version
    void (*usage)(FILE* out);    // the text --help prints
    std::vector<Option> options; // besides -h/--help and --version, which all take
    size_t max_operands = 0;
};

// Takes one option of the table with its argument (nullptr for none): Ok, or
// a usage error saying what is wrong with it.
using OptionHandler = std::function<Status(int id, const char* argument)>;

// Parses argv by cl's table.  -h/--help prints the usage on stdout and
// --version "PROG (atcp) VERSION"; either then exits 0.  Returns the
// operands, or a usage error: the handler's, too many operands, or one with
// an empty message where getopt has already said what was wrong.  argv[0]
// becomes cl.prog, so that getopt's messages name the tool, not its path.
Result<std::vector<std::string>> parse_command_line(const CommandLine& cl, int argc, char** argv,
                                                    const OptionHandler& take);

// For a usage error: "PROG: MESSAGE" when there is a message, then the
// usage, on stderr; returns exit_usage.
int usage_failure(const char* prog, void (*usage)(FILE* out), const Error& error);

} // namespace atcp_tools
