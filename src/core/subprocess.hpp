#pragma once
// Running another program without a shell: arguments reach it verbatim (a path with quotes,
// spaces or `$` is just a path), its stdout and stderr come back through pipes.
#include <string>
#include <vector>

namespace tomoedge {

struct ProcessResult {
    bool started = false;  // false: it could not be started (`error` says why)
    int exit_code = -1;    // exit status; 128 + signal when a signal ended it
    std::string out, err;  // everything it wrote to stdout and stderr
    std::string error;     // why it did not start (e.g. "node: No such file or directory")
};

/// Runs `argv[0]` with arguments `argv` (posix_spawnp: a program name without '/' is searched in
/// PATH), stdin from /dev/null, and waits for it. `env` entries ("NAME=value") are added to this
/// process's environment, replacing a variable of the same name. Never throws for the child's
/// failures: they are in the result. Throws Error only for an empty argv or a failed pipe().
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

}  // namespace tomoedge
