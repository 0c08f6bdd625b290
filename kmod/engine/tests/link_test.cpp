// SPDX-License-Identifier: GPL-2.0
// Two engines joined by a lossy simulated link in virtual time, moving real bytes end to end.
//
// Each side keeps the queues the kernel glue would: a send queue of real bytes the engine's
// segments index into, and a receive queue built only from the deliver, hold and drain actions.
// Segments cross the link as bytes (atcp_tcp_write, a checksum, atcp_tcp_parse), so loss,
// duplication, reordering and bit flips hit them where a real network would.  A stream is a
// hash of its offsets: a byte lost, repeated or moved shows when the reader compares.
#include <atcp/engine.h>
#include <atcp/tcp_codec.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace atcp::test {
namespace {

constexpr uint64_t kStartUs = 1000000;
constexpr uint32_t kMssMax = 1460; // Ethernet's MTU less the IPv4 and TCP headers
constexpr uint64_t kMiB = 1 << 20;
constexpr uint32_t kWriteChunk = 64 * 1024;

int32_t seq_diff(uint32_t a, uint32_t b)
{
    return static_cast<int32_t>(a - b);
}

// splitmix64's finalizer.
uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
    x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
    return x ^ (x >> 31);
}

// Bytes [off, off + n) of the stream named key.
void fill_pattern(uint64_t key, uint64_t off, uint8_t* out, size_t n)
{
    uint64_t word = mix(key ^ (off >> 3));
    for (size_t i = 0; i < n; ++i, ++off) {
        if ((off & 7) == 0)
            word = mix(key ^ (off >> 3));
        out[i] = static_cast<uint8_t>(word >> (8 * (off & 7)));
    }
}

