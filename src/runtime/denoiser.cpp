#include "runtime/denoiser.hpp"

#include "core/checks.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/statistics.hpp"
#include "core/timer.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::runtime {

std::int64_t neighbour_slice(std::int64_t index, std::int64_t offset, std::int64_t count) {
    std::int64_t i = index + offset;
    if (i < 0) i = -i;
    if (i >= count) i = 2 * (count - 1) - i;
    return std::clamp<std::int64_t>(i, 0, count - 1);
}

std::int64_t round_up(std::int64_t size, std::int64_t multiple) { return (size + multiple - 1) / multiple * multiple; }

Tensor<float> pad_edge(const Tensor<float>& x, std::int64_t height, std::int64_t width) {
    const std::int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
    if (height < h || width < w) fail("pad_edge: cannot pad {} to {} x {}", x.shape().str(), height, width);
    Tensor<float> y(Shape{x.dim(0), x.dim(1), height, width});
    for (std::int64_t p = 0; p < planes; ++p) {
        const float* in = x.data() + p * h * w;
        float* out = y.data() + p * height * width;
        for (std::int64_t r = 0; r < height; ++r) {
            const float* row = in + std::min(r, h - 1) * w;
            float* orow = out + r * width;
            std::copy(row, row + w, orow);
            std::fill(orow + w, orow + width, row[w - 1]);
        }
    }
    return y;
}

Tensor<float> crop(const Tensor<float>& x, std::int64_t height, std::int64_t width) {
    const std::int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
    if (height > h || width > w) fail("crop: cannot crop {} to {} x {}", x.shape().str(), height, width);
    Tensor<float> y(Shape{x.dim(0), x.dim(1), height, width});
    for (std::int64_t p = 0; p < planes; ++p)
        for (std::int64_t r = 0; r < height; ++r)
            std::copy_n(x.data() + (p * h + r) * w, width, y.data() + (p * height + r) * width);
    return y;
}

Tensor<float> WholeImageRunner::run(const Tensor<float>& input) {
    const std::int64_t h = input.dim(2), w = input.dim(3);
    const std::int64_t H = round_up(h, multiple_[0]), W = round_up(w, multiple_[1]);
    if (H == h && W == w) return backend_.run(input);
    Tensor<float> out = backend_.run(pad_edge(input, H, W));
    return crop(out, h, w);
}

void ImageRunner::run_planes(const PlaneInput& in, float* out) {
    const std::int64_t channels = static_cast<std::int64_t>(in.planes.size()), pixels = in.height * in.width;
    Tensor<float> x(Shape{1, channels, in.height, in.width});
    for (std::int64_t c = 0; c < channels; ++c) {
        const float* src = in.planes[static_cast<std::size_t>(c)];
        float* dst = x.outer(0) + c * pixels;
        for (std::int64_t i = 0; i < pixels; ++i) dst[i] = static_cast<float>((src[i] - in.low) / in.scale);
    }
    const Tensor<float> y = run(x);
    for (std::int64_t i = 0; i < pixels; ++i) out[i] = static_cast<float>(y[i] * in.scale + in.low);
}

std::vector<RowBand> ImageRunner::row_bands(std::int64_t, std::int64_t) { return {}; }

void ImageRunner::run_band(const PlaneInput&, const RowBand& band, float*) {
    fail("denoise: this runner works on whole images only, not on band {}..{}", band.out_begin, band.out_end);
}

namespace {

// The subsample both volume_window()s take: at most 64 slices evenly spread, every stride-th pixel
// (~4 M pixels in all), read in blocks of ~4 MiB of rows. `rows_of(index, row, rows)` gives rows
// [row, row + rows) of slice `index`, valid until its next call.
template <typename RowsOf>
ValueWindow sampled_window(const Shape& s, const model::Normalisation& norm, RowsOf&& rows_of) {
    const std::int64_t n = s[0], width = s[2], pixels = s[1] * s[2];
    if (n == 0 || pixels == 0) fail("normalisation window: the volume {} is empty", s.str());
    const std::int64_t slices = std::min<std::int64_t>(n, 64);
    const std::int64_t budget = std::max<std::int64_t>(1, (std::int64_t{4} << 20) / slices);
    const std::int64_t stride = std::max<std::int64_t>(1, pixels / budget);
    std::vector<float> sample;
    sample.reserve(static_cast<std::size_t>(slices * (pixels / stride + 1)));
    for (std::int64_t k = 0; k < slices; ++k) {
        const std::int64_t index = slices == 1 ? 0 : k * (n - 1) / (slices - 1);
        // A prime-ish stride offset per slice keeps the subsample from aliasing with the rows.
        const std::int64_t offset = (k * 7) % stride;
        // Read in blocks of ~4 MiB of rows: a 4096 x 4096 slice is never whole in memory.
        const std::int64_t block = std::max<std::int64_t>(1, (std::int64_t{1} << 20) / std::max<std::int64_t>(1, width));
        for (std::int64_t row = 0; row < s[1]; row += block) {
            const std::int64_t rows = std::min(block, s[1] - row), begin = row * width, end = begin + rows * width;
            const float* part = rows_of(index, row, rows);
            for (std::int64_t i = begin <= offset ? offset : offset + (begin - offset + stride - 1) / stride * stride;
                 i < end; i += stride)
                sample.push_back(part[i - begin]);
        }
    }
    auto [low, high] = percentile_range(sample, norm.low_percentile, norm.high_percentile);
    if (!(high > low)) high = low + 1.0;  // a flat volume: keep the mapping invertible
    return {low, high};
}

}  // namespace

