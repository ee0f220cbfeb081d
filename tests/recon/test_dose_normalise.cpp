// Dose model (Poisson statistics, seeding, sparse views) and flat/dark normalisation.
#include "core/error.hpp"
#include "core/threading.hpp"
#include "recon/dose.hpp"
#include "recon/normalise.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tomoedge;
using namespace tomoedge::recon;

namespace {
Tensor<float> constant_integrals(std::int64_t angles, std::int64_t rows, std::int64_t cols, float p) {
    return Tensor<float>(Shape{angles, rows, cols}, p);
}
}  // namespace

TEST(Dose, PoissonMeanAndVarianceWithinStatisticalBounds) {
    // Counts = Poisson(i0 e^-p) + Poisson(dark): mean and variance both lambda = i0 e^-p + dark.
    // n = 40000 samples: the sample mean has sd sqrt(lambda / n), the sample variance sd about
    // lambda sqrt(2 / n) (Poisson, lambda >> 1); both are checked to 5 sd.
    const double i0 = 800, p = 1.2, dark = 20;
    const double lambda = i0 * std::exp(-p) + dark;
    DoseOptions o{.i0 = i0, .dark = dark, .noise = true, .flats = 2, .darks = 2, .seed = 42};
    const auto scan = expose(constant_integrals(4, 100, 100, static_cast<float>(p)), {0, 45, 90, 135}, o);
    const double n = static_cast<double>(scan.data.size());
    double sum = 0, sum2 = 0;
    for (float v : scan.data.span()) {
        EXPECT_EQ(v, std::round(v));  // whole counts
        sum += v, sum2 += static_cast<double>(v) * v;
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, lambda, 5 * std::sqrt(lambda / n));
    EXPECT_NEAR(var, lambda, 5 * lambda * std::sqrt(2 / n));
    // Flats: lambda = i0 + dark; darks: lambda = dark.
    double wsum = 0, dsum = 0;
    for (float v : scan.white.span()) wsum += v;
    for (float v : scan.dark.span()) dsum += v;
    EXPECT_NEAR(wsum / scan.white.size(), i0 + dark, 5 * std::sqrt((i0 + dark) / scan.white.size()));
    EXPECT_NEAR(dsum / scan.dark.size(), dark, 5 * std::sqrt(dark / scan.dark.size()));
}

TEST(Dose, SeededAndIndependentOfThreadCount) {
    DoseOptions o{.i0 = 100, .dark = 5, .noise = true, .flats = 1, .darks = 1, .seed = 7};
    const auto p = constant_integrals(8, 6, 5, 0.5f);
    const std::vector<float> th(8, 0.0f);
    set_num_threads(1);
    const auto a = expose(p, th, o);
    set_num_threads(2);
    const auto b = expose(p, th, o);
    o.seed = 8;
    const auto c = expose(p, th, o);
    EXPECT_TRUE(std::equal(a.data.begin(), a.data.end(), b.data.begin()));
    EXPECT_FALSE(std::equal(a.data.begin(), a.data.end(), c.data.begin()));
    // Different projections draw different noise.
    EXPECT_FALSE(std::equal(a.data.outer(0), a.data.outer(1), a.data.outer(1)));
}

TEST(Dose, NoiseFreeIsTheExpectedCountAndNormalisesBack) {
    DoseOptions o{.i0 = 1e5, .dark = 100, .noise = false, .flats = 3, .darks = 2, .seed = 0};
    Tensor<float> p(Shape{3, 2, 4});
    for (std::int64_t i = 0; i < p.size(); ++i) p[i] = 0.1f * static_cast<float>(i % 7);
    const auto scan = expose(p, {0, 60, 120}, o);
    EXPECT_FLOAT_EQ(scan.data[5], static_cast<float>(1e5 * std::exp(-0.5) + 100));
    NormaliseStats stats;
    const Tensor<float> sino = normalise(scan, stats);
    ASSERT_EQ(sino.shape(), (Shape{2, 3, 4}));  // (rows, angles, cols)
    for (std::int64_t a = 0; a < 3; ++a)
        for (std::int64_t r = 0; r < 2; ++r)
            for (std::int64_t c = 0; c < 4; ++c)
                EXPECT_NEAR(sino[(r * 3 + a) * 4 + c], p[(a * 2 + r) * 4 + c], 1e-4);
    EXPECT_EQ(stats.values, 24);
    EXPECT_EQ(stats.clamped, 0);
}

