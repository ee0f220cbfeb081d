// Backprojection and FBP: fast kernel vs the reference loop, FBP of analytic phantoms vs the
// phantoms, and the centre of rotation found from the data.
#include "core/error.hpp"
#include "recon/backproject.hpp"
#include "recon/fbp.hpp"
#include "recon/phantom.hpp"
#include "recon/projector.hpp"
#include "recon/rotation_centre.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

using namespace tomoedge;
using namespace tomoedge::recon;

TEST(Backproject, FastKernelMatchesReferenceLoop) {
    // Odd sizes (tiles hang over the edges), a detector narrower and wider than the image, an
    // off-centre axis, angles over a full turn.
    for (auto [cols, size, centre] : {std::tuple<std::int64_t, std::int64_t, double>{70, 61, 36.3},
                                      {50, 90, 20.0}, {128, 128, 63.5}}) {
        std::vector<float> theta;
        for (int a = 0; a < 37; ++a) theta.push_back(static_cast<float>(a * 2 * std::numbers::pi / 37 + 0.01));
        std::mt19937 rng(static_cast<unsigned>(cols));
        std::uniform_real_distribution<float> d(-1, 1);
        std::vector<float> q(static_cast<std::size_t>(37 * cols));
        for (float& v : q) v = d(rng);
        std::vector<float> ref(static_cast<std::size_t>(size * size));
        backproject_reference(q.data(), theta, cols, centre, 0.5f, ref.data(), size);
        for (bool portable : {false, true}) {
            std::vector<float> fast(ref.size());
            Backprojector bp(theta, cols, size, centre, portable);
            bp.run(q.data(), 0.5f, fast.data());
            // float positions (|u| ~ 200, eps 1.5e-5) vs double: interpolation differences of
            // that order times the sample differences (<= 2), summed over 37 angles.
            for (std::size_t i = 0; i < fast.size(); ++i)
                ASSERT_NEAR(fast[i], ref[i], 2e-4) << "pixel " << i << " " << bp.kernel_name();
        }
    }
}

TEST(Fbp, DiscOfAttenuationMuReconstructsToMu) {
    const std::int64_t N = 128;
    const double mu = 0.02;
    const auto theta_deg = angles_deg(200);
    const auto sino = project({make_ellipse(3, -2, 40, 40, 0, mu)}, to_radians(theta_deg), N);
    for (FilterWindow w : {FilterWindow::ram_lak, FilterWindow::shepp_logan, FilterWindow::hann}) {
        Fbp fbp(theta_deg, N, FbpOptions{w, -1, 0});
        Tensor<float> img(Shape{N, N});
        fbp.reconstruct(sino.data(), img.data());
        // Interior (radius < 35 around the disc's centre, 5 px from the edge) and exterior (> 46).
        // The axis is at pixel (64, 64) and y points up: the disc's centre is at row 66, column 67.
        double in = 0, out = 0;
        int n_in = 0, n_out = 0;
        for (std::int64_t i = 0; i < N; ++i)
            for (std::int64_t j = 0; j < N; ++j) {
                const double r = std::hypot(j - 64.0 - 3, i - 64.0 - 2);
                if (r < 35) in += img[i * N + j], ++n_in;
                if (r > 46 && std::hypot(j - 64.0, i - 64.0) < 60) out += std::abs(img[i * N + j]), ++n_out;
            }
        EXPECT_NEAR(in / n_in, mu, 0.005 * mu) << filter_window_name(w);
        EXPECT_LT(out / n_out, 0.01 * mu) << filter_window_name(w);
    }
}

// Noise-free FBP of the Shepp-Logan slice vs the phantom, over the pixels at least 3 px from any
// edge (their 7x7 neighbourhood in the phantom is constant) inside the field of view.
// Bounds: mean |error| < 1% of the skull attenuation, mean signed error < 0.1% of it.
// Why they hold: the projections are exact line integrals, so what is left is (1) aliasing of
// the sharp edges (point-sampled detector), which the ramp turns into zero-mean ringing that
// decays away from the edges (it shrinks with N: about 1.0%, 0.8%, 0.57% of the skull for
// N = 128, 256, 512 with Ram-Lak, 0.63% with the Shepp-Logan window at N = 256), (2) angular
// undersampling streaks, negligible with more than pi/2 x N angles, and (3) linear interpolation
// on the detector, exact on flat regions. None of these shifts the mean (measured 0.002%), so a
// bias would mean a wrong scale, DC term or geometry.
TEST(Fbp, NoiseFreeSheppLoganMatchesPhantomAwayFromEdges) {
    const std::int64_t N = 256;
    const auto ellipses = slice_phantom(shepp_logan_3d(), 0.0, N);
    const auto theta_deg = angles_deg(402);
    const Tensor<float> sino = project(ellipses, to_radians(theta_deg), N);
    Fbp fbp(theta_deg, N, FbpOptions{FilterWindow::shepp_logan, -1, 0});
    Tensor<float> img(Shape{N, N});
    fbp.reconstruct(sino.data(), img.data());
    const Tensor<float> truth = rasterise(ellipses, N);
    const double skull = 1.0 / (N / 2.0);
    double err = 0, bias = 0;
    std::int64_t count = 0;
    for (std::int64_t i = 3; i < N - 3; ++i)
        for (std::int64_t j = 3; j < N - 3; ++j) {
            if (std::hypot(i - (N - 1) / 2.0, j - (N - 1) / 2.0) > N / 2.0 - 2) continue;  // outside the FOV
            bool flat = true;
            for (std::int64_t di = -3; di <= 3 && flat; ++di)
                for (std::int64_t dj = -3; dj <= 3 && flat; ++dj) flat = truth[(i + di) * N + j + dj] == truth[i * N + j];
            if (!flat) continue;
            err += std::abs(img[i * N + j] - truth[i * N + j]);
            bias += img[i * N + j] - truth[i * N + j];
            ++count;
        }
    ASSERT_GT(count, N * N / 3);
    EXPECT_LT(err / count, 0.01 * skull);
    EXPECT_LT(std::abs(bias / count), 0.001 * skull);
}

