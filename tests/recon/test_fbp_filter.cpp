// The ramp filter and its windows against closed forms; the FFT path against direct convolution.
#include "core/error.hpp"
#include "recon/fbp_filter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

using namespace tomoedge;
using namespace tomoedge::recon;

namespace {
constexpr double kPi = std::numbers::pi;
const FilterWindow kAll[] = {FilterWindow::ram_lak, FilterWindow::shepp_logan, FilterWindow::cosine,
                             FilterWindow::hamming, FilterWindow::hann};

// Spatial Ram-Lak kernel (Kak & Slaney eq. 3.61 with tau = 1).
double ramlak(std::int64_t n) {
    if (n == 0) return 0.25;
    return n % 2 != 0 ? -1.0 / (kPi * kPi * static_cast<double>(n * n)) : 0.0;
}
}  // namespace

TEST(FbpFilter, WindowsMatchClosedForms) {
    // Values at w = 0, 1/2, 1 written out by hand.
    EXPECT_DOUBLE_EQ(window_value(FilterWindow::ram_lak, 0.7), 1.0);
    EXPECT_DOUBLE_EQ(window_value(FilterWindow::shepp_logan, 0.0), 1.0);
    EXPECT_NEAR(window_value(FilterWindow::shepp_logan, 1.0), 2.0 / kPi, 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::shepp_logan, 0.5), std::sin(kPi / 4) / (kPi / 4), 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::cosine, 0.5), std::sqrt(0.5), 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::cosine, 1.0), 0.0, 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::hamming, 0.0), 1.0, 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::hamming, 0.5), 0.54, 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::hamming, 1.0), 0.08, 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::hann, 0.5), 0.5, 1e-15);
    EXPECT_NEAR(window_value(FilterWindow::hann, 1.0), 0.0, 1e-15);
}

TEST(FbpFilter, ResponseIsRampTimesWindow) {
    const std::int64_t L = 256;
    const auto ramp = filter_response(FilterWindow::ram_lak, L);
    ASSERT_EQ(ramp.size(), static_cast<std::size_t>(L / 2 + 1));
    // Oracle 1: the DFT of the spatial kernel, summed over the whole circle here.
    for (std::int64_t k = 0; k <= L / 2; ++k) {
        double dft = 0;
        for (std::int64_t n = -L / 2 + 1; n <= L / 2; ++n) dft += ramlak(n) * std::cos(2 * kPi * k * n / L);
        EXPECT_NEAR(ramp[static_cast<std::size_t>(k)], dft, 1e-12);
    }
    // Oracle 2: the continuous ramp |f| (f = k / L cycles per sample). The truncated kernel's
    // tail sum_{|n| >= L/2} 1/(pi n)^2 ~ 2 / (pi^2 L) bounds the difference.
    const double tail = 2.0 / (kPi * kPi * static_cast<double>(L)) * 1.01;
    for (std::int64_t k = 0; k <= L / 2; ++k)
        EXPECT_NEAR(ramp[static_cast<std::size_t>(k)], static_cast<double>(k) / L, tail) << k;
    EXPECT_GT(ramp[0], 0.0);  // the DC term is kept (no cupping)
    for (FilterWindow w : kAll) {
        const auto r = filter_response(w, L);
        for (std::int64_t k = 0; k <= L / 2; ++k)
            EXPECT_NEAR(r[static_cast<std::size_t>(k)],
                        ramp[static_cast<std::size_t>(k)] * window_value(w, static_cast<double>(k) / (L / 2)), 1e-15)
                << filter_window_name(w) << " bin " << k;
    }
}

TEST(FbpFilter, FftFilteringEqualsDirectLinearConvolution) {
    // With zero padding to >= 2 cols the circular convolution the FFT computes equals the linear
    // convolution of the row with the Ram-Lak kernel: q[u] = sum_v p[v] h[u - v].
    const std::int64_t cols = 75;
    RampFilter f(cols, FilterWindow::ram_lak);
    EXPECT_EQ(f.padded(), 256);
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> d(0, 1);
    std::vector<float> rows(3 * 80);
    for (float& v : rows) v = d(rng);
    const std::vector<float> original = rows;
    f.apply(rows.data(), 3, 80);  // stride 80 > cols: the gap is untouched
    for (int r = 0; r < 3; ++r) {
        for (std::int64_t u = 0; u < cols; ++u) {
            double q = 0;
            for (std::int64_t v = 0; v < cols; ++v) q += original[static_cast<std::size_t>(r * 80 + v)] * ramlak(u - v);
            EXPECT_NEAR(rows[static_cast<std::size_t>(r * 80 + u)], q, 2e-6);
        }
        for (std::int64_t u = cols; u < 80; ++u)
            EXPECT_EQ(rows[static_cast<std::size_t>(r * 80 + u)], original[static_cast<std::size_t>(r * 80 + u)]);
    }
}

TEST(FbpFilter, ConcurrentUseGivesTheSameResult) {
    RampFilter f(64, FilterWindow::hann);
    std::vector<float> a(64 * 32), b;
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>((i * 37) % 11);
    b = a;
    f.apply(b.data(), 32, 64);
#pragma omp parallel for
    for (int r = 0; r < 32; ++r) f.apply(a.data() + r * 64, 1, 64);
    EXPECT_EQ(a, b);
}

TEST(FbpFilter, NamesParseAndUnknownIsAnError) {
    for (FilterWindow w : kAll) EXPECT_EQ(parse_filter_window(filter_window_name(w)), w);
    EXPECT_EQ(parse_filter_window("ramp"), FilterWindow::ram_lak);
    try {
        parse_filter_window("butterworth");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("hamming"), std::string::npos) << e.what();
    }
    EXPECT_EQ(padded_length(1024), 2048);
    EXPECT_EQ(padded_length(1025), 4096);
    EXPECT_EQ(padded_length(10), 64);
    EXPECT_THROW(padded_length(0), Error);
}
