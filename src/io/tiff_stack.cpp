#include "io/tiff.hpp"

#include "core/checks.hpp"
#include "core/error.hpp"
#include "core/memory_limit.hpp"
#include "io/pixels.hpp"
#include "io/tiff_handle.hpp"

#include <algorithm>
#include <limits>
#include <vector>

namespace tomoedge::io {
namespace fs = std::filesystem;
namespace {

std::string page_where(const DataPath& path, std::int64_t page) { return fmt::format("{}: page {}", path.str(), page); }

void require_same(const PageFormat& a, const PageFormat& b, const std::string& where) {
    if (a.width != b.width || a.height != b.height || a.dtype != b.dtype)
        fail("{}: is {} x {} {}, unlike the first page ({} x {} {}); a stack needs equal pages", where, b.height,
             b.width, dtype_name(b.dtype), a.height, a.width, dtype_name(a.dtype));
}

}  // namespace

// ---- reading -------------------------------------------------------------------------------

TiffStackReader::TiffStackReader(const DataPath& path) : path_(path) {
    std::error_code ec;
    PageFormat first;
    std::int64_t pages = 0;
    if (path.format == StackFormat::tiff_folder) {
        files_ = list_tiff_folder(path.file);
        if (files_.empty()) fail("{}: the folder holds no .tif/.tiff files", path.str());
        // Headers only (no pixels): every file must hold one page of the same size and type.
        for (std::size_t i = 0; i < files_.size(); ++i) {
            const std::string where = files_[i].string();
            TiffHandle tiff(files_[i], "r", where);
            const PageFormat f = page_format(tiff, where);
            if (i == 0) first = f;
            else require_same(first, f, where);
            require_complete_directory(tiff, files_[i], where);
            if (TIFFLastDirectory(tiff.get()) == 0)
                fail("{}: has several pages; a folder stack needs single-page files", where);
        }
        pages = static_cast<std::int64_t>(files_.size());
    } else {
        if (!fs::exists(path.file, ec)) fail("{}: no such file", path.str());
        if (fs::is_directory(path.file, ec)) fail("{}: is a folder; name it as {}/", path.str(), path.str());
        file_ = std::make_unique<TiffHandle>(path.file, "r", path.str());
        first = page_format(*file_, page_where(path, 0));
        pages = 1;
        // Walk the directory chain once (tags only) so a damaged or inconsistent page fails here.
        while (TIFFLastDirectory(file_->get()) == 0) {
            if (TIFFReadDirectory(file_->get()) != 1) {
                const std::string e = file_->take_error();
                fail("{}: cannot read the TIFF directory (truncated or damaged?): {}", page_where(path, pages),
                     e.empty() ? "libtiff error" : e);
            }
            const std::string where = page_where(path, pages);
            require_same(first, page_format(*file_, where), where);
            ++pages;
        }
        require_complete_directory(*file_, path.file, page_where(path, pages - 1));
        if (TIFFSetDirectory(file_->get(), 0) != 1) fail("{}: cannot return to the first page", path.str());
    }
    info_.shape = Shape{pages, first.height, first.width};
    info_.dtype = first.dtype;
}

TiffStackReader::~TiffStackReader() = default;

std::vector<std::string> TiffStackReader::page_names() const {
    std::vector<std::string> names;
    for (std::int64_t k = 0; k < info_.shape[0]; ++k)
        names.push_back(files_.empty() ? fmt::format("page {}", k) : files_[static_cast<std::size_t>(k)].filename().string());
    return names;
}

void TiffStackReader::read_page(std::int64_t page, std::int64_t row, std::int64_t rows, float* out) {
    const auto r0 = static_cast<std::uint32_t>(row), n = static_cast<std::uint32_t>(rows);
    if (!files_.empty()) {
        const fs::path& file = files_[static_cast<std::size_t>(page)];
        const std::string where = file.string();
        TiffHandle tiff(file, "r", where);
        const PageFormat f = page_format(tiff, where);
        require_same(PageFormat{static_cast<std::uint32_t>(info_.shape[2]), static_cast<std::uint32_t>(info_.shape[1]),
                                info_.dtype},
                     f, where);
        read_page_rows(tiff, f, r0, n, out, where);
        return;
    }
    const std::string where = page_where(path_, page);
    TIFF* tif = file_->get();
    const auto current = static_cast<std::int64_t>(TIFFCurrentDirectory(tif));
    // Sequential reads step to the next directory; anything else seeks.
    const bool ok = current == page || (current + 1 == page ? TIFFReadDirectory(tif) == 1
                                                            : TIFFSetDirectory(tif, static_cast<tdir_t>(page)) == 1);
    if (!ok) fail("{}: cannot read the TIFF directory: {}", where, file_->take_error());
    read_page_rows(*file_, page_format(*file_, where), r0, n, out, where);
}

Tensor<float> TiffStackReader::read(std::int64_t first, std::int64_t count) {
    return read_rows(first, count, 0, info_.shape[1]);
}

Tensor<float> TiffStackReader::read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) {
    if (first < 0 || count < 0 || first + count > info_.shape[0])
        fail("{}: slices {}..{} are outside the stack of {}", name(), first, first + count, info_.shape[0]);
    if (row < 0 || rows < 0 || row + rows > info_.shape[1])
        fail("{}: rows {}..{} are outside the slices' {} rows", name(), row, row + rows, info_.shape[1]);
    // Sizes from the header: refuse what cannot fit before allocating, naming the file.
    const Shape shape{count, rows, info_.shape[2]};
    check_allocation(shape.numel(), sizeof(float), fmt::format("{}: {} slice(s) of {} x {}", name(), count, rows, shape[2]));
    Tensor<float> out(shape);
    if (rows == 0) return out;
    for (std::int64_t k = 0; k < count; ++k) {
        read_page(first + k, row, rows, out.outer(k));
        require_finite({out.outer(k), static_cast<std::size_t>(out.outer_stride())},
                       files_.empty() ? page_where(path_, first + k) : files_[static_cast<std::size_t>(first + k)].string());
    }
    return out;
}

