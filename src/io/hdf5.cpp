#include "io/hdf5.hpp"

#include "core/checks.hpp"
#include "core/error.hpp"
#include "core/memory_limit.hpp"
#include "io/pixels.hpp"

#include <hdf5.h>

#include <algorithm>
#include <mutex>

namespace tomoedge::io {
namespace fs = std::filesystem;
namespace {

// libhdf5 prints its whole error stack to stderr by default; we report one line ourselves.
void silence_hdf5() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

// The innermost (most specific) message on the HDF5 error stack, e.g. "truncated file: eof = ...".
std::string hdf5_detail() {
    std::string detail;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_DOWNWARD,
        [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
            if (e->desc != nullptr && e->desc[0] != '\0') *static_cast<std::string*>(data) = e->desc;
            return 0;
        },
        &detail);
    H5Eclear2(H5E_DEFAULT);
    return detail.empty() ? "libhdf5 error" : detail;
}

// Owns one HDF5 identifier.
class Id {
public:
    Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Id() {
        if (id_ >= 0) close_(id_);
    }
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    hid_t get() const { return id_; }
    bool ok() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

struct TypeInfo {
    std::string name;
    DType nearest = DType::f32;
    bool readable = false;
};

TypeInfo classify(hid_t type) {
    const H5T_class_t cls = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    if (cls == H5T_INTEGER) {
        const bool sign = H5Tget_sign(type) == H5T_SGN_2;
        switch (size) {
            case 1: return sign ? TypeInfo{"s8", DType::s8, true} : TypeInfo{"u8", DType::u8, true};
            case 2: return sign ? TypeInfo{"s16", DType::s32, true} : TypeInfo{"u16", DType::u16, true};
            case 4: return sign ? TypeInfo{"s32", DType::s32, true} : TypeInfo{"u32", DType::f32, true};
            default: return {sign ? "s64" : "u64", DType::f32, false};
        }
    }
    if (cls == H5T_FLOAT) {
        if (size == 4) return {"f32", DType::f32, true};
        if (size == 8) return {"f64", DType::f32, true};
        return {fmt::format("f{}", size * 8), DType::f32, false};
    }
    switch (cls) {
        case H5T_STRING: return {"string", DType::f32, false};
        case H5T_COMPOUND: return {"compound", DType::f32, false};
        case H5T_ENUM: return {"enum", DType::f32, false};
        case H5T_ARRAY: return {"array", DType::f32, false};
        case H5T_VLEN: return {"vlen", DType::f32, false};
        case H5T_OPAQUE: return {"opaque", DType::f32, false};
        case H5T_REFERENCE: return {"reference", DType::f32, false};
        case H5T_BITFIELD: return {"bitfield", DType::f32, false};
        default: return {"unknown", DType::f32, false};
    }
}

hid_t file_type(DType t) {
    switch (t) {
        case DType::u8: return H5T_STD_U8LE;
        case DType::s8: return H5T_STD_I8LE;
        case DType::u16: return H5T_STD_U16LE;
        case DType::s32: return H5T_STD_I32LE;
        case DType::f32: return H5T_IEEE_F32LE;
    }
    return H5T_IEEE_F32LE;
}

hid_t memory_type(DType t) {
    switch (t) {
        case DType::u8: return H5T_NATIVE_UINT8;
        case DType::s8: return H5T_NATIVE_INT8;
        case DType::u16: return H5T_NATIVE_UINT16;
        case DType::s32: return H5T_NATIVE_INT32;
        case DType::f32: return H5T_NATIVE_FLOAT;
    }
    return H5T_NATIVE_FLOAT;
}

std::vector<std::int64_t> dims_of(hid_t space) {
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return {dims.begin(), dims.end()};
}

std::string list_for_message(const std::vector<DatasetInfo>& all) {
    if (all.empty()) return "the file holds no datasets";
    std::string text = "datasets in the file:";
    const std::size_t shown = std::min<std::size_t>(all.size(), 12);
    for (std::size_t i = 0; i < shown; ++i)
        text += fmt::format("{} {} {} {}", i == 0 ? "" : ",", all[i].name, all[i].shape.str(), all[i].type_name);
    if (all.size() > shown) text += fmt::format(", ... ({} more)", all.size() - shown);
    return text;
}

std::string object_name(const std::string& object) { return object.empty() ? "/" : object; }

// libhdf5 holds a whole chunk in memory to read any part of it, and chunk dimensions come from the
// file: check them as our own allocations are checked (found by fuzzing: a 4 GiB chunk).
void check_chunk_size(hid_t ds, hid_t type, const std::string& where) {
    Id plist(H5Dget_create_plist(ds), H5Pclose);
    if (!plist.ok() || H5Pget_layout(plist.get()) != H5D_CHUNKED) return;
    std::vector<hsize_t> chunk(H5S_MAX_RANK, 0);
    const int rank = H5Pget_chunk(plist.get(), H5S_MAX_RANK, chunk.data());
    constexpr hsize_t most = hsize_t{1} << 62;  // saturate: a damaged file may claim anything
    hsize_t values = 1;
    for (int a = 0; a < rank; ++a) {
        const hsize_t d = chunk[static_cast<std::size_t>(a)];
        values = d != 0 && values > most / d ? most : values * d;
    }
    check_allocation(static_cast<std::int64_t>(values), std::max<std::size_t>(H5Tget_size(type), 1), fmt::format("{}: one chunk", where));
}

}  // namespace

std::string absolute_dataset_name(const std::string& dataset) {
    return !dataset.empty() && dataset.front() == '/' ? dataset : "/" + dataset;
}

// ---- reading -------------------------------------------------------------------------------

Hdf5Reader::Hdf5Reader(const fs::path& file) : file_(file) {
    silence_hdf5();
    std::error_code ec;
    if (!fs::exists(file, ec)) fail("{}: no such file", file.string());
    if (fs::is_directory(file, ec)) fail("{}: is a folder, not an HDF5 file", file.string());
    const htri_t is_hdf5 = H5Fis_hdf5(file.string().c_str());
    if (is_hdf5 <= 0) {
        if (is_hdf5 < 0) fail("{}: cannot read: {}", file.string(), hdf5_detail());
        fail("{}: not an HDF5 file", file.string());
    }
    handle_ = H5Fopen(file.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (handle_ < 0) fail("{}: cannot open HDF5 file (truncated or damaged?): {}", file.string(), hdf5_detail());
}

Hdf5Reader::~Hdf5Reader() {
    if (handle_ >= 0) H5Fclose(handle_);
}

std::string Hdf5Reader::describe(const std::string& dataset) const {
    return file_.string() + ":" + absolute_dataset_name(dataset);
}

bool Hdf5Reader::has(const std::string& dataset) const {
    const std::string name = absolute_dataset_name(dataset);
    if (name == "/") return false;
    // H5Lexists needs every parent group to exist, so walk the path one link at a time.
    for (std::size_t slash = name.find('/', 1);; slash = name.find('/', slash + 1)) {
        const std::string prefix = name.substr(0, slash);
        if (H5Lexists(handle_, prefix.c_str(), H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
        if (slash == std::string::npos) break;
    }
    Id object(H5Oopen(handle_, name.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.ok()) {
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    return H5Iget_type(object.get()) == H5I_DATASET;
}

std::int64_t Hdf5Reader::open_dataset(const std::string& dataset) const {
    if (dataset.empty()) fail("{}: no dataset named; name one as {}:DATASET ({})", file_.string(), file_.string(),
                              list_for_message(list()));
    if (!has(dataset)) fail("{}: no such dataset ({})", describe(dataset), list_for_message(list()));
    const hid_t id = H5Dopen2(handle_, absolute_dataset_name(dataset).c_str(), H5P_DEFAULT);
    if (id < 0) fail("{}: cannot open dataset: {}", describe(dataset), hdf5_detail());
    return id;
}

std::vector<DatasetInfo> Hdf5Reader::list() const {
    struct Visit {
        const Hdf5Reader* self;
        std::vector<std::string> names;
    } visit{this, {}};
    H5Lvisit(
        handle_, H5_INDEX_NAME, H5_ITER_INC,
        [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
            Id object(H5Oopen(group, name, H5P_DEFAULT), H5Oclose);
            if (object.ok() && H5Iget_type(object.get()) == H5I_DATASET)
                static_cast<Visit*>(data)->names.push_back(absolute_dataset_name(name));
            return 0;
        },
        &visit);
    H5Eclear2(H5E_DEFAULT);
    std::vector<DatasetInfo> all;
    for (const auto& name : visit.names) all.push_back(info(name));
    return all;
}

DatasetInfo Hdf5Reader::info(const std::string& dataset) const {
    Id ds(open_dataset(dataset), H5Dclose);
    Id space(H5Dget_space(ds.get()), H5Sclose);
    Id type(H5Dget_type(ds.get()), H5Tclose);
    if (!space.ok() || !type.ok()) fail("{}: cannot read its header: {}", describe(dataset), hdf5_detail());
    const TypeInfo t = classify(type.get());
    return {absolute_dataset_name(dataset), Shape(dims_of(space.get())), t.nearest, t.name, t.readable};
}

Tensor<float> Hdf5Reader::read(const std::string& dataset) const {
    const DatasetInfo i = info(dataset);
    return read_hyperslab(dataset, std::vector<std::int64_t>(i.shape.rank(), 0), i.shape.dims());
}

Tensor<float> Hdf5Reader::read_slab(const std::string& dataset, std::int64_t first, std::int64_t count) const {
    const DatasetInfo i = info(dataset);
    if (i.shape.rank() == 0) fail("{}: is a scalar; it has no slices", describe(dataset));
    std::vector<std::int64_t> start(i.shape.rank(), 0), extent = i.shape.dims();
    start[0] = first;
    extent[0] = count;
    return read_hyperslab(dataset, start, extent);
}

Tensor<float> Hdf5Reader::read_hyperslab(const std::string& dataset, const std::vector<std::int64_t>& start,
                                         const std::vector<std::int64_t>& count) const {
    Id ds(open_dataset(dataset), H5Dclose);
    Id space(H5Dget_space(ds.get()), H5Sclose);
    Id type(H5Dget_type(ds.get()), H5Tclose);
    if (!space.ok() || !type.ok()) fail("{}: cannot read its header: {}", describe(dataset), hdf5_detail());
    const TypeInfo t = classify(type.get());
    if (!t.readable)
        fail("{}: unsupported dtype {} (readable: u8, s8, u16, s16, u32, s32, f32, f64)", describe(dataset), t.name);
    const std::vector<std::int64_t> dims = dims_of(space.get());
    if (start.size() != dims.size() || count.size() != dims.size())
        fail("{}: hyperslab of rank {} for a dataset of rank {}", describe(dataset), start.size(), dims.size());
    for (std::size_t a = 0; a < dims.size(); ++a) {
        if (start[a] < 0 || count[a] < 0 || start[a] + count[a] > dims[a])
            fail("{}: range {}..{} of axis {} is outside its extent {}", describe(dataset), start[a],
                 start[a] + count[a], a, dims[a]);
    }
    // Extents come from the file: refuse what cannot fit before allocating, naming the dataset.
    const Shape out_shape(count);
    check_allocation(out_shape.numel(), sizeof(float), fmt::format("{}: reading {}", describe(dataset), out_shape.str()));
    check_chunk_size(ds.get(), type.get(), describe(dataset));
    Tensor<float> out{out_shape};
    if (out.size() == 0) return out;
    std::vector<hsize_t> hstart(start.begin(), start.end()), hcount(count.begin(), count.end());
    if (!dims.empty() &&
        H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, hstart.data(), nullptr, hcount.data(), nullptr) < 0)
        fail("{}: cannot select the hyperslab: {}", describe(dataset), hdf5_detail());
    Id memory(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(hcount.size()), hcount.data(), nullptr),
              H5Sclose);
    if (H5Dread(ds.get(), H5T_NATIVE_FLOAT, memory.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
        fail("{}: cannot read (truncated or damaged file?): {}", describe(dataset), hdf5_detail());

    // Name the slice (index along the first axis) that holds a bad pixel.
    if (dims.empty()) {
        require_finite(out.span(), describe(dataset));
    } else {
        const std::int64_t stride = out.outer_stride();
        for (std::int64_t k = 0; k < count[0]; ++k)
            require_finite({out.outer(k), static_cast<std::size_t>(stride)},
                           fmt::format("{}: slice {}", describe(dataset), start[0] + k));
    }
    return out;
}

std::optional<std::string> Hdf5Reader::string_attribute(const std::string& object, const std::string& key) const {
    const std::string obj = object_name(object);
    if (obj != "/" && !has(obj) && H5Lexists(handle_, obj.c_str(), H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return std::nullopt;
    }
    if (H5Aexists_by_name(handle_, obj.c_str(), key.c_str(), H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return std::nullopt;
    }
    Id attr(H5Aopen_by_name(handle_, obj.c_str(), key.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    Id type(H5Aget_type(attr.get()), H5Tclose);
    if (!attr.ok() || !type.ok()) fail("{}: cannot open attribute {}: {}", file_.string(), key, hdf5_detail());
    if (H5Tget_class(type.get()) != H5T_STRING)
        fail("{}: attribute {} of {} is not a string", file_.string(), key, obj);
    if (H5Tis_variable_str(type.get()) > 0) {
        Id memory(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(memory.get(), H5T_VARIABLE);
        char* text = nullptr;
        if (H5Aread(attr.get(), memory.get(), &text) < 0)
            fail("{}: cannot read attribute {}: {}", file_.string(), key, hdf5_detail());
        std::string value = text != nullptr ? text : "";
        H5free_memory(text);
        return value;
    }
    const std::size_t size = H5Tget_size(type.get());
    std::string buffer(size, '\0');
    if (H5Aread(attr.get(), type.get(), buffer.data()) < 0)
        fail("{}: cannot read attribute {}: {}", file_.string(), key, hdf5_detail());
    buffer.resize(std::min(buffer.find('\0'), buffer.size()));
    return buffer;
}

// ---- writing -------------------------------------------------------------------------------

Hdf5Writer::Hdf5Writer(const fs::path& target) : atomic_(target) {
    silence_hdf5();
    handle_ = H5Fcreate(atomic_.temp_path().string().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (handle_ < 0) fail("{}: cannot create HDF5 file: {}", target.string(), hdf5_detail());
}

Hdf5Writer::~Hdf5Writer() {
    if (handle_ >= 0) H5Fclose(handle_);
    // atomic_ (destroyed after this body) removes the temporary file if commit() never ran.
}

Hdf5Writer::Created& Hdf5Writer::created(const std::string& dataset) {
    const auto it = datasets_.find(absolute_dataset_name(dataset));
    if (it == datasets_.end())
        fail("{}:{}: write before create()", atomic_.target().string(), absolute_dataset_name(dataset));
    return it->second;
}

void Hdf5Writer::create(const std::string& dataset, const Shape& shape, const DatasetOptions& options) {
    const std::string name = absolute_dataset_name(dataset);
    const std::string where = atomic_.target().string() + ":" + name;
    if (handle_ < 0) fail("{}: writer already committed", where);
    if (name == "/") fail("{}: empty dataset name", atomic_.target().string());
    if (datasets_.count(name) != 0) fail("{}: dataset created twice", where);
    if (options.deflate_level < 0 || options.deflate_level > 9)
        fail("{}: deflate level {} is outside 0..9", where, options.deflate_level);
    (void)shape.numel();  // rejects overflowing shapes

    Id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    const std::size_t rank = shape.rank();
    std::vector<hsize_t> dims(shape.dims().begin(), shape.dims().end());
    const bool chunked = rank > 0 && shape.numel() > 0 && (options.chunk_rows > 0 || options.deflate_level > 0);
    if (chunked) {
        std::vector<hsize_t> chunk = dims;
        chunk[0] = static_cast<hsize_t>(std::clamp<std::int64_t>(options.chunk_rows, 1, shape[0]));
        if (rank >= 3 && options.chunk_height > 0)
            chunk[1] = static_cast<hsize_t>(std::clamp<std::int64_t>(options.chunk_height, 1, shape[1]));
        // HDF5 chunks must stay under 4 GiB: halve the outermost extent above 1 until one fits.
        const auto chunk_bytes = [&] {
            hsize_t n = dtype_size(options.dtype);
            for (auto c : chunk) n *= c;
            return n;
        };
        for (std::size_t a = 0; a < rank && chunk_bytes() >= (hsize_t{1} << 32);)
            if (chunk[a] > 1) chunk[a] = (chunk[a] + 1) / 2;
            else ++a;
        H5Pset_chunk(dcpl.get(), static_cast<int>(rank), chunk.data());
        if (options.deflate_level > 0) {
            if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) fail("{}: this libhdf5 has no deflate filter", where);
            H5Pset_shuffle(dcpl.get());  // byte shuffling makes u16/f32 compress much better
            H5Pset_deflate(dcpl.get(), static_cast<unsigned>(options.deflate_level));
        }
    }
    Id space(rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(rank), dims.data(), nullptr),
             H5Sclose);
    Id ds(H5Dcreate2(handle_, name.c_str(), file_type(options.dtype), space.get(), lcpl.get(), dcpl.get(),
                     H5P_DEFAULT),
          H5Dclose);
    if (!ds.ok()) fail("{}: cannot create dataset: {}", where, hdf5_detail());
    const std::int64_t rows = rank == 0 ? 1 : rank >= 3 ? shape[0] * shape[1] : shape[0];
    datasets_[name] = Created{shape, options.dtype, std::vector<bool>(static_cast<std::size_t>(rows), false)};
}

void Hdf5Writer::write_slab(const std::string& dataset, std::int64_t first, const Tensor<float>& data) {
    const Created& c = created(dataset);
    if (c.shape.rank() >= 3 && data.rank() == c.shape.rank() && data.dim(1) != c.shape[1])
        fail("{}:{}: slab {} at row {} does not fit the dataset shape {}", atomic_.target().string(),
             absolute_dataset_name(dataset), data.shape().str(), first, c.shape.str());
    write_rows(dataset, first, 0, data);
}

namespace {

// Converts `data` (whose shape is the hyperslab's extent) and writes it at `start`, one block of
// at most ~4 MiB of file bytes at a time: a block is a range of one axis with everything inside it,
// so a 4096 x 4096 slice goes out in bands of rows rather than through a slice-sized buffer.
void write_blocks(hid_t ds, hid_t file_space, DType dtype, const std::vector<hsize_t>& start,
                  const Tensor<float>& data, const std::string& where) {
    constexpr std::size_t block_bytes = std::size_t{4} << 20;
    const std::size_t rank = start.size(), size = dtype_size(dtype);
    if (rank == 0) {
        std::vector<std::byte> value(size);
        convert_from_float(data.span(), dtype, value.data(), where);
        Id scalar(H5Screate(H5S_SCALAR), H5Sclose);
        if (H5Dwrite(ds, memory_type(dtype), scalar.get(), file_space, H5P_DEFAULT, value.data()) < 0)
            fail("{}: cannot write: {}", where, hdf5_detail());
        return;
    }
    const std::vector<hsize_t> count(data.shape().dims().begin(), data.shape().dims().end());
    // inner[a]: elements under one index of axis a - 1 (inner[0]: all of them).
    std::vector<std::size_t> inner(rank + 1, 1);
    for (std::size_t a = rank; a-- > 0;) inner[a] = inner[a + 1] * count[a];
    // The outermost axis whose single index fits in a block (at worst the last: one value).
    std::size_t axis = 0;
    while (axis + 1 < rank && inner[axis + 1] * size > block_bytes) ++axis;
    const std::size_t step = std::max<std::size_t>(1, block_bytes / (inner[axis + 1] * size));
    std::size_t outer = 1;  // index combinations of the axes before `axis`
    for (std::size_t a = 0; a < axis; ++a) outer *= count[a];
    const std::size_t along = count[axis];
    std::vector<std::byte> buffer(std::min(data.size() * size, step * inner[axis + 1] * size));
    for (std::size_t o = 0; o < outer; ++o) {
        std::vector<hsize_t> bstart(start), bcount(count);
        for (std::size_t a = axis, rest = o; a-- > 0;) {  // decode o into indices of axes < axis
            bstart[a] = start[a] + rest % count[a];
            bcount[a] = 1;
            rest /= count[a];
        }
        for (std::size_t j = 0; j < along; j += step) {
            const std::size_t n = std::min(step, along - j);
            const std::size_t offset = o * inner[axis] + j * inner[axis + 1], elements = n * inner[axis + 1];
            convert_from_float({data.data() + offset, elements}, dtype, buffer.data(), where);
            bstart[axis] = start[axis] + j;
            bcount[axis] = n;
            // The memory space has the file selection's shape: with a 1-D memory space against a
            // 3-D selection libhdf5 matches them element by element (H5S_select_iterate), 5-8x
            // slower than one contiguous copy (found timing `live`'s output write).
            Id memory(H5Screate_simple(static_cast<int>(bcount.size()), bcount.data(), nullptr), H5Sclose);
            if (H5Sselect_hyperslab(file_space, H5S_SELECT_SET, bstart.data(), nullptr, bcount.data(), nullptr) < 0)
                fail("{}: cannot select rows to write: {}", where, hdf5_detail());
            if (H5Dwrite(ds, memory_type(dtype), memory.get(), file_space, H5P_DEFAULT, buffer.data()) < 0)
                fail("{}: cannot write: {}", where, hdf5_detail());
        }
    }
}

}  // namespace

void Hdf5Writer::write_rows(const std::string& dataset, std::int64_t first, std::int64_t row, const Tensor<float>& data) {
    const std::string name = absolute_dataset_name(dataset);
    const std::string where = atomic_.target().string() + ":" + name;
    Created& c = created(dataset);
    const std::size_t rank = c.shape.rank();
    if (rank == 0) {
        if (first != 0 || row != 0 || data.size() != 1) fail("{}: a scalar takes exactly one value", where);
    } else {
        if (row != 0 && rank < 3) fail("{}: row writes need a dataset of rank 3 or more, not {}", where, c.shape.str());
        bool fits = data.rank() == rank && first >= 0 && first + data.dim(0) <= c.shape[0];
        if (fits && rank >= 3) fits = row >= 0 && row + data.dim(1) <= c.shape[1];
        for (std::size_t a = rank >= 3 ? 2 : 1; fits && a < rank; ++a) fits = data.dim(a) == c.shape[a];
        if (!fits)
            fail("{}: slab {} at slice {} row {} does not fit the dataset shape {}", where, data.shape().str(), first,
                 row, c.shape.str());
    }
    if (data.size() == 0) return;

    Id ds(H5Dopen2(handle_, name.c_str(), H5P_DEFAULT), H5Dclose);
    Id space(H5Dget_space(ds.get()), H5Sclose);
    if (!ds.ok() || !space.ok()) fail("{}: cannot write: {}", where, hdf5_detail());
    std::vector<hsize_t> start(rank, 0);
    if (rank > 0) start[0] = static_cast<hsize_t>(first);
    if (rank >= 3) start[1] = static_cast<hsize_t>(row);
    write_blocks(ds.get(), space.get(), c.dtype, start, data,
                 rank >= 3 ? fmt::format("{}: slices from {}, rows from {}", where, first, row)
                           : fmt::format("{}: rows from {}", where, first));
    if (rank == 0) {
        c.written[0] = true;
    } else if (rank >= 3) {
        for (std::int64_t k = 0; k < data.dim(0); ++k)
            std::fill_n(c.written.begin() + (first + k) * c.shape[1] + row, data.dim(1), true);
    } else {
        std::fill_n(c.written.begin() + first, data.dim(0), true);
    }
}

void Hdf5Writer::write(const std::string& dataset, const Tensor<float>& data, const DatasetOptions& options) {
    create(dataset, data.shape(), options);
    write_slab(dataset, 0, data);
}

void Hdf5Writer::set_string_attribute(const std::string& object, const std::string& key, const std::string& value) {
    const std::string obj = object_name(object);
    if (handle_ < 0) fail("{}: writer already committed", atomic_.target().string());
    if (H5Aexists_by_name(handle_, obj.c_str(), key.c_str(), H5P_DEFAULT) > 0)
        H5Adelete_by_name(handle_, obj.c_str(), key.c_str(), H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), std::max<std::size_t>(1, value.size()));
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate_by_name(handle_, obj.c_str(), key.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                              H5P_DEFAULT),
            H5Aclose);
    std::string padded = value.empty() ? std::string(1, '\0') : value;
    if (!attr.ok() || H5Awrite(attr.get(), type.get(), padded.data()) < 0)
        fail("{}: cannot write attribute {} of {}: {}", atomic_.target().string(), key, obj, hdf5_detail());
}

void Hdf5Writer::commit() {
    if (handle_ < 0) fail("{}: writer already committed", atomic_.target().string());
    for (const auto& [name, c] : datasets_) {
        const auto missing = std::find(c.written.begin(), c.written.end(), false);
        if (missing == c.written.end()) continue;
        const std::int64_t index = missing - c.written.begin();
        if (c.shape.rank() >= 3)
            fail("{}:{}: slice {} row {} (of {} x {}) was never written", atomic_.target().string(), name,
                 index / c.shape[1], index % c.shape[1], c.shape[0], c.shape[1]);
        fail("{}:{}: row {} of {} was never written", atomic_.target().string(), name, index, c.written.size());
    }
    const herr_t closed = H5Fclose(handle_);
    handle_ = -1;
    if (closed < 0) fail("{}: cannot finish the HDF5 file: {}", atomic_.target().string(), hdf5_detail());
    atomic_.commit();
}

}  // namespace tomoedge::io
