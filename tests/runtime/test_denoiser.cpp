#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "io/stack.hpp"
#include "model/model_info.hpp"
#include "model/tomogan.hpp"
#include "pipeline/denoise_file.hpp"
#include "pick_graph.hpp"
#include "runtime/denoiser.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tomoedge;
using namespace tomoedge::runtime;
using tomoedge::testing::pick_graph;
using tomoedge::testing::TempDir;

namespace {

BackendOptions reference() {
    BackendOptions o;
    o.backend = "reference";
    return o;
}

// Slice s, row r, column c of the test volume: distinct integers that fit u16.
float voxel(std::int64_t s, std::int64_t r, std::int64_t c) { return static_cast<float>(1000 * s + 37 * r + c); }

void write_volume(const std::filesystem::path& file, std::int64_t n, std::int64_t h, std::int64_t w, DType dtype) {
    Tensor<float> v(Shape{n, h, w});
    for (std::int64_t s = 0; s < n; ++s)
        for (std::int64_t r = 0; r < h; ++r)
            for (std::int64_t c = 0; c < w; ++c) v[(s * h + r) * w + c] = voxel(s, r, c);
    io::Hdf5Writer writer(file);
    io::DatasetOptions o;
    o.dtype = dtype;
    writer.write("ns", v, o);
    writer.commit();
}

}  // namespace

TEST(Denoiser, NeighbourSlicesMirrorAtTheEnds) {
    EXPECT_EQ(neighbour_slice(0, -1, 5), 1);  // the first slice repeats its neighbour
    EXPECT_EQ(neighbour_slice(0, 0, 5), 0);
    EXPECT_EQ(neighbour_slice(2, 1, 5), 3);
    EXPECT_EQ(neighbour_slice(4, 1, 5), 3);  // so does the last
    EXPECT_EQ(neighbour_slice(0, -1, 1), 0);  // a single image is repeated
    EXPECT_EQ(neighbour_slice(0, 1, 1), 0);
    EXPECT_EQ(neighbour_slice(1, 1, 2), 0);
    EXPECT_EQ(neighbour_slice(0, -2, 2), 0);  // beyond the mirror: clamped
}

TEST(Denoiser, PadEdgeRepeatsLastRowAndColumnAndCropUndoesIt) {
    Tensor<float> x(Shape{1, 1, 2, 3});
    for (int i = 0; i < 6; ++i) x[i] = static_cast<float>(i);
    auto p = pad_edge(x, 4, 4);
    const std::vector<float> expected{0, 1, 2, 2, 3, 4, 5, 5, 3, 4, 5, 5, 3, 4, 5, 5};
    EXPECT_EQ(std::vector<float>(p.begin(), p.end()), expected);
    auto c = crop(p, 2, 3);
    EXPECT_EQ(std::vector<float>(c.begin(), c.end()), std::vector<float>(x.begin(), x.end()));
    EXPECT_THROW(pad_edge(x, 1, 4), Error);
    EXPECT_EQ(round_up(13, 8), 16);
    EXPECT_EQ(round_up(16, 8), 16);
}

TEST(Denoiser, WholeImageRunnerPadsOddSizes) {
    auto backend = make_backend(pick_graph(1, 0), reference());
    WholeImageRunner runner(*backend, {2, 2});
    Tensor<float> x(Shape{1, 1, 5, 7});
    for (std::int64_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
    auto y = runner.run(x);
    EXPECT_EQ(y.shape(), x.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i]);
    EXPECT_THROW(backend->run(x), Error);  // unpadded, the pooling path does not fit
}

TEST(Denoiser, GroupsAdjacentSlicesNormalisesAndRestoresUnits) {
    TempDir dir;
    const std::int64_t n = 5, h = 13, w = 11;  // odd sizes: padded to 14 x 12 and cropped back
    write_volume(dir / "in.h5", n, h, w, DType::u16);
    for (int pick : {0, 1, 2}) {
        model::Graph g = pick_graph(3, pick);
        model::ModelInfo info;
        info.input_depth = 3;
        info.normalisation = model::Normalisation{1, 99};
        model::write_model_info(g, info);
        Denoiser denoiser(g, reference());
        const io::DataPath out{dir / fmt::format("out{}.h5", pick), "dn", io::StackFormat::hdf5};
        const auto report = pipeline::denoise_file(denoiser, {dir / "in.h5", "ns", io::StackFormat::hdf5}, out, {{}, 2, 0});
        EXPECT_EQ(report.slices, n);
        EXPECT_TRUE(report.normalised);
        EXPECT_LT(report.window.low, report.window.high);
        io::Hdf5Reader reader(out.file);
        EXPECT_EQ(reader.info("dn").dtype, DType::u16);  // the input's dtype
        Tensor<float> y = reader.read("dn");
        ASSERT_EQ(y.shape(), (Shape{n, h, w}));
        // Output slice s is input slice neighbour(s, pick - 1), exactly (u16 rounding absorbs the
        // float error of normalise -> denormalise).
        for (std::int64_t s = 0; s < n; ++s)
            for (std::int64_t r = 0; r < h; ++r)
                for (std::int64_t c = 0; c < w; ++c)
                    ASSERT_EQ(y[(s * h + r) * w + c], voxel(neighbour_slice(s, pick - 1, n), r, c))
                        << "pick " << pick << " slice " << s;
    }
}

