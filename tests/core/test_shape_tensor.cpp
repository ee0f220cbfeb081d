#include "core/checks.hpp"
#include "core/dtype.hpp"
#include "core/error.hpp"
#include "core/tensor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

using namespace tomoedge;

TEST(Shape, NumelAndString) {
    Shape s{2, 3, 4};
    EXPECT_EQ(s.numel(), 24);
    EXPECT_EQ(s.str(), "(2, 3, 4)");
    EXPECT_EQ(Shape{}.numel(), 1);
    EXPECT_EQ((Shape{5, 0, 7}).numel(), 0);
}

TEST(Shape, RejectsNegativeExtent) { EXPECT_THROW(Shape({2, -1}), Error); }

TEST(Shape, OverflowIsAnErrorNotAWrap) {
    const std::int64_t big = std::int64_t{1} << 40;
    EXPECT_THROW(Shape({big, big}).numel(), Error);
}

TEST(Tensor, IsAlignedAndSized) {
    Tensor<float> t(Shape{3, 5, 7}, 1.5f);
    EXPECT_EQ(t.size(), 105);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) % 64, 0u);
    EXPECT_EQ(t.outer_stride(), 35);
    EXPECT_EQ(t.outer(2) - t.data(), 70);
    for (float v : t) EXPECT_EQ(v, 1.5f);
}

TEST(Tensor, CloneIsDeepAndReshapeChecksCount) {
    Tensor<float> a(Shape{2, 2}, 1.0f);
    Tensor<float> b = a.clone();
    b[0] = 7.0f;
    EXPECT_EQ(a[0], 1.0f);
    b.reshape(Shape{4});
    EXPECT_EQ(b.rank(), 1u);
    EXPECT_THROW(b.reshape(Shape{5}), std::invalid_argument);
}

TEST(Dtype, ParsesNamesAndRejectsOthers) {
    EXPECT_EQ(parse_dtype("u16"), DType::u16);
    EXPECT_EQ(parse_dtype("float32"), DType::f32);
    EXPECT_EQ(dtype_size(DType::u16), 2u);
    EXPECT_THROW(parse_dtype("f64x"), Error);
}

TEST(Checks, FiniteDataPassesNanAndInfAreNamed) {
    std::vector<float> ok{0.0f, 1.0f, -2.0f};
    EXPECT_NO_THROW(require_finite(ok, "a.h5:x"));
    std::vector<float> bad{0.0f, std::numeric_limits<float>::quiet_NaN(), INFINITY};
    try {
        require_finite(bad, "a.h5:x");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("a.h5:x"), std::string::npos) << msg;
        EXPECT_NE(msg.find("2 non-finite"), std::string::npos) << msg;
        EXPECT_NE(msg.find("index 1"), std::string::npos) << msg;
    }
}
