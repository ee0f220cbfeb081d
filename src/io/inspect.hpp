#pragma once
// What `tomoedge info` reports: the datasets of an HDF5 file, or a TIFF stack and its pages,
// with shape, dtype and value range. Ranges stream through slabs, so any size fits in memory.
#include "core/shape.hpp"
#include "core/statistics.hpp"
#include "io/stack.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tomoedge::io {

struct ItemSummary {
    std::string name;   // "/exchange/data", "stack.tif", "page 3" or a file of a folder
    Shape shape;
    std::string dtype;  // as the file holds it: "u16", "f64", "string", ...
    bool has_range = false;  // false when not asked for, or for types that are not pixels
    ValueRange range;
};

struct FileSummary {
    std::string file;
    std::string format;  // "hdf5", "tiff file", "tiff folder"
    std::vector<ItemSummary> items;
};

struct InspectOptions {
    bool value_range = true;  // stream the data for min/max/mean
    bool pages = false;       // TIFF: one item per page after the stack's
    std::int64_t slab_bytes = std::int64_t{64} << 20;
};

/// `name` as on the command line: "data.h5" (every dataset), "data.h5:ds", "a.tif", "folder/".
FileSummary inspect(std::string_view name, const InspectOptions& options = {});

/// Min, max and mean of a whole stack, read in slabs of about `slab_bytes`.
ValueRange stack_value_range(StackReader& reader, std::int64_t slab_bytes = std::int64_t{64} << 20);

/// Combines the ranges of two disjoint parts holding `count_a` and `count_b` values.
ValueRange merge_ranges(const ValueRange& a, std::int64_t count_a, const ValueRange& b, std::int64_t count_b);

/// Slices per slab so that one slab of (slices, slice_values) float32 stays near `slab_bytes`.
std::int64_t slab_slices(std::int64_t slice_values, std::int64_t slab_bytes);

}  // namespace tomoedge::io
