// `tomoedge compare A B`: per-slice SSIM/PSNR/MSE through the real executable, on HDF5 and TIFF
// stacks. The oracle for the numbers is scikit-image (tests/fixtures/ssim, made by
// tools/fixtures/make_ssim_fixture.py), so these tests also check that no conversion on the way
// (u8 HDF5, f32 TIFF) changes a pixel.
#include "io/stack.hpp"
#include "metrics/image_quality.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

using namespace tomoedge;
using tomoedge::testing::fixture;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

struct FixturePair {
    std::int64_t height = 0, width = 0;
    std::vector<float> a, b;
    nlohmann::json expected;
};

// One case of the skimage fixture, by name.
FixturePair load_pair(const std::string& name) {
    std::ifstream in(fixture("ssim/cases.json"));
    const auto cases = nlohmann::json::parse(in).at("cases");
    const auto it = std::find_if(cases.begin(), cases.end(), [&](const auto& c) { return c.at("name") == name; });
    if (it == cases.end()) throw std::runtime_error("no fixture case " + name);
    FixturePair p;
    p.height = it->at("height");
    p.width = it->at("width");
    p.expected = *it;
    auto read = [&](const std::string& file) {
        std::vector<float> v(static_cast<std::size_t>(p.height * p.width));
        std::ifstream f(fixture("ssim/" + file), std::ios::binary);
        f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
        if (!f) throw std::runtime_error("short fixture " + file);
        return v;
    };
    p.a = read(it->at("a"));
    p.b = read(it->at("b"));
    return p;
}

// Writes slices (each height x width) as one stack.
void write_stack(const std::string& name, std::int64_t height, std::int64_t width,
                 const std::vector<std::vector<float>>& slices, DType dtype = DType::f32) {
    const auto n = static_cast<std::int64_t>(slices.size());
    auto writer = io::StackWriter::create(io::parse_data_path(name), Shape{n, height, width}, {.dtype = dtype});
    for (std::int64_t i = 0; i < n; ++i) {
        Tensor<float> slice(Shape{1, height, width});
        std::copy(slices[static_cast<std::size_t>(i)].begin(), slices[static_cast<std::size_t>(i)].end(),
                  slice.begin());
        writer->write(i, slice);
    }
    writer->commit();
}

// A deterministic non-constant image.
std::vector<float> ramp(std::int64_t height, std::int64_t width, float scale) {
    std::vector<float> v(static_cast<std::size_t>(height * width));
    for (std::int64_t r = 0; r < height; ++r)
        for (std::int64_t c = 0; c < width; ++c)
            v[static_cast<std::size_t>(r * width + c)] =
                scale * static_cast<float>((r * 7 + c * 3) % 17) + 0.25f * static_cast<float>(r % 3);
    return v;
}

