#include "recon/normalise.hpp"

#include "core/error.hpp"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <vector>

namespace tomoedge::recon {
namespace {

std::atomic<bool> warned{false};

void check_fields(const Projections& s, const std::string& source) {
    if (s.data.rank() != 3) fail("{}: /exchange/data must be (angles, rows, cols), got {}", source, s.data.shape().str());
    const auto check = [&](const Tensor<float>& t, const char* name) {
        if (t.rank() != 3 || t.dim(0) < 1 || t.dim(1) != s.data.dim(1) || t.dim(2) != s.data.dim(2))
            fail("{}: {} has shape {} but the projections are {} (need (frames, {}, {}))", source, name,
                 t.shape().str(), s.data.shape().str(), s.data.dim(1), s.data.dim(2));
    };
    check(s.white, "/exchange/data_white");
    check(s.dark, "/exchange/data_dark");
    if (static_cast<std::int64_t>(s.theta_deg.size()) != s.data.dim(0))
        fail("{}: /exchange/theta has {} angles but /exchange/data has {} projections", source, s.theta_deg.size(),
             s.data.dim(0));
}

}  // namespace

std::vector<float> frame_mean(const Tensor<float>& t) {
    const std::int64_t n = t.outer_stride();
    std::vector<double> acc(static_cast<std::size_t>(n), 0.0);
    for (std::int64_t f = 0; f < t.dim(0); ++f)
        for (std::int64_t i = 0; i < n; ++i) acc[static_cast<std::size_t>(i)] += t.outer(f)[i];
    std::vector<float> mean(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
        mean[static_cast<std::size_t>(i)] = static_cast<float>(acc[static_cast<std::size_t>(i)] / static_cast<double>(t.dim(0)));
    return mean;
}

Tensor<float> normalise(const Projections& scan, NormaliseStats& stats, const NormaliseOptions& options) {
    check_fields(scan, options.source);
    const std::int64_t angles = scan.data.dim(0), rows = scan.data.dim(1), cols = scan.data.dim(2);
    const std::vector<float> white = frame_mean(scan.white), dark = frame_mean(scan.dark);
    Tensor<float> sino(Shape{rows, angles, cols});
    std::int64_t clamped = 0, bad_flat = 0;
#pragma omp parallel for reduction(+ : clamped, bad_flat) schedule(static)
    for (std::int64_t a = 0; a < angles; ++a) {
        const float* src = scan.data.outer(a);
        for (std::int64_t r = 0; r < rows; ++r) {
            float* dst = sino.data() + (r * angles + a) * cols;
            for (std::int64_t c = 0; c < cols; ++c) {
                const auto i = static_cast<std::size_t>(r * cols + c);
                dst[c] = line_integral(src[i], white[i], dark[i], options.floor, clamped, bad_flat);
            }
        }
    }
    stats.values += angles * rows * cols;
    stats.clamped += clamped;
    stats.bad_flat += bad_flat;
    if ((clamped > 0 || bad_flat > 0) && !warned.exchange(true))
        std::fprintf(stderr,
                     "tomoedge: warning: %s: %lld projection value(s) at or below the dark level clamped to %g "
                     "counts, %lld pixel(s) with white <= dark set to transmission 1 (counted in the summary; "
                     "warned once)\n",
                     options.source.c_str(), static_cast<long long>(clamped), static_cast<double>(options.floor),
                     static_cast<long long>(bad_flat));
    return sino;
}

}  // namespace tomoedge::recon
