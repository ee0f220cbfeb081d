#pragma once
// The largest single allocation a process accepts. Sizes read from a file header or a model
// (a 100k x 100k slice, a tensor with huge dimensions) are checked against it up front, so such
// input is refused with a clear Error instead of the kernel killing the process half-way.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tomoedge {

/// The machine's physical memory in bytes (0 if unknown).
std::uint64_t physical_memory_bytes();

/// The limit: by default the machine's physical memory. Fuzz harnesses lower it.
std::uint64_t allocation_limit();
/// Sets the limit in bytes; 0 restores the default.
void set_allocation_limit(std::uint64_t bytes);

/// Throws Error "<what> needs X GiB, more than ..." when `bytes` passes the limit.
void check_allocation(std::uint64_t bytes, std::string_view what);
/// The same for `elements` values of `element_size` bytes (no overflow: elements up to 2^62).
void check_allocation(std::int64_t elements, std::size_t element_size, std::string_view what);

}  // namespace tomoedge
