#pragma once
// Wall-clock timing and the summary statistics benchmarks report (median of repeats).
#include <chrono>
#include <vector>

namespace tomoedge {

class Stopwatch {
public:
    Stopwatch() : start_(std::chrono::steady_clock::now()) {}
    void restart() { start_ = std::chrono::steady_clock::now(); }
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_;
};

struct TimingSummary {
    double median = 0, min = 0, max = 0, mean = 0;
    int runs = 0;
};

/// Median, min, max and mean of the samples (empty input gives zeros).
TimingSummary summarize(std::vector<double> samples);

/// Peak resident set size of this process so far, in bytes (VmHWM).
long long peak_rss_bytes();

}  // namespace tomoedge
