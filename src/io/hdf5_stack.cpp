#include "io/hdf5_stack.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace tomoedge::io {

Hdf5StackReader::Hdf5StackReader(const DataPath& path) : reader_(path.file), dataset_(path.dataset) {
    const DatasetInfo i = reader_.info(dataset_);  // names the datasets when this one is missing
    if (i.shape.rank() != 2 && i.shape.rank() != 3)
        fail("{}: has rank {} {}; an image stack needs rank 3 (N, H, W) or 2 (H, W)", name(), i.shape.rank(),
             i.shape.str());
    if (!i.readable)
        fail("{}: unsupported dtype {} (readable: u8, s8, u16, s16, u32, s32, f32, f64)", name(), i.type_name);
    two_d_ = i.shape.rank() == 2;
    info_.shape = two_d_ ? Shape{1, i.shape[0], i.shape[1]} : i.shape;
    info_.dtype = i.dtype;
}

Tensor<float> Hdf5StackReader::read(std::int64_t first, std::int64_t count) {
    if (first < 0 || count < 0 || first + count > info_.shape[0])
        fail("{}: slices {}..{} are outside the stack of {}", name(), first, first + count, info_.shape[0]);
    if (two_d_) {
        Tensor<float> image = count == 0 ? Tensor<float>(Shape{0, info_.shape[1], info_.shape[2]}) : reader_.read(dataset_);
        image.reshape(Shape{count, info_.shape[1], info_.shape[2]});
        return image;
    }
    return reader_.read_slab(dataset_, first, count);
}

Tensor<float> Hdf5StackReader::read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) {
    const std::int64_t h = info_.shape[1], w = info_.shape[2];
    if (first < 0 || count < 0 || first + count > info_.shape[0])
        fail("{}: slices {}..{} are outside the stack of {}", name(), first, first + count, info_.shape[0]);
    if (row < 0 || rows < 0 || row + rows > h)
        fail("{}: rows {}..{} are outside the slices' {} rows", name(), row, row + rows, h);
    if (two_d_) {
        Tensor<float> band = count == 0 ? Tensor<float>(Shape{0, rows, w}) : reader_.read_hyperslab(dataset_, {row, 0}, {rows, w});
        band.reshape(Shape{count, rows, w});
        return band;
    }
    return reader_.read_hyperslab(dataset_, {first, row, 0}, {count, rows, w});
}

Hdf5StackWriter::Hdf5StackWriter(const DataPath& path, const Shape& shape, const WriteOptions& options)
    : where_(path.str()), dataset_(path.dataset), shape_(shape) {
    if (dataset_.empty()) fail("{}: name the output dataset as {}:DATASET", path.file.string(), path.file.string());
    writer_.emplace(path.file);
    // Chunks of one slice and ~256 KiB of rows: bands of tile rows (write_rows) fill whole chunks
    // without a slice-sized chunk in memory, and deflate still gets enough data to work on.
    const std::int64_t row_bytes = std::max<std::int64_t>(1, shape[2] * static_cast<std::int64_t>(dtype_size(options.dtype)));
    DatasetOptions d;
    d.dtype = options.dtype;
    d.chunk_rows = 1;
    d.chunk_height = std::clamp<std::int64_t>((std::int64_t{256} << 10) / row_bytes, 1, std::max<std::int64_t>(1, shape[1]));
    d.deflate_level = options.deflate_level;
    writer_->create(dataset_, shape, d);
}

void Hdf5StackWriter::write(std::int64_t first, const Tensor<float>& slices) { writer_->write_slab(dataset_, first, slices); }

void Hdf5StackWriter::write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) {
    if (rows.rank() != 3 || rows.dim(0) != 1)
        fail("{}: a band of rows is (1, rows, W), not {}", where_, rows.shape().str());
    writer_->write_rows(dataset_, slice, row, rows);
}

void Hdf5StackWriter::commit() { writer_->commit(); }

}  // namespace tomoedge::io
