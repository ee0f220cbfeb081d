// `tomoedge info` and `tomoedge convert`, run as a user would, including every error path:
// non-zero exit, one line on stderr naming the file (and dataset), and nothing left behind.
#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "io/stack.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

using namespace tomoedge;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

// Slice k holds k*100 + i/10 at flat index i: exact in every dtype we use.
Tensor<float> volume(std::int64_t n = 4, std::int64_t h = 6, std::int64_t w = 5) {
    Tensor<float> t(Shape{n, h, w});
    for (std::int64_t k = 0; k < n; ++k)
        for (std::int64_t i = 0; i < h * w; ++i) t[k * h * w + i] = static_cast<float>(k * 100) + static_cast<float>(i) / 10.0f;
    return t;
}

void write_h5(const std::filesystem::path& file, const std::string& dataset, const Tensor<float>& v,
              DType dtype = DType::f32) {
    io::Hdf5Writer w(file);
    w.write(dataset, v, io::DatasetOptions{dtype, 1, 0});
    w.commit();
}

Tensor<float> read_stack(const std::string& name) { return io::StackReader::open(io::parse_data_path(name))->read_all(); }

// A failed command: exit code, exactly one line on stderr containing every `needle`.
void expect_one_line_error(const tomoedge::testing::CliResult& r, int exit_code,
                           const std::vector<std::string>& needles) {
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("tomoedge: error: ", 0), 0u) << r.err;
    for (const auto& needle : needles) EXPECT_NE(r.err.find(needle), std::string::npos) << "'" << needle << "' in " << r.err;
}

void write_raw_h5(const std::filesystem::path& file, const char* name, hid_t file_type, hid_t memory_type,
                  const std::vector<hsize_t>& dims, const void* values) {
    const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t ds = H5Dcreate2(f, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(f);
}

}  // namespace

// ---- info ----------------------------------------------------------------------------------

