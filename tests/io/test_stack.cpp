#include "support/error_message.hpp"
#include "io/stack.hpp"
#include "io/tiff.hpp"

#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

using tomoedge::testing::message_of;

using namespace tomoedge;
using namespace tomoedge::io;
using tomoedge::testing::TempDir;

namespace {

// Values that exercise rounding and clamping for every output type.
Tensor<float> test_volume(std::int64_t n, std::int64_t h, std::int64_t w) {
    Tensor<float> t(Shape{n, h, w});
    for (std::int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>((i * 37) % 300) - 10.25f + 0.5f * (i % 3);
    return t;
}

float expected_after(float v, DType t) {
    if (t == DType::f32) return v;
    const float hi = t == DType::u8 ? 255.0f : 65535.0f;
    return std::round(std::clamp(v, 0.0f, hi));
}

// A TIFF written directly with libtiff: `pages` pages of u16 ramps with the given codec.
void write_tiff_with_libtiff(const std::filesystem::path& file, int pages, int height, int width,
                             std::uint16_t compression, bool tiled = false) {
    TIFF* tif = TIFFOpen(file.c_str(), "w");
    ASSERT_NE(tif, nullptr);
    for (int p = 0; p < pages; ++p) {
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(tif, TIFFTAG_COMPRESSION, compression);
        if (compression != COMPRESSION_NONE) TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
        std::vector<std::uint16_t> pixels(static_cast<std::size_t>(height * width));
        for (int i = 0; i < height * width; ++i) pixels[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(p * 1000 + i);
        if (tiled) {
            TIFFSetField(tif, TIFFTAG_TILEWIDTH, 16);
            TIFFSetField(tif, TIFFTAG_TILELENGTH, 16);
            std::vector<std::uint16_t> tile(256);
            for (int ty = 0; ty < height; ty += 16)
                for (int tx = 0; tx < width; tx += 16) {
                    std::fill(tile.begin(), tile.end(), 0);
                    for (int y = 0; y < 16 && ty + y < height; ++y)
                        for (int x = 0; x < 16 && tx + x < width; ++x)
                            tile[static_cast<std::size_t>(y * 16 + x)] = pixels[static_cast<std::size_t>((ty + y) * width + tx + x)];
                    TIFFWriteTile(tif, tile.data(), static_cast<std::uint32_t>(tx), static_cast<std::uint32_t>(ty), 0, 0);
                }
        } else {
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 3);
            for (int y = 0; y < height; ++y) TIFFWriteScanline(tif, pixels.data() + y * width, static_cast<std::uint32_t>(y), 0);
        }
        TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
}

void round_trip(const DataPath& path, DType dtype, int deflate) {
    const Tensor<float> volume = test_volume(5, 7, 9);
    {
        auto w = StackWriter::create(path, volume.shape(), WriteOptions{dtype, deflate});
        // Slabs of 2, 2, 1: streaming writes.
        for (std::int64_t k = 0; k < 5; k += 2) {
            const std::int64_t n = std::min<std::int64_t>(2, 5 - k);
            Tensor<float> part(Shape{n, 7, 9});
            std::copy(volume.outer(k), volume.outer(k) + part.size(), part.begin());
            w->write(k, part);
        }
        w->commit();
    }
    auto r = StackReader::open(path);
    EXPECT_EQ(r->info().shape, (Shape{5, 7, 9})) << path.str();
    EXPECT_EQ(r->info().dtype, dtype) << path.str();
    const Tensor<float> all = r->read_all();
    for (std::int64_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], expected_after(volume[i], dtype)) << path.str() << " " << i;
    // Reading slices 3..4 alone, then going back to slice 1 (seeking backwards in a TIFF file).
    const Tensor<float> tail = r->read(3, 2);
    EXPECT_EQ(tail.shape(), (Shape{2, 7, 9}));
    for (std::int64_t i = 0; i < tail.size(); ++i) ASSERT_EQ(tail[i], all[3 * 63 + i]);
    const Tensor<float> one = r->read(1, 1);
    for (std::int64_t i = 0; i < one.size(); ++i) ASSERT_EQ(one[i], all[63 + i]);
    EXPECT_THROW((void)r->read(4, 2), Error);
}

}  // namespace

TEST(Stack, RoundTripEveryDtypeEveryForm) {
    for (DType dtype : {DType::u8, DType::u16, DType::f32}) {
        for (int deflate : {0, 5}) {
            TempDir dir;
            round_trip(parse_data_path((dir / "v.h5").string() + ":/vol/data"), dtype, deflate);
            round_trip(parse_data_path((dir / "v.tif").string()), dtype, deflate);
            round_trip(parse_data_path((dir / "slices").string() + "/"), dtype, deflate);
            EXPECT_EQ(dir.entry_count(), 3u);  // no temporaries left
        }
    }
}

TEST(Stack, FolderFilesAreNamedInOrder) {
    TempDir dir;
    const DataPath path = parse_data_path((dir / "recon").string() + "/");
    auto w = StackWriter::create(path, Shape{3, 2, 2}, {});
    w->write(0, test_volume(3, 2, 2));
    w->commit();
    const auto files = list_tiff_folder(dir / "recon");
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[2].filename(), "recon_00002.tif");
}

