// SPDX-License-Identifier: GPL-2.0
// Google Benchmark: the engine's cost per segment on the two bulk paths, receiving and sending.
//
// One established connection per benchmark, its peer played by hand: full-sized in-order data
// segments arriving while the reader consumes, or ACKs of two segments arriving while a large
// send queue drains.  Timestamps are on, as between Linux peers, so every segment carries them.
#include <atcp/engine.h>

#include <benchmark/benchmark.h>

#include <cstdint>

namespace {

constexpr uint32_t kMssMax = 1460;
constexpr uint32_t kPayload = kMssMax - 12; // less the timestamp option
constexpr uint32_t kPeerIsn = 1000000;
constexpr uint16_t kWindow = 65535; // scaled by 7: 8 MB, never the limit
constexpr uint32_t kSendChunk = 1u << 30;

int32_t seq_diff(uint32_t a, uint32_t b)
{
    return static_cast<int32_t>(a - b);
}

class Connection {
  public:
    // Connects and answers the SYN: MSS 1460, SACK, timestamps and window scale 7.
    explicit Connection(benchmark::State& state)
    {
        atcp_params_default(&params_);
        atcp_actions act;
        atcp_engine_init(&tcb_, &params_);
        atcp_engine_connect(&tcb_, false, 40000, 80, kMssMax, 0x12345678, now_, &act);
        const atcp_tcp_header& syn = act.segs[0].hdr;
        iss_ = syn.seq;
        snd_max_ = iss_ + 1;
        acked_to_ = iss_ + 1;

        atcp_tcp_header h = header();
        h.flags = ATCP_TCP_SYN | ATCP_TCP_ACK;
        h.seq = kPeerIsn;
        h.opt.present |= ATCP_OPT_MSS | ATCP_OPT_WSCALE | ATCP_OPT_SACK_PERM;
        h.opt.mss = kMssMax;
        h.opt.wscale = 7;
        h.opt.ts_ecr = syn.opt.ts_val;
        atcp_engine_input(&tcb_, &h, 0, now_, &act);
        take(act);
        if (atcp_engine_state(&tcb_) != ATCP_ESTABLISHED)
            state.SkipWithError("the handshake did not complete");
    }

    // A segment from the peer: the next in sequence, acknowledging what was sent up to ack.
    atcp_tcp_header header()
    {
        atcp_tcp_header h{};
        h.src_port = 80;
        h.dst_port = 40000;
        h.flags = ATCP_TCP_ACK;
        h.seq = peer_seq_;
        h.ack = acked_to_;
        h.window = kWindow;
        h.header_len = ATCP_TCP_HDR_MIN + 12;
        h.opt.present = ATCP_OPT_TIMESTAMP;
        h.opt.ts_val = ++peer_ts_;
        h.opt.ts_ecr = static_cast<uint32_t>(now_ / 1000);
        return h;
    }

    // Flushes and notes how far the engine has sent.
    void take(const atcp_actions& first)
    {
        atcp_actions act = first;
        for (;;) {
            for (uint8_t i = 0; i < act.nsegs; ++i) {
                const atcp_out_segment& s = act.segs[i];
                const uint32_t end = s.hdr.seq + s.data_len;
                if (seq_diff(end, snd_max_) > 0)
                    snd_max_ = end;
            }
            if (!act.more)
                return;
            atcp_engine_output(&tcb_, now_, &act);
        }
    }

    atcp_tcb tcb_{};
    atcp_params params_;
    uint64_t now_ = 1000000;
    uint32_t iss_ = 0;
    uint32_t snd_max_ = 0;
    uint32_t peer_seq_ = kPeerIsn + 1;
    uint32_t peer_ts_ = 1;
    uint32_t acked_to_ = 0;
};

// One iteration: a full-sized in-order segment arrives; every range(0) segments the reader
// takes what arrived.
void BM_ReceiveInOrder(benchmark::State& state)
{
    Connection c(state);
    const int64_t per_read = state.range(0);
    int64_t unread = 0;
    atcp_actions act;
    for (auto _ : state) {
        c.now_ += 12; // a 1500-byte frame at 1 Gbit/s
        const atcp_tcp_header h = c.header();
        atcp_engine_input(&c.tcb_, &h, kPayload, c.now_, &act);
        if (act.deliver_len != kPayload) {
            state.SkipWithError("a segment was not delivered in order");
            break;
        }
        c.peer_seq_ += kPayload;
        if (++unread == per_read) {
            atcp_engine_consumed(&c.tcb_, static_cast<uint32_t>(unread) * kPayload, c.now_, &act);
            unread = 0;
        }
        benchmark::DoNotOptimize(act);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * kPayload);
}
BENCHMARK(BM_ReceiveInOrder)->ArgName("segs_per_read")->Arg(1)->Arg(16);

// One iteration: an ACK of two segments arrives (a delayed ACK's worth); the engine frees them
// and sends what cwnd and the window now allow, two or three new segments.
void BM_AckBulkSend(benchmark::State& state)
{
    Connection c(state);
    uint64_t queued = kSendChunk;
    atcp_actions act;
    atcp_engine_send(&c.tcb_, kSendChunk, c.now_, &act);
    c.take(act);
    uint64_t acked = 0;
    for (auto _ : state) {
        c.now_ += 24;
        const uint32_t next = c.acked_to_ + 2 * kPayload;
        c.acked_to_ = seq_diff(next, c.snd_max_) > 0 ? c.snd_max_ : next;
        const atcp_tcp_header h = c.header();
        atcp_engine_input(&c.tcb_, &h, 0, c.now_, &act);
        acked += act.acked;
        c.take(act);
        if (queued - acked < kSendChunk / 2) {
            // Refill outside the timing: the send queue must never run dry.
            state.PauseTiming();
            atcp_engine_send(&c.tcb_, kSendChunk / 2, c.now_, &act);
            c.take(act);
            queued += kSendChunk / 2;
            state.ResumeTiming();
        }
    }
    if (acked == 0)
        state.SkipWithError("nothing was acknowledged");
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<int64_t>(acked));
}
BENCHMARK(BM_AckBulkSend);

} // namespace
