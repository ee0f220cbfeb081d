#pragma once
// An execution plan of the oneDNN backend for one input shape: every primitive created, every
// weight reordered into the layout its convolution chose, every activation placed in one arena
// whose regions are reused by tensors with disjoint lifetimes. Built once per shape; running it
// allocates nothing. The arena and scratchpad memory belong to the backend (PlanMemory), shared by
// all its plans: a backend runs one plan at a time, so a tiled run over four window shapes holds the
// largest plan's arena, not the sum of four.
//
// Layouts: activations take the layout oneDNN picks (format_tag::any). On AVX-512 that is NHWC
// for the brgemm convolutions (with AMX for bf16), which are the fastest kernels of oneDNN 2.6
// here. Reorders appear only where a consumer wants another layout than its producer wrote:
// in practice only at the graph's input and output.
//
// int8 (QDQ models, lowered first by int8::lower_qdq): activations are u8/s8 NHWC, convolutions
// run u8/s8 x s8 with requantization fused; MaxPool is oneDNN's; the graph's input and output
// conversions and Resize run as host steps (onednn/int8_host.hpp); see lowering_int8.cpp.
//
// Concat: oneDNN 2.6's fast kernels refuse strided (sub-memory) NHWC destinations (they fall
// back to `ref:any`, ~500x slower), so a producer cannot write into a slice of an NHWC concat
// buffer. Instead a Concat whose only consumers are convolutions is folded away: a convolution
// over concat(a, b) runs as conv(a, W[:, :Ca]) + conv(b, W[:, Ca:]), the second with a sum
// post-op accumulating into the first one's output. No concat buffer and no copy exist. A
// Concat with any other consumer runs as a oneDNN concat primitive.
#include "core/shape.hpp"
#include "model/graph.hpp"
#include "runtime/backend.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tomoedge::runtime::onednn {

/// Where a tensor's bytes live.
enum class Storage {
    arena,   // a region of the plan's arena (activations)
    input,   // the caller's input tensor, bound at each run
    output,  // the caller's output tensor, bound at each run
    owned,   // a persistent buffer of its own (reordered weights and biases)
    view,    // a channel slice of another arena tensor (int8 concat parts); host steps only
};

struct TensorInfo {
    std::string name;  // the graph tensor it holds (or what it is derived from)
    dnnl::memory::desc md;
    Storage storage = Storage::arena;
    int first_step = -1;  // first step that writes or reads it
    int last_step = -1;   // last step that reads it
    std::size_t offset = 0;  // arena offset (Storage::arena); byte offset in `view_of` (Storage::view)
    int view_of = -1;        // the tensor a view lies in (Storage::view)
    dnnl::memory memory;     // created once the arena is placed
};

struct Step {
    std::string node;   // graph node name
    std::string what;   // e.g. "Conv 3x3 64->32 +relu"
    std::string impl;   // oneDNN implementation ("brgconv:avx512_core", "host")
    dnnl::primitive primitive;                   // empty for host steps
    std::vector<std::pair<int, int>> args;       // DNNL_ARG_* -> tensor index
    std::function<void()> host;                  // a step oneDNN does not offer natively
    std::unordered_map<int, dnnl::memory> bound; // args resolved to memories
    std::int64_t macs = 0;                       // for the profile's GFLOP/s
};

/// Counters tests and `bench` read to check planning behaviour.
struct PlanStats {
    int plans_built = 0;            // plans created so far (one per distinct input shape)
    std::int64_t allocations = 0;   // large buffers allocated: arenas, scratchpads, weights
    std::int64_t arena_bytes = 0;   // arena size of the most recent plan
    std::int64_t weight_bytes = 0;  // reordered weights and biases of the most recent plan
    std::int64_t scratchpad_bytes = 0;
    std::int64_t shared_bytes = 0;  // the backend's shared arena + scratchpad blocks (largest plan's needs)
};

