#include "core/progress.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace tomoedge {

bool Progress::enabled() {
    static const bool on = isatty(STDERR_FILENO) != 0 && std::getenv("CI") == nullptr &&
                           std::getenv("TOMOEDGE_QUIET") == nullptr;
    return on;
}

Progress::Progress(std::string label, std::int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), active_(enabled()),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::advance(std::int64_t n, const std::string& note) {
    done_ += n;
    if (!active_) return;
    const auto now = std::chrono::steady_clock::now();
    // Redraw at most 10 times a second, and always on the last item.
    if (now - last_draw_ < std::chrono::milliseconds(100) && done_ != total_) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
    std::string line = fmt::format("\r{}: {}", label_, done_);
    if (total_ > 0) line += fmt::format("/{} {} ({:.0f}%)", total_, unit_, 100.0 * done_ / total_);
    else line += " " + unit_;
    line += fmt::format("  {:.2f} {}/s", rate, unit_);
    if (total_ > 0 && rate > 0) line += fmt::format("  ETA {:.0f} s", (total_ - done_) / rate);
    if (!note.empty()) line += "  " + note;
    std::fprintf(stderr, "%s\033[K", line.c_str());
    std::fflush(stderr);
}

void Progress::finish() {
    if (finished_) return;
    finished_ = true;
    if (active_ && done_ > 0) std::fprintf(stderr, "\n");
}

}  // namespace tomoedge
