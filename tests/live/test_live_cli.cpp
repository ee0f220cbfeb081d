// `tomoedge replay` -> `tomoedge live` over loopback TCP through the real executable: the live
// slices equal `tomoedge recon`'s; a missing frame, a sender that disappears and SIGINT each end
// with a clear message, a non-zero exit and a valid file marked incomplete. Every process has a
// deadline, so a hang fails the test instead of blocking it.
#include "io/hdf5.hpp"
#include "live_fixture.hpp"
#include "support/process.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <thread>

using namespace tomoedge;
using namespace std::chrono_literals;
using tomoedge::testing::Background;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::tomoedge_command;
using tomoedge::testing::TempDir;

namespace {

// Starts replay on a free loopback port and returns it with the address it bound.
std::pair<std::unique_ptr<Background>, std::string> start_replay(const std::filesystem::path& scan,
                                                                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"replay", scan.string(), "--to", "tcp://127.0.0.1:*", "--timeout", "5"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto replay = std::make_unique<Background>(tomoedge_command(args));
    const std::string marker = "sending on ";
    EXPECT_TRUE(replay->wait_for_err(marker, 5s)) << replay->err();
    std::string err = replay->err();
    const auto at = err.find(marker);
    if (at == std::string::npos) return {std::move(replay), ""};
    const auto end = err.find('\n', at);
    return {std::move(replay), err.substr(at + marker.size(), end - at - marker.size())};
}

// Waits until `file` exists (live wrote a preview: it is receiving) or `deadline` passes.
bool wait_for_file(const std::filesystem::path& file, std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!std::filesystem::exists(file)) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

double relative_max_diff(const Tensor<float>& a, const Tensor<float>& b) {
    EXPECT_EQ(a.shape(), b.shape());
    if (a.shape() != b.shape()) return 1;
    double diff = 0;
    const auto [lo, hi] = std::minmax_element(b.begin(), b.end());
    EXPECT_GT(*hi - *lo, 0.01f);  // a real image, not two empty ones
    for (std::int64_t i = 0; i < a.size(); ++i) diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    return diff / static_cast<double>(*hi - *lo);
}

nlohmann::json live_attribute(const std::filesystem::path& file) {
    return nlohmann::json::parse(io::Hdf5Reader(file).string_attribute("recon", "tomoedge.live").value_or("{}"));
}

struct Scan {
    TempDir dir;
    std::filesystem::path file;
    Scan() {
        tomoedge::testing::ScanSpec spec;
        spec.angles = 60, spec.rows = 6, spec.cols = 48;
        file = tomoedge::testing::write_scan(dir / "scan.h5", spec);
    }
};

}  // namespace

TEST(LiveCli, ReplayToLiveEqualsBatchRecon) {
    Scan s;
    const auto batch = run_tomoedge({"recon", s.file.string(), "-o", (s.dir / "batch.h5:recon").string(), "--rows", "1:4"});
    ASSERT_EQ(batch.exit_code, 0) << batch.err;
    auto [replay, endpoint] = start_replay(s.file);
    ASSERT_FALSE(endpoint.empty());
    const auto live = run_tomoedge({"live", "--from", endpoint, "--out", (s.dir / "live.h5:recon").string(), "--rows",
                                    "1:4", "--timeout", "5", "--json", "--preview", (s.dir / "png").string()});
    ASSERT_EQ(live.exit_code, 0) << live.err;
    EXPECT_EQ(replay->wait(10s), 0) << replay->err();
    const auto j = nlohmann::json::parse(live.out);
    EXPECT_TRUE(j["complete"].get<bool>());
    EXPECT_EQ(j["projections_received"], 60);
    EXPECT_LE(relative_max_diff(io::Hdf5Reader(s.dir / "live.h5").read("recon"),
                                io::Hdf5Reader(s.dir / "batch.h5").read("recon")),
              1e-5);
    EXPECT_TRUE(live_attribute(s.dir / "live.h5")["complete"].get<bool>());
    EXPECT_TRUE(std::filesystem::exists(s.dir / "png" / "slice_00002.png"));
}