nlohmann::json run_json(const std::vector<std::string>& args) {
    const auto r = run_tomoedge(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    return nlohmann::json::parse(r.out);
}

// One line on stderr, "tomoedge: error: ...", and exit status `status`.
void expect_error(const tomoedge::testing::CliResult& r, int status, const std::vector<std::string>& mentions) {
    EXPECT_EQ(r.exit_code, status) << r.err;
    EXPECT_EQ(r.err.rfind("tomoedge: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    for (const auto& m : mentions) EXPECT_NE(r.err.find(m), std::string::npos) << "missing '" << m << "' in " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace

TEST(CliCompare, MatchesScikitImageAcrossFormatsAndReportsIdenticalSlicesAsNull) {
    TempDir dir;
    const auto u8 = load_pair("u8_like_96x128");  // integer values, so a u8 HDF5 file holds them exactly
    const auto a = (dir / "a.tif").string(), b = (dir / "b.h5").string() + ":gt";
    write_stack(a, u8.height, u8.width, {u8.a, u8.b});
    write_stack(b, u8.height, u8.width, {u8.b, u8.b}, DType::u8);

    const auto j = run_json({"compare", a, b, "--data-range", "255", "--json"});
    ASSERT_EQ(j.at("slices").size(), 2u);
    EXPECT_EQ(j.at("shape"), nlohmann::json({2, u8.height, u8.width}));
    const auto& s0 = j.at("slices")[0];
    EXPECT_EQ(s0.at("index"), 0);
    EXPECT_NEAR(s0.at("ssim").get<double>(), u8.expected.at("ssim").get<double>(), 1e-4);
    EXPECT_NEAR(s0.at("psnr").get<double>(), u8.expected.at("psnr").get<double>(), 1e-6 * 30);
    EXPECT_NEAR(s0.at("mse").get<double>(), u8.expected.at("mse").get<double>(), 1e-6 * 150);
    EXPECT_EQ(s0.at("data_range"), 255.0);
    const auto& s1 = j.at("slices")[1];
    EXPECT_NEAR(s1.at("ssim").get<double>(), 1.0, 1e-12);
    EXPECT_TRUE(s1.at("psnr").is_null());  // identical slices: PSNR is +infinity
    EXPECT_EQ(s1.at("mse"), 0.0);
    const auto& mean = j.at("mean");
    EXPECT_NEAR(mean.at("ssim").get<double>(), (u8.expected.at("ssim").get<double>() + 1.0) / 2, 1e-4);
    EXPECT_TRUE(mean.at("psnr").is_null());
    EXPECT_NEAR(mean.at("mse").get<double>(), u8.expected.at("mse").get<double>() / 2, 1e-4);
}

TEST(CliCompare, DefaultDataRangeIsEachReferenceSlicesSpan) {
    TempDir dir;
    const auto ct = load_pair("odd_37x53_ct");  // skimage ran it with R = max - min of the reference
    ASSERT_TRUE(ct.expected.at("data_range").is_null());
    std::filesystem::create_directory(dir / "a");
    const auto a = (dir / "a").string() + "/", b = (dir / "b.h5").string() + ":ref";
    // Slice 1: the same pair scaled by 1/4, so its span (500) differs from slice 0's (2000).
    std::vector<float> a1(ct.a), b1(ct.b);
    for (auto& x : a1) x *= 0.25f;
    for (auto& x : b1) x *= 0.25f;
    write_stack(a, ct.height, ct.width, {ct.a, a1});
    write_stack(b, ct.height, ct.width, {ct.b, b1});

    const auto j = run_json({"compare", a, b, "--json", "--threads", "1"});
    ASSERT_EQ(j.at("slices").size(), 2u);
    for (int i = 0; i < 2; ++i) {
        const auto& s = j.at("slices")[static_cast<std::size_t>(i)];
        EXPECT_NEAR(s.at("ssim").get<double>(), ct.expected.at("ssim").get<double>(), 1e-4) << i;
        EXPECT_NEAR(s.at("psnr").get<double>(), ct.expected.at("psnr").get<double>(), 1e-4) << i;
    }
    EXPECT_EQ(j.at("slices")[0].at("data_range"), ct.expected.at("data_range_used").get<double>());
    EXPECT_EQ(j.at("slices")[1].at("data_range"), ct.expected.at("data_range_used").get<double>() / 4);
    EXPECT_NEAR(j.at("slices")[1].at("mse").get<double>(), ct.expected.at("mse").get<double>() / 16, 1e-3);
}

TEST(CliCompare, TableShowsEverySliceAndTheMean) {
    TempDir dir;
    const auto p = load_pair("smooth_noisy_64");
    const auto a = (dir / "a.h5").string() + ":dn", b = (dir / "b.tif").string();
    write_stack(a, p.height, p.width, {p.a, p.a, p.a});
    write_stack(b, p.height, p.width, {p.b, p.b, p.b});
    const auto r = run_tomoedge({"compare", a, b, "--data-range", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* word : {"slice", "ssim", "psnr_db", "mse", "mean"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word << " in\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2 + 3 + 1) << r.out;  // header, rule, slices, mean
    const auto ssim = fmt::format("{:.6f}", p.expected.at("ssim").get<double>());
    int seen = 0;  // three slices and their mean
    for (auto at = r.out.find(ssim); at != std::string::npos; at = r.out.find(ssim, at + 1)) ++seen;
    EXPECT_EQ(seen, 4) << ssim << " in\n" << r.out;
    EXPECT_NE(r.out.find(fmt::format("{:.3f}", p.expected.at("psnr").get<double>())), std::string::npos) << r.out;
}

TEST(CliCompare, DifferentShapesNameBothFilesAndShapes) {
    TempDir dir;
    const auto a = (dir / "a.h5").string() + ":x", b = (dir / "b.h5").string() + ":y";
    write_stack(a, 16, 20, {ramp(16, 20, 1), ramp(16, 20, 2)});
    write_stack(b, 16, 20, {ramp(16, 20, 1), ramp(16, 20, 2), ramp(16, 20, 3)});
    expect_error(run_tomoedge({"compare", a, b}), 1, {"a.h5", "b.h5", "(2, 16, 20)", "(3, 16, 20)"});
    const auto c = (dir / "c.tif").string();
    write_stack(c, 20, 16, {ramp(20, 16, 1), ramp(20, 16, 2)});
    expect_error(run_tomoedge({"compare", c, a}), 1, {"c.tif", "a.h5", "(2, 20, 16)", "(2, 16, 20)"});
}

TEST(CliCompare, SlicesSmallerThanTheSsimWindowAreAnError) {
    TempDir dir;
    const auto a = (dir / "a.tif").string(), b = (dir / "b.tif").string();
    write_stack(a, 8, 30, {ramp(8, 30, 1)});
    write_stack(b, 8, 30, {ramp(8, 30, 2)});
    expect_error(run_tomoedge({"compare", a, b}), 1, {"a.tif", "b.tif", "slice 0", "11 x 11"});
}

TEST(CliCompare, ConstantReferenceSliceNeedsADataRange) {
    TempDir dir;
    const auto a = (dir / "a.h5").string() + ":a", b = (dir / "b.h5").string() + ":b";
    write_stack(a, 12, 12, {ramp(12, 12, 1), ramp(12, 12, 1)});
    write_stack(b, 12, 12, {ramp(12, 12, 2), std::vector<float>(144, 3.0f)});
    expect_error(run_tomoedge({"compare", a, b}), 1, {"b.h5", "slice 1", "constant", "data range"});
    const auto j = run_json({"compare", a, b, "--data-range", "40", "--json"});
    EXPECT_EQ(j.at("slices")[1].at("data_range"), 40.0);
}

TEST(CliCompare, BadArgumentsAndMissingFiles) {
    TempDir dir;
    const auto a = (dir / "a.tif").string();
    write_stack(a, 12, 12, {ramp(12, 12, 1)});
    expect_error(run_tomoedge({"compare", a, a, "--data-range", "0"}), 2, {"--data-range"});
    expect_error(run_tomoedge({"compare", a, a, "--data-range", "-3"}), 2, {"--data-range"});
    expect_error(run_tomoedge({"compare", a}), 2, {});
    const auto missing = (dir / "missing.h5").string() + ":x";
    expect_error(run_tomoedge({"compare", a, missing}), 1, {"missing.h5"});
    expect_error(run_tomoedge({"compare", missing, a}), 1, {"missing.h5"});
}
