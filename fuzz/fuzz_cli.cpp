// The command-line parser: every registered command with its flags (the same cmd_*.cpp sources as
// the executable), parsed from fuzzed argv and stopped before any command's callback, so nothing
// runs. Flag validators, CLI11's parsing and conversions run as in `tomoedge`; then the project's
// own text parsers (data paths, precision, dtype, TFLite input size) get each argument.
// Input: arguments separated by NUL bytes (the dictionary holds command and flag names).
#include "fuzz_support.hpp"

#include "cli/command.hpp"
#include "core/dtype.hpp"
#include "io/data_path.hpp"
#include "quant/tflite_export.hpp"
#include "runtime/backend.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace tomoedge::cli {
// main.cpp owns the registry in the executable; the harness has no main.cpp.
std::vector<CommandEntry>& command_registry() {
    static std::vector<CommandEntry> registry;
    return registry;
}
}  // namespace tomoedge::cli

namespace {
using namespace tomoedge;

std::vector<std::string> split_arguments(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> args{"tomoedge"};
    std::string current;
    for (std::size_t i = 0; i < size && args.size() < 64; ++i) {
        if (data[i] == 0) {
            args.push_back(std::move(current));
            current.clear();
        } else {
            current.push_back(static_cast<char>(data[i]));
        }
    }
    if (!current.empty()) args.push_back(std::move(current));
    return args;
}

// Thrown once parsing and validation are done, before any command's callback would run.
struct Parsed {};

void parse(const std::vector<std::string>& args) {
    CLI::App app{"tomoedge", "tomoedge"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "fuzz");
    for (const auto& entry : cli::command_registry()) entry.add(app);
    // The top level's parse-complete callback runs first in run_callback(), before the
    // subcommands' callbacks. (Replacing those instead would free the option structs that only
    // the callbacks own, and the options would then write into freed memory.)
    app.parse_complete_callback([] { throw Parsed{}; });
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const Parsed&) {
        // a valid command line: `tomoedge` would now run the command
    } catch (const CLI::Error&) {
        // --help, --version and bad command lines: main() prints these, exit code 0 or 2
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::setup();
    const std::vector<std::string> args = split_arguments(data, size);
    fuzz::expected([&] { parse(args); });
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        fuzz::expected([&] { (void)io::parse_data_path(a); });
        fuzz::expected([&] { (void)runtime::parse_precision(a); });
        fuzz::expected([&] { (void)parse_dtype(a); });
        fuzz::expected([&] { (void)quant::parse_input_size(a); });
    }
    return 0;
}
