#include "core/shape.hpp"

#include "core/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>

namespace tomoedge {

Shape::Shape(std::initializer_list<std::int64_t> dims) : Shape(std::vector<std::int64_t>(dims)) {}

Shape::Shape(std::vector<std::int64_t> dims) : dims_(std::move(dims)) {
    for (auto d : dims_)
        if (d < 0) fail("invalid shape {}: negative extent", str());
}

std::int64_t Shape::numel() const {
    constexpr std::int64_t limit = std::int64_t{1} << 62;
    std::int64_t n = 1;
    for (auto d : dims_) {
        if (d != 0 && n > limit / d) fail("shape {} is too large (element count overflows)", str());
        n *= d;
    }
    return n;
}

std::string Shape::str() const { return fmt::format("({})", fmt::join(dims_, ", ")); }

}  // namespace tomoedge
