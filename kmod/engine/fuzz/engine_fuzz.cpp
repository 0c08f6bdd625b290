// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the engine: arbitrary events on one connection, the contract checked
// after every call.
//
// The input decodes to an active or a passive open and then a sequence of events: segments the
// fuzzer sends as the peer (any flags, sequence and acknowledgment numbers near the ones the
// engine uses or anywhere, options, payload lengths), timers after arbitrary time steps, and the
// user's send, consumed, close, orphan, abort and setopt calls.  A model of the caller's queues,
// built only from the actions, checks that the engine never points outside what it was given.
// Segments reach the engine as atcp_tcp_parse leaves them, as in the kernel.  A passive open's
// handshake may also run as a SYN cache entry (atcp_engine_syn_received) beside the child: each
// call must then answer as the child does, with the TCB rebuilt byte for byte.
#include <atcp/engine.h>
#include <atcp/tcp_codec.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace {

constexpr uint64_t kMaxQueued = 1u << 30; // a caller's send queue stays far from 2^32
constexpr int kMaxEvents = 4096;
constexpr int kMaxOutputCalls = 1 << 16; // `more` must clear long before this

void check(bool ok, const char* what)
{
    if (!ok) {
        std::fprintf(stderr, "engine_fuzz: %s\n", what);
        std::abort();
    }
}

int32_t seq_diff(uint32_t a, uint32_t b)
{
    return static_cast<int32_t>(a - b);
}

// The fuzzer's bytes as a stream of numbers; zeros once they run out.
class Input {
  public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    bool empty() const { return pos_ >= size_; }
    uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() << 8 | u8()); }
    uint32_t u32() { return uint32_t{u16()} << 16 | u16(); }
    int32_t near() { return static_cast<int16_t>(u16()); }
    // A time step from a microsecond to about a week.
    uint64_t step_us() { return uint64_t{u16()} << (u8() % 24); }

  private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// The caller: its queues, as the actions built them, and what the engine put on the wire.
class Caller {
  public:
    explicit Caller(Input& in) : in_(in) {}

    void run();

  private:
    bool open();
    void event();
    void segment();
    bool build(atcp_tcp_header& h);
    void feed(const atcp_tcp_header& h, uint32_t len);
    void take(const atcp_actions& act, const atcp_tcp_header* seg, uint32_t len, bool timer);
    void emitted(const atcp_out_segment& s);
    void note_window(const atcp_tcp_header& h);
    void receive(const atcp_actions& act, const atcp_tcp_header* seg, uint32_t len);
    void flush();
    void setopt();
    void icmp();
    template <typename EntryCall> void check_entry(const atcp_actions& child, EntryCall call);

    uint32_t snd_una() const { return iss_ + 1 + static_cast<uint32_t>(acked_); }

    Input& in_;
    atcp_params params_{};
    atcp_tcb tcb_{};
    atcp_tcb listener_{};
    uint64_t now_ = 1000000;
    uint16_t port_ = 40000;
    uint16_t peer_port_ = 80;
    uint32_t mss_max_ = 1460;
    uint32_t peer_isn_ = 0;
    uint32_t peer_ts_ = 0;
    uint16_t peer_window_ = 0;
    uint8_t state_ = ATCP_CLOSED;
    uint64_t deadline_ = 0;
    bool released_ = false;
    bool more_ = false;
    bool closed_ = false;   // the user called close: a FIN may follow the data
    bool orphaned_ = false; // the socket is gone: no more user calls

    // The handshake as a SYN cache entry too, until it ends: no socket, so no user calls.
    bool as_entry_ = false;
    atcp_syn_received entry_{};
    atcp_tcb scratch_{};

    // Send side: bytes the user queued and the engine freed, from the first data byte on.
    uint64_t queued_ = 0;
    uint64_t acked_ = 0;
    bool iss_known_ = false;
    uint32_t iss_ = 0;
    uint32_t snd_max_ = 0;  // past the furthest sequence number the engine sent
    uint32_t data_max_ = 0; // past the furthest data byte the engine sent

