// SPDX-License-Identifier: GPL-2.0
// SYN cookies (RFC 4987 3.6): a listener whose SYN queue is full answers a
// SYN with a SYN-ACK whose ISN encodes what the connection needs, keeps
// nothing, and rebuilds the connection from the ACK that echoes it.  The
// layout is Linux's (net/ipv4/syncookies.c, net/ipv6/syncookies.c); the
// keyed hashes are the caller's.
#include "engine.hpp"

namespace atcp {
namespace {

// Linux's secure_tcp_syn_cookie():
//   cookie = H(4-tuple) + the peer's ISN + (counter << 24)
//            + ((H'(4-tuple, counter) + MSS index) mod 2^24),
// so that the top 8 bits give the counter away and the low 24 bits are
// only right with the secret.
constexpr uint32_t kCounterShift = 24; // Linux's COOKIEBITS
constexpr uint32_t kDataMask = (1u << kCounterShift) - 1;
constexpr uint32_t kCounterMask = ~uint32_t{0} >> kCounterShift;

// The MSS values a cookie can say, by index, sorted: Linux's msstab.  A
// peer's MSS is rounded down to one, and one below the least is taken as
// the least, as Linux takes it: the MSS every IPv4 host must accept (RFC
// 9293 3.7.1) and IPv6's minimum MTU less 60 (RFC 8200 5).  The others
// are the common MSS values: IPv4's from Alcock and Nelson's 2011 survey
// (1440 for PPPoE), IPv6's those of 1480, 1500 and 9000-byte MTUs.
constexpr uint8_t kMssEntries = 4;
constexpr uint16_t kMssTable[2][kMssEntries] = {
    {536, 1300, 1440, 1460},
    {1220, 1420, 1440, 8940},
};

uint8_t mss_index(bool ipv6, uint16_t mss)
{
    uint8_t i = kMssEntries - 1;
    while (i > 0 && mss < kMssTable[ipv6][i])
        --i;
    return i;
}

// With timestamps the SYN-ACK's TSval keeps, in its low 6 bits, the options
// the ACK's echo brings back (Linux's cookie_init_timestamp()): the peer's
// window scale (kTsNoWscale: none), SACK-permitted and ECN.
constexpr uint32_t kTsBits = 6;
constexpr uint32_t kTsWscaleMask = 0xf;
constexpr uint32_t kTsNoWscale = 0xf; // above ATCP_TCP_WSCALE_MAX: never a shift
constexpr uint32_t kTsSack = 1u << 4;
constexpr uint32_t kTsEcn = 1u << 5;

// The oldest echo a valid cookie's ACK can carry, in milliseconds: the SYN
// came at most ATCP_SYNCOOKIE_MAX_AGE counter steps ago, and its SYN-ACK's
// TSval was rounded down by less than 2^kTsBits.
constexpr uint32_t kCookieEchoMaxAgeMs =
    ATCP_SYNCOOKIE_MAX_AGE * (ATCP_SYNCOOKIE_PERIOD_US / 1000) + (1u << kTsBits);

// Linux's cookie_timestamp_decode(): the options the echoed TSval keeps.
// An echo of a TSval no cookie SYN-ACK could have carried is no cookie's:
// one while the listener sends no timestamps, from the future, or older
// than a cookie lives.
bool take_echoed_options(const Tcb& listener, uint32_t echo, uint64_t now_us, atcp_syncookie& c)
{
    const uint32_t age_ms = static_cast<uint32_t>(now_us / 1000) - echo;
    if (!listener.rfc7323_allowed() || age_ms > kCookieEchoMaxAgeMs)
        return false;
    c.timestamps = 1;
    const uint32_t wscale = echo & kTsWscaleMask;
    c.window_scale = wscale != kTsNoWscale;
    c.wscale = c.window_scale ? static_cast<uint8_t>(wscale) : 0;
    c.sack_permitted = (echo & kTsSack) != 0;
    // As Linux's cookie_ecn_ok(): only if ECN is still on.
    c.ecn = (echo & kTsEcn) != 0 && listener.params.ecn != 0;
    return true;
}

} // namespace

// The SYN-ACK answer_syn() and send_syn() make for a listener's child, the
// child thrown away: its ISS is the cookie.
void Conn::syncookie_syn_ack(const Tcb& listener, const atcp_tcp_header& syn,
                             const atcp_syncookie_hashes& hashes)
{
    // Without timestamps only the MSS comes back in the cookie, so the
    // SYN-ACK agrees to nothing else, lest the peer use options the
    // connection will run without (Linux's tcp_conn_request() clears them,
    // and ECN).
    atcp_tcp_header kept = syn;
    if (!listener.rfc7323_allowed() || !(syn.opt.present & ATCP_OPT_TIMESTAMP)) {
        kept.opt.present &= static_cast<uint8_t>(~(ATCP_OPT_WSCALE | ATCP_OPT_SACK_PERM));
        kept.flags &= static_cast<uint8_t>(~(ATCP_TCP_ECE | ATCP_TCP_CWR));
    }
    const uint8_t mss = mss_index(t_.has(kIpv6), t_.syn_mss(kept.opt));
    const uint32_t cookie = hashes.tuple + syn.seq + (hashes.counter << kCounterShift) +
                            ((hashes.at_counter[0] + mss) & kDataMask);
    answer_syn(listener, kept, cookie);
    send_syn();

    atcp_tcp_options& o = act_.segs[0].hdr.opt;
    if (o.present & ATCP_OPT_TIMESTAMP) {
        uint32_t options = t_.has(kWindowScale) ? t_.snd_wscale : kTsNoWscale;
        if (t_.has(kSackOk))
            options |= kTsSack;
        if (t_.has(kEcnOk))
            options |= kTsEcn;
        // Never ahead of the clock, so that the timestamps that follow
        // from the clock never go backwards.
        const uint32_t now = ts_now();
        o.ts_val = (now & ~((1u << kTsBits) - 1)) | options;
        if (o.ts_val > now)
            o.ts_val -= 1u << kTsBits;
    }
    act_.state = ATCP_LISTEN; // the listener's, whom this leaves as it was
}

// The connection a valid cookie stands for, as answer_syn() and the
// handshake's ACK would have left it.
void Conn::open_from_syncookie(const Tcb& listener, const atcp_tcp_header& ack,
                               const atcp_syncookie& cookie)
{
    // The SYN, as far as the cookie kept it.  Its window is lost: the
    // ACK's alone counts, as for Linux's children, which take theirs from
    // the ACK.
    atcp_tcp_header syn{};
    syn.src_port = ack.src_port;
    syn.dst_port = ack.dst_port;
    syn.seq = ack.seq - 1;
    syn.flags = ATCP_TCP_SYN | (cookie.ecn ? ATCP_TCP_ECE | ATCP_TCP_CWR : 0);
    atcp_tcp_options& o = syn.opt;
    o.present = ATCP_OPT_MSS;
    o.mss = cookie.mss;
    if (cookie.window_scale) {
        o.present |= ATCP_OPT_WSCALE;
        o.wscale = cookie.wscale;
    }
    if (cookie.sack_permitted)
        o.present |= ATCP_OPT_SACK_PERM;
    if (cookie.timestamps) {
        o.present |= ATCP_OPT_TIMESTAMP;
        o.ts_val = ack.opt.ts_val;
    }
    answer_syn(listener, syn, ack.ack - 1);

    // What sending the SYN-ACK set: the window it offered, the ACK it
    // carried, the sequence space it took.
    window_field(true);
    t_.last_ack_sent = t_.rcv_nxt;
    t_.snd_nxt = t_.snd_max = ack.ack;

    // The ACK, as SYN-RECEIVED takes it, but without its timestamp: it
    // echoes a TSval rounded down by up to 63 ms to carry the cookie, which
    // would overstate the round trip.  Nor was the SYN-ACK's sending timed:
    // the first data acknowledged measures it (RFC 6298 2.1 until then).
    atcp_tcp_header handshake_ack = ack;
    handshake_ack.flags = ATCP_TCP_ACK;
    handshake_ack.opt = atcp_tcp_options{};
    input_ack(Segment{handshake_ack, 0});
    act_.mib.passive_opens = 1;
}

} // namespace atcp

