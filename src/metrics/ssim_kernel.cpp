#include "metrics/ssim_kernel.hpp"

#include "metrics/image_quality.hpp"

#include <array>
#include <cmath>
#include <numeric>
#include <vector>

namespace tomoedge::metrics::detail {
namespace {

constexpr int radius = ssim_window / 2;
using Window = std::array<double, ssim_window>;

// exp(-x^2 / (2 sigma^2)) for x = -5..5, normalised to sum 1: scipy's _gaussian_kernel1d.
Window gaussian_window() {
    Window g{};
    double sum = 0;
    for (int i = 0; i < ssim_window; ++i) {
        const double x = i - radius;
        g[static_cast<std::size_t>(i)] = std::exp(-0.5 * x * x / (ssim_sigma * ssim_sigma));
        sum += g[static_cast<std::size_t>(i)];
    }
    for (double& v : g) v /= sum;
    return g;
}

// The five local moments of one output row after the vertical pass, one entry per image column.
struct ColumnMoments {
    explicit ColumnMoments(std::int64_t width)
        : storage(static_cast<std::size_t>(5 * width)), x(storage.data()), y(x + width), xx(y + width),
          yy(xx + width), xy(yy + width) {}
    std::vector<double> storage;
    double *x, *y, *xx, *yy, *xy;
};

// Vertical pass: Gaussian-weighted sums of x, y, x^2, y^2, xy over rows [top, top + 11). The
// 11 taps run innermost so the five sums stay in registers (one store each per column).
void vertical_pass(const float* image, const float* reference, std::int64_t width, std::int64_t top,
                   const Window& g, ColumnMoments& m) {
    const float* x = image + top * width;
    const float* y = reference + top * width;
    double *mx = m.x, *my = m.y, *mxx = m.xx, *myy = m.yy, *mxy = m.xy;
#pragma omp simd
    for (std::int64_t c = 0; c < width; ++c) {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int k = 0; k < ssim_window; ++k) {
            const double p = x[k * width + c], q = y[k * width + c];
            const double wp = g[static_cast<std::size_t>(k)] * p, wq = g[static_cast<std::size_t>(k)] * q;
            sx += wp;
            sy += wq;
            sxx += wp * p;
            syy += wq * q;
            sxy += wp * q;
        }
        mx[c] = sx;
        my[c] = sy;
        mxx[c] = sxx;
        myy[c] = syy;
        mxy[c] = sxy;
    }
}

// Horizontal pass and the SSIM formula, in skimage's order of operations:
// S = (2 ux uy + C1)(2 vxy + C2) / ((ux^2 + uy^2 + C1)(vx + vy + C2)).
void ssim_row(const ColumnMoments& m, std::int64_t out_width, const Window& g, double c1, double c2,
              double* out) {
    const double *mx = m.x, *my = m.y, *mxx = m.xx, *myy = m.yy, *mxy = m.xy;
#pragma omp simd
    for (std::int64_t c = 0; c < out_width; ++c) {
        double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
        for (int k = 0; k < ssim_window; ++k) {
            const double w = g[static_cast<std::size_t>(k)];
            ux += w * mx[c + k];
            uy += w * my[c + k];
            uxx += w * mxx[c + k];
            uyy += w * myy[c + k];
            uxy += w * mxy[c + k];
        }
        const double vx = uxx - ux * ux, vy = uyy - uy * uy, vxy = uxy - ux * uy;
        const double a1 = 2 * ux * uy + c1, a2 = 2 * vxy + c2;
        const double b1 = ux * ux + uy * uy + c1, b2 = vx + vy + c2;
        out[c] = (a1 * a2) / (b1 * b2);
    }
}

}  // namespace

double ssim_sum(const float* image, const float* reference, std::int64_t height, std::int64_t width,
                double data_range, float* map) {
    static const Window g = gaussian_window();
    const double c1 = (ssim_k1 * data_range) * (ssim_k1 * data_range);
    const double c2 = (ssim_k2 * data_range) * (ssim_k2 * data_range);
    const std::int64_t out_height = height - 2 * radius, out_width = width - 2 * radius;
    std::vector<double> row_sums(static_cast<std::size_t>(out_height));

#pragma omp parallel
    {
        ColumnMoments moments(width);
        std::vector<double> row(static_cast<std::size_t>(out_width));
#pragma omp for schedule(static)
        for (std::int64_t r = 0; r < out_height; ++r) {
            vertical_pass(image, reference, width, r, g, moments);
            ssim_row(moments, out_width, g, c1, c2, row.data());
            if (map != nullptr)
                for (std::int64_t c = 0; c < out_width; ++c)
                    map[r * out_width + c] = static_cast<float>(row[static_cast<std::size_t>(c)]);
            row_sums[static_cast<std::size_t>(r)] = std::accumulate(row.begin(), row.end(), 0.0);
        }
    }
    return std::accumulate(row_sums.begin(), row_sums.end(), 0.0);
}

}  // namespace tomoedge::metrics::detail
