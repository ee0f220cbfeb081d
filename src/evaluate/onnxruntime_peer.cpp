#include "evaluate/onnxruntime_peer.hpp"

#include "core/subprocess.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <system_error>

namespace tomoedge::evaluate {
namespace {

namespace fs = std::filesystem;

// <bin>/../share/tomoedge of an installed executable (the relative path comes from CMake's
// install directories); empty when there is no such folder (e.g. a build tree).
fs::path installed_share_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const fs::path share = (exe.parent_path() / TOMOEDGE_SHARE_FROM_BIN).lexically_normal();
    return fs::is_directory(share, ec) ? share : fs::path();
}

void set_why(std::string* why, std::string text) {
    if (why) *why = std::move(text);
}

std::string joined(const std::vector<fs::path>& paths) {
    std::string out;
    for (const fs::path& p : paths) out += (out.empty() ? "" : ", ") + p.string();
    return out.empty() ? "(nowhere)" : out;
}

// The line of node's stderr that says what went wrong: the first naming an error (a stack trace
// starts with the source location), else the first that is not empty.
std::string telling_line(const std::string& err) {
    std::string first;
    std::size_t start = 0;
    while (start < err.size()) {
        const std::size_t end = std::min(err.find('\n', start), err.size());
        const std::string line = err.substr(start, end - start);
        if (line.find("Error") != std::string::npos) return line;
        if (first.empty() && line.find_first_not_of(" \t") != std::string::npos) first = line;
        start = end + 1;
    }
    return first;
}

}  // namespace

OrtSearch default_ort_search() {
    OrtSearch s;
    const fs::path share = installed_share_dir(), source = TOMOEDGE_SOURCE_DIR;
    if (const char* script = std::getenv("TOMOEDGE_ORT_RUNNER"); script && *script) {
        s.scripts = {script};
    } else {
        if (!share.empty()) s.scripts.push_back(share / "ort_time.js");
        s.scripts.push_back(source / "bench" / "ort_time.js");
    }
    if (const char* peers = std::getenv("TOMOEDGE_PEERS_DIR"); peers && *peers) {
        s.peer_dirs = {peers};
    } else {
        if (!share.empty()) s.peer_dirs.push_back(share / "peers");
        s.peer_dirs.push_back(source / "tools" / "peers");
    }
    return s;
}

std::optional<OrtRunner> find_ort_runner(const OrtSearch& search, std::string* why) {
    std::error_code ec;
    OrtRunner r;
    for (const fs::path& p : search.scripts)
        if (fs::is_regular_file(p, ec)) {
            r.script = p;
            break;
        }
    if (r.script.empty()) {
        set_why(why, fmt::format("bench/ort_time.js not found (looked at {}; TOMOEDGE_ORT_RUNNER names it)",
                                 joined(search.scripts)));
        return std::nullopt;
    }
    std::vector<fs::path> packages;
    for (const fs::path& dir : search.peer_dirs) {
        packages.push_back(dir / "node_modules" / "onnxruntime-node");
        if (fs::is_directory(packages.back(), ec)) {
            r.node_modules = dir / "node_modules";
            return r;
        }
    }
    set_why(why, fmt::format("onnxruntime-node not installed (looked for {}; scripts/install-peers.sh installs it, "
                             "TOMOEDGE_PEERS_DIR names its folder)", joined(packages)));
    return std::nullopt;
}

OrtTiming time_in_onnxruntime(const OrtRunner& runner, const OrtTimingRequest& q) {
    OrtTiming t;
    const ProcessResult p = run_process(
        {"node", runner.script.string(), q.model.string(), std::to_string(q.channels), std::to_string(q.size),
         std::to_string(q.runs), std::to_string(q.threads), std::to_string(q.warmup)},
        {"NODE_PATH=" + runner.node_modules.string()});
    if (!p.started) {
        t.node_missing = true;
        t.why = "cannot start node: " + p.error;
        return t;
    }
    if (p.exit_code != 0) {
        const std::string line = telling_line(p.err);
        t.why = fmt::format("{} failed on {} (exit {}){}", runner.script.string(), q.model.string(), p.exit_code,
                            line.empty() ? "" : ": " + line);
        return t;
    }
    const nlohmann::json j = nlohmann::json::parse(p.out, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("median") || !j["median"].is_number()) {
        t.why = fmt::format("{} printed no median for {}", runner.script.string(), q.model.string());
        return t;
    }
    t.median_s = j["median"].get<double>();
    return t;
}

}  // namespace tomoedge::evaluate
