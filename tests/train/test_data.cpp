// Training data: normalisation, the 3-slice grouping (ends repeat their neighbour), patch
// positions and the 8 symmetries, determinism of the draws, and the prefetch thread.
#include "pipeline/training_files.hpp"
#include "core/statistics.hpp"
#include "io/hdf5.hpp"
#include "support/temp_dir.hpp"
#include "train/patches.hpp"
#include "train/prefetch.hpp"
#include "train_fixtures.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace tomoedge;
using namespace tomoedge::train;
using tomoedge::testing::TempDir;
using tomoedge::train_testing::coordinate_volume;
using tomoedge::train_testing::message_of;
using tomoedge::train_testing::view;

namespace {

VolumePair coordinate_pair(std::int64_t slices, std::int64_t height, std::int64_t width) {
    VolumePair p;
    p.noisy = coordinate_volume(slices, height, width);
    p.clean = coordinate_volume(slices, height, width);
    for (auto& v : p.clean) v = -v;  // tell target from input
    return p;
}

// The symmetry as torch would apply it: flip left-right first, then quarter turns (rot90).
torch::Tensor apply_symmetry(const torch::Tensor& t, int transform) {
    torch::Tensor r = (transform & 4) ? torch::flip(t, {-1}) : t;
    return torch::rot90(r, transform & 3, {-2, -1});
}

}  // namespace

