// `tomoedge evaluate` through the real executable: JSON and CSV shape, the figures, TIFF input,
// QDQ models as int8, and the command-line errors.
#include "eval_fixture.hpp"
#include "io/stack.hpp"
#include "png_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace tomoedge;
using tomoedge::testing::eval_data;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

std::vector<std::string> lines_of(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    for (std::string f; std::getline(s, f, ',');) fields.push_back(f);
    return fields;
}

}  // namespace

TEST(CliEvaluate, JsonCsvAndFigures) {
    auto& d = eval_data();
    TempDir out;
    const auto csv = out / "scores.csv";
    const auto figures = out / "figs";
    const auto r = run_tomoedge({"evaluate", "--data", d.data.string(), d.model_a.string(), d.model_b.string(),
                                 "--slices", "3", "--csv", csv.string(), "--figures", figures.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("shape"), (std::vector<int>{d.slices, d.size, d.size}));
    EXPECT_EQ(j.at("slices"), (std::vector<int>{0, 2, 4}));
    EXPECT_EQ(j.at("noisy"), d.data.string() + ":test_ns");
    EXPECT_EQ(j.at("truth"), d.data.string() + ":test_gt");
    const auto& methods = j.at("methods");
    ASSERT_EQ(methods.size(), 3u);
    EXPECT_EQ(methods[0].at("label"), "noisy");
    EXPECT_EQ(methods[1].at("label"), "a");
    EXPECT_EQ(methods[2].at("label"), "b");
    for (const auto& m : methods) {
        for (const char* metric : {"ssim", "psnr"}) {
            const auto& s = m.at(metric);
            for (const char* key : {"count", "infinite", "mean", "min", "q1", "median", "q3", "max"})
                EXPECT_TRUE(s.contains(key)) << metric << " " << key;
            EXPECT_EQ(s.at("count"), 3);
            EXPECT_LE(s.at("min").get<double>(), s.at("q1").get<double>());
            EXPECT_LE(s.at("q1").get<double>(), s.at("median").get<double>());
            EXPECT_LE(s.at("median").get<double>(), s.at("q3").get<double>());
            EXPECT_LE(s.at("q3").get<double>(), s.at("max").get<double>());
            EXPECT_EQ(m.at("per_slice").at(metric).size(), 3u);
        }
    }
    // CSV: header, then one row per slice and method, the same numbers as the JSON.
    const auto lines = lines_of(csv);
    ASSERT_EQ(lines.size(), 1u + 3 * 3);
    EXPECT_EQ(lines[0], "slice,method,source,precision,ssim,psnr_db,mse,data_range");
    for (std::size_t row = 0; row < 9; ++row) {
        const auto f = split(lines[row + 1]);
        ASSERT_EQ(f.size(), 8u) << lines[row + 1];
        const std::size_t slice = row / 3, method = row % 3;
        EXPECT_EQ(f[0], std::to_string(j.at("slices")[slice].get<int>()));
        EXPECT_EQ(f[1], methods[method].at("label").get<std::string>());
        EXPECT_DOUBLE_EQ(std::stod(f[4]), methods[method].at("per_slice").at("ssim")[slice].get<double>());
        EXPECT_DOUBLE_EQ(std::stod(f[5]), methods[method].at("per_slice").at("psnr")[slice].get<double>());
    }
    // Figures: named in the JSON, decodable PNGs, an SVG document.
    const auto& fig = j.at("figures");
    EXPECT_EQ(fig.at("panel_columns"), (std::vector<std::string>{"noisy", "a", "b", "ground truth"}));
    const auto box = tomoedge::testing::decode_png_rgb(fig.at("box_plot_png").get<std::string>());
    ASSERT_TRUE(box.ok) << box.error;
    const auto panel = tomoedge::testing::decode_png_rgb(fig.at("panel_png").get<std::string>());
    ASSERT_TRUE(panel.ok) << panel.error;
    // The columns under a band that names them (and the slice): text drawn above the images.
    EXPECT_GT(panel.height, static_cast<std::uint32_t>(d.size));
    EXPECT_EQ(panel.width, static_cast<std::uint32_t>(4 * d.size + 3 * 6));
    std::size_t dark_in_band = 0;
    for (std::size_t i = 0; i < (panel.height - static_cast<std::size_t>(d.size)) * panel.width * 3; i += 3)
        dark_in_band += panel.rgb[i] < 100;
    EXPECT_GT(dark_in_band, 50u);
    const auto svg = lines_of(fig.at("box_plot_svg").get<std::string>());
    ASSERT_FALSE(svg.empty());
    EXPECT_EQ(svg[0].rfind("<?xml", 0), 0u);
    EXPECT_EQ(std::filesystem::path(fig.at("box_plot_svg").get<std::string>()).parent_path(), figures);
}

TEST(CliEvaluate, TableByDefault) {
    auto& d = eval_data();
    const auto r = run_tomoedge({"evaluate", "--data", d.data.string(), d.model_a.string(), "--slices", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("median"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("noisy"), std::string::npos);
    EXPECT_NE(r.out.find("PSNR dB"), std::string::npos);
    EXPECT_NE(r.out.find("random weights"), std::string::npos);
    EXPECT_NE(r.out.find("1 of 5 slices"), std::string::npos);
}

TEST(CliEvaluate, TiffStacksGiveTheSameScoresAsHdf5) {
    auto& d = eval_data();
    TempDir out;
    for (const char* name : {"test_ns", "test_gt"}) {
        auto reader = io::StackReader::open(io::DataPath{d.data, name, io::StackFormat::hdf5});
        auto writer = io::StackWriter::create(io::parse_data_path((out / (std::string(name) + ".tif")).string()),
                                              reader->info().shape, {.dtype = DType::f32});
        writer->write(0, reader->read_all());
        writer->commit();
    }
    const auto tiff = run_tomoedge({"evaluate", "--noisy", (out / "test_ns.tif").string(), "--truth",
                                    (out / "test_gt.tif").string(), d.model_a.string(), "--slices", "2", "--json"});
    const auto hdf5 = run_tomoedge({"evaluate", "--data", d.data.string(), d.model_a.string(), "--slices", "2", "--json"});
    ASSERT_EQ(tiff.exit_code, 0) << tiff.err;
    ASSERT_EQ(hdf5.exit_code, 0) << hdf5.err;
    const auto a = nlohmann::json::parse(tiff.out), b = nlohmann::json::parse(hdf5.out);
    EXPECT_EQ(a.at("methods")[1].at("per_slice"), b.at("methods")[1].at("per_slice"));
    EXPECT_EQ(a.at("methods")[0].at("per_slice"), b.at("methods")[0].at("per_slice"));
}

TEST(CliEvaluate, QdqModelRunsAsInt8AndPrecisionSuffix) {
    auto& d = eval_data();
    TempDir out;
    const auto q = out / "a-int8.onnx";
    const auto qr = run_tomoedge({"quantize", d.model_a.string(), "--calib", d.data.string() + ":train_ns", "-o",
                                  q.string(), "--slices", "2"});
    ASSERT_EQ(qr.exit_code, 0) << qr.err;
    const auto r = run_tomoedge({"evaluate", "--data", d.data.string(), d.model_a.string(), q.string(),
                                 d.model_a.string() + "@bf16", "--slices", "2", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("methods")[1].at("precision"), "fp32");
    EXPECT_EQ(j.at("methods")[2].at("precision"), "int8");
    EXPECT_EQ(j.at("methods")[2].at("label"), "a-int8");
    EXPECT_EQ(j.at("methods")[3].at("precision"), "bf16");
    EXPECT_EQ(j.at("methods")[3].at("label"), "a@bf16");
}

TEST(CliEvaluate, Errors) {
    auto& d = eval_data();
    TempDir out;
    const std::string model = d.model_a.string();
    // Bad command lines: exit 2.
    EXPECT_EQ(run_tomoedge({"evaluate", "--data", d.data.string()}).exit_code, 2);  // no models
    EXPECT_EQ(run_tomoedge({"evaluate", model}).exit_code, 2);                      // no data
    EXPECT_EQ(run_tomoedge({"evaluate", "--data", d.data.string(), "--noisy", d.data.string() + ":test_ns", model})
                  .exit_code,
              2);
    EXPECT_EQ(run_tomoedge({"evaluate", "--noisy", d.data.string() + ":test_ns", model}).exit_code, 2);
    EXPECT_EQ(run_tomoedge({"evaluate", "--data", d.data.string() + ":test_ns", model}).exit_code, 2);
    // Failed work: exit 1 with one line naming the file.
    const auto missing = run_tomoedge({"evaluate", "--noisy", d.data.string() + ":test_ns", "--truth",
                                       d.data.string() + ":no_such", model});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("no_such"), std::string::npos) << missing.err;
    {
        auto reader = io::StackReader::open(io::DataPath{d.data, "test_gt", io::StackFormat::hdf5});
        auto writer = io::StackWriter::create(io::parse_data_path((out / "short.h5").string() + ":gt"),
                                              Shape{3, d.size, d.size});
        writer->write(0, reader->read(0, 3));
        writer->commit();
    }
    const auto mismatch = run_tomoedge({"evaluate", "--noisy", d.data.string() + ":test_ns", "--truth",
                                        (out / "short.h5").string() + ":gt", model});
    EXPECT_EQ(mismatch.exit_code, 1);
    EXPECT_NE(mismatch.err.find("shape"), std::string::npos) << mismatch.err;
    const auto bad = out / "bad.onnx";
    std::ofstream(bad) << "garbage";
    const auto bad_model = run_tomoedge({"evaluate", "--data", d.data.string(), bad.string(), "--csv",
                                         (out / "s.csv").string(), "--figures", (out / "figs").string()});
    EXPECT_EQ(bad_model.exit_code, 1);
    EXPECT_NE(bad_model.err.find("bad.onnx"), std::string::npos) << bad_model.err;
    EXPECT_FALSE(std::filesystem::exists(out / "s.csv"));  // nothing written on failure
    EXPECT_FALSE(std::filesystem::exists(out / "figs"));
    const auto zoom = run_tomoedge({"evaluate", "--data", d.data.string(), model, "--slices", "1", "--figures",
                                    (out / "z").string(), "--zoom", "40,40,30"});
    EXPECT_EQ(zoom.exit_code, 1);
    EXPECT_NE(zoom.err.find("zoom region"), std::string::npos) << zoom.err;
    EXPECT_FALSE(std::filesystem::exists(out / "z"));  // checked before any figure is written
}
