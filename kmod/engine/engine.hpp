// SPDX-License-Identifier: GPL-2.0
// One event's worth of engine work on one connection.
#pragma once

#include <atcp/engine.h>

#include "tcb.hpp"

namespace atcp {

// A segment as the engine reasons about it: sequence space and payload.
struct Segment {
    const atcp_tcp_header& hdr;
    uint32_t len; // payload bytes

    bool flag(uint8_t f) const { return (hdr.flags & f) != 0; }
    // Sequence space the segment occupies: SYN and FIN count (RFC 9293 3.4).
    uint32_t seq_len() const
    {
        return len + (flag(ATCP_TCP_SYN) ? 1 : 0) + (flag(ATCP_TCP_FIN) ? 1 : 0);
    }
};

// The RTO with RFC 6298 5.5's backoff, at most rto_max: what the
// retransmission timer waits now (and TCP_INFO's tcpi_rto reports).
uint32_t backed_off_rto(const Tcb& t);

// RFC 6675 section 2's DupThresh, which RFC 8985 6.2 step 4 also uses.
constexpr uint32_t kDupThresh = 3;

// What RACK's timers wait beyond their due time, as Linux's TCP_TIMEOUT_MIN:
// an ACK the host itself held up for a moment (softirq, a busy CPU) draws
// no needless probe and no loss, on sub-millisecond paths above all.
constexpr uint32_t kTimerSlackUs = 2000;

// Bytes in [from, to) no SACK range covers; bytes the ranges cover.
uint32_t unsacked(const Tcb& t, uint32_t from, uint32_t to);
uint32_t sacked_bytes(const Tcb& t);

// What TCP_INFO reports of loss recovery, in bytes above snd_una.
struct RecoveryFigures {
    uint32_t sacked;      // the peer SACKed
    uint32_t lost;        // deemed lost, not yet sent again
    uint32_t retrans_out; // sent again, not yet acknowledged
};
RecoveryFigures recovery_figures(const Tcb& t);

// Lives for one call: the TCB, the actions being filled and the time.
class Conn {
  public:
    Conn(Tcb& t, atcp_actions& act, uint64_t now_us);

    void open_active(uint32_t isn_hash);
    void open_passive(const Tcb& listener, const atcp_tcp_header& syn, uint32_t isn_hash);
    // syncookie.cpp
    void syncookie_syn_ack(const Tcb& listener, const atcp_tcp_header& syn,
                           const atcp_syncookie_hashes& hashes);
    void open_from_syncookie(const Tcb& listener, const atcp_tcp_header& ack,
                             const atcp_syncookie& cookie);
    void input(const Segment& seg);
    void timer();
    void close();
    void orphan();
    void abort();
    void option_changed();
    void consumed(uint32_t len);
    atcp_icmp_result icmp(const atcp_icmp& m);
    // Sends what may go now and the ACK owed; then reports state and deadline.
    void finish();

  private:
    void right_size_rcv_buf(uint32_t len);
    void sample_delivery_rate();
    // input.cpp
    void input_listen(const Segment& seg);
    void input_syn_sent(const Segment& seg);
    bool acceptable(const Segment& seg) const;
    bool crossed_syn_ack(const Segment& seg, atcp_tcp_header& trimmed) const;
    bool missing_timestamp(const Segment& seg) const;
    bool paws_rejects(const Segment& seg) const;
    bool ts_recent_expired() const;
    void input_rst(const Segment& seg);
    bool input_ack(const Segment& seg);
    void input_text(const Segment& seg, uint32_t skip);
    bool orphan_drops_data(const Segment& seg);
    void input_fin();
    void update_send_window(const Segment& seg);
    void take_timestamp(const Segment& seg);
    void take_rtt_sample(const Segment& seg);
    void handshake_rto(bool syn_timed_out);
    void challenge_ack();

    // output.cpp
    void output();
    bool send_data(bool probe = false);
    uint32_t segment_payload_max() const;
    uint32_t sack_blocks() const;
    void send_syn();
    void send_ack();
    void send_rst(uint32_t seq);
    atcp_out_segment* new_segment(uint32_t seq, uint8_t flags, bool retransmit = false);
    void add_options(atcp_out_segment& s, bool syn);
    void add_sack_blocks(atcp_tcp_options& o);
    void note_dsack(uint32_t start, uint32_t end);
    void send_probe();
    uint16_t window_field(bool syn);
    void retransmit_first();
    uint32_t retransmit_at(uint32_t seq, uint32_t end);

