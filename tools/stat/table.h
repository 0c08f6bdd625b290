// SPDX-License-Identifier: GPL-2.0
/*
 * A text table: each column as wide as its widest cell, numbers right
 * aligned, the last column left ragged so that long command lines do not
 * pad every row.
 */
#pragma once

#include <string>
#include <vector>

namespace atcp_tools {

class Table {
  public:
    enum class Align { left, right };
    struct Column {
        std::string title;
        Align align = Align::left;
    };

    explicit Table(std::vector<Column> columns, int gap = 1)
        : columns_(std::move(columns)), gap_(gap)
    {
    }
    // A row with fewer cells than columns leaves the rest empty.
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    bool empty() const { return rows_.empty(); }
    // The heading and every row, each line ending in '\n'.
    std::string render() const;

  private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
    int gap_;
};

} // namespace atcp_tools
