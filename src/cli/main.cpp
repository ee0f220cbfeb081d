// `tomoedge <command>`: thin. Parses flags, calls the library, turns every failure into one
// line on stderr and a non-zero exit (1 = the work failed, 2 = bad command line).
#include "cli/command.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace tomoedge::cli {
std::vector<CommandEntry>& command_registry() {
    static std::vector<CommandEntry> registry;
    return registry;
}
}  // namespace tomoedge::cli

int main(int argc, char** argv) {
    CLI::App app{"tomoedge: restore low-dose X-ray tomography images on edge hardware", "tomoedge"};
    app.require_subcommand(1);
    app.set_version_flag("--version", TOMOEDGE_VERSION);
    auto& registry = tomoedge::cli::command_registry();
    std::sort(registry.begin(), registry.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (const auto& entry : registry) entry.add(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "tomoedge: error: %s (see --help)\n", e.what());
        return 2;
    } catch (const tomoedge::Error& e) {
        std::fprintf(stderr, "tomoedge: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tomoedge: internal error: %s\n", e.what());
        return 1;
    }
    return 0;
}