    // recovery.cpp
    uint32_t sacked_bytes() const;
    void trim_scoreboard();
    uint32_t lost_below() const;
    bool dupthresh_detect_loss();
    uint32_t unlost_hole() const;
    void add_sacked(uint32_t start, uint32_t end);
    void take_sack_blocks(const Segment& seg);
    uint32_t unsacked(uint32_t from, uint32_t to) const;
    uint32_t pipe() const;
    uint32_t first_unsacked(uint32_t from) const;
    uint32_t hole_end(uint32_t from) const;
    bool sack_recovery_due() const;
    void enter_sack_recovery();
    void prr_on_ack(uint32_t delivered);
    void exit_sack_recovery();
    bool send_in_recovery();
    bool retransmit_hole(uint32_t seq);

    // rack.cpp
    uint32_t run_start(uint8_t i) const;
    void merge_closest_runs();
    uint8_t split_runs_at(uint32_t seq);
    void note_sent(uint32_t start, uint32_t end, bool retransmit);
    void mark_all_lost();
    uint32_t first_lost() const;
    uint32_t lost_end(uint32_t seq) const;
    void rack_update(const SentRun& run, const Segment& ack);
    uint32_t reo_wnd() const;
    bool rto_recovery() const;
    bool rack_detect_loss();
    void adapt_reo_wnd(bool dsack);
    void reo_wnd_after_recovery();
    bool dsack_block(const Segment& seg, uint32_t& start, uint32_t& end) const;
    void rack_delivered(const SentRun& run, uint32_t end, const Segment& ack);
    void note_reordering(uint32_t end);
    void split_runs_at_sack_blocks(const Segment& seg);
    bool rack_on_ack(const Segment& seg, uint32_t una_before);
    void on_reo_deadline();

    // probe.cpp
    void schedule_probe();
    void on_probe_deadline();
    void probe_on_ack(const Segment& seg, bool advanced, bool dsack, uint32_t dstart,
                      uint32_t dend);
    void undo_start();
    void undo_on_dsack(uint32_t start, uint32_t end);
    bool undo_possible();
    bool undo_on_delayed_original(const Segment& seg, uint32_t una_before);
    void undo_reduction();

    // timers.cpp
    void on_rexmt_deadline();
    void on_keepalive_deadline();
    void time_out();
    void arm_rexmt();
    void arm_keepalive();
    void rtt_sample(uint32_t rtt_us);
    void note_min_rtt(uint32_t rtt_us);
    uint32_t backed_off_rto() const;
    uint64_t next_deadline() const;

    // congestion.cpp
    void on_new_ack(uint32_t acked);
    void on_dupack();
    void on_rto_loss();
    void lower_ssthresh();

    // ecn.cpp
    uint8_t ecn_syn_flags();
    void take_ecn_setup(const atcp_tcp_header& syn);
    void ecn_input(const Segment& seg);
    void on_ece(const Segment& seg);
    void ecn_mark_data(atcp_out_segment& s);

    // open and close
    uint32_t clock_isn(uint32_t isn_hash) const;
    void init_common(uint32_t iss);
    void answer_syn(const Tcb& listener, const atcp_tcp_header& syn, uint32_t iss);
    void take_peer_syn(const atcp_tcp_header& syn);
    void take_syn_options(const atcp_tcp_header& syn);
    uint16_t effective_mss() const;
    bool lower_path_mss(uint32_t mss_max);
    bool blackhole_detection_on() const;
    void detect_blackhole();
    void retry_blackhole_mss();
    void end_blackhole();
    void set_path_mss(uint32_t mss_max);
    void set_state(atcp_state s);
    void fail(atcp_error e);
    void release();
    void fin_acked();
    void arm_time_wait();

    // reassembly.cpp
    bool hold(uint32_t start, uint32_t end);
    bool drain_held();

    uint32_t ts_now() const { return static_cast<uint32_t>(now_ / 1000); }

    Tcb& t_;
    atcp_actions& act_;
    uint64_t now_;
};

} // namespace atcp
