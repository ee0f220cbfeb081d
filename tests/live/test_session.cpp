// The live session (live/session.hpp) on frames from memory: a wrong-shape frame is refused and
// the scan still completes; a sender that goes quiet and a stop request both leave a valid file
// marked incomplete; previews appear.
#include "io/hdf5.hpp"
#include "live/session.hpp"
#include "live_fixture.hpp"
#include "pipeline/reconstruct_file.hpp"
#include "support/error_message.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <thread>

using namespace tomoedge;
using tomoedge::testing::message_of;
using tomoedge::testing::TempDir;

namespace {

live::LiveOptions options_for(const TempDir& dir, std::vector<std::string>& warnings) {
    live::LiveOptions o;
    o.output = io::DataPath{dir / "live.h5", "recon", io::StackFormat::hdf5};
    o.timeout = std::chrono::milliseconds(300);
    o.warn = [&warnings](const std::string& m) { warnings.push_back(m); };
    return o;
}

nlohmann::json live_attribute(const std::filesystem::path& file) {
    const auto text = io::Hdf5Reader(file).string_attribute("recon", "tomoedge.live");
    EXPECT_TRUE(text.has_value());
    return nlohmann::json::parse(text.value_or("{}"));
}

}  // namespace

TEST(LiveSession, WrongShapeFrameIsRefusedAndTheScanCompletes) {
    TempDir dir;
    const Projections scan = tomoedge::testing::make_scan();
    auto frames = tomoedge::testing::frames_of(scan);
    tomoedge::testing::OwnedFrame bad = frames[10];  // a projection (2 darks, 3 flats first)
    bad.header.rows += 1;
    bad.pixels.resize(bad.pixels.size() + 2 * 40);
    frames.insert(frames.begin() + 10, bad);
    tomoedge::testing::VectorSource source(std::move(frames));
    std::vector<std::string> warnings;
    const auto o = options_for(dir, warnings);
    const live::LiveReport r = live::run_live(source, o);
    EXPECT_EQ(r.refused, 1);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("refused: projection 5 from test-sender: shape [5, 40] differs from the scan's [4, 40]"),
              std::string::npos)
        << warnings[0];
    EXPECT_TRUE(r.complete());
    EXPECT_TRUE(live_attribute(dir / "live.h5")["complete"].get<bool>());
    EXPECT_EQ(io::Hdf5Reader(dir / "live.h5").info("recon").shape, (Shape{4, 40, 40}));
}

TEST(LiveSession, SenderGoneLeavesAnIncompleteFileAfterTheTimeout) {
    TempDir dir;
    auto frames = tomoedge::testing::frames_of(tomoedge::testing::make_scan());
    frames.resize(frames.size() - 10);  // the last 10 projections never come, nor the end message
    tomoedge::testing::VectorSource source(std::move(frames));
    std::vector<std::string> warnings;
    auto o = options_for(dir, warnings);
    const live::LiveReport r = live::run_live(source, o);
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.complete());
    const auto j = live_attribute(dir / "live.h5");
    EXPECT_FALSE(j["complete"].get<bool>());
    EXPECT_EQ(j["missing_count"], 10);
    EXPECT_EQ(j["missing"][0], 38);
    EXPECT_EQ(j["projections_received"], 38);
    EXPECT_EQ(io::Hdf5Reader(dir / "live.h5").string_attribute("recon", "tomoedge.live.complete"), "false");
}

TEST(LiveSession, StopRequestWritesWhatIsDone) {
    TempDir dir;
    tomoedge::testing::VectorSource source(tomoedge::testing::frames_of(tomoedge::testing::make_scan()));
    std::vector<std::string> warnings;
    auto o = options_for(dir, warnings);
    std::atomic<bool> stop{false};
    o.stop = &stop;
    o.row_first = 1, o.row_end = 3;
    const live::LiveReport r = live::run_live(source, o, [&](const live::LiveProgress& p) {
        if (p.projections == 20) stop.store(true);
    });
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.status.received, 20);
    const auto j = live_attribute(dir / "live.h5");
    EXPECT_FALSE(j["complete"].get<bool>());
    EXPECT_TRUE(j["interrupted"].get<bool>());
    EXPECT_EQ(j["rows"], nlohmann::json({1, 3}));
    EXPECT_EQ(io::Hdf5Reader(dir / "live.h5").info("recon").shape, (Shape{2, 40, 40}));
}

