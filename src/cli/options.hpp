#pragma once
// Flags spelled the same in every command (docs/DESIGN.md), and the JSON/table output helpers.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tomoedge::cli {

/// --threads N (0 = all cores); applied with tomoedge::set_num_threads by the caller.
void add_threads_option(CLI::App& cmd, int& threads);
/// --json: print the numbers as one JSON object on stdout instead of the table.
void add_json_flag(CLI::App& cmd, bool& json);

/// Prints `object` as one line of JSON on stdout.
void print_json(const nlohmann::json& object);

/// A plain aligned text table on stdout: header row, then rows; numbers pre-formatted.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace tomoedge::cli