// ---- writing -------------------------------------------------------------------------------

TiffStackWriter::TiffStackWriter(const DataPath& path, const Shape& shape, const WriteOptions& options)
    : atomic_(path.file), path_(path), shape_(shape), options_(options) {
    if (shape.rank() != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1)
        fail("{}: cannot write shape {} as a TIFF stack (need N, H, W >= 1)", path.str(), shape.str());
    constexpr auto max_side = static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max());
    if (shape[1] > max_side || shape[2] > max_side) fail("{}: image {} is too large for TIFF", path.str(), shape.str());
    if (options.dtype != DType::u8 && options.dtype != DType::u16 && options.dtype != DType::f32)
        fail("{}: TIFF output supports u8, u16 or f32, not {}", path.str(), dtype_name(options.dtype));
    if (options.deflate_level < 0 || options.deflate_level > 9)
        fail("{}: deflate level {} is outside 0..9", path.str(), options.deflate_level);

    // Estimate the largest single file: pixels plus a generous allowance for tags and strip tables.
    const std::uint64_t page_bytes = static_cast<std::uint64_t>(shape[1]) * static_cast<std::uint64_t>(shape[2]) *
                                         dtype_size(options.dtype) + 4096 + 16 * static_cast<std::uint64_t>(shape[1]);
    const std::uint64_t file_pages = path.format == StackFormat::tiff_folder ? 1 : static_cast<std::uint64_t>(shape[0]);
    bigtiff_ = page_bytes * file_pages > options.bigtiff_above_bytes;

    if (path.format == StackFormat::tiff_folder) {
        std::error_code ec;
        fs::create_directory(atomic_.temp_path(), ec);
        if (ec) fail("{}: cannot create a temporary folder: {}", path.str(), ec.message());
    } else {
        file_ = std::make_unique<TiffHandle>(atomic_.temp_path(), bigtiff_ ? "w8" : "w", path.str());
    }
}

TiffStackWriter::~TiffStackWriter() = default;

void TiffStackWriter::begin_page(std::int64_t index) {
    if (file_ == nullptr) {
        // Zero-padded so that plain sorting agrees with natural sorting.
        const std::string stem = path_.file.filename().empty() ? "slice" : path_.file.filename().string();
        const int digits = std::max<int>(5, static_cast<int>(std::to_string(shape_[0] - 1).size()));
        const fs::path file = atomic_.temp_path() / fmt::format("{}_{:0{}d}.tif", stem, index, digits);
        page_file_ = std::make_unique<TiffHandle>(file, bigtiff_ ? "w8" : "w", (path_.file / file.filename()).string());
    }
    TIFF* tif = page_file().get();
    const auto width = static_cast<std::uint32_t>(shape_[2]), height = static_cast<std::uint32_t>(shape_[1]);
    const std::size_t row_bytes = static_cast<std::size_t>(width) * dtype_size(options_.dtype);
    const bool is_float = options_.dtype == DType::f32;
    // Strips of about 256 KiB: small enough to stream, large enough for deflate to work well.
    rows_per_strip_ = static_cast<std::uint32_t>(std::clamp<std::size_t>((std::size_t{256} << 10) / row_bytes, 1, height));
    strip_.clear();
    strip_.reserve(rows_per_strip_ * row_bytes);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(8 * dtype_size(options_.dtype)));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, std::uint16_t{1});
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, is_float ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip_);
    if (options_.deflate_level > 0) {
        TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
        TIFFSetField(tif, TIFFTAG_ZIPQUALITY, options_.deflate_level);
        TIFFSetField(tif, TIFFTAG_PREDICTOR, is_float ? PREDICTOR_FLOATINGPOINT : PREDICTOR_HORIZONTAL);
    } else {
        TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    }
    if (path_.format == StackFormat::tiff_file && shape_[0] > 1) {
        TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
        if (shape_[0] <= 65535)
            TIFFSetField(tif, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(index), static_cast<std::uint16_t>(shape_[0]));
    }
}

