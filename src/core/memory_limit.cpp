#include "core/memory_limit.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <atomic>
#include <string>

#include <unistd.h>

namespace tomoedge {
namespace {

std::atomic<std::uint64_t> limit_override{0};

std::string human(std::uint64_t bytes) {
    const auto b = static_cast<double>(bytes);
    if (bytes >= (std::uint64_t{1} << 30)) return fmt::format("{:.1f} GiB", b / static_cast<double>(std::uint64_t{1} << 30));
    return fmt::format("{:.1f} MiB", b / static_cast<double>(std::uint64_t{1} << 20));
}

}  // namespace

std::uint64_t physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 0;
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

std::uint64_t allocation_limit() {
    if (const std::uint64_t set = limit_override.load(std::memory_order_relaxed); set != 0) return set;
    static const std::uint64_t physical = physical_memory_bytes();
    return physical != 0 ? physical : ~std::uint64_t{0};
}

void set_allocation_limit(std::uint64_t bytes) { limit_override.store(bytes, std::memory_order_relaxed); }

void check_allocation(std::uint64_t bytes, std::string_view what) {
    const std::uint64_t limit = allocation_limit();
    if (bytes <= limit) return;
    const bool physical = limit_override.load(std::memory_order_relaxed) == 0;
    fail("{} needs {}, more than {} ({}): refused before reading or computing anything", what, human(bytes),
         physical ? "this machine's memory" : "the allocation limit", human(limit));
}

void check_allocation(std::int64_t elements, std::size_t element_size, std::string_view what) {
    const auto n = static_cast<std::uint64_t>(std::max<std::int64_t>(elements, 0));
    const std::uint64_t most = ~std::uint64_t{0} / std::max<std::size_t>(element_size, 1);
    check_allocation(n > most ? ~std::uint64_t{0} : n * element_size, what);
}

}  // namespace tomoedge