    // Receive side.
    bool irs_known_ = false;
    uint32_t rcv_next_ = 0;             // past the last byte appended to the receive queue
    uint64_t received_ = 0;             // bytes appended, in order
    uint64_t unread_ = 0;               // appended and not yet consumed
    bool eof_ = false;                  // the peer's FIN is in order: ACKs count it
    std::map<uint64_t, uint64_t> held_; // out of order, as stream offsets like received_
    bool wscale_ours_ = false;          // what the SYNs carried, for the window we advertise
    bool wscale_peers_ = false;
    uint8_t wscale_ = 0;
    bool window_known_ = false;
    uint32_t window_edge_ = 0;
};

void Caller::run()
{
    if (!open())
        return;
    for (int n = 0; n < kMaxEvents && !in_.empty() && !released_; ++n)
        event();
}

// False when no connection came of it: the listener did not spawn.
bool Caller::open()
{
    atcp_params_default(&params_);
    const uint8_t knobs = in_.u8();
    params_.rfc1323 = knobs & 1;
    params_.ooo_max = static_cast<uint8_t>(knobs >> 1 & 7);
    params_.challenge_ack_limit = knobs & 0x10 ? 1 : 100;
    if (knobs & 0x20)
        params_.rto_min_ms = 1 + in_.u8();
    const uint8_t path_knobs = in_.u8();
    params_.pmtud_blackhole_detection = path_knobs & 3;
    params_.min_mss = path_knobs & 4 ? 48 + in_.u16() % 1500 : params_.min_mss;
    params_.ecn = (path_knobs >> 3 & 3) % 3;
    // The route's MTU less the IP and TCP headers: IPv4's smallest MTU is 68.
    // The engine believes no path below Linux's tcp_min_snd_mss (48).
    mss_max_ = 48 + in_.u16();
    now_ += in_.u32();
    // The knobs' bits are all taken: the family comes from the MSS's low bit.
    const bool ipv6 = mss_max_ & 1;
    atcp_engine_init(&tcb_, &params_);
    atcp_engine_init(&listener_, &params_);
    atcp_actions act;
    if (knobs & 0x40) {
        // Options set before connect, or on the listener for the child to inherit.
        const atcp_option opt = static_cast<atcp_option>(in_.u8() % (ATCP_OPTION_CONGESTION + 1));
        if (atcp_engine_setopt(knobs & 0x80 ? &tcb_ : &listener_, opt, in_.u32(), now_, &act) == 0)
            check(act.nsegs == 0, "a segment from a TCB that is not open");
    }
    if (knobs & 0x80) {
        atcp_engine_connect(&tcb_, ipv6, port_, peer_port_, mss_max_, in_.u32(), now_, &act);
        take(act, nullptr, 0, false);
        flush();
        return true;
    }
    // Passive: the first segment goes to a listener, and a child takes it if it woke SPAWN.
    atcp_engine_listen(&listener_, port_);
    peer_port_ = in_.u16();
    atcp_tcp_header syn;
    if (!build(syn))
        return false;
    const uint32_t len = in_.u8();
    atcp_engine_input(&listener_, &syn, len, now_, &act);
    check(act.nsegs <= 1 && act.deliver_len == 0 && act.hold_len == 0 && act.acked == 0 &&
              act.deadline_us == 0 && act.state == ATCP_LISTEN,
          "a listener did more than answer");
    check(!(act.wake & ATCP_WAKE_SPAWN) ||
              ((syn.flags & ATCP_TCP_SYN) && !(syn.flags & (ATCP_TCP_ACK | ATCP_TCP_RST))),
          "a listener spawned for something other than a SYN");
    if (!(act.wake & ATCP_WAKE_SPAWN))
        return false;
    irs_known_ = true;
    rcv_next_ = syn.seq + 1;
    peer_isn_ = syn.seq;
    wscale_peers_ = (syn.opt.present & ATCP_OPT_WSCALE) != 0;
    atcp_engine_accept(&tcb_, &listener_, &syn, ipv6, mss_max_, in_.u32(), now_, &act);
    take(act, nullptr, 0, false);
    flush();
    if (act.state == ATCP_SYN_RECEIVED && in_.u8() % 2) {
        atcp_engine_syn_received(&tcb_, &entry_);
        as_entry_ = true;
    }
    return true;
}

