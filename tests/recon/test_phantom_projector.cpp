// Phantoms and the analytic projector against closed forms.
#include "core/error.hpp"
#include "recon/phantom.hpp"
#include "recon/projector.hpp"
#include "support/error_message.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <set>

using namespace tomoedge;
using namespace tomoedge::recon;
using tomoedge::testing::message_of;

namespace {
constexpr double kPi = std::numbers::pi;

// Kak & Slaney (eq. 3.6 ff.): projection of an ellipse with semi-axes A (x), B (y), rotated by
// alpha, centred at (cx, cy), value rho:
//   p(theta, s) = 2 rho A B sqrt(a2 - s'^2) / a2,  a2 = A^2 cos^2(theta - alpha) + B^2 sin^2(theta - alpha),
//   s' = s - (cx cos theta + cy sin theta), 0 when |s'| > sqrt(a2).
double ellipse_projection(double A, double B, double alpha, double cx, double cy, double rho, double theta, double s) {
    const double a2 = A * A * std::pow(std::cos(theta - alpha), 2) + B * B * std::pow(std::sin(theta - alpha), 2);
    const double sp = s - (cx * std::cos(theta) + cy * std::sin(theta));
    return sp * sp >= a2 ? 0.0 : 2 * rho * A * B * std::sqrt(a2 - sp * sp) / a2;
}

double correlation(const Tensor<float>& a, const Tensor<float>& b) {
    double ma = 0, mb = 0;
    for (std::int64_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
    ma /= static_cast<double>(a.size()), mb /= static_cast<double>(b.size());
    double ab = 0, aa = 0, bb = 0;
    for (std::int64_t i = 0; i < a.size(); ++i) {
        ab += (a[i] - ma) * (b[i] - mb), aa += (a[i] - ma) * (a[i] - ma), bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / std::sqrt(aa * bb);
}
}  // namespace

TEST(Projector, DiscMatchesClosedForm) {
    const double R = 20.5, mu = 0.03;
    const std::vector<Ellipse> disc{make_ellipse(0, 0, R, R, 0, mu)};
    const auto theta = to_radians(angles_deg(7));
    const Tensor<float> sino = project(disc, theta, 64);
    for (std::int64_t a = 0; a < 7; ++a)
        for (std::int64_t u = 0; u < 64; ++u) {
            const double s = static_cast<double>(u) - 32;  // the default centre, 64 // 2
            const double expected = std::abs(s) < R ? 2 * mu * std::sqrt(R * R - s * s) : 0.0;
            EXPECT_NEAR(sino[a * 64 + u], expected, 1e-5) << "angle " << a << " u " << u;
        }
}

TEST(Projector, RotatedOffCentreEllipseMatchesClosedForm) {
    const double A = 17, B = 6, alpha = 0.4, cx = 5.5, cy = -8, rho = 0.7;
    const std::vector<Ellipse> e{make_ellipse(cx, cy, A, B, alpha, rho)};
    const auto theta = to_radians(angles_deg(36));
    const double centre = 40.25;
    Tensor<float> sino(Shape{36, 80});
    project(e, theta, 80, centre, sino.data(), 80);
    double max_expected = 0;
    for (std::int64_t a = 0; a < 36; ++a)
        for (std::int64_t u = 0; u < 80; ++u) {
            const double expected = ellipse_projection(A, B, alpha, cx, cy, rho, theta[static_cast<std::size_t>(a)],
                                                       static_cast<double>(u) - centre);
            max_expected = std::max(max_expected, expected);
            EXPECT_NEAR(sino[a * 80 + u], expected, 2e-5 * std::max(1.0, expected));
        }
    EXPECT_GT(max_expected, 5.0);  // the ellipse was really hit
}

TEST(Projector, OppositeAnglesAreMirrored) {
    // p(theta + pi, s) = p(theta, -s) for any object (here a foam slice).
    FoamOptions fo;
    fo.seed = 3;
    const auto ellipses = slice_phantom(foam_phantom(fo), 0.1, 96);
    std::vector<float> theta{0.3f, 0.3f + static_cast<float>(kPi), 1.1f, 1.1f + static_cast<float>(kPi)};
    const Tensor<float> sino = project(ellipses, theta, 96);  // centre 96 // 2 = 48: u <-> 96 - u
    for (int pair = 0; pair < 2; ++pair)
        for (std::int64_t u = 1; u < 96; ++u)
            EXPECT_NEAR(sino[(2 * pair) * 96 + u], sino[(2 * pair + 1) * 96 + (96 - u)], 1e-4);
}

TEST(Phantom, SphereCutIsCircleOfTheRightRadius) {
    Phantom p{"sphere", {{{0.1, -0.2, 0.05}, {0.5, 0.5, 0.5}, {10, 20, 30}, 2.0}}};
    const double z = 0.35, N = 200, k = N / 2;
    const auto cut = slice_phantom(p, z, static_cast<std::int64_t>(N));
    ASSERT_EQ(cut.size(), 1u);
    const double r = std::sqrt(0.25 - 0.3 * 0.3) * k;  // |z - z_c| = 0.3
    EXPECT_NEAR(cut[0].cx, 0.1 * k, 1e-9);
    EXPECT_NEAR(cut[0].cy, -0.2 * k, 1e-9);  // y up in phantom units and in pixel units
    EXPECT_NEAR(cut[0].qxx, 1 / (r * r), 1e-12);
    EXPECT_NEAR(cut[0].qyy, 1 / (r * r), 1e-12);
    EXPECT_NEAR(cut[0].qxy, 0, 1e-12);
    EXPECT_NEAR(cut[0].value, 2.0 / k, 1e-15);  // attenuation per pixel
    EXPECT_TRUE(slice_phantom(p, 0.6, 200).empty());  // the plane misses the sphere
}

TEST(Phantom, TiltedEllipsoidCutAgreesWithPointMembership) {
    // Oracle: a point is inside the ellipsoid when its body coordinates b = R^T (x - c) satisfy
    // sum (b_i / a_i)^2 <= 1, with R = Rz(phi) Rx(theta) Rz(psi) built here independently.
    const Ellipsoid e{{0.1, 0.05, -0.1}, {0.6, 0.3, 0.2}, {30, 50, 70}, 1.0};
    const auto rot = [](double phi, double th, double psi, const std::array<double, 3>& v) {
        // applies R^T = Rz(-psi) Rx(-theta) Rz(-phi) to v
        auto rz = [](double a, std::array<double, 3> x) {
            return std::array<double, 3>{std::cos(a) * x[0] - std::sin(a) * x[1], std::sin(a) * x[0] + std::cos(a) * x[1], x[2]};
        };
        auto rx = [](double a, std::array<double, 3> x) {
            return std::array<double, 3>{x[0], std::cos(a) * x[1] - std::sin(a) * x[2], std::sin(a) * x[1] + std::cos(a) * x[2]};
        };
        return rz(-psi, rx(-th, rz(-phi, v)));
    };
    const double z = 0.02, N = 100, k = N / 2;
    const auto cut = slice_phantom(Phantom{"e", {e}}, z, 100);
    ASSERT_EQ(cut.size(), 1u);
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> d(-1, 1);
    int inside = 0;
    for (int n = 0; n < 20000; ++n) {
        const double x = d(rng), y = d(rng);
        const auto b = rot(30 * kPi / 180, 50 * kPi / 180, 70 * kPi / 180, {x - 0.1, y - 0.05, z + 0.1});
        const double q = std::pow(b[0] / 0.6, 2) + std::pow(b[1] / 0.3, 2) + std::pow(b[2] / 0.2, 2);
        const double px = x * k - cut[0].cx, py = y * k - cut[0].cy;
        const double q2 = cut[0].qxx * px * px + 2 * cut[0].qxy * px * py + cut[0].qyy * py * py;
        if (std::abs(q - 1) < 1e-9) continue;
        EXPECT_EQ(q <= 1, q2 <= 1) << x << "," << y;
        inside += q <= 1;
    }
    EXPECT_GT(inside, 500);
}

TEST(Phantom, RasterisedDiscHasAreaPiR2) {
    const double R = 30;
    const Tensor<float> img = rasterise({make_ellipse(0.3, -0.2, R, R, 0, 1.0)}, 80, 4);
    double sum = 0;
    for (float v : img.span()) sum += v;
    EXPECT_NEAR(sum, kPi * R * R, 0.002 * kPi * R * R);
}

TEST(Phantom, FoamIsSeededInsideTheCylinderAndNonOverlapping) {
    FoamOptions o;
    o.seed = 11;
    o.z_min = -0.3, o.z_max = 0.3;
    const Phantom a = foam_phantom(o), b = foam_phantom(o);
    ASSERT_EQ(a.ellipsoids.size(), b.ellipsoids.size());
    for (std::size_t i = 0; i < a.ellipsoids.size(); ++i) EXPECT_EQ(a.ellipsoids[i].centre, b.ellipsoids[i].centre);
    o.seed = 12;
    EXPECT_NE(foam_phantom(o).ellipsoids[1].centre, a.ellipsoids[1].centre);
    ASSERT_GT(a.ellipsoids.size(), 20u);
    for (std::size_t i = 1; i < a.ellipsoids.size(); ++i) {
        const auto& e = a.ellipsoids[i];
        const double r = std::max({e.semi_axes[0], e.semi_axes[1], e.semi_axes[2]});
        EXPECT_LE(std::hypot(e.centre[0], e.centre[1]) + r, o.cylinder_radius);
        EXPECT_GE(e.centre[2], o.z_min);
        EXPECT_LE(e.centre[2], o.z_max);
        for (std::size_t j = 1; j < i; ++j) {
            const auto& f = a.ellipsoids[j];
            const double rf = std::max({f.semi_axes[0], f.semi_axes[1], f.semi_axes[2]});
            EXPECT_GE(std::hypot(e.centre[0] - f.centre[0], e.centre[1] - f.centre[1], e.centre[2] - f.centre[2]), r + rf);
        }
    }
    EXPECT_THROW(foam_phantom(FoamOptions{.seed = 0, .count = 5, .cylinder_radius = 0.1}), Error);
}

TEST(Phantom, RandomFamiliesAreSeededAndStayInsideTheFieldOfView) {
    constexpr std::int64_t n = 96;
    for (const char* family : {"ellipses", "fibres", "layers", "foam"}) {
        SCOPED_TRACE(family);
        const RandomSlabOptions slab{5, -0.2, 0.2};
        const Phantom a = make_phantom(family, slab), b = make_phantom(family, slab);
        ASSERT_EQ(a.ellipsoids.size(), b.ellipsoids.size());
        ASSERT_GT(a.ellipsoids.size(), 5u);
        for (std::size_t i = 0; i < a.ellipsoids.size(); ++i) EXPECT_EQ(a.ellipsoids[i].centre, b.ellipsoids[i].centre);
        EXPECT_NE(make_phantom(family, RandomSlabOptions{6, -0.2, 0.2}).ellipsoids.back().centre, a.ellipsoids.back().centre);
        // The slice is a real image (several values), finite, and nothing lies outside 0.95 of the
        // field of view's radius (the projector would see it at some angles only).
        const Tensor<float> image = rasterise(slice_phantom(a, 0.0, n), n);
        std::set<float> values;
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t j = 0; j < n; ++j) {
                const float v = image.data()[i * n + j];
                ASSERT_TRUE(std::isfinite(v));
                values.insert(v);
                if (std::hypot(static_cast<double>(i) - n / 2, static_cast<double>(j) - n / 2) > 0.95 * n / 2) {
                    EXPECT_EQ(v, 0.0f) << "pixel " << i << ", " << j;
                }
            }
        EXPECT_GE(values.size(), 4u);
    }
    EXPECT_EQ(make_phantom("shepp-logan", {}).name, "shepp-logan");
    const std::string message = message_of([] { make_phantom("sponge", {}); });
    EXPECT_NE(message.find("'sponge'"), std::string::npos) << message;
    EXPECT_NE(message.find("layers"), std::string::npos) << message;
    EXPECT_THROW(make_phantom("fibres", RandomSlabOptions{0, 1, -1}), Error);
}

TEST(Phantom, NeighbouringSlicesAreCorrelated) {
    // True 3-D objects: adjacent slices (one voxel apart) are nearly the same image, slices far
    // apart much less so.
    const std::int64_t N = 128, S = 64;
    FoamOptions o;
    o.seed = 5;
    o.z_min = slice_z(0, S, N), o.z_max = slice_z(S - 1, S, N);
    const Phantom p = foam_phantom(o);
    const auto img = [&](std::int64_t k) { return rasterise(slice_phantom(p, slice_z(k, S, N), N), N); };
    const auto a = img(30), b = img(31), far = img(60);
    EXPECT_GT(correlation(a, b), 0.9);
    EXPECT_LT(correlation(a, far), correlation(a, b) - 0.1);
    EXPECT_NEAR(slice_z(31, S, N) - slice_z(30, S, N), 2.0 / N, 1e-12);
}

TEST(Phantom, SheppLoganSliceHasTheKnownValues) {
    // Modified Shepp-Logan at z = 0: skull 1.0, brain 1.0 - 0.8 = 0.2 (per normalised unit).
    const std::int64_t N = 256;
    const auto img = rasterise(slice_phantom(shepp_logan_3d(), 0.0, N), N);
    const double k = N / 2.0;
    EXPECT_NEAR(img[(N / 2) * N + N / 2 - 5] * k, 0.2, 1e-6);                  // brain near the centre
    EXPECT_NEAR(img[(N / 2) * N + static_cast<std::int64_t>(N / 2 + 0.68 * k)] * k, 1.0, 1e-6);  // skull
    EXPECT_EQ(img[0], 0.0f);  // outside the head
}

TEST(Projector, AnglesAreEvenOverHalfTurn) {
    const auto d = angles_deg(4);
    EXPECT_EQ(d, (std::vector<float>{0, 45, 90, 135}));
    EXPECT_THROW(angles_deg(0), Error);
}