TEST(Stack, TwoDimensionalDatasetIsOneSlice) {
    TempDir dir;
    const auto file = dir / "img.h5";
    {
        Hdf5Writer w(file);
        Tensor<float> image(Shape{3, 4}, 2.0f);
        w.write("img", image);
        w.commit();
    }
    auto r = StackReader::open(parse_data_path(file.string() + ":img"));
    EXPECT_EQ(r->info().shape, (Shape{1, 3, 4}));
    EXPECT_EQ(r->read_all().shape(), (Shape{1, 3, 4}));
    EXPECT_EQ(r->name(), file.string() + ":/img");
}

TEST(Stack, ReadsCompressedAndTiledTiffFromLibtiff) {
    for (std::uint16_t codec : {COMPRESSION_LZW, COMPRESSION_ADOBE_DEFLATE, COMPRESSION_NONE}) {
        for (bool tiled : {false, true}) {
            TempDir dir;
            const auto file = dir / "in.tif";
            write_tiff_with_libtiff(file, 3, 20, 18, codec, tiled);
            auto r = StackReader::open(parse_data_path(file.string()));
            EXPECT_EQ(r->info().shape, (Shape{3, 20, 18}));
            EXPECT_EQ(r->info().dtype, DType::u16);
            const Tensor<float> v = r->read(1, 2);
            for (std::int64_t p = 0; p < 2; ++p)
                for (std::int64_t i = 0; i < 20 * 18; ++i)
                    ASSERT_EQ(v[p * 360 + i], static_cast<float>((p + 1) * 1000 + i)) << codec << " tiled " << tiled;
        }
    }
}

TEST(Stack, FolderInNaturalOrder) {
    TempDir dir;
    std::filesystem::create_directory(dir / "f");
    // Written in a scrambled order; the values say which slice each is.
    for (int k : {10, 2, 1, 9}) {
        auto w = StackWriter::create(parse_data_path((dir / "f" / ("img_" + std::to_string(k) + ".tif")).string()),
                                     Shape{1, 2, 3}, {DType::u8, 0});
        w->write(0, Tensor<float>(Shape{1, 2, 3}, static_cast<float>(k)));
        w->commit();
    }
    auto r = StackReader::open(parse_data_path((dir / "f").string()));
    const Tensor<float> v = r->read_all();
    EXPECT_EQ(v.shape(), (Shape{4, 2, 3}));
    EXPECT_EQ(v[0], 1.0f);
    EXPECT_EQ(v[6], 2.0f);
    EXPECT_EQ(v[12], 9.0f);
    EXPECT_EQ(v[18], 10.0f);
}

