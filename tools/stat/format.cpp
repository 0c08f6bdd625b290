// SPDX-License-Identifier: GPL-2.0
#include "format.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace atcp_tools {

std::string port_text(uint16_t port, const Services& services, bool numeric)
{
    if (port == 0)
        return "*";
    if (!numeric) {
        if (auto name = services.name(port))
            return std::string(*name);
    }
    return std::to_string(port);
}

namespace {

std::string host_text(const Address& addr)
{
    return addr.family == AF_INET6 ? "[" + addr.to_string() + "]" : addr.to_string();
}

} // namespace

std::string endpoint_text(const Address& addr, uint16_t port, const Services& services,
                          bool numeric)
{
    return host_text(addr) + ":" + port_text(port, services, numeric);
}

std::string listener_text(const Address& addr, uint16_t port, const Services& services,
                          bool numeric)
{
    std::string text = (addr.is_wildcard() ? "*" : host_text(addr)) + ":" + std::to_string(port);
    if (!numeric) {
        if (auto name = services.name(port))
            text += "(" + std::string(*name) + ")";
    }
    return text;
}

std::string endpoints_summary(const std::vector<const SockRecord*>& sockets,
                              const Services& services, bool numeric)
{
    std::vector<const SockRecord*> listeners;
    std::array<unsigned, ATCP_STATE_COUNT> counts{};
    for (const SockRecord* r : sockets) {
        if (r->state == ATCP_LISTEN)
            listeners.push_back(r);
        else if (r->state < ATCP_STATE_COUNT)
            counts[r->state]++;
    }
    std::sort(listeners.begin(), listeners.end(), [](const SockRecord* a, const SockRecord* b) {
        return std::tie(a->local_port, a->local.bytes) < std::tie(b->local_port, b->local.bytes);
    });
    std::string text;
    auto add = [&](const std::string& item) {
        text += text.empty() ? "" : ", ";
        text += item;
    };
    for (const SockRecord* r : listeners)
        add("LISTEN " + listener_text(r->local, r->local_port, services, numeric));
    for (uint8_t s = 0; s < ATCP_STATE_COUNT; s++) {
        if (counts[s])
            add(state_name(s) + " " + std::to_string(counts[s]));
    }
    return text.empty() ? "-" : text;
}

std::string ms_text(uint32_t us)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%u.%03u", us / 1000, us % 1000);
    std::string s = text;
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.')
        s.pop_back();
    return s;
}

namespace {

// The module counts the loss figures in bytes; ss shows segments.  Divided
// by the MSS and rounded up, as a short segment is one too; in bytes, with
// a B, when the record has no MSS to divide by.
std::string segments_text(uint32_t bytes, const SockRecord& r)
{
    if (!r.has(ATCP_A_SOCK_MSS) || r.mss == 0)
        return std::to_string(bytes) + "B";
    return std::to_string((uint64_t{bytes} + r.mss - 1) / r.mss);
}

} // namespace

std::string rate_text(uint64_t bytes_per_second)
{
    static constexpr std::array<const char*, 5> prefixes{"", "k", "M", "G", "T"};
    double bits = static_cast<double>(bytes_per_second) * 8;
    size_t i = 0;
    // From 999.5 up, three significant digits would print "1e+03": the next prefix.
    while (bits >= 999.5 && i + 1 < prefixes.size()) {
        bits /= 1000;
        i++;
    }
    char text[48];
    if (bits < 999.5)
        std::snprintf(text, sizeof(text), "%.3g%sbps", bits, prefixes[i]);
    else // past the last prefix
        std::snprintf(text, sizeof(text), "%.0f%sbps", bits, prefixes[i]);
    return text;
}

