// SPDX-License-Identifier: GPL-2.0
/*
 * inetd.conf lines: what each field means, and that every kind of bad line
 * is reported as file:line and skipped while the good lines stand.
 */
#include "config.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <map>

namespace {

using namespace atcp_inetd;

const std::string services_path = ATCP_INETD_TESTDATA "/services";
const std::string file = "inetd.conf";

// A system with the fixture's services and a few users and groups.
Lookups fake_system(bool ipv6 = false)
{
    Lookups lookups = system_lookups(services_path, ipv6);
    static const std::map<std::string, UserInfo> users = {
        {"root", {0, 0}}, {"toor", {0, 0}}, {"nobody", {65534, 65534}}, {"alice", {1000, 1000}}};
    static const std::map<std::string, gid_t> groups = {
        {"root", 0}, {"staff", 50}, {"nogroup", 65534}};
    lookups.user = [](const std::string& name) -> std::optional<UserInfo> {
        auto it = users.find(name);
        return it == users.end() ? std::nullopt : std::optional(it->second);
    };
    lookups.group = [](const std::string& name) -> std::optional<gid_t> {
        auto it = groups.find(name);
        return it == groups.end() ? std::nullopt : std::optional(it->second);
    };
    return lookups;
}

ParseResult parse(std::string_view text, const Lookups& lookups = fake_system(),
                  const Defaults& defaults = {})
{
    return parse_config(text, file, lookups, defaults);
}

// The one service of a good line.
ServiceEntry good(std::string_view line, const Lookups& lookups = fake_system())
{
    auto result = parse(line, lookups);
    for (const auto& d : result.diagnostics)
        ADD_FAILURE() << d.text();
    EXPECT_EQ(result.services.size(), 1u) << line;
    return result.services.empty() ? ServiceEntry{} : result.services.front();
}

// The diagnostic of a bad line, which must leave no service.
std::string bad(std::string_view line, const Lookups& lookups = fake_system())
{
    auto result = parse(line, lookups);
    EXPECT_TRUE(result.services.empty()) << line;
    EXPECT_EQ(result.diagnostics.size(), 1u) << line;
    return result.diagnostics.empty() ? "" : result.diagnostics.front().text();
}

std::array<uint8_t, 16> v4(const char* text)
{
    std::array<uint8_t, 16> address{};
    inet_pton(AF_INET, text, address.data());
    return address;
}

TEST(InetdConfig, InternalServiceByName)
{
    auto e = good("echo stream atcp nowait root internal");
    EXPECT_EQ(e.file, file);
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.service, "echo");
    EXPECT_EQ(e.listen.family, Family::inet);
    EXPECT_EQ(e.listen.port, 7);
    EXPECT_EQ(e.listen.address, (std::array<uint8_t, 16>{}));
    EXPECT_FALSE(e.wait);
    EXPECT_EQ(e.user, "root");
    EXPECT_EQ(e.uid, 0u);
    EXPECT_EQ(e.gid, 0u);
    EXPECT_EQ(e.server, "internal");
    EXPECT_TRUE(e.argv.empty());
    ASSERT_TRUE(e.internal);
    EXPECT_EQ(*e.internal, Internal::echo);
    EXPECT_EQ(e.label(), "echo/atcp");
}

TEST(InetdConfig, EveryInternalService)
{
    for (auto [name, service, port] : {std::tuple{"echo", Internal::echo, 7},
                                       {"discard", Internal::discard, 9},
                                       {"chargen", Internal::chargen, 19},
                                       {"daytime", Internal::daytime, 13},
                                       {"time", Internal::time, 37}}) {
        auto e = good(std::string(name) + " stream atcp nowait nobody internal");
        EXPECT_EQ(e.internal, service) << name;
        EXPECT_EQ(e.listen.port, port) << name;
    }
}

TEST(InetdConfig, InternalServiceOnAPortOfOnesChoosing)
{
    auto e = good("7107 stream atcp nowait nobody internal chargen");
    EXPECT_EQ(e.listen.port, 7107);
    EXPECT_EQ(e.internal, Internal::chargen);
    // The argument wins over the service's own name.
    EXPECT_EQ(good("echo stream atcp nowait nobody internal discard").internal, Internal::discard);
}

TEST(InetdConfig, ServerAndArguments)
{
    auto e = good("7007 stream atcp nowait nobody /bin/cat cat -u");
    EXPECT_EQ(e.listen.port, 7007);
    EXPECT_EQ(e.server, "/bin/cat");
    EXPECT_EQ(e.argv, (std::vector<std::string>{"cat", "-u"}));
    EXPECT_FALSE(e.internal);
    EXPECT_EQ(e.uid, 65534u);
}