TEST(LiveCli, DenoisesTheFinishedSlicesWithAModel) {
    Scan s;
    auto [replay, endpoint] = start_replay(s.file);
    ASSERT_FALSE(endpoint.empty());
    const auto live = run_tomoedge({"live", "--from", endpoint, "--out", (s.dir / "live.h5:recon").string(), "--rows",
                                    "2:5", "--timeout", "5", "--model",
                                    std::string(TOMOEDGE_SOURCE_DIR) + "/models/tomogan-general-int8.onnx"});
    ASSERT_EQ(live.exit_code, 0) << live.err;
    EXPECT_EQ(replay->wait(10s), 0) << replay->err();
    io::Hdf5Reader r(s.dir / "live.h5");
    EXPECT_EQ(r.info("recon").shape, (Shape{3, 48, 48}));
    EXPECT_EQ(r.info("recon_fbp").shape, (Shape{3, 48, 48}));
    EXPECT_GT(relative_max_diff(r.read("recon"), r.read("recon_fbp")), 1e-3);  // denoised: not the FBP
    EXPECT_EQ(live_attribute(s.dir / "live.h5")["denoised"].get<std::string>().find("tomogan-general-int8.onnx") !=
                  std::string::npos,
              true);
}

TEST(LiveCli, MissingFrameIsReportedAndTheFileMarkedIncomplete) {
    Scan s;
    auto [replay, endpoint] = start_replay(s.file, {"--skip-projection", "7"});
    ASSERT_FALSE(endpoint.empty());
    const auto live = run_tomoedge(
        {"live", "--from", endpoint, "--out", (s.dir / "live.h5:recon").string(), "--rows", "0:2", "--timeout", "5"});
    EXPECT_EQ(live.exit_code, 1);
    EXPECT_NE(live.err.find("projection(s) 7 never arrived"), std::string::npos) << live.err;
    EXPECT_NE(live.err.find("marked incomplete"), std::string::npos) << live.err;
    EXPECT_EQ(replay->wait(10s), 0) << replay->err();
    const auto j = live_attribute(s.dir / "live.h5");
    EXPECT_FALSE(j["complete"].get<bool>());
    EXPECT_EQ(j["missing"], nlohmann::json({7}));
}

TEST(LiveCli, SenderThatDisappearsTimesOutAndWritesWhatItHas) {
    Scan s;
    auto [replay, endpoint] = start_replay(s.file, {"--rate", "20"});
    ASSERT_FALSE(endpoint.empty());
    Background live(tomoedge_command({"live", "--from", endpoint, "--out", (s.dir / "live.h5:recon").string(), "--rows", "0:2",
                     "--timeout", "1", "--preview", (s.dir / "png").string(), "--preview-every", "5"}));
    EXPECT_TRUE(wait_for_file(s.dir / "png" / "slice_00000.png", 10s)) << live.err();
    replay->signal(SIGINT);  // the sender stops mid-scan, without an end message
    EXPECT_EQ(replay->wait(5s), 1) << replay->err();
    EXPECT_EQ(live.wait(10s), 1) << live.err();
    EXPECT_NE(live.err().find("the sender is gone"), std::string::npos) << live.err();
    const auto j = live_attribute(s.dir / "live.h5");
    EXPECT_FALSE(j["complete"].get<bool>());
    EXPECT_TRUE(j["timed_out"].get<bool>());
    EXPECT_GT(j["projections_received"].get<int>(), 0);
}

