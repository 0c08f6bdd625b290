// SPDX-License-Identifier: GPL-2.0
// The packet-trace harness: see harness.hpp.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "../tcb.hpp"

namespace atcp::test {
namespace {

// Stand-ins for the glue's keyed hashes: any mix of the inputs will do.
uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352d;
    x ^= x >> 15;
    x *= 0x846ca68b;
    return x ^ (x >> 16);
}

testing::ScopedTrace at(std::source_location where)
{
    return testing::ScopedTrace(where.file_name(), static_cast<int>(where.line()), "");
}

} // namespace

Harness::Harness(const atcp_params* params)
{
    if (params != nullptr)
        params_ = *params;
    else
        atcp_params_default(&params_);
    // The traces check RFC 5681's arithmetic: NewReno, unless a test picks
    // CUBIC (the engine's default) through params() or setopt().
    if (params == nullptr)
        params_.congestion = ATCP_CC_NEWRENO;
}

atcp_tcb& Harness::initialized()
{
    if (!initialized_) {
        atcp_engine_init(&tcb_, &params_);
        atcp_engine_init(&listener_, &params_);
        initialized_ = true;
    }
    return tcb_;
}

atcp_state Harness::state() const
{
    if (entry_)
        return entry_ended_ ? ATCP_CLOSED : ATCP_TIME_WAIT;
    return atcp_engine_state(&current());
}

void Harness::to_time_wait_entry()
{
    ASSERT_EQ(state(), ATCP_TIME_WAIT);
    deadline_ = atcp_engine_time_wait(&tcb_, &time_wait_);
    entry_ = true;
}

uint32_t Harness::iss() const
{
    return tcb_of(&current()).iss;
}

atcp_conn_info Harness::info() const
{
    atcp_conn_info i;
    atcp_engine_info(&current(), now_, &i);
    return i;
}

void Harness::take(const atcp_actions& act)
{
    last_ = act;
    for (uint8_t i = 0; i < act.nsegs; ++i)
        emitted_.push_back(act.segs[i]);
    acked_ += act.acked;
    wakes_ |= act.wake;
    if (act.error != ATCP_ERR_NONE)
        error_ = act.error;
    deadline_ = act.deadline_us;
    mib_.in_segs += act.mib.in_segs;
    mib_.out_segs += act.mib.out_segs;
    mib_.retrans_segs += act.mib.retrans_segs;
    mib_.out_rsts += act.mib.out_rsts;
    mib_.in_errs += act.mib.in_errs;
    mib_.active_opens += act.mib.active_opens;
    mib_.passive_opens += act.mib.passive_opens;
    mib_.attempt_fails += act.mib.attempt_fails;
    mib_.estab_resets += act.mib.estab_resets;
    mib_.curr_estab += act.mib.curr_estab;
    mib_.abort_on_data += act.mib.abort_on_data;
    mib_.blackhole_activated += act.mib.blackhole_activated;
    mib_.blackhole_activated_min_mss += act.mib.blackhole_activated_min_mss;
    mib_.blackhole_failed += act.mib.blackhole_failed;
    mib_.ecn_ce_rcvd += act.mib.ecn_ce_rcvd;
    mib_.ecn_ece_rcvd += act.mib.ecn_ece_rcvd;
    mib_.ecn_cwr_sent += act.mib.ecn_cwr_sent;
    mib_.loss_probes += act.mib.loss_probes;
    mib_.loss_probe_recovery += act.mib.loss_probe_recovery;
    mib_.sack_reorder += act.mib.sack_reorder;
    mib_.dsack_undo += act.mib.dsack_undo;
    mib_.timestamp_undo += act.mib.timestamp_undo;
}

// The engine hands out at most ATCP_ACTIONS_SEGS segments a call.
void Harness::flush_more()
{
    while (last_.more) {
        atcp_actions act;
        atcp_engine_output(&tcb_, now_, &act);
        take(act);
    }
}

void Harness::connect(uint32_t mss_max, bool ipv6)
{
    atcp_actions act;
    atcp_engine_connect(&initialized(), ipv6, kLocalPort, kRemotePort, mss_max, isn_hash_, now_,
                        &act);
    take(act);
}

void Harness::listen()
{
    initialized();
    atcp_engine_listen(&listener_, kLocalPort);
}

void Harness::accept(std::string_view syn, uint32_t mss_max, bool ipv6, std::source_location where)
{
    const auto trace = at(where);
    if (state() == ATCP_CLOSED && atcp_engine_state(&listener_) != ATCP_LISTEN)
        listen();
    Segment s{};
    std::string error;
    ASSERT_TRUE(parse_segment(syn, kPeerIsn, 0, &s, &error)) << error;
    atcp_actions act;
    atcp_engine_accept(&initialized(), &listener_, &s.hdr, ipv6, mss_max, isn_hash_, now_, &act);
    take(act);
    if (keep_syn_entries_ && act.state == ATCP_SYN_RECEIVED) {
        atcp_engine_syn_received(&tcb_, &syn_received_);
        scratch_ = tcb_;
        // Nothing may read the child's own TCB while the entry stands in for it.
        memset(&tcb_, 0xa5, sizeof(tcb_));
        syn_entry_ = true;
    }
}