std::string extended_text(const SockRecord& r)
{
    std::string out;
    auto add = [&](const std::string& item) {
        out += out.empty() ? "" : " ";
        out += item;
    };
    auto num = [](uint64_t v) { return std::to_string(v); };
    if (r.has(ATCP_A_SOCK_UID))
        add("uid:" + num(r.uid));
    if (r.has(ATCP_A_SOCK_INODE))
        add("ino:" + num(r.inode));
    // A listener's accept queue is its Recv-Q; the SYN queue is here.
    if (r.has(ATCP_A_SOCK_SYN_Q))
        add("syn_q:" + num(r.syn_q));
    if (r.has(ATCP_A_SOCK_TIMER)) {
        if (r.timer == ATCP_TIMER_NONE)
            add("timer:(off)");
        else
            add("timer:(" + timer_name(r.timer) + "," + num(r.timer_ms) + "ms)");
    }
    if (r.has(ATCP_A_SOCK_OPTIONS))
        add("opts:" + options_text(r.options));
    // ss's words and order: ECN, then the algorithm.
    if (r.ecn & ATCP_SOCK_ECN_AGREED)
        add("ecn");
    if (r.ecn & ATCP_SOCK_ECN_SEEN)
        add("ecnseen");
    if (!r.congestion.empty())
        add(r.congestion);
    if (r.has(ATCP_A_SOCK_MSS))
        add("mss:" + num(r.mss));
    if (r.has(ATCP_A_SOCK_SND_WSCALE) || r.has(ATCP_A_SOCK_RCV_WSCALE))
        add("wscale:" + num(r.snd_wscale) + "," + num(r.rcv_wscale));
    if (r.has(ATCP_A_SOCK_RTT_US))
        add("rtt:" + ms_text(r.rtt_us) + "/" + ms_text(r.rttvar_us));
    if (r.has(ATCP_A_SOCK_RTO_US))
        add("rto:" + ms_text(r.rto_us));
    if (r.has(ATCP_A_SOCK_CWND))
        add("cwnd:" + num(r.cwnd));
    if (r.has(ATCP_A_SOCK_SSTHRESH))
        add("ssthresh:" + num(r.ssthresh));
    // ss's retrans:OUT/TOTAL when the module sends what is out; an older
    // module's record prints as it did.
    if (r.has(ATCP_A_SOCK_RETRANS_OUT))
        add("retrans:" + segments_text(r.retrans_out, r) + "/" + num(r.retransmits));
    else if (r.has(ATCP_A_SOCK_RETRANSMITS))
        add("retrans:" + num(r.retransmits));
    // As ss: lost and sacked when not 0, reordering when more than the least.
    if (r.lost)
        add("lost:" + segments_text(r.lost, r));
    if (r.sacked)
        add("sacked:" + segments_text(r.sacked, r));
    if (r.has(ATCP_A_SOCK_REORDERING) && r.reordering != 3)
        add("reordering:" + num(r.reordering));
    if (r.has(ATCP_A_SOCK_BYTES_ACKED))
        add("bytes_acked:" + num(r.bytes_acked));
    if (r.has(ATCP_A_SOCK_BYTES_RECEIVED))
        add("bytes_received:" + num(r.bytes_received));
    if (r.delivery_rate)
        add("delivery_rate " + rate_text(r.delivery_rate));
    if (r.min_rtt_us)
        add("minrtt:" + ms_text(r.min_rtt_us));
    return out;
}

std::string skmem_text(const SockRecord& r)
{
    if (!r.has(ATCP_A_SOCK_SKMEM))
        return "";
    static constexpr std::array<const char*, ATCP_SKMEM_COUNT> tags{"r", "rb", "t",  "tb", "f",
                                                                    "w", "o",  "bl", "d"};
    std::string out = "skmem:(";
    for (size_t i = 0; i < tags.size(); i++)
        out += (i ? "," : "") + std::string(tags[i]) + std::to_string(r.skmem[i]);
    return out + ")";
}

std::string permille_text(unsigned permille)
{
    // procps: past 99.9 the decimal is dropped to keep the column narrow.
    if (permille > 999)
        return std::to_string(permille / 10);
    return std::to_string(permille / 10) + "." + std::to_string(permille % 10);
}

std::string cpu_time_text(uint64_t seconds)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%llu:%02u", static_cast<unsigned long long>(seconds / 60),
                  static_cast<unsigned>(seconds % 60));
    return text;
}

std::string start_text(int64_t start, int64_t now)
{
    time_t s = static_cast<time_t>(start), n = static_cast<time_t>(now);
    tm start_tm{}, now_tm{};
    localtime_r(&s, &start_tm);
    localtime_r(&n, &now_tm);
    // procps: the time today, the date this year, the year before that.
    const char* format = "%H:%M";
    if (start_tm.tm_yday != now_tm.tm_yday)
        format = "%b%d";
    if (start_tm.tm_year != now_tm.tm_year)
        format = "%Y";
    char text[32];
    size_t len = strftime(text, sizeof(text), format, &start_tm);
    return std::string(text, len);
}

std::string tty_text(int tty_nr)
{
    if (tty_nr == 0)
        return "?";
    auto dev = static_cast<unsigned>(tty_nr);
    unsigned major = (dev >> 8) & 0xfff;
    unsigned minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    if (major >= 136 && major <= 143)
        return "pts/" + std::to_string((major - 136) * 256 + minor);
    if (major == 4)
        return minor < 64 ? "tty" + std::to_string(minor) : "ttyS" + std::to_string(minor - 64);
    if (major == 5 && minor == 1)
        return "console";
    return std::to_string(major) + "," + std::to_string(minor);
}

std::string user_column(const std::string& name)
{
    if (name.size() <= 8)
        return name;
    return name.substr(0, 7) + "+";
}

} // namespace atcp_tools
