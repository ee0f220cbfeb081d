#include "core/subprocess.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace tomoedge {
namespace {

// Closes a file descriptor once.
struct Fd {
    int fd = -1;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) close(fd);
        fd = -1;
    }
};

// This process's environment with `extra` ("NAME=value") added or replacing.
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
    auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        const std::string entry(*e);
        bool replaced = false;
        for (const std::string& x : extra) replaced = replaced || name_of(x) == name_of(entry);
        if (!replaced) out.push_back(entry);
    }
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> p;
    for (std::string& s : strings) p.push_back(s.data());
    p.push_back(nullptr);
    return p;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv_in, const std::vector<std::string>& env) {
    if (argv_in.empty()) fail("run_process: no program given");
    std::vector<std::string> argv_strings = argv_in, env_strings = merged_environment(env);
    const std::vector<char*> argv = pointers(argv_strings), envp = pointers(env_strings);

    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) fail("run_process: pipe: {}", std::strerror(errno));
    Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
    if (pipe2(err_pipe, O_CLOEXEC) != 0) fail("run_process: pipe: {}", std::strerror(errno));
    Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.fd, STDOUT_FILENO);  // dup2 clears O_CLOEXEC
    posix_spawn_file_actions_adddup2(&actions, err_write.fd, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    out_write.reset();  // the child holds the write ends now: end of file when it is done
    err_write.reset();

    ProcessResult result;
    if (rc != 0) {
        result.error = argv_in[0] + ": " + std::strerror(rc);
        return result;
    }
    result.started = true;
    // Both pipes at once, so a child that fills one while we wait on the other cannot block.
    pollfd fds[2] = {{out_read.fd, POLLIN, 0}, {err_read.fd, POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_pipes = 2;
    char buffer[65536];
    while (open_pipes > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1;  // poll ignores negative descriptors; the Fd closes it
                --open_pipes;
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    // posix_spawnp may report a program it could not exec as a child that exits 127.
    if (result.exit_code == 127 && result.out.empty() && result.err.empty()) {
        result.started = false;
        result.error = argv_in[0] + ": cannot run it (not found, or not executable)";
    }
    return result;
}

}  // namespace tomoedge