// After a call on the half-open entry: still half-open, it stays; synchronized, the TCB
// rebuilt in scratch_ becomes the connection's, as a socket would take it over.
void Harness::take_from_syn_entry(const atcp_actions& act)
{
    take(act);
    if (act.state == ATCP_SYN_RECEIVED)
        return;
    syn_entry_ = false;
    tcb_ = scratch_;
    flush_more();
}

void Harness::in(std::string_view seg, std::source_location where)
{
    const auto trace = at(where);
    Segment s{};
    std::string error;
    ASSERT_TRUE(parse_segment(seg, kPeerIsn, iss(), &s, &error)) << error;
    atcp_actions act;
    if (entry_) {
        ASSERT_FALSE(entry_ended_) << "the TIME-WAIT entry ended";
        atcp_engine_time_wait_input(&time_wait_, &scratch_, &s.hdr, s.len, now_, &act);
        take(act);
        entry_ended_ = (act.wake & ATCP_WAKE_RELEASE) != 0;
        return;
    }
    if (syn_entry_) {
        atcp_engine_syn_received_input(&syn_received_, &params_, &scratch_, &s.hdr, s.len, now_,
                                       &act);
        take_from_syn_entry(act);
        return;
    }
    atcp_engine_input(&tcb_, &s.hdr, s.len, now_, &act);
    take(act);
    flush_more();
}

void Harness::in_listener(std::string_view seg, std::source_location where)
{
    const auto trace = at(where);
    Segment s{};
    std::string error;
    ASSERT_TRUE(parse_segment(seg, kPeerIsn, 0, &s, &error)) << error;
    atcp_actions act;
    atcp_engine_input(&listener_, &s.hdr, s.len, now_, &act);
    take(act);
}

atcp_syncookie_hashes Harness::syncookie_hashes(uint32_t counter) const
{
    const uint32_t tuple = uint32_t{kRemotePort} << 16 | kLocalPort;
    atcp_syncookie_hashes h{};
    h.counter = counter;
    h.tuple = mix(tuple);
    for (uint32_t i = 0; i < ATCP_SYNCOOKIE_MAX_AGE; ++i)
        h.at_counter[i] = mix(tuple ^ mix(counter - i));
    return h;
}

atcp_syncookie_hashes Harness::syncookie_hashes() const
{
    return syncookie_hashes(atcp_syncookie_counter(now_));
}

void Harness::syncookie_syn(std::string_view syn, uint32_t mss_max, bool ipv6,
                            std::source_location where)
{
    const auto trace = at(where);
    if (atcp_engine_state(&listener_) != ATCP_LISTEN)
        listen();
    Segment s{};
    std::string error;
    ASSERT_TRUE(parse_segment(syn, kPeerIsn, 0, &s, &error)) << error;
    const atcp_syncookie_hashes hashes = syncookie_hashes();
    atcp_actions act;
    atcp_engine_syncookie_synack(&listener_, &s.hdr, ipv6, mss_max, &hashes, now_, &act);
    ASSERT_EQ(act.nsegs, 1);
    cookie_iss_ = act.segs[0].hdr.seq;
    cookie_mss_max_ = mss_max;
    cookie_ipv6_ = ipv6;
    take(act);
}

bool Harness::syncookie_ack(std::string_view ack, const atcp_syncookie_hashes* hashes,
                            std::source_location where)
{
    const auto trace = at(where);
    Segment s{};
    std::string error;
    EXPECT_TRUE(parse_segment(ack, kPeerIsn, cookie_iss_, &s, &error)) << error;
    const atcp_syncookie_hashes now_hashes = syncookie_hashes();
    atcp_syncookie cookie;
    if (!atcp_engine_syncookie_check(&listener_, &s.hdr, cookie_ipv6_,
                                     hashes != nullptr ? hashes : &now_hashes, now_, &cookie))
        return false;
    cookie_ = cookie;
    atcp_actions act;
    atcp_engine_syncookie_accept(&initialized(), &listener_, &s.hdr, cookie_ipv6_, cookie_mss_max_,
                                 &cookie, now_, &act);
    take(act);
    atcp_engine_input(&tcb_, &s.hdr, s.len, now_, &act);
    take(act);
    flush_more();
    return true;
}

uint32_t Harness::seq_base() const
{
    const bool listener_side =
        atcp_engine_state(&listener_) == ATCP_LISTEN && state() == ATCP_CLOSED;
    return listener_side ? cookie_iss_ : iss();
}