// The Internet checksum (RFC 1071): 0 over a segment whose checksum field holds it.  Any single
// flipped bit changes it, as the kernel's would.
uint16_t inet_checksum(const uint8_t* p, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += uint32_t{p[i]} << 8 | p[i + 1];
    if (n % 2 != 0)
        sum += uint32_t{p[n - 1]} << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// A byte FIFO that frees its head in bulk, so 100 MB pass through without quadratic copying.
class ByteQueue {
  public:
    size_t size() const { return buf_.size() - head_; }
    const uint8_t* data() const { return buf_.data() + head_; }
    void append(const uint8_t* p, size_t n) { buf_.insert(buf_.end(), p, p + n); }
    void pop(size_t n)
    {
        head_ += n;
        if (head_ >= (1u << 20) && head_ * 2 >= buf_.size()) {
            buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }

  private:
    std::vector<uint8_t> buf_;
    size_t head_ = 0;
};

struct LinkConfig {
    uint64_t delay_us = 5000; // one way
    uint32_t ns_per_byte = 8; // a 1 Gbit/s bottleneck, which spaces the segments of a burst
    double loss = 0;          // each a probability per segment
    double duplicate = 0;
    double corrupt = 0; // one random bit flipped
    double reorder = 0; // delayed by up to jitter_us more than the others
    uint64_t jitter_us = 0;
};

struct SideConfig {
    uint64_t write_bytes = 0;     // the stream this side sends
    bool close = false;           // close once everything is queued...
    bool close_after_eof = false; // ...and the peer's stream was read to its end
    uint32_t sndbuf = 256 * 1024;
    uint64_t read_interval_us = 0; // 0: the reader takes everything at once
    uint32_t read_max = UINT32_MAX;
};

struct LinkStats {
    uint64_t sent = 0;
    uint64_t lost = 0;
    uint64_t duplicated = 0;
    uint64_t corrupted = 0;
    uint64_t reordered = 0;
    uint64_t bad_checksum = 0; // dropped at the receiver, as the kernel drops them
    uint64_t oversize = 0;     // larger than the path's MTU
    size_t largest = 0;
};

// A segment's passage, kept in a ring so a failure shows how the connection got there.
struct TraceEntry {
    uint64_t at;
    int side;
    char what; // '>' sent, '<' given to the engine, 'x' dropped for its checksum
    uint8_t flags;
    uint32_t seq;
    uint32_t ack;
    uint32_t len;
    uint16_t win;
    uint8_t sacks;
};

struct Side {
    const char* name;
    SideConfig cfg;
    bool passive;
    uint16_t port;
    uint16_t peer_port;
    uint32_t isn_hash;
    uint64_t key; // names the stream this side sends
    atcp_tcb tcb{};
    atcp_tcb listener{};
    bool spawned = false; // the passive side's tcb is the child

    // Send side: the queue holds every byte from snd_una on.
    ByteQueue sendq{};
    uint64_t written = 0;
    uint64_t acked = 0;
    bool iss_known = false;
    uint32_t iss = 0;
    bool close_called = false;

    // Receive side.
    ByteQueue rcvq{};
    uint64_t in_order = 0; // stream bytes appended to rcvq
    uint64_t read = 0;
    bool irs_known = false;
    uint32_t rcv_next = 0;                           // sequence number of stream byte in_order
    std::map<uint64_t, std::vector<uint8_t>> held{}; // out of order, by stream offset
    bool eof = false;
    // The window this side advertised: scaled once both SYNs carried the option (RFC 7323 2.2).
    bool syn_wscale = false;
    bool peer_syn_wscale = false;
    uint8_t wscale = 0;
    bool window_known = false;
    uint32_t window_edge = 0; // the furthest right edge advertised
    uint64_t next_read_us = 0;

    // What the engine said.
    bool more = false;
    uint64_t deadline = 0;
    uint32_t states_seen = 0; // 1 << atcp_state
    uint8_t wakes = 0;
    uint8_t error = ATCP_ERR_NONE;
    bool released = false;

    bool open() const { return !passive || spawned; }
    bool saw(atcp_state s) const { return (states_seen & (1u << s)) != 0; }
    atcp_state state() const { return atcp_engine_state(&tcb); }
};

struct Packet {
    uint64_t at;
    uint64_t order; // ties keep sending order
    int to;
    std::vector<uint8_t> bytes;
};

bool later(const Packet& a, const Packet& b)
{
    return a.at != b.at ? a.at > b.at : a.order > b.order;
}

// A segment being processed by atcp_engine_input.
struct Arrival {
    const atcp_tcp_header& hdr;
    const uint8_t* payload;
    uint32_t len;
};

class Sim {
  public:
    // The ISNs wrap: A's sequence numbers pass 2^32 within the first megabyte, B's pass 2^31.
    Sim(const LinkConfig& link, const SideConfig& a, const SideConfig& b, uint32_t seed)
        : link_(link),
          rng_(seed), sides_{Side{"A", a, false, 40000, 80, 0xfff00000, mix(seed * 2 + 1)},
                             Side{"B", b, true, 80, 40000, 0x7ff00000, mix(seed * 2 + 2)}}
    {
        atcp_params_default(&params_);
    }

    Side& a() { return sides_[0]; }
    Side& b() { return sides_[1]; }
    // The engines' tunables, to change before start().
    atcp_params& params() { return params_; }
    const LinkStats& stats() const { return stats_; }
    uint64_t now() const { return now_; }
    uint64_t events() const { return events_; }

    void start()
    {
        for (Side& s : sides_) {
            atcp_engine_init(&s.tcb, &params_);
            atcp_engine_init(&s.listener, &params_);
        }
        atcp_engine_listen(&b().listener, b().port);
        atcp_actions act;
        atcp_engine_connect(&a().tcb, false, a().port, a().peer_port, kMssMax, a().isn_hash, now_,
                            &act);
        take(a(), act, nullptr);
        settle(a());
    }

    void close(Side& s)
    {
        s.close_called = true;
        atcp_actions act;
        atcp_engine_close(&s.tcb, now_, &act);
        take(s, act, nullptr);
        settle(s);
    }

    // Runs events until done() holds; a stall, a broken invariant, or no completion within the
    // bounds fails the test instead of hanging it.
    bool run_until(const std::function<bool()>& done, uint64_t max_us, uint64_t max_events)
    {
        const uint64_t limit = now_ + max_us;
        for (uint64_t n = 0; !broken_ && !done(); ++n, ++events_) {
            if (n == max_events)
                return fail(a(), "not done within " + std::to_string(max_events) + " events");
            uint64_t next = UINT64_MAX;
            int what = -1;
            if (!queue_.empty()) {
                next = queue_.front().at;
                what = 0;
            }
            for (int i = 0; i < 2; ++i) {
                const Side& s = sides_[i];
                if (s.open() && !s.released && s.deadline != 0 && s.deadline < next) {
                    next = s.deadline;
                    what = 1 + i;
                }
            }
            for (int i = 0; i < 2; ++i) {
                const Side& s = sides_[i];
                if (s.cfg.read_interval_us != 0 && s.rcvq.size() > 0 && s.next_read_us < next) {
                    next = s.next_read_us;
                    what = 3 + i;
                }
            }
            if (what < 0)
                return fail(a(), "stalled: nothing in flight, no timer armed");
            if (next > limit)
                return fail(a(), "not done within " + std::to_string(max_us) + " us");
            now_ = std::max(now_, next);
            if (what == 0) {
                std::pop_heap(queue_.begin(), queue_.end(), later);
                Packet p = std::move(queue_.back());
                queue_.pop_back();
                arrive(p);
            } else if (what <= 2) {
                fire(sides_[what - 1]);
            } else {
                Side& s = sides_[what - 3];
                read(s);
                s.next_read_us = now_ + s.cfg.read_interval_us;
                settle(s);
            }
        }
        return !broken_;
    }

    std::string describe()
    {
        std::ostringstream o;
        o << "at " << now_ << " us after " << events_ << " events; link: sent " << stats_.sent
          << " lost " << stats_.lost << " dup " << stats_.duplicated << " corrupt "
          << stats_.corrupted << " reordered " << stats_.reordered << " in flight "
          << queue_.size();
        for (Side& s : sides_) {
            atcp_conn_info i{};
            if (s.open())
                atcp_engine_info(&s.tcb, now_, &i);
            o << "\n  " << s.name << ": state " << int{i.state} << " written " << s.written
              << " acked " << s.acked << " queued " << s.sendq.size() << " in_order " << s.in_order
              << " read " << s.read << " held " << s.held.size() << " deadline " << s.deadline
              << " unacked " << i.unacked << " cwnd " << i.snd_cwnd << " ssthresh "
              << i.snd_ssthresh << " snd_wnd " << i.snd_wnd << " rcv_wnd " << i.rcv_wnd << " rto "
              << i.rto_us << " backoff " << int{i.backoff} << " retrans " << i.total_retrans;
        }
        // Sequence numbers relative to the sender's ISS, acks to the receiver's.
        o << "\n  last segments (time side >sent <taken xbad flags seq ack len win sacks):";
        const size_t n = std::min(trace_n_, trace_.size());
        for (size_t k = trace_n_ - n; k < trace_n_; ++k) {
            const TraceEntry& e = trace_[k % trace_.size()];
            o << "\n    " << e.at << " " << sides_[e.side].name << " " << e.what << " ";
            if (e.what == 'x') {
                o << e.len << " bytes";
                continue;
            }
            const Side& from = sides_[e.what == '>' ? e.side : 1 - e.side];
            o << std::hex << int{e.flags} << std::dec << " " << e.seq - from.iss << " "
              << e.ack - peer(from).iss << " " << e.len << " " << e.win << " " << int{e.sacks};
        }
        return o.str();
    }

  private:
    Side& peer(const Side& s) { return &s == &sides_[0] ? sides_[1] : sides_[0]; }

    void note(const Side& s, char what, const atcp_tcp_header& h, uint32_t len)
    {
        trace_[trace_n_++ % trace_.size()] =
            TraceEntry{now_,     &s == &sides_[0] ? 0 : 1, what, h.flags, h.seq, h.ack, len,
                       h.window, h.opt.sack_count};
    }

    bool fail(const Side& s, const std::string& what)
    {
        if (!broken_)
            ADD_FAILURE() << s.name << ": " << what << "\n" << describe();
        broken_ = true;
        return false;
    }

    bool expect(bool ok, const Side& s, const char* what) { return ok || fail(s, what); }

    bool chance(double p) { return p > 0 && std::uniform_real_distribution<>(0, 1)(rng_) < p; }

    void take(Side& s, const atcp_actions& act, const Arrival* in)
    {
        if (!expect(act.nsegs <= ATCP_ACTIONS_SEGS, s, "more segments than actions hold"))
            return;
        // Segment offsets count from the head after this call's acked bytes are gone.
        if (act.acked > 0) {
            if (!expect(act.acked <= s.sendq.size(), s, "acked more than the send queue holds"))
                return;
            s.sendq.pop(act.acked);
            s.acked += act.acked;
        }
        for (uint8_t i = 0; i < act.nsegs; ++i)
            transmit(s, act.segs[i]);
        receive(s, act, in);
        s.more = act.more != 0;
        s.deadline = act.deadline_us;
        s.states_seen |= 1u << act.state;
        s.wakes |= act.wake;
        if (act.error != ATCP_ERR_NONE) {
            s.error = act.error;
            fail(s, "the connection failed with atcp_error " + std::to_string(act.error));
        }
        if (act.wake & ATCP_WAKE_RELEASE)
            s.released = true;
        if (act.wake & ATCP_WAKE_EOF) {
            s.eof = true;
            // The peer closes only after queueing its whole stream.
            expect(s.in_order == peer(s).written, s, "EOF before the whole stream was delivered");
        }
    }

    void transmit(Side& s, const atcp_out_segment& seg)
    {
        const atcp_tcp_header& h = seg.hdr;
        if (h.flags & ATCP_TCP_SYN) {
            s.iss = h.seq;
            s.iss_known = true;
            s.syn_wscale = (h.opt.present & ATCP_OPT_WSCALE) != 0;
            s.wscale = h.opt.wscale;
        }
        if (h.flags & ATCP_TCP_ACK) {
            const bool scaled = s.syn_wscale && s.peer_syn_wscale && !(h.flags & ATCP_TCP_SYN);
            const uint32_t edge = h.ack + (uint32_t{h.window} << (scaled ? s.wscale : 0));
            if (!s.window_known || seq_diff(edge, s.window_edge) > 0)
                s.window_edge = edge;
            s.window_known = true;
        }
        if (!expect(uint64_t{seg.data_offset} + seg.data_len <= s.sendq.size(), s,
                    "segment data beyond the send queue"))
            return;
        // The bytes at data_offset must be the ones at the sequence number the header claims.
        const uint32_t head_seq = s.iss + 1 + static_cast<uint32_t>(s.acked);
        if (seg.data_len > 0 || (h.flags & ATCP_TCP_FIN))
            expect(s.iss_known && h.seq == head_seq + seg.data_offset, s,
                   "segment sequence number does not match its send queue offset");
        if (h.flags & ATCP_TCP_FIN)
            expect(h.seq + seg.data_len == s.iss + 1 + static_cast<uint32_t>(s.written), s,
                   "FIN does not follow the last queued byte");

        std::vector<uint8_t> pkt(ATCP_TCP_HDR_MAX + seg.data_len);
        const size_t hl = atcp_tcp_write(&h, pkt.data(), ATCP_TCP_HDR_MAX);
        if (!expect(hl != 0, s, "atcp_tcp_write failed"))
            return;
        if (seg.data_len > 0)
            std::memcpy(pkt.data() + hl, s.sendq.data() + seg.data_offset, seg.data_len);
        pkt.resize(hl + seg.data_len);
        const uint16_t sum = inet_checksum(pkt.data(), pkt.size());
        pkt[16] = static_cast<uint8_t>(sum >> 8);
        pkt[17] = static_cast<uint8_t>(sum);
        // mss_max is what the path takes beyond the fixed TCP header: options included.
        if (pkt.size() > kMssMax + ATCP_TCP_HDR_MIN)
            ++stats_.oversize;
        stats_.largest = std::max(stats_.largest, pkt.size());
        note(s, '>', h, seg.data_len);
        send(&s == &sides_[0] ? 1 : 0, std::move(pkt));
    }

    void send(int to, std::vector<uint8_t> pkt)
    {
        ++stats_.sent;
        if (chance(link_.loss)) {
            ++stats_.lost;
            return;
        }
        uint64_t& free_ns = link_free_ns_[to];
        free_ns = std::max(free_ns, now_ * 1000) + pkt.size() * link_.ns_per_byte;
        const uint64_t depart_us = (free_ns + 999) / 1000;
        const int copies = chance(link_.duplicate) ? 2 : 1;
        stats_.duplicated += copies - 1;
        for (int c = 0; c < copies; ++c) {
            std::vector<uint8_t> bytes = c + 1 == copies ? std::move(pkt) : pkt;
            if (chance(link_.corrupt)) {
                const size_t bit =
                    std::uniform_int_distribution<size_t>(0, bytes.size() * 8 - 1)(rng_);
                bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
                ++stats_.corrupted;
            }
            uint64_t at = depart_us + link_.delay_us;
            if (chance(link_.reorder)) {
                at += std::uniform_int_distribution<uint64_t>(0, link_.jitter_us)(rng_);
                ++stats_.reordered;
            }
            queue_.push_back(Packet{at, order_++, to, std::move(bytes)});
            std::push_heap(queue_.begin(), queue_.end(), later);
        }
    }

    void arrive(const Packet& p)
    {
        Side& s = sides_[p.to];
        if (inet_checksum(p.bytes.data(), p.bytes.size()) != 0) {
            ++stats_.bad_checksum;
            note(s, 'x', atcp_tcp_header{}, static_cast<uint32_t>(p.bytes.size()));
            return;
        }
        atcp_tcp_header h;
        if (!expect(atcp_tcp_parse(p.bytes.data(), p.bytes.size(), &h) == ATCP_CODEC_OK, s,
                    "a segment atcp_tcp_write made does not parse"))
            return;
        const Arrival in{h, p.bytes.data() + h.header_len,
                         static_cast<uint32_t>(p.bytes.size() - h.header_len)};
        note(s, '<', h, in.len);
        if (h.flags & ATCP_TCP_SYN)
            s.peer_syn_wscale = (h.opt.present & ATCP_OPT_WSCALE) != 0;
        atcp_actions act;
        if (s.passive && (!s.spawned || s.released)) {
            atcp_engine_input(&s.listener, &h, in.len, now_, &act);
            for (uint8_t i = 0; i < act.nsegs; ++i)
                transmit(s, act.segs[i]);
            // One connection per test: a stray SYN after it closed is not accepted.
            if ((act.wake & ATCP_WAKE_SPAWN) && !s.spawned) {
                s.spawned = true;
                s.irs_known = true;
                s.rcv_next = h.seq + 1;
                atcp_engine_accept(&s.tcb, &s.listener, &h, false, kMssMax, s.isn_hash, now_, &act);
                take(s, act, nullptr);
                settle(s);
            }
            return;
        }
        if (s.released || s.state() == ATCP_CLOSED) {
            // RFC 9293 3.10.7.1: what the kernel answers for a connection that is gone.
            atcp_out_segment rst;
            if (atcp_engine_reset_owed(&h, in.len, &rst))
                transmit(s, rst);
            return;
        }
        atcp_engine_input(&s.tcb, &h, in.len, now_, &act);
        if (!s.irs_known && (h.flags & ATCP_TCP_SYN) && act.state == ATCP_ESTABLISHED) {
            s.irs_known = true;
            s.rcv_next = h.seq + 1;
        }
        take(s, act, &in);
        settle(s);
    }

    void receive(Side& s, const atcp_actions& act, const Arrival* in)
    {
        if (in == nullptr) {
            expect(act.deliver_len == 0 && act.hold_len == 0 && act.drain == 0, s,
                   "receive actions without a segment");
            return;
        }
        const uint32_t data_seq = in->hdr.seq + ((in->hdr.flags & ATCP_TCP_SYN) ? 1 : 0);
        if (act.deliver_len > 0) {
            if (!expect(uint64_t{act.deliver_offset} + act.deliver_len <= in->len, s,
                        "deliver range beyond the payload") ||
                !expect(s.irs_known && data_seq + act.deliver_offset == s.rcv_next, s,
                        "delivered bytes are not the next in sequence"))
                return;
            s.rcvq.append(in->payload + act.deliver_offset, act.deliver_len);
            s.in_order += act.deliver_len;
            s.rcv_next += act.deliver_len;
            expect(s.window_known && seq_diff(s.rcv_next, s.window_edge) <= 0, s,
                   "delivered bytes beyond the advertised window");
        }
        if (act.hold_len > 0) {
            if (!expect(uint64_t{act.hold_offset} + act.hold_len <= in->len, s,
                        "hold range beyond the payload") ||
                !expect(data_seq + act.hold_offset == act.hold_seq, s,
                        "hold_seq is not the held bytes' sequence number") ||
                !expect(s.irs_known && seq_diff(act.hold_seq, s.rcv_next) > 0, s,
                        "held bytes are not beyond rcv_nxt") ||
                !expect(s.window_known && seq_diff(act.hold_seq + act.hold_len, s.window_edge) <= 0,
                        s, "held bytes beyond the advertised window"))
                return;
            std::vector<uint8_t>& slot = s.held[s.in_order + seq_diff(act.hold_seq, s.rcv_next)];
            if (slot.size() < act.hold_len)
                slot.assign(in->payload + act.hold_offset,
                            in->payload + act.hold_offset + act.hold_len);
        }
        if (act.drain) {
            if (!expect(seq_diff(act.drain_to, s.rcv_next) >= 0, s, "drain_to behind rcv_nxt"))
                return;
            const uint64_t to = s.in_order + static_cast<uint32_t>(act.drain_to - s.rcv_next);
            while (!s.held.empty() && s.held.begin()->first < to) {
                auto node = s.held.extract(s.held.begin());
                const uint64_t start = node.key();
                const std::vector<uint8_t>& bytes = node.mapped();
                const uint64_t end = start + bytes.size();
                if (!expect(start <= s.in_order, s, "drain_to passes a gap in the held bytes"))
                    return;
                if (end > s.in_order) {
                    const uint64_t upto = std::min(end, to);
                    s.rcvq.append(bytes.data() + (s.in_order - start), upto - s.in_order);
                    s.in_order = upto;
                }
                if (end > to) {
                    std::vector<uint8_t>& tail = s.held[to];
                    if (tail.size() < end - to)
                        tail.assign(bytes.begin() + static_cast<std::ptrdiff_t>(to - start),
                                    bytes.end());
                }
            }
            if (!expect(s.in_order == to, s, "drain_to beyond the held bytes"))
                return;
            s.rcv_next = act.drain_to;
        }
    }

    void fire(Side& s)
    {
        atcp_actions act;
        atcp_engine_timer(&s.tcb, now_, &act);
        take(s, act, nullptr);
        expect(act.deadline_us == 0 || act.deadline_us > now_, s,
               "the timer left a deadline that has already passed");
        settle(s);
    }

    // What the user does after an event: flush, write, read, close, until none applies.
    void settle(Side& s)
    {
        while (!broken_ && s.open() && !s.released) {
            atcp_actions act;
            if (s.more) {
                atcp_engine_output(&s.tcb, now_, &act);
                take(s, act, nullptr);
            } else if (write(s)) {
            } else if (s.cfg.read_interval_us == 0 && read(s)) {
            } else if (close_due(s)) {
                close(s);
            } else {
                break;
            }
        }
    }

    bool write(Side& s)
    {
        const uint64_t room = s.cfg.sndbuf - std::min<uint64_t>(s.cfg.sndbuf, s.sendq.size());
        const uint64_t n = std::min({room, s.cfg.write_bytes - s.written, uint64_t{kWriteChunk}});
        if (s.close_called || n == 0)
            return false;
        scratch_.resize(n);
        fill_pattern(s.key, s.written, scratch_.data(), n);
        s.sendq.append(scratch_.data(), n);
        s.written += n;
        atcp_actions act;
        atcp_engine_send(&s.tcb, static_cast<uint32_t>(n), now_, &act);
        take(s, act, nullptr);
        return true;
    }

    bool read(Side& s)
    {
        const size_t n = std::min<size_t>(s.rcvq.size(), s.cfg.read_max);
        if (n == 0)
            return false;
        const Side& from = peer(s);
        if (!expect(s.read + n <= from.written, s, "read more bytes than the peer wrote"))
            return false;
        scratch_.resize(n);
        fill_pattern(from.key, s.read, scratch_.data(), n);
        if (std::memcmp(s.rcvq.data(), scratch_.data(), n) != 0) {
            size_t i = 0;
            while (s.rcvq.data()[i] == scratch_[i])
                ++i;
            return fail(s, "stream byte " + std::to_string(s.read + i) + " is " +
                               std::to_string(s.rcvq.data()[i]) + ", not " +
                               std::to_string(scratch_[i]));
        }
        s.rcvq.pop(n);
        s.read += n;
        if (!s.released) {
            atcp_actions act;
            atcp_engine_consumed(&s.tcb, static_cast<uint32_t>(n), now_, &act);
            take(s, act, nullptr);
        }
        return true;
    }

    bool close_due(const Side& s) const
    {
        const atcp_state st = s.state();
        return s.cfg.close && !s.close_called && s.written == s.cfg.write_bytes &&
               (st == ATCP_ESTABLISHED || st == ATCP_CLOSE_WAIT) &&
               (!s.cfg.close_after_eof || (s.eof && s.rcvq.size() == 0));
    }

    LinkConfig link_;
    std::mt19937 rng_;
    atcp_params params_;
    Side sides_[2];
    std::vector<Packet> queue_; // a heap by arrival time
    uint64_t link_free_ns_[2] = {0, 0};
    uint64_t order_ = 0;
    uint64_t now_ = kStartUs;
    uint64_t events_ = 0;
    LinkStats stats_;
    bool broken_ = false;
    std::vector<uint8_t> scratch_;
    std::array<TraceEntry, 48> trace_{};
    size_t trace_n_ = 0;
};

LinkConfig lossy()
{
    LinkConfig l;
    l.loss = 0.01;
    l.duplicate = 0.01;
    l.corrupt = 0.01;
    l.reorder = 0.05;
    l.jitter_us = 3000;
    return l;
}

// Over ten times what the longest test needs: a livelock fails in seconds.
constexpr uint64_t kMaxEvents = 2'000'000;
constexpr uint64_t kSecond = 1'000'000;

// Every byte arrived exactly once and in order, the link stayed within its MTU, nobody failed.
void expect_delivered(Sim& sim)
{
    EXPECT_EQ(sim.b().read, sim.a().cfg.write_bytes);
    EXPECT_EQ(sim.a().read, sim.b().cfg.write_bytes);
    EXPECT_EQ(sim.a().error, ATCP_ERR_NONE);
    EXPECT_EQ(sim.b().error, ATCP_ERR_NONE);
    EXPECT_EQ(sim.stats().oversize, 0u)
        << "segments larger than mss_max plus the TCP header, the largest " << sim.stats().largest
        << " bytes";
}

void expect_impaired(const Sim& sim)
{
    EXPECT_GT(sim.stats().lost, 0u);
    EXPECT_GT(sim.stats().duplicated, 0u);
    EXPECT_GT(sim.stats().corrupted, 0u);
    EXPECT_GT(sim.stats().bad_checksum, 0u);
    EXPECT_GT(sim.stats().reordered, 0u);
}

TEST(Link, CleanOneWay100MiB)
{
    Sim sim(LinkConfig{}, SideConfig{.write_bytes = 100 * kMiB}, SideConfig{}, 1);
    sim.start();
    ASSERT_TRUE(
        sim.run_until([&] { return sim.b().read == 100 * kMiB; }, 60 * kSecond, kMaxEvents));
    expect_delivered(sim);
    EXPECT_EQ(sim.stats().lost, 0u);
}

class LossyLink : public testing::TestWithParam<uint32_t> {};

TEST_P(LossyLink, OneWay)
{
    const uint64_t bytes = 100 * kMiB;
    Sim sim(lossy(), SideConfig{.write_bytes = bytes}, SideConfig{}, GetParam());
    sim.start();
    ASSERT_TRUE(sim.run_until([&] { return sim.b().read == bytes; }, 3600 * kSecond, kMaxEvents));
    expect_delivered(sim);
    expect_impaired(sim);
}

TEST_P(LossyLink, BothWays)
{
    const uint64_t bytes = 50 * kMiB;
    Sim sim(lossy(), SideConfig{.write_bytes = bytes, .close = true},
            SideConfig{.write_bytes = bytes, .close = true}, GetParam());
    sim.start();
    ASSERT_TRUE(sim.run_until([&] { return sim.a().released && sim.b().released; }, 3600 * kSecond,
                              kMaxEvents));
    expect_delivered(sim);
    expect_impaired(sim);
}

// The sender closes after its stream, the receiver once it read to EOF: FIN-WAIT-1,
// FIN-WAIT-2, TIME-WAIT for 2 MSL on one side, CLOSE-WAIT and LAST-ACK on the other.
TEST_P(LossyLink, CloseAfterTransfer)
{
    const uint64_t bytes = 4 * kMiB;
    Sim sim(lossy(), SideConfig{.write_bytes = bytes, .close = true},
            SideConfig{.close = true, .close_after_eof = true}, GetParam());
    sim.start();
    ASSERT_TRUE(sim.run_until([&] { return sim.a().state() == ATCP_TIME_WAIT && sim.b().released; },
                              600 * kSecond, kMaxEvents));
    EXPECT_TRUE(sim.b().saw(ATCP_CLOSE_WAIT));
    EXPECT_TRUE(sim.b().saw(ATCP_LAST_ACK));
    EXPECT_FALSE(sim.b().saw(ATCP_TIME_WAIT));
    EXPECT_TRUE(sim.b().wakes & ATCP_WAKE_EOF);
    ASSERT_TRUE(sim.run_until([&] { return sim.a().released; }, 600 * kSecond, kMaxEvents));
    EXPECT_TRUE(sim.a().saw(ATCP_FIN_WAIT_1));
    EXPECT_TRUE(sim.a().wakes & ATCP_WAKE_EOF);
    expect_delivered(sim);
}

// Without window scaling and timestamps: 64 KB windows, RTT timing by Karn's rule.
TEST_P(LossyLink, OneWayWithoutRfc1323)
{
    const uint64_t bytes = 20 * kMiB;
    Sim sim(lossy(), SideConfig{.write_bytes = bytes}, SideConfig{}, GetParam());
    sim.params().rfc1323 = 0;
    sim.start();
    ASSERT_TRUE(sim.run_until([&] { return sim.b().read == bytes; }, 3600 * kSecond, kMaxEvents));
    expect_delivered(sim);
    expect_impaired(sim);
}

INSTANTIATE_TEST_SUITE_P(Seeds, LossyLink, testing::Values(1u, 2u, 3u, 4u, 5u));

// NewReno and CUBIC (the default) over the same lossy link and seeds: both
// deliver every byte; the time each took is reported beside the test.
class LossyLinkCongestion : public testing::TestWithParam<uint32_t> {};

TEST_P(LossyLinkCongestion, NewRenoAndCubicDeliverTheSameBytes)
{
    const uint64_t bytes = 20 * kMiB;
    uint64_t took_us[ATCP_CC_COUNT] = {};
    for (const atcp_cc cc : {ATCP_CC_NEWRENO, ATCP_CC_CUBIC}) {
        LinkConfig link = lossy();
        link.delay_us = 20000;
        Sim sim(link, SideConfig{.write_bytes = bytes, .sndbuf = 1024 * 1024}, SideConfig{},
                GetParam());
        sim.params().congestion = static_cast<uint8_t>(cc);
        sim.start();
        ASSERT_TRUE(
            sim.run_until([&] { return sim.b().read == bytes; }, 3600 * kSecond, kMaxEvents))
            << atcp_engine_cc_name(cc);
        expect_delivered(sim);
        expect_impaired(sim);
        EXPECT_EQ(atcp_engine_getopt(&sim.a().tcb, ATCP_OPTION_CONGESTION), uint32_t{cc});
        took_us[cc] = sim.now() - kStartUs;
    }
    RecordProperty("newreno_ms", static_cast<int>(took_us[ATCP_CC_NEWRENO] / 1000));
    RecordProperty("cubic_ms", static_cast<int>(took_us[ATCP_CC_CUBIC] / 1000));
}

INSTANTIATE_TEST_SUITE_P(Seeds, LossyLinkCongestion, testing::Values(1u, 2u, 3u));

TEST(Link, CleanBothWays)
{
    const uint64_t bytes = 50 * kMiB;
    Sim sim(LinkConfig{}, SideConfig{.write_bytes = bytes, .close = true},
            SideConfig{.write_bytes = bytes, .close = true}, 7);
    sim.start();
    ASSERT_TRUE(sim.run_until([&] { return sim.a().released && sim.b().released; }, 600 * kSecond,
                              kMaxEvents));
    expect_delivered(sim);
}

TEST(Link, CleanCloseAfterTransfer)
{
    const uint64_t bytes = 1 * kMiB;
    Sim sim(LinkConfig{}, SideConfig{.write_bytes = bytes, .close = true},
            SideConfig{.close = true, .close_after_eof = true}, 8);
    sim.start();
    ASSERT_TRUE(sim.run_until([&] { return sim.b().released; }, 60 * kSecond, kMaxEvents));
    EXPECT_EQ(sim.a().state(), ATCP_TIME_WAIT);
    EXPECT_TRUE(sim.a().saw(ATCP_FIN_WAIT_2));
    const uint64_t time_wait_from = sim.now();
    ASSERT_TRUE(sim.run_until([&] { return sim.a().released; }, 120 * kSecond, kMaxEvents));
    // 2 MSL of the default 30 s, counted from the last FIN's arrival.
    EXPECT_GE(sim.now() - time_wait_from, 59 * kSecond);
    EXPECT_LE(sim.now() - time_wait_from, 61 * kSecond);
    expect_delivered(sim);
}

// Both close at the same instant: the FINs cross, and both sides pass CLOSING (or, when a FIN
// is lost and comes back acknowledging the other, FIN-WAIT-2) into TIME-WAIT.
TEST(Link, SimultaneousClose)
{
    for (uint32_t seed = 1; seed <= 20; ++seed) {
        SCOPED_TRACE(seed);
        Sim sim(lossy(), SideConfig{}, SideConfig{}, seed);
        sim.start();
        ASSERT_TRUE(sim.run_until(
            [&] {
                return sim.a().state() == ATCP_ESTABLISHED && sim.b().state() == ATCP_ESTABLISHED;
            },
            600 * kSecond, kMaxEvents));
        sim.close(sim.a());
        sim.close(sim.b());
        ASSERT_TRUE(sim.run_until(
            [&] { return sim.a().saw(ATCP_TIME_WAIT) && sim.b().saw(ATCP_TIME_WAIT); },
            600 * kSecond, kMaxEvents));
        ASSERT_TRUE(sim.run_until([&] { return sim.a().released && sim.b().released; },
                                  600 * kSecond, kMaxEvents));
        EXPECT_EQ(sim.a().error, ATCP_ERR_NONE);
        EXPECT_EQ(sim.b().error, ATCP_ERR_NONE);
    }
}

// A reader slower than the link: the window fills, and reopens as the reader frees space.
TEST(Link, SlowReader)
{
    const uint64_t bytes = 10 * kMiB;
    for (uint32_t seed : {1u, 2u}) {
        SCOPED_TRACE(seed);
        Sim sim(seed == 1 ? LinkConfig{} : lossy(), SideConfig{.write_bytes = bytes},
                SideConfig{.read_interval_us = 10000, .read_max = 16384}, seed);
        sim.start();
        ASSERT_TRUE(
            sim.run_until([&] { return sim.b().read == bytes; }, 3600 * kSecond, kMaxEvents));
        expect_delivered(sim);
    }
}

// A reader that stops for minutes: once the window is shut, the sender probes it with the
// persist timer's exponential backoff (RFC 1122 4.2.2.17) and keeps the link nearly quiet.
TEST(Link, StalledReader)
{
    const uint64_t bytes = 256 * 1024;
    Sim sim(LinkConfig{}, SideConfig{.write_bytes = bytes},
            SideConfig{.read_interval_us = 120 * kSecond}, 1);
    sim.start();
    ASSERT_TRUE(sim.run_until([&] { return sim.now() >= kStartUs + 10 * kSecond; }, 20 * kSecond,
                              kMaxEvents));
    const uint64_t before = sim.stats().sent;
    ASSERT_TRUE(sim.run_until([&] { return sim.now() >= kStartUs + 110 * kSecond; }, 200 * kSecond,
                              kMaxEvents));
    // Backing off from 200 ms, probes go out near 13, 25, 51 and 102 s: each with its answer.
    EXPECT_LE(sim.stats().sent - before, 20u) << sim.describe();
    ASSERT_TRUE(sim.run_until([&] { return sim.b().read == bytes; }, 600 * kSecond, kMaxEvents));
    expect_delivered(sim);
}

} // namespace
} // namespace atcp::test