void Caller::event()
{
    atcp_actions act;
    std::memset(&act, 0, sizeof(act));
    const uint8_t kind = in_.u8() % 13;
    // An entry has no socket: only segments, timers, ICMP errors and the listener's abort reach
    // it.
    if (as_entry_ && kind >= 6 && kind != 9 && kind != 11 && kind != 12)
        return;
    switch (kind) {
    case 0:
    case 1:
    case 2:
    case 3:
        segment();
        return;
    case 4: // the deadline the engine asked for, or a moment after it
        if (deadline_ > now_)
            now_ = deadline_;
        now_ += in_.u8() % 2 ? 0 : in_.u16();
        atcp_engine_timer(&tcb_, now_, &act);
        check_entry(act, [&](atcp_actions& a) {
            atcp_engine_syn_received_timer(&entry_, &params_, &scratch_, now_, &a);
        });
        take(act, nullptr, 0, true);
        break;
    case 5: // any time at all: a timer may fire early or late
        now_ += in_.step_us();
        atcp_engine_timer(&tcb_, now_, &act);
        check_entry(act, [&](atcp_actions& a) {
            atcp_engine_syn_received_timer(&entry_, &params_, &scratch_, now_, &a);
        });
        take(act, nullptr, 0, true);
        break;
    case 6: {
        const uint32_t len = in_.u8() % 2 ? in_.u16() : in_.u8();
        if (closed_ || orphaned_ || queued_ - acked_ + len > kMaxQueued)
            return;
        queued_ += len;
        atcp_engine_send(&tcb_, len, now_, &act);
        take(act, nullptr, 0, false);
        break;
    }
    case 7: {
        if (orphaned_)
            return;
        const uint32_t len = static_cast<uint32_t>(in_.u32() % (unread_ + 1));
        unread_ -= len;
        atcp_engine_consumed(&tcb_, len, now_, &act);
        take(act, nullptr, 0, false);
        break;
    }
    case 8:
        if (orphaned_)
            return;
        closed_ = true;
        atcp_engine_close(&tcb_, now_, &act);
        take(act, nullptr, 0, false);
        break;
    case 9:
        if (orphaned_)
            return;
        if (as_entry_ || in_.u8() % 4 == 0) {
            atcp_engine_abort(&tcb_, now_, &act);
            check_entry(act, [&](atcp_actions& a) {
                atcp_engine_syn_received_abort(&entry_, &params_, &scratch_, now_, &a);
            });
        } else {
            orphaned_ = true;
            atcp_engine_orphan(&tcb_, now_, &act);
        }
        take(act, nullptr, 0, false);
        break;
    case 10:
        setopt();
        return;
    case 11:
        icmp();
        return;
    default:
        now_ += in_.step_us();
        return;
    }
    flush();
}

// An ICMP error quoting a sequence number in flight or near it; a path
// MTU error may lower the MSS and send the flight again at once.
void Caller::icmp()
{
    atcp_icmp m{};
    m.kind = in_.u8() % (ATCP_ICMP_HOST_UNREACH + 1);
    m.may_rst = in_.u8() & 1;
    m.seq = in_.u8() % 2 ? snd_una() + static_cast<uint32_t>(in_.near()) : in_.u32();
    m.mss_max = in_.u16();
    atcp_actions act;
    std::memset(&act, 0, sizeof(act));
    const int r = atcp_engine_icmp(&tcb_, &m, now_, &act);
    check_entry(act, [&](atcp_actions& a) {
        const int entry_r =
            atcp_engine_syn_received_icmp(&entry_, &params_, &scratch_, &m, now_, &a);
        check(entry_r == r, "the entry took an ICMP error otherwise than the child");
    });
    check(r >= ATCP_ICMP_IGNORED && r <= ATCP_ICMP_ABORTED, "an ICMP result out of range");
    check(r == ATCP_ICMP_MSS_LOWERED || r == ATCP_ICMP_ABORTED || act.nsegs == 0,
          "an ICMP error that changed nothing sent a segment");
    take(act, nullptr, 0, false);
    flush();
}

