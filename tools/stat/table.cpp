// SPDX-License-Identifier: GPL-2.0
#include "table.h"

#include <algorithm>

namespace atcp_tools {

std::string Table::render() const
{
    std::vector<size_t> width(columns_.size());
    for (size_t c = 0; c < columns_.size(); c++)
        width[c] = columns_[c].title.size();
    for (const auto& row : rows_) {
        for (size_t c = 0; c < row.size() && c < width.size(); c++)
            width[c] = std::max(width[c], row[c].size());
    }
    std::string out;
    auto line = [&](auto cell) {
        std::string text;
        for (size_t c = 0; c < columns_.size(); c++) {
            const std::string& s = cell(c);
            size_t pad = width[c] - std::min(width[c], s.size());
            bool last = c + 1 == columns_.size();
            if (c > 0)
                text.append(static_cast<size_t>(gap_), ' ');
            if (columns_[c].align == Align::right)
                text.append(pad, ' ').append(s);
            else
                text.append(s).append(last ? 0 : pad, ' ');
        }
        // A left-aligned empty last cell would leave trailing spaces.
        text.erase(text.find_last_not_of(' ') + 1);
        out += text + '\n';
    };
    line([&](size_t c) -> const std::string& { return columns_[c].title; });
    static const std::string none;
    for (const auto& row : rows_)
        line([&](size_t c) -> const std::string& { return c < row.size() ? row[c] : none; });
    return out;
}

} // namespace atcp_tools