TEST(Stack, BigTiffChosenBySizeEstimate) {
    TempDir dir;
    const Tensor<float> v = test_volume(3, 8, 8);
    for (bool force : {false, true}) {
        const auto file = dir / (force ? "big.tif" : "classic.tif");
        WriteOptions options{DType::u16, 0};
        if (force) options.bigtiff_above_bytes = 100;  // far below the real size
        TiffStackWriter w(parse_data_path(file.string()), v.shape(), options);
        EXPECT_EQ(w.bigtiff(), force);
        w.write(0, v);
        w.commit();
        std::ifstream in(file, std::ios::binary);
        char header[4] = {};
        in.read(header, 4);
        EXPECT_EQ(header[2], force ? 43 : 42);  // BigTIFF's version number is 43
        auto r = StackReader::open(parse_data_path(file.string()));
        const Tensor<float> back = r->read_all();
        for (std::int64_t i = 0; i < back.size(); ++i) ASSERT_EQ(back[i], expected_after(v[i], DType::u16));
    }
}

TEST(StackErrors, WrongRankAndUnsupportedDtype) {
    TempDir dir;
    const auto file = dir / "r.h5";
    {
        Hdf5Writer w(file);
        w.write("line", Tensor<float>(Shape{5}, 1.0f));
        w.write("four", Tensor<float>(Shape{1, 2, 3, 4}, 1.0f));
        w.commit();
    }
    const std::string one = message_of([&] { StackReader::open(parse_data_path(file.string() + ":line")); });
    EXPECT_NE(one.find("r.h5:/line: has rank 1"), std::string::npos) << one;
    const std::string four = message_of([&] { StackReader::open(parse_data_path(file.string() + ":four")); });
    EXPECT_NE(four.find("r.h5:/four: has rank 4"), std::string::npos) << four;

    // A 32-bit integer TIFF: a valid file of a type we do not read.
    const auto tif = dir / "s32.tif";
    TIFF* t = TIFFOpen(tif.c_str(), "w");
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 2);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, 1);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_INT);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    std::int32_t row[2] = {1, 2};
    TIFFWriteScanline(t, row, 0, 0);
    TIFFClose(t);
    const std::string s32 = message_of([&] { StackReader::open(parse_data_path(tif.string())); });
    EXPECT_NE(s32.find("s32.tif: page 0: unsupported pixel type"), std::string::npos) << s32;
}

TEST(StackErrors, TruncatedAndFakeTiff) {
    TempDir dir;
    const auto file = dir / "v.tif";
    {
        auto w = StackWriter::create(parse_data_path(file.string()), Shape{4, 32, 32}, {DType::u16, 0});
        w->write(0, test_volume(4, 32, 32));
        w->commit();
    }
    // Cut inside the header, inside the pixel data, and just before the end (the last
    // directory's link to the next one): each must fail, never read as a shorter stack.
    const auto size = std::filesystem::file_size(file);
    for (const std::uintmax_t keep : {std::uintmax_t{6}, size / 3, size / 2, size - 1}) {
        const auto cut_file = dir / ("cut" + std::to_string(keep) + ".tif");
        std::filesystem::copy_file(file, cut_file);
        std::filesystem::resize_file(cut_file, keep);
        const std::string cut = message_of([&] {
            auto r = StackReader::open(parse_data_path(cut_file.string()));
            (void)r->read_all();
        });
        EXPECT_NE(cut.find(cut_file.filename().string() + ": "), std::string::npos) << cut;
        EXPECT_NE(cut.find("truncated"), std::string::npos) << cut;
        EXPECT_EQ(cut.find('\n'), std::string::npos) << cut;
    }

    std::ofstream(dir / "fake.tif") << "just text\n";
    const std::string fake = message_of([&] { StackReader::open(parse_data_path((dir / "fake.tif").string())); });
    EXPECT_NE(fake.find("fake.tif: not a readable TIFF file"), std::string::npos) << fake;
    const std::string none = message_of([&] { StackReader::open(parse_data_path((dir / "none.tif").string())); });
    EXPECT_NE(none.find("none.tif: no such file"), std::string::npos) << none;
    std::filesystem::create_directory(dir / "empty");
    const std::string empty = message_of([&] { StackReader::open(parse_data_path((dir / "empty").string())); });
    EXPECT_NE(empty.find("holds no .tif"), std::string::npos) << empty;
}

