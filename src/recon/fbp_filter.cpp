#include "recon/fbp_filter.hpp"

#include "core/error.hpp"

#include <fftw3.h>

#include <cmath>
#include <complex>
#include <mutex>
#include <numbers>

namespace tomoedge::recon {
namespace {

// FFTW's planner is not thread-safe: every plan is made and destroyed under this lock.
std::mutex& planner_mutex() {
    static std::mutex m;
    return m;
}

struct FftwBuffer {
    explicit FftwBuffer(std::size_t bytes) : p(fftwf_malloc(bytes)) {
        if (!p) fail("FFT: out of memory ({} bytes)", bytes);
    }
    ~FftwBuffer() { fftwf_free(p); }
    FftwBuffer(const FftwBuffer&) = delete;
    FftwBuffer& operator=(const FftwBuffer&) = delete;
    void* p;
};

constexpr struct {
    FilterWindow window;
    std::string_view name;
} kNames[] = {{FilterWindow::ram_lak, "ram-lak"},
              {FilterWindow::shepp_logan, "shepp-logan"},
              {FilterWindow::cosine, "cosine"},
              {FilterWindow::hamming, "hamming"},
              {FilterWindow::hann, "hann"}};

}  // namespace

FilterWindow parse_filter_window(std::string_view name) {
    if (name == "ramp") return FilterWindow::ram_lak;
    for (const auto& n : kNames)
        if (n.name == name) return n.window;
    fail("unknown filter '{}' (use one of: {})", name, filter_window_names());
}

std::string_view filter_window_name(FilterWindow window) {
    for (const auto& n : kNames)
        if (n.window == window) return n.name;
    return "?";
}

std::string filter_window_names() {
    std::string s;
    for (const auto& n : kNames) s += (s.empty() ? "" : ", ") + std::string(n.name);
    return s;
}

double window_value(FilterWindow window, double w) {
    constexpr double pi = std::numbers::pi;
    switch (window) {
        case FilterWindow::ram_lak: return 1.0;
        case FilterWindow::shepp_logan: return w == 0 ? 1.0 : std::sin(pi * w / 2) / (pi * w / 2);
        case FilterWindow::cosine: return std::cos(pi * w / 2);
        case FilterWindow::hamming: return 0.54 + 0.46 * std::cos(pi * w);
        case FilterWindow::hann: return 0.5 + 0.5 * std::cos(pi * w);
    }
    return 1.0;
}

std::int64_t padded_length(std::int64_t cols) {
    if (cols <= 0) fail("FBP: detector width must be positive, got {}", cols);
    std::int64_t n = 64;
    while (n < 2 * cols) n *= 2;
    return n;
}

std::vector<double> filter_response(FilterWindow window, std::int64_t padded) {
    const std::int64_t L = padded;
    // Spatial kernel on the circle: h[n] for n in (-L/2, L/2], real and even, so its DFT is real:
    // H[k] = h[0] + 2 sum_{n odd, 0<n<L/2} h[n] cos(2 pi k n / L) (+ the n = L/2 term, even: 0).
    // Summed directly in double precision (once per filter), so the response carries no
    // single-precision FFT rounding.
    std::vector<double> h(static_cast<std::size_t>(L / 2 + 1), 0.0);
    h[0] = 0.25;
    for (std::int64_t n = 1; n <= L / 2; n += 2)
        h[static_cast<std::size_t>(n)] = -1.0 / (std::numbers::pi * std::numbers::pi * static_cast<double>(n * n));
    std::vector<double> response(static_cast<std::size_t>(L / 2 + 1));
    // O(L^2 / 4) once per filter (L = 2048: ~1 M multiply-adds, ~1 ms); exact to double rounding.
    for (std::int64_t k = 0; k <= L / 2; ++k) {
        double acc = h[0];
        for (std::int64_t n = 1; n < L / 2; n += 2)
            acc += 2.0 * h[static_cast<std::size_t>(n)] *
                   std::cos(2.0 * std::numbers::pi * static_cast<double>((k * n) % L) / static_cast<double>(L));
        response[static_cast<std::size_t>(k)] = acc * window_value(window, static_cast<double>(k) / static_cast<double>(L / 2));
    }
    return response;
}

RampFilter::RampFilter(std::int64_t cols, FilterWindow window)
    : cols_(cols), padded_(padded_length(cols)), window_(window) {
    const std::vector<double> response = filter_response(window, padded_);
    gain_.resize(response.size());
    for (std::size_t k = 0; k < response.size(); ++k)
        gain_[k] = static_cast<float>(response[k] / static_cast<double>(padded_));
    FftwBuffer in(sizeof(float) * static_cast<std::size_t>(padded_));
    FftwBuffer out(sizeof(fftwf_complex) * static_cast<std::size_t>(padded_ / 2 + 1));
    std::lock_guard lock(planner_mutex());
    const int n = static_cast<int>(padded_);
    // FFTW_ESTIMATE: planning does not time candidates, so results are reproducible run to run.
    forward_ = fftwf_plan_dft_r2c_1d(n, static_cast<float*>(in.p), static_cast<fftwf_complex*>(out.p), FFTW_ESTIMATE);
    inverse_ = fftwf_plan_dft_c2r_1d(n, static_cast<fftwf_complex*>(out.p), static_cast<float*>(in.p), FFTW_ESTIMATE);
    if (!forward_ || !inverse_) fail("FFT: could not plan a length-{} transform", padded_);
}

RampFilter::~RampFilter() {
    std::lock_guard lock(planner_mutex());
    if (forward_) fftwf_destroy_plan(static_cast<fftwf_plan>(forward_));
    if (inverse_) fftwf_destroy_plan(static_cast<fftwf_plan>(inverse_));
}

void RampFilter::apply(float* rows, std::int64_t count, std::int64_t stride) const {
    // Buffers from fftwf_malloc have the alignment the plans were made for (new-array execute).
    FftwBuffer in_buf(sizeof(float) * static_cast<std::size_t>(padded_));
    FftwBuffer out_buf(sizeof(fftwf_complex) * static_cast<std::size_t>(padded_ / 2 + 1));
    auto* in = static_cast<float*>(in_buf.p);
    auto* spectrum = static_cast<fftwf_complex*>(out_buf.p);
    const std::int64_t bins = padded_ / 2 + 1;
    for (std::int64_t r = 0; r < count; ++r) {
        float* row = rows + r * stride;
        std::copy(row, row + cols_, in);
        std::fill(in + cols_, in + padded_, 0.0f);
        fftwf_execute_dft_r2c(static_cast<fftwf_plan>(forward_), in, spectrum);
        for (std::int64_t k = 0; k < bins; ++k) {
            spectrum[k][0] *= gain_[static_cast<std::size_t>(k)];
            spectrum[k][1] *= gain_[static_cast<std::size_t>(k)];
        }
        fftwf_execute_dft_c2r(static_cast<fftwf_plan>(inverse_), spectrum, in);
        std::copy(in, in + cols_, row);
    }
}

}  // namespace tomoedge::recon
