#pragma once
// Denoising a volume, streaming slab by slab (or band by band) from a SliceSource to a SliceSink:
//
//   read slab -> group adjacent slices as channels -> normalise (robust percentile range from the
//   model's metadata) -> ImageRunner (pad to the network's multiple, backend, crop) ->
//   denormalise -> write in the input's units and dtype
//
// ImageRunner is the seam for the tiling module: a tiled runner replaces the whole-image one and
// nothing else changes. Files are the pipeline layer's business (pipeline/denoise_file.hpp opens
// them as io stacks, which are SliceSources and SliceSinks); a volume in memory runs the same way
// (denoise(VolumeView, ...): the Python module), with the same window and the same results.
#include "core/slice_stream.hpp"
#include "core/volume_view.hpp"
#include "model/graph.hpp"
#include "model/model_info.hpp"
#include "runtime/backend.hpp"

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace tomoedge::runtime {

/// The slice that stands at `index + offset` in a volume of `count` slices: beyond an end the
/// volume is mirrored (slice -1 is slice 1: the end slice repeats its neighbour), then clamped
/// (a single image is repeated).
std::int64_t neighbour_slice(std::int64_t index, std::int64_t offset, std::int64_t count);

/// Pads (N, C, h, w) to (N, C, H, W) by repeating the last row and column (H >= h, W >= w).
Tensor<float> pad_edge(const Tensor<float>& x, std::int64_t height, std::int64_t width);
/// The top-left (N, C, h, w) of x.
Tensor<float> crop(const Tensor<float>& x, std::int64_t height, std::int64_t width);

/// Smallest multiple of `multiple` that is >= `size`.
std::int64_t round_up(std::int64_t size, std::int64_t multiple);

/// One network input (1, C, H, W) given as C planes of raw values and the map to the network's
/// range, x' = (x - low) / scale (output: y * scale + low), so a runner can read any window of it
/// without a full-size normalised copy (a tiled runner then needs only input and output in memory).
/// For a band (ImageRunner::run_band) the planes hold only the band's input rows.
struct PlaneInput {
    std::vector<const float*> planes;  // C planes: rows [first_row, ...) of height x width images
    std::int64_t height = 0, width = 0;  // the whole image
    std::int64_t first_row = 0;          // the image row the planes start at
    double low = 0, scale = 1;
};

/// A horizontal band a runner can produce by itself: output rows [out_begin, out_end) from input
/// rows [in_begin, in_end) (the tiled runner: one row of tiles and their halo).
struct RowBand {
    std::int64_t in_begin = 0, in_end = 0, out_begin = 0, out_end = 0;
    bool operator==(const RowBand&) const = default;
};

/// Runs the network on a normalised (N, C, H, W) input of any H x W; returns (N, C_out, H, W).
class ImageRunner {
public:
    virtual ~ImageRunner() = default;
    virtual Tensor<float> run(const Tensor<float>& input) = 0;
    /// Normalises `input`, runs, and writes the first output channel mapped back to raw values into
    /// `out` (height x width). This default builds the whole normalised input and calls run().
    virtual void run_planes(const PlaneInput& input, float* out);
    /// The bands, top to bottom, that make up a height x width image when this runner can work
    /// band by band, so a caller streams a big slice through memory a band at a time; empty (the
    /// default) when it needs whole images.
    virtual std::vector<RowBand> row_bands(std::int64_t height, std::int64_t width);
    /// Band `band` (one of row_bands()) as run_planes does the whole image: `input` holds the band's
    /// input rows (input.first_row == band.in_begin), `out` receives its output rows (raw values,
    /// (out_end - out_begin) x width). Throws Error for a runner without bands or a foreign band.
    virtual void run_band(const PlaneInput& input, const RowBand& band, float* out);
};

/// The whole image at once: pad to the network's multiple (edge replication), run, crop.
class WholeImageRunner final : public ImageRunner {
public:
    WholeImageRunner(Backend& backend, std::array<std::int64_t, 2> multiple) : backend_(backend), multiple_(multiple) {}
    Tensor<float> run(const Tensor<float>& input) override;

private:
    Backend& backend_;
    std::array<std::int64_t, 2> multiple_;
};

/// Pixel value range mapped to [0, 1] before the network and back after it.
struct ValueWindow {
    double low = 0, high = 1;
};

/// The window for `norm` from the volume: its percentiles over a subsample (at most 64 slices
/// evenly spread, at most ~4 M pixels in all). A flat volume gets a width of 1.
ValueWindow volume_window(SliceSource& volume, const model::Normalisation& norm);
/// The same window from a volume in memory, read in place: the same subsample, so the same result
/// as a file of the same pixels.
ValueWindow volume_window(const VolumeView& volume, const model::Normalisation& norm);

struct DenoiseReport {
    std::int64_t slices = 0, height = 0, width = 0;
    int input_depth = 0;
    ValueWindow window;
    bool normalised = false;
    double seconds = 0;          // wall time of the whole denoise
    double network_seconds = 0;  // time inside ImageRunner::run
    std::string backend;
};

class Denoiser {
public:
    Denoiser(const model::Graph& graph, const BackendOptions& options);

    /// Replaces the whole-image runner (the tiling module's hook). The factory receives this
    /// denoiser's backend and the network's spatial multiple.
    using RunnerFactory = std::function<std::unique_ptr<ImageRunner>(Backend&, std::array<std::int64_t, 2>)>;
    void set_runner(const RunnerFactory& factory);

    /// Denoises `input` into `output` (both (N, H, W)), `slab` output slices per read and write. Slabs
    /// hold at most ~16 M output pixels (one slice when slices are larger), so big slices stream. A
    /// runner with row bands (tiles) streams each slice band by band instead: the input rows a band
    /// needs are read, its output rows written, so memory holds a band, never a slice.
    DenoiseReport denoise(SliceSource& input, SliceSink& output, std::int64_t slab = 8);

    /// The window denoise() maps to [0, 1] for this volume: volume_window() when the model names a
    /// normalisation, else the identity [0, 1].
    ValueWindow window_for(const VolumeView& volume) const;
    /// Denoises a volume in memory into `out` (volume.size() floats, (N, H, W)) as denoise(path)
    /// does a stack: each slice from its adjacent slices, with `window`, through the current
    /// runner (whole image or tiles). Reads the volume in place (no copy). Throws Error for NaN/Inf
    /// pixels, as the readers do.
    void denoise(const VolumeView& volume, const ValueWindow& window, float* out);
    /// The same into a new (N, H, W) tensor, with window_for(volume).
    Tensor<float> denoise(const VolumeView& volume);

    /// One output slice from `depth` raw slices (depth, H, W) already grouped: normalise with
    /// `window`, run, denormalise. Returns (H, W) as (1, H, W).
    Tensor<float> denoise_group(const Tensor<float>& group, const ValueWindow& window);

    int input_depth() const { return depth_; }
    const std::optional<model::Normalisation>& normalisation() const { return info_.normalisation; }
    Backend& backend() { return *backend_; }

private:
    void run_planes(PlaneInput& in, const ValueWindow& window, float* out);
    /// The input of output slice `index` of `n`: its depth_ neighbours, slice s at
    /// first + (s - lo) * stride (slices [lo, ...) held contiguously, as read).
    PlaneInput group_planes(std::int64_t index, std::int64_t n, const float* first, std::int64_t lo,
                            std::int64_t stride, std::int64_t height, std::int64_t width) const;
    void denoise_slabs(SliceSource& reader, SliceSink& writer, std::int64_t slab, const ValueWindow& window);
    void denoise_bands(SliceSource& reader, SliceSink& writer, const std::vector<RowBand>& bands,
                       const ValueWindow& window);
    /// [lo, hi]: the input slices that output slices [first, first + count) group.
    std::pair<std::int64_t, std::int64_t> slices_needed(std::int64_t first, std::int64_t count, std::int64_t n) const;

    model::ModelInfo info_;
    int depth_ = 1;
    std::int64_t output_channels_ = 1;
    std::array<std::int64_t, 2> multiple_{1, 1};
    std::unique_ptr<Backend> backend_;
    std::unique_ptr<ImageRunner> runner_;
    double network_seconds_ = 0;
};

}  // namespace tomoedge::runtime
