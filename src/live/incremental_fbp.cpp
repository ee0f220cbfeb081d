#include "live/incremental_fbp.hpp"

#include "core/error.hpp"
#include "recon/backproject.hpp"
#include "recon/projector.hpp"

#include <algorithm>
#include <numbers>

namespace tomoedge::live {

IncrementalFbp::IncrementalFbp(const IncrementalOptions& o)
    : options_(o),
      centre_(o.centre < 0 ? recon::default_centre(o.cols, o.convention) : o.centre),
      flat_(o.slices, o.cols, o.floor) {
    if (o.slices < 1 || o.cols < 2) fail("{}: live reconstruction needs >= 1 slice and >= 2 columns", o.source);
    if (o.block < 1) fail("{}: block size must be >= 1, got {}", o.source, o.block);
    if (!(centre_ >= 0 && centre_ <= static_cast<double>(o.cols - 1)))
        fail("{}: rotation centre {} is outside the detector columns 0..{}", o.source, centre_, o.cols - 1);
    filter_ = std::make_unique<recon::RampFilter>(o.cols, o.window);
    block_ = Tensor<float>(Shape{o.slices, o.block, o.cols});
    sums_ = Tensor<float>(Shape{o.slices, o.cols, o.cols}, 0.0f);
    scratch_ = Tensor<float>(Shape{o.cols, o.cols});
}

IncrementalFbp::~IncrementalFbp() = default;

void IncrementalFbp::announce(std::int64_t projections, std::int64_t darks, std::int64_t flats) {
    const auto set = [&](std::int64_t value, std::int64_t& slot, const char* what) {
        if (value < 0 || value == slot) return;
        if (slot >= 0) fail("{}: the scan was announced with {} {} and now with {}", options_.source, slot, what, value);
        slot = value;
    };
    set(projections, expected_, "projections");
    set(darks, expected_darks_, "darks");
    set(flats, expected_flats_, "flats");
    if (expected_ >= 0 && static_cast<std::int64_t>(seen_.size()) > expected_)
        fail("{}: the scan has {} projections but index {} already arrived", options_.source, expected_,
             static_cast<std::int64_t>(seen_.size()) - 1);
    try_fix_reference(false);
}

Reference IncrementalFbp::add_dark(std::int64_t index, const float* rows) {
    if (flat_.fixed()) {
        ++(flat_.used_dark(index) ? repeated_references_ : late_references_);
        return flat_.used_dark(index) ? Reference::repeated : Reference::late;
    }
    flat_.add_dark(index, rows);  // a duplicate before the fix: the first copy is kept
    try_fix_reference(false);
    return Reference::used;
}

Reference IncrementalFbp::add_flat(std::int64_t index, const float* rows) {
    if (flat_.fixed()) {
        ++(flat_.used_flat(index) ? repeated_references_ : late_references_);
        return flat_.used_flat(index) ? Reference::repeated : Reference::late;
    }
    flat_.add_flat(index, rows);
    try_fix_reference(false);
    return Reference::used;
}

bool IncrementalFbp::add_projection(std::int64_t index, double angle_deg, const float* rows) {
    if (index < 0) fail("{}: projection index {} is negative", options_.source, index);
    if (expected_ >= 0 && index >= expected_)
        fail("{}: projection index {} is beyond the scan's {} projections", options_.source, index, expected_);
    if (static_cast<std::int64_t>(seen_.size()) <= index) seen_.resize(static_cast<std::size_t>(index + 1), false);
    if (seen_[static_cast<std::size_t>(index)]) {
        ++duplicates_;
        return false;
    }
    seen_[static_cast<std::size_t>(index)] = true;
    ++received_;
    // Without announced counts, the first projection after a dark and a flat closes the reference.
    if (!flat_.fixed() && expected_darks_ < 0 && expected_flats_ < 0 && flat_.darks() > 0 && flat_.flats() > 0)
        try_fix_reference(true);
    if (!flat_.fixed()) {
        held_.push_back({angle_deg, std::vector<float>(rows, rows + options_.slices * options_.cols)});
        return true;
    }
    process(angle_deg, rows);
    return true;
}

void IncrementalFbp::try_fix_reference(bool force) {
    if (flat_.fixed()) return;
    const bool announced = expected_darks_ >= 0 || expected_flats_ >= 0;
    const bool all_in = announced && (expected_darks_ < 0 || flat_.darks() >= expected_darks_) &&
                        (expected_flats_ < 0 || flat_.flats() >= expected_flats_) && flat_.darks() > 0 &&
                        flat_.flats() > 0;
    if (!force && !all_in) return;
    flat_.fix(options_.source);
    std::vector<Held> held = std::move(held_);
    held_.clear();
    for (const Held& h : held) process(h.angle_deg, h.rows.data());
}

void IncrementalFbp::process(double angle_deg, const float* rows) {
    const std::int64_t slot = static_cast<std::int64_t>(block_theta_.size());
    const std::int64_t stride = options_.block * options_.cols;  // between slices in block_
    float* first = block_.data() + slot * options_.cols;
    flat_.normalise(rows, first, stride, stats_);
    // Rows are independent: filter chunks of them in parallel when there are many (whole volume).
    constexpr std::int64_t kChunk = 16;
    const std::int64_t n = options_.slices;
#pragma omp parallel for schedule(dynamic, 1) if (n > kChunk)
    for (std::int64_t r = 0; r < n; r += kChunk) filter_->apply(first + r * stride, std::min(kChunk, n - r), stride);
    // recon::Fbp converts theta the same way (degrees as float, then to_radians).
    const float deg = static_cast<float>(angle_deg);
    block_theta_.push_back(recon::to_radians(std::span<const float>(&deg, 1))[0]);
    if (static_cast<std::int64_t>(block_theta_.size()) == options_.block) flush();
}

void IncrementalFbp::flush() {
    if (block_theta_.empty()) return;
    const std::int64_t size = options_.cols, pixels = size * size;
    recon::Backprojector backprojector(block_theta_, options_.cols, size, centre_, false,
                                       recon::image_axis(size, options_.convention));
    for (std::int64_t s = 0; s < options_.slices; ++s) {
        backprojector.run(block_.outer(s), 1.0f, scratch_.data());
        float* sum = sums_.outer(s);
        const float* add = scratch_.data();
#pragma omp parallel for schedule(static)
        for (std::int64_t i = 0; i < pixels; ++i) sum[i] += add[i];
    }
    backprojected_ += static_cast<std::int64_t>(block_theta_.size());
    block_theta_.clear();
}

void IncrementalFbp::finish() {
    try_fix_reference(true);
    flush();
}

void IncrementalFbp::read_slice(std::int64_t s, float* out) const {
    if (s < 0 || s >= options_.slices) fail("{}: slice {} of {} does not exist", options_.source, s, options_.slices);
    const std::int64_t total = expected_ >= 0 ? expected_ : received_;
    const std::int64_t pixels = options_.cols * options_.cols;
    const float* sum = sums_.outer(s);
    if (total <= 0) {
        std::fill(out, out + pixels, 0.0f);
        return;
    }
    // The weight recon::Fbp gives its backprojection: pi / angles, as float.
    const auto weight = static_cast<float>(std::numbers::pi / static_cast<double>(total));
    for (std::int64_t i = 0; i < pixels; ++i) out[i] = weight * sum[i];
}

Tensor<float> IncrementalFbp::read_slices() const {
    Tensor<float> out(Shape{options_.slices, options_.cols, options_.cols});
    for (std::int64_t s = 0; s < options_.slices; ++s) read_slice(s, out.outer(s));
    return out;
}

ScanStatus IncrementalFbp::status() const {
    ScanStatus st;
    st.received = received_;
    st.backprojected = backprojected_;
    st.pending = static_cast<std::int64_t>(block_theta_.size());
    st.held = static_cast<std::int64_t>(held_.size());
    st.duplicates = duplicates_;
    st.late_references = late_references_;
    st.repeated_references = repeated_references_;
    st.darks = flat_.darks();
    st.flats = flat_.flats();
    st.expected = expected_;
    const std::int64_t upper = expected_ >= 0 ? expected_ : static_cast<std::int64_t>(seen_.size());
    for (std::int64_t i = 0; i < upper; ++i)
        if (i >= static_cast<std::int64_t>(seen_.size()) || !seen_[static_cast<std::size_t>(i)]) st.missing.push_back(i);
    return st;
}

}  // namespace tomoedge::live
