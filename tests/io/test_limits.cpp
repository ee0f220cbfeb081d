// Sizes read from a header that no machine could hold are refused up front with a clear message
// (core/memory_limit.hpp), never left to the kernel's OOM killer half-way (issue 19, "limits").
#include "support/error_message.hpp"
#include "support/temp_dir.hpp"

#include "core/error.hpp"
#include "core/memory_limit.hpp"
#include "core/tensor.hpp"
#include "io/stack.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <tiffio.h>

#include <array>
#include <cstdint>

using namespace tomoedge;
using tomoedge::testing::message_of;
using tomoedge::testing::TempDir;

namespace {

// Restores the default limit whatever the test does.
struct LimitGuard {
    explicit LimitGuard(std::uint64_t bytes) { set_allocation_limit(bytes); }
    ~LimitGuard() { set_allocation_limit(0); }
};

}  // namespace

TEST(MemoryLimit, DefaultIsThePhysicalMemory) {
    EXPECT_GT(physical_memory_bytes(), std::uint64_t{0});
    EXPECT_EQ(allocation_limit(), physical_memory_bytes());
}

TEST(MemoryLimit, TensorBeyondTheLimitIsAnError) {
    const LimitGuard guard(std::uint64_t{1} << 20);
    const std::string m = message_of([] { Tensor<float> t(Shape{1024, 1024}); });
    EXPECT_NE(m.find("an array needs 4.0 MiB, more than the allocation limit (1.0 MiB)"), std::string::npos) << m;
    EXPECT_NO_THROW(Tensor<float>(Shape{256, 256}));
}

TEST(MemoryLimit, ElementCountsDoNotOverflow) {
    EXPECT_THROW(check_allocation(std::int64_t{1} << 62, 8, "x"), Error);
    EXPECT_NO_THROW(check_allocation(std::int64_t{0}, 8, "x"));
}

namespace {

// A chunked rank-3 dataset "data" of `dims` with no chunk written: huge on paper, a few KB on disk.
bool write_unwritten_chunked(const std::filesystem::path& file, std::array<hsize_t, 3> dims,
                             std::array<hsize_t, 3> chunk, hid_t type) {
    const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t space = H5Screate_simple(3, dims.data(), nullptr);
    const hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(plist, 3, chunk.data());
    const hid_t ds = H5Dcreate2(f, "data", type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    const bool made = ds >= 0;
    if (made) H5Dclose(ds);
    H5Pclose(plist);
    H5Sclose(space);
    H5Fclose(f);
    return made;
}

}  // namespace

TEST(MemoryLimit, HugeTiffPageIsRefusedBeforeReading) {
    // A valid header for a 100000 x 100000 u16 page whose one strip holds 16 bytes.
    TempDir dir;
    const auto file = dir / "huge.tif";
    TIFF* tif = TIFFOpen(file.c_str(), "w");
    ASSERT_NE(tif, nullptr);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 100000u);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 100000u);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 100000u);
    std::uint16_t pixels[8] = {};
    ASSERT_EQ(TIFFWriteRawStrip(tif, 0, pixels, sizeof pixels), static_cast<tmsize_t>(sizeof pixels));
    TIFFClose(tif);

    const LimitGuard guard(std::uint64_t{1} << 30);
    auto reader = io::StackReader::open(io::parse_data_path(file.string()));
    EXPECT_EQ(reader->info().shape, (Shape{1, 100000, 100000}));
    const std::string m = message_of([&] { (void)reader->read(0, 1); });
    EXPECT_NE(m.find("huge.tif: 1 slice(s) of 100000 x 100000 needs 37.3 GiB, more than the allocation limit"),
              std::string::npos) << m;
}

TEST(MemoryLimit, HugeHdf5DatasetIsRefusedBeforeReading) {
    // A chunked (1000, 100000, 100000) dataset with no chunk written: a few KB on disk.
    TempDir dir;
    const auto file = dir / "huge.h5";
    ASSERT_TRUE(write_unwritten_chunked(file, {1000, 100000, 100000}, {1, 256, 256}, H5T_NATIVE_FLOAT));

    const LimitGuard guard(std::uint64_t{1} << 30);
    auto reader = io::StackReader::open(io::parse_data_path(file.string() + ":data"));
    const std::string m = message_of([&] { (void)reader->read(0, 2); });
    EXPECT_NE(m.find("huge.h5:/data: reading (2, 100000, 100000) needs 74.5 GiB, more than the allocation limit"),
              std::string::npos) << m;
}

TEST(MemoryLimit, HugeHdf5ChunkIsRefusedBeforeLibhdf5AllocatesIt) {
    // libhdf5 reads a whole chunk to return any part of it: one row of this dataset costs 4 GiB.
    TempDir dir;
    const auto file = dir / "huge_chunk.h5";
    ASSERT_TRUE(write_unwritten_chunked(file, {1, 65535, 16384}, {1, 65535, 16384}, H5T_NATIVE_UINT32));

    const LimitGuard guard(std::uint64_t{1} << 30);
    auto reader = io::StackReader::open(io::parse_data_path(file.string() + ":data"));
    const std::string m = message_of([&] { (void)reader->read_rows(0, 1, 0, 1); });
    EXPECT_NE(m.find("huge_chunk.h5:/data: one chunk needs 4.0 GiB, more than the allocation limit (1.0 GiB)"),
              std::string::npos) << m;
}
