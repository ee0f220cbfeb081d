// Arena placement of a plan's activations and the plan's execution loop.
#include "core/error.hpp"
#include "core/tensor.hpp"
#include "core/timer.hpp"
#include "runtime/onednn/plan.hpp"

#include <algorithm>
#include <numeric>

namespace tomoedge::runtime::onednn {

std::vector<std::size_t> place_intervals(const std::vector<Interval>& buffers, std::size_t alignment,
                                         std::size_t& total) {
    const auto round_up = [alignment](std::size_t n) { return (n + alignment - 1) / alignment * alignment; };
    std::vector<std::size_t> order(buffers.size());
    std::iota(order.begin(), order.end(), 0);
    // Largest first: big buffers claim the low offsets, small ones fill the gaps around them.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return buffers[a].bytes > buffers[b].bytes; });
    std::vector<std::size_t> offsets(buffers.size(), 0);
    std::vector<std::size_t> placed;
    total = 0;
    for (std::size_t i : order) {
        const Interval& b = buffers[i];
        const std::size_t size = round_up(std::max<std::size_t>(b.bytes, 1));
        // Regions of placed buffers alive at the same time, by offset.
        std::vector<std::pair<std::size_t, std::size_t>> busy;
        for (std::size_t j : placed) {
            const Interval& p = buffers[j];
            if (p.first <= b.last && b.first <= p.last) busy.emplace_back(offsets[j], offsets[j] + round_up(p.bytes));
        }
        std::sort(busy.begin(), busy.end());
        std::size_t offset = 0;
        for (const auto& [begin, end] : busy) {
            if (offset + size <= begin) break;  // fits in the gap before this region
            offset = std::max(offset, end);
        }
        offsets[i] = offset;
        total = std::max(total, offset + size);
        placed.push_back(i);
    }
    return offsets;
}

void Plan::place_memory(dnnl::engine& engine, PlanStats& stats, std::size_t scratchpad_bytes) {
    // Lifetimes from the steps that touch each tensor.
    for (int s = 0; s < static_cast<int>(steps_.size()); ++s)
        for (const auto& [arg, t] : steps_[static_cast<std::size_t>(s)].args) {
            TensorInfo& info = tensors_[static_cast<std::size_t>(t)];
            if (info.first_step < 0) info.first_step = s;
            info.last_step = std::max(info.last_step, s);
        }
    // A view keeps the tensor it lies in alive for its own steps too.
    for (const TensorInfo& view : tensors_) {
        if (view.storage != Storage::view || view.first_step < 0) continue;
        TensorInfo& base = tensors_[static_cast<std::size_t>(view.view_of)];
        base.first_step = base.first_step < 0 ? view.first_step : std::min(base.first_step, view.first_step);
        base.last_step = std::max(base.last_step, view.last_step);
    }
    std::vector<int> arena_tensors;
    std::vector<Interval> intervals;
    for (int t = 0; t < static_cast<int>(tensors_.size()); ++t) {
        const TensorInfo& info = tensors_[static_cast<std::size_t>(t)];
        if (info.storage != Storage::arena || info.first_step < 0) continue;
        arena_tensors.push_back(t);
        intervals.push_back({info.md.get_size(), info.first_step, info.last_step});
    }
    std::size_t total = 0;
    const std::vector<std::size_t> offsets = place_intervals(intervals, 64, total);
    arena_bytes_ = total;
    stats.arena_bytes = static_cast<std::int64_t>(total);
    for (std::size_t i = 0; i < arena_tensors.size(); ++i) {
        TensorInfo& info = tensors_[static_cast<std::size_t>(arena_tensors[i])];
        info.offset = offsets[i];
        info.memory = dnnl::memory(info.md, engine, nullptr);  // pointed into the arena by bind()
    }
    for (TensorInfo& info : tensors_)
        if (info.storage == Storage::view || info.storage == Storage::input || info.storage == Storage::output)
            info.memory = dnnl::memory(info.md, engine, nullptr);  // views: bind(); input/output: per run

    // One scratchpad shared by all primitives (they run one after another).
    scratchpad_bytes_ = scratchpad_bytes;
    if (scratchpad_bytes > 0)
        scratchpad_ = dnnl::memory(dnnl::memory::desc({static_cast<dnnl::memory::dim>(scratchpad_bytes)},
                                                      dnnl::memory::data_type::u8, dnnl::memory::format_tag::x),
                                   engine, nullptr);
    stats.scratchpad_bytes = static_cast<std::int64_t>(scratchpad_bytes);

    // dnnl::memory is a shared handle: the copies bound here follow set_data_handle() in bind().
    for (Step& step : steps_) {
        for (const auto& [arg, t] : step.args) step.bound[arg] = tensors_[static_cast<std::size_t>(t)].memory;
        if (step.primitive && scratchpad_bytes > 0) step.bound[DNNL_ARG_SCRATCHPAD] = scratchpad_;
    }
}

bool SharedBlock::reserve(std::size_t bytes) {
    if (bytes <= size_) return false;
    block_.reset();  // free first: the old contents are not needed, and the peak stays one block
    block_ = {static_cast<std::byte*>(detail::aligned_alloc_bytes(bytes)), [](void* p) { std::free(p); }};
    size_ = bytes;
    return true;
}

void Plan::bind(PlanMemory& memory, PlanStats& stats) {
    if (memory.arena.reserve(arena_bytes_)) ++stats.allocations;
    if (memory.scratchpad.reserve(scratchpad_bytes_)) ++stats.allocations;
    stats.shared_bytes = static_cast<std::int64_t>(memory.arena.size() + memory.scratchpad.size());
    if (bound_ && bound_arena_ == memory.arena.data() && bound_scratchpad_ == memory.scratchpad.data()) return;
    std::byte* arena = memory.arena.data();
    for (TensorInfo& info : tensors_)
        if (info.storage == Storage::arena && info.first_step >= 0) info.memory.set_data_handle(arena + info.offset);
    for (TensorInfo& info : tensors_)
        if (info.storage == Storage::view) {
            const TensorInfo& base = tensors_[static_cast<std::size_t>(info.view_of)];
            info.memory.set_data_handle(arena + base.offset + info.offset);
        }
    if (scratchpad_bytes_ > 0) scratchpad_.set_data_handle(memory.scratchpad.data());
    bound_arena_ = memory.arena.data();
    bound_scratchpad_ = memory.scratchpad.data();
    bound_ = true;
}

void Plan::execute(dnnl::stream& stream, const void* input, void* output, std::vector<StepTime>* profile,
                   bool integer_io) {
    if (integer_io && !int8_) fail("onednn backend: stored-integer input and output need an int8 plan");
    if (!bound_) fail("onednn backend: plan run before its memory was bound");
    integer_io_ = integer_io;
    // oneDNN never writes a source; the cast only satisfies its handle type.
    tensors_[static_cast<std::size_t>(input_tensor_)].memory.set_data_handle(const_cast<void*>(input));
    tensors_[static_cast<std::size_t>(output_tensor_)].memory.set_data_handle(output);
    if (profile && profile->size() != steps_.size()) {
        profile->assign(steps_.size(), {});
        for (std::size_t i = 0; i < steps_.size(); ++i)
            (*profile)[i] = {steps_[i].node, steps_[i].what, steps_[i].impl, 0.0, steps_[i].macs, 0};
    }
    for (std::size_t i = 0; i < steps_.size(); ++i) {
        Step& step = steps_[i];
        Stopwatch watch;
        if (step.primitive) {
            step.primitive.execute(stream, step.bound);
        } else {
            stream.wait();  // host steps read what the primitives before them wrote
            step.host();
        }
        if (profile) {
            stream.wait();
            (*profile)[i].seconds += watch.seconds();
            ++(*profile)[i].runs;
        }
    }
    stream.wait();
}

}  // namespace tomoedge::runtime::onednn
