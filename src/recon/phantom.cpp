#include "recon/phantom.hpp"

#include "core/error.hpp"
#include "recon/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace tomoedge::recon {
namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;

Mat3 multiply(const Mat3& a, const Mat3& b) {
    Mat3 c{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
    return c;
}

Mat3 rotation_z(double rad) {
    const double c = std::cos(rad), s = std::sin(rad);
    return Mat3{{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}};
}

Mat3 rotation_x(double rad) {
    const double c = std::cos(rad), s = std::sin(rad);
    return Mat3{{{1, 0, 0}, {0, c, -s}, {0, s, c}}};
}

// The quadric M of an ellipsoid: inside when (x - c)^T M (x - c) <= 1, M = R diag(1/a^2) R^T.
Mat3 quadric(const Ellipsoid& e) {
    constexpr double deg = std::numbers::pi / 180.0;
    const Mat3 r = multiply(multiply(rotation_z(e.euler_deg[0] * deg), rotation_x(e.euler_deg[1] * deg)),
                            rotation_z(e.euler_deg[2] * deg));
    Mat3 m{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k) m[i][j] += r[i][k] * r[j][k] / (e.semi_axes[k] * e.semi_axes[k]);
    return m;
}

}  // namespace

Phantom shepp_logan_3d() {
    // value, semi-axes (x, y, z), centre (x, y, z), Euler angles (deg). y points up (anterior).
    struct Row {
        double value, a, b, c, x, y, z, phi, theta, psi;
    };
    static constexpr Row rows[] = {
        {1.0, 0.6900, 0.920, 0.810, 0.00, 0.0000, 0.00, 0, 0, 0},
        {-0.8, 0.6624, 0.874, 0.780, 0.00, -0.0184, 0.00, 0, 0, 0},
        {-0.2, 0.1100, 0.310, 0.220, 0.22, 0.0000, 0.00, -18, 0, 10},
        {-0.2, 0.1600, 0.410, 0.280, -0.22, 0.0000, 0.00, 18, 0, 10},
        {0.1, 0.2100, 0.250, 0.410, 0.00, 0.3500, -0.15, 0, 0, 0},
        {0.1, 0.0460, 0.046, 0.050, 0.00, 0.1000, 0.25, 0, 0, 0},
        {0.1, 0.0460, 0.046, 0.050, 0.00, -0.1000, 0.25, 0, 0, 0},
        {0.1, 0.0460, 0.023, 0.050, -0.08, -0.6050, 0.00, 0, 0, 0},
        {0.1, 0.0230, 0.023, 0.020, 0.00, -0.6060, 0.00, 0, 0, 0},
        {0.1, 0.0230, 0.046, 0.020, 0.06, -0.6050, 0.00, 0, 0, 0},
    };
    Phantom p{"shepp-logan", {}};
    for (const Row& r : rows)
        p.ellipsoids.push_back({{r.x, r.y, r.z}, {r.a, r.b, r.c}, {r.phi, r.theta, r.psi}, r.value});
    return p;
}

