#include "io/stack.hpp"

#include "core/error.hpp"
#include "io/hdf5_stack.hpp"
#include "io/tiff.hpp"

namespace tomoedge::io {

std::unique_ptr<StackReader> StackReader::open(const DataPath& path) {
    if (path.format == StackFormat::hdf5) return std::make_unique<Hdf5StackReader>(path);
    return std::make_unique<TiffStackReader>(path);
}

std::unique_ptr<StackWriter> StackWriter::create(const DataPath& path, const Shape& shape, WriteOptions options) {
    if (shape.rank() != 3) fail("{}: a stack is (N, H, W), not {}", path.str(), shape.str());
    if (path.format == StackFormat::hdf5) return std::make_unique<Hdf5StackWriter>(path, shape, options);
    return std::make_unique<TiffStackWriter>(path, shape, options);
}

}  // namespace tomoedge::io
