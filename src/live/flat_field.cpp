#include "live/flat_field.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace tomoedge::live {
namespace {

bool store(std::map<std::int64_t, std::vector<float>>& frames, std::int64_t index, const float* pixels,
           std::int64_t n) {
    if (frames.count(index)) return false;
    frames.emplace(index, std::vector<float>(pixels, pixels + n));
    return true;
}

// The frames in index order as one (frames, rows, cols) tensor: recon::frame_mean's input.
Tensor<float> stack(const std::map<std::int64_t, std::vector<float>>& frames, std::int64_t rows, std::int64_t cols) {
    Tensor<float> t(Shape{static_cast<std::int64_t>(frames.size()), rows, cols});
    std::int64_t f = 0;
    for (const auto& [index, pixels] : frames) std::copy(pixels.begin(), pixels.end(), t.outer(f++));
    return t;
}

}  // namespace

FlatField::FlatField(std::int64_t rows, std::int64_t cols, float floor) : rows_(rows), cols_(cols), floor_(floor) {}

bool FlatField::add_dark(std::int64_t index, const float* pixels) {
    return store(darks_, index, pixels, rows_ * cols_);
}

bool FlatField::add_flat(std::int64_t index, const float* pixels) {
    return store(flats_, index, pixels, rows_ * cols_);
}

void FlatField::fix(const std::string& source) {
    if (fixed_) return;
    if (darks_.empty() || flats_.empty())
        fail("{}: cannot normalise the projections: {} dark and {} flat frame(s) arrived (need at least one of each)",
             source, darks_.size(), flats_.size());
    dark_ = recon::frame_mean(stack(darks_, rows_, cols_));
    white_ = recon::frame_mean(stack(flats_, rows_, cols_));
    for (const auto& [index, pixels] : darks_) used_darks_.insert(index);
    for (const auto& [index, pixels] : flats_) used_flats_.insert(index);
    dark_count_ = static_cast<std::int64_t>(darks_.size());
    flat_count_ = static_cast<std::int64_t>(flats_.size());
    darks_.clear();
    flats_.clear();
    fixed_ = true;
}

void FlatField::normalise(const float* p, float* out, std::int64_t out_stride, recon::NormaliseStats& stats) const {
    if (!fixed_) fail("live: normalisation before the flat and dark fields were fixed");
    std::int64_t clamped = 0, bad_flat = 0;
    for (std::int64_t r = 0; r < rows_; ++r) {
        float* dst = out + r * out_stride;
        for (std::int64_t c = 0; c < cols_; ++c) {
            const auto i = static_cast<std::size_t>(r * cols_ + c);
            dst[c] = recon::line_integral(p[i], white_[i], dark_[i], floor_, clamped, bad_flat);
        }
    }
    stats.values += rows_ * cols_;
    stats.clamped += clamped;
    stats.bad_flat += bad_flat;
}

}  // namespace tomoedge::live
