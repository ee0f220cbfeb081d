// `tomoedge simulate` and `tomoedge recon` through the real executable: outputs, consistency
// between the two commands, and clear errors for bad input.
#include "core/tensor.hpp"
#include "io/data_exchange.hpp"
#include "io/data_path.hpp"
#include "io/hdf5.hpp"
#include "io/stack.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

using namespace tomoedge;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

// One small simulated dataset shared by the tests of this file (made once).
struct Simulated {
    TempDir dir;
    tomoedge::testing::CliResult result;
    Simulated() {
        result = run_tomoedge({"simulate", "-o", (dir / "sim").string(), "--size", "48", "--slices", "4", "--volumes",
                               "3", "--sparse", "3", "--i0", "500", "--seed", "7", "--json", "--preview",
                               (dir / "preview.png").string()});
    }
    std::filesystem::path dataset() const { return dir / "sim" / "dataset.h5"; }
    std::filesystem::path low(int v) const { return dir / "sim" / "projections" / ("v00" + std::to_string(v) + "_lowdose.h5"); }
};

const Simulated& simulated() {
    static const Simulated s;
    return s;
}

double max_abs_diff(const Tensor<float>& a, const Tensor<float>& b) {
    double m = 0;
    for (std::int64_t i = 0; i < a.size(); ++i) m = std::max(m, static_cast<double>(std::abs(a[i] - b[i])));
    return m;
}

Projections small_scan() {
    Projections p;
    p.data = Tensor<float>(Shape{6, 2, 16}, 500.0f);
    p.white = Tensor<float>(Shape{2, 2, 16}, 1000.0f);
    p.dark = Tensor<float>(Shape{1, 2, 16}, 10.0f);
    p.theta_deg = {0, 30, 60, 90, 120, 150};
    return p;
}

}  // namespace

TEST(CliSimulate, WritesTomoganLayoutProjectionsAndPreview) {
    const auto& s = simulated();
    ASSERT_EQ(s.result.exit_code, 0) << s.result.err;
    const auto j = nlohmann::json::parse(s.result.out);
    EXPECT_EQ(j["train_slices"], 8);
    EXPECT_EQ(j["test_slices"], 4);
    EXPECT_EQ(j["angles"], 78);           // ceil(pi/2 x 48) = 76, rounded up to a multiple of 3
    EXPECT_EQ(j["low_dose_angles"], 26);  // every 3rd
    io::Hdf5Reader r(s.dataset());
    EXPECT_EQ(r.info("train_ns").shape, (Shape{8, 48, 48}));
    EXPECT_EQ(r.info("train_gt").shape, (Shape{8, 48, 48}));
    EXPECT_EQ(r.info("test_ns").shape, (Shape{4, 48, 48}));
    EXPECT_EQ(r.info("test_gt").shape, (Shape{4, 48, 48}));
    EXPECT_EQ(r.info("test_gt").dtype, DType::f32);
    // Low dose is noisier than normal dose against the same truth: ns and gt differ clearly.
    EXPECT_GT(max_abs_diff(r.read("test_ns"), r.read("test_gt")), 1e-3);
    for (int v = 0; v < 3; ++v) {
        const auto info = io::read_projection_info(s.low(v));
        EXPECT_EQ(info.angles, 26);
        EXPECT_EQ(info.rows, 4);
        EXPECT_EQ(info.cols, 48);
    }
    EXPECT_TRUE(std::filesystem::exists(s.dir / "sim" / "projections" / "v000_normaldose.h5"));
    EXPECT_GT(std::filesystem::file_size(s.dir / "preview.png"), 100u);
}

