#pragma once
// `tomoedge denoise`: volume in, volume out, streaming slab by slab.
//
//   read slab -> group adjacent slices as channels -> normalise (robust percentile range from the
//   model's metadata) -> ImageRunner (pad to the network's multiple, backend, crop) ->
//   denormalise -> write in the input's units and dtype
//
// ImageRunner is the seam for the tiling module: a tiled runner replaces the whole-image one and
// nothing else changes.
#include "io/data_path.hpp"
#include "io/stack.hpp"
#include "model/graph.hpp"
#include "model/model_info.hpp"
#include "runtime/backend.hpp"

#include <array>
#include <functional>
#include <memory>
#include <optional>
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
struct PlaneInput {
    std::vector<const float*> planes;  // C planes of height x width
    std::int64_t height = 0, width = 0;
    double low = 0, scale = 1;
};

/// Runs the network on a normalised (N, C, H, W) input of any H x W; returns (N, C_out, H, W).
class ImageRunner {
public:
    virtual ~ImageRunner() = default;
    virtual Tensor<float> run(const Tensor<float>& input) = 0;
    /// Normalises `input`, runs, and writes the first output channel mapped back to raw values into
    /// `out` (height x width). This default builds the whole normalised input and calls run().
    virtual void run_planes(const PlaneInput& input, float* out);
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
ValueWindow volume_window(io::StackReader& reader, const model::Normalisation& norm);

struct DenoiseOptions {
    BackendOptions backend;
    std::optional<DType> dtype;   // output type; default: the input's
    std::int64_t slab = 8;        // output slices per read/write
    int deflate_level = 0;
};

struct DenoiseReport {
    std::int64_t slices = 0, height = 0, width = 0;
    int input_depth = 0;
    ValueWindow window;
    bool normalised = false;
    double seconds = 0;          // wall time of the whole command
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

    /// Denoises `input` into `output` (both (N, H, W) stacks: HDF5 dataset or TIFF). Slabs hold at
    /// most ~16 M output pixels (one slice when slices are larger), so big slices stream.
    DenoiseReport denoise(const io::DataPath& input, const io::DataPath& output, const DenoiseOptions& options);

    /// One output slice from `depth` raw slices (depth, H, W) already grouped: normalise with
    /// `window`, run, denormalise. Returns (H, W) as (1, H, W).
    Tensor<float> denoise_group(const Tensor<float>& group, const ValueWindow& window);

    int input_depth() const { return depth_; }
    const std::optional<model::Normalisation>& normalisation() const { return info_.normalisation; }
    Backend& backend() { return *backend_; }

private:
    void run_planes(PlaneInput& in, const ValueWindow& window, float* out);

    model::ModelInfo info_;
    int depth_ = 1;
    std::int64_t output_channels_ = 1;
    std::array<std::int64_t, 2> multiple_{1, 1};
    std::unique_ptr<Backend> backend_;
    std::unique_ptr<ImageRunner> runner_;
    double network_seconds_ = 0;
};

}  // namespace tomoedge::runtime