TEST(StackErrors, MismatchedFolderPages) {
    TempDir dir;
    std::filesystem::create_directory(dir / "f");
    for (int k : {0, 1}) {
        auto w = StackWriter::create(parse_data_path((dir / "f" / ("a" + std::to_string(k) + ".tif")).string()),
                                     Shape{1, 2 + k, 2}, {});
        w->write(0, Tensor<float>(Shape{1, 2 + k, 2}, 0.0f));
        w->commit();
    }
    const std::string msg = message_of([&] { StackReader::open(parse_data_path((dir / "f").string())); });
    EXPECT_NE(msg.find("a1.tif: is 3 x 2 f32, unlike the first page (2 x 2 f32)"), std::string::npos) << msg;
}

TEST(StackErrors, NonFiniteTiffPixelsNameThePage) {
    TempDir dir;
    const auto file = dir / "nan.tif";
    Tensor<float> v(Shape{3, 2, 2}, 1.0f);
    {
        // Our writers refuse NaN, so write this one with libtiff directly.
        TIFF* t = TIFFOpen(file.c_str(), "w");
        for (int p = 0; p < 3; ++p) {
            TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 2);
            TIFFSetField(t, TIFFTAG_IMAGELENGTH, 2);
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
            TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
            TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
            float rows[2][2] = {{1, 2}, {3, p == 2 ? std::numeric_limits<float>::infinity() : 4.0f}};
            TIFFWriteScanline(t, rows[0], 0, 0);
            TIFFWriteScanline(t, rows[1], 1, 0);
            TIFFWriteDirectory(t);
        }
        TIFFClose(t);
    }
    auto r = StackReader::open(parse_data_path(file.string()));
    EXPECT_NO_THROW((void)r->read(0, 2));
    const std::string msg = message_of([&] { (void)r->read(1, 2); });
    EXPECT_NE(msg.find("nan.tif: page 2: 1 non-finite"), std::string::npos) << msg;
}

TEST(StackErrors, WritersLeaveNothingBehind) {
    TempDir dir;
    for (const std::string name : {"a.h5:v", "a.tif", "folder/"}) {
        {
            auto w = StackWriter::create(parse_data_path((dir.path() / name).string()), Shape{3, 2, 2}, {DType::u8, 0});
            w->write(0, Tensor<float>(Shape{1, 2, 2}, 1.0f));
            EXPECT_THROW(w->commit(), Error) << name;  // slices 1..2 missing
        }
        EXPECT_EQ(dir.entry_count(), 0u) << name;
    }
    auto w = StackWriter::create(parse_data_path((dir / "b.tif").string()), Shape{3, 2, 2}, {});
    EXPECT_THROW(w->write(1, Tensor<float>(Shape{1, 2, 2}, 1.0f)), Error);  // TIFF pages go in order
    EXPECT_THROW(StackWriter::create(parse_data_path((dir / "c.tif").string()), Shape{3, 2, 2}, {DType::s32, 0}), Error);
    EXPECT_THROW(StackWriter::create(parse_data_path((dir / "c.h5").string()), Shape{3, 2, 2}, {}), Error);  // no dataset
}

// ---- bands of rows (what `denoise --tile` streams a big slice through) ------------------------

TEST(StackRows, ReadRowsIsTheSlicesRowsInEveryForm) {
    TempDir dir;
    const Tensor<float> volume = test_volume(5, 7, 9);
    for (const std::string& target : {(dir / "v.h5").string() + ":v", (dir / "v.tif").string(), (dir / "f").string() + "/"}) {
        const DataPath path = parse_data_path(target);
        {
            auto w = StackWriter::create(path, volume.shape(), WriteOptions{DType::u16, 0});
            w->write(0, volume);
            w->commit();
        }
        auto r = StackReader::open(path);
        const Tensor<float> all = r->read_all();
        const Tensor<float> band = r->read_rows(1, 3, 2, 4);  // slices 1..3, rows 2..5
        ASSERT_EQ(band.shape(), (Shape{3, 4, 9})) << target;
        for (std::int64_t k = 0; k < 3; ++k)
            for (std::int64_t y = 0; y < 4; ++y)
                for (std::int64_t x = 0; x < 9; ++x)
                    ASSERT_EQ(band[(k * 4 + y) * 9 + x], all[((1 + k) * 7 + 2 + y) * 9 + x]) << target;
        EXPECT_EQ(r->read_rows(0, 1, 6, 1)[8], all[6 * 9 + 8]) << target;  // the last row alone
        EXPECT_EQ(r->read_rows(2, 1, 3, 0).shape(), (Shape{1, 0, 9})) << target;
        EXPECT_THROW((void)r->read_rows(0, 1, 5, 3), Error) << target;   // rows past the end
        EXPECT_THROW((void)r->read_rows(0, 1, -1, 2), Error) << target;
        EXPECT_THROW((void)r->read_rows(4, 2, 0, 1), Error) << target;   // slices past the end
    }
}

