#include "io/convert.hpp"
#include "io/inspect.hpp"

#include "core/error.hpp"
#include "core/statistics.hpp"
#include "io/hdf5.hpp"
#include "io/tiff.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace tomoedge;
using namespace tomoedge::io;
using tomoedge::testing::TempDir;

namespace {

Tensor<float> noise_volume(std::int64_t n, std::int64_t h, std::int64_t w) {
    Tensor<float> t(Shape{n, h, w});
    std::uint32_t state = 12345;
    for (auto& v : t) {
        state = state * 1664525u + 1013904223u;  // a fixed LCG: the same values on every machine
        v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 10.0f - 3.0f;
    }
    return t;
}

}  // namespace

TEST(Inspect, SlabStreamingGivesTheWholeVolumeRange) {
    TempDir dir;
    const Tensor<float> v = noise_volume(7, 5, 3);
    {
        Hdf5Writer w(dir / "v.h5");
        w.write("v", v);
        w.commit();
    }
    const ValueRange whole = value_range(v.span());
    // One slice per slab (slab_bytes below one slice) versus everything at once.
    for (std::int64_t slab_bytes : {std::int64_t{1}, std::int64_t{2 * 15 * 4}, std::int64_t{1} << 20}) {
        const FileSummary s = inspect((dir / "v.h5").string(), InspectOptions{true, false, slab_bytes});
        ASSERT_EQ(s.items.size(), 1u);
        EXPECT_EQ(s.items[0].range.min, whole.min);
        EXPECT_EQ(s.items[0].range.max, whole.max);
        EXPECT_NEAR(s.items[0].range.mean, whole.mean, 1e-6);
    }
    EXPECT_EQ(slab_slices(15, 1), 1);
    EXPECT_EQ(slab_slices(15, 15 * 4 * 3), 3);
    const ValueRange merged = merge_ranges({1, 3, 2}, 2, {0, 2, 1}, 6);
    EXPECT_EQ(merged.min, 0);
    EXPECT_EQ(merged.max, 3);
    EXPECT_DOUBLE_EQ(merged.mean, 1.25);
}

TEST(Convert, StreamsSlabBySlabWithTheSameResult) {
    TempDir dir;
    const Tensor<float> v = noise_volume(6, 8, 4);
    {
        Hdf5Writer w(dir / "v.h5");
        w.write("v", v);
        w.commit();
    }
    ConvertOptions small;
    small.slab_bytes = 1;  // one slice per slab
    small.dtype = DType::u8;
    const ConvertReport r = convert_stack((dir / "v.h5").string() + ":v", (dir / "a.tif").string(), small);
    EXPECT_EQ(r.scaling, Scaling::minmax);
    const ValueRange whole = value_range(v.span());
    EXPECT_EQ(r.window_low, whole.min);
    EXPECT_EQ(r.window_high, whole.max);
    ConvertOptions big = small;
    big.slab_bytes = std::int64_t{1} << 30;
    convert_stack((dir / "v.h5").string() + ":v", (dir / "b.tif").string(), big);
    const Tensor<float> a = StackReader::open(parse_data_path((dir / "a.tif").string()))->read_all();
    const Tensor<float> b = StackReader::open(parse_data_path((dir / "b.tif").string()))->read_all();
    for (std::int64_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i], b[i]);
        ASSERT_EQ(a[i], std::round((v[i] - whole.min) / (whole.max - whole.min) * 255.0));
    }
}

