// SPDX-License-Identifier: GPL-2.0
// Out-of-order data: a bounded, sorted list of the sequence ranges held.
#include "engine.hpp"

namespace atcp {

// Records [start, end) as held, merging neighbours; false when holding it
// would need more ranges than allowed (the caller then drops the data).
bool Conn::hold(uint32_t start, uint32_t end)
{
    SeqRange* r = t_.ooo;
    uint8_t n = t_.ooo_count;
    uint8_t i = 0;
    while (i < n && seq_lt(r[i].end, start))
        ++i;
    uint8_t j = i; // ranges [i, j) touch or overlap the new one
    while (j < n && seq_le(r[j].start, end))
        ++j;
    if (i == j) {
        const uint8_t limit = min_of<uint8_t>(t_.params.ooo_max, ATCP_OOO_MAX);
        if (n >= limit)
            return false;
        for (uint8_t k = n; k > i; --k)
            r[k] = r[k - 1];
        r[i] = {start, end, 0};
        ++n;
    } else {
        r[i].start = seq_min(r[i].start, start);
        r[i].end = seq_max(r[j - 1].end, end);
        const uint8_t gone = static_cast<uint8_t>(j - i - 1);
        for (uint8_t k = i + 1; k + gone < n; ++k)
            r[k] = r[k + gone];
        n = static_cast<uint8_t>(n - gone);
    }
    r[i].stamp = ++t_.hold_clock;
    t_.ooo_count = n;
    uint32_t held = 0;
    for (uint8_t k = 0; k < n; ++k)
        held += r[k].end - r[k].start;
    t_.rcv_held = held;
    return true;
}

// rcv_nxt advanced: take the held ranges it reached; true if it reached any.
bool Conn::drain_held()
{
    uint32_t moved = 0;
    uint8_t taken = 0;
    while (taken < t_.ooo_count && seq_le(t_.ooo[taken].start, t_.rcv_nxt)) {
        const SeqRange& r = t_.ooo[taken];
        t_.rcv_held -= r.end - r.start;
        if (seq_gt(r.end, t_.rcv_nxt)) {
            moved += r.end - t_.rcv_nxt;
            t_.rcv_nxt = r.end;
        }
        ++taken;
    }
    for (uint8_t k = taken; k < t_.ooo_count; ++k)
        t_.ooo[k - taken] = t_.ooo[k];
    t_.ooo_count = static_cast<uint8_t>(t_.ooo_count - taken);
    t_.rcv_queued += moved;
    t_.bytes_received += moved;
    return taken > 0;
}

} // namespace atcp