TEST(LiveCli, SigintLeavesAValidFile) {
    Scan s;
    auto [replay, endpoint] = start_replay(s.file, {"--rate", "20"});
    ASSERT_FALSE(endpoint.empty());
    Background live(tomoedge_command({"live", "--from", endpoint, "--out", (s.dir / "live.h5:recon").string(), "--rows", "3:5",
                     "--timeout", "5", "--preview", (s.dir / "png").string(), "--preview-every", "5"}));
    EXPECT_TRUE(wait_for_file(s.dir / "png" / "slice_00003.png", 10s)) << live.err();
    live.signal(SIGINT);
    EXPECT_EQ(live.wait(10s), 1) << live.err();
    EXPECT_NE(live.err().find("interrupted (SIGINT)"), std::string::npos) << live.err();
    io::Hdf5Reader r(s.dir / "live.h5");
    EXPECT_EQ(r.info("recon").shape, (Shape{2, 48, 48}));
    const auto j = live_attribute(s.dir / "live.h5");
    EXPECT_FALSE(j["complete"].get<bool>());
    EXPECT_TRUE(j["interrupted"].get<bool>());
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(s.dir.path()), std::filesystem::directory_iterator{}),
              3);  // scan.h5, live.h5 and png/: no temporary left behind
}

TEST(LiveCli, LiveFromAFileEqualsBatchRecon) {
    Scan s;
    ASSERT_EQ(run_tomoedge({"recon", s.file.string(), "-o", (s.dir / "batch.h5:recon").string()}).exit_code, 0);
    const auto live = run_tomoedge({"live", "--from", s.file.string(), "--out", (s.dir / "live.h5:recon").string()});
    ASSERT_EQ(live.exit_code, 0) << live.err;
    EXPECT_LE(relative_max_diff(io::Hdf5Reader(s.dir / "live.h5").read("recon"),
                                io::Hdf5Reader(s.dir / "batch.h5").read("recon")),
              1e-5);
}

TEST(LiveCli, FollowsASwmrFileWhileItIsWritten) {
    TempDir dir;
    tomoedge::testing::ScanSpec spec;
    spec.angles = 60, spec.rows = 6, spec.cols = 48;
    const auto reference = tomoedge::testing::write_scan(dir / "reference.h5", spec);
    ASSERT_EQ(run_tomoedge({"recon", reference.string(), "-o", (dir / "batch.h5:recon").string(), "--rows", "2:4"}).exit_code, 0);
    // 60 projections, 100 ms apart (6 s): live starts while the file is young and follows it. The
    // spacing is wide so that a slow start of live on a loaded machine still leaves most frames
    // to arrive while it follows (at 20 ms it could start after the writer had finished).
    Background writer({LIVE_SWMR_WRITER, (dir / "growing.h5").string(), "60", "6", "48", "100"});
    const auto live = run_tomoedge({"live", "--from", (dir / "growing.h5").string(), "--follow", "--out",
                                    (dir / "live.h5:recon").string(), "--rows", "2:4", "--timeout", "5", "--json"});
    ASSERT_EQ(live.exit_code, 0) << live.err;
    EXPECT_EQ(writer.wait(20s), 0) << writer.err();
    const auto j = nlohmann::json::parse(live.out);
    EXPECT_TRUE(j["complete"].get<bool>());
    // Paced by the writer (~10 frames/s), not read at once after it finished (hundreds/s).
    EXPECT_LT(j["frames_per_second"].get<double>(), 150) << live.out;
    EXPECT_LE(relative_max_diff(io::Hdf5Reader(dir / "live.h5").read("recon"),
                                io::Hdf5Reader(dir / "batch.h5").read("recon")),
              1e-5);
}

TEST(LiveCli, ReferencesSentAgainAreTakenQuietly) {
    Scan s;
    auto [replay, endpoint] = start_replay(s.file, {"--references-every", "16", "--json"});
    ASSERT_FALSE(endpoint.empty());
    const auto live = run_tomoedge(
        {"live", "--from", endpoint, "--out", (s.dir / "live.h5:recon").string(), "--rows", "0:2", "--timeout", "5"});
    ASSERT_EQ(live.exit_code, 0) << live.err;
    EXPECT_EQ(live.err.find("warning"), std::string::npos) << live.err;
    EXPECT_EQ(replay->wait(10s), 0) << replay->err();
    EXPECT_NE(replay->out().find("\"references_resent\":15"), std::string::npos) << replay->out();  // 3 x (2 + 3)
}
