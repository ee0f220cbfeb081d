#include "support/error_message.hpp"
#include "io/hdf5.hpp"

#include "core/error.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <hdf5.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>

using tomoedge::testing::message_of;

using namespace tomoedge;
using namespace tomoedge::io;
using tomoedge::testing::TempDir;

namespace {

Tensor<float> ramp(Shape shape, float scale = 1.0f, float offset = 0.0f) {
    Tensor<float> t(std::move(shape));
    for (std::int64_t i = 0; i < t.size(); ++i) t[i] = offset + scale * static_cast<float>(i);
    return t;
}

// Writes one dataset with the raw C API (types our writer never produces).
template <typename T>
void write_raw(const std::filesystem::path& file, const char* name, hid_t type, hid_t memory_type,
               const std::vector<hsize_t>& dims, const std::vector<T>& values) {
    const hid_t f = std::filesystem::exists(file) ? H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)
                                                  : H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t ds = H5Dcreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(f);
}

}  // namespace

TEST(Hdf5, RoundTripEveryWritableDtype) {
    TempDir dir;
    const auto file = dir / "all.h5";
    Tensor<float> values(Shape{2, 3, 4});
    for (std::int64_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i * 5) - 20.4f;
    {
        Hdf5Writer w(file);
        for (DType t : {DType::u8, DType::s8, DType::u16, DType::s32, DType::f32})
            w.write(std::string("d_") + std::string(dtype_name(t)), values, DatasetOptions{t, 1, 0});
        w.commit();
    }
    Hdf5Reader r(file);
    for (DType t : {DType::u8, DType::s8, DType::u16, DType::s32, DType::f32}) {
        const std::string name = std::string("d_") + std::string(dtype_name(t));
        const DatasetInfo info = r.info(name);
        EXPECT_EQ(info.shape, (Shape{2, 3, 4}));
        EXPECT_EQ(info.type_name, dtype_name(t));
        EXPECT_EQ(info.dtype, t);
        const Tensor<float> back = r.read(name);
        for (std::int64_t i = 0; i < values.size(); ++i) {
            // Writers round to nearest and clamp to the type's range.
            const double lo = t == DType::u8 || t == DType::u16 ? 0 : t == DType::s8 ? -128 : -1e10;
            const double hi = t == DType::u8 ? 255 : t == DType::s8 ? 127 : 1e10;
            const double expected = t == DType::f32 ? values[i] : std::clamp<double>(std::round(values[i]), lo, hi);
            ASSERT_EQ(back[i], static_cast<float>(expected)) << name << " at " << i;
        }
    }
}

TEST(Hdf5, ReadsOtherIntegerAndFloatTypes) {
    TempDir dir;
    const auto file = dir / "raw.h5";
    write_raw<std::int16_t>(file, "s16", H5T_STD_I16BE, H5T_NATIVE_INT16, {2, 2}, {-300, 7, 32767, -32768});
    write_raw<std::uint32_t>(file, "u32", H5T_STD_U32LE, H5T_NATIVE_UINT32, {3}, {0, 70000, 4000000000u});
    write_raw<double>(file, "f64", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, {2}, {0.25, -1e5});
    write_raw<std::int64_t>(file, "s64", H5T_STD_I64LE, H5T_NATIVE_INT64, {1}, {5});
    Hdf5Reader r(file);
    const Tensor<float> s16 = r.read("s16");
    EXPECT_EQ(s16[0], -300);
    EXPECT_EQ(s16[3], -32768);
    EXPECT_EQ(r.info("s16").type_name, "s16");
    EXPECT_EQ(r.read("u32")[2], 4e9f);
    EXPECT_EQ(r.read("f64")[1], -1e5f);
    EXPECT_EQ(r.info("f64").type_name, "f64");
    EXPECT_FALSE(r.info("s64").readable);
    const std::string msg = message_of([&] { (void)r.read("s64"); });
    EXPECT_NE(msg.find("raw.h5:/s64: unsupported dtype s64"), std::string::npos) << msg;
}

