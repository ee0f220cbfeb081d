#pragma once
// Progress for long work (slices, iterations): a single self-overwriting line with rate and ETA
// on an interactive terminal; silent when stderr is not a terminal or CI is set, so logs and CI
// output stay clean.
#include <chrono>
#include <cstdint>
#include <string>

namespace tomoedge {

class Progress {
public:
    /// `label` e.g. "denoise", `unit` e.g. "slice"; `total` items expected (0 = unknown).
    Progress(std::string label, std::int64_t total, std::string unit = "it");
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// Marks `n` more items done; `note` is appended to the line (for example current losses).
    void advance(std::int64_t n = 1, const std::string& note = {});
    /// Ends the line (called by the destructor too).
    void finish();

    /// Whether progress lines are shown (a terminal, CI unset, TOMOEDGE_QUIET unset).
    static bool enabled();

private:
    std::string label_, unit_;
    std::int64_t total_, done_ = 0;
    bool active_, finished_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace tomoedge
