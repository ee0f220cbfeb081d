#include "support/cli_runner.hpp"

#include "support/process.hpp"

#include <chrono>

namespace tomoedge::testing {

CliResult run_tomoedge(const std::vector<std::string>& args) {
    Background process(tomoedge_command(args));
    // Bounded, so a hung command fails its test instead of hanging the suite (the longest CLI
    // tests train for tens of seconds).
    CliResult result;
    result.exit_code = process.wait(std::chrono::minutes(20));
    result.out = process.out();
    result.err = process.err();
    return result;
}

std::string fixture(const std::string& name) { return std::string(TOMOEDGE_FIXTURES) + "/" + name; }

}  // namespace tomoedge::testing
