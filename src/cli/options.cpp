#include "cli/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace tomoedge::cli {

void add_threads_option(CLI::App& cmd, int& threads) {
    cmd.add_option("--threads", threads, "Worker threads (0 = all cores)")->check(CLI::NonNegativeNumber);
}

void add_json_flag(CLI::App& cmd, bool& json) {
    cmd.add_flag("--json", json, "Print the results as one JSON object on stdout");
}

void print_json(const nlohmann::json& object) {
    const std::string text = object.dump();
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
    auto print_row = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
            // First column (a name) left-aligned, numbers right-aligned.
            line += c == 0 ? fmt::format("{:<{}}", row[c], width[c]) : fmt::format("  {:>{}}", row[c], width[c]);
        }
        std::puts(line.c_str());
    };
    print_row(header);
    std::size_t total = 0;
    for (auto w : width) total += w + 2;
    std::puts(std::string(total > 2 ? total - 2 : 0, '-').c_str());
    for (const auto& row : rows) print_row(row);
}

}  // namespace tomoedge::cli