TEST(InetdConfig, ServerWithoutArgumentsGetsItsNameAsArgv0)
{
    auto e = good("7007 stream atcp nowait nobody /usr/libexec/ftpd");
    EXPECT_EQ(e.argv, std::vector<std::string>{"ftpd"});
}

TEST(InetdConfig, SeedSyntaxWithAtcp)
{
    // The seed document's lines, protocol tcp made atcp and a name our fixture has.
    auto e = good("telnet stream  atcp nowait  root    /usr/libexec/telnetd    telnetd");
    EXPECT_EQ(e.listen.port, 23);
    EXPECT_EQ(e.argv, std::vector<std::string>{"telnetd"});
}

TEST(InetdConfig, BlanksCommentsTabsAndCrLf)
{
    auto result = parse("# a comment\n"
                        "\n"
                        "   \t \n"
                        "  # an indented comment\n"
                        "echo\tstream\tatcp\tnowait\troot\tinternal\r\n"
                        "  daytime   stream atcp nowait root internal");
    ASSERT_TRUE(result.diagnostics.empty()) << result.diagnostics.front().text();
    ASSERT_EQ(result.services.size(), 2u);
    EXPECT_EQ(result.services[0].line, 5);
    EXPECT_EQ(result.services[0].server, "internal");
    EXPECT_EQ(result.services[1].line, 6);
}

TEST(InetdConfig, ServiceNamesFromTheServicesFile)
{
    EXPECT_EQ(good("frobnitz stream atcp nowait root /bin/cat").listen.port, 7007);
    EXPECT_EQ(good("frob stream atcp nowait root /bin/cat").listen.port, 7007); // an alias
    EXPECT_EQ(good("sink stream atcp nowait root /bin/cat").listen.port, 9);
    EXPECT_EQ(good("source stream atcp nowait root internal chargen").listen.port, 19);
}

TEST(InetdConfig, UnknownServiceNames)
{
    EXPECT_EQ(bad("gopher stream atcp nowait root /bin/cat"),
              "inetd.conf:1: unknown service 'gopher': not a port number and not a tcp service "
              "in " +
                  services_path);
    // tftp is only over UDP.
    EXPECT_EQ(bad("tftp stream atcp nowait root /bin/cat"),
              "inetd.conf:1: unknown service 'tftp': not a port number and not a tcp service in " +
                  services_path);
    // Another services file knows none of the fixture's names.
    auto empty = fake_system();
    empty.tcp_port = [](std::string_view) { return std::optional<uint16_t>(); };
    EXPECT_NE(bad("echo stream atcp nowait root internal", empty).find("unknown service 'echo'"),
              std::string::npos);
}

TEST(InetdConfig, PortNumbers)
{
    EXPECT_EQ(good("1 stream atcp nowait root /bin/cat").listen.port, 1);
    EXPECT_EQ(good("65535 stream atcp nowait root /bin/cat").listen.port, 65535);
    EXPECT_EQ(bad("0 stream atcp nowait root /bin/cat"),
              "inetd.conf:1: port 0 is out of range 1-65535");
    EXPECT_EQ(bad("65536 stream atcp nowait root /bin/cat"),
              "inetd.conf:1: port 65536 is out of range 1-65535");
    EXPECT_EQ(bad("99999999999 stream atcp nowait root /bin/cat"),
              "inetd.conf:1: port 99999999999 is out of range 1-65535");
}

TEST(InetdConfig, ListenAddress)
{
    auto e = good("127.0.0.1:7007 stream atcp nowait root /bin/cat");
    EXPECT_EQ(e.listen.address, v4("127.0.0.1"));
    EXPECT_EQ(e.listen.port, 7007);
    EXPECT_EQ(e.label(), "127.0.0.1:7007/atcp");
    EXPECT_EQ(good("*:echo stream atcp nowait root internal").listen.address,
              (std::array<uint8_t, 16>{}));
    EXPECT_EQ(good("127.0.0.1:echo stream atcp nowait root internal").internal, Internal::echo);
    EXPECT_EQ(bad("127.0.0.300:7007 stream atcp nowait root /bin/cat"),
              "inetd.conf:1: bad IPv4 address '127.0.0.300'");
    EXPECT_EQ(bad("127.0.0.1: stream atcp nowait root /bin/cat"),
              "inetd.conf:1: missing service name or port in '127.0.0.1:'");
}

TEST(InetdConfig, Atcp6WithoutIpv6InTheModule)
{
    EXPECT_EQ(bad("echo stream atcp6 nowait root internal", fake_system(false)),
              "inetd.conf:1: atcp6: IPv6 is not supported yet");
}

