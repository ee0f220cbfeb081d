#pragma once
// TIFF stacks (libtiff): u8, u16, f32 greyscale; one multi-page file or a folder of single-page
// files in natural order; compressed input (whatever libtiff decodes: LZW, deflate, ...);
// BigTIFF output when the stack would pass 4 GiB.
#include "core/atomic_file.hpp"
#include "core/dtype.hpp"
#include "core/shape.hpp"
#include "io/stack.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tomoedge::io {

/// Folder entries ending in .tif/.tiff, sorted naturally (digit runs compare as numbers).
std::vector<std::filesystem::path> list_tiff_folder(const std::filesystem::path& folder);

/// Natural-order comparison: "img_2" < "img_10".
bool natural_less(const std::string& a, const std::string& b);

class TiffHandle;  // an open libtiff file plus the messages libtiff reported for it

/// A multi-page TIFF file or a folder of single-page files, read page by page (only the pages
/// asked for are decoded). libtiff's own warnings are dropped and its errors become the Error
/// message, so nothing else reaches stderr.
class TiffStackReader final : public StackReader {
public:
    explicit TiffStackReader(const DataPath& path);
    ~TiffStackReader() override;
    const StackInfo& info() const override { return info_; }
    Tensor<float> read(std::int64_t first, std::int64_t count) override;
    Tensor<float> read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) override;
    std::string name() const override { return path_.str(); }
    /// One name per slice: "page K" for a multi-page file, the file name for a folder.
    std::vector<std::string> page_names() const;

private:
    void read_page(std::int64_t page, std::int64_t row, std::int64_t rows, float* out);
    DataPath path_;
    StackInfo info_;
    std::vector<std::filesystem::path> files_;  // folder form
    std::unique_ptr<TiffHandle> file_;           // file form, kept open for sequential pages
};

/// Writes (N, H, W) as one multi-page file or a folder of single-page files named
/// <folder>_00000.tif ... Pages are appended, so write() takes slabs in order and write_rows()
/// bands in order (each strip is encoded once its rows are in: memory is one strip, not a page).
/// BigTIFF is chosen when the uncompressed size estimate passes WriteOptions::bigtiff_above_bytes.
class TiffStackWriter final : public StackWriter {
public:
    TiffStackWriter(const DataPath& path, const Shape& shape, const WriteOptions& options);
    ~TiffStackWriter() override;
    void write(std::int64_t first, const Tensor<float>& slices) override;
    void write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) override;
    void commit() override;
    bool bigtiff() const { return bigtiff_; }

private:
    void begin_page(std::int64_t index);
    void put_rows(const float* pixels, std::int64_t rows);  // the next rows of the open page
    TiffHandle& page_file() { return file_ != nullptr ? *file_ : *page_file_; }
    AtomicFile atomic_;  // first member: destroyed last, after the open file is closed
    DataPath path_;
    Shape shape_;
    WriteOptions options_;
    bool bigtiff_ = false;
    std::int64_t next_ = 0;       // the slice being written (or the next one)
    std::int64_t rows_done_ = 0;  // rows of slice next_ written so far
    std::uint32_t rows_per_strip_ = 1;
    std::vector<std::byte> strip_;  // rows of the current strip, converted, not yet encoded
    std::unique_ptr<TiffHandle> file_;       // file form: the one multi-page file
    std::unique_ptr<TiffHandle> page_file_;  // folder form: the page being written
};

}  // namespace tomoedge::io
