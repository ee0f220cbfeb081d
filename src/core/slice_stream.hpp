#pragma once
// The seam between the library and files: a stack of (N, H, W) float32 slices, read or written a
// slab or a band of rows at a time. The library streams through it (runtime::Denoiser,
// runtime::volume_window, quant::calibrate) and never opens a file: io's HDF5 and TIFF stacks
// implement it (io/stack.hpp), and VolumeSource below serves a volume already in memory.
#include "core/shape.hpp"
#include "core/tensor.hpp"
#include "core/volume_view.hpp"

#include <cstdint>
#include <string>

namespace tomoedge {

class SliceSource {
public:
    virtual ~SliceSource() = default;
    /// (N, H, W); a single 2-D image is (1, H, W).
    virtual Shape shape() const = 0;
    /// Slices [first, first + count) as (count, H, W). Rejects NaN/Inf pixels with an Error naming
    /// the source and slice.
    virtual Tensor<float> read(std::int64_t first, std::int64_t count) = 0;
    /// Rows [row, row + rows) of slices [first, first + count) as (count, rows, W), checked as read()
    /// checks: a band of a big slice costs the band's memory, not the slice's.
    virtual Tensor<float> read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) = 0;
    /// What errors and metadata call the data (a file and dataset, "<array (8, 64, 64)>").
    virtual std::string name() const = 0;
};

class SliceSink {
public:
    virtual ~SliceSink() = default;
    /// Slices [first, first + slices.dim(0)); `slices` is (n, H, W).
    virtual void write(std::int64_t first, const Tensor<float>& slices) = 0;
    /// Rows [row, row + rows.dim(1)) of slice `slice`; `rows` is (1, n, W). A sink may require bands
    /// in order (TIFF: row 0 of the next slice after the last row of this one).
    virtual void write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) = 0;
};

/// A SliceSource over a volume in memory (a NumPy array, a Tensor), read in place: it must outlive
/// the source.
class VolumeSource final : public SliceSource {
public:
    VolumeSource(const VolumeView& volume, std::string name);

    Shape shape() const override { return volume_.shape(); }
    Tensor<float> read(std::int64_t first, std::int64_t count) override;
    Tensor<float> read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) override;
    std::string name() const override { return name_; }

private:
    VolumeView volume_;
    std::string name_;
};

/// A SliceSink into a volume in memory of the shape it is given (the caller owns the pixels).
class VolumeSink final : public SliceSink {
public:
    VolumeSink(float* pixels, const Shape& shape) : pixels_(pixels), shape_(shape) {}
    void write(std::int64_t first, const Tensor<float>& slices) override;
    void write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) override;

private:
    float* pixels_;
    Shape shape_;
};

}  // namespace tomoedge
