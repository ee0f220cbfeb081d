#include "io/inspect.hpp"

#include "core/progress.hpp"
#include "io/hdf5.hpp"
#include "io/tiff.hpp"

#include <algorithm>

namespace tomoedge::io {

ValueRange merge_ranges(const ValueRange& a, std::int64_t count_a, const ValueRange& b, std::int64_t count_b) {
    if (count_a == 0) return b;
    if (count_b == 0) return a;
    const auto na = static_cast<double>(count_a), nb = static_cast<double>(count_b);
    return {std::min(a.min, b.min), std::max(a.max, b.max), (a.mean * na + b.mean * nb) / (na + nb)};
}

std::int64_t slab_slices(std::int64_t slice_values, std::int64_t slab_bytes) {
    const std::int64_t bytes = std::max<std::int64_t>(1, slice_values) * static_cast<std::int64_t>(sizeof(float));
    return std::max<std::int64_t>(1, slab_bytes / bytes);
}

ValueRange stack_value_range(StackReader& reader, std::int64_t slab_bytes) {
    const Shape& shape = reader.info().shape;
    const std::int64_t step = slab_slices(shape[1] * shape[2], slab_bytes);
    ValueRange total;
    std::int64_t seen = 0;
    Progress progress("info", shape[0], "slice");
    for (std::int64_t first = 0; first < shape[0]; first += step) {
        const Tensor<float> slab = reader.read(first, std::min(step, shape[0] - first));
        total = merge_ranges(total, seen, value_range(slab.span()), slab.size());
        seen += slab.size();
        progress.advance(slab.dim(0));
    }
    return total;
}

namespace {

// Any rank, streamed along the first axis (a scalar or 1-D dataset is small enough to read whole).
ValueRange dataset_value_range(const Hdf5Reader& reader, const DatasetInfo& info, std::int64_t slab_bytes) {
    if (info.shape.rank() <= 1) {
        const Tensor<float> all = reader.read(info.name);
        return value_range(all.span());
    }
    const std::int64_t rows = info.shape[0];
    const std::int64_t step = slab_slices(rows == 0 ? 0 : info.shape.numel() / rows, slab_bytes);
    ValueRange total;
    std::int64_t seen = 0;
    Progress progress("info " + info.name, rows, "slice");
    for (std::int64_t first = 0; first < rows; first += step) {
        const Tensor<float> slab = reader.read_slab(info.name, first, std::min(step, rows - first));
        total = merge_ranges(total, seen, value_range(slab.span()), slab.size());
        seen += slab.size();
        progress.advance(slab.dim(0));
    }
    return total;
}

FileSummary inspect_hdf5(const DataPath& path, const InspectOptions& options) {
    const Hdf5Reader reader(path.file);
    FileSummary summary{path.str(), "hdf5", {}};
    std::vector<DatasetInfo> datasets;
    if (path.dataset.empty()) datasets = reader.list();
    else datasets.push_back(reader.info(path.dataset));
    for (const DatasetInfo& d : datasets) {
        ItemSummary item{d.name, d.shape, d.type_name, false, {}};
        if (options.value_range && d.readable && d.shape.numel() > 0) {
            item.range = dataset_value_range(reader, d, options.slab_bytes);
            item.has_range = true;
        }
        summary.items.push_back(std::move(item));
    }
    return summary;
}

FileSummary inspect_tiff(const DataPath& path, const InspectOptions& options) {
    TiffStackReader reader(path);
    const StackInfo& info = reader.info();
    FileSummary summary{path.str(), path.format == StackFormat::tiff_file ? "tiff file" : "tiff folder", {}};
    const std::string dtype(dtype_name(info.dtype));
    ItemSummary stack{path.str(), info.shape, dtype, false, {}};
    if (options.value_range && !options.pages) {
        stack.range = stack_value_range(reader, options.slab_bytes);
        stack.has_range = true;
    }
    summary.items.push_back(stack);
    if (!options.pages) return summary;

    const std::vector<std::string> names = reader.page_names();
    const Shape page_shape{info.shape[1], info.shape[2]};
    ValueRange total;
    std::int64_t seen = 0;
    Progress progress("info", info.shape[0], "page");
    for (std::int64_t k = 0; k < info.shape[0]; ++k) {
        ItemSummary page{names[static_cast<std::size_t>(k)], page_shape, dtype, false, {}};
        if (options.value_range) {
            const Tensor<float> pixels = reader.read(k, 1);
            page.range = value_range(pixels.span());
            page.has_range = true;
            total = merge_ranges(total, seen, page.range, pixels.size());
            seen += pixels.size();
        }
        summary.items.push_back(std::move(page));
        progress.advance();
    }
    if (options.value_range) {
        summary.items.front().range = total;
        summary.items.front().has_range = true;
    }
    return summary;
}

}  // namespace

FileSummary inspect(std::string_view name, const InspectOptions& options) {
    const DataPath path = parse_data_path(name);
    return path.format == StackFormat::hdf5 ? inspect_hdf5(path, options) : inspect_tiff(path, options);
}

}  // namespace tomoedge::io
