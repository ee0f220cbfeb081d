// HDF5 readers on a file of fuzzed bytes: any dataset (list, info, read, slab, string
// attributes, `info`'s value ranges), the TomoGAN layout (train_ns ... test_gt as image stacks)
// and the Data Exchange layout (/exchange/data, data_white, data_dark, theta).
#include "fuzz_support.hpp"

#include "io/data_exchange.hpp"
#include "io/hdf5.hpp"
#include "io/hdf5_stack.hpp"
#include "io/inspect.hpp"

#include <algorithm>

namespace {
using namespace tomoedge;
namespace fs = std::filesystem;

bool small(const Shape& shape, std::int64_t first_axis_count) {
    std::int64_t n = std::max<std::int64_t>(first_axis_count, 0);
    for (std::size_t a = 1; a < shape.rank(); ++a) {
        if (shape[a] > 0 && n > fuzz::max_read_elements / shape[a]) return false;
        n *= shape[a];
    }
    return n <= fuzz::max_read_elements;
}

void any_dataset(const fs::path& file) {
    const io::Hdf5Reader reader(file);
    (void)reader.string_attribute("/", "tomoedge.model");
    const auto all = reader.list();
    for (std::size_t i = 0; i < std::min<std::size_t>(all.size(), 8); ++i) {
        const io::DatasetInfo& d = all[i];
        fuzz::expected([&] { (void)reader.string_attribute(d.name, "units"); });
        if (!d.readable) continue;
        if (d.shape.rank() == 0 || small(d.shape, d.shape[0])) fuzz::expected([&] { (void)reader.read(d.name); });
        if (d.shape.rank() > 0 && d.shape[0] > 1 && small(d.shape, 1))
            fuzz::expected([&] { (void)reader.read_slab(d.name, d.shape[0] - 1, 1); });
    }
    // `tomoedge info FILE.h5`: streams every dataset for its range, so only when all are small.
    io::InspectOptions options;
    options.slab_bytes = 1 << 20;
    options.value_range = std::all_of(all.begin(), all.end(), [](const io::DatasetInfo& d) {
        return d.shape.rank() == 0 || small(d.shape, d.shape[0]);
    });
    (void)io::inspect(file.string(), options);
}

void tomogan_layout(const fs::path& file) {
    for (const char* dataset : {"train_ns", "train_gt", "test_ns", "test_gt"}) {
        fuzz::expected([&] {
            io::Hdf5StackReader stack(io::DataPath{file, dataset, io::StackFormat::hdf5});
            const Shape& s = stack.info().shape;
            if (small(s, std::min<std::int64_t>(s[0], 2))) (void)stack.read(0, std::min<std::int64_t>(s[0], 2));
            if (small(Shape{1, 1, s[2]}, 1)) (void)stack.read_rows(s[0] - 1, 1, s[1] / 2, 1);
        });
    }
}

void data_exchange(const fs::path& file) {
    const io::ProjectionInfo info = io::read_projection_info(file);
    const std::int64_t most = std::max({info.angles, info.flats, info.darks});
    if (info.rows > 0 && small(Shape{1, most, info.cols}, 1)) (void)io::read_projections(file, info.rows - 1, 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::setup();
    const fs::path& file = fuzz::write_temp(data, size, ".h5");
    fuzz::expected([&] { any_dataset(file); });
    fuzz::expected([&] { tomogan_layout(file); });
    fuzz::expected([&] { data_exchange(file); });
    return 0;
}