TEST(CliSimulate, SameSeedSameDataDifferentSeedDifferentData) {
    TempDir d;
    const auto run = [&](const char* seed, const char* name) {
        auto r = run_tomoedge({"simulate", "-o", (d / name).string(), "--size", "32", "--slices", "2", "--volumes",
                               "2", "--seed", seed, "--phantom", "shepp-logan"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return io::Hdf5Reader(d / name).read("train_ns");
    };
    const auto a = run("1", "a.h5"), b = run("1", "b.h5"), c = run("2", "c.h5");
    EXPECT_EQ(max_abs_diff(a, b), 0.0);
    EXPECT_GT(max_abs_diff(a, c), 0.0);
    EXPECT_FALSE(std::filesystem::exists(d / "a_projections"));  // FILE.h5 output: slices only
}

TEST(CliRecon, ReproducesTheSimulatedLowDoseSlices) {
    // `recon` of the low-dose scan of the test volume gives test_ns exactly: same normalisation,
    // filter, geometry (middle centre) and code path.
    const auto& s = simulated();
    ASSERT_EQ(s.result.exit_code, 0) << s.result.err;
    TempDir d;
    auto r = run_tomoedge({"recon", s.low(2).string(), "-o", (d / "out.h5").string(), "--json", "--slab-rows", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["slices"], 4);
    EXPECT_EQ(j["centre_source"], "middle, cols // 2");
    EXPECT_EQ(j["convention"], "tomopy");
    const Tensor<float> mine = io::Hdf5Reader(d / "out.h5").read("recon");
    const Tensor<float> ns = io::Hdf5Reader(s.dataset()).read("test_ns");
    ASSERT_EQ(mine.shape(), ns.shape());
    EXPECT_LT(max_abs_diff(mine, ns), 1e-6);
}

TEST(CliRecon, RowRangeTiffOutputAndAutoCentre) {
    const auto& s = simulated();
    ASSERT_EQ(s.result.exit_code, 0) << s.result.err;
    TempDir d;
    auto r = run_tomoedge({"recon", s.low(0).string(), "-o", (d / "slices").string() + "/", "--rows", "1:3",
                           "--center", "auto", "--filter", "hann", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["slices"], 2);
    EXPECT_EQ(j["centre_source"], "auto (opposite-projection matching)");
    EXPECT_NEAR(j["centre"].get<double>(), 24.0, 0.3);  // simulated with the axis at column 48 // 2
    auto stack = io::StackReader::open(io::parse_data_path((d / "slices").string() + "/"));
    EXPECT_EQ(stack->info().shape, (Shape{2, 48, 48}));
    auto table = run_tomoedge({"recon", s.low(0).string(), "-o", (d / "x.h5:slices").string(), "--center", "23.5"});
    EXPECT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("23.50 (given; axis convention tomopy)"), std::string::npos) << table.out;
}

TEST(CliRecon, CentredConventionMovesTheDefaultCentreAndTheImageAxis) {
    // The same scan under the other axis convention: default centre (cols - 1) / 2, axis at the
    // image's geometric centre. With the centre given as the simulation's (24), the image is the
    // tomopy one moved by half a pixel, so it differs; a bad name is refused naming the choices.
    const auto& s = simulated();
    ASSERT_EQ(s.result.exit_code, 0) << s.result.err;
    TempDir d;
    auto r = run_tomoedge({"recon", s.low(1).string(), "-o", (d / "c.h5").string(), "--json", "--convention",
                           "centred"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["convention"], "centred");
    EXPECT_EQ(j["centre"].get<double>(), 23.5);
    EXPECT_EQ(j["centre_source"], "middle, (cols - 1) / 2");
    auto t = run_tomoedge({"recon", s.low(1).string(), "-o", (d / "t.h5").string(), "--center", "24"});
    auto c = run_tomoedge({"recon", s.low(1).string(), "-o", (d / "c24.h5").string(), "--center", "24",
                           "--convention", "centred"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_GT(max_abs_diff(io::Hdf5Reader(d / "t.h5").read("recon"), io::Hdf5Reader(d / "c24.h5").read("recon")), 1e-3);
    // --circle zeroes what lies outside the field of view (the corners) and keeps the rest.
    auto m = run_tomoedge({"recon", s.low(1).string(), "-o", (d / "m.h5").string(), "--center", "24", "--circle"});
    ASSERT_EQ(m.exit_code, 0) << m.err;
    const Tensor<float> plain = io::Hdf5Reader(d / "t.h5").read("recon"), masked = io::Hdf5Reader(d / "m.h5").read("recon");
    EXPECT_EQ(masked[0], 0.0f);
    EXPECT_NE(plain[0], 0.0f);
    EXPECT_EQ(masked[24 * 48 + 24], plain[24 * 48 + 24]);
    auto bad = run_tomoedge({"recon", s.low(1).string(), "-o", (d / "bad.h5").string(), "--convention", "astra"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("unknown axis convention 'astra' (use tomopy or centred)"), std::string::npos) << bad.err;
    EXPECT_FALSE(std::filesystem::exists(d / "bad.h5"));
}

TEST(CliRecon, ClampedValuesAreCountedAndWarnedOnce) {
    TempDir d;
    Projections p = small_scan();
    for (std::int64_t i = 0; i < 5; ++i) p.data[i] = 3.0f;  // below the dark level of 10
    io::write_projections(d / "scan.h5", p);
    auto r = run_tomoedge({"recon", (d / "scan.h5").string(), "-o", (d / "o.h5").string(), "--json", "--slab-rows", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["clamped"], 5);
    const auto first = r.err.find("warning");
    ASSERT_NE(first, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("warning", first + 1), std::string::npos) << "warned more than once: " << r.err;
}

TEST(CliRecon, BadInputGetsOneClearError) {
    TempDir d;
    const auto expect_error = [&](const std::filesystem::path& file, const std::string& needle) {
        auto r = run_tomoedge({"recon", file.string(), "-o", (d / "out.h5").string()});
        EXPECT_EQ(r.exit_code, 1) << file;
        EXPECT_NE(r.err.find("tomoedge: error:"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
        EXPECT_FALSE(std::filesystem::exists(d / "out.h5"));
    };
    {  // white field with a different detector width
        io::Hdf5Writer w(d / "white.h5");
        auto p = small_scan();
        w.write("/exchange/data", p.data);
        w.write("/exchange/data_white", Tensor<float>(Shape{2, 2, 15}, 1000.0f));
        w.write("/exchange/data_dark", p.dark);
        w.write("/exchange/theta", Tensor<float>(Shape{6}, 0.0f));
        w.commit();
        expect_error(d / "white.h5", "data_white");
    }
    {  // dark field with a different number of rows
        io::Hdf5Writer w(d / "dark.h5");
        auto p = small_scan();
        w.write("/exchange/data", p.data);
        w.write("/exchange/data_white", p.white);
        w.write("/exchange/data_dark", Tensor<float>(Shape{1, 3, 16}, 10.0f));
        w.write("/exchange/theta", Tensor<float>(Shape{6}, 0.0f));
        w.commit();
        expect_error(d / "dark.h5", "data_dark");
    }
    {  // theta count differs from the projections
        io::Hdf5Writer w(d / "theta.h5");
        auto p = small_scan();
        w.write("/exchange/data", p.data);
        w.write("/exchange/data_white", p.white);
        w.write("/exchange/data_dark", p.dark);
        w.write("/exchange/theta", Tensor<float>(Shape{5}, 0.0f));
        w.commit();
        expect_error(d / "theta.h5", "theta");
    }
    {  // a missing dataset
        io::Hdf5Writer w(d / "missing.h5");
        auto p = small_scan();
        w.write("/exchange/data", p.data);
        w.write("/exchange/data_white", p.white);
        w.write("/exchange/theta", Tensor<float>(Shape{6}, 0.0f));
        w.commit();
        expect_error(d / "missing.h5", "data_dark");
    }
    expect_error(d / "no-such-file.h5", "no-such-file.h5");
    io::write_projections(d / "ok.h5", small_scan());
    auto bad_rows = run_tomoedge({"recon", (d / "ok.h5").string(), "-o", (d / "out.h5").string(), "--rows", "1:9"});
    EXPECT_EQ(bad_rows.exit_code, 1);
    EXPECT_NE(bad_rows.err.find("--rows"), std::string::npos) << bad_rows.err;
    auto bad_filter = run_tomoedge({"recon", (d / "ok.h5").string(), "-o", (d / "out.h5").string(), "--filter", "box"});
    EXPECT_EQ(bad_filter.exit_code, 1);
    EXPECT_NE(bad_filter.err.find("unknown filter 'box'"), std::string::npos) << bad_filter.err;
    auto bad_centre = run_tomoedge({"recon", (d / "ok.h5").string(), "-o", (d / "out.h5").string(), "--center", "abc"});
    EXPECT_EQ(bad_centre.exit_code, 1);
    EXPECT_NE(bad_centre.err.find("--center"), std::string::npos) << bad_centre.err;
}

TEST(CliSimulate, BadOptionsAreClearErrors) {
    TempDir d;
    auto r = run_tomoedge({"simulate", "-o", (d / "x.h5").string(), "--volumes", "2", "--test-volumes", "2"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--test-volumes"), std::string::npos) << r.err;
    r = run_tomoedge({"simulate", "-o", (d / "x.h5").string(), "--phantom", "cube"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("unknown phantom"), std::string::npos) << r.err;
    r = run_tomoedge({"simulate", "-o", (d / "x.h5").string(), "--i0", "70000"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("16-bit"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(d / "x.h5"));
    r = run_tomoedge({"simulate"});
    EXPECT_EQ(r.exit_code, 2);  // -o is required
}
