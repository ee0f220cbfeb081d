#pragma once
// An owning, 64-byte aligned, dense, row-major array with a shape. Volumes are (N, H, W),
// network tensors (N, C, H, W). Copies are explicit (clone()) so large buffers never copy by
// accident.
#include "core/shape.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

namespace tomoedge {

namespace detail {
struct AlignedFree {
    void operator()(void* p) const noexcept { std::free(p); }
};
void* aligned_alloc_bytes(std::size_t bytes);  // 64-byte aligned; throws Error on failure
}  // namespace detail

template <typename T>
class Tensor {
public:
    using value_type = T;
    static constexpr std::size_t alignment = 64;

    Tensor() = default;
    explicit Tensor(Shape shape) : shape_(std::move(shape)), size_(shape_.numel()) {
        if (size_ > 0)
            data_.reset(static_cast<T*>(detail::aligned_alloc_bytes(sizeof(T) * static_cast<std::size_t>(size_))));
    }
    /// Allocates and fills with `value`.
    Tensor(Shape shape, T value) : Tensor(std::move(shape)) { fill(value); }

    Tensor(Tensor&&) noexcept = default;
    Tensor& operator=(Tensor&&) noexcept = default;
    Tensor(const Tensor&) = delete;
    Tensor& operator=(const Tensor&) = delete;

    Tensor clone() const {
        Tensor copy(shape_);
        std::copy(begin(), end(), copy.begin());
        return copy;
    }

    const Shape& shape() const { return shape_; }
    std::size_t rank() const { return shape_.rank(); }
    std::int64_t dim(std::size_t axis) const { return shape_[axis]; }
    std::int64_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    T* data() { return data_.get(); }
    const T* data() const { return data_.get(); }
    T* begin() { return data(); }
    T* end() { return data() + size_; }
    const T* begin() const { return data(); }
    const T* end() const { return data() + size_; }
    std::span<T> span() { return {data(), static_cast<std::size_t>(size_)}; }
    std::span<const T> span() const { return {data(), static_cast<std::size_t>(size_)}; }

    T& operator[](std::int64_t i) { return data_.get()[i]; }
    const T& operator[](std::int64_t i) const { return data_.get()[i]; }

    /// Pointer to the start of sub-array `index` along the first axis (a slice of a volume,
    /// an image of a batch).
    T* outer(std::int64_t index) { return data() + index * outer_stride(); }
    const T* outer(std::int64_t index) const { return data() + index * outer_stride(); }
    std::int64_t outer_stride() const { return shape_.rank() == 0 || shape_[0] == 0 ? 0 : size_ / shape_[0]; }

    void fill(T value) { std::fill(begin(), end(), value); }

    /// Same data, new shape with the same element count.
    void reshape(Shape shape);

private:
    Shape shape_;
    std::int64_t size_ = 0;
    std::unique_ptr<T[], detail::AlignedFree> data_;
};

template <typename T>
void Tensor<T>::reshape(Shape shape) {
    if (shape.numel() != size_) throw std::invalid_argument("Tensor::reshape: element count differs");
    shape_ = std::move(shape);
}

}  // namespace tomoedge