ValueWindow volume_window(SliceSource& volume, const model::Normalisation& norm) {
    Tensor<float> part;
    return sampled_window(volume.shape(), norm, [&](std::int64_t index, std::int64_t row, std::int64_t rows) {
        part = volume.read_rows(index, 1, row, rows);
        return part.data();
    });
}

ValueWindow volume_window(const VolumeView& volume, const model::Normalisation& norm) {
    return sampled_window(volume.shape(), norm, [&](std::int64_t index, std::int64_t row, std::int64_t) {
        return volume.slice(index) + row * volume.width;
    });
}

Denoiser::Denoiser(const model::Graph& graph, const BackendOptions& options) {
    info_ = model::read_model_info(graph);
    depth_ = model::effective_input_depth(graph);
    multiple_ = model::spatial_multiple(graph);
    const Shape nominal{1, graph.input_channels, multiple_[0] * 4, multiple_[1] * 4};
    const Shape out = model::infer_shapes(graph, nominal).at(graph.output);
    if (out[2] != nominal[2] || out[3] != nominal[3])
        fail("model '{}': output {} is not the input's size {} x {}; denoise needs an image-to-image network",
             graph.name, out.str(), nominal[2], nominal[3]);
    output_channels_ = out[1];
    if (output_channels_ != 1)
        fail("model '{}': has {} output channels; denoise needs one (use `tomoedge run` for raw tensors)", graph.name,
             output_channels_);
    backend_ = make_backend(graph, options);
    runner_ = std::make_unique<WholeImageRunner>(*backend_, multiple_);
}

void Denoiser::set_runner(const RunnerFactory& factory) { runner_ = factory(*backend_, multiple_); }

Tensor<float> Denoiser::denoise_group(const Tensor<float>& group, const ValueWindow& window) {
    if (group.rank() != 3 || group.dim(0) != depth_)
        fail("denoise: expected {} grouped slices, got shape {}", depth_, group.shape().str());
    PlaneInput in;
    for (std::int64_t c = 0; c < depth_; ++c) in.planes.push_back(group.outer(c));
    in.height = group.dim(1);
    in.width = group.dim(2);
    Tensor<float> out(Shape{1, group.dim(1), group.dim(2)});
    run_planes(in, window, out.data());
    return out;
}

void Denoiser::run_planes(PlaneInput& in, const ValueWindow& window, float* out) {
    in.low = window.low;
    in.scale = window.high - window.low;
    Stopwatch watch;
    runner_->run_planes(in, out);
    network_seconds_ += watch.seconds();
}

PlaneInput Denoiser::group_planes(std::int64_t index, std::int64_t n, const float* first, std::int64_t lo,
                                  std::int64_t stride, std::int64_t height, std::int64_t width) const {
    const std::int64_t radius = depth_ / 2;
    PlaneInput in;
    in.height = height;
    in.width = width;
    // The group's channels point into the slices as held: no (depth, H, W) copy.
    for (std::int64_t c = 0; c < depth_; ++c) in.planes.push_back(first + (neighbour_slice(index, c - radius, n) - lo) * stride);
    return in;
}

ValueWindow Denoiser::window_for(const VolumeView& volume) const {
    return info_.normalisation ? volume_window(volume, *info_.normalisation) : ValueWindow{};
}

