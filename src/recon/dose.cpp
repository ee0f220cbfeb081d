#include "recon/dose.hpp"

#include "core/error.hpp"

#include <cmath>
#include <random>

namespace tomoedge::recon {
namespace {

// Draws from Poisson(mean) (mean >= 0); 0 for mean 0.
template <typename Rng>
float poisson(Rng& rng, double mean) {
    if (mean <= 0) return 0.0f;
    std::poisson_distribution<long long> dist(mean);
    return static_cast<float>(dist(rng));
}

void fill_fields(Tensor<float>& t, double mean, double dark, const DoseOptions& o, std::uint64_t stream) {
    for (std::int64_t f = 0; f < t.dim(0); ++f) {
        std::mt19937_64 rng(stream_seed(o.seed, stream + static_cast<std::uint64_t>(f)));
        float* dst = t.outer(f);
        for (std::int64_t i = 0; i < t.outer_stride(); ++i)
            dst[i] = o.noise ? poisson(rng, mean) + poisson(rng, dark) : static_cast<float>(mean + dark);
    }
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Projections expose(const Tensor<float>& p, std::vector<float> theta_deg, const DoseOptions& o) {
    if (p.rank() != 3) fail("expose: line integrals must be (angles, rows, cols), got {}", p.shape().str());
    if (static_cast<std::int64_t>(theta_deg.size()) != p.dim(0))
        fail("expose: {} angles but {} projections", theta_deg.size(), p.dim(0));
    if (!(o.i0 > 0) || !(o.dark >= 0) || o.flats < 1 || o.darks < 1)
        fail("dose: i0 must be > 0 (got {}), dark >= 0 (got {}), at least one flat and dark", o.i0, o.dark);
    const std::int64_t angles = p.dim(0), rows = p.dim(1), cols = p.dim(2);
    Projections out;
    out.data = Tensor<float>(p.shape());
    out.white = Tensor<float>(Shape{o.flats, rows, cols});
    out.dark = Tensor<float>(Shape{o.darks, rows, cols});
    out.theta_deg = std::move(theta_deg);
    // Streams: projections 0..angles-1, then flats, then darks.
#pragma omp parallel for schedule(dynamic, 4)
    for (std::int64_t a = 0; a < angles; ++a) {
        std::mt19937_64 rng(stream_seed(o.seed, static_cast<std::uint64_t>(a)));
        const float* src = p.outer(a);
        float* dst = out.data.outer(a);
        for (std::int64_t i = 0; i < rows * cols; ++i) {
            const double expected = o.i0 * std::exp(-static_cast<double>(src[i]));
            dst[i] = o.noise ? poisson(rng, expected) + poisson(rng, o.dark) : static_cast<float>(expected + o.dark);
        }
    }
    fill_fields(out.white, o.i0, o.dark, o, static_cast<std::uint64_t>(angles));
    fill_fields(out.dark, 0.0, o.dark, o, static_cast<std::uint64_t>(angles + o.flats));
    return out;
}

std::vector<std::int64_t> sparse_view_indices(std::int64_t angles, std::int64_t k) {
    if (k < 1) fail("sparse views: every k-th angle needs k >= 1, got {}", k);
    std::vector<std::int64_t> idx;
    for (std::int64_t a = 0; a < angles; a += k) idx.push_back(a);
    return idx;
}

Projections select_views(const Projections& scan, std::span<const std::int64_t> indices) {
    const std::int64_t angles = scan.data.dim(0);
    Projections out;
    out.data = Tensor<float>(Shape{static_cast<std::int64_t>(indices.size()), scan.data.dim(1), scan.data.dim(2)});
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const std::int64_t a = indices[i];
        if (a < 0 || a >= angles) fail("select_views: angle index {} outside [0, {})", a, angles);
        std::copy(scan.data.outer(a), scan.data.outer(a) + scan.data.outer_stride(),
                  out.data.outer(static_cast<std::int64_t>(i)));
        out.theta_deg.push_back(scan.theta_deg.at(static_cast<std::size_t>(a)));
    }
    out.white = scan.white.clone();
    out.dark = scan.dark.clone();
    return out;
}

}  // namespace tomoedge::recon
