// Incremental FBP (live/incremental_fbp.hpp) against the batch reconstruction of the same file
// (pipeline::reconstruct_file, what `tomoedge recon` runs): equal within 1e-5 of the range whatever
// the block size, the arrival order or when the flats come; missing and duplicate frames.
#include "io/hdf5.hpp"
#include "live/incremental_fbp.hpp"
#include "live/scan_frames.hpp"
#include "live_fixture.hpp"
#include "pipeline/reconstruct_file.hpp"
#include "support/error_message.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace tomoedge;
using tomoedge::testing::message_of;
using tomoedge::testing::TempDir;

namespace {

struct Frame {
    live::FrameHeader header;
    Tensor<float> pixels;  // rows x cols
};

std::vector<Frame> read_frames(const std::filesystem::path& file) {
    live::ScanFrames frames(file);
    std::vector<Frame> out;
    while (auto f = frames.next()) out.push_back({f->first, std::move(f->second)});
    return out;
}

Tensor<float> batch(const std::filesystem::path& scan, const std::filesystem::path& out, std::int64_t first = 0,
                    std::int64_t count = -1) {
    pipeline::ReconOptions o;
    o.row_first = first;
    o.row_count = count;
    pipeline::reconstruct_file(scan, io::DataPath{out, "recon", io::StackFormat::hdf5}, o);
    return io::Hdf5Reader(out).read("recon");
}

struct Feed {
    std::int64_t block = 32, first = 0, slices = 4;
    bool shuffle = false, references_last = false, announce = true;
    std::int64_t skip = -1;
};

// Feeds `frames` (rows first..first+slices of them) to an IncrementalFbp as `feed` says.
std::unique_ptr<live::IncrementalFbp> feed_frames(const std::vector<Frame>& frames, const Feed& feed) {
    live::IncrementalOptions o;
    o.slices = feed.slices;
    o.cols = frames.front().header.cols;
    o.block = feed.block;
    auto fbp = std::make_unique<live::IncrementalFbp>(o);
    std::vector<const Frame*> refs, projections;
    for (const auto& f : frames) (f.header.type == live::FrameType::projection ? projections : refs).push_back(&f);
    if (feed.shuffle) std::shuffle(projections.begin(), projections.end(), std::mt19937(42));
    std::vector<const Frame*> order;
    if (!feed.references_last) order = refs;
    order.insert(order.end(), projections.begin(), projections.end());
    if (feed.references_last) order.insert(order.end(), refs.begin(), refs.end());
    for (const Frame* f : order) {
        const auto& h = f->header;
        const float* rows = f->pixels.data() + feed.first * h.cols;
        if (feed.announce) fbp->announce(h.projections, h.darks, h.flats);
        if (h.type == live::FrameType::dark) fbp->add_dark(h.index, rows);
        if (h.type == live::FrameType::flat) fbp->add_flat(h.index, rows);
        if (h.type == live::FrameType::projection && h.index != feed.skip) fbp->add_projection(h.index, h.angle_deg, rows);
    }
    fbp->finish();
    return fbp;
}

// max |a - b| / (max(b) - min(b))
double relative_max_diff(const Tensor<float>& a, const Tensor<float>& b) {
    EXPECT_EQ(a.shape(), b.shape());
    double diff = 0;
    const auto [lo, hi] = std::minmax_element(b.begin(), b.end());
    EXPECT_GT(*hi - *lo, 0.01f);  // a real image, not two empty ones
    for (std::int64_t i = 0; i < a.size(); ++i) diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    return diff / static_cast<double>(*hi - *lo);
}

}  // namespace

TEST(LiveIncremental, EqualsBatchReconForEveryBlockSize) {
    TempDir dir;
    const auto scan = tomoedge::testing::write_scan(dir / "scan.h5");
    const Tensor<float> expected = batch(scan, dir / "batch.h5");
    const auto frames = read_frames(scan);
    for (std::int64_t block : {1, 7, 32, 64}) {
        Feed feed;
        feed.block = block;
        const auto fbp = feed_frames(frames, feed);
        EXPECT_TRUE(fbp->status().complete());
        EXPECT_LE(relative_max_diff(fbp->read_slices(), expected), 1e-5) << "block " << block;
    }
}

TEST(LiveIncremental, ChosenRowsEqualBatchRows) {
    TempDir dir;
    tomoedge::testing::ScanSpec spec;
    spec.rows = 6;
    const auto scan = tomoedge::testing::write_scan(dir / "scan.h5", spec);
    const Tensor<float> expected = batch(scan, dir / "batch.h5", 2, 3);
    Feed feed;
    feed.first = 2, feed.slices = 3;
    EXPECT_LE(relative_max_diff(feed_frames(read_frames(scan), feed)->read_slices(), expected), 1e-5);
}

TEST(LiveIncremental, OutOfOrderAndFlatsAfterProjectionsEqualBatch) {
    TempDir dir;
    const auto scan = tomoedge::testing::write_scan(dir / "scan.h5");
    const Tensor<float> expected = batch(scan, dir / "batch.h5");
    Feed feed;
    feed.shuffle = true, feed.references_last = true, feed.announce = false, feed.block = 5;
    const auto frames = read_frames(scan);
    // Not announced: the total comes from the end of scan (finish) = what arrived.
    const auto fbp = feed_frames(frames, feed);
    EXPECT_LE(relative_max_diff(fbp->read_slices(), expected), 1e-5);
    // Announced, shuffled, references first.
    feed.references_last = false, feed.announce = true;
    EXPECT_LE(relative_max_diff(feed_frames(frames, feed)->read_slices(), expected), 1e-5);
}