TEST(Hdf5, SlabsAndHyperslabs) {
    TempDir dir;
    const auto file = dir / "v.h5";
    const Tensor<float> volume = ramp(Shape{6, 5, 4});
    {
        Hdf5Writer w(file);
        w.write("group/inner/v", volume, DatasetOptions{DType::f32, 2, 0});
        w.commit();
    }
    Hdf5Reader r(file);
    EXPECT_TRUE(r.has("group/inner/v"));
    EXPECT_TRUE(r.has("/group/inner/v"));
    EXPECT_FALSE(r.has("group/inner"));  // a group, not a dataset
    EXPECT_FALSE(r.has("group/missing/v"));
    const Tensor<float> slab = r.read_slab("/group/inner/v", 2, 3);
    EXPECT_EQ(slab.shape(), (Shape{3, 5, 4}));
    for (std::int64_t i = 0; i < slab.size(); ++i) ASSERT_EQ(slab[i], volume[2 * 20 + i]);
    const Tensor<float> box = r.read_hyperslab("group/inner/v", {1, 2, 1}, {2, 3, 2});
    EXPECT_EQ(box.shape(), (Shape{2, 3, 2}));
    for (std::int64_t k = 0; k < 2; ++k)
        for (std::int64_t y = 0; y < 3; ++y)
            for (std::int64_t x = 0; x < 2; ++x)
                ASSERT_EQ(box[(k * 3 + y) * 2 + x], volume[((1 + k) * 5 + 2 + y) * 4 + 1 + x]);
    EXPECT_THROW(r.read_slab("group/inner/v", 5, 2), Error);
    EXPECT_THROW(r.read_hyperslab("group/inner/v", {0, 0}, {1, 1}), Error);
}

TEST(Hdf5, ChunkedDeflateRoundTripAndIsCompressed) {
    TempDir dir;
    Tensor<float> smooth(Shape{8, 64, 64}, 0.0f);
    for (std::int64_t i = 0; i < smooth.size(); ++i) smooth[i] = static_cast<float>((i / 64) % 64);
    for (int level : {0, 6}) {
        const auto file = dir / ("z" + std::to_string(level) + ".h5");
        Hdf5Writer w(file);
        w.create("s", smooth.shape(), DatasetOptions{DType::u16, 1, level});
        for (std::int64_t k = 0; k < 8; k += 2) {
            Tensor<float> part(Shape{2, 64, 64});
            std::copy(smooth.outer(k), smooth.outer(k + 2), part.begin());
            w.write_slab("s", k, part);
        }
        w.commit();
        Hdf5Reader r(file);
        const Tensor<float> back = r.read("s");
        for (std::int64_t i = 0; i < back.size(); ++i) ASSERT_EQ(back[i], smooth[i]);
        // Check the filter through libhdf5 itself, and the storage size it reports.
        const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(f, "/s", H5P_DEFAULT);
        const hid_t dcpl = H5Dget_create_plist(ds);
        EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
        hsize_t chunk[3] = {};
        H5Pget_chunk(dcpl, 3, chunk);
        EXPECT_EQ(chunk[0], 1u);
        EXPECT_EQ(chunk[1], 64u);
        const bool deflated = H5Pget_nfilters(dcpl) > 0;
        const hsize_t stored = H5Dget_storage_size(ds);
        H5Pclose(dcpl);
        H5Dclose(ds);
        H5Fclose(f);
        EXPECT_EQ(deflated, level > 0);
        if (level > 0) EXPECT_LT(stored, 8u * 64 * 64 * 2 / 4);
        else EXPECT_EQ(stored, 8u * 64 * 64 * 2);
    }
}

TEST(Hdf5, StringAttributes) {
    TempDir dir;
    const auto file = dir / "a.h5";
    {
        Hdf5Writer w(file);
        w.write("x", ramp(Shape{2}));
        w.set_string_attribute("", "tomoedge.kind", "volume");
        w.set_string_attribute("x", "units", "");
        w.set_string_attribute("x", "units", "mm");  // replaces
        w.commit();
    }
    Hdf5Reader r(file);
    EXPECT_EQ(r.string_attribute("", "tomoedge.kind"), "volume");
    EXPECT_EQ(r.string_attribute("/x", "units"), "mm");
    EXPECT_FALSE(r.string_attribute("", "absent").has_value());
    EXPECT_FALSE(r.string_attribute("/nothing", "units").has_value());
}