TEST(LiveSession, PreviewsAreWrittenEveryNProjections) {
    TempDir dir;
    auto frames = tomoedge::testing::frames_of(tomoedge::testing::make_scan());
    frames.push_back(tomoedge::testing::end_frame(48));
    tomoedge::testing::VectorSource source(std::move(frames));
    std::vector<std::string> warnings;
    auto o = options_for(dir, warnings);
    o.preview_every = 16;
    o.preview_dir = dir / "previews";
    o.row_first = 2, o.row_end = 3;
    const live::LiveReport r = live::run_live(source, o);
    EXPECT_TRUE(r.complete());
    EXPECT_TRUE(std::filesystem::exists(dir / "previews" / "slice_00002.png"));
}

TEST(LiveSession, RowsOffTheDetectorAndNoFramesAreErrors) {
    TempDir dir;
    std::vector<std::string> warnings;
    auto o = options_for(dir, warnings);
    o.row_first = 2, o.row_end = 9;
    tomoedge::testing::VectorSource source(tomoedge::testing::frames_of(tomoedge::testing::make_scan()));
    const std::string m = message_of([&] { live::run_live(source, o); });
    EXPECT_NE(m.find("rows 2:9 are not on the detector, which has rows 0..3"), std::string::npos) << m;
    tomoedge::testing::VectorSource empty({});
    const std::string none = message_of([&] { live::run_live(empty, options_for(dir, warnings)); });
    EXPECT_NE(none.find("test-sender: no frame arrived within"), std::string::npos) << none;
    EXPECT_FALSE(std::filesystem::exists(dir / "live.h5"));
}

TEST(LiveSession, PublishesPartialAndFinishedSlicesForAViewer) {
    TempDir dir;
    auto frames = tomoedge::testing::frames_of(tomoedge::testing::make_scan());
    frames.push_back(tomoedge::testing::end_frame(48));
    tomoedge::testing::VectorSource source(std::move(frames));
    live::SlicePublisher publisher("tcp://127.0.0.1:*");
    zmq::context_t context;
    zmq::socket_t viewer(context, zmq::socket_type::sub);
    viewer.set(zmq::sockopt::subscribe, "");
    viewer.set(zmq::sockopt::rcvtimeo, 2000);
    viewer.connect(publisher.endpoint());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // PUB drops messages until the subscription is in
    std::vector<std::string> warnings;
    auto o = options_for(dir, warnings);
    o.publisher = &publisher;
    o.preview_every = 24;
    o.row_first = 1, o.row_end = 3;
    ASSERT_TRUE(live::run_live(source, o).complete());
    std::vector<nlohmann::json> got;
    while (true) {
        zmq::message_t header, pixels;
        if (!viewer.recv(header)) break;
        ASSERT_TRUE(header.more());
        ASSERT_TRUE(viewer.recv(pixels));
        EXPECT_EQ(pixels.size(), 40u * 40u * sizeof(float));
        got.push_back(nlohmann::json::parse(header.to_string()));
        if (got.size() == 6) break;
    }
    // Two previews (24 and 48 projections) of both slices, then the two reconstructed slices.
    ASSERT_EQ(got.size(), 6u);
    EXPECT_EQ(got[0]["stage"], "partial");
    EXPECT_EQ(got[0]["row"], 1);
    EXPECT_EQ(got[0]["projections"], 24);
    EXPECT_EQ(got[4]["stage"], "reconstructed");
    EXPECT_EQ(got[5]["row"], 2);
    EXPECT_TRUE(got[5]["complete"].get<bool>());
    EXPECT_EQ(got[5]["shape"], nlohmann::json({40, 40}));
}

TEST(LiveSession, ReceiverJoiningMidScanUsesResentReferencesAndReportsWhatItMissed) {
    TempDir dir;
    const Projections scan = tomoedge::testing::make_scan();
    auto all = tomoedge::testing::frames_of(scan);
    // What `replay --references-every 16` sends after projection 15: the 5 references again before
    // projections 16 and 32. This receiver starts at projection 10.
    const std::deque<tomoedge::testing::OwnedFrame> references(all.begin(), all.begin() + 5);
    std::deque<tomoedge::testing::OwnedFrame> frames;
    for (std::size_t i = 5; i < all.size(); ++i) {
        const std::int64_t index = all[i].header.index;
        if (index == 16 || index == 32) frames.insert(frames.end(), references.begin(), references.end());
        if (index >= 10) frames.push_back(all[i]);
    }
    frames.push_back(tomoedge::testing::end_frame(48));
    tomoedge::testing::VectorSource source(std::move(frames));
    std::vector<std::string> warnings;
    const live::LiveReport r = live::run_live(source, options_for(dir, warnings));
    EXPECT_TRUE(warnings.empty()) << warnings.front();  // references sent again are not worth a warning
    EXPECT_FALSE(r.complete());
    EXPECT_EQ(r.status.received, 38);
    EXPECT_EQ(r.status.missing, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    EXPECT_EQ(r.status.repeated_references, 5);
    EXPECT_EQ(live_attribute(dir / "live.h5")["missing_count"], 10);
}