/// A 64-byte aligned block that only grows.
class SharedBlock {
public:
    /// Makes the block at least `bytes` long (moving it: contents are not kept); returns whether it grew.
    bool reserve(std::size_t bytes);
    std::byte* data() const { return block_.get(); }
    std::size_t size() const { return size_; }

private:
    std::unique_ptr<std::byte, void (*)(void*)> block_{nullptr, nullptr};
    std::size_t size_ = 0;
};

/// The memory the plans of one backend share: activations (arena) and oneDNN scratchpad.
struct PlanMemory {
    SharedBlock arena, scratchpad;
};

struct StepTime {
    std::string node, what, impl;
    double seconds = 0;  // summed over profiled runs
    std::int64_t macs = 0;
    int runs = 0;
};

class Plan {
public:
    /// Lowers `graph` (validated) for `input_shape` in `precision` (fp32 or bf16).
    Plan(const model::Graph& graph, const Shape& input_shape, Precision precision, dnnl::engine& engine,
         PlanStats& stats);
    /// Lowers the integer program of the QDQ graph `graph` for `input_shape` (int8).
    Plan(const model::Graph& graph, const int8::Int8Graph& program, const Shape& input_shape, dnnl::engine& engine,
         PlanStats& stats);

    const Shape& output_shape() const { return output_shape_; }

    /// Runs the plan; `input` and `output` are NCHW float32 of the planned shapes, or, with
    /// `integer_io` (int8 plans: "mobile-compatible" mode), NCHW int32 holding the stored integers
    /// of the quantized input and output. When `profile` is given, each step is timed (with a
    /// stream wait after it) and added there.
    void execute(dnnl::stream& stream, const void* input, void* output, std::vector<StepTime>* profile,
                 bool integer_io = false);

    bool is_int8() const { return int8_; }

    /// Points the plan's activations and scratchpad into `memory`, grown first to this plan's needs
    /// (counted in `stats`). Cheap when nothing moved; call it before every execute(), since another
    /// plan sharing `memory` may have grown (moved) it. execute() fails on a plan never bound.
    void bind(PlanMemory& memory, PlanStats& stats);
    std::size_t arena_bytes() const { return arena_bytes_; }

    /// The bytes of a tensor for host steps: the base of its memory (offset0 is always 0 here).
    std::byte* data_of(int t) const {
        return static_cast<std::byte*>(tensors_[static_cast<std::size_t>(t)].memory.get_data_handle());
    }
    const TensorInfo& tensor_info(int t) const { return tensors_[static_cast<std::size_t>(t)]; }
    bool integer_io() const { return integer_io_; }

private:
    friend class Lowering;
    friend class Int8Lowering;
    bool int8_ = false;
    bool integer_io_ = false;  // of the current execute() call
    std::vector<TensorInfo> tensors_;
    std::vector<Step> steps_;
    int input_tensor_ = -1, output_tensor_ = -1;
    Shape output_shape_;
    std::size_t arena_bytes_ = 0, scratchpad_bytes_ = 0;
    const std::byte* bound_arena_ = nullptr;  // where the tensors point now
    const std::byte* bound_scratchpad_ = nullptr;
    bool bound_ = false;
    dnnl::memory scratchpad_;

    /// Places activations at arena offsets (memory comes later, from bind()).
    void place_memory(dnnl::engine& engine, PlanStats& stats, std::size_t scratchpad_bytes);
};

/// Greedy placement of buffers with lifetimes [first, last] (steps, inclusive) into one arena:
/// largest first, each at the lowest offset that overlaps no placed buffer alive at the same
/// time. Returns the offsets (aligned to `alignment`) and sets `total` to the arena size.
struct Interval {
    std::size_t bytes = 0;
    int first = 0, last = 0;
};
std::vector<std::size_t> place_intervals(const std::vector<Interval>& buffers, std::size_t alignment,
                                         std::size_t& total);

}  // namespace tomoedge::runtime::onednn