TEST(Hdf5, ListsDatasetsRecursively) {
    TempDir dir;
    const auto file = dir / "l.h5";
    {
        Hdf5Writer w(file);
        w.write("train_ns", ramp(Shape{2, 3, 3}), DatasetOptions{DType::u8, 1, 0});
        w.write("/exchange/data", ramp(Shape{4, 2, 3}), DatasetOptions{DType::u16, 1, 0});
        w.commit();
    }
    Hdf5Reader r(file);
    const auto all = r.list();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "/exchange/data");
    EXPECT_EQ(all[0].type_name, "u16");
    EXPECT_EQ(all[1].name, "/train_ns");
    EXPECT_EQ(all[1].shape, (Shape{2, 3, 3}));
}

TEST(Hdf5Errors, MissingNotHdf5TruncatedMissingDataset) {
    TempDir dir;
    EXPECT_NE(message_of([&] { Hdf5Reader r(dir / "none.h5"); }).find("none.h5: no such file"), std::string::npos);
    std::ofstream(dir / "text.h5") << "not really\n";
    EXPECT_NE(message_of([&] { Hdf5Reader r(dir / "text.h5"); }).find("text.h5: not an HDF5 file"), std::string::npos);

    const auto good = dir / "good.h5";
    {
        Hdf5Writer w(good);
        w.write("v", ramp(Shape{16, 32, 32}));
        w.commit();
    }
    const auto size = std::filesystem::file_size(good);
    std::filesystem::copy_file(good, dir / "cut.h5");
    std::filesystem::resize_file(dir / "cut.h5", size / 2);
    const std::string cut = message_of([&] { Hdf5Reader r(dir / "cut.h5"); (void)r.read("v"); });
    EXPECT_NE(cut.find("cut.h5: "), std::string::npos) << cut;
    EXPECT_NE(cut.find("truncated"), std::string::npos) << cut;
    EXPECT_EQ(cut.find('\n'), std::string::npos) << cut;

    Hdf5Reader r(good);
    const std::string missing = message_of([&] { (void)r.read("nope"); });
    EXPECT_NE(missing.find("good.h5:/nope: no such dataset"), std::string::npos) << missing;
    EXPECT_NE(missing.find("/v (16, 32, 32) f32"), std::string::npos) << missing;
    const std::string unnamed = message_of([&] { (void)r.read(""); });
    EXPECT_NE(unnamed.find("no dataset named"), std::string::npos) << unnamed;
}

TEST(Hdf5Errors, NonFinitePixelsNameTheSlice) {
    TempDir dir;
    const auto file = dir / "nan.h5";
    std::vector<float> values(3 * 2 * 2, 1.0f);
    values[2 * 4 + 1] = std::numeric_limits<float>::quiet_NaN();
    write_raw<float>(file, "v", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {3, 2, 2}, values);
    Hdf5Reader r(file);
    EXPECT_NO_THROW((void)r.read_slab("v", 0, 2));
    const std::string msg = message_of([&] { (void)r.read_slab("v", 1, 2); });
    EXPECT_NE(msg.find("nan.h5:/v: slice 2: 1 non-finite"), std::string::npos) << msg;
}