void Denoiser::denoise(const VolumeView& volume, const ValueWindow& window, float* out) {
    require_finite(volume.span(), "denoise: input volume");
    const std::int64_t n = volume.slices, pixels = volume.slice_size();
    for (std::int64_t i = 0; i < n; ++i) {
        PlaneInput in = group_planes(i, n, volume.data, 0, pixels, volume.height, volume.width);
        run_planes(in, window, out + i * pixels);
    }
}

Tensor<float> Denoiser::denoise(const VolumeView& volume) {
    Tensor<float> out(volume.shape());
    denoise(volume, window_for(volume), out.data());
    return out;
}

DenoiseReport Denoiser::denoise(SliceSource& input, SliceSink& output, std::int64_t slab) {
    Stopwatch total;
    network_seconds_ = 0;
    const Shape shape = input.shape();
    const std::int64_t n = shape[0], h = shape[1], w = shape[2];
    DenoiseReport report;
    report.slices = n;
    report.height = h;
    report.width = w;
    report.input_depth = depth_;
    report.backend = backend_->name();
    if (info_.normalisation) {
        report.window = volume_window(input, *info_.normalisation);
        report.normalised = true;
    }
    const std::vector<RowBand> bands = runner_->row_bands(h, w);
    if (bands.empty()) denoise_slabs(input, output, slab, report.window);
    else denoise_bands(input, output, bands, report.window);
    report.network_seconds = network_seconds_;
    report.seconds = total.seconds();
    return report;
}

std::pair<std::int64_t, std::int64_t> Denoiser::slices_needed(std::int64_t first, std::int64_t count,
                                                              std::int64_t n) const {
    const std::int64_t radius = depth_ / 2;
    std::int64_t lo = n, hi = -1;
    for (std::int64_t i = first; i < first + count; ++i)
        for (std::int64_t o = -radius; o < depth_ - radius; ++o) {
            const std::int64_t s = neighbour_slice(i, o, n);
            lo = std::min(lo, s);
            hi = std::max(hi, s);
        }
    return {lo, hi};
}

void Denoiser::denoise_slabs(SliceSource& reader, SliceSink& writer, std::int64_t slab_slices,
                             const ValueWindow& window) {
    const Shape shape = reader.shape();
    const std::int64_t n = shape[0], h = shape[1], w = shape[2];
    // Big slices stream one at a time: a slab of 8 at 4096 x 4096 would hold ~640 MB of input.
    const std::int64_t slab_cap = std::max<std::int64_t>(1, (std::int64_t{16} << 20) / std::max<std::int64_t>(1, h * w));
    const std::int64_t slab = std::clamp<std::int64_t>(slab_slices, 1, slab_cap);
    Progress progress("denoise", n, "slice");
    for (std::int64_t first = 0; first < n; first += slab) {
        const std::int64_t count = std::min(slab, n - first);
        // Every input slice this slab's groups need, read as one contiguous range.
        const auto [lo, hi] = slices_needed(first, count, n);
        Tensor<float> slices = reader.read(lo, hi - lo + 1);
        Tensor<float> result(Shape{count, h, w});
        for (std::int64_t i = first; i < first + count; ++i) {
            PlaneInput in = group_planes(i, n, slices.data(), lo, slices.outer_stride(), h, w);
            run_planes(in, window, result.outer(i - first));
            progress.advance(1);
        }
        writer.write(first, result);
    }
    progress.finish();
}

void Denoiser::denoise_bands(SliceSource& reader, SliceSink& writer, const std::vector<RowBand>& bands,
                             const ValueWindow& window) {
    const Shape shape = reader.shape();
    const std::int64_t n = shape[0], h = shape[1], w = shape[2];
    Progress progress("denoise", n, "slice");
    for (std::int64_t i = 0; i < n; ++i) {
        const auto [lo, hi] = slices_needed(i, 1, n);
        for (const RowBand& band : bands) {
            // The band's input rows of every slice the group needs; its output rows go out at once.
            const Tensor<float> rows = reader.read_rows(lo, hi - lo + 1, band.in_begin, band.in_end - band.in_begin);
            PlaneInput in = group_planes(i, n, rows.data(), lo, rows.outer_stride(), h, w);
            in.first_row = band.in_begin;
            in.low = window.low;
            in.scale = window.high - window.low;
            Tensor<float> out(Shape{1, band.out_end - band.out_begin, w});
            Stopwatch watch;
            runner_->run_band(in, band, out.data());
            network_seconds_ += watch.seconds();
            writer.write_rows(i, band.out_begin, out);
        }
        progress.advance(1);
    }
    progress.finish();
}

}  // namespace tomoedge::runtime
