#pragma once
// Tensor shapes: a short list of non-negative extents, outermost first (NCHW, or N,H,W).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace tomoedge {

class Shape {
public:
    Shape() = default;
    Shape(std::initializer_list<std::int64_t> dims);
    explicit Shape(std::vector<std::int64_t> dims);

    std::size_t rank() const { return dims_.size(); }
    std::int64_t operator[](std::size_t axis) const { return dims_.at(axis); }
    std::int64_t& operator[](std::size_t axis) { return dims_.at(axis); }
    const std::vector<std::int64_t>& dims() const { return dims_; }

    /// Product of the extents. Throws Error when it would overflow 2^62 elements, so that a
    /// crafted file or model cannot make us allocate a wrapped-around size.
    std::int64_t numel() const;

    /// "(3, 1024, 1024)"
    std::string str() const;

    bool operator==(const Shape&) const = default;

private:
    std::vector<std::int64_t> dims_;
};

}  // namespace tomoedge
