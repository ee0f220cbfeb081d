#include "quant/quantize_follower.hpp"

namespace tomoedge::quant {

model::Graph quantize_follower(const model::Graph& fp32, SliceSource& data, const QuantizeOptions& options,
                               const QuantParams& input_params, QuantizeReport* report) {
    return quantize_model(fp32, data, options, report, &input_params);
}

}  // namespace tomoedge::quant
