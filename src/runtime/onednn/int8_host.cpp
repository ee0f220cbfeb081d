#include "runtime/onednn/int8_host.hpp"

#include "core/error.hpp"
#include "runtime/reference/int8_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace tomoedge::runtime::onednn {

namespace {

template <typename T>
T* row_of(const NhwcView& v, std::int64_t n, std::int64_t y) {
    return reinterpret_cast<T*>(v.data + n * v.image_stride + y * v.w * v.pixel_stride);
}

// Calls f.template operator()<T>() with T the storage type of `type`.
template <typename F>
void with_type(int8::ActType type, F&& f) {
    if (type == int8::ActType::u8)
        f.template operator()<std::uint8_t>();
    else
        f.template operator()<std::int8_t>();
}

// The two source indices of output index `o` of a bilinear x2 half_pixel resize along an axis of
// `size`, and their weights in quarters: o = 2k reads (k - 1, k) at (1, 3), o = 2k + 1 reads
// (k, k + 1) at (3, 1); indices clamp to the axis (the weights then fall on one pixel).
struct Taps {
    std::int64_t lo, hi;
    std::int32_t wlo, whi;
};
Taps x2_taps(std::int64_t o, std::int64_t size) {
    const std::int64_t k = o / 2;
    if (o % 2 == 0) return {std::max<std::int64_t>(k - 1, 0), k, 1, 3};
    return {k, std::min(k + 1, size - 1), 3, 1};
}

}  // namespace

void quantize_input(const float* x, const NhwcView& dst, const int8::QuantParams& q) {
    // int8::quantize_value's expression, written out so that it vectorizes (one channel row at a
    // time, then interleaved); StoredIntegerModeAndFloatModeAgree checks the two agree.
    const float scale = q.scale, zp = static_cast<float>(q.zero_point);
    const float lo = static_cast<float>(q.qmin()), hi = static_cast<float>(q.qmax());
    with_type(q.type, [&]<typename T>() {
        const std::int64_t H = dst.h, W = dst.w, C = dst.c;
#pragma omp parallel
        {
            std::vector<std::int32_t> row(static_cast<std::size_t>(W));
#pragma omp for
            for (std::int64_t r = 0; r < dst.n * H; ++r) {
                const std::int64_t n = r / H, y = r % H;
                T* out = row_of<T>(dst, n, y);
                for (std::int64_t c = 0; c < C; ++c) {
                    const float* in = x + ((n * C + c) * H + y) * W;
                    for (std::int64_t i = 0; i < W; ++i)
                        row[static_cast<std::size_t>(i)] =
                            static_cast<std::int32_t>(std::clamp(std::nearbyint(in[i] / scale) + zp, lo, hi));
                    for (std::int64_t i = 0; i < W; ++i) out[i * dst.pixel_stride + c] = static_cast<T>(row[static_cast<std::size_t>(i)]);
                }
            }
        }
    });
}

void integers_input(const std::int32_t* x, const NhwcView& dst, const int8::QuantParams& q) {
    const std::int64_t H = dst.h, W = dst.w, C = dst.c;
    for (std::int64_t i = 0; i < dst.n * C * H * W; ++i)
        if (x[i] < q.qmin() || x[i] > q.qmax())
            fail("backend 'onednn': quantized input value {} is outside {} range", x[i], int8::act_type_name(q.type));
    with_type(q.type, [&]<typename T>() {
        for (std::int64_t n = 0; n < dst.n; ++n)
            for (std::int64_t y = 0; y < H; ++y) {
                T* out = row_of<T>(dst, n, y);
                for (std::int64_t c = 0; c < C; ++c)
                    for (std::int64_t i = 0; i < W; ++i)
                        out[i * dst.pixel_stride + c] = static_cast<T>(x[((n * C + c) * H + y) * W + i]);
            }
    });
}

void dequantize_output(const NhwcView& src, float* y, const int8::QuantParams& q) {
    const float scale = q.scale;
    const std::int32_t zp = q.zero_point;
    with_type(q.type, [&]<typename T>() {
        const std::int64_t H = src.h, W = src.w, C = src.c;
#pragma omp parallel for
        for (std::int64_t r = 0; r < src.n * H; ++r) {
            const std::int64_t n = r / H, row = r % H;
            const T* in = row_of<T>(src, n, row);
            for (std::int64_t c = 0; c < C; ++c) {
                float* out = y + ((n * C + c) * H + row) * W;
                // int8::dequantize_value, written out so that it vectorizes.
                for (std::int64_t i = 0; i < W; ++i) out[i] = static_cast<float>(in[i * src.pixel_stride + c] - zp) * scale;
            }
        }
    });
}

void integers_output(const NhwcView& src, std::int32_t* y, const int8::QuantParams& q) {
    with_type(q.type, [&]<typename T>() {
        const std::int64_t H = src.h, W = src.w, C = src.c;
        for (std::int64_t n = 0; n < src.n; ++n)
            for (std::int64_t row = 0; row < H; ++row) {
                const T* in = row_of<T>(src, n, row);
                for (std::int64_t c = 0; c < C; ++c)
                    for (std::int64_t i = 0; i < W; ++i) y[((n * C + c) * H + row) * W + i] = in[i * src.pixel_stride + c];
            }
    });
}