TEST(Denoiser, SingleImageAndDtypeOverride) {
    TempDir dir;
    write_volume(dir / "one.h5", 1, 9, 6, DType::f32);
    Denoiser denoiser(pick_graph(3, 2), reference());
    EXPECT_EQ(denoiser.input_depth(), 3);
    EXPECT_FALSE(denoiser.normalisation().has_value());
    const pipeline::DenoiseFileOptions o{DType::u8, 8, 0};
    const io::DataPath out{dir / "o.h5", "dn", io::StackFormat::hdf5};
    pipeline::denoise_file(denoiser, {dir / "one.h5", "ns", io::StackFormat::hdf5}, out, o);
    io::Hdf5Reader reader(out.file);
    EXPECT_EQ(reader.info("dn").dtype, DType::u8);
    Tensor<float> y = reader.read("dn");
    EXPECT_EQ(y[0], 0);
    EXPECT_EQ(y[1], 1);
    EXPECT_EQ(y[9 * 6 - 1], 255);  // 37 * 8 + 5 = 301 saturates in u8
}

TEST(Denoiser, VolumeWindowIsThePercentilesOfTheVolume) {
    TempDir dir;
    write_volume(dir / "v.h5", 3, 10, 10, DType::f32);
    auto reader = io::StackReader::open({dir / "v.h5", "ns", io::StackFormat::hdf5});
    const auto window = volume_window(*reader, model::Normalisation{0, 100});
    EXPECT_EQ(window.low, voxel(0, 0, 0));
    EXPECT_EQ(window.high, voxel(2, 9, 9));
    Tensor<float> flat(Shape{2, 4, 4}, 7.0f);
    io::Hdf5Writer writer(dir / "flat.h5");
    writer.write("ns", flat);
    writer.commit();
    auto flat_reader = io::StackReader::open({dir / "flat.h5", "ns", io::StackFormat::hdf5});
    const auto w = volume_window(*flat_reader, model::Normalisation{1, 99});
    EXPECT_EQ(w.low, 7.0);
    EXPECT_EQ(w.high, 8.0);
}

// A slice of 8.4 M pixels is subsampled with stride 2 and read in blocks of rows whose pixel count
// is odd: the sample must stay on the even pixels across every block boundary. Even pixels hold 1,
// odd ones large values, so one misplaced sample moves the window off the flat [1, 2].
TEST(Denoiser, VolumeWindowSubsampleSpansRowBlocks) {
    TempDir dir;
    const std::int64_t h = 2901, w = 2899;  // 1 M / 2899 = 361 rows a block: 361 x 2899 is odd
    Tensor<float> v(Shape{1, h, w});
    for (std::int64_t i = 0; i < v.size(); ++i) v[i] = i % 2 == 0 ? 1.0f : 1000.0f + static_cast<float>(i % 977);
    {
        io::Hdf5Writer writer(dir / "big.h5");
        writer.write("ns", v);
        writer.commit();
    }
    auto reader = io::StackReader::open({dir / "big.h5", "ns", io::StackFormat::hdf5});
    const auto window = volume_window(*reader, model::Normalisation{0, 100});
    EXPECT_EQ(window.low, 1.0);
    EXPECT_EQ(window.high, 2.0);  // flat sample: width 1
    const auto in_memory = volume_window(VolumeView(v), model::Normalisation{0, 100});  // the same subsample
    EXPECT_EQ(in_memory.low, 1.0);
    EXPECT_EQ(in_memory.high, 2.0);
}

