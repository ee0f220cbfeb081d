#include "runtime/int8/finetune_tail.hpp"

#include "core/error.hpp"
#include "runtime/int8/finetune_tail_avx512.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

namespace tomoedge::runtime::int8 {

namespace {

bool is_conv(const Step& s, int k) {
    return s.op == model::OpKind::Conv && s.weights.shape().rank() == 4 && s.weights.dim(2) == k && s.weights.dim(3) == k &&
           s.node.strides == std::array<int, 2>{1, 1} && s.node.dilations == std::array<int, 2>{1, 1} &&
           s.node.pads == std::array<int, 4>{k / 2, k / 2, k / 2, k / 2} && s.inputs.size() == 1;
}

TailConv tail_conv(const Step& s, const QuantParams& in) {
    TailConv c;
    c.out_channels = static_cast<int>(s.weights.dim(0));
    c.in_channels = static_cast<int>(s.weights.dim(1));
    c.kernel = static_cast<int>(s.weights.dim(2));
    c.weights.assign(s.weights.begin(), s.weights.end());
    c.bias.assign(s.bias.begin(), s.bias.end());
    c.q = s.conv;
    c.in = in;
    c.out = s.out;
    return c;
}

}  // namespace

std::optional<FineTuneTail> match_finetune_tail(const Int8Graph& program, std::size_t step) {
    const std::vector<Step>& steps = program.steps;
    if (step >= steps.size() || !is_conv(steps[step], 3) || steps[step].weights.dim(1) != 1) return std::nullopt;
    std::map<std::string, int> readers;
    for (const Step& s : steps)
        for (const auto& in : s.inputs) ++readers[in];
    std::map<std::string, QuantParams> params{{program.input, program.input_q}};
    for (const Step& s : steps) params[s.output] = s.out;
    // An intermediate tensor: read by the next step only, and not the program's output.
    const auto private_to_tail = [&](const std::string& t) { return readers[t] == 1 && t != program.output; };

    FineTuneTail tail;
    tail.first_step = step;
    tail.input = steps[step].inputs[0];
    const std::int64_t C = steps[step].weights.dim(0);
    std::size_t j = step;
    for (;; ++j) {
        if (j >= steps.size() || !is_conv(steps[j], 3)) return std::nullopt;
        const Step& s = steps[j];
        if (j > step && (s.inputs[0] != steps[j - 1].output || !private_to_tail(steps[j - 1].output) || s.weights.dim(1) != C))
            return std::nullopt;
        tail.convs.push_back(tail_conv(s, params.at(s.inputs[0])));
        if (j > step && s.weights.dim(0) == 1) break;  // the C -> 1 correction
        if (s.weights.dim(0) != C) return std::nullopt;
    }
    const std::string c = steps[j].output;
    if (j + 2 >= steps.size() || !private_to_tail(c)) return std::nullopt;
    const Step& concat = steps[j + 1];
    if (concat.op != model::OpKind::Concat || concat.node.axis != 1 || concat.inputs.size() != 2) return std::nullopt;
    const bool g_first = concat.inputs[0] == tail.input && concat.inputs[1] == c;
    const bool c_first = concat.inputs[0] == c && concat.inputs[1] == tail.input;
    if (!g_first && !c_first) return std::nullopt;
    const Step& residual = steps[j + 2];
    if (!private_to_tail(concat.output) || !is_conv(residual, 1) || residual.inputs[0] != concat.output ||
        residual.weights.dim(0) != 1 || residual.weights.dim(1) != 2)
        return std::nullopt;
    tail.residual = tail_conv(residual, concat.out);
    if (c_first) std::swap(tail.residual.weights[0], tail.residual.weights[1]);
    tail.last_step = j + 2;
    tail.output = residual.output;
    return tail;
}

std::string_view tail_path_name(TailPath path) { return path == TailPath::portable ? "portable" : "avx512_vnni"; }

namespace {

// The AVX-512 requantization doubles acc x 2^left in 32 bits: exact while |acc| x 2^left < 2^30,
// with |acc| <= |bias| + 255 sum |w| for u8 inputs. Any realistic layer is far inside (at most
// 2^20.2 from the weights of a 4 -> 4 3x3 conv); a tail outside takes the portable path.
std::int64_t accumulator_bound(const TailConv& c, int o) {
    const std::size_t per_output = c.weights.size() / static_cast<std::size_t>(c.out_channels);
    std::int64_t bound = std::abs(static_cast<std::int64_t>(c.bias[static_cast<std::size_t>(o)]));
    for (std::size_t i = 0; i < per_output; ++i)
        bound += 255 * std::abs(static_cast<std::int64_t>(c.weights[static_cast<std::size_t>(o) * per_output + i]));
    return bound;
}

bool fits_avx512_requantization(const TailConv& c) {
    for (int o = 0; o < c.out_channels; ++o) {
        const int left = std::max(c.q.output_multiplier[static_cast<std::size_t>(o)].shift, 0);
        if (accumulator_bound(c, o) >= (std::int64_t{1} << 30) >> left) return false;
    }
    return true;
}

// Whether the output zero point fits into the AVX-512 rounding constant (PackedConv).
bool zero_point_folds(const TailConv& c) {
    for (int o = 0; o < c.out_channels; ++o) {
        const int shift = c.q.output_multiplier[static_cast<std::size_t>(o)].shift;
        const int left = std::max(shift, 0), right = std::max(-shift, 0);
        const std::int64_t high = (accumulator_bound(c, o) << left) + ((std::int64_t{1} << right) >> 1) +
                                  std::abs(static_cast<std::int64_t>(c.q.output_offset)) * (std::int64_t{1} << right);
        if (high >= (std::int64_t{1} << 31)) return false;
    }
    return true;
}

}  // namespace

bool avx512_vnni_usable(const FineTuneTail& tail) {
    if (tail.channels() != 4 || !detail::cpu_has_avx512_vnni()) return false;
    bool ok = tail.residual.in.type == ActType::u8 && tail.residual.out.type == ActType::u8 &&
              fits_avx512_requantization(tail.residual);
    for (const TailConv& c : tail.convs)
        ok = ok && c.in.type == ActType::u8 && c.out.type == ActType::u8 && fits_avx512_requantization(c);
    return ok;
}

TailPath best_tail_path(const FineTuneTail& tail) {
    return avx512_vnni_usable(tail) ? TailPath::avx512_vnni : TailPath::portable;
}

namespace {

// Pulls the rows of the tail's layers (0: g, 1 .. L-1: the C-channel layers) in an order in
// which each row's three input rows exist and no layer needs more than three rows at once, so
// each layer keeps a ring of three. produce(k, r) computes row r of layer k (a row outside the
// image is padding) into slot ring_slot(r) of layer k's ring.
class RowPuller {
public:
    RowPuller(int layers, std::int64_t first_output_row) : next_(static_cast<std::size_t>(layers)) {
        for (int k = 0; k < layers; ++k) next_[static_cast<std::size_t>(k)] = first_output_row - (layers - k);
    }
    template <typename F>
    void ensure(int k, std::int64_t row, F& produce) {
        std::int64_t& next = next_[static_cast<std::size_t>(k)];
        while (next <= row) {
            if (k > 0) ensure(k - 1, next + 1, produce);
            produce(k, next);
            ++next;
        }
    }

private:
    std::vector<std::int64_t> next_;
};

int ring_slot(std::int64_t row) { return static_cast<int>(((row % 3) + 3) % 3); }

// The rows [begin, end) of image rows this thread computes.
std::pair<std::int64_t, std::int64_t> band(std::int64_t h) {
    const std::int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    return {h * t / threads, h * (t + 1) / threads};
}

std::int32_t load(const std::byte* p, ActType type) {
    return type == ActType::u8 ? static_cast<std::int32_t>(std::to_integer<std::uint8_t>(*p))
                               : static_cast<std::int32_t>(static_cast<std::int8_t>(std::to_integer<std::uint8_t>(*p)));
}

std::int32_t requantize(std::int32_t acc, const TailConv& c, int o) {
    const std::int32_t v = multiply_by_quantized_multiplier(acc, c.q.output_multiplier[static_cast<std::size_t>(o)]) +
                           c.q.output_offset;
    return std::clamp(v, c.q.activation_min, c.q.activation_max);
}

// Portable rows: int32 (value - zero point), one plane of w + 2 per channel (pixel -1 first);
// padding is 0. Plane-wise loops over x, so the compiler vectorizes the accumulation.
void portable_conv_row(const TailConv& conv, const std::int32_t* const rows[3], std::int64_t w, std::int32_t* out,
                       std::int32_t* acc) {
    const int C = conv.in_channels, O = conv.out_channels;
    const std::int64_t stride = w + 2;
    for (int o = 0; o < O; ++o) {
        std::fill_n(acc, w, conv.bias[static_cast<std::size_t>(o)]);
        for (int c = 0; c < C; ++c)
            for (int dy = 0; dy < 3; ++dy)
                for (int dx = 0; dx < 3; ++dx) {
                    const std::int32_t wv = conv.weights[static_cast<std::size_t>(((o * C + c) * 3 + dy) * 3 + dx)];
                    const std::int32_t* in = rows[dy] + c * stride + dx;  // pixel x - 1 + dx
                    for (std::int64_t x = 0; x < w; ++x) acc[x] += in[x] * wv;
                }
        std::int32_t* plane = out + o * stride + 1;
        for (std::int64_t x = 0; x < w; ++x) plane[x] = requantize(acc[x], conv, o) - conv.out.zero_point;
    }
}

void run_portable(const FineTuneTail& tail, const TailImage& src, const TailImage& dst) {
    const int L = static_cast<int>(tail.convs.size());
    const std::int64_t W = src.w, H = src.h;
    const TailConv& res = tail.residual;
    const ActType g_type = tail.convs.front().in.type;
    const std::int32_t g_zp = tail.convs.front().in.zero_point;
#pragma omp parallel
    {
        // rings[k][slot]: layer k's rows; layer 0 has one channel, the others C.
        std::vector<std::vector<std::int32_t>> rings(static_cast<std::size_t>(3 * L));
        for (int k = 0; k < L; ++k)
            for (int s = 0; s < 3; ++s)
                rings[static_cast<std::size_t>(3 * k + s)].assign(
                    static_cast<std::size_t>((W + 2) * (k == 0 ? 1 : tail.channels())), 0);
        std::vector<std::int32_t> c_row(static_cast<std::size_t>(W + 2)), acc(static_cast<std::size_t>(W));
        const auto [y0, y1] = band(H);
        for (std::int64_t n = 0; n < src.n && y0 < y1; ++n) {
            const std::byte* g = src.data + n * src.image_stride;
            std::byte* out = dst.data + n * dst.image_stride;
            auto row_of = [&](int k, std::int64_t r) { return rings[static_cast<std::size_t>(3 * k + ring_slot(r))].data(); };
            auto produce = [&](int k, std::int64_t r) {
                std::int32_t* row = row_of(k, r);
                if (r < 0 || r >= H) {  // padding: (zero point - zero point)
                    std::fill_n(row, (W + 2) * (k == 0 ? 1 : tail.channels()), 0);
                    return;
                }
                if (k == 0) {
                    for (std::int64_t x = 0; x < W; ++x) row[x + 1] = load(g + (r * W + x) * src.pixel_stride, g_type) - g_zp;
                    return;
                }
                const std::int32_t* in[3] = {row_of(k - 1, r - 1), row_of(k - 1, r), row_of(k - 1, r + 1)};
                portable_conv_row(tail.convs[static_cast<std::size_t>(k - 1)], in, W, row, acc.data());
            };
            RowPuller puller(L, y0);
            for (std::int64_t y = y0; y < y1; ++y) {
                puller.ensure(L - 1, y + 1, produce);
                const std::int32_t* in[3] = {row_of(L - 1, y - 1), row_of(L - 1, y), row_of(L - 1, y + 1)};
                portable_conv_row(tail.convs.back(), in, W, c_row.data(), acc.data());  // c - g's zero point
                for (std::int64_t x = 0; x < W; ++x) {
                    const std::int32_t gv = load(g + (y * W + x) * src.pixel_stride, g_type) - g_zp;
                    const std::int32_t sum = res.bias[0] + gv * res.weights[0] + c_row[static_cast<std::size_t>(x + 1)] * res.weights[1];
                    out[(y * W + x) * dst.pixel_stride] = static_cast<std::byte>(static_cast<std::uint8_t>(requantize(sum, res, 0)));
                }
            }
        }
    }
}

detail::PackedConv pack(const TailConv& conv) {
    detail::PackedConv p;
    p.out_channels = conv.out_channels;
    const int C = conv.in_channels, K = conv.kernel;
    const auto w = [&](int o, int c, int dy, int dx) {
        return static_cast<std::int32_t>(conv.weights[static_cast<std::size_t>(((o * C + c) * K + dy) * K + dx)]);
    };
    const auto bytes = [](std::int32_t a, std::int32_t b, std::int32_t c, std::int32_t d) {
        return static_cast<std::int32_t>((static_cast<std::uint32_t>(a) & 0xff) | (static_cast<std::uint32_t>(b) & 0xff) << 8 |
                                         (static_cast<std::uint32_t>(c) & 0xff) << 16 | (static_cast<std::uint32_t>(d) & 0xff) << 24);
    };
    for (int o = 0; o < conv.out_channels; ++o) {
        std::int32_t sum = 0;
        for (int c = 0; c < C; ++c)
            for (int dy = 0; dy < K; ++dy)
                for (int dx = 0; dx < K; ++dx) sum += w(o, c, dy, dx);
        if (K == 1) {  // the residual: one plain weight per input channel
            for (int c = 0; c < C; ++c) p.weights[o][c] = w(o, c, 0, 0);
        } else if (C == 1) {  // 1 -> 4: the three taps of kernel row dy in one lane
            for (int dy = 0; dy < 3; ++dy) p.weights[o][dy] = bytes(w(o, 0, dy, 0), w(o, 0, dy, 1), w(o, 0, dy, 2), 0);
        } else {  // 4 -> 4 or 4 -> 1: the four input channels of tap (dy, dx) in one lane
            for (int t = 0; t < 9; ++t) p.weights[o][t] = bytes(w(o, 0, t / 3, t % 3), w(o, 1, t / 3, t % 3), w(o, 2, t / 3, t % 3), w(o, 3, t / 3, t % 3));
        }
        p.init[o] = conv.bias[static_cast<std::size_t>(o)] - conv.in.zero_point * sum;
        const QuantizedMultiplier m = conv.q.output_multiplier[static_cast<std::size_t>(o)];
        p.multiplier[o] = m.multiplier;
        p.left_shift[o] = std::max(m.shift, 0);
        p.right_shift[o] = std::max(-m.shift, 0);
    }
    p.out_zero_point = conv.q.output_offset;
    p.fold_zero_point = zero_point_folds(conv);
    p.act_min = conv.q.activation_min;
    p.act_max = conv.q.activation_max;
    return p;
}

void run_avx512(const FineTuneTail& tail, const TailImage& src, const TailImage& dst) {
    const int L = static_cast<int>(tail.convs.size());
    const std::int64_t W = src.w, H = src.h;
    std::vector<detail::PackedConv> packed;
    for (const TailConv& c : tail.convs) packed.push_back(pack(c));
    const detail::PackedConv residual = pack(tail.residual);
    const std::int64_t lanes = W + 2 + detail::row_slack;  // pixel -1, 0 .. W - 1, W, slack
    // Padding lanes of each layer: its zero point in every byte.
    std::vector<std::uint32_t> pad_lane(static_cast<std::size_t>(L));
    for (int k = 0; k < L; ++k) pad_lane[static_cast<std::size_t>(k)] = 0x01010101u * static_cast<std::uint32_t>(tail.convs[static_cast<std::size_t>(k)].in.zero_point);
    const auto g_zp = static_cast<std::uint8_t>(tail.convs.front().in.zero_point);
#pragma omp parallel
    {
        std::vector<std::vector<std::uint32_t>> rings(static_cast<std::size_t>(3 * L));
        for (int k = 0; k < L; ++k)
            for (int s = 0; s < 3; ++s) rings[static_cast<std::size_t>(3 * k + s)].assign(static_cast<std::size_t>(lanes), pad_lane[static_cast<std::size_t>(k)]);
        std::vector<std::uint8_t> padded(static_cast<std::size_t>(lanes + 64), g_zp), g_row(static_cast<std::size_t>(W)),
            out_row(static_cast<std::size_t>(W));
        const auto [y0, y1] = band(H);
        for (std::int64_t n = 0; n < src.n && y0 < y1; ++n) {
            const auto* g = reinterpret_cast<const std::uint8_t*>(src.data + n * src.image_stride);
            auto* out = reinterpret_cast<std::uint8_t*>(dst.data + n * dst.image_stride);
            auto row_of = [&](int k, std::int64_t r) { return rings[static_cast<std::size_t>(3 * k + ring_slot(r))].data(); };
            auto g_of = [&](std::int64_t r, std::uint8_t* to) {
                if (src.pixel_stride == 1) {
                    std::memcpy(to, g + r * W, static_cast<std::size_t>(W));
                } else {
                    for (std::int64_t x = 0; x < W; ++x) to[x] = g[(r * W + x) * src.pixel_stride];
                }
            };
            auto produce = [&](int k, std::int64_t r) {
                std::uint32_t* row = row_of(k, r);
                if (r < 0 || r >= H) {
                    std::fill_n(row, lanes, pad_lane[static_cast<std::size_t>(k)]);
                } else if (k == 0) {
                    g_of(r, padded.data() + 1);
                    detail::avx512_input_row(padded.data(), W, row);
                } else {
                    const std::uint32_t* in[3] = {row_of(k - 1, r - 1), row_of(k - 1, r), row_of(k - 1, r + 1)};
                    if (k == 1)
                        detail::avx512_first_layer_row(packed.front(), in, W, row);
                    else
                        detail::avx512_middle_layer_row(packed[static_cast<std::size_t>(k - 1)], in, W, row);
                }
            };
            RowPuller puller(L, y0);
            for (std::int64_t y = y0; y < y1; ++y) {
                puller.ensure(L - 1, y + 1, produce);
                const std::uint32_t* in[3] = {row_of(L - 1, y - 1), row_of(L - 1, y), row_of(L - 1, y + 1)};
                g_of(y, g_row.data());
                std::uint8_t* to = dst.pixel_stride == 1 ? out + y * W : out_row.data();
                detail::avx512_last_row(packed.back(), residual, in, g_row.data(), W, to);
                if (dst.pixel_stride != 1)
                    for (std::int64_t x = 0; x < W; ++x) out[(y * W + x) * dst.pixel_stride] = out_row[static_cast<std::size_t>(x)];
            }
        }
    }
}

}  // namespace

void run_finetune_tail(const FineTuneTail& tail, const TailImage& src, const TailImage& dst, TailPath path) {
    if (src.n != dst.n || src.h != dst.h || src.w != dst.w)
        fail("Fine-Tune tail: input {}x{}x{} and output {}x{}x{} differ", src.n, src.h, src.w, dst.n, dst.h, dst.w);
    if (tail.convs.size() < 2) fail("Fine-Tune tail: needs at least two 3x3 convolutions, has {}", tail.convs.size());
    if (path == TailPath::avx512_vnni) {
        if (!avx512_vnni_usable(tail))
            fail("Fine-Tune tail: the AVX-512 VNNI path needs a CPU with it, 4 channels and u8 tensors");
        run_avx512(tail, src, dst);
    } else {
        run_portable(tail, src, dst);
    }
}

}  // namespace tomoedge::runtime::int8