Phantom foam_phantom(const FoamOptions& o) {
    if (!(o.cylinder_radius > 0 && o.min_radius > 0 && o.max_radius >= o.min_radius &&
          o.max_radius < o.cylinder_radius && o.z_max >= o.z_min && o.count >= 0))
        fail("foam phantom: invalid options (radii {}..{} in a cylinder of radius {}, {} inclusions)",
             o.min_radius, o.max_radius, o.cylinder_radius, o.count);
    Phantom p{"foam", {}};
    // The container: an ellipsoid so long along z that every slice cuts it as a circle of radius R
    // (relative error R z^2 / 2c^2 < 1e-9 for |z| <= 2).
    p.ellipsoids.push_back({{0, 0, 0}, {o.cylinder_radius, o.cylinder_radius, 1e5}, {0, 0, 0}, o.matrix_value});

    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Grains denser than the matrix and voids (attenuation 0: the value cancels the matrix).
    const double kinds[] = {1.0, 0.5, -o.matrix_value, 1.5};
    struct Placed {
        double x, y, z, r;
    };
    std::vector<Placed> placed;
    const int max_tries = 200 * std::max(o.count, 1);
    for (int attempt = 0; attempt < max_tries && static_cast<int>(placed.size()) < o.count; ++attempt) {
        // More small inclusions than large ones, as in a packed foam.
        const double u = unit(rng);
        const double radius = o.min_radius + (o.max_radius - o.min_radius) * u * u;
        const double room = o.cylinder_radius - radius - 0.01;
        if (room <= 0) continue;
        const double rr = room * std::sqrt(unit(rng)), phi = 2 * std::numbers::pi * unit(rng);
        const double x = rr * std::cos(phi), y = rr * std::sin(phi);
        const double z = o.z_min + (o.z_max - o.z_min) * unit(rng);
        bool overlaps = false;
        for (const Placed& q : placed) {
            const double d = std::hypot(x - q.x, y - q.y, z - q.z);
            if (d < radius + q.r + 0.01) {
                overlaps = true;
                break;
            }
        }
        if (overlaps) continue;
        placed.push_back({x, y, z, radius});
        Ellipsoid e;
        e.centre = {x, y, z};
        e.value = kinds[static_cast<std::size_t>(unit(rng) * 4) % 4];
        if (unit(rng) < 0.5) {
            e.semi_axes = {radius, radius, radius};
        } else {
            e.semi_axes = {radius, radius * (0.45 + 0.55 * unit(rng)), radius * (0.45 + 0.55 * unit(rng))};
            e.euler_deg = {360 * unit(rng), 180 * unit(rng), 360 * unit(rng)};
        }
        p.ellipsoids.push_back(e);
    }
    return p;
}

namespace {

// A container along z: so long that every slice cuts it as a circle of radius r (see foam_phantom).
Ellipsoid cylinder(double r, double value) { return {{0, 0, 0}, {r, r, 1e5}, {0, 0, 0}, value}; }

void check_slab(const RandomSlabOptions& o, const char* family) {
    if (!(o.z_max >= o.z_min) || !std::isfinite(o.z_min) || !std::isfinite(o.z_max))
        fail("{} phantom: invalid z range {}..{}", family, o.z_min, o.z_max);
}

}  // namespace

Phantom random_ellipses_phantom(const RandomSlabOptions& o) {
    check_slab(o, "ellipses");
    Phantom p{"ellipses", {cylinder(0.9, 0.3)}};
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Enough ellipsoids that a thick slab is as busy as a thin one.
    const int count = static_cast<int>(std::clamp(25.0 + 40.0 * (o.z_max - o.z_min), 25.0, 300.0));
    for (int k = 0; k < count; ++k) {
        const double a = 0.03 + 0.32 * unit(rng) * unit(rng);
        const double b = a * (0.2 + 0.8 * unit(rng)), c = a * (0.3 + 0.7 * unit(rng));
        const double room = 0.9 - a;  // keep the in-plane extent inside the container
        const double rr = room * std::sqrt(unit(rng)), phi = 2 * std::numbers::pi * unit(rng);
        Ellipsoid e;
        e.centre = {rr * std::cos(phi), rr * std::sin(phi), o.z_min + (o.z_max - o.z_min) * unit(rng)};
        e.semi_axes = {a, b, c};
        e.euler_deg = {360 * unit(rng), 180 * unit(rng), 360 * unit(rng)};
        e.value = unit(rng) < 0.35 ? -(0.05 + 0.2 * unit(rng)) : 0.05 + 0.45 * unit(rng);
        p.ellipsoids.push_back(e);
    }
    return p;
}

