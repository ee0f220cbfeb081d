#include "recon/backproject.hpp"

#include "core/error.hpp"
#include "recon/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace tomoedge::recon {
namespace {

// Image tiles: kTileRows rows x kChunks * 16 columns. One tile's accumulators stay in registers
// for a whole block of angles (multiple angles per pass, no image traffic per angle). Angles go
// in blocks whose padded sinogram rows fit in L2 (64 x ~9 KB for 1024 pixels), and every tile of
// the image is swept per block: without blocking, each tile pulls ~3 cache lines from every
// angle's row out of L3 and the kernel runs several times slower at 1024 x 1024.
constexpr std::int64_t kTileRows = 4;
constexpr std::int64_t kChunks = 4;
constexpr std::int64_t kTileCols = 16 * kChunks;
constexpr std::int64_t kAngleBlock = 64;

#if defined(__AVX512F__)
// GCC 12 reports its own _mm512_undefined_*() placeholders inside the conversion intrinsics as
// "may be used uninitialized" (a false positive; the masks are all-ones).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// For 16 adjacent pixels of a row, the detector positions u_k = u0 + k cos(theta) span at most
// 16 samples, so the samples they need lie in a 32-float window starting one below the lowest
// floor(u_k). Two unaligned loads plus two cross-register permutes replace 32 gathered loads.
void tile_avx512(const float* sino, std::int64_t width, std::int64_t angles, const float* cosv, const float* sinv,
                 float u_origin, float x0, float y0, float* out, std::int64_t out_stride) {
    __m512 acc[kTileRows][kChunks];
    for (std::int64_t r = 0; r < kTileRows; ++r)
        for (std::int64_t c = 0; c < kChunks; ++c) acc[r][c] = _mm512_loadu_ps(out + r * out_stride + 16 * c);
    const __m512 iota = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i one = _mm512_set1_epi32(1);
    for (std::int64_t a = 0; a < angles; ++a) {
        const float cs = cosv[a], sn = sinv[a];
        const float* row = sino + a * width;
        const __m512 lane = _mm512_mul_ps(iota, _mm512_set1_ps(cs));
        const float lowest = cs < 0 ? 15.0f * cs : 0.0f;
        const float ua = u_origin + x0 * cs + y0 * sn;
        for (std::int64_t r = 0; r < kTileRows; ++r) {
            const float ur = ua + static_cast<float>(r) * sn;
            for (std::int64_t c = 0; c < kChunks; ++c) {
                const float uc = ur + static_cast<float>(16 * c) * cs;
                const __m512 u = _mm512_add_ps(_mm512_set1_ps(uc), lane);
                const int base = static_cast<int>(uc + lowest) - 1;
                const __m512i iu = _mm512_cvttps_epi32(u);  // u > 0 here, so truncation is floor
                const __m512 frac = _mm512_sub_ps(u, _mm512_cvtepi32_ps(iu));
                const __m512i idx = _mm512_sub_epi32(iu, _mm512_set1_epi32(base));
                const __m512 lo = _mm512_loadu_ps(row + base);
                const __m512 hi = _mm512_loadu_ps(row + base + 16);
                const __m512 v0 = _mm512_permutex2var_ps(lo, idx, hi);
                const __m512 v1 = _mm512_permutex2var_ps(lo, _mm512_add_epi32(idx, one), hi);
                acc[r][c] = _mm512_add_ps(acc[r][c], _mm512_fmadd_ps(frac, _mm512_sub_ps(v1, v0), v0));
            }
        }
    }
    for (std::int64_t r = 0; r < kTileRows; ++r)
        for (std::int64_t c = 0; c < kChunks; ++c) _mm512_storeu_ps(out + r * out_stride + 16 * c, acc[r][c]);
}
#pragma GCC diagnostic pop
#endif

// Portable version of the same tile: the inner loop over a row's pixels vectorises (gathers).
void tile_generic(const float* sino, std::int64_t width, std::int64_t angles, const float* cosv, const float* sinv,
                  float u_origin, float x0, float y0, float* out, std::int64_t out_stride) {
    alignas(64) float acc[kTileRows][kTileCols];
    for (std::int64_t r = 0; r < kTileRows; ++r) std::memcpy(acc[r], out + r * out_stride, sizeof(acc[r]));
    for (std::int64_t a = 0; a < angles; ++a) {
        const float cs = cosv[a], sn = sinv[a];
        const float* row = sino + a * width;
        for (std::int64_t r = 0; r < kTileRows; ++r) {
            const float ur = u_origin + x0 * cs + (y0 + static_cast<float>(r)) * sn;
#pragma omp simd
            for (std::int64_t j = 0; j < kTileCols; ++j) {
                const float u = ur + static_cast<float>(j) * cs;
                const int i = static_cast<int>(u);
                const float f = u - static_cast<float>(i);
                acc[r][j] += row[i] + f * (row[i + 1] - row[i]);
            }
        }
    }
    for (std::int64_t r = 0; r < kTileRows; ++r) std::memcpy(out + r * out_stride, acc[r], sizeof(acc[r]));
}

}  // namespace

bool Backprojector::has_avx512() {
#if defined(__AVX512F__)
    return true;
#else
    return false;
#endif
}

const char* Backprojector::kernel_name() const { return use_avx512_ ? "avx512" : "generic"; }

