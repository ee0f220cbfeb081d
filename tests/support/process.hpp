#pragma once
// A program started by a test, with its stdout and stderr in files (large outputs cannot deadlock
// a pipe) and waited for with a deadline, so a hung test ends by itself. run_tomoedge
// (cli_runner.hpp) is one of these waited for at once; live tests run two side by side.
#include <chrono>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace tomoedge::testing {

/// The command line that runs the tomoedge under test with `args`: in a cross build under
/// emulation (tests/CMakeLists.txt), the emulator's command line comes first.
std::vector<std::string> tomoedge_command(const std::vector<std::string>& args);

class Background {
public:
    /// Starts `command` (program first, no shell) with CI=1 in its environment (no progress line).
    explicit Background(const std::vector<std::string>& command);
    ~Background();  // kills (SIGKILL) a process still running
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    /// Exit status (128 + signal if a signal ended it); kills it and returns -1 after `deadline`.
    int wait(std::chrono::milliseconds deadline);
    void signal(int sig) const;
    std::string out() const;
    std::string err() const;
    /// Waits until stderr contains `text` (true) or `deadline` passes (false).
    bool wait_for_err(const std::string& text, std::chrono::milliseconds deadline) const;

private:
    pid_t pid_ = -1;
    bool done_ = false;
    int status_ = -1;
    std::filesystem::path out_, err_;
};

}  // namespace tomoedge::testing