Phantom fibre_phantom(const RandomSlabOptions& o) {
    check_slab(o, "fibres");
    constexpr double radius = 0.85, matrix = 0.35;
    Phantom p{"fibres", {cylinder(radius, matrix)}};
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int k = 0; k < 140; ++k) {
        const double r = 0.01 + 0.025 * unit(rng);
        const bool along_axis = unit(rng) < 0.7;
        // Along the axis: long, tilted by at most 15 degrees. In the plane: 0.15..0.6 long, any direction.
        const double half_length = along_axis ? 3.0 : 0.15 + 0.45 * unit(rng);
        const double room = radius - (along_axis ? r + 0.05 : half_length) - 0.01;
        if (room <= 0) continue;
        const double rr = room * std::sqrt(unit(rng)), phi = 2 * std::numbers::pi * unit(rng);
        Ellipsoid e;
        e.centre = {rr * std::cos(phi), rr * std::sin(phi),
                    along_axis ? 0.0 : o.z_min + (o.z_max - o.z_min) * unit(rng)};
        e.semi_axes = {r, r, half_length};
        e.euler_deg = {360 * unit(rng), along_axis ? 15 * unit(rng) : 90.0, 0};
        e.value = unit(rng) < 0.8 ? 0.6 + 0.3 * unit(rng) : -matrix;  // glass/carbon fibres and channels
        p.ellipsoids.push_back(e);
    }
    return p;
}

Phantom layered_phantom(const RandomSlabOptions& o) {
    check_slab(o, "layers");
    constexpr double radius = 0.85;
    Phantom p{"layers", {}};
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Nested elliptic cylinders, like a rolled sheet, a coating stack or growth rings: layer k is
    // the ring between cylinders k and k + 1, and cylinder k adds the difference between the
    // attenuations of layers k and k - 1. The stack is slightly off-centre and tilted (the same
    // for every layer), so the rings shift from slice to slice.
    const double aspect = 0.75 + 0.25 * unit(rng), azimuth = 360 * unit(rng), tilt = 6 * unit(rng);
    const double off_x = 0.06 * (unit(rng) - 0.5), off_y = 0.06 * (unit(rng) - 0.5);
    double r = radius, previous = 0;
    while (r > 0.08) {
        const double value = 0.15 + 0.75 * unit(rng);
        const double shift = 1.0 - r / radius;  // inner layers drift towards the offset centre
        p.ellipsoids.push_back({{off_x * shift, off_y * shift, 0}, {r, r * aspect, 1e5}, {azimuth, tilt, 0},
                                value - previous});
        previous = value;
        r -= 0.02 + 0.10 * unit(rng);
    }
    for (int k = 0; k < 25; ++k) {  // pores: less attenuation (every layer stays above it)
        const double pr = 0.015 + 0.04 * unit(rng);
        const double rr = (radius * aspect - pr - 0.02) * std::sqrt(unit(rng)), phi = 2 * std::numbers::pi * unit(rng);
        p.ellipsoids.push_back({{rr * std::cos(phi), rr * std::sin(phi), o.z_min + (o.z_max - o.z_min) * unit(rng)},
                                {pr, pr, pr},
                                {0, 0, 0},
                                -0.1});
    }
    return p;
}

Phantom make_phantom(const std::string& name, const RandomSlabOptions& o) {
    if (name == "shepp-logan") return shepp_logan_3d();
    if (name == "ellipses") return random_ellipses_phantom(o);
    if (name == "fibres") return fibre_phantom(o);
    if (name == "layers") return layered_phantom(o);
    if (name == "foam") {
        check_slab(o, "foam");
        FoamOptions f;
        f.seed = o.seed;
        f.z_min = o.z_min, f.z_max = o.z_max;
        // Keep the number of inclusions per slab roughly independent of its thickness.
        f.count = static_cast<int>(std::clamp(30.0 + 60.0 * (f.z_max - f.z_min), 30.0, 400.0));
        return foam_phantom(f);
    }
    fail("unknown phantom '{}' (use foam, shepp-logan, ellipses, fibres or layers)", name);
}

Ellipse make_ellipse(double cx, double cy, double a, double b, double angle_rad, double value) {
    const double c = std::cos(angle_rad), s = std::sin(angle_rad);
    const double ia = 1.0 / (a * a), ib = 1.0 / (b * b);
    return {cx, cy, c * c * ia + s * s * ib, c * s * (ia - ib), s * s * ia + c * c * ib, value};
}

