#include "core/tensor.hpp"

#include "core/error.hpp"
#include "core/memory_limit.hpp"

namespace tomoedge::detail {

void* aligned_alloc_bytes(std::size_t bytes) {
    // Every Tensor comes through here: a size no machine can hold fails as an Error, not as the
    // kernel's OOM killer later (overcommit lets a huge aligned_alloc succeed).
    check_allocation(bytes, "an array");
    constexpr std::size_t align = 64;
    const std::size_t rounded = (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, rounded);
    if (p == nullptr) fail("out of memory allocating {} MiB", bytes >> 20);
    return p;
}

}  // namespace tomoedge::detail