TEST(StackRows, ReadRowsAcrossStripsAndTilesOfLibtiffFiles) {
    // Strips of 3 rows and tiles of 16 x 16: rows 5..13 start and end inside strips and tiles.
    for (bool tiled : {false, true}) {
        for (std::uint16_t codec : {COMPRESSION_NONE, COMPRESSION_ADOBE_DEFLATE}) {
            TempDir dir;
            const auto file = dir / "in.tif";
            write_tiff_with_libtiff(file, 3, 20, 18, codec, tiled);
            auto r = StackReader::open(parse_data_path(file.string()));
            const Tensor<float> v = r->read_rows(1, 2, 5, 9);
            ASSERT_EQ(v.shape(), (Shape{2, 9, 18}));
            for (std::int64_t p = 0; p < 2; ++p)
                for (std::int64_t y = 0; y < 9; ++y)
                    for (std::int64_t x = 0; x < 18; ++x)
                        ASSERT_EQ(v[(p * 9 + y) * 18 + x], static_cast<float>((p + 1) * 1000 + (5 + y) * 18 + x))
                            << "tiled " << tiled << " codec " << codec;
        }
    }
}

TEST(StackRows, WriteRowsInBandsEqualsWholeSlices) {
    TempDir dir;
    const Tensor<float> volume = test_volume(3, 7, 9);
    for (const std::string& target : {(dir / "v.h5").string() + ":v", (dir / "v.tif").string(), (dir / "f").string() + "/"}) {
        for (DType dtype : {DType::u8, DType::f32}) {
            for (int deflate : {0, 5}) {
                const DataPath path = parse_data_path(target);
                {
                    auto w = StackWriter::create(path, volume.shape(), WriteOptions{dtype, deflate});
                    for (std::int64_t k = 0; k < 3; ++k)
                        for (std::int64_t row = 0; row < 7; row += 3) {  // bands of 3, 3, 1 rows
                            const std::int64_t rows = std::min<std::int64_t>(3, 7 - row);
                            Tensor<float> band(Shape{1, rows, 9});
                            std::copy_n(volume.outer(k) + row * 9, rows * 9, band.data());
                            w->write_rows(k, row, band);
                        }
                    w->commit();
                }
                const Tensor<float> back = StackReader::open(path)->read_all();
                ASSERT_EQ(back.shape(), volume.shape());
                for (std::int64_t i = 0; i < back.size(); ++i)
                    ASSERT_EQ(back[i], expected_after(volume[i], dtype)) << target << " " << i;
            }
        }
    }
}

