#include "io/hdf5_stack.hpp"

#include "core/error.hpp"

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

Hdf5StackWriter::Hdf5StackWriter(const DataPath& path, const Shape& shape, const WriteOptions& options)
    : dataset_(path.dataset), shape_(shape) {
    if (dataset_.empty()) fail("{}: name the output dataset as {}:DATASET", path.file.string(), path.file.string());
    writer_.emplace(path.file);
    // One chunk per slice: slab writes and slice reads touch whole chunks only.
    writer_->create(dataset_, shape, DatasetOptions{options.dtype, 1, options.deflate_level});
}

void Hdf5StackWriter::write(std::int64_t first, const Tensor<float>& slices) { writer_->write_slab(dataset_, first, slices); }

void Hdf5StackWriter::commit() { writer_->commit(); }

}  // namespace tomoedge::io
