#pragma once
// Runs the real `tomoedge` executable (as a user would) and captures exit status and output.
#include <string>
#include <vector>

namespace tomoedge::testing {

struct CliResult {
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

/// Runs `tomoedge args...` with CI=1 (no progress lines). Arguments are passed verbatim (no shell).
/// A run still going after 20 minutes is killed and reported with exit code -1.
CliResult run_tomoedge(const std::vector<std::string>& args);

/// Path of a committed fixture under tests/fixtures.
std::string fixture(const std::string& name);

}  // namespace tomoedge::testing
