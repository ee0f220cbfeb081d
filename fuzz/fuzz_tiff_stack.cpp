// TIFF stack reader on fuzzed bytes: the file form (multi-page, strips or tiles, any libtiff
// compression) and the folder form (one single-page file), pages and row bands, and `info`.
#include "fuzz_support.hpp"

#include "io/inspect.hpp"
#include "io/tiff.hpp"

#include <algorithm>
#include <fstream>

namespace {
using namespace tomoedge;
namespace fs = std::filesystem;

void read_stack(io::TiffStackReader& stack) {
    (void)stack.page_names();
    const Shape& s = stack.info().shape;
    const std::int64_t pages = std::min<std::int64_t>(s[0], 4);
    if (s[1] * s[2] > fuzz::max_read_elements) return;  // both at most 2^32: no overflow
    for (std::int64_t k = 0; k < pages; ++k) fuzz::expected([&] { (void)stack.read(k, 1); });
    // A band from the middle: the strip or tile arithmetic for a row range that starts inside one.
    fuzz::expected([&] { (void)stack.read_rows(s[0] - 1, 1, s[1] / 2, std::max<std::int64_t>(s[1] / 3, 1)); });
}

void file_form(const fs::path& file) {
    io::TiffStackReader stack(io::DataPath{file, "", io::StackFormat::tiff_file});
    read_stack(stack);
    io::InspectOptions options;
    options.pages = true;
    options.slab_bytes = 1 << 20;
    const Shape& s = stack.info().shape;
    options.value_range = s[1] * s[2] <= fuzz::max_read_elements && s[0] <= 16;
    (void)io::inspect(file.string(), options);
}

void folder_form(const fs::path& folder, const std::uint8_t* data, std::size_t size) {
    fs::create_directories(folder);
    const fs::path page = folder / "page_1.tif";
    {
        std::ofstream out(page, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    io::TiffStackReader stack(io::DataPath{folder, "", io::StackFormat::tiff_folder});
    read_stack(stack);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::setup();
    const fs::path& file = fuzz::write_temp(data, size, ".tif");
    fuzz::expected([&] { file_form(file); });
    fuzz::expected([&] { folder_form(fuzz::temp_path(".d"), data, size); });
    return 0;
}