TEST(InetdConfig, Atcp6WithIpv6InTheModule)
{
    auto e = good("echo stream atcp6 nowait root internal", fake_system(true));
    EXPECT_EQ(e.listen.family, Family::inet6);
    EXPECT_EQ(e.listen.port, 7);
    EXPECT_EQ(e.label(), "echo/atcp6");
    auto loopback = good("[::1]:7007 stream atcp6 nowait root /bin/cat", fake_system(true));
    std::array<uint8_t, 16> want{};
    want[15] = 1;
    EXPECT_EQ(loopback.listen.address, want);
    EXPECT_EQ(bad("::1:7007 stream atcp6 nowait root /bin/cat", fake_system(true)),
              "inetd.conf:1: bad address '::1': an atcp6 address is written [ADDRESS]");
    EXPECT_EQ(bad("[::g]:7007 stream atcp6 nowait root /bin/cat", fake_system(true)),
              "inetd.conf:1: bad IPv6 address '[::g]'");
}

TEST(InetdConfig, Atcp6AndAtcpOnOnePortAreTwoServices)
{
    auto result = parse("echo stream atcp nowait root internal\n"
                        "echo stream atcp6 nowait root internal\n",
                        fake_system(true));
    EXPECT_TRUE(result.diagnostics.empty());
    EXPECT_EQ(result.services.size(), 2u);
}

TEST(InetdConfig, SocketTypes)
{
    EXPECT_EQ(bad("echo dgram atcp wait root internal"),
              "inetd.conf:1: socket type 'dgram' is not supported: atcp is stream only");
    EXPECT_EQ(bad("echo seqpacket atcp nowait root internal"),
              "inetd.conf:1: socket type 'seqpacket' is not supported: atcp is stream only");
    EXPECT_EQ(bad("echo streams atcp nowait root internal"),
              "inetd.conf:1: unknown socket type 'streams': expected stream");
}

TEST(InetdConfig, Protocols)
{
    EXPECT_EQ(bad("echo stream tcp nowait root internal"),
              "inetd.conf:1: unknown protocol 'tcp': expected atcp or atcp6");
    EXPECT_EQ(bad("echo stream udp nowait root internal"),
              "inetd.conf:1: unknown protocol 'udp': expected atcp or atcp6");
    EXPECT_EQ(bad("echo stream ATCP nowait root internal"),
              "inetd.conf:1: unknown protocol 'ATCP': expected atcp or atcp6");
}

TEST(InetdConfig, WaitAndNowait)
{
    auto w = good("7007 stream atcp wait nobody /bin/cat");
    EXPECT_TRUE(w.wait);
    EXPECT_EQ(w.max_per_minute, 256u);
    EXPECT_EQ(w.max_children, 0u);
    auto n = good("7007 stream atcp nowait nobody /bin/cat");
    EXPECT_FALSE(n.wait);
}

TEST(InetdConfig, NowaitDotRateIsConnectionsAMinute)
{
    EXPECT_EQ(good("7007 stream atcp nowait.10 nobody /bin/cat").max_per_minute, 10u);
    EXPECT_EQ(good("7007 stream atcp nowait.0 nobody /bin/cat").max_per_minute, 0u);
    EXPECT_EQ(good("7007 stream atcp nowait.1000000 nobody /bin/cat").max_per_minute, 1000000u);
    EXPECT_EQ(good("7007 stream atcp wait.5 nobody /bin/cat").max_per_minute, 5u);
}

TEST(InetdConfig, SlashMaxIsChildrenAtOnce)
{
    auto e = good("7007 stream atcp nowait/4 nobody /bin/cat");
    EXPECT_EQ(e.max_children, 4u);
    EXPECT_EQ(e.max_per_minute, 256u);
    auto both = good("7007 stream atcp nowait.10/4 nobody /bin/cat");
    EXPECT_EQ(both.max_per_minute, 10u);
    EXPECT_EQ(both.max_children, 4u);
    EXPECT_EQ(good("7007 stream atcp wait/1 nobody /bin/cat").max_children, 1u);
}

TEST(InetdConfig, DefaultsFromTheCommandLine)
{
    Defaults defaults{.max_per_minute = 40, .max_children = 8};
    auto result = parse("7007 stream atcp nowait nobody /bin/cat\n"
                        "7008 stream atcp nowait.3 nobody /bin/cat\n"
                        "7009 stream atcp nowait/2 nobody /bin/cat\n",
                        fake_system(), defaults);
    ASSERT_EQ(result.services.size(), 3u);
    EXPECT_EQ(result.services[0].max_per_minute, 40u);
    EXPECT_EQ(result.services[0].max_children, 8u);
    EXPECT_EQ(result.services[1].max_per_minute, 3u);
    EXPECT_EQ(result.services[1].max_children, 8u);
    EXPECT_EQ(result.services[2].max_per_minute, 40u);
    EXPECT_EQ(result.services[2].max_children, 2u);
}

