#pragma once
// Range selection from an activation histogram: the four calibration methods of
// `tomoedge quantize --method`. Each returns the real range [low, high] that the quantizer maps
// onto the integer grid (it widens it to contain 0 afterwards).
//   minmax      the exact observed min and max (TFLite's default; outliers stretch the scale)
//   percentile  the (100 - P)-th and P-th percentiles (P = --percentile, default 99.99); the
//               low end stays at the minimum when the data never goes below 0 (ReLU outputs)
//   mse         the range [f min, f max], f in (0, 1], minimising the expected squared error:
//               rounding error step^2 / 12 for values inside, (v - clip)^2 for values outside
//   entropy     TensorRT's KL-divergence threshold on |x|: the clip that keeps the quantized
//               distribution closest to the observed one
#include "quant/histogram.hpp"

#include <string_view>

namespace tomoedge::quant {

enum class Method { minmax, percentile, mse, entropy };
std::string_view method_name(Method m);
Method parse_method(std::string_view text);  // throws Error listing the choices

struct Range {
    double low = 0, high = 0;
};

struct CalibrationOptions {
    Method method = Method::percentile;  // the best SSIM on the shipped model (README, "int8 accuracy")
    double percentile = 99.99;
    int levels = 256;  // integer levels of the target type (u8 and s8 alike)
};

Range choose_range(const Histogram& histogram, const CalibrationOptions& options);

/// The mse method's cost of one candidate range (exposed for tests).
double expected_squared_error(const Histogram& histogram, Range range, int levels);

}  // namespace tomoedge::quant
