#pragma once
// A StackReader over a volume already in memory (a NumPy array, a Tensor), so the code that reads
// stacks (calibration, quantization) runs on it unchanged. The volume is read in place and must
// outlive the reader.
#include "core/volume_view.hpp"
#include "io/stack.hpp"

#include <string>

namespace tomoedge::io {

class MemoryStackReader final : public StackReader {
public:
    /// `name` stands for the data in error messages and metadata (e.g. "<array (8, 64, 64)>").
    MemoryStackReader(const VolumeView& volume, std::string name);

    const StackInfo& info() const override { return info_; }
    Tensor<float> read(std::int64_t first, std::int64_t count) override;
    Tensor<float> read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) override;
    std::string name() const override { return name_; }

private:
    VolumeView volume_;
    std::string name_;
    StackInfo info_;
};

}  // namespace tomoedge::io
