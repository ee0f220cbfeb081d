// VolumeSource and VolumeSink: the in-memory ends of the library's streaming seam.
#include "core/error.hpp"
#include "core/slice_stream.hpp"
#include "support/error_message.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tomoedge;
using tomoedge::testing::message_of;

TEST(SliceStream, VolumeSourceReadsSlicesAndBandsInPlace) {
    Tensor<float> v(Shape{3, 4, 5});
    for (std::int64_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
    VolumeSource source(VolumeView(v), "vol");
    EXPECT_EQ(source.shape(), (Shape{3, 4, 5}));
    EXPECT_EQ(source.name(), "vol");
    const Tensor<float> two = source.read(1, 2);
    ASSERT_EQ(two.shape(), (Shape{2, 4, 5}));
    EXPECT_EQ(two[0], 20.0f);
    EXPECT_EQ(two[two.size() - 1], 59.0f);
    const Tensor<float> band = source.read_rows(2, 1, 1, 2);  // slice 2, rows 1..2
    ASSERT_EQ(band.shape(), (Shape{1, 2, 5}));
    EXPECT_EQ(band[0], 45.0f);
    EXPECT_EQ(band[9], 54.0f);
}

TEST(SliceStream, VolumeSourceRefusesOutOfRangeAndNonFinitePixels) {
    Tensor<float> v(Shape{2, 3, 3}, 1.0f);
    VolumeSource source(VolumeView(v), "vol");
    EXPECT_NE(message_of([&] { source.read(1, 2); }).find("vol: slices 1..3 are outside the stack of 2"), std::string::npos);
    EXPECT_NE(message_of([&] { source.read_rows(0, 1, 2, 2); }).find("rows 2..4"), std::string::npos);
    v[10] = std::nanf("");
    EXPECT_NE(message_of([&] { source.read(1, 1); }).find("vol: slice 1: 1 non-finite pixel"), std::string::npos);
    EXPECT_NO_THROW(source.read(0, 1));
}

TEST(SliceStream, VolumeSinkWritesSlicesAndBandsWhereTheyBelong) {
    Tensor<float> out(Shape{2, 3, 2}, 0.0f);
    VolumeSink sink(out.data(), out.shape());
    sink.write(1, Tensor<float>(Shape{1, 3, 2}, 5.0f));
    sink.write_rows(0, 1, Tensor<float>(Shape{1, 2, 2}, 7.0f));
    const float expected[] = {0, 0, 7, 7, 7, 7, 5, 5, 5, 5, 5, 5};
    for (std::int64_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], expected[i]) << i;
    EXPECT_THROW(sink.write(2, Tensor<float>(Shape{1, 3, 2})), Error);
    EXPECT_THROW(sink.write(0, Tensor<float>(Shape{1, 3, 3})), Error);
    EXPECT_THROW(sink.write_rows(0, 2, Tensor<float>(Shape{1, 2, 2})), Error);
}
