// SPDX-License-Identifier: GPL-2.0
#include "socket_view.h"

#include <sys/socket.h>

#include <unordered_set>

namespace atcp_tools {

namespace {

void endpoint_json(Json& j, const Address& addr, uint16_t port, const Services& services,
                   bool numeric)
{
    j.begin_object().key("address").string(addr.to_string()).key("port").number(port);
    if (!numeric && port != 0) {
        if (auto name = services.name(port))
            j.key("service").string(*name);
    }
    j.end_object();
}

} // namespace

void socket_json_members(Json& j, const SockRecord& r, const Services& services, bool numeric)
{
    j.key("proto").string("atcp");
    j.key("family").string(r.local.family == AF_INET6 ? "inet6" : "inet");
    j.key("state").string(state_name(r.state));
    j.key("recv_q").number(r.recv_q);
    j.key("send_q").number(r.send_q);
    j.key("local");
    endpoint_json(j, r.local, r.local_port, services, numeric);
    j.key("peer");
    endpoint_json(j, r.remote, r.remote_port, services, numeric);

    auto u = [&](int attr, const char* name, uint64_t value) {
        if (r.has(attr))
            j.key(name).number(value);
    };
    u(ATCP_A_SOCK_INODE, "inode", r.inode);
    u(ATCP_A_SOCK_UID, "uid", r.uid);
    u(ATCP_A_SOCK_ACCEPT_Q, "accept_q", r.accept_q);
    u(ATCP_A_SOCK_ACCEPT_MAX, "accept_max", r.accept_max);
    u(ATCP_A_SOCK_SYN_Q, "syn_q", r.syn_q);
    if (r.has(ATCP_A_SOCK_SKMEM)) {
        static constexpr std::array<const char*, ATCP_SKMEM_COUNT> names{
            "rmem_alloc",  "rcvbuf", "wmem_alloc", "sndbuf", "fwd_alloc",
            "wmem_queued", "optmem", "backlog",    "drops"};
        j.key("skmem").begin_object();
        for (size_t i = 0; i < names.size(); i++)
            j.key(names[i]).number(r.skmem[i]);
        j.end_object();
    }
    if (r.has(ATCP_A_SOCK_TIMER)) {
        j.key("timer").string(timer_name(r.timer));
        u(ATCP_A_SOCK_TIMER_MS, "timer_ms", r.timer_ms);
    }
    if (r.has(ATCP_A_SOCK_OPTIONS)) {
        j.key("options").begin_array();
        for (uint32_t bit = 1; bit != 0; bit <<= 1) {
            // Bits this build has no name for are left out.
            if ((r.options & bit) && options_text(bit) != "-")
                j.string(options_text(bit));
        }
        j.end_array();
    }
    u(ATCP_A_SOCK_MSS, "mss", r.mss);
    u(ATCP_A_SOCK_SND_WSCALE, "snd_wscale", r.snd_wscale);
    u(ATCP_A_SOCK_RCV_WSCALE, "rcv_wscale", r.rcv_wscale);
    u(ATCP_A_SOCK_RTT_US, "rtt_us", r.rtt_us);
    u(ATCP_A_SOCK_RTTVAR_US, "rttvar_us", r.rttvar_us);
    u(ATCP_A_SOCK_RTO_US, "rto_us", r.rto_us);
    u(ATCP_A_SOCK_CWND, "cwnd", r.cwnd);
    u(ATCP_A_SOCK_SSTHRESH, "ssthresh", r.ssthresh);
    u(ATCP_A_SOCK_RETRANSMITS, "retransmits", r.retransmits);
    u(ATCP_A_SOCK_BYTES_ACKED, "bytes_acked", r.bytes_acked);
    u(ATCP_A_SOCK_BYTES_RECEIVED, "bytes_received", r.bytes_received);
    if (r.has(ATCP_A_SOCK_CC))
        j.key("congestion").string(r.congestion);
    if (r.has(ATCP_A_SOCK_ECN)) {
        j.key("ecn").boolean(r.ecn & ATCP_SOCK_ECN_AGREED);
        j.key("ecn_seen").boolean(r.ecn & ATCP_SOCK_ECN_SEEN);
    }
    // In bytes, as the module counts them; the text shows segments.
    u(ATCP_A_SOCK_SACKED, "sacked_bytes", r.sacked);
    u(ATCP_A_SOCK_LOST, "lost_bytes", r.lost);
    u(ATCP_A_SOCK_RETRANS_OUT, "retrans_out_bytes", r.retrans_out);
    u(ATCP_A_SOCK_REORDERING, "reordering", r.reordering);
    u(ATCP_A_SOCK_MIN_RTT_US, "min_rtt_us", r.min_rtt_us);
    u(ATCP_A_SOCK_DELIVERY_RATE, "delivery_rate", r.delivery_rate); // bytes a second
}

OwnerIndex::OwnerIndex(const ProcFs& proc, const std::vector<SockRecord>& records)
{
    std::unordered_set<uint64_t> wanted;
    for (const auto& r : records) {
        if (r.inode != 0)
            wanted.insert(r.inode);
    }
    if (wanted.empty())
        return;
    SocketOwners found =
        scan_socket_owners(proc, [&](uint64_t inode) { return wanted.count(inode) != 0; });
    std::unordered_map<int, std::string> comms;
    for (auto& [inode, fds] : found) {
        auto& owners = by_inode_[inode];
        for (const SocketFd& s : fds) {
            auto [it, added] = comms.try_emplace(s.pid);
            if (added)
                it->second = process_comm(proc, s.pid).value_or("?");
            owners.push_back({s.pid, s.fd, it->second});
        }
    }
}

const std::vector<Owner>& OwnerIndex::owners(uint64_t inode) const
{
    static const std::vector<Owner> none;
    auto it = inode != 0 ? by_inode_.find(inode) : by_inode_.end();
    return it == by_inode_.end() ? none : it->second;
}

std::string owners_text(const std::vector<Owner>& owners)
{
    if (owners.empty())
        return "-";
    std::string text;
    int last_pid = 0;
    for (const Owner& o : owners) {
        // A process holding the socket twice (dup) is named once.
        if (o.pid == last_pid)
            continue;
        last_pid = o.pid;
        text += text.empty() ? "" : ",";
        text += std::to_string(o.pid) + "/" + o.comm;
    }
    return text;
}

void owners_json(Json& j, const std::vector<Owner>& owners)
{
    j.begin_array();
    for (const Owner& o : owners)
        j.begin_object()
            .key("pid")
            .number(static_cast<uint64_t>(o.pid))
            .key("fd")
            .number(static_cast<uint64_t>(o.fd))
            .key("command")
            .string(o.comm)
            .end_object();
    j.end_array();
}

} // namespace atcp_tools
