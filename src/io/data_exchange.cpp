#include "io/data_exchange.hpp"

#include "core/error.hpp"
#include "io/hdf5.hpp"

namespace tomoedge::io {
namespace {

constexpr const char* kData = "/exchange/data";
constexpr const char* kWhite = "/exchange/data_white";
constexpr const char* kDark = "/exchange/data_dark";
constexpr const char* kTheta = "/exchange/theta";

DatasetInfo require_dataset(const Hdf5Reader& reader, const char* name, std::size_t rank) {
    if (!reader.has(name)) fail("{}: missing (a Data Exchange file needs {}, {}, {} and {})", reader.describe(name), kData, kWhite, kDark, kTheta);
    DatasetInfo info = reader.info(name);
    if (info.shape.rank() != rank)
        fail("{}: has shape {}; expected rank {}", reader.describe(name), info.shape.str(), rank);
    if (!info.readable) fail("{}: unsupported dtype {}", reader.describe(name), info.type_name);
    return info;
}

ProjectionInfo validate(const Hdf5Reader& reader) {
    const DatasetInfo data = require_dataset(reader, kData, 3);
    const DatasetInfo white = require_dataset(reader, kWhite, 3);
    const DatasetInfo dark = require_dataset(reader, kDark, 3);
    const DatasetInfo theta = require_dataset(reader, kTheta, 1);
    for (const DatasetInfo* field : {&white, &dark}) {
        if (field->shape[1] != data.shape[1] || field->shape[2] != data.shape[2])
            fail("{}: shape {} does not match the rows and columns of {} {}", reader.describe(field->name),
                 field->shape.str(), kData, data.shape.str());
    }
    if (theta.shape[0] != data.shape[0])
        fail("{}: {} angles, but {} holds {} projections", reader.describe(kTheta), theta.shape[0], kData, data.shape[0]);
    return {data.shape[0], data.shape[1], data.shape[2], white.shape[0], dark.shape[0]};
}

Tensor<float> read_rows(const Hdf5Reader& reader, const char* name, std::int64_t images, std::int64_t first,
                        std::int64_t count, std::int64_t cols) {
    return reader.read_hyperslab(name, {0, first, 0}, {images, count, cols});
}

}  // namespace

ProjectionInfo read_projection_info(const std::filesystem::path& file) {
    const Hdf5Reader reader(file);
    return validate(reader);
}

Projections read_projections(const std::filesystem::path& file, std::int64_t row_first, std::int64_t row_count) {
    const Hdf5Reader reader(file);
    const ProjectionInfo info = validate(reader);
    if (row_first < 0 || row_count < 1 || row_first + row_count > info.rows)
        fail("{}: detector rows {}..{} are outside 0..{}", reader.describe(kData), row_first, row_first + row_count,
             info.rows);
    Projections p;
    p.data = read_rows(reader, kData, info.angles, row_first, row_count, info.cols);
    p.white = read_rows(reader, kWhite, info.flats, row_first, row_count, info.cols);
    p.dark = read_rows(reader, kDark, info.darks, row_first, row_count, info.cols);
    const Tensor<float> theta = reader.read(kTheta);
    p.theta_deg.assign(theta.begin(), theta.end());
    return p;
}

void write_projections(const std::filesystem::path& file, const Projections& p, bool counts_u16) {
    const std::string name = file.string();
    if (p.data.rank() != 3) fail("{}: projections must be (angles, rows, cols), not {}", name, p.data.shape().str());
    for (const Tensor<float>* field : {&p.white, &p.dark}) {
        if (field->rank() != 3 || field->dim(1) != p.data.dim(1) || field->dim(2) != p.data.dim(2))
            fail("{}: flat/dark fields {} do not match the projections {}", name, field->shape().str(),
                 p.data.shape().str());
    }
    if (static_cast<std::int64_t>(p.theta_deg.size()) != p.data.dim(0))
        fail("{}: {} angles for {} projections", name, p.theta_deg.size(), p.data.dim(0));

    Hdf5Writer writer(file);
    // One chunk per projection: detectors write angle by angle; readers take row ranges.
    const DatasetOptions counts{counts_u16 ? DType::u16 : DType::f32, 1, 0};
    writer.write(kData, p.data, counts);
    writer.write(kWhite, p.white, counts);
    writer.write(kDark, p.dark, counts);
    Tensor<float> theta(Shape{static_cast<std::int64_t>(p.theta_deg.size())});
    std::copy(p.theta_deg.begin(), p.theta_deg.end(), theta.begin());
    writer.write(kTheta, theta, DatasetOptions{DType::f32, 0, 0});
    writer.commit();
}

}  // namespace tomoedge::io