bool is_bilinear_x2(const model::Node& node, std::int64_t h, std::int64_t w, std::int64_t oh, std::int64_t ow) {
    const bool half_pixel = node.coordinate_mode == model::CoordinateMode::half_pixel ||
                            node.coordinate_mode == model::CoordinateMode::pytorch_half_pixel;
    return node.interp == model::ResizeInterp::linear && half_pixel && oh == 2 * h && ow == 2 * w;
}

void resize_bilinear_x2(const NhwcView& src, const NhwcView& dst, int8::ActType type) {
    if (dst.h != 2 * src.h || dst.w != 2 * src.w || dst.c != src.c || dst.n != src.n)
        fail("resize_bilinear_x2: output is not twice the input");
    with_type(type, [&]<typename T>() {
        const std::int64_t W = src.w, C = src.c;
#pragma omp parallel
        {
            std::vector<std::int32_t> rows(static_cast<std::size_t>(W * C));  // vertical pass, in quarters
#pragma omp for
            for (std::int64_t r = 0; r < dst.n * dst.h; ++r) {
                const std::int64_t n = r / dst.h, oy = r % dst.h;
                const Taps ty = x2_taps(oy, src.h);
                const T* a = row_of<T>(src, n, ty.lo);
                const T* b = row_of<T>(src, n, ty.hi);
                for (std::int64_t x = 0; x < W; ++x)
                    for (std::int64_t c = 0; c < C; ++c)
                        rows[static_cast<std::size_t>(x * C + c)] =
                            ty.wlo * a[x * src.pixel_stride + c] + ty.whi * b[x * src.pixel_stride + c];
                T* out = row_of<T>(dst, n, oy);
                for (std::int64_t ox = 0; ox < dst.w; ++ox) {
                    const Taps tx = x2_taps(ox, W);
                    const std::int32_t* p = rows.data() + tx.lo * C;
                    const std::int32_t* q = rows.data() + tx.hi * C;
                    T* o = out + ox * dst.pixel_stride;
                    for (std::int64_t c = 0; c < C; ++c) {
                        const std::int32_t s = tx.wlo * p[c] + tx.whi * q[c];  // sixteenths
                        if constexpr (std::is_same_v<T, std::uint8_t>)
                            o[c] = static_cast<T>(s >> 4);  // s >= 0: truncation is the floor
                        else
                            o[c] = static_cast<T>(s >= 0 ? (s + 8) >> 4 : -((8 - s) >> 4));
                    }
                }
            }
        }
    });
}

void resize_general(const NhwcView& src, const NhwcView& dst, const model::Node& node, int8::ActType type) {
    Tensor<std::int32_t> x(Shape{src.n, src.c, src.h, src.w});
    with_type(type, [&]<typename T>() {
        for (std::int64_t n = 0; n < src.n; ++n)
            for (std::int64_t y = 0; y < src.h; ++y) {
                const T* in = row_of<T>(src, n, y);
                for (std::int64_t i = 0; i < src.w; ++i)
                    for (std::int64_t c = 0; c < src.c; ++c) x[((n * src.c + c) * src.h + y) * src.w + i] = in[i * src.pixel_stride + c];
            }
    });
    const Tensor<std::int32_t> yt = reference::resize2d_int8(x, node, type);
    if (yt.dim(2) != dst.h || yt.dim(3) != dst.w) fail("node '{}' (Resize): output size differs from the plan's", node.name);
    with_type(type, [&]<typename T>() {
        for (std::int64_t n = 0; n < dst.n; ++n)
            for (std::int64_t y = 0; y < dst.h; ++y) {
                T* out = row_of<T>(dst, n, y);
                for (std::int64_t i = 0; i < dst.w; ++i)
                    for (std::int64_t c = 0; c < dst.c; ++c)
                        out[i * dst.pixel_stride + c] = static_cast<T>(yt[((n * dst.c + c) * dst.h + y) * dst.w + i]);
            }
    });
}

void copy_channels(const NhwcView& src, const NhwcView& dst) {
    if (src.n != dst.n || src.h != dst.h || src.w != dst.w || src.c != dst.c) fail("copy_channels: shapes differ");
#pragma omp parallel for
    for (std::int64_t r = 0; r < src.n * src.h; ++r) {
        const std::int64_t n = r / src.h, y = r % src.h;
        const std::byte* in = row_of<std::byte>(src, n, y);
        std::byte* out = row_of<std::byte>(dst, n, y);
        // Whole 16-byte blocks where the channel count allows (fixed-size copies the compiler
        // turns into vector moves), else byte by byte.
        if (src.c % 16 == 0) {
            for (std::int64_t x = 0; x < src.w; ++x)
                for (std::int64_t k = 0; k < src.c; k += 16)
                    std::memcpy(out + x * dst.pixel_stride + k, in + x * src.pixel_stride + k, 16);
        } else {
            for (std::int64_t x = 0; x < src.w; ++x)
                for (std::int64_t k = 0; k < src.c; ++k) out[x * dst.pixel_stride + k] = in[x * src.pixel_stride + k];
        }
    }
}

}  // namespace tomoedge::runtime::onednn
