#include "support/error_message.hpp"
#include "io/data_exchange.hpp"

#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <functional>

using tomoedge::testing::message_of;

using namespace tomoedge;
using namespace tomoedge::io;
using tomoedge::testing::TempDir;

namespace {

Tensor<float> counts(Shape shape, float base) {
    Tensor<float> t(std::move(shape));
    for (std::int64_t i = 0; i < t.size(); ++i) t[i] = base + static_cast<float>(i % 1000);
    return t;
}

Projections example(std::int64_t angles = 6, std::int64_t rows = 5, std::int64_t cols = 4) {
    Projections p;
    p.data = counts(Shape{angles, rows, cols}, 100);
    p.white = counts(Shape{2, rows, cols}, 2000);
    p.dark = counts(Shape{3, rows, cols}, 10);
    for (std::int64_t a = 0; a < angles; ++a) p.theta_deg.push_back(180.0f * static_cast<float>(a) / static_cast<float>(angles));
    return p;
}

}  // namespace

TEST(DataExchange, RoundTripAndRowRanges) {
    TempDir dir;
    const auto file = dir / "proj.h5";
    const Projections p = example();
    write_projections(file, p);
    const ProjectionInfo info = read_projection_info(file);
    EXPECT_EQ(info.angles, 6);
    EXPECT_EQ(info.rows, 5);
    EXPECT_EQ(info.cols, 4);
    EXPECT_EQ(info.flats, 2);
    EXPECT_EQ(info.darks, 3);
    EXPECT_EQ(Hdf5Reader(file).info("/exchange/data").type_name, "u16");

    const Projections q = read_projections(file, 1, 3);
    EXPECT_EQ(q.data.shape(), (Shape{6, 3, 4}));
    EXPECT_EQ(q.white.shape(), (Shape{2, 3, 4}));
    EXPECT_EQ(q.dark.shape(), (Shape{3, 3, 4}));
    EXPECT_EQ(q.theta_deg, p.theta_deg);
    for (std::int64_t a = 0; a < 6; ++a)
        for (std::int64_t r = 0; r < 3; ++r)
            for (std::int64_t c = 0; c < 4; ++c)
                ASSERT_EQ(q.data[(a * 3 + r) * 4 + c], p.data[(a * 5 + 1 + r) * 4 + c]);
    EXPECT_EQ(q.white[0], p.white[4]);
    EXPECT_EQ(q.dark[0], p.dark[4]);
    EXPECT_THROW(read_projections(file, 3, 3), Error);
    EXPECT_THROW(read_projections(file, 0, 0), Error);
}

TEST(DataExchange, Float32Counts) {
    TempDir dir;
    Projections p = example(3, 2, 2);
    p.data[0] = 0.375f;
    write_projections(dir / "f.h5", p, false);
    EXPECT_EQ(read_projections(dir / "f.h5", 0, 2).data[0], 0.375f);
}

TEST(DataExchangeErrors, ShapesAreValidated) {
    TempDir dir;
    const Projections good = example();
    auto write_with = [&](const std::string& name, const std::function<void(Hdf5Writer&)>& change) {
        const auto file = dir / name;
        Hdf5Writer w(file);
        change(w);
        w.commit();
        return file;
    };
    Tensor<float> theta(Shape{6}, 0.0f);
    const auto bad_white = write_with("white.h5", [&](Hdf5Writer& w) {
        w.write("/exchange/data", good.data);
        w.write("/exchange/data_white", counts(Shape{2, 5, 3}, 0));
        w.write("/exchange/data_dark", good.dark);
        w.write("/exchange/theta", theta);
    });
    std::string msg = message_of([&] { read_projection_info(bad_white); });
    EXPECT_NE(msg.find("white.h5:/exchange/data_white: shape (2, 5, 3) does not match"), std::string::npos) << msg;

    const auto bad_theta = write_with("theta.h5", [&](Hdf5Writer& w) {
        w.write("/exchange/data", good.data);
        w.write("/exchange/data_white", good.white);
        w.write("/exchange/data_dark", good.dark);
        w.write("/exchange/theta", Tensor<float>(Shape{5}, 0.0f));
    });
    msg = message_of([&] { read_projections(bad_theta, 0, 1); });
    EXPECT_NE(msg.find("theta.h5:/exchange/theta: 5 angles, but /exchange/data holds 6"), std::string::npos) << msg;

    const auto no_dark = write_with("nodark.h5", [&](Hdf5Writer& w) {
        w.write("/exchange/data", good.data);
        w.write("/exchange/data_white", good.white);
        w.write("/exchange/theta", theta);
    });
    msg = message_of([&] { read_projection_info(no_dark); });
    EXPECT_NE(msg.find("nodark.h5:/exchange/data_dark: missing"), std::string::npos) << msg;

    Projections bad = example();
    bad.theta_deg.pop_back();
    EXPECT_THROW(write_projections(dir / "out.h5", bad), Error);
    bad = example();
    bad.dark = counts(Shape{1, 4, 4}, 0);
    EXPECT_THROW(write_projections(dir / "out.h5", bad), Error);
    EXPECT_FALSE(std::filesystem::exists(dir / "out.h5"));
}