void Caller::setopt()
{
    if (orphaned_)
        return;
    const atcp_option opt = static_cast<atcp_option>(in_.u8() % (ATCP_OPTION_CONGESTION + 2));
    const uint32_t value = in_.u8() % 2 ? in_.u32() : in_.u16();
    atcp_actions act;
    if (atcp_engine_setopt(&tcb_, opt, value, now_, &act) != 0)
        return;
    check(opt <= ATCP_OPTION_CONGESTION, "an unknown option was accepted");
    take(act, nullptr, 0, false);
    flush();
    // What was set reads back: flags as booleans, TCP_MAXSEG at most what was asked.
    const uint32_t got = atcp_engine_getopt(&tcb_, opt);
    switch (opt) {
    case ATCP_OPTION_NODELAY:
    case ATCP_OPTION_NOPUSH:
    case ATCP_OPTION_CORK:
    case ATCP_OPTION_NOOPT:
    case ATCP_OPTION_KEEPALIVE:
        check(got == (value != 0), "a flag option does not read back");
        break;
    case ATCP_OPTION_MAXSEG:
        check(value == 0 || got <= value, "TCP_MAXSEG reads back larger than set");
        break;
    default:
        check(got == value, "an option does not read back");
        break;
    }
}

// A header near the engine's sequence space, or anywhere; false if it does not parse.
bool Caller::build(atcp_tcp_header& h)
{
    static constexpr uint8_t kFlags[] = {
        ATCP_TCP_ACK,
        ATCP_TCP_ACK | ATCP_TCP_PSH,
        ATCP_TCP_ACK | ATCP_TCP_FIN,
        ATCP_TCP_SYN,
        ATCP_TCP_SYN | ATCP_TCP_ACK,
        ATCP_TCP_RST,
        ATCP_TCP_RST | ATCP_TCP_ACK,
    };
    const uint8_t how = in_.u8();
    h = atcp_tcp_header{};
    h.src_port = peer_port_;
    h.dst_port = port_;
    const uint8_t pick = in_.u8();
    h.flags = pick < 7 * 32 ? kFlags[pick % 7] : in_.u8();

    // Exactly where the engine expects them, near there, or anywhere; the window as last time
    // often, for duplicate ACKs.
    const uint32_t rcv = irs_known_ ? rcv_next_ + (eof_ ? 1 : 0) : peer_isn_;
    const uint32_t near = static_cast<uint32_t>(in_.near());
    const uint32_t seqs[] = {in_.u32(), rcv, rcv + near, rcv + near};
    h.seq = seqs[how & 3];
    const uint32_t acks[] = {in_.u32(), snd_una(), snd_una() + near, snd_max_ + near};
    h.ack = acks[how >> 2 & 3];
    const uint16_t windows[] = {in_.u16(), in_.u8(), peer_window_, peer_window_};
    h.window = peer_window_ = windows[how >> 4 & 3];
    h.urgent = in_.u16();
    // ECN's flags (RFC 3168 6.1) more often than the arbitrary flags give
    // them; from the urgent pointer's bits, so that older inputs keep their
    // meaning.
    if (how & 0x80)
        h.flags |= static_cast<uint8_t>(h.urgent >> 8 & (ATCP_TCP_ECE | ATCP_TCP_CWR));

    atcp_tcp_options& o = h.opt;
    o.present = in_.u8() & 0x1f;
    o.mss = in_.u8() % 2 ? static_cast<uint16_t>(1460 - in_.u8()) : in_.u16();
    o.wscale = in_.u8() % 16;
    peer_ts_ += in_.u8() % 4 == 0 ? static_cast<uint32_t>(in_.near()) : in_.u8();
    o.ts_val = peer_ts_;
    o.ts_ecr = static_cast<uint32_t>(now_ / 1000) - in_.u16();
    o.sack_count = in_.u8() % (ATCP_TCP_SACK_MAX + 1);
    for (uint8_t i = 0; i < o.sack_count; ++i) {
        o.sack[i].start = snd_una() + static_cast<uint32_t>(in_.near());
        o.sack[i].end = o.sack[i].start + in_.u16();
    }

    // Through the codec, as segments reach the engine in the kernel; or raw option bytes.
    uint8_t buf[ATCP_TCP_HDR_MAX];
    size_t n = atcp_tcp_write(&h, buf, sizeof(buf));
    if (how & 0x40) {
        const size_t words = in_.u8() % (ATCP_TCP_OPT_MAX / 4 + 1);
        for (size_t i = 0; i < words * 4; ++i)
            buf[ATCP_TCP_HDR_MIN + i] = in_.u8();
        n = ATCP_TCP_HDR_MIN + words * 4;
        buf[12] = static_cast<uint8_t>(n / 4 << 4);
    }
    if (atcp_tcp_parse(buf, n, &h) != ATCP_CODEC_OK)
        return false;
    // The IP header's ECN field, which the glue adds after parsing.
    h.ecn = how & 0x80 ? static_cast<uint8_t>(h.urgent & 3) : uint8_t{ATCP_ECN_NOT_ECT};
    return true;
}

