#include "io/convert.hpp"

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/statistics.hpp"
#include "io/hdf5.hpp"
#include "io/inspect.hpp"

#include <algorithm>
#include <vector>

namespace tomoedge::io {
namespace fs = std::filesystem;
namespace {

bool fits_without_scaling(DType in, DType out) {
    if (out == DType::f32) return true;
    if (in == DType::u8) return true;
    return in == DType::u16 && out == DType::u16;
}

double output_top(DType t) { return t == DType::u8 ? 255.0 : t == DType::u16 ? 65535.0 : 1.0; }

// Percentiles of the whole stack from one streamed pass: every value when few, else an evenly
// spaced sample.
std::pair<double, double> stack_percentiles(StackReader& reader, const ConvertOptions& o) {
    const Shape& shape = reader.info().shape;
    const std::int64_t total = shape.numel();
    const std::int64_t stride = std::max<std::int64_t>(1, (total + o.percentile_samples - 1) / o.percentile_samples);
    std::vector<float> sample;
    sample.reserve(static_cast<std::size_t>(std::min(total, o.percentile_samples)));
    const std::int64_t step = slab_slices(shape[1] * shape[2], o.slab_bytes);
    std::int64_t base = 0;  // flat index of the slab's first value
    Progress progress("convert: percentiles", shape[0], "slice");
    for (std::int64_t first = 0; first < shape[0]; first += step) {
        const Tensor<float> slab = reader.read(first, std::min(step, shape[0] - first));
        for (std::int64_t i = (stride - base % stride) % stride; i < slab.size(); i += stride) sample.push_back(slab[i]);
        base += slab.size();
        progress.advance(slab.dim(0));
    }
    return percentile_range(sample, o.low_pct, o.high_pct);
}

}  // namespace

Scaling parse_scaling(std::string_view text) {
    if (text == "auto") return Scaling::automatic;
    if (text == "none") return Scaling::none;
    if (text == "minmax") return Scaling::minmax;
    if (text == "percentile") return Scaling::percentile;
    fail("unknown scaling '{}' (expected auto, none, minmax or percentile)", text);
}

std::string_view scaling_name(Scaling s) {
    switch (s) {
        case Scaling::automatic: return "auto";
        case Scaling::none: return "none";
        case Scaling::minmax: return "minmax";
        case Scaling::percentile: return "percentile";
    }
    return "?";
}

ConvertReport convert_stack(std::string_view input, std::string_view output, const ConvertOptions& o) {
    const DataPath in = parse_data_path(input);
    DataPath out = parse_data_path(output);
    if (!(o.low_pct >= 0 && o.low_pct < o.high_pct && o.high_pct <= 100))
        fail("percentile window {}..{} is not 0 <= low < high <= 100", o.low_pct, o.high_pct);
    auto reader = StackReader::open(in);
    const StackInfo info = reader->info();

    if (out.format == StackFormat::hdf5) {
        std::error_code ec;
        if (in.format == StackFormat::hdf5 && fs::equivalent(in.file, out.file, ec))
            fail("{}: the output would replace the input file; write to another file", out.file.string());
        if (out.dataset.empty()) out.dataset = in.format == StackFormat::hdf5 ? absolute_dataset_name(in.dataset) : "data";
    }

    ConvertReport report;
    report.input = reader->name();
    report.output = out.str();
    report.shape = info.shape;
    report.input_dtype = info.dtype;
    const bool common = info.dtype == DType::u8 || info.dtype == DType::u16 || info.dtype == DType::f32;
    report.output_dtype = o.dtype.value_or(common ? info.dtype : DType::f32);
    if (report.output_dtype != DType::u8 && report.output_dtype != DType::u16 && report.output_dtype != DType::f32)
        fail("{}: output dtype {} is not u8, u16 or f32", out.str(), dtype_name(report.output_dtype));
    report.scaling = o.scaling;
    if (report.scaling == Scaling::automatic)
        report.scaling = fits_without_scaling(info.dtype, report.output_dtype) ? Scaling::none : Scaling::minmax;

    // First pass (when scaling): the input window.
    const double top = output_top(report.output_dtype);
    switch (report.scaling) {
        case Scaling::minmax: {
            const ValueRange r = stack_value_range(*reader, o.slab_bytes);
            report.window_low = r.min;
            report.window_high = r.max;
            break;
        }
        case Scaling::percentile:
            std::tie(report.window_low, report.window_high) = stack_percentiles(*reader, o);
            break;
        default:
            report.window_low = 0;
            report.window_high = top;
    }
    // A flat window maps everything to 0.
    const double gain = report.window_high > report.window_low ? top / (report.window_high - report.window_low) : 0.0;
    const bool rescale = report.scaling != Scaling::none;

    WriteOptions wo{report.output_dtype, o.deflate_level, o.bigtiff_above_bytes};
    auto writer = StackWriter::create(out, info.shape, wo);
    const std::int64_t step = slab_slices(info.shape[1] * info.shape[2], o.slab_bytes);
    Progress progress("convert", info.shape[0], "slice");
    for (std::int64_t first = 0; first < info.shape[0]; first += step) {
        Tensor<float> slab = reader->read(first, std::min(step, info.shape[0] - first));
        if (rescale) {
            for (float& v : slab) {
                const double mapped = (v - report.window_low) * gain;
                v = static_cast<float>(std::clamp(mapped, 0.0, top));
            }
        }
        writer->write(first, slab);
        progress.advance(slab.dim(0));
    }
    writer->commit();
    return report;
}

}  // namespace tomoedge::io