TEST(SliceGroup, EndsRepeatTheirNeighbour) {
    EXPECT_EQ(slice_group(0, 5, 3), (std::vector<std::int64_t>{1, 0, 1}));
    EXPECT_EQ(slice_group(2, 5, 3), (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(slice_group(4, 5, 3), (std::vector<std::int64_t>{3, 4, 3}));
    EXPECT_EQ(slice_group(0, 1, 3), (std::vector<std::int64_t>{0, 0, 0}));  // one image, three times
    EXPECT_EQ(slice_group(3, 5, 1), (std::vector<std::int64_t>{3}));
    EXPECT_EQ(slice_group(0, 5, 5), (std::vector<std::int64_t>{2, 1, 0, 1, 2}));
    EXPECT_NE(message_of([] { slice_group(5, 5, 3); }).find("out of range"), std::string::npos);
    EXPECT_NE(message_of([] { slice_group(-1, 5, 3); }).find("out of range"), std::string::npos);
}

TEST(RobustRange, IsThePercentilesOfTheVolume) {
    const Tensor<float> v = coordinate_volume(3, 10, 10);
    const auto [low, high] = robust_range(v, 1, 99, "v");
    EXPECT_DOUBLE_EQ(low, percentile(v.span(), 1));
    EXPECT_DOUBLE_EQ(high, percentile(v.span(), 99));
    Tensor<float> flat(Shape{2, 4, 4}, 7.0f);
    EXPECT_NE(message_of([&] { robust_range(flat, 1, 99, "flat.h5:train_ns"); }).find("flat.h5:train_ns"),
              std::string::npos);
}

TEST(ReadVolumePair, MapsBothVolumesWithTheNoisyPercentiles) {
    TempDir dir;
    const auto file = dir / "d.h5";
    const Tensor<float> noisy = coordinate_volume(3, 8, 8);
    Tensor<float> clean = coordinate_volume(3, 8, 8);
    for (auto& v : clean) v = 2 * v + 5;
    {
        io::Hdf5Writer w(file);
        w.write("train_ns", noisy);
        w.write("train_gt", clean);
        w.write("odd", Tensor<float>(Shape{3, 8, 9}, 1.0f));
        w.commit();
    }
    const VolumePair p = pipeline::read_volume_pair(file, "train_ns", "train_gt", model::Normalisation{0, 100});
    EXPECT_DOUBLE_EQ(p.low, 0.0);
    EXPECT_DOUBLE_EQ(p.high, 20707.0);  // 10000 * 2 + 100 * 7 + 7
    for (std::int64_t i = 0; i < noisy.size(); i += 37) {
        EXPECT_NEAR(p.noisy[i], noisy[i] / 20707.0, 1e-6);
        EXPECT_NEAR(p.clean[i], clean[i] / 20707.0, 1e-6);
    }
    EXPECT_NE(message_of([&] { pipeline::read_volume_pair(file, "train_ns", "odd", {0, 100}); }).find("differs"),
              std::string::npos);
    const std::string missing = message_of([&] { pipeline::read_volume_pair(file, "test_ns", "test_gt", {0, 100}); });
    EXPECT_NE(missing.find("d.h5"), std::string::npos);
    EXPECT_NE(missing.find("test_ns"), std::string::npos);
}

TEST(PatchSampler, PatchIsTheWindowThroughEachSymmetry) {
    const VolumePair data = coordinate_pair(5, 20, 24);
    PatchOptions o;
    o.patch = 8;
    o.batch = 1;
    const PatchSampler sampler(data, o);
    const torch::Tensor noisy = view(data.noisy), clean = view(data.clean);
    using torch::indexing::Slice;
    for (std::int64_t z : {0, 2, 4}) {
        for (int t = 0; t < transform_count; ++t) {
            SCOPED_TRACE(::testing::Message() << "slice " << z << " transform " << t);
            const PatchDraw d{z, 3, 11, t};
            const Batch b = sampler.patch(d);
            ASSERT_EQ(b.input.sizes(), (std::vector<std::int64_t>{3, 8, 8}));
            ASSERT_EQ(b.target.sizes(), (std::vector<std::int64_t>{1, 8, 8}));
            const auto group = slice_group(z, 5, 3);
            for (int c = 0; c < 3; ++c) {
                const torch::Tensor window = noisy.index({group[std::size_t(c)], Slice(3, 11), Slice(11, 19)});
                EXPECT_TRUE(torch::equal(b.input[c], apply_symmetry(window, t)));
            }
            const torch::Tensor target = clean.index({z, Slice(3, 11), Slice(11, 19)});
            EXPECT_TRUE(torch::equal(b.target[0], apply_symmetry(target, t)));
        }
    }
    // At the ends the missing neighbour is the existing neighbour (mirrored, as in denoise).
    const Batch first = sampler.patch({0, 0, 0, 0});
    EXPECT_TRUE(torch::equal(first.input[0], first.input[2]));
    EXPECT_EQ(first.input[2][0][0].item<float>(), 10000.0f);  // slice 1
    const Batch last = sampler.patch({4, 0, 0, 0});
    EXPECT_TRUE(torch::equal(last.input[0], last.input[2]));
    EXPECT_EQ(last.input[0][0][0].item<float>(), 30000.0f);  // slice 3
    EXPECT_NE(message_of([&] { sampler.patch({0, 13, 0, 0}); }).find("outside"), std::string::npos);
}

TEST(PatchSampler, BatchesAreDeterministicPerIndexAndCoverTheVolume) {
    const VolumePair data = coordinate_pair(4, 16, 16);
    PatchOptions o;
    o.patch = 8;
    o.batch = 3;
    o.seed = 42;
    const PatchSampler sampler(data, o);
    const Batch a = sampler.batch(7);
    EXPECT_EQ(a.input.sizes(), (std::vector<std::int64_t>{3, 3, 8, 8}));
    EXPECT_EQ(a.target.sizes(), (std::vector<std::int64_t>{3, 1, 8, 8}));
    const Batch again = sampler.batch(7);
    EXPECT_TRUE(torch::equal(a.input, again.input));
    EXPECT_TRUE(torch::equal(a.target, again.target));
    EXPECT_FALSE(torch::equal(a.input, sampler.batch(8).input));

    std::set<std::int64_t> slices, tops, lefts;
    std::set<int> transforms;
    for (std::int64_t i = 0; i < 200; ++i)
        for (const auto& d : sampler.draws(i)) {
            slices.insert(d.slice);
            tops.insert(d.top);
            lefts.insert(d.left);
            transforms.insert(d.transform);
        }
    EXPECT_EQ(slices.size(), 4u);      // every slice, ends included
    EXPECT_EQ(tops.size(), 9u);        // 0 .. 16 - 8
    EXPECT_EQ(lefts.size(), 9u);
    EXPECT_EQ(transforms.size(), 8u);  // all symmetries

    o.augment = false;
    const PatchSampler plain(data, o);
    for (std::int64_t i = 0; i < 20; ++i)
        for (const auto& d : plain.draws(i)) EXPECT_EQ(d.transform, 0);
    o.augment = true;
    o.seed = 43;
    EXPECT_FALSE(torch::equal(a.input, PatchSampler(data, o).batch(7).input));
}

TEST(PatchSampler, RejectsPatchesThatDoNotFit) {
    const VolumePair data = coordinate_pair(2, 16, 24);
    PatchOptions o;
    o.patch = 12;
    EXPECT_NE(message_of([&] { PatchSampler(data, o); }).find("multiple of 8"), std::string::npos);
    o.patch = 24;
    EXPECT_NE(message_of([&] { PatchSampler(data, o); }).find("does not fit"), std::string::npos);
    o.patch = 16;
    o.batch = 0;
    EXPECT_NE(message_of([&] { PatchSampler(data, o); }).find("--batch"), std::string::npos);
}

TEST(Prefetcher, DeliversTheSamplersBatchesInOrder) {
    const VolumePair data = coordinate_pair(3, 16, 16);
    PatchOptions o;
    o.patch = 8;
    o.batch = 2;
    o.seed = 5;
    const PatchSampler sampler(data, o);
    Prefetcher prefetch(sampler, 10, 2);
    for (std::int64_t i = 10; i < 20; ++i) {
        const Batch b = prefetch.next();
        const Batch expected = sampler.batch(i);
        EXPECT_TRUE(torch::equal(b.input, expected.input)) << i;
        EXPECT_TRUE(torch::equal(b.target, expected.target)) << i;
    }
}

TEST(CorpusSampler, MixesItsSetsPatchByPatchAndRepeatsByIndex) {
    // Two sets of different sizes, told apart by their values (set 0 is >= 0, set 1 is < -1000).
    std::vector<VolumePair> sets;
    sets.push_back(coordinate_pair(3, 16, 16));
    sets.push_back(coordinate_pair(4, 24, 20));
    for (auto& v : sets[1].noisy) v = -2000 - v;
    PatchOptions o;
    o.patch = 8;
    o.batch = 6;
    o.seed = 3;
    const CorpusSampler corpus(sets, o);
    std::set<std::size_t> seen;
    for (std::int64_t index = 0; index < 12; ++index) {
        const auto from = corpus.sources(index);
        ASSERT_EQ(from.size(), 6u);
        const Batch b = corpus.batch(index);
        ASSERT_EQ(b.input.sizes(), (std::vector<std::int64_t>{6, 3, 8, 8}));
        for (std::size_t k = 0; k < from.size(); ++k) {
            seen.insert(from[k]);
            const float first = b.input[static_cast<std::int64_t>(k)][0][0][0].item<float>();
            EXPECT_EQ(first < -1000, from[k] == 1) << "batch " << index << ", patch " << k;
        }
        EXPECT_TRUE(torch::equal(b.input, corpus.batch(index).input));  // a pure function of the index
    }
    EXPECT_EQ(seen, (std::set<std::size_t>{0, 1}));

    // One set: exactly the batches of PatchSampler (a one-file run is what it was before corpora).
    std::vector<VolumePair> one;
    one.push_back(coordinate_pair(3, 16, 16));
    const PatchSampler plain(one.front(), o);
    EXPECT_TRUE(torch::equal(CorpusSampler(one, o).batch(5).input, plain.batch(5).input));

    o.patch = 24;  // fits the second set's height but not the first set's slices
    EXPECT_NE(message_of([&] { CorpusSampler(sets, o); }).find("set 1 of 2"), std::string::npos);
    EXPECT_NE(message_of([&] { CorpusSampler({}, o); }).find("no volume pairs"), std::string::npos);
}
