// The oneDNN backend on TomoGAN: fp32 and bf16 against the reference backend, plan reuse.
#include "core/error.hpp"
#include "model/tomogan.hpp"
#include "onednn_test_util.hpp"
#include "runtime/onednn_backend.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::testing;

namespace {

// bf16 keeps 8 significant bits: each rounding (weights, every activation) has relative error
// <= 2^-9 ~ 2e-3. Through TomoGAN's 18 convolutions the errors add up roughly as a random walk;
// the measured relative L2 distance from fp32 is ~4e-3 to 6e-3 (random weights). The bound we
// hold the backend to, with headroom:
constexpr double bf16_tolerance = 2e-2;

const model::Graph& tomogan() {
    static const model::Graph g = model::build_tomogan();
    return g;
}

}  // namespace

TEST(OnednnTomoGan, Fp32MatchesReferenceAtSeveralSizes) {
    // H and W must be multiples of 8 (three 2x2 poolings); sizes not square, not powers of 2.
    for (const Shape& s : {Shape{1, 3, 32, 32}, Shape{1, 3, 40, 56}, Shape{1, 3, 72, 24}, Shape{2, 3, 16, 8}}) {
        const double err = onednn_vs_reference(tomogan(), random_tensor(s, 1, 0.0f, 1.0f));
        EXPECT_LT(err, 1e-4) << s.str();
    }
}

TEST(OnednnTomoGan, Bf16WithinStatedBound) {
    for (const Shape& s : {Shape{1, 3, 32, 32}, Shape{1, 3, 48, 40}}) {
        const double err =
            onednn_vs_reference(tomogan(), random_tensor(s, 2, 0.0f, 1.0f), runtime::Precision::bf16);
        RecordProperty("bf16_relative_l2_" + std::to_string(s[2]) + "x" + std::to_string(s[3]), std::to_string(err));
        EXPECT_LT(err, bf16_tolerance) << s.str();
        EXPECT_GT(err, 0.0) << "bf16 should round somewhere";  // it really ran in bf16
    }
}

TEST(OnednnTomoGan, SizeNotOnThePoolingGridIsAnError) {
    auto backend = runtime::make_backend(tomogan(), options("onednn"));
    EXPECT_THROW(backend->run(random_tensor(Shape{1, 3, 37, 61}, 3)), Error);
}

TEST(OnednnTomoGan, RepeatedRunsReusePlanAndAllocateNothing) {
    for (const auto precision : {runtime::Precision::fp32, runtime::Precision::bf16}) {
        runtime::OnednnBackend backend(tomogan(), options("onednn", precision));
        const Tensor<float> x = random_tensor(Shape{1, 3, 64, 48}, 4, 0.0f, 1.0f);
        const Tensor<float> first = backend.run(x);
        const runtime::onednn::PlanStats after_first = backend.stats();
        EXPECT_EQ(after_first.plans_built, 1);
        EXPECT_GT(after_first.allocations, 0);
        EXPECT_GT(after_first.arena_bytes, 0);
        for (int i = 0; i < 3; ++i) {
            const Tensor<float> again = backend.run(x);
            ASSERT_EQ(again.shape(), first.shape());
            EXPECT_EQ(std::memcmp(again.data(), first.data(), sizeof(float) * static_cast<std::size_t>(first.size())), 0);
        }
        EXPECT_EQ(backend.stats().plans_built, 1);
        EXPECT_EQ(backend.stats().allocations, after_first.allocations);
    }
}

TEST(OnednnTomoGan, ArenaReusesMemoryAcrossLayers) {
    runtime::OnednnBackend backend(tomogan(), options("onednn"));
    const Shape s{1, 3, 64, 64};
    backend.run(random_tensor(s, 5, 0.0f, 1.0f));
    // Sum of every activation TomoGAN produces (fp32) vs the arena: liveness must share space.
    const auto shapes = model::infer_shapes(tomogan(), s);
    std::int64_t all = 0;
    for (const auto& [name, shape] : shapes) all += shape.numel() * 4;
    EXPECT_LT(backend.stats().arena_bytes, all / 2);
}

TEST(OnednnTomoGan, ShapeChangeReplans) {
    runtime::OnednnBackend backend(tomogan(), options("onednn"));
    auto reference = runtime::make_backend(tomogan(), options("reference"));
    for (const Shape& s : {Shape{1, 3, 32, 32}, Shape{1, 3, 24, 40}, Shape{1, 3, 32, 32}}) {
        const Tensor<float> x = random_tensor(s, 6, 0.0f, 1.0f);
        EXPECT_LT(relative_l2(backend.run(x), reference->run(x)), 1e-4) << s.str();
    }
    EXPECT_EQ(backend.stats().plans_built, 2);  // the third run reuses the first plan
}

TEST(OnednnTomoGan, PlansShareOneArenaThatGrowsAndRebinds) {
    runtime::OnednnBackend backend(tomogan(), options("onednn"));
    auto reference = runtime::make_backend(tomogan(), options("reference"));
    // Small, larger (the shared arena grows and moves), small again (its plan must follow the move),
    // larger again (nothing new to allocate).
    const std::vector<Shape> shapes{Shape{1, 3, 24, 40}, Shape{1, 3, 64, 64}, Shape{1, 3, 24, 40}, Shape{1, 3, 64, 64}};
    std::int64_t max_arena = 0, max_scratchpad = 0, sum = 0, allocations_after_growth = 0;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Tensor<float> x = random_tensor(shapes[i], 7 + static_cast<int>(i), 0.0f, 1.0f);
        EXPECT_LT(relative_l2(backend.run(x), reference->run(x)), 1e-4) << shapes[i].str() << " run " << i;
        if (i < 2) {  // a new plan: its own needs are in the stats
            max_arena = std::max(max_arena, backend.stats().arena_bytes);
            max_scratchpad = std::max(max_scratchpad, backend.stats().scratchpad_bytes);
            sum += backend.stats().arena_bytes + backend.stats().scratchpad_bytes;
        }
        if (i == 1) allocations_after_growth = backend.stats().allocations;
    }
    EXPECT_EQ(backend.stats().plans_built, 2);
    EXPECT_EQ(backend.stats().allocations, allocations_after_growth);
    // One block of each kind, as large as the largest plan needs: the maximum, not the sum.
    EXPECT_EQ(backend.stats().shared_bytes, max_arena + max_scratchpad);
    EXPECT_LT(backend.stats().shared_bytes, sum);
}