TEST(Convert, PercentilesFromEvenlySpacedSamplesWhenLarge) {
    TempDir dir;
    const Tensor<float> v = noise_volume(4, 6, 5);  // 120 values
    {
        Hdf5Writer w(dir / "v.h5");
        w.write("v", v);
        w.commit();
    }
    ConvertOptions o;
    o.scaling = Scaling::percentile;
    o.low_pct = 10;
    o.high_pct = 90;
    o.slab_bytes = 1;
    o.percentile_samples = 1000;  // all values: exact
    ConvertReport r = convert_stack((dir / "v.h5").string() + ":v", (dir / "exact.h5").string(), o);
    auto [lo, hi] = percentile_range(v.span(), 10, 90);
    EXPECT_DOUBLE_EQ(r.window_low, lo);
    EXPECT_DOUBLE_EQ(r.window_high, hi);

    o.percentile_samples = 40;  // every 3rd value, across slab boundaries (30 values per slice)
    r = convert_stack((dir / "v.h5").string() + ":v", (dir / "sampled.h5").string(), o);
    std::vector<float> sample;
    for (std::int64_t i = 0; i < v.size(); i += 3) sample.push_back(v[i]);
    std::tie(lo, hi) = percentile_range(sample, 10, 90);
    EXPECT_DOUBLE_EQ(r.window_low, lo);
    EXPECT_DOUBLE_EQ(r.window_high, hi);
    // f32 output of a percentile window lies in [0, 1].
    const Tensor<float> out = StackReader::open(parse_data_path((dir / "sampled.h5").string() + ":/v"))->read_all();
    EXPECT_EQ(*std::min_element(out.begin(), out.end()), 0.0f);
    EXPECT_EQ(*std::max_element(out.begin(), out.end()), 1.0f);
}

TEST(Convert, AutomaticScalingRule) {
    TempDir dir;
    Tensor<float> v(Shape{1, 2, 2});
    v[0] = 0;
    v[1] = 1000;
    v[2] = 30000;
    v[3] = 65535;
    {
        Hdf5Writer w(dir / "u16.h5");
        w.write("v", v, DatasetOptions{DType::u16, 1, 0});
        w.commit();
    }
    const std::string in = (dir / "u16.h5").string() + ":v";
    ConvertOptions o;
    EXPECT_EQ(convert_stack(in, (dir / "same.tif").string(), o).scaling, Scaling::none);  // u16 -> u16
    o.dtype = DType::f32;
    EXPECT_EQ(convert_stack(in, (dir / "f.tif").string(), o).scaling, Scaling::none);  // fits in f32
    o.dtype = DType::u8;
    const ConvertReport r = convert_stack(in, (dir / "u8.tif").string(), o);  // may not fit in u8
    EXPECT_EQ(r.scaling, Scaling::minmax);
    const Tensor<float> u8 = StackReader::open(parse_data_path((dir / "u8.tif").string()))->read_all();
    EXPECT_EQ(u8[0], 0);
    EXPECT_EQ(u8[1], 4);  // 1000 / 65535 * 255 = 3.89
    EXPECT_EQ(u8[3], 255);
    EXPECT_EQ(parse_scaling("percentile"), Scaling::percentile);
    EXPECT_THROW(parse_scaling("log"), Error);
}

TEST(Streaming, OnlyTheRequestedTiffPagesAreDecoded) {
    TempDir dir;
    const auto file = dir / "z.tif";
    const Tensor<float> v = noise_volume(4, 32, 32);
    {
        auto w = StackWriter::create(parse_data_path(file.string()), v.shape(), WriteOptions{DType::u16, 6});
        w->write(0, v);
        w->commit();
    }
    // Scribble over the compressed pixels of the last page (its IFD stays intact).
    std::uint64_t offset = 0, bytes = 0;
    {
        TIFF* tif = TIFFOpen(file.c_str(), "r");
        ASSERT_EQ(TIFFSetDirectory(tif, 3), 1);
        std::uint64_t* offsets = nullptr;
        std::uint64_t* counts = nullptr;
        TIFFGetField(tif, TIFFTAG_STRIPOFFSETS, &offsets);
        TIFFGetField(tif, TIFFTAG_STRIPBYTECOUNTS, &counts);
        offset = offsets[0];
        bytes = counts[0];
        TIFFClose(tif);
    }
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(offset));
        const std::string junk(static_cast<std::size_t>(bytes), '\x5a');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    auto r = StackReader::open(parse_data_path(file.string()));
    const Tensor<float> first = r->read(0, 3);  // never touches page 3
    for (std::int64_t i = 0; i < first.size(); ++i) ASSERT_EQ(first[i], std::round(std::clamp(v[i], 0.0f, 65535.0f)));
    try {
        (void)r->read(3, 1);
        FAIL() << "a damaged page decoded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("z.tif: page 3: cannot decode strip 0"), std::string::npos) << e.what();
    }
}