TEST(StackRows, Hdf5TakesBandsInAnyOrderTiffOnlyInOrder) {
    TempDir dir;
    const Tensor<float> volume = test_volume(2, 6, 5);
    auto band = [&](std::int64_t k, std::int64_t row, std::int64_t rows) {
        Tensor<float> b(Shape{1, rows, 5});
        std::copy_n(volume.outer(k) + row * 5, rows * 5, b.data());
        return b;
    };
    const DataPath h5 = parse_data_path((dir / "o.h5").string() + ":v");
    {
        auto w = StackWriter::create(h5, volume.shape(), WriteOptions{DType::f32, 0});
        w->write_rows(1, 4, band(1, 4, 2));  // the end first
        w->write_rows(0, 2, band(0, 2, 4));
        w->write_rows(1, 0, band(1, 0, 4));
        w->write_rows(0, 0, band(0, 0, 2));
        w->commit();
    }
    const Tensor<float> back = StackReader::open(h5)->read_all();
    for (std::int64_t i = 0; i < back.size(); ++i) ASSERT_EQ(back[i], volume[i]) << i;

    const DataPath tif = parse_data_path((dir / "o.tif").string());
    auto w = StackWriter::create(tif, volume.shape(), WriteOptions{DType::f32, 0});
    w->write_rows(0, 0, band(0, 0, 2));
    EXPECT_NE(message_of([&] { w->write_rows(0, 4, band(0, 4, 2)); }).find("in order"), std::string::npos);
    EXPECT_NE(message_of([&] { w->write_rows(1, 0, band(1, 0, 2)); }).find("in order"), std::string::npos);
    EXPECT_NE(message_of([&] { w->write(1, Tensor<float>(Shape{1, 6, 5})); }).find("in order"), std::string::npos);
    EXPECT_THROW(w->write_rows(0, 2, Tensor<float>(Shape{1, 2, 4})), Error);  // wrong width
    EXPECT_THROW(w->write_rows(0, 2, Tensor<float>(Shape{2, 2, 5})), Error);  // not one slice
    w->write_rows(0, 2, band(0, 2, 4));
    w->write_rows(1, 0, band(1, 0, 3));
    const std::string missing = message_of([&] { w->commit(); });
    EXPECT_NE(missing.find("1 of 2 slices"), std::string::npos) << missing;
    EXPECT_NE(missing.find("3 rows of the next"), std::string::npos) << missing;
}

TEST(StackRows, Hdf5CommitNamesTheFirstMissingRow) {
    TempDir dir;
    const DataPath path = parse_data_path((dir / "o.h5").string() + ":v");
    auto w = StackWriter::create(path, Shape{2, 6, 5}, WriteOptions{DType::u16, 0});
    w->write(0, Tensor<float>(Shape{1, 6, 5}, 1.0f));
    w->write_rows(1, 0, Tensor<float>(Shape{1, 2, 5}, 2.0f));
    w->write_rows(1, 3, Tensor<float>(Shape{1, 3, 5}, 2.0f));  // row 2 of slice 1 is missing
    const std::string message = message_of([&] { w->commit(); });
    EXPECT_NE(message.find("slice 1 row 2"), std::string::npos) << message;
    EXPECT_FALSE(std::filesystem::exists(dir / "o.h5"));
    EXPECT_THROW(w->write_rows(1, 5, Tensor<float>(Shape{1, 2, 5})), Error);  // past the last row
    EXPECT_THROW(w->write_rows(2, 0, Tensor<float>(Shape{1, 2, 5})), Error);  // past the last slice
    EXPECT_THROW(w->write_rows(0, 0, Tensor<float>(Shape{1, 2, 4})), Error);  // wrong width
    Tensor<float> bad(Shape{1, 1, 5}, 1.0f);
    bad[3] = std::nanf("");
    const std::string nan = message_of([&] { w->write_rows(0, 4, bad); });
    EXPECT_NE(nan.find("rows from 4"), std::string::npos) << nan;
}

TEST(StackRows, Hdf5StackChunksAreBandsOfAbout256KiB) {
    // Chunks of one slice and floor(256 KiB / row bytes) rows, at most the slice.
    TempDir dir;
    struct Case {
        std::int64_t h, w;
        DType dtype;
        hsize_t rows;
    };
    for (const Case& c : {Case{300, 1000, DType::u16, 131}, Case{300, 1000, DType::f32, 65}, Case{40, 64, DType::f32, 40}}) {
        const auto file = dir / "c.h5";
        {
            auto w = StackWriter::create(parse_data_path(file.string() + ":v"), Shape{2, c.h, c.w}, WriteOptions{c.dtype, 0});
            w->write(0, Tensor<float>(Shape{2, c.h, c.w}, 3.0f));
            w->commit();
        }
        const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(f, "/v", H5P_DEFAULT);
        const hid_t dcpl = H5Dget_create_plist(ds);
        hsize_t chunk[3] = {};
        EXPECT_EQ(H5Pget_chunk(dcpl, 3, chunk), 3);
        H5Pclose(dcpl);
        H5Dclose(ds);
        H5Fclose(f);
        EXPECT_EQ(chunk[0], 1u);
        EXPECT_EQ(chunk[1], c.rows) << c.h << "x" << c.w;
        EXPECT_EQ(chunk[2], static_cast<hsize_t>(c.w));
    }
}
