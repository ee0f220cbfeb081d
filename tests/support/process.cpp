#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

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

std::vector<std::string> tomoedge_command(const std::vector<std::string>& args) {
    std::vector<std::string> command;
#ifdef TOMOEDGE_BINARY_LAUNCHER
    // Cross build under emulation: "qemu|-L|sysroot" goes first ('|'-separated in the define).
    for (std::string_view rest = TOMOEDGE_BINARY_LAUNCHER; !rest.empty();) {
        const auto bar = rest.find('|');
        command.emplace_back(rest.substr(0, bar));
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
#endif
    command.emplace_back(TOMOEDGE_BINARY);
    command.insert(command.end(), args.begin(), args.end());
    return command;
}

Background::Background(const std::vector<std::string>& command) {
    if (command.empty()) throw std::invalid_argument("Background: empty command");
    char out_name[] = "/tmp/tomoedge-test-out-XXXXXX";
    char err_name[] = "/tmp/tomoedge-test-err-XXXXXX";
    const int out_fd = mkstemp(out_name), err_fd = mkstemp(err_name);
    if (out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");
    out_ = out_name, err_ = err_name;
    std::vector<std::string> storage = command;
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage{"CI=1"};
    for (char** e = environ; *e; ++e)
        if (std::string_view(*e).substr(0, 3) != "CI=") env_storage.emplace_back(*e);
    std::vector<char*> env;
    for (auto& s : env_storage) env.push_back(s.data());
    env.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out_fd);
    close(err_fd);
    if (rc != 0) throw std::runtime_error("posix_spawn failed for " + storage[0]);
}

Background::~Background() {
    if (!done_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove(out_, ec);
    std::filesystem::remove(err_, ec);
}

int Background::wait(std::chrono::milliseconds deadline) {
    if (done_) return status_;
    const auto until = std::chrono::steady_clock::now() + deadline;
    int status = 0;
    // Poll from 1 ms up to 20 ms: quick commands (most CLI tests) return within a millisecond of
    // exiting, long ones cost no CPU.
    auto pause = std::chrono::milliseconds(1);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > until) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            done_ = true;
            return status_ = -1;
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    done_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
}

void Background::signal(int sig) const {
    if (!done_) kill(pid_, sig);
}

std::string Background::out() const { return slurp(out_); }
std::string Background::err() const { return slurp(err_); }

bool Background::wait_for_err(const std::string& text, std::chrono::milliseconds deadline) const {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (err().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace tomoedge::testing
