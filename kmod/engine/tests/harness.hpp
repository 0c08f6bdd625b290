// SPDX-License-Identifier: GPL-2.0
// Drives one engine connection in virtual time against a scripted peer, so a
// test reads as a packet trace:
//
//   Harness h;
//   h.connect();
//   h.out("S 0:0(0) win 65535 <mss 1460,sackOK,TS val ... ecr 0,nop,wscale 7>");
//   h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 7 ecr ...,nop,wscale 7>");
//   h.out(". 1:1(0) ack 1 win ... <...>");
//   h.state(ATCP_ESTABLISHED);
//
// Segments the engine emits are relative to its ISS (seq) and the peer's ISN
// (ack); segments fed in are relative to the peer's ISN (seq) and the ISS (ack).
#pragma once

#include <atcp/engine.h>

#include "trace.hpp"

#include <cstdint>
#include <deque>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace atcp::test {

// A segment's "START:END(LEN)" in trace notation.
inline std::string range(uint32_t start, uint32_t end)
{
    return std::to_string(start) + ":" + std::to_string(end) + "(" + std::to_string(end - start) +
           ")";
}

class Harness {
  public:
    static constexpr uint32_t kPeerIsn = 1000000;
    static constexpr uint64_t kStartUs = 1000000; // virtual time starts at 1 s
    static constexpr uint16_t kLocalPort = 40000;
    static constexpr uint16_t kRemotePort = 80;

    // Without params, the engine's defaults but with NewReno congestion control.
    explicit Harness(const atcp_params* params = nullptr);

    // The parameters the TCBs take when first used: change them before that.
    atcp_params& params() { return params_; }

    // Opens: active, or passive from a SYN in trace notation; ipv6 takes
    // IPv6's default MSS.
    void connect(uint32_t mss_max = 1460, bool ipv6 = false);
    // The ISN hash connect() and accept() give the engine (RFC 6528's F()).
    void set_isn_hash(uint32_t hash) { isn_hash_ = hash; }
    void listen();
    void accept(std::string_view syn, uint32_t mss_max = 1460, bool ipv6 = false,
                std::source_location where = std::source_location::current());

    // Feeds a segment; payload bytes are the peer's stream at those offsets.
    void in(std::string_view seg, std::source_location where = std::source_location::current());
    // The next segment the engine emitted must match pattern (see matches()).
    void out(std::string_view pattern,
             std::source_location where = std::source_location::current());
    // Nothing more was emitted.
    void no_out(std::source_location where = std::source_location::current());
    // Emitted segments not yet checked by out(), formatted.
    std::vector<std::string> drain();

    // User calls.
    void send(uint32_t len);
    void consumed(uint32_t len);
    void close();
    void orphan();
    void abort();
    // Hands the connection, in TIME-WAIT, over to a compact entry
    // (atcp_engine_time_wait) as the glue does once no socket refers to it:
    // from then on segments and time go to the entry, which ends (CLOSED)
    // at its deadline or on a RST that releases it.
    void to_time_wait_entry();
    // From now on a passive open's child is kept as a half-open entry
    // (atcp_engine_syn_received) until its handshake completes.
    void keep_handshakes_as_entries() { keep_syn_entries_ = true; }
    bool in_syn_entry() const { return syn_entry_; }
    // The connection's TCB: its own, or the one its half-open entry was last rebuilt into.
    const atcp_tcb& connection() const { return current(); }
    int setopt(atcp_option opt, uint32_t value);
    // An ICMP error quoting our segment at seq (relative to the ISS).
    atcp_icmp_result icmp(atcp_icmp_kind kind, uint32_t seq, uint32_t mss_max = 0,
                          bool may_rst = true);

    // Moves virtual time forward by ms, firing every deadline on the way.
    void advance_ms(uint64_t ms);
    void advance_us(uint64_t us);
    // Moves to the pending deadline and fires it.
    void fire_deadline(std::source_location where = std::source_location::current());

    atcp_state state() const;
    void expect_state(atcp_state s, std::source_location where = std::source_location::current());
    const atcp_actions& last() const { return last_; }
    uint64_t now_us() const { return now_; }
    uint64_t deadline_us() const { return deadline_; }
    atcp_conn_info info() const;
    uint32_t iss() const;
    // Bytes appended to the receive queue, drained ones included.
    uint64_t delivered() const { return info().bytes_received; }
    uint32_t acked() const { return acked_; }
    uint8_t wakes() const { return wakes_; }
    uint8_t error() const { return error_; }
    const atcp_mib_delta& mib() const { return mib_; }
    atcp_tcb& tcb() { return initialized(); }

    // The listener, for tests of LISTEN itself.
    void in_listener(std::string_view seg,
                     std::source_location where = std::source_location::current());

    // SYN cookies (RFC 4987 3.6), the harness playing the glue: its keyed
    // hashes of the 4-tuple are a stand-in, at counter or at now's.
    atcp_syncookie_hashes syncookie_hashes(uint32_t counter) const;
    atcp_syncookie_hashes syncookie_hashes() const;
    // The listener answers a SYN with a cookie SYN-ACK, which out() shows
    // relative to the cookie.
    void syncookie_syn(std::string_view syn, uint32_t mss_max = 1460, bool ipv6 = false,
                       std::source_location where = std::source_location::current());
    // An ACK for the listener, its ack field relative to the cookie: if
    // hashes (now's when null) find its cookie valid, the connection's TCB
    // opens from it (as the SYN's mss_max and ipv6 say) and takes the ACK.
    // Whether it was valid.
    bool syncookie_ack(std::string_view ack, const atcp_syncookie_hashes* hashes = nullptr,
                       std::source_location where = std::source_location::current());
    // What the last valid cookie kept.
    const atcp_syncookie& cookie() const { return cookie_; }

  private:
    // Sequence numbers we send count from here: the ISS, or the cookie a
    // listener sent.
    uint32_t seq_base() const;
    // The connection's TCB, and the listener's, after atcp_engine_init().
    atcp_tcb& initialized();
    const atcp_tcb& current() const { return syn_entry_ ? scratch_ : tcb_; }
    void take_from_syn_entry(const atcp_actions& act);
    void take(const atcp_actions& act);
    void flush_more();
    void fire();

    atcp_params params_;
    atcp_tcb tcb_{};
    atcp_tcb listener_{};
    bool initialized_ = false;
    atcp_actions last_{};
    uint64_t now_ = kStartUs;
    uint64_t deadline_ = 0;
    std::deque<atcp_out_segment> emitted_;
    uint32_t acked_ = 0; // bytes freed from the send queue
    uint8_t wakes_ = 0;  // every wake bit seen
    uint8_t error_ = 0;
    atcp_mib_delta mib_{}; // summed over the whole test
    uint32_t isn_hash_ = 0x10000000;
    uint32_t cookie_iss_ = 0;
    uint32_t cookie_mss_max_ = 0;
    bool cookie_ipv6_ = false;
    atcp_syncookie cookie_{};
    bool entry_ = false; // to_time_wait_entry() was called
    bool entry_ended_ = false;
    atcp_time_wait time_wait_{};
    bool keep_syn_entries_ = false;
    bool syn_entry_ = false; // the child is a half-open entry, rebuilt in scratch_ per call
    atcp_syn_received syn_received_{};
    atcp_tcb scratch_{};
};

// An active open to a peer that SACKs (MSS 1460, no timestamps or window
// scale), its SYN-ACK a 100 ms round trip after our SYN.
void establish_with_sack_peer(Harness& h);

// Four full 1460-byte segments of new data go out (1..5841), nothing more.
void send_four_full_segments(Harness& h);

} // namespace atcp::test
