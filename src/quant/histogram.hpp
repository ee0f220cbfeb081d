#pragma once
// A one-pass histogram of an activation tensor over many calibration images: fixed bin count
// over a symmetric range [-R, R] that doubles (merging bin pairs) whenever a value falls
// outside, so nothing is stored but the counts. R is a power of two; the exact min and max are
// kept beside it (min/max calibration needs no binning).
#include <cstdint>
#include <span>
#include <vector>

namespace tomoedge::quant {

class Histogram {
public:
    /// `bins` must be a positive multiple of 4 (doubling merges pairs around the centre).
    explicit Histogram(int bins = 4096);

    void add(std::span<const float> values);
    /// Adds `count` copies of `value` (tests and synthetic distributions).
    void add(float value, std::uint64_t count);

    std::uint64_t count() const { return total_; }
    double min() const { return min_; }
    double max() const { return max_; }
    double half_range() const { return half_range_; }  // R
    double bin_width() const { return 2 * half_range_ / static_cast<double>(counts_.size()); }
    double bin_lower(std::size_t i) const { return -half_range_ + static_cast<double>(i) * bin_width(); }
    double bin_centre(std::size_t i) const { return bin_lower(i) + 0.5 * bin_width(); }
    const std::vector<std::uint64_t>& counts() const { return counts_; }

    /// The value below which a fraction q (0..1) of the samples lie, interpolating linearly
    /// inside the bin and clamped to [min, max].
    double quantile(double q) const;

private:
    void grow_to(double magnitude);
    std::size_t bin_of(double v) const;

    std::vector<std::uint64_t> counts_;
    double half_range_ = 0;
    double min_ = 0, max_ = 0;
    std::uint64_t total_ = 0;
};

}  // namespace tomoedge::quant