TEST(LiveIncremental, HoldsProjectionsUntilTheReferenceIsFixed) {
    TempDir dir;
    const auto frames = read_frames(tomoedge::testing::write_scan(dir / "scan.h5"));
    live::IncrementalOptions o;
    o.slices = 4, o.cols = 40;
    live::IncrementalFbp fbp(o);
    fbp.announce(48, 2, 3);
    // Projections first: held; then darks and flats: the reference closes at the announced counts.
    for (const auto& f : frames)
        if (f.header.type == live::FrameType::projection && f.header.index < 10)
            fbp.add_projection(f.header.index, f.header.angle_deg, f.pixels.data());
    EXPECT_EQ(fbp.status().held, 10);
    for (const auto& f : frames) {
        if (f.header.type == live::FrameType::dark) fbp.add_dark(f.header.index, f.pixels.data());
        if (f.header.type == live::FrameType::flat) fbp.add_flat(f.header.index, f.pixels.data());
    }
    const auto s = fbp.status();
    EXPECT_EQ(s.held, 0);
    EXPECT_EQ(s.pending, 10);
    // A new flat after the reference is fixed is ignored and counted; one sent again is a repeat.
    EXPECT_EQ(fbp.add_flat(9, frames[2].pixels.data()), live::Reference::late);
    EXPECT_EQ(fbp.add_flat(1, frames[3].pixels.data()), live::Reference::repeated);
    EXPECT_EQ(fbp.status().late_references, 1);
    EXPECT_EQ(fbp.status().repeated_references, 1);
}

TEST(LiveIncremental, PartialSlicesAreAvailableAtAnyTime) {
    TempDir dir;
    const auto frames = read_frames(tomoedge::testing::write_scan(dir / "scan.h5"));
    live::IncrementalOptions o;
    o.slices = 4, o.cols = 40;
    live::IncrementalFbp fbp(o);
    std::vector<float> slice(40 * 40);
    fbp.read_slice(0, slice.data());
    EXPECT_TRUE(std::all_of(slice.begin(), slice.end(), [](float v) { return v == 0; }));
    for (const auto& f : frames) {
        fbp.announce(f.header.projections, f.header.darks, f.header.flats);
        if (f.header.type == live::FrameType::dark) fbp.add_dark(f.header.index, f.pixels.data());
        if (f.header.type == live::FrameType::flat) fbp.add_flat(f.header.index, f.pixels.data());
        if (f.header.type == live::FrameType::projection && f.header.index < 20)
            fbp.add_projection(f.header.index, f.header.angle_deg, f.pixels.data());
    }
    fbp.flush();
    fbp.read_slice(0, slice.data());
    EXPECT_GT(*std::max_element(slice.begin(), slice.end()), 0.0f);
    EXPECT_EQ(fbp.status().backprojected, 20);
    EXPECT_FALSE(fbp.status().complete());
}

TEST(LiveIncremental, MissingFrameIsReported) {
    TempDir dir;
    const auto frames = read_frames(tomoedge::testing::write_scan(dir / "scan.h5"));
    Feed feed;
    feed.skip = 5;
    const auto s = feed_frames(frames, feed)->status();
    EXPECT_FALSE(s.complete());
    EXPECT_EQ(s.received, 47);
    EXPECT_EQ(s.expected, 48);
    EXPECT_EQ(s.missing, (std::vector<std::int64_t>{5}));
}

TEST(LiveIncremental, DuplicatesAreIgnoredAndIndicesBeyondTheScanRefused) {
    TempDir dir;
    const auto scan = tomoedge::testing::write_scan(dir / "scan.h5");
    const Tensor<float> expected = batch(scan, dir / "batch.h5");
    const auto frames = read_frames(scan);
    live::IncrementalOptions o;
    o.slices = 4, o.cols = 40;
    live::IncrementalFbp fbp(o);
    for (const auto& f : frames) {
        fbp.announce(f.header.projections, f.header.darks, f.header.flats);
        if (f.header.type == live::FrameType::dark) fbp.add_dark(f.header.index, f.pixels.data());
        if (f.header.type == live::FrameType::flat) fbp.add_flat(f.header.index, f.pixels.data());
        if (f.header.type == live::FrameType::projection) {
            EXPECT_TRUE(fbp.add_projection(f.header.index, f.header.angle_deg, f.pixels.data()));
            if (f.header.index == 3) {
                EXPECT_FALSE(fbp.add_projection(3, f.header.angle_deg, f.pixels.data()));
            }
        }
    }
    const std::string m = message_of([&] { fbp.add_projection(48, 0, frames.back().pixels.data()); });
    EXPECT_NE(m.find("index 48 is beyond the scan's 48 projections"), std::string::npos) << m;
    fbp.finish();
    EXPECT_EQ(fbp.status().duplicates, 1);
    EXPECT_TRUE(fbp.status().complete());
    EXPECT_LE(relative_max_diff(fbp.read_slices(), expected), 1e-5);
}

TEST(LiveIncremental, NoFlatFieldIsAnErrorAtFinish) {
    TempDir dir;
    const auto frames = read_frames(tomoedge::testing::write_scan(dir / "scan.h5"));
    live::IncrementalOptions o;
    o.slices = 4, o.cols = 40;
    o.source = "tcp://127.0.0.1:9";
    live::IncrementalFbp fbp(o);
    for (const auto& f : frames)
        if (f.header.type == live::FrameType::projection)
            fbp.add_projection(f.header.index, f.header.angle_deg, f.pixels.data());
    const std::string m = message_of([&] { fbp.finish(); });
    EXPECT_NE(m.find("tcp://127.0.0.1:9: cannot normalise"), std::string::npos) << m;
    EXPECT_NE(m.find("0 dark and 0 flat"), std::string::npos) << m;
}