TEST(CliInfo, ListsHdf5DatasetsWithRanges) {
    TempDir dir;
    const auto file = dir / "d.h5";
    {
        io::Hdf5Writer w(file);
        w.write("train_ns", volume(), io::DatasetOptions{DType::u16, 1, 0});
        w.write("/exchange/theta", Tensor<float>(Shape{3}, 45.0f));
        w.commit();
    }
    const auto r = run_tomoedge({"info", file.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["format"], "hdf5");
    ASSERT_EQ(j["items"].size(), 2u);
    const auto& ns = j["items"][1];
    EXPECT_EQ(ns["name"], "/train_ns");
    EXPECT_EQ(ns["shape"], nlohmann::json({4, 6, 5}));
    EXPECT_EQ(ns["dtype"], "u16");
    // u16 rounds k*100 + i/10: min 0, max 300 + round(2.9) = 303.
    EXPECT_EQ(ns["min"], 0.0);
    EXPECT_EQ(ns["max"], 303.0);
    const Tensor<float> stored = read_stack(file.string() + ":train_ns");
    double sum = 0;
    for (float v : stored) sum += v;
    EXPECT_NEAR(ns["mean"].get<double>(), sum / static_cast<double>(stored.size()), 1e-9);
    EXPECT_EQ(j["items"][0]["name"], "/exchange/theta");
    EXPECT_EQ(j["items"][0]["mean"], 45.0);

    const auto table = run_tomoedge({"info", file.string() + ":train_ns"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("/train_ns"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("(4, 6, 5)"), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find("theta"), std::string::npos) << table.out;  // only the named dataset
}

TEST(CliInfo, TiffFileFolderPagesAndNoRange) {
    TempDir dir;
    const Tensor<float> v = volume(3, 4, 4);
    for (const std::string name : {"s.tif", "f/"}) {
        auto w = io::StackWriter::create(io::parse_data_path((dir.path() / name).string()), v.shape(), {DType::f32, 0});
        w->write(0, v);
        w->commit();
    }
    const auto file = run_tomoedge({"info", (dir / "s.tif").string(), "--json", "--pages"});
    ASSERT_EQ(file.exit_code, 0) << file.err;
    const auto j = nlohmann::json::parse(file.out);
    EXPECT_EQ(j["format"], "tiff file");
    ASSERT_EQ(j["items"].size(), 4u);  // the stack, then 3 pages
    EXPECT_EQ(j["items"][0]["shape"], nlohmann::json({3, 4, 4}));
    EXPECT_EQ(j["items"][0]["min"], 0.0);
    EXPECT_NEAR(j["items"][0]["max"].get<double>(), 201.5, 1e-5);
    EXPECT_EQ(j["items"][2]["name"], "page 1");
    EXPECT_EQ(j["items"][2]["min"], 100.0);

    const auto folder = run_tomoedge({"info", (dir / "f").string() + "/", "--json", "--no-range"});
    ASSERT_EQ(folder.exit_code, 0) << folder.err;
    const auto k = nlohmann::json::parse(folder.out);
    EXPECT_EQ(k["format"], "tiff folder");
    EXPECT_EQ(k["items"][0]["shape"], nlohmann::json({3, 4, 4}));
    EXPECT_EQ(k["items"][0]["dtype"], "f32");
    EXPECT_TRUE(k["items"][0]["min"].is_null());
}

// ---- convert -------------------------------------------------------------------------------

TEST(CliConvert, Hdf5ToTiffAndBackKeepsValues) {
    TempDir dir;
    const Tensor<float> v = volume();
    write_h5(dir / "in.h5", "/data/vol", v, DType::u16);
    for (const std::string out : {"out.tif", "slices/"}) {
        const auto r = run_tomoedge({"convert", (dir / "in.h5").string() + ":data/vol", (dir.path() / out).string()});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("scale none"), std::string::npos) << r.out;  // u16 -> u16 needs no scaling
        const auto back = run_tomoedge({"convert", (dir.path() / out).string(), (dir / "back.h5").string(), "--deflate", "4"});
        ASSERT_EQ(back.exit_code, 0) << back.err;
        const Tensor<float> a = read_stack((dir / "in.h5").string() + ":data/vol");
        const Tensor<float> b = read_stack((dir / "back.h5").string() + ":data");  // default dataset from TIFF input
        ASSERT_EQ(a.shape(), b.shape());
        for (std::int64_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << out << " " << i;
        EXPECT_EQ(io::Hdf5Reader(dir / "back.h5").info("data").type_name, "u16");
    }
    // h5 -> h5 keeps the dataset name by default; the input file itself is refused.
    ASSERT_EQ(run_tomoedge({"convert", (dir / "in.h5").string() + ":data/vol", (dir / "copy.h5").string()}).exit_code, 0);
    EXPECT_TRUE(io::Hdf5Reader(dir / "copy.h5").has("/data/vol"));
    const auto self = run_tomoedge({"convert", (dir / "in.h5").string() + ":data/vol", (dir / "in.h5").string() + ":x"});
    expect_one_line_error(self, 1, {"in.h5", "would replace the input"});
}

TEST(CliConvert, FloatToIntegerScaling) {
    TempDir dir;
    const Tensor<float> v = volume(2, 4, 5);  // values 0..1.9 and 100..101.9
    write_h5(dir / "f.h5", "v", v);

    // auto = minmax for f32 -> u8: [0, 101.9] -> [0, 255].
    auto r = run_tomoedge({"convert", (dir / "f.h5").string() + ":v", (dir / "a.tif").string(), "--dtype", "u8", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["scale"], "minmax");
    EXPECT_NEAR(j["window"][1].get<double>(), 101.9, 1e-4);
    Tensor<float> a = read_stack((dir / "a.tif").string());
    for (std::int64_t i = 0; i < v.size(); ++i)
        ASSERT_EQ(a[i], std::round(static_cast<double>(v[i]) / static_cast<double>(101.9f) * 255.0)) << i;

    // none: values kept, rounded and clamped to u8.
    r = run_tomoedge({"convert", (dir / "f.h5").string() + ":v", (dir / "n.tif").string(), "--dtype", "u8", "--scale", "none"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    a = read_stack((dir / "n.tif").string());
    for (std::int64_t i = 0; i < v.size(); ++i) ASSERT_EQ(a[i], std::round(v[i])) << i;

    // percentile window 25..75 % of the 40 values -> u16, clamped outside.
    r = run_tomoedge({"convert", (dir / "f.h5").string() + ":v", (dir / "p.h5").string(), "--dtype", "u16",
                      "--percentiles", "25", "75", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["scale"], "percentile");
    std::vector<double> sorted(v.begin(), v.end());
    std::sort(sorted.begin(), sorted.end());
    const auto pct = [&](double p) {  // numpy's linear interpolation
        const double pos = p / 100.0 * static_cast<double>(sorted.size() - 1);
        const auto lo = static_cast<std::size_t>(pos);
        return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[std::min(lo + 1, sorted.size() - 1)] - sorted[lo]);
    };
    const double low = pct(25), high = pct(75);
    EXPECT_NEAR(j["window"][0].get<double>(), low, 1e-4);
    EXPECT_NEAR(j["window"][1].get<double>(), high, 1e-4);
    a = read_stack((dir / "p.h5").string() + ":/v");
    for (std::int64_t i = 0; i < v.size(); ++i)
        ASSERT_NEAR(a[i], std::round(std::clamp((v[i] - low) / (high - low), 0.0, 1.0) * 65535.0), 1.0) << i;

    // minmax to f32 -> [0, 1].
    r = run_tomoedge({"convert", (dir / "f.h5").string() + ":v", (dir / "unit/").string() + "/", "--scale", "minmax"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    a = read_stack((dir / "unit").string() + "/");
    EXPECT_EQ(*std::min_element(a.begin(), a.end()), 0.0f);
    EXPECT_FLOAT_EQ(*std::max_element(a.begin(), a.end()), 1.0f);
}

// ---- errors --------------------------------------------------------------------------------

TEST(CliIoErrors, MissingFile) {
    TempDir dir;
    const std::string in = (dir / "missing.h5").string() + ":v";
    expect_one_line_error(run_tomoedge({"convert", in, (dir / "out.tif").string()}), 1, {"missing.h5", "no such file"});
    expect_one_line_error(run_tomoedge({"info", (dir / "gone.tif").string()}), 1, {"gone.tif", "no such file"});
    expect_one_line_error(run_tomoedge({"info", (dir / "nofolder").string() + "/"}), 1, {"nofolder", "no such folder"});
    EXPECT_EQ(dir.entry_count(), 0u);
}

TEST(CliIoErrors, NeitherHdf5NorTiff) {
    TempDir dir;
    for (const std::string name : {"notes.txt", "fake.h5", "fake.tif"}) {
        std::ofstream(dir.path() / name) << "this is a text file\n";
        const std::string in = (dir.path() / name).string() + (name == "fake.h5" ? ":v" : "");
        expect_one_line_error(run_tomoedge({"convert", in, (dir / "out.h5").string() + ":v"}), 1, {name});
        expect_one_line_error(run_tomoedge({"info", (dir.path() / name).string()}), 1, {name});
    }
    EXPECT_EQ(dir.entry_count(), 3u);  // the three inputs, no output
}

TEST(CliIoErrors, TruncatedHdf5AndTiff) {
    TempDir dir;
    write_h5(dir / "cut.h5", "v", volume(8, 32, 32));
    std::filesystem::resize_file(dir / "cut.h5", std::filesystem::file_size(dir / "cut.h5") / 2);
    {
        auto w = io::StackWriter::create(io::parse_data_path((dir / "cut.tif").string()), Shape{4, 32, 32}, {DType::u16, 0});
        w->write(0, volume(4, 32, 32));
        w->commit();
    }
    std::filesystem::resize_file(dir / "cut.tif", std::filesystem::file_size(dir / "cut.tif") * 2 / 3);
    expect_one_line_error(run_tomoedge({"convert", (dir / "cut.h5").string() + ":v", (dir / "o.tif").string()}), 1,
                          {"cut.h5", "truncated"});
    expect_one_line_error(run_tomoedge({"convert", (dir / "cut.tif").string(), (dir / "o.h5").string()}), 1,
                          {"cut.tif", "truncated"});
    expect_one_line_error(run_tomoedge({"info", (dir / "cut.tif").string()}), 1, {"cut.tif", "truncated"});
    EXPECT_EQ(dir.entry_count(), 2u);
}

TEST(CliIoErrors, MissingDatasetListsWhatIsThere) {
    TempDir dir;
    write_h5(dir / "d.h5", "test_ns", volume());
    const auto r = run_tomoedge({"convert", (dir / "d.h5").string() + ":test_gt", (dir / "o.tif").string()});
    expect_one_line_error(r, 1, {"d.h5:/test_gt", "no such dataset", "/test_ns (4, 6, 5) f32"});
    const auto unnamed = run_tomoedge({"convert", (dir / "d.h5").string(), (dir / "o.tif").string()});
    expect_one_line_error(unnamed, 1, {"d.h5", "no dataset named", "/test_ns"});
    EXPECT_EQ(dir.entry_count(), 1u);
}

TEST(CliIoErrors, WrongRank) {
    TempDir dir;
    {
        io::Hdf5Writer w(dir / "r.h5");
        w.write("line", Tensor<float>(Shape{7}, 1.0f));
        w.write("four", Tensor<float>(Shape{2, 2, 3, 3}, 1.0f));
        w.commit();
    }
    expect_one_line_error(run_tomoedge({"convert", (dir / "r.h5").string() + ":line", (dir / "o.tif").string()}), 1,
                          {"r.h5:/line", "rank 1"});
    expect_one_line_error(run_tomoedge({"convert", (dir / "r.h5").string() + ":four", (dir / "o.tif").string()}), 1,
                          {"r.h5:/four", "rank 4"});
    EXPECT_EQ(dir.entry_count(), 1u);
}

TEST(CliIoErrors, UnsupportedDtype) {
    TempDir dir;
    const std::vector<std::int64_t> values(2 * 3 * 3, 7);
    write_raw_h5(dir / "i64.h5", "v", H5T_STD_I64LE, H5T_NATIVE_INT64, {2, 3, 3}, values.data());
    expect_one_line_error(run_tomoedge({"convert", (dir / "i64.h5").string() + ":v", (dir / "o.tif").string()}), 1,
                          {"i64.h5:/v", "unsupported dtype s64"});
    // info still lists it, without a range.
    const auto info = run_tomoedge({"info", (dir / "i64.h5").string(), "--json"});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_EQ(nlohmann::json::parse(info.out)["items"][0]["dtype"], "s64");
    EXPECT_EQ(dir.entry_count(), 1u);
}

TEST(CliIoErrors, NonFinitePixels) {
    TempDir dir;
    for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
        std::vector<float> values(3 * 4 * 4, 1.0f);
        values[2 * 16 + 5] = bad;
        write_raw_h5(dir / "bad.h5", "v", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {3, 4, 4}, values.data());
        for (const std::string out : {"o.tif", "o.h5:v", "folder/"})
            expect_one_line_error(run_tomoedge({"convert", (dir / "bad.h5").string() + ":v", (dir.path() / out).string()}),
                                  1, {"bad.h5:/v: slice 2", "non-finite"});
        expect_one_line_error(run_tomoedge({"info", (dir / "bad.h5").string()}), 1, {"bad.h5:/v: slice 2"});
        EXPECT_EQ(dir.entry_count(), 1u);
    }
}

TEST(CliIoErrors, BadFlagValues) {
    TempDir dir;
    write_h5(dir / "in.h5", "v", volume());
    const std::string in = (dir / "in.h5").string() + ":v", out = (dir / "o.tif").string();
    const std::vector<std::vector<std::string>> bad{
        {"--dtype", "s7"},          {"--dtype", "s32"},          {"--scale", "log"},
        {"--deflate", "12"},        {"--deflate", "x"},          {"--percentiles", "90", "10"},
        {"--percentiles", "1", "101"}, {"--percentiles", "5"},   {"--scale", "minmax", "--percentiles", "1", "99"},
    };
    for (const auto& flags : bad) {
        std::vector<std::string> args{"convert", in, out};
        args.insert(args.end(), flags.begin(), flags.end());
        const auto r = run_tomoedge(args);
        EXPECT_EQ(r.exit_code, 2) << flags[0] << " " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find(flags[0]), std::string::npos) << r.err;
    }
    // An output whose name says no format, and an output folder that does not exist.
    expect_one_line_error(run_tomoedge({"convert", in, (dir / "out.xyz").string()}), 1, {"out.xyz"});
    expect_one_line_error(run_tomoedge({"convert", in, (dir / "no" / "o.tif").string()}), 1, {"o.tif", "does not exist"});
    EXPECT_EQ(dir.entry_count(), 1u);
}