Backprojector::Backprojector(std::span<const float> theta_rad, std::int64_t cols, std::int64_t size, double centre,
                             bool portable, std::optional<double> image_axis)
    : cols_(cols),
      size_(size),
      centre_(centre),
      axis_(image_axis.value_or(recon::image_axis(size))),
      use_avx512_(has_avx512() && !portable) {
    if (cols <= 0 || size <= 0) fail("backprojection: detector width {} and image size {} must be positive", cols, size);
    if (theta_rad.empty()) fail("backprojection: no angles");
    if (!std::isfinite(centre) || std::abs(centre) > 1e6) fail("backprojection: invalid rotation centre {}", centre);
    if (!std::isfinite(axis_) || std::abs(axis_) > 1e6) fail("backprojection: invalid image axis {}", axis_);
    for (float t : theta_rad) {
        cos_.push_back(static_cast<float>(std::cos(static_cast<double>(t))));
        sin_.push_back(static_cast<float>(-std::sin(static_cast<double>(t))));
    }
    // Tiles cover the image rounded up to whole tiles; |u - centre| <= max|x| + max|y| there.
    const double reach = std::max(std::abs(axis_), std::abs(static_cast<double>(size + kTileCols) - axis_)) +
                         std::max(std::abs(axis_), std::abs(static_cast<double>(size + kTileRows) - axis_)) + 2.0;
    // Left margin so the lowest window start (floor(u) - 1) is >= 0; right margin for the
    // 32-float window above the highest position.
    offset_ = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(reach - centre))) + 2;
    const auto right = static_cast<std::int64_t>(std::ceil(centre + reach)) + 34;
    width_ = offset_ + std::max(cols, right) + 2;
    width_ = (width_ + 15) / 16 * 16;
    padded_ = Tensor<float>(Shape{angles(), width_}, 0.0f);
}

void Backprojector::run(const float* filtered, float weight, float* image) {
    const std::int64_t angles_n = angles();
    for (std::int64_t a = 0; a < angles_n; ++a)
        std::copy(filtered + a * cols_, filtered + (a + 1) * cols_, padded_.outer(a) + offset_);
    const std::int64_t tile_rows = (size_ + kTileRows - 1) / kTileRows;
    const std::int64_t tile_cols = (size_ + kTileCols - 1) / kTileCols;
    const auto axis = static_cast<float>(axis_);
    const auto u_origin = static_cast<float>(centre_ + static_cast<double>(offset_));
    const float* sino = padded_.data();
    for (std::int64_t a0 = 0; a0 < angles_n; a0 += kAngleBlock) {
        const std::int64_t block = std::min(kAngleBlock, angles_n - a0);
        const bool first = a0 == 0, last = a0 + block == angles_n;
#pragma omp parallel for schedule(dynamic, 8) collapse(2)
        for (std::int64_t ti = 0; ti < tile_rows; ++ti)
            for (std::int64_t tj = 0; tj < tile_cols; ++tj) {
                alignas(64) float tile[kTileRows][kTileCols] = {};
                const std::int64_t i0 = ti * kTileRows, j0 = tj * kTileCols;
                const std::int64_t rows = std::min(kTileRows, size_ - i0), cols = std::min(kTileCols, size_ - j0);
                if (!first)
                    for (std::int64_t r = 0; r < rows; ++r)
                        std::memcpy(tile[r], image + (i0 + r) * size_ + j0, sizeof(float) * static_cast<std::size_t>(cols));
                // (x0, -y0) of the tile's first pixel: the kernels use -sin, so rows add -sin each.
                const float x0 = static_cast<float>(j0) - axis, y0 = static_cast<float>(i0) - axis;
                const float* s = sino + a0 * width_;
#if defined(__AVX512F__)
                if (use_avx512_)
                    tile_avx512(s, width_, block, cos_.data() + a0, sin_.data() + a0, u_origin, x0, y0, &tile[0][0], kTileCols);
                else
#endif
                    tile_generic(s, width_, block, cos_.data() + a0, sin_.data() + a0, u_origin, x0, y0, &tile[0][0], kTileCols);
                const float scale = last ? weight : 1.0f;
                for (std::int64_t r = 0; r < rows; ++r)
                    for (std::int64_t c = 0; c < cols; ++c) image[(i0 + r) * size_ + j0 + c] = scale * tile[r][c];
            }
    }
}

void backproject_reference(const float* filtered, std::span<const float> theta_rad, std::int64_t cols,
                           double centre, float weight, float* image, std::int64_t size,
                           std::optional<double> image_axis) {
    const double axis = image_axis.value_or(recon::image_axis(size));
    const auto sample = [&](const float* q, std::int64_t i) { return i >= 0 && i < cols ? static_cast<double>(q[i]) : 0.0; };
    for (std::int64_t i = 0; i < size; ++i)
        for (std::int64_t j = 0; j < size; ++j) {
            const double x = static_cast<double>(j) - axis, y = axis - static_cast<double>(i);
            double acc = 0;
            for (std::size_t a = 0; a < theta_rad.size(); ++a) {
                const double t = theta_rad[a];
                const double u = x * std::cos(t) + y * std::sin(t) + centre;
                const double fl = std::floor(u);
                const auto k = static_cast<std::int64_t>(fl);
                const double f = u - fl;
                const float* q = filtered + static_cast<std::int64_t>(a) * cols;
                acc += (1 - f) * sample(q, k) + f * sample(q, k + 1);
            }
            image[i * size + j] = static_cast<float>(weight * acc);
        }
}

}  // namespace tomoedge::recon