TEST(Fbp, OffCentreAxisIsReconstructedWithTheGivenCentre) {
    const std::int64_t N = 96;
    const double true_centre = 52.7;  // detector column of the axis, not the middle
    const auto theta_deg = angles_deg(150);
    const std::vector<Ellipse> ellipses{make_ellipse(-12, 8, 14, 9, 0.3, 0.05), make_ellipse(15, -10, 8, 8, 0, 0.03)};
    Tensor<float> sino(Shape{150, N});
    project(ellipses, to_radians(theta_deg), N, true_centre, sino.data(), N);
    const Tensor<float> truth = rasterise(ellipses, N);
    const auto mean_error = [&](double centre) {
        Fbp fbp(theta_deg, N, FbpOptions{FilterWindow::shepp_logan, centre, 0});
        Tensor<float> img(Shape{N, N});
        fbp.reconstruct(sino.data(), img.data());
        double e = 0;
        for (std::int64_t i = 0; i < N * N; ++i) e += std::abs(img[i] - truth[i]);
        return e / static_cast<double>(N * N);
    };
    // The error left with the right centre is edge ringing (~5% of the mean value); a 5 px
    // centre error smears every feature over a ring and is several times worse.
    EXPECT_LT(mean_error(true_centre), 0.1 * 0.05 * 0.15);
    EXPECT_GT(mean_error(47.5), 3 * mean_error(true_centre));
}

class RotationCentre : public ::testing::TestWithParam<double> {};

TEST_P(RotationCentre, RecoveredFromShiftedSinogram) {
    const std::int64_t N = 128, rows = 4;
    const double centre = GetParam();
    FoamOptions fo;
    fo.seed = 9;
    const Phantom p = foam_phantom(fo);
    for (int full_turn = 0; full_turn < 2; ++full_turn) {
        std::vector<float> theta_deg;
        const int A = 181;
        for (int a = 0; a < A; ++a) theta_deg.push_back(static_cast<float>(a * (full_turn ? 360.0 : 180.0) / A));
        Tensor<float> sino(Shape{rows, A, N});
        for (std::int64_t r = 0; r < rows; ++r)
            project(slice_phantom(p, slice_z(r, rows, N), N), to_radians(theta_deg), N, centre, sino.outer(r), N);
        EXPECT_NEAR(find_rotation_centre(sino.data(), rows, A, N, theta_deg), centre, 0.1) << "full turn " << full_turn;
        // With Poisson-like noise (5% of the signal), still within a quarter pixel.
        std::mt19937 rng(4);
        std::normal_distribution<float> noise(0, 1);
        for (float& v : sino.span()) v += 0.05f * v * noise(rng);
        EXPECT_NEAR(find_rotation_centre(sino.data(), rows, A, N, theta_deg), centre, 0.25) << "noisy";
    }
}

INSTANTIATE_TEST_SUITE_P(Shifts, RotationCentre, ::testing::Values(63.5, 66.8, 58.25, 71.0));

TEST(RotationCentreErrors, NeedsOppositeProjections) {
    std::vector<float> theta_deg{0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    std::vector<float> sino(10 * 32, 1.0f);
    EXPECT_THROW(find_rotation_centre(sino.data(), 1, 10, 32, theta_deg), Error);
    EXPECT_THROW(find_rotation_centre(sino.data(), 1, 10, 32, std::vector<float>(3)), Error);
}

TEST(Fbp, RejectsBadGeometry) {
    const auto theta = angles_deg(10);
    EXPECT_THROW(Fbp(std::vector<float>{}, 32, FbpOptions{}), Error);
    EXPECT_THROW(Fbp(theta, 32, FbpOptions{FilterWindow::ram_lak, 40.0, 0}), Error);
    Fbp fbp(theta, 32, FbpOptions{});
    EXPECT_THROW(fbp.reconstruct(Tensor<float>(Shape{1, 9, 32})), Error);
    EXPECT_EQ(fbp.reconstruct(Tensor<float>(Shape{2, 10, 32}, 0.0f)).shape(), (Shape{2, 32, 32}));
}
