#include "pipeline/quantize_file.hpp"

#include "io/stack.hpp"

namespace tomoedge::pipeline {

model::Graph quantize_file(const model::Graph& fp32, const io::DataPath& data, const quant::QuantizeOptions& options,
                           quant::QuantizeReport* report, const quant::QuantParams* pinned_input) {
    quant::check_quantizable(fp32, options, pinned_input);
    auto reader = io::StackReader::open(data);
    return quant::quantize_model(fp32, *reader, options, report, pinned_input);
}

}  // namespace tomoedge::pipeline