void Caller::segment()
{
    atcp_tcp_header h;
    if (!build(h))
        return;
    const uint8_t size = in_.u8();
    uint32_t len = 0;
    if (size % 4 == 1)
        len = in_.u8();
    else if (size % 4 == 2)
        len = in_.u16() % 1500;
    else if (size % 4 == 3)
        len = in_.u16() % (65536 - ATCP_TCP_HDR_MAX);
    feed(h, len);
}

void Caller::feed(const atcp_tcp_header& h, uint32_t len)
{
    atcp_actions act;
    std::memset(&act, 0, sizeof(act));
    const uint8_t before = state_;
    atcp_engine_input(&tcb_, &h, len, now_, &act);
    check_entry(act, [&](atcp_actions& a) {
        atcp_engine_syn_received_input(&entry_, &params_, &scratch_, &h, len, now_, &a);
    });
    // The active side learns the peer's ISN and options from the SYN that synchronizes it.
    if (!irs_known_ && before == ATCP_SYN_SENT && act.state != ATCP_SYN_SENT &&
        act.state != ATCP_CLOSED && (h.flags & ATCP_TCP_SYN)) {
        irs_known_ = true;
        rcv_next_ = h.seq + 1;
        wscale_peers_ = (h.opt.present & ATCP_OPT_WSCALE) != 0;
    }
    take(act, &h, len, false);
    flush();
}

// The same call on the entry (call(act) makes it): the same answer and the same TCB as the
// child's.
template <typename EntryCall> void Caller::check_entry(const atcp_actions& child, EntryCall call)
{
    if (!as_entry_)
        return;
    atcp_actions act;
    std::memset(&act, 0, sizeof(act));
    call(act);
    check(std::memcmp(&act, &child, sizeof(act)) == 0,
          "the entry answered otherwise than the child");
    const auto* rebuilt = reinterpret_cast<const uint8_t*>(&scratch_);
    const auto* own = reinterpret_cast<const uint8_t*>(&tcb_);
    for (size_t i = 0; i < sizeof(tcb_); ++i) {
        if (rebuilt[i] != own[i]) {
            std::fprintf(stderr, "engine_fuzz: TCB byte %zu differs\n", i);
            check(false, "the entry's TCB is not the child's");
        }
    }
    check(act.state != ATCP_SYN_RECEIVED || !act.more, "more output from a half-open entry");
    as_entry_ = act.state == ATCP_SYN_RECEIVED;
}

// Output while the engine says more is ready.
void Caller::flush()
{
    for (int n = 0; more_ && !released_; ++n) {
        check(n < kMaxOutputCalls, "more never clears");
        atcp_actions act;
        atcp_engine_output(&tcb_, now_, &act);
        take(act, nullptr, 0, false);
    }
}