TEST(Hdf5Errors, WriterLeavesNothingUnlessCommittedAndChecksCoverage) {
    TempDir dir;
    {
        Hdf5Writer w(dir / "out.h5");
        w.write("v", ramp(Shape{2, 2}));
    }  // no commit
    EXPECT_EQ(dir.entry_count(), 0u);
    {
        Hdf5Writer w(dir / "out.h5");
        w.create("v", Shape{4, 2}, {});
        w.write_slab("v", 0, ramp(Shape{2, 2}));
        EXPECT_THROW(w.write_slab("v", 3, ramp(Shape{2, 2})), Error);  // past the end
        EXPECT_THROW(w.write_slab("v", 0, ramp(Shape{1, 3})), Error);  // wrong width
        EXPECT_THROW(w.write_slab("w", 0, ramp(Shape{1, 2})), Error);  // never created
        EXPECT_THROW(w.commit(), Error);                               // rows 2..3 missing
    }
    EXPECT_EQ(dir.entry_count(), 0u);
    {
        Hdf5Writer w(dir / "out.h5");
        Tensor<float> bad = ramp(Shape{1, 2});
        bad[1] = std::numeric_limits<float>::infinity();
        EXPECT_THROW(w.write("v", bad, DatasetOptions{DType::u8, 1, 0}), Error);
    }
    EXPECT_EQ(dir.entry_count(), 0u);
}

// Writes convert at most ~4 MiB at a time: slabs larger than that are split along the outermost
// axis whose single index fits (rows of a slice, slices of a volume, or both of a rank-4 tensor);
// the round trip must be exact wherever the block boundaries fall.
TEST(Hdf5, SlabsLargerThanOneConversionBlockRoundTrip) {
    TempDir dir;
    const auto file = dir / "big.h5";
    const std::vector<Shape> shapes{Shape{1, 3000, 1000}, Shape{3000, 1000}, Shape{2, 3, 600, 1000}, Shape{5, 300, 1000}};
    {
        Hdf5Writer w(file);
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            const Tensor<float> t = ramp(shapes[i], 0.5f, static_cast<float>(i));
            w.write(fmt::format("d{}", i), t, DatasetOptions{DType::f32, 1, 0});
        }
        // u16 (2 bytes a value): other block sizes, and rows written in two bands of one slice.
        w.create("u", Shape{1, 4500, 1000}, DatasetOptions{DType::u16, 1, 0, 100});
        const Tensor<float> u = ramp(Shape{1, 4500, 1000}, 1.0f / 64);
        Tensor<float> top(Shape{1, 2100, 1000}), bottom(Shape{1, 2400, 1000});
        std::copy_n(u.data(), top.size(), top.data());
        std::copy_n(u.data() + top.size(), bottom.size(), bottom.data());
        w.write_rows("u", 0, 2100, bottom);
        w.write_rows("u", 0, 0, top);
        w.commit();
    }
    Hdf5Reader r(file);
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Tensor<float> back = r.read(fmt::format("d{}", i));
        ASSERT_EQ(back.shape(), shapes[i]);
        const Tensor<float> expect = ramp(shapes[i], 0.5f, static_cast<float>(i));
        for (std::int64_t k = 0; k < back.size(); ++k) ASSERT_EQ(back[k], expect[k]) << shapes[i].str() << " " << k;
    }
    const Tensor<float> u = r.read("u");
    for (std::int64_t k = 0; k < u.size(); ++k)
        ASSERT_EQ(u[k], std::round(std::min(65535.0f, static_cast<float>(k) / 64))) << k;
}

TEST(Hdf5Errors, RowWritesNeedRankThreeAndRowsInside) {
    TempDir dir;
    Hdf5Writer w(dir / "r.h5");
    w.create("flat", Shape{4, 5});
    EXPECT_THROW(w.write_rows("flat", 0, 1, Tensor<float>(Shape{2, 5})), Error);  // rank 2 has no row axis
    w.create("v", Shape{2, 4, 5});
    EXPECT_THROW(w.write_rows("v", 0, 3, Tensor<float>(Shape{1, 2, 5})), Error);
    EXPECT_THROW(w.write_rows("v", 1, 0, Tensor<float>(Shape{2, 1, 5})), Error);
    EXPECT_THROW(w.write_rows("v", 0, -1, Tensor<float>(Shape{1, 1, 5})), Error);
    EXPECT_THROW(w.write_slab("v", 0, Tensor<float>(Shape{1, 3, 5})), Error);  // a slab has whole slices
    w.write_rows("v", 0, 0, Tensor<float>(Shape{2, 4, 5}, 1.0f));
    w.write_rows("flat", 0, 0, Tensor<float>(Shape{4, 5}, 1.0f));
    EXPECT_NO_THROW(w.commit());
}