TEST(InetdConfig, BadWaitFields)
{
    const std::string rate_help = ": expected connections a minute, 0 to 1000000 (0: no limit)";
    const std::string max_help = ": expected children at once, 0 to 1000000 (0: no limit)";
    struct Case {
        const char* field;
        std::string message;
    };
    for (const auto& [field, message] : {
             Case{"sometimes", "expected wait or nowait, found 'sometimes'"},
             Case{"Nowait", "expected wait or nowait, found 'Nowait'"},
             Case{"nowait.", "bad connection rate '' in 'nowait.'" + rate_help},
             Case{"nowait.x", "bad connection rate 'x' in 'nowait.x'" + rate_help},
             Case{"nowait.-1", "bad connection rate '-1' in 'nowait.-1'" + rate_help},
             Case{"nowait.1000001",
                  "bad connection rate '1000001' in 'nowait.1000001'" + rate_help},
             Case{"nowait.5.5", "bad connection rate '5.5' in 'nowait.5.5'" + rate_help},
             Case{"nowait/", "bad child limit '' in 'nowait/'" + max_help},
             Case{"nowait/x", "bad child limit 'x' in 'nowait/x'" + max_help},
             Case{"nowait.3/x", "bad child limit 'x' in 'nowait.3/x'" + max_help},
             Case{"nowait/2/3", "per-address limits in 'nowait/2/3' are not supported"},
             Case{"wait/2", "a wait service runs one server at a time: 'wait/2' asks for 2"},
         }) {
        EXPECT_EQ(bad("7007 stream atcp " + std::string(field) + " nobody /bin/cat"),
                  "inetd.conf:1: " + message);
    }
}

TEST(InetdConfig, UserAndGroup)
{
    auto user = good("7007 stream atcp nowait alice /bin/cat");
    EXPECT_EQ(user.user, "alice");
    EXPECT_EQ(user.group, "");
    EXPECT_EQ(user.uid, 1000u);
    EXPECT_EQ(user.gid, 1000u); // the primary group
    auto both = good("7007 stream atcp nowait alice:staff /bin/cat");
    EXPECT_EQ(both.user, "alice");
    EXPECT_EQ(both.group, "staff");
    EXPECT_EQ(both.uid, 1000u);
    EXPECT_EQ(both.gid, 50u);
    auto root_group = good("7007 stream atcp nowait nobody:root /bin/cat");
    EXPECT_EQ(root_group.uid, 65534u);
    EXPECT_EQ(root_group.gid, 0u);
}

TEST(InetdConfig, BadUsersAndGroups)
{
    EXPECT_EQ(bad("7007 stream atcp nowait bob /bin/cat"), "inetd.conf:1: unknown user 'bob'");
    EXPECT_EQ(bad("7007 stream atcp nowait alice:wheel /bin/cat"),
              "inetd.conf:1: unknown group 'wheel'");
    EXPECT_EQ(bad("7007 stream atcp nowait alice: /bin/cat"),
              "inetd.conf:1: missing group after ':' in 'alice:'");
    EXPECT_EQ(bad("7007 stream atcp nowait :staff /bin/cat"),
              "inetd.conf:1: missing user in ':staff'");
}

TEST(InetdConfig, RootOnlyWhenTheLineSaysRoot)
{
    EXPECT_EQ(good("7007 stream atcp nowait root /bin/cat").uid, 0u);
    EXPECT_EQ(bad("7007 stream atcp nowait toor /bin/cat"),
              "inetd.conf:1: user 'toor' has uid 0: only a line that says root runs as root");
}

TEST(InetdConfig, BadServers)
{
    EXPECT_EQ(bad("7007 stream atcp nowait root cat cat"),
              "inetd.conf:1: server 'cat' is neither an absolute path nor internal");
    EXPECT_EQ(bad("7007 stream atcp nowait root bin/cat"),
              "inetd.conf:1: server 'bin/cat' is neither an absolute path nor internal");
    EXPECT_EQ(bad("echo stream atcp nowait root Internal"),
              "inetd.conf:1: server 'Internal' is neither an absolute path nor internal");
}

