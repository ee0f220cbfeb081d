#include "support/cli_runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace tomoedge::testing {
namespace {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

CliResult run_tomoedge(const std::vector<std::string>& args) {
    // Output goes to temporary files rather than pipes so large outputs cannot deadlock.
    char out_name[] = "/tmp/tomoedge-cli-out-XXXXXX";
    char err_name[] = "/tmp/tomoedge-cli-err-XXXXXX";
    const int out_fd = mkstemp(out_name);
    const int err_fd = mkstemp(err_name);
    if (out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");

    std::vector<std::string> argv_storage;
#ifdef TOMOEDGE_BINARY_LAUNCHER
    // Cross build under emulation (tests/CMakeLists.txt): "qemu|-L|sysroot" goes first.
    for (std::string_view rest = TOMOEDGE_BINARY_LAUNCHER; !rest.empty();) {
        const auto bar = rest.find('|');
        argv_storage.emplace_back(rest.substr(0, bar));
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
#endif
    argv_storage.emplace_back(TOMOEDGE_BINARY);
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);

    setenv("CI", "1", 1);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv_storage.front().c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_fd);
    close(err_fd);
    if (rc != 0) throw std::runtime_error("cannot start " TOMOEDGE_BINARY);

    int status = 0;
    waitpid(pid, &status, 0);
    CliResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = slurp(out_name);
    result.err = slurp(err_name);
    std::filesystem::remove(out_name);
    std::filesystem::remove(err_name);
    return result;
}

std::string fixture(const std::string& name) { return std::string(TOMOEDGE_FIXTURES) + "/" + name; }

}  // namespace tomoedge::testing