void TiffStackWriter::put_rows(const float* pixels, std::int64_t rows) {
    TiffHandle& tiff = page_file();
    const std::string where = page_where(path_, next_);
    const std::int64_t height = shape_[1], width = shape_[2];
    const std::size_t row_bytes = static_cast<std::size_t>(width) * dtype_size(options_.dtype);
    for (std::int64_t r = 0; r < rows;) {
        // Fill the current strip with as many rows as it still takes, then encode it when full.
        const std::int64_t in_strip = static_cast<std::int64_t>(strip_.size() / row_bytes);
        const std::int64_t strip_rows = std::min<std::int64_t>(rows_per_strip_, height - (rows_done_ - in_strip));
        const std::int64_t n = std::min(rows - r, strip_rows - in_strip);
        const std::size_t old = strip_.size();
        strip_.resize(old + static_cast<std::size_t>(n) * row_bytes);
        convert_from_float({pixels + r * width, static_cast<std::size_t>(n * width)}, options_.dtype, strip_.data() + old,
                           where);
        r += n;
        rows_done_ += n;
        if (in_strip + n == strip_rows) {
            const auto strip = static_cast<std::uint32_t>((rows_done_ - 1) / rows_per_strip_);
            if (TIFFWriteEncodedStrip(tiff.get(), strip, strip_.data(), static_cast<tmsize_t>(strip_.size())) < 0)
                fail("{}: cannot write: {}", where, tiff.take_error());
            strip_.clear();
        }
    }
    if (rows_done_ == height) {
        if (TIFFWriteDirectory(tiff.get()) != 1) fail("{}: cannot write the TIFF directory: {}", where, tiff.take_error());
        if (page_file_ != nullptr) {
            page_file_->close();
            page_file_.reset();
        }
        ++next_;
        rows_done_ = 0;
    }
}

void TiffStackWriter::write(std::int64_t first, const Tensor<float>& slices) {
    if (slices.rank() != 3 || slices.dim(1) != shape_[1] || slices.dim(2) != shape_[2] || first < 0 ||
        first + slices.dim(0) > shape_[0])
        fail("{}: slab {} at slice {} does not fit the stack shape {}", path_.str(), slices.shape().str(), first,
             shape_.str());
    if (first != next_ || rows_done_ != 0)
        fail("{}: TIFF pages are appended in order: expected slice {}, got {}", path_.str(), next_, first);
    for (std::int64_t k = 0; k < slices.dim(0); ++k) {
        begin_page(first + k);
        put_rows(slices.outer(k), shape_[1]);
    }
}

void TiffStackWriter::write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) {
    if (rows.rank() != 3 || rows.dim(0) != 1 || rows.dim(2) != shape_[2] || slice < 0 || slice >= shape_[0] || row < 0 ||
        row + rows.dim(1) > shape_[1])
        fail("{}: rows {} at slice {} row {} do not fit the stack shape {}", path_.str(), rows.shape().str(), slice, row,
             shape_.str());
    if (slice != next_ || row != rows_done_)
        fail("{}: TIFF rows are appended in order: expected slice {} row {}, got slice {} row {}", path_.str(), next_,
             rows_done_, slice, row);
    if (rows.dim(1) == 0) return;
    if (rows_done_ == 0) begin_page(slice);
    put_rows(rows.data(), rows.dim(1));
}

void TiffStackWriter::commit() {
    if (next_ != shape_[0])
        fail("{}: only {} of {} slices were written{}", path_.str(), next_, shape_[0],
             rows_done_ > 0 ? fmt::format(" (and {} rows of the next)", rows_done_) : "");
    if (file_ != nullptr) file_->close();
    atomic_.commit();
}

}  // namespace tomoedge::io
