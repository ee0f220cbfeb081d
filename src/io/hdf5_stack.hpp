#pragma once
// StackReader / StackWriter for one HDF5 dataset of rank 3 (N, H, W) or 2 (one image).
#include "io/hdf5.hpp"
#include "io/stack.hpp"

#include <optional>

namespace tomoedge::io {

class Hdf5StackReader final : public StackReader {
public:
    explicit Hdf5StackReader(const DataPath& path);
    const StackInfo& info() const override { return info_; }
    Tensor<float> read(std::int64_t first, std::int64_t count) override;
    Tensor<float> read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) override;
    std::string name() const override { return reader_.describe(dataset_); }

private:
    Hdf5Reader reader_;
    std::string dataset_;
    StackInfo info_;
    bool two_d_ = false;
};

class Hdf5StackWriter final : public StackWriter {
public:
    Hdf5StackWriter(const DataPath& path, const Shape& shape, const WriteOptions& options);
    void write(std::int64_t first, const Tensor<float>& slices) override;
    void write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) override;
    void commit() override;

private:
    std::optional<Hdf5Writer> writer_;
    std::string where_;  // "file.h5:dataset" for messages
    std::string dataset_;
    Shape shape_;
};

}  // namespace tomoedge::io