using namespace atcp;

extern "C" uint32_t atcp_syncookie_counter(uint64_t now_us)
{
    return static_cast<uint32_t>(now_us / ATCP_SYNCOOKIE_PERIOD_US);
}

// Linux's cookie_v4_check(), __cookie_v4_check() and check_tcp_syn_cookie().
extern "C" bool atcp_engine_syncookie_check(const atcp_tcb* listener, const atcp_tcp_header* ack,
                                            bool ipv6, const atcp_syncookie_hashes* hashes,
                                            uint64_t now_us, atcp_syncookie* cookie)
{
    if ((ack->flags & (ATCP_TCP_ACK | ATCP_TCP_RST | ATCP_TCP_SYN)) != ATCP_TCP_ACK)
        return false;
    // Take away the hash of the 4-tuple and the peer's ISN: left are the
    // counter's low bits above the MSS index under the counter's hash.
    const uint32_t layered = (ack->ack - 1) - hashes->tuple - (ack->seq - 1);
    const uint32_t age = (hashes->counter - (layered >> kCounterShift)) & kCounterMask;
    if (age >= ATCP_SYNCOOKIE_MAX_AGE)
        return false; // too old, or from a counter yet to come
    const uint32_t index = (layered - hashes->at_counter[age]) & kDataMask;
    if (index >= kMssEntries)
        return false;

    atcp_syncookie c{};
    c.mss = kMssTable[ipv6][index];
    // Without timestamps only the MSS survives (Linux's tcp_clear_options()).
    if ((ack->opt.present & ATCP_OPT_TIMESTAMP) &&
        !take_echoed_options(tcb_of(listener), ack->opt.ts_ecr, now_us, c))
        return false;
    *cookie = c;
    return true;
}