void Harness::out(std::string_view pattern, std::source_location where)
{
    const auto trace = at(where);
    ASSERT_FALSE(emitted_.empty()) << "expected " << pattern << ", the engine sent nothing";
    const atcp_out_segment seg = emitted_.front();
    emitted_.pop_front();
    const std::string got = format_segment(seg, seq_base(), kPeerIsn);
    EXPECT_PRED2(matches, pattern, got);
}

void Harness::no_out(std::source_location where)
{
    const auto trace = at(where);
    const std::vector<std::string> left = drain();
    EXPECT_TRUE(left.empty()) << "unexpected: " << (left.empty() ? "" : left.front()) << " and "
                              << (left.size() > 1 ? left.size() - 1 : 0) << " more";
}

std::vector<std::string> Harness::drain()
{
    std::vector<std::string> out;
    for (const atcp_out_segment& s : emitted_)
        out.push_back(format_segment(s, seq_base(), kPeerIsn));
    emitted_.clear();
    return out;
}

void Harness::send(uint32_t len)
{
    atcp_actions act;
    atcp_engine_send(&tcb_, len, now_, &act);
    take(act);
    flush_more();
}

void Harness::consumed(uint32_t len)
{
    atcp_actions act;
    atcp_engine_consumed(&tcb_, len, now_, &act);
    take(act);
    flush_more();
}

void Harness::close()
{
    atcp_actions act;
    atcp_engine_close(&tcb_, now_, &act);
    take(act);
    flush_more();
}

void Harness::orphan()
{
    atcp_actions act;
    atcp_engine_orphan(&tcb_, now_, &act);
    take(act);
}

void Harness::abort()
{
    atcp_actions act;
    if (syn_entry_) {
        atcp_engine_syn_received_abort(&syn_received_, &params_, &scratch_, now_, &act);
        take_from_syn_entry(act);
        return;
    }
    atcp_engine_abort(&tcb_, now_, &act);
    take(act);
}

atcp_icmp_result Harness::icmp(atcp_icmp_kind kind, uint32_t seq, uint32_t mss_max, bool may_rst)
{
    const atcp_icmp m{static_cast<uint8_t>(kind), static_cast<uint8_t>(may_rst), iss() + seq,
                      mss_max};
    atcp_actions act;
    if (syn_entry_) {
        const int r =
            atcp_engine_syn_received_icmp(&syn_received_, &params_, &scratch_, &m, now_, &act);
        take_from_syn_entry(act);
        return static_cast<atcp_icmp_result>(r);
    }
    const int r = atcp_engine_icmp(&tcb_, &m, now_, &act);
    take(act);
    flush_more();
    return static_cast<atcp_icmp_result>(r);
}

int Harness::setopt(atcp_option opt, uint32_t value)
{
    atcp_actions act{};
    const int ret = atcp_engine_setopt(&initialized(), opt, value, now_, &act);
    if (ret == 0) {
        take(act);
        flush_more();
    }
    return ret;
}

void Harness::advance_ms(uint64_t ms)
{
    advance_us(ms * 1000);
}

void Harness::advance_us(uint64_t us)
{
    const uint64_t until = now_ + us;
    while (deadline_ != 0 && deadline_ <= until) {
        now_ = deadline_;
        fire();
    }
    now_ = until;
}

// The deadline due now: the connection's timer, or a TIME-WAIT entry's end.
void Harness::fire()
{
    if (entry_) {
        entry_ended_ = true;
        deadline_ = 0;
        wakes_ |= ATCP_WAKE_RELEASE;
        return;
    }
    atcp_actions act;
    if (syn_entry_) {
        atcp_engine_syn_received_timer(&syn_received_, &params_, &scratch_, now_, &act);
        take_from_syn_entry(act);
        return;
    }
    atcp_engine_timer(&tcb_, now_, &act);
    take(act);
    flush_more();
}

void Harness::fire_deadline(std::source_location where)
{
    const auto trace = at(where);
    ASSERT_NE(deadline_, 0u) << "no timer is armed";
    now_ = deadline_;
    fire();
}

void Harness::expect_state(atcp_state s, std::source_location where)
{
    const auto trace = at(where);
    EXPECT_EQ(state(), s);
}

void establish_with_sack_peer(Harness& h)
{
    h.connect();
    h.out("S 0:0(0) win 65535 <...>");
    h.advance_ms(100);
    h.in("S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK>");
    h.out(". 1:1(0) ack 1 win 65535");
    h.no_out();
}

void send_four_full_segments(Harness& h)
{
    h.send(4 * 1460);
    h.out(". 1:1461(1460) ack 1 win 65535");
    h.out(". 1461:2921(1460) ack 1 win 65535");
    h.out(". 2921:4381(1460) ack 1 win 65535");
    h.out("P. 4381:5841(1460) ack 1 win 65535");
    h.no_out();
}

} // namespace atcp::test
