#pragma once
// The FBP ramp filter and its apodisation windows, applied along detector rows with FFTW.
//
// Ramp: the DFT of the band-limited spatial ramp kernel of Ramachandran & Lakshminarayanan
// (h[0] = 1/4, h[odd n] = -1/(pi n)^2, h[even n] = 0, unit detector spacing), which is |f| up to
// a small correction that keeps the DC term right (a plain |f| sampled on the DFT grid loses
// the mean and cups the image). Windows, with w = f / f_Nyquist in [0, 1]:
//   ram-lak      1
//   shepp-logan  sin(pi w / 2) / (pi w / 2)
//   cosine       cos(pi w / 2)
//   hamming      0.54 + 0.46 cos(pi w)
//   hann         0.5 + 0.5 cos(pi w)
// Rows are zero padded to a power of two >= 2 cols, so the circular convolution equals the
// linear one on the detector.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tomoedge::recon {

enum class FilterWindow { ram_lak, shepp_logan, cosine, hamming, hann };

/// "ram-lak" (also "ramp"), "shepp-logan", "cosine", "hamming", "hann"; Error otherwise.
FilterWindow parse_filter_window(std::string_view name);
std::string_view filter_window_name(FilterWindow window);
/// All names, for --help.
std::string filter_window_names();

/// The window at normalised frequency w in [0, 1] (1 = Nyquist).
double window_value(FilterWindow window, double w);

/// Smallest power of two >= 2 * cols (and >= 64).
std::int64_t padded_length(std::int64_t cols);

/// Real frequency response for bins k = 0 .. L/2 of a length-L real DFT: ramp x window.
std::vector<double> filter_response(FilterWindow window, std::int64_t padded);

class RampFilter {
public:
    RampFilter(std::int64_t cols, FilterWindow window);
    ~RampFilter();
    RampFilter(const RampFilter&) = delete;
    RampFilter& operator=(const RampFilter&) = delete;

    /// Filters `count` rows of `cols` samples in place; row i starts at rows + i * stride.
    /// Safe to call from several threads at once (plans are made once, in the constructor, and
    /// executed on per-call buffers).
    void apply(float* rows, std::int64_t count, std::int64_t stride) const;

    std::int64_t cols() const { return cols_; }
    std::int64_t padded() const { return padded_; }
    FilterWindow window() const { return window_; }

private:
    std::int64_t cols_, padded_;
    FilterWindow window_;
    std::vector<float> gain_;  // response / L (FFTW's inverse is unnormalised)
    void* forward_ = nullptr;  // fftwf_plan
    void* inverse_ = nullptr;
};

}  // namespace tomoedge::recon
