#include "io/data_path.hpp"
#include "io/tiff.hpp"

#include "core/error.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

using namespace tomoedge;
using namespace tomoedge::io;
using tomoedge::testing::TempDir;

TEST(DataPath, Hdf5WithDatasetIncludingSlashes) {
    const DataPath p = parse_data_path("run/data.h5:/exchange/data");
    EXPECT_EQ(p.format, StackFormat::hdf5);
    EXPECT_EQ(p.file, "run/data.h5");
    EXPECT_EQ(p.dataset, "/exchange/data");
    EXPECT_EQ(p.str(), "run/data.h5:/exchange/data");
    for (const char* ext : {".hdf5", ".hdf", ".nxs", ".H5"}) {
        const DataPath q = parse_data_path(std::string("x") + ext + ":test_ns");
        EXPECT_EQ(q.format, StackFormat::hdf5) << ext;
        EXPECT_EQ(q.dataset, "test_ns") << ext;
    }
}

TEST(DataPath, Hdf5WithoutDataset) {
    const DataPath p = parse_data_path("data.h5");
    EXPECT_EQ(p.format, StackFormat::hdf5);
    EXPECT_TRUE(p.dataset.empty());
    EXPECT_THROW(parse_data_path("data.h5:"), Error);
}

TEST(DataPath, TiffFileAndFolder) {
    EXPECT_EQ(parse_data_path("a.tif").format, StackFormat::tiff_file);
    EXPECT_EQ(parse_data_path("a.TIFF").format, StackFormat::tiff_file);
    const DataPath f = parse_data_path("slices/");
    EXPECT_EQ(f.format, StackFormat::tiff_folder);
    EXPECT_EQ(f.file, "slices");  // no trailing slash: the temporary sits beside it
    EXPECT_EQ(f.str(), "slices/");
    TempDir dir;
    EXPECT_EQ(parse_data_path(dir.path().string()).format, StackFormat::tiff_folder);
}

TEST(DataPath, SniffsContentWhenTheNameDoesNotTell) {
    TempDir dir;
    std::ofstream(dir / "notes.txt") << "hello\n";
    std::ofstream(dir / "image.dat", std::ios::binary) << std::string("II*\0\x08\0\0\0", 8);
    EXPECT_EQ(parse_data_path((dir / "image.dat").string()).format, StackFormat::tiff_file);
    try {
        parse_data_path((dir / "notes.txt").string());
        FAIL() << "a text file was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("notes.txt: neither an HDF5 file nor a TIFF"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_data_path((dir / "missing").string()), Error);
    EXPECT_THROW(parse_data_path(""), Error);
}

TEST(NaturalOrder, DigitRunsCompareAsNumbers) {
    EXPECT_TRUE(natural_less("img_2.tif", "img_10.tif"));
    EXPECT_FALSE(natural_less("img_10.tif", "img_2.tif"));
    EXPECT_TRUE(natural_less("a9", "b1"));
    EXPECT_TRUE(natural_less("img_002", "img_10"));
    EXPECT_TRUE(natural_less("x1y2", "x1y10"));
    EXPECT_FALSE(natural_less("same", "same"));
    std::vector<std::string> names{"s_10", "s_1", "s_100", "s_2", "s_02b", "s_9"};
    std::sort(names.begin(), names.end(), natural_less);
    EXPECT_EQ(names, (std::vector<std::string>{"s_1", "s_2", "s_02b", "s_9", "s_10", "s_100"}));
}

TEST(NaturalOrder, FolderListingSkipsOtherAndHiddenFiles) {
    TempDir dir;
    for (const char* name : {"img_10.tif", "img_2.tiff", "img_1.TIF", ".hidden.tif", "readme.txt"})
        std::ofstream(dir / name) << "x";
    const auto files = list_tiff_folder(dir.path());
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].filename(), "img_1.TIF");
    EXPECT_EQ(files[1].filename(), "img_2.tiff");
    EXPECT_EQ(files[2].filename(), "img_10.tif");
    EXPECT_THROW(list_tiff_folder(dir / "nope"), Error);
}
