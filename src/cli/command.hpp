#pragma once
// Each `tomoedge <command>` lives in its own cmd_<name>.cpp and registers itself with
// TOMOEDGE_COMMAND, so adding a command touches no shared file.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace tomoedge::cli {

struct CommandEntry {
    std::string name;
    std::function<void(CLI::App&)> add;  // adds the subcommand, its flags and its callback
};

std::vector<CommandEntry>& command_registry();

struct CommandRegistrar {
    CommandRegistrar(std::string name, std::function<void(CLI::App&)> add) {
        command_registry().push_back({std::move(name), std::move(add)});
    }
};

}  // namespace tomoedge::cli

#define TOMOEDGE_COMMAND(name, function) \
    static const ::tomoedge::cli::CommandRegistrar tomoedge_command_registrar_##function{name, function}