void Caller::take(const atcp_actions& act, const atcp_tcp_header* seg, uint32_t len, bool timer)
{
    check(act.nsegs <= ATCP_ACTIONS_SEGS, "more segments than the actions hold");
    check(!act.more || act.nsegs == ATCP_ACTIONS_SEGS, "more while segments still fit");
    check(act.state < ATCP_STATE_COUNT && act.state != ATCP_LISTEN, "no such state");
    check(act.state == atcp_engine_state(&tcb_), "the actions' state is not the TCB's");
    check(act.error == ATCP_ERR_NONE || act.state == ATCP_CLOSED, "an error left it open");
    check(!(act.wake & ATCP_WAKE_RELEASE) || act.state == ATCP_CLOSED, "released while open");
    check(act.state != ATCP_CLOSED || state_ == ATCP_CLOSED || (act.wake & ATCP_WAKE_RELEASE),
          "closed without telling the caller to release");
    check(!timer || act.deadline_us == 0 || act.deadline_us > now_,
          "a timer left a deadline that has passed: the caller would spin");
    check(act.deadline_us == 0 || act.state != ATCP_CLOSED, "a deadline on a closed TCB");

    // Offsets count from the head after this call's acked bytes are gone.
    check(act.acked <= queued_ - acked_, "acked more than the send queue holds");
    check(act.acked == 0 || seg != nullptr, "acked without an ACK arriving");
    acked_ += act.acked;
    check(!iss_known_ || seq_diff(snd_max_, snd_una()) >= 0, "freed bytes that were never sent");
    // The segments' ACKs and windows already count this call's arrivals,
    // and the data may use a window one of them opened: the engine takes
    // what its receive window (RCV.WND, RFC 9293 3.10.7.4) holds when the
    // data is processed, after an ACK built earlier in the call.
    for (uint8_t i = 0; i < act.nsegs; ++i)
        note_window(act.segs[i].hdr);
    receive(act, seg, len);
    if (act.wake & ATCP_WAKE_EOF)
        eof_ = true;
    for (uint8_t i = 0; i < act.nsegs; ++i)
        emitted(act.segs[i]);

    deadline_ = act.deadline_us;
    more_ = act.more != 0;
    state_ = act.state;
    if (act.wake & ATCP_WAKE_RELEASE)
        released_ = true;

    if (state_ != ATCP_CLOSED) {
        atcp_conn_info info;
        atcp_engine_info(&tcb_, now_, &info);
        check(info.bytes_acked == acked_, "bytes_acked is not what was freed");
        check(info.bytes_received == received_, "bytes_received is not what was appended");
        // In flight: at most the queue, the SYN and the FIN, and at least every byte sent.
        check(info.unacked <= queued_ - acked_ + 2, "more in flight than was queued");
        check(!iss_known_ || seq_diff(data_max_, snd_una()) <= 0 ||
                  info.unacked >= static_cast<uint32_t>(seq_diff(data_max_, snd_una())),
              "bytes on the wire that are not counted in flight");
        // RFC 6298 5.1: while anything sent is unacknowledged a timer runs,
        // or the connection could wait forever for an ACK that never comes.
        check(info.unacked == 0 || act.deadline_us != 0, "data in flight and no timer");
    }
}

void Caller::emitted(const atcp_out_segment& s)
{
    const atcp_tcp_header& h = s.hdr;
    const bool rst = (h.flags & ATCP_TCP_RST) != 0;
    check(h.src_port == port_ && h.dst_port == peer_port_, "a segment to the wrong ports");
    check(uint64_t{s.data_offset} + s.data_len <= queued_ - acked_,
          "segment data beyond the send queue");
    check(s.data_len == 0 || !(h.flags & (ATCP_TCP_SYN | ATCP_TCP_RST)), "data on a SYN or RST");
    // RFC 3168 6.1.1, 6.1.4, 6.1.5: only segments of data go ECT.
    check(h.ecn == ATCP_ECN_NOT_ECT || (s.data_len > 0 && h.ecn == ATCP_ECN_ECT0),
          "ECT on a segment without data, or a codepoint other than ECT(0)");
    if (h.flags & ATCP_TCP_SYN) {
        check(!iss_known_ || h.seq == iss_, "a SYN from another ISS");
        if (!iss_known_)
            snd_max_ = data_max_ = h.seq + 1;
        iss_ = h.seq;
        iss_known_ = true;
        wscale_ours_ = (h.opt.present & ATCP_OPT_WSCALE) != 0;
        wscale_ = h.opt.wscale;
    }
    if (s.data_len > 0 || (h.flags & ATCP_TCP_FIN)) {
        check(iss_known_ && h.seq == snd_una() + s.data_offset,
              "sequence number does not match the send queue offset");
        const uint32_t end = h.seq + s.data_len + ((h.flags & ATCP_TCP_FIN) ? 1 : 0);
        if (seq_diff(end, snd_max_) > 0)
            snd_max_ = end;
        if (seq_diff(h.seq + s.data_len, data_max_) > 0)
            data_max_ = h.seq + s.data_len;
    }
    if (h.flags & ATCP_TCP_FIN) {
        check(closed_, "a FIN the user never asked for");
        check(h.seq + s.data_len == iss_ + 1 + static_cast<uint32_t>(queued_),
              "a FIN before the end of the queued data");
    }

    // What goes on the wire must encode and fit the path.
    uint8_t buf[ATCP_TCP_HDR_MAX];
    const size_t n = atcp_tcp_write(&h, buf, sizeof(buf));
    check(n != 0, "the header does not encode");
    if (s.data_len > 0)
        check(n - ATCP_TCP_HDR_MIN + s.data_len <= mss_max_, "payload and options exceed mss_max");
    if (!rst && (h.flags & ATCP_TCP_ACK) && irs_known_) {
        // Segments made while the ACK field was processed may carry an older one.
        check(seq_diff(h.ack, rcv_next_ + (eof_ ? 1 : 0)) <= 0, "an ACK for bytes never appended");
    }
}