TEST(Dose, SparseViewsTakeEveryKthAngle) {
    EXPECT_EQ(sparse_view_indices(10, 4), (std::vector<std::int64_t>{0, 4, 8}));
    EXPECT_EQ(sparse_view_indices(3, 1), (std::vector<std::int64_t>{0, 1, 2}));
    EXPECT_THROW(sparse_view_indices(10, 0), Error);
    Tensor<float> p(Shape{6, 1, 2});
    for (std::int64_t i = 0; i < p.size(); ++i) p[i] = static_cast<float>(i) * 0.01f;
    const auto scan = expose(p, {0, 30, 60, 90, 120, 150}, DoseOptions{.noise = false});
    const auto idx = sparse_view_indices(6, 3);
    const auto sparse = select_views(scan, idx);
    EXPECT_EQ(sparse.theta_deg, (std::vector<float>{0, 90}));
    ASSERT_EQ(sparse.data.shape(), (Shape{2, 1, 2}));
    EXPECT_EQ(sparse.data[2], scan.data[6]);
    EXPECT_EQ(sparse.white.shape(), scan.white.shape());
    const std::vector<std::int64_t> bad{6};
    EXPECT_THROW(select_views(scan, bad), Error);
}

TEST(Dose, RejectsInvalidOptions) {
    const auto p = constant_integrals(2, 1, 1, 0);
    EXPECT_THROW(expose(p, {0, 90}, DoseOptions{.i0 = 0}), Error);
    EXPECT_THROW(expose(p, {0}, DoseOptions{}), Error);
}

TEST(Normalise, GuardsClampAndCountNonPositiveValues) {
    Projections s;
    s.data = Tensor<float>(Shape{2, 1, 3});
    s.white = Tensor<float>(Shape{2, 1, 3}, 100.0f);
    s.dark = Tensor<float>(Shape{1, 1, 3}, 10.0f);
    s.white[2] = 10.0f, s.white[5] = 10.0f;  // column 2: white == dark (dead pixel)
    s.theta_deg = {0, 90};
    const float d[] = {55, 10, 40, 5, 9, 100};  // 10 and 5 and 9 are at or below the dark level
    std::copy(d, d + 6, s.data.begin());
    NormaliseStats stats;
    const Tensor<float> sino = normalise(s, stats, NormaliseOptions{0.5f, "test.h5"});
    EXPECT_EQ(stats.values, 6);
    EXPECT_EQ(stats.clamped, 3);   // (0, col 1), (1, col 0), (1, col 1); column 2 is a bad flat
    EXPECT_EQ(stats.bad_flat, 2);
    EXPECT_NEAR(sino[0], -std::log(45.0 / 90.0), 1e-6);
    EXPECT_NEAR(sino[1], -std::log(0.5 / 90.0), 1e-5);  // clamped to half a count
    EXPECT_EQ(sino[2], 0.0f);                           // dead pixel: transmission 1
    for (float v : sino.span()) EXPECT_TRUE(std::isfinite(v));
}

TEST(Normalise, MismatchedFieldsAndThetaAreClearErrors) {
    const auto make = [] {
        Projections s;
        s.data = Tensor<float>(Shape{3, 4, 5}, 50.0f);
        s.white = Tensor<float>(Shape{2, 4, 5}, 100.0f);
        s.dark = Tensor<float>(Shape{1, 4, 5}, 0.0f);
        s.theta_deg = {0, 60, 120};
        return s;
    };
    NormaliseStats st;
    auto s = make();
    s.white = Tensor<float>(Shape{2, 4, 6}, 100.0f);
    try {
        normalise(s, st, {0.5f, "scan.h5"});
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("scan.h5: /exchange/data_white"), std::string::npos) << e.what();
    }
    s = make();
    s.dark = Tensor<float>(Shape{1, 3, 5}, 0.0f);
    EXPECT_THROW(normalise(s, st), Error);
    s = make();
    s.theta_deg = {0, 90};
    try {
        normalise(s, st, {0.5f, "scan.h5"});
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("theta has 2 angles"), std::string::npos) << e.what();
    }
}