std::vector<Ellipse> slice_phantom(const Phantom& phantom, double z_norm, std::int64_t size) {
    if (size <= 0) fail("slice_phantom: image size must be positive, got {}", size);
    // Normalised -> pixel coordinates: x_pix = k x, y_pix = k y (both up/right, geometry.hpp), k = N/2.
    const double k = static_cast<double>(size) / 2.0;
    std::vector<Ellipse> out;
    for (const Ellipsoid& e : phantom.ellipsoids) {
        const Mat3 m = quadric(e);
        const double w = z_norm - e.centre[2];
        // In-plane quadric M2 and its coupling to w; complete the square.
        const double a = m[0][0], b = m[0][1], d = m[1][1];
        const double det = a * d - b * b;
        const double mx = m[0][2], my = m[1][2];
        // q = -w M2^{-1} m
        const double qx = -w * (d * mx - b * my) / det, qy = -w * (-b * mx + a * my) / det;
        const double r = 1.0 - m[2][2] * w * w + w * w * (mx * (d * mx - b * my) + my * (-b * mx + a * my)) / det;
        if (r <= 0) continue;
        const double cx = e.centre[0] + qx, cy = e.centre[1] + qy;
        // Q_pix = S^{-1} (M2 / r) S^{-1} with S = diag(k, k).
        Ellipse el;
        el.cx = cx * k;
        el.cy = cy * k;
        el.qxx = a / r / (k * k);
        el.qxy = b / r / (k * k);
        el.qyy = d / r / (k * k);
        el.value = e.value / k;
        out.push_back(el);
    }
    return out;
}

double slice_z(std::int64_t index, std::int64_t count, std::int64_t size) {
    return (static_cast<double>(index) - static_cast<double>(count - 1) / 2.0) * 2.0 / static_cast<double>(size);
}

Tensor<float> rasterise(const std::vector<Ellipse>& ellipses, std::int64_t size, int supersample) {
    if (size <= 0 || supersample < 1) fail("rasterise: invalid size {} or supersampling {}", size, supersample);
    std::vector<double> acc(static_cast<std::size_t>(size * size), 0.0);
    const double half = image_axis(size);  // the axis pixel (geometry.hpp)
    const int ss = supersample;
    const double weight = 1.0 / (ss * ss);
    for (const Ellipse& e : ellipses) {
        const double det = e.qxx * e.qyy - e.qxy * e.qxy;
        const double hx = std::sqrt(e.qyy / det), hy = std::sqrt(e.qxx / det);  // bounding box half-sizes
        const auto j0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(e.cx - hx + half)));
        const auto j1 = std::min<std::int64_t>(size - 1, static_cast<std::int64_t>(std::ceil(e.cx + hx + half)));
        // Rows run down while y runs up (geometry.hpp): row i is at y = half - i.
        const auto i0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(half - e.cy - hy)));
        const auto i1 = std::min<std::int64_t>(size - 1, static_cast<std::int64_t>(std::ceil(half - e.cy + hy)));
        for (std::int64_t i = i0; i <= i1; ++i)
            for (std::int64_t j = j0; j <= j1; ++j) {
                int inside = 0;
                for (int si = 0; si < ss; ++si)
                    for (int sj = 0; sj < ss; ++sj) {
                        const double y = half - (static_cast<double>(i) + (si + 0.5) / ss - 0.5) - e.cy;
                        const double x = static_cast<double>(j) - half + (sj + 0.5) / ss - 0.5 - e.cx;
                        inside += (e.qxx * x * x + 2 * e.qxy * x * y + e.qyy * y * y <= 1.0);
                    }
                acc[static_cast<std::size_t>(i * size + j)] += e.value * inside * weight;
            }
    }
    Tensor<float> image(Shape{size, size});
    std::transform(acc.begin(), acc.end(), image.begin(), [](double v) { return static_cast<float>(v); });
    return image;
}

}  // namespace tomoedge::recon