// The right edge of the window a segment of ours advertises.
void Caller::note_window(const atcp_tcp_header& h)
{
    if ((h.flags & ATCP_TCP_RST) || !(h.flags & ATCP_TCP_ACK) || !irs_known_)
        return;
    const bool scaled = wscale_ours_ && wscale_peers_ && !(h.flags & ATCP_TCP_SYN);
    const uint32_t edge = h.ack + (uint32_t{h.window} << (scaled ? wscale_ : 0));
    if (!window_known_ || seq_diff(edge, window_edge_) > 0)
        window_edge_ = edge;
    window_known_ = true;
}

void Caller::receive(const atcp_actions& act, const atcp_tcp_header* seg, uint32_t len)
{
    if (seg == nullptr) {
        check(act.deliver_len == 0 && act.hold_len == 0 && act.drain == 0,
              "receive actions without a segment");
        return;
    }
    const uint32_t data_seq = seg->seq + ((seg->flags & ATCP_TCP_SYN) ? 1 : 0);
    if (act.deliver_len > 0) {
        check(uint64_t{act.deliver_offset} + act.deliver_len <= len,
              "deliver range beyond the payload");
        check(irs_known_ && data_seq + act.deliver_offset == rcv_next_,
              "delivered bytes are not the next in sequence");
        rcv_next_ += act.deliver_len;
        received_ += act.deliver_len;
        unread_ += act.deliver_len;
        check(window_known_ && seq_diff(rcv_next_, window_edge_) <= 0,
              "delivered beyond the advertised window");
    }
    if (act.hold_len > 0) {
        check(uint64_t{act.hold_offset} + act.hold_len <= len, "hold range beyond the payload");
        check(data_seq + act.hold_offset == act.hold_seq, "hold_seq is not where the bytes are");
        check(irs_known_ && seq_diff(act.hold_seq, rcv_next_) > 0, "held bytes not beyond rcv_nxt");
        check(window_known_ && seq_diff(act.hold_seq + act.hold_len, window_edge_) <= 0,
              "held beyond the advertised window");
        const uint64_t start = received_ + (act.hold_seq - rcv_next_);
        uint64_t& end = held_[start];
        end = end > start + act.hold_len ? end : start + act.hold_len;
    }
    if (act.drain) {
        check(seq_diff(act.drain_to, rcv_next_) >= 0, "drain_to behind rcv_nxt");
        const uint64_t to = received_ + (act.drain_to - rcv_next_);
        uint64_t reached = received_;
        while (!held_.empty() && held_.begin()->first <= reached) {
            reached = reached > held_.begin()->second ? reached : held_.begin()->second;
            held_.erase(held_.begin());
        }
        check(reached == to, "drain_to is not where the held bytes end");
        unread_ += to - received_;
        received_ = to;
        rcv_next_ = act.drain_to;
    }
    check(held_.empty() || held_.begin()->first > received_, "held bytes in order, not drained");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    Caller caller(in);
    caller.run();
    return 0;
}
