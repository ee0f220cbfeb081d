#pragma once
// Format-agnostic streaming access to image stacks of shape (N, H, W): an HDF5 dataset or a
// TIFF stack. Commands read and write slabs of slices so volumes larger than memory stream
// through. Pixels are float32 in memory whatever the file holds; writers convert (round and
// clamp for integer types).
#include "core/dtype.hpp"
#include "core/shape.hpp"
#include "core/slice_stream.hpp"
#include "core/tensor.hpp"
#include "io/data_path.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace tomoedge::io {

struct StackInfo {
    Shape shape;  // (N, H, W); a single 2-D image is (1, H, W)
    DType dtype = DType::f32;
};

class StackReader : public SliceSource {
public:
    /// Opens and validates (exists, right kind of file, rank 2 or 3, supported dtype). Errors
    /// name the file (and dataset).
    static std::unique_ptr<StackReader> open(const DataPath& path);

    virtual const StackInfo& info() const = 0;
    Shape shape() const final { return info().shape; }
    /// Slices [first, first + count) as (count, H, W) float32. Rejects NaN/Inf pixels with an
    /// Error naming the file and slice.
    Tensor<float> read(std::int64_t first, std::int64_t count) override = 0;
    Tensor<float> read_all() { return read(0, info().shape[0]); }
    /// Rows [row, row + rows) of slices [first, first + count) as (count, rows, W) float32, checked
    /// as read() checks. HDF5 reads just those rows (a hyperslab), TIFF just the strips or tiles that
    /// hold them, so a band of a big slice costs the band's memory, not the slice's.
    Tensor<float> read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) override = 0;
    std::string name() const override = 0;
};

struct WriteOptions {
    DType dtype = DType::f32;
    int deflate_level = 0;  // 0 = uncompressed; 1..9 = deflate (HDF5 chunks, TIFF pages)
    /// TIFF only: write BigTIFF when the estimated (uncompressed) file size passes this. Classic
    /// TIFF offsets are 32-bit; the margin leaves room for tags and strip tables.
    std::uint64_t bigtiff_above_bytes = (std::uint64_t{1} << 32) - (std::uint64_t{64} << 20);
};

class StackWriter : public SliceSink {
public:
    /// Prepares an output of `shape` (N, H, W) at a temporary path beside the target. Nothing
    /// appears at the target until commit(); an uncommitted writer leaves no file behind.
    static std::unique_ptr<StackWriter> create(const DataPath& path, const Shape& shape, WriteOptions options = {});

    /// Writes slices [first, first + slices.dim(0)); slices is (n, H, W).
    void write(std::int64_t first, const Tensor<float>& slices) override = 0;
    /// Writes rows [row, row + rows.dim(1)) of slice `slice`; `rows` is (1, n, W). HDF5 takes bands in
    /// any order, straight into the file; TIFF takes them in order (row 0 of the next slice first).
    void write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) override = 0;
    /// Flushes, closes and renames into place. Throws if not every slice was written.
    virtual void commit() = 0;
};

}  // namespace tomoedge::io
