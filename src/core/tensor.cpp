#include "core/tensor.hpp"

#include "core/error.hpp"

namespace tomoedge::detail {

void* aligned_alloc_bytes(std::size_t bytes) {
    constexpr std::size_t align = 64;
    const std::size_t rounded = (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, rounded);
    if (p == nullptr) fail("out of memory allocating {} MiB", bytes >> 20);
    return p;
}

}  // namespace tomoedge::detail
