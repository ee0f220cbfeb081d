// The frame protocol (live/frame.hpp): headers round-trip, bad headers and bad pixel parts are
// refused with messages naming the sender and the frame.
#include "live/frame.hpp"
#include "support/error_message.hpp"

#include <gtest/gtest.h>

using namespace tomoedge;
using namespace tomoedge::live;
using tomoedge::testing::message_of;

namespace {

const std::string kFrom = "tcp://127.0.0.1:5555 (peer 127.0.0.1)";

FrameHeader projection(std::int64_t index) {
    FrameHeader h;
    h.type = FrameType::projection;
    h.index = index;
    h.angle_deg = 12.5;
    h.rows = 2, h.cols = 3;
    h.dtype = PixelType::u16;
    h.projections = 100;
    return h;
}

}  // namespace

TEST(LiveFrame, HeaderRoundTrips) {
    FrameHeader h = projection(7);
    h.sent_at = 1.5e9;
    const FrameHeader back = parse_header(format_header(h), kFrom);
    EXPECT_EQ(back.type, FrameType::projection);
    EXPECT_EQ(back.index, 7);
    EXPECT_DOUBLE_EQ(back.angle_deg, 12.5);
    EXPECT_EQ(back.rows, 2);
    EXPECT_EQ(back.cols, 3);
    EXPECT_EQ(back.dtype, PixelType::u16);
    EXPECT_EQ(back.projections, 100);
    EXPECT_EQ(back.darks, -1);
    ASSERT_TRUE(back.sent_at);
    EXPECT_DOUBLE_EQ(*back.sent_at, 1.5e9);
    const FrameHeader end = parse_header(R"({"type":"end","projections":1024})", kFrom);
    EXPECT_EQ(end.type, FrameType::end);
    EXPECT_EQ(end.projections, 1024);
}

TEST(LiveFrame, BadHeadersNameTheSenderAndFrame) {
    const auto m = [](const std::string& json) { return message_of([&] { parse_header(json, kFrom); }); };
    EXPECT_NE(m("{not json").find("not valid JSON"), std::string::npos) << m("{not json");
    EXPECT_NE(m("{not json").find(kFrom), std::string::npos);
    EXPECT_NE(m(R"({"type":"bright"})").find("unknown frame type \"bright\""), std::string::npos);
    const std::string no_shape = m(R"({"type":"projection","index":7,"angle":1,"dtype":"uint16"})");
    EXPECT_NE(no_shape.find("projection 7 from " + kFrom), std::string::npos) << no_shape;
    EXPECT_NE(no_shape.find("shape"), std::string::npos);
    const std::string dtype = m(R"({"type":"flat","index":2,"shape":[2,3],"dtype":"complex64"})");
    EXPECT_NE(dtype.find("flat 2 from"), std::string::npos) << dtype;
    EXPECT_NE(dtype.find("unsupported dtype \"complex64\""), std::string::npos) << dtype;
    const std::string angle = m(R"({"type":"projection","index":3,"shape":[2,3],"dtype":"uint16"})");
    EXPECT_NE(angle.find("needs \"angle\""), std::string::npos) << angle;
    EXPECT_NE(m(R"({"type":"end"})").find("must give \"projections\""), std::string::npos);
    EXPECT_NE(m(R"({"type":"dark","index":-1,"shape":[2,3],"dtype":"uint16"})").find("non-negative"),
              std::string::npos);
}

TEST(LiveFrame, DecodesRowsOfEachType) {
    const std::vector<float> values{0, 1, 2, 300, 4000, 65535};
    for (PixelType t : {PixelType::u16, PixelType::u32, PixelType::i32, PixelType::f32, PixelType::f64}) {
        FrameHeader h = projection(1);
        h.dtype = t;
        const auto bytes = encode_pixels(values, t);
        std::vector<float> out(3);
        decode_rows(h, bytes, 1, 1, out.data(), kFrom);  // the second row only
        EXPECT_EQ(out, (std::vector<float>{300, 4000, 65535})) << pixel_type_name(t);
    }
}

TEST(LiveFrame, WrongByteCountIsRefusedNamingTheFrame) {
    const FrameHeader h = projection(17);
    const auto bytes = encode_pixels(std::vector<float>(5, 1.0f), PixelType::u16);  // 5 pixels, not 6
    std::vector<float> out(6);
    const std::string m = message_of([&] { decode_rows(h, bytes, 0, 2, out.data(), kFrom); });
    EXPECT_NE(m.find("projection 17 from " + kFrom), std::string::npos) << m;
    EXPECT_NE(m.find("10 bytes"), std::string::npos) << m;
    EXPECT_NE(m.find("12 bytes"), std::string::npos) << m;
}

TEST(LiveFrame, EncodingRoundsAndClampsToTheType) {
    FrameHeader h = projection(0);
    h.rows = 1;
    const std::vector<float> values{-3.4f, -2.5f, 1.5f, 70000.0f};
    h.cols = 4;
    std::vector<float> out(4);
    h.dtype = PixelType::u16;
    decode_rows(h, encode_pixels(values, PixelType::u16), 0, 1, out.data(), kFrom);
    EXPECT_EQ(out, (std::vector<float>{0, 0, 2, 65535}));
    h.dtype = PixelType::i16;
    decode_rows(h, encode_pixels(values, PixelType::i16), 0, 1, out.data(), kFrom);
    EXPECT_EQ(out, (std::vector<float>{-3, -3, 2, 32767}));
    h.dtype = PixelType::u8;
    decode_rows(h, encode_pixels(values, PixelType::u8), 0, 1, out.data(), kFrom);
    EXPECT_EQ(out, (std::vector<float>{0, 0, 2, 255}));
}
