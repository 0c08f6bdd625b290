// SPDX-License-Identifier: GPL-2.0
// The tools' shared command line: a table of options, a handler, operands.
#include "command_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace atcp_tools;

void no_usage(FILE*)
{
}

enum { opt_sport = long_only };

const CommandLine tool{"tool",
                       no_usage,
                       {{.name = "listening", .id = 'l'},
                        {.name = "count", .id = 'c', .takes_argument = true},
                        {.name = "sport", .id = opt_sport, .takes_argument = true},
                        {.id = 'd'}},
                       1};

// argv as main gets it; getopt may permute it, so each call gets a fresh copy.
struct Args {
    explicit Args(std::vector<std::string> words) : words_(std::move(words))
    {
        for (std::string& w : words_)
            argv_.push_back(w.data());
        argv_.push_back(nullptr);
    }
    int argc() const { return static_cast<int>(words_.size()); }
    char** argv() { return argv_.data(); }

  private:
    std::vector<std::string> words_;
    std::vector<char*> argv_;
};

// What the handler saw, as "id=argument" words.
struct Seen {
    std::vector<std::string> options;
    Result<std::vector<std::string>> parse(std::vector<std::string> words)
    {
        Args args(std::move(words));
        return parse_command_line(
            tool, args.argc(), args.argv(), [this](int id, const char* arg) -> Status {
                if (id == 'c' && std::string(arg) == "0")
                    return usage_error("--count 0: not a positive number");
                options.push_back(std::to_string(id) + "=" + (arg ? arg : ""));
                return Ok{};
            });
    }
};

TEST(CommandLine, ShortLongAndLongOnlyOptionsReachTheHandler)
{
    Seen seen;
    auto operands = seen.parse({"/usr/sbin/tool", "-l", "--count", "3", "-c4", "--sport=80", "-d"});
    ASSERT_TRUE(operands);
    EXPECT_TRUE(operands->empty());
    std::vector<std::string> want{"108=", "99=3", "99=4", std::to_string(opt_sport) + "=80",
                                  "100="};
    EXPECT_EQ(seen.options, want);
}

TEST(CommandLine, OperandsUpToTheLimit)
{
    Seen seen;
    auto one = seen.parse({"tool", "-l", "file.conf"});
    ASSERT_TRUE(one);
    EXPECT_EQ(*one, std::vector<std::string>{"file.conf"});

    auto two = seen.parse({"tool", "a", "b"});
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().kind, Error::Kind::usage);
    EXPECT_EQ(two.error().message, "unexpected argument b");
}

TEST(CommandLine, TheHandlersErrorEndsTheParse)
{
    Seen seen;
    auto r = seen.parse({"tool", "-c", "0", "-l"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::usage);
    EXPECT_EQ(r.error().message, "--count 0: not a positive number");
    EXPECT_TRUE(seen.options.empty());
}

TEST(CommandLine, GetoptsOwnErrorsCarryNoMessage)
{
    Seen seen;
    for (std::vector<std::string> words : {std::vector<std::string>{"tool", "-x"},
                                           {"tool", "--nope"},
                                           {"tool", "--count"},
                                           {"tool", "--listening=1"}}) {
        auto r = seen.parse(words);
        ASSERT_FALSE(r) << words[1];
        EXPECT_EQ(r.error().kind, Error::Kind::usage);
        EXPECT_EQ(r.error().message, "");
    }
}

TEST(CommandLine, AFlagIsSetWithoutTheHandler)
{
    bool numeric = false, json = false;
    const CommandLine flags{"tool",
                            no_usage,
                            {{.name = "numeric", .id = 'n', .flag = &numeric},
                             {.name = "json", .id = 'j', .flag = &json}}};
    Args args({"tool", "--numeric"});
    auto r = parse_command_line(flags, args.argc(), args.argv(), [](int, const char*) -> Status {
        ADD_FAILURE() << "the handler saw a flag";
        return Ok{};
    });
    ASSERT_TRUE(r);
    EXPECT_TRUE(numeric);
    EXPECT_FALSE(json);
}

TEST(CommandLine, ShortOnlyOptionsHaveNoLongName)
{
    Seen seen;
    EXPECT_FALSE(seen.parse({"tool", "--d"}));
}

TEST(CommandLine, HelpAndVersionPrintAndExit)
{
    Seen seen;
    EXPECT_EXIT(seen.parse({"tool", "--version"}), testing::ExitedWithCode(0), "");
    EXPECT_EXIT(seen.parse({"tool", "-h"}), testing::ExitedWithCode(0), "");
}

TEST(CommandLine, ReportGivesTheExitStatusOfTheKind)
{
    testing::internal::CaptureStderr();
    EXPECT_EQ(report("tool", usage_error("bad")), exit_usage);
    EXPECT_EQ(report("tool", failure("failed")), exit_failure);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "tool: bad\ntool: failed\n");
}

} // namespace