TEST(InetdConfig, BadInternalServices)
{
    EXPECT_EQ(bad("telnet stream atcp nowait root internal"),
              "inetd.conf:1: no internal service 'telnet' (there are echo, discard, chargen, "
              "daytime, time)");
    EXPECT_EQ(bad("7007 stream atcp nowait root internal qotd"),
              "inetd.conf:1: no internal service 'qotd' (there are echo, discard, chargen, "
              "daytime, time)");
    EXPECT_EQ(bad("7007 stream atcp nowait root internal"),
              "inetd.conf:1: internal on port 7007 needs the service's name as its argument, "
              "e.g. 'internal echo'");
    EXPECT_EQ(bad("7007 stream atcp nowait root internal echo extra"),
              "inetd.conf:1: internal takes one argument, the service's name; found 2");
    EXPECT_EQ(bad("echo stream atcp wait root internal"),
              "inetd.conf:1: internal services run nowait");
}

TEST(InetdConfig, TooFewFields)
{
    const std::string message = "inetd.conf:1: expected at least 6 fields (service, socket type, "
                                "protocol, wait/nowait, user, server), found ";
    EXPECT_EQ(bad("echo"), message + "1");
    EXPECT_EQ(bad("echo stream atcp nowait root"), message + "5");
}

TEST(InetdConfig, TheSamePortTwice)
{
    auto result = parse("echo stream atcp nowait root internal\n"
                        "7 stream atcp nowait root /bin/cat\n");
    ASSERT_EQ(result.services.size(), 1u);
    EXPECT_EQ(result.services[0].server, "internal");
    ASSERT_EQ(result.diagnostics.size(), 1u);
    EXPECT_EQ(result.diagnostics[0].text(),
              "inetd.conf:2: port 7 over atcp is already served by line 1");
    // Another address on the port is another service.
    EXPECT_EQ(parse("7007 stream atcp nowait root /bin/cat\n"
                    "127.0.0.1:7007 stream atcp nowait root /bin/cat\n")
                  .services.size(),
              2u);
}

TEST(InetdConfig, BadLinesAreSkippedAndTheRestStands)
{
    auto result = parse_config("# services for the test\n"
                               "echo stream atcp nowait root internal\n"
                               "bogus stream atcp nowait root internal\n"
                               "daytime stream atcp nowait root internal\n"
                               "7007 stream atcp nowait nobody\n"
                               "\n"
                               "7008 stream atcp nowait.x nobody /bin/cat\n"
                               "7009 stream atcp nowait nobody /bin/cat cat\n",
                               "/etc/atcp-inetd.conf", fake_system());
    ASSERT_EQ(result.services.size(), 3u);
    EXPECT_EQ(result.services[0].line, 2);
    EXPECT_EQ(result.services[1].line, 4);
    EXPECT_EQ(result.services[2].line, 8);
    ASSERT_EQ(result.diagnostics.size(), 3u);
    EXPECT_EQ(result.diagnostics[0].line, 3);
    EXPECT_EQ(result.diagnostics[1].line, 5);
    EXPECT_EQ(result.diagnostics[2].line, 7);
    for (const auto& d : result.diagnostics)
        EXPECT_EQ(d.text().rfind("/etc/atcp-inetd.conf:" + std::to_string(d.line) + ": ", 0), 0u)
            << d.text();
}

TEST(InetdConfig, SameServiceIgnoresWhereTheLineStands)
{
    auto a = good("7007 stream atcp nowait nobody /bin/cat cat");
    auto b = parse("\n\n7007 stream atcp nowait nobody /bin/cat cat").services.at(0);
    EXPECT_EQ(b.line, 3);
    EXPECT_TRUE(a.same_service(b));
    EXPECT_FALSE(a.same_service(good("7007 stream atcp nowait nobody /bin/cat cat -u")));
    EXPECT_FALSE(a.same_service(good("7007 stream atcp nowait alice /bin/cat cat")));
    EXPECT_FALSE(a.same_service(good("7007 stream atcp nowait.5 nobody /bin/cat cat")));
}

TEST(InetdConfig, SystemLookupsKnowRoot)
{
    auto result = parse("7007 stream atcp nowait root /bin/cat\n"
                        "7008 stream atcp nowait root:root /bin/cat\n"
                        "7009 stream atcp nowait no-such-user-here /bin/cat\n",
                        system_lookups(services_path, false));
    ASSERT_EQ(result.services.size(), 2u);
    EXPECT_EQ(result.services[0].uid, 0u);
    EXPECT_EQ(result.services[1].gid, 0u);
    ASSERT_EQ(result.diagnostics.size(), 1u);
    EXPECT_EQ(result.diagnostics[0].text(), "inetd.conf:3: unknown user 'no-such-user-here'");
}

} // namespace