// The in-memory path (the Python module's) gives the file path's window and output exactly, tiles
// or not, and refuses NaN as the readers do.
TEST(Denoiser, InMemoryVolumeEqualsTheFilePath) {
    TempDir dir;
    const std::int64_t n = 4, h = 19, w = 23;
    Tensor<float> v(Shape{n, h, w});
    for (std::int64_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)) * 50 + (i % 7));
    {
        io::Hdf5Writer writer(dir / "in.h5");
        writer.write("ns", v);
        writer.commit();
    }
    model::TomoGanConfig c;
    c.width = 0.125;
    model::Graph g = model::build_tomogan(c);
    model::ModelInfo info = model::read_model_info(g);
    info.normalisation = model::Normalisation{0.5, 99.5};
    model::write_model_info(g, info);
    Denoiser denoiser(g, reference());
    const io::DataPath out{dir / "o.h5", "dn", io::StackFormat::hdf5};
    const auto report = pipeline::denoise_file(denoiser, {dir / "in.h5", "ns", io::StackFormat::hdf5}, out, {{}, 3, 0});
    const Tensor<float> expected = io::Hdf5Reader(out.file).read("dn");

    const ValueWindow window = denoiser.window_for(VolumeView(v));
    EXPECT_EQ(window.low, report.window.low);
    EXPECT_EQ(window.high, report.window.high);
    VolumeSource memory(VolumeView(v), "memory");
    EXPECT_EQ(volume_window(memory, *info.normalisation).high, report.window.high);
    const Tensor<float> got = denoiser.denoise(VolumeView(v));
    ASSERT_EQ(got.shape(), expected.shape());
    for (std::int64_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expected[i]) << i;
    // The streaming form on the library's own seam, no file: the same pixels.
    Tensor<float> streamed(v.shape());
    VolumeSink sink(streamed.data(), streamed.shape());
    const auto memory_report = denoiser.denoise(memory, sink, 3);
    EXPECT_EQ(memory_report.window.high, report.window.high);
    for (std::int64_t i = 0; i < got.size(); ++i) ASSERT_EQ(streamed[i], expected[i]) << i;

    v[5] = std::nanf("");
    EXPECT_THROW(denoiser.denoise(VolumeView(v)), Error);
    EXPECT_THROW(memory.read(0, 1), Error);
    EXPECT_THROW(memory.read_rows(3, 2, 0, 1), Error);  // past the last slice
}

TEST(Denoiser, RefusesModelsThatAreNotImageToImage) {
    model::Graph g = pick_graph(3, 0);
    g.constants["w"] = tomoedge::testing::float_constant(Shape{2, 3, 1, 1}, {1, 0, 0, 0, 1, 0});
    g.constants["zero"] = tomoedge::testing::float_constant(Shape{2, 2, 1, 1}, {0, 0, 0, 0});
    EXPECT_THROW(Denoiser(g, reference()), Error);  // two output channels
    model::Graph d = pick_graph(3, 0);
    d.metadata["tomoedge.input_depth"] = "5";
    EXPECT_THROW(Denoiser(d, reference()), Error);
}

TEST(Denoiser, TomoGanOnOddSizedVolume) {
    TempDir dir;
    write_volume(dir / "in.h5", 3, 21, 17, DType::f32);
    model::TomoGanConfig c;
    c.width = 0.125;
    const model::Graph g = model::build_tomogan(c);
    Denoiser denoiser(g, reference());
    const io::DataPath out{dir / "o.h5", "dn", io::StackFormat::hdf5};
    const auto report = pipeline::denoise_file(denoiser, {dir / "in.h5", "ns", io::StackFormat::hdf5}, out, {{}, 8, 0});
    // Oracle: slice 1 computed by hand through the same steps (group, normalise, pad, run, crop).
    auto reader = io::StackReader::open({dir / "in.h5", "ns", io::StackFormat::hdf5});
    Tensor<float> vol = reader->read_all();
    Tensor<float> x(Shape{1, 3, 21, 17});
    for (std::int64_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>((vol[i] - report.window.low) / (report.window.high - report.window.low));
    auto backend = make_backend(g, reference());
    Tensor<float> y = crop(backend->run(pad_edge(x, 24, 24)), 21, 17);
    Tensor<float> got = io::Hdf5Reader(out.file).read("dn");
    for (std::int64_t i = 0; i < 21 * 17; ++i) {
        const double expected = y[i] * (report.window.high - report.window.low) + report.window.low;
        ASSERT_NEAR(got[21 * 17 + i], expected, 1e-6 * std::abs(report.window.high) + 1e-3) << i;
    }
}
