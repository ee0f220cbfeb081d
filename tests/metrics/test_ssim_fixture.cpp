// SSIM, PSNR and MSE against scikit-image 0.19.3 on committed image pairs
// (tests/fixtures/ssim, made by tools/fixtures/make_ssim_fixture.py).
#include "metrics/image_quality.hpp"
#include "support/cli_runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <fstream>
#include <numeric>
#include <optional>
#include <vector>

using namespace tomoedge;
using tomoedge::testing::fixture;

namespace {

static_assert(std::endian::native == std::endian::little, "fixtures are little-endian");

template <typename T>
std::vector<T> read_raw(const std::string& name, std::size_t count) {
    std::ifstream in(fixture("ssim/" + name), std::ios::binary);
    if (!in) throw std::runtime_error("cannot open fixture " + name);
    std::vector<T> v(count);
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T)));
    if (in.gcount() != static_cast<std::streamsize>(count * sizeof(T)) || in.peek() != EOF)
        throw std::runtime_error("fixture " + name + " has the wrong size");
    return v;
}

nlohmann::json load_cases() {
    std::ifstream in(fixture("ssim/cases.json"));
    return nlohmann::json::parse(in);
}

struct Case {
    std::string name;
    std::int64_t height, width;
    std::vector<float> a, b;
    std::optional<double> data_range;
    nlohmann::json expected;
};

std::vector<Case> cases() {
    std::vector<Case> out;
    const auto all = load_cases();
    for (const auto& c : all.at("cases")) {
        Case k;
        k.name = c.at("name");
        k.height = c.at("height");
        k.width = c.at("width");
        const auto n = static_cast<std::size_t>(k.height * k.width);
        k.a = read_raw<float>(c.at("a"), n);
        k.b = read_raw<float>(c.at("b"), n);
        if (!c.at("data_range").is_null()) k.data_range = c.at("data_range").get<double>();
        k.expected = c;
        out.push_back(std::move(k));
    }
    return out;
}

}  // namespace

TEST(SsimFixture, HasTheCasesTheScriptMakes) {
    const auto all = cases();
    EXPECT_EQ(all.size(), 7u);
    bool default_range = false, odd = false;
    for (const auto& c : all) {
        default_range |= !c.data_range.has_value();
        odd |= c.height % 2 == 1 && c.width % 2 == 1 && c.height != c.width;
    }
    EXPECT_TRUE(default_range);
    EXPECT_TRUE(odd);
}

TEST(SsimFixture, SsimMatchesScikitImage) {
    for (const auto& c : cases()) {
        const double got = metrics::ssim(c.a, c.b, c.height, c.width, c.data_range);
        EXPECT_NEAR(got, c.expected.at("ssim").get<double>(), 1e-4) << c.name;
    }
}

TEST(SsimFixture, PsnrAndMseMatchScikitImage) {
    for (const auto& c : cases()) {
        const double psnr = c.expected.at("psnr"), mse = c.expected.at("mse");
        EXPECT_NEAR(metrics::psnr(c.a, c.b, c.data_range), psnr, 1e-6 * std::abs(psnr)) << c.name;
        EXPECT_NEAR(metrics::mse(c.a, c.b), mse, 1e-6 * mse) << c.name;
    }
}

TEST(SsimFixture, ImageQualityAgreesWithTheSingleMetrics) {
    for (const auto& c : cases()) {
        const auto q = metrics::image_quality(c.a, c.b, c.height, c.width, c.data_range);
        EXPECT_NEAR(q.ssim, c.expected.at("ssim").get<double>(), 1e-4) << c.name;
        EXPECT_NEAR(q.psnr, c.expected.at("psnr").get<double>(), 1e-6 * std::abs(q.psnr)) << c.name;
        EXPECT_NEAR(q.mse, c.expected.at("mse").get<double>(), 1e-6 * q.mse) << c.name;
        EXPECT_DOUBLE_EQ(q.data_range, c.expected.at("data_range_used").get<double>()) << c.name;
        EXPECT_EQ(q.ssim, metrics::ssim(c.a, c.b, c.height, c.width, c.data_range)) << c.name;
    }
}

TEST(SsimFixture, MapMatchesScikitImageCroppedMap) {
    int checked = 0;
    for (const auto& c : cases()) {
        if (!c.expected.contains("map")) continue;
        const auto map = metrics::ssim_map(c.a, c.b, c.height, c.width, c.data_range);
        ASSERT_EQ(map.shape(), (Shape{c.height - 10, c.width - 10}));
        const auto expected = read_raw<double>(c.expected.at("map"), static_cast<std::size_t>(map.size()));
        for (std::int64_t i = 0; i < map.size(); ++i)
            ASSERT_NEAR(map[i], expected[static_cast<std::size_t>(i)], 1e-5) << c.name << " at " << i;
        const double mean = std::accumulate(map.begin(), map.end(), 0.0) / static_cast<double>(map.size());
        EXPECT_NEAR(mean, c.expected.at("ssim").get<double>(), 1e-5);
        ++checked;
    }
    EXPECT_EQ(checked, 1);
}
