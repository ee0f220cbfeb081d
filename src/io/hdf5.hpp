#pragma once
// HDF5 access (libhdf5 C API): any dataset path, any rank, u8/s8/u16/s32/f32 (and f64, u32, s16
// on read), read into float32; slabs along the first axis; chunked, optionally deflated output;
// whole-file atomic writes.
#include "core/atomic_file.hpp"
#include "core/dtype.hpp"
#include "core/shape.hpp"
#include "core/tensor.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::io {

struct DatasetInfo {
    std::string name;  // full path inside the file, e.g. "/exchange/data"
    Shape shape;
    DType dtype = DType::f32;   // the nearest DType; `type_name` says what the file holds
    std::string type_name;      // "u8", "u16", "f32", "f64", ...
    bool readable = true;       // false for types we do not read as pixels (s64, strings, compounds)
};

/// An open HDF5 file for reading. Errors name the file (and dataset). Reads convert to float32
/// (libhdf5 converts on the fly) and reject NaN/Inf, naming the slice. Not thread-safe: Debian's
/// libhdf5 is built without its global lock, so use one reader per file from one thread.
class Hdf5Reader {
public:
    explicit Hdf5Reader(const std::filesystem::path& file);
    ~Hdf5Reader();
    Hdf5Reader(const Hdf5Reader&) = delete;
    Hdf5Reader& operator=(const Hdf5Reader&) = delete;

    const std::filesystem::path& file() const { return file_; }
    bool has(const std::string& dataset) const;
    std::vector<DatasetInfo> list() const;  // every dataset, recursively
    DatasetInfo info(const std::string& dataset) const;

    Tensor<float> read(const std::string& dataset) const;
    /// Rows [first, first + count) of the first axis.
    Tensor<float> read_slab(const std::string& dataset, std::int64_t first, std::int64_t count) const;
    /// A general hyperslab: `start` and `count` have the dataset's rank.
    Tensor<float> read_hyperslab(const std::string& dataset, const std::vector<std::int64_t>& start,
                                 const std::vector<std::int64_t>& count) const;
    /// String attribute of the file root (or of a dataset), if present.
    std::optional<std::string> string_attribute(const std::string& object, const std::string& key) const;

    /// "file.h5:/dataset": how messages name a dataset.
    std::string describe(const std::string& dataset) const;

private:
    std::int64_t open_dataset(const std::string& dataset) const;  // hid_t; the caller closes it
    std::filesystem::path file_;
    std::int64_t handle_ = -1;  // hid_t
};

struct DatasetOptions {
    DType dtype = DType::f32;
    std::int64_t chunk_rows = 1;  // chunk = (chunk_rows, rest of the shape), for slab access
    int deflate_level = 0;        // 0 = none
    std::int64_t chunk_height = 0;  // rank >= 3: rows of the second axis per chunk (0 = all), for row writes
};

/// Writes a new HDF5 file atomically: everything goes to a temporary file, commit() renames it
/// onto the target (replacing any old file). Groups in dataset names ("/exchange/data") are
/// created as needed.
class Hdf5Writer {
public:
    explicit Hdf5Writer(const std::filesystem::path& target);
    ~Hdf5Writer();
    Hdf5Writer(const Hdf5Writer&) = delete;
    Hdf5Writer& operator=(const Hdf5Writer&) = delete;

    void create(const std::string& dataset, const Shape& shape, const DatasetOptions& options = {});
    /// Writes rows [first, first + data.dim(0)) of the first axis, converting from float32 a few
    /// MiB at a time (no buffer as large as `data`).
    void write_slab(const std::string& dataset, std::int64_t first, const Tensor<float>& data);
    /// Rank >= 3: writes data (n, rows, rest of the shape) at [first, first + n) x [row, row + rows)
    /// of the first two axes (part of each slice: a band of tile rows), as write_slab converts.
    void write_rows(const std::string& dataset, std::int64_t first, std::int64_t row, const Tensor<float>& data);
    /// create() + write_slab(0, ...).
    void write(const std::string& dataset, const Tensor<float>& data, const DatasetOptions& options = {});
    void set_string_attribute(const std::string& object, const std::string& key, const std::string& value);
    /// Throws if any row of a created dataset was never written.
    void commit();

private:
    struct Created {
        Shape shape;
        DType dtype;
        std::vector<bool> written;  // per row of the first axis (rank >= 3: per row of the first two)
    };
    Created& created(const std::string& dataset);
    AtomicFile atomic_;
    std::int64_t handle_ = -1;  // hid_t
    std::map<std::string, Created> datasets_;
};

/// "/a/b" for "a/b" or "/a/b": the absolute name HDF5 lists datasets under.
std::string absolute_dataset_name(const std::string& dataset);

}  // namespace tomoedge::io
