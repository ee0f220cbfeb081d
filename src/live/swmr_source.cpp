#include "live/swmr_source.hpp"

#include "core/error.hpp"
#include "core/tensor.hpp"

#include <hdf5.h>

#include <thread>
#include <vector>

namespace tomoedge::live {
namespace {

// An HDF5 handle closed by its own close function.
class Handle {
public:
    Handle() = default;
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = o.id_, close_ = o.close_;
            o.id_ = -1;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t get() const { return id_; }
    bool ok() const { return id_ >= 0; }
    void reset() {
        if (id_ >= 0 && close_) close_(id_);
        id_ = -1;
    }

private:
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

struct Extent {
    std::vector<hsize_t> dims, max;
};

Extent extent_of(hid_t dataset) {
    Handle space(H5Dget_space(dataset), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    Extent e;
    e.dims.resize(static_cast<std::size_t>(std::max(rank, 0)));
    e.max.resize(e.dims.size());
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), e.dims.data(), e.max.data());
    return e;
}

class SwmrSource final : public FrameSource {
public:
    explicit SwmrSource(std::filesystem::path file) : file_(std::move(file)), name_(file_.string()) {}

    std::optional<ReceivedFrame> next(std::chrono::milliseconds wait) override {
        const auto until = std::chrono::steady_clock::now() + wait;
        while (true) {
            if (!file_handle_.ok()) try_open();
            if (file_handle_.ok()) {
                if (auto frame = next_frame()) return frame;
            }
            if (std::chrono::steady_clock::now() >= until) return std::nullopt;
            // The writer flushes frame by frame; poll often enough to add little latency.
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    std::string name() const override { return name_; }

private:
    // Opens the file and its datasets once the writer is in SWMR mode (until then opening fails).
    void try_open() {
        if (!std::filesystem::exists(file_)) return;
        Handle f;
        H5E_BEGIN_TRY { f = Handle(H5Fopen(name_.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT), H5Fclose); }
        H5E_END_TRY;
        if (!f.ok()) return;
        Handle data, white, dark, theta;
        H5E_BEGIN_TRY {
            data = Handle(H5Dopen2(f.get(), "/exchange/data", H5P_DEFAULT), H5Dclose);
            white = Handle(H5Dopen2(f.get(), "/exchange/data_white", H5P_DEFAULT), H5Dclose);
            dark = Handle(H5Dopen2(f.get(), "/exchange/data_dark", H5P_DEFAULT), H5Dclose);
            theta = Handle(H5Dopen2(f.get(), "/exchange/theta", H5P_DEFAULT), H5Dclose);
        }
        H5E_END_TRY;
        if (!data.ok() || !white.ok() || !dark.ok() || !theta.ok())
            fail("{}: following needs /exchange/data, data_white, data_dark and theta, created before SWMR "
                 "writing starts (Data Exchange layout)", name_);
        const Extent e = extent_of(data.get());
        if (e.dims.size() != 3) fail("{}: /exchange/data must be (angles, rows, cols)", name_);
        rows_ = static_cast<std::int64_t>(e.dims[1]), cols_ = static_cast<std::int64_t>(e.dims[2]);
        file_handle_ = std::move(f);
        data_ = std::move(data), white_ = std::move(white), dark_ = std::move(dark), theta_ = std::move(theta);
        projections_total_ = announced(theta_.get(), "projections", data_.get());
        darks_total_ = announced(dark_.get(), nullptr, -1);
        flats_total_ = announced(white_.get(), nullptr, -1);
    }

    // The length of a fixed-size dataset, else the integer attribute `key` of `holder`, else -1.
    static std::int64_t announced(hid_t dataset, const char* key, hid_t holder) {
        const Extent e = extent_of(dataset);
        if (!e.dims.empty() && e.max[0] == e.dims[0]) return static_cast<std::int64_t>(e.dims[0]);
        if (!key || holder < 0 || H5Aexists(holder, key) <= 0) return -1;
        Handle a(H5Aopen(holder, key, H5P_DEFAULT), H5Aclose);
        long long v = -1;
        if (!a.ok() || H5Aread(a.get(), H5T_NATIVE_LLONG, &v) < 0) return -1;
        return v;
    }

    std::int64_t length(const Handle& dataset) const {
        H5Drefresh(dataset.get());
        const Extent e = extent_of(dataset.get());
        return e.dims.empty() ? 0 : static_cast<std::int64_t>(e.dims[0]);
    }

    // The next frame that is in the file and not yet handed out.
    std::optional<ReceivedFrame> next_frame() {
        FrameHeader h;
        hid_t dataset = -1;
        if (sent_darks_ < length(dark_)) {
            h.type = FrameType::dark, h.index = sent_darks_++, dataset = dark_.get();
        } else if (sent_flats_ < length(white_)) {
            h.type = FrameType::flat, h.index = sent_flats_++, dataset = white_.get();
        } else {
            // A projection counts once both its frame and its angle are in.
            const std::int64_t ready = std::min(length(data_), length(theta_));
            if (sent_projections_ >= ready) return std::nullopt;
            h.type = FrameType::projection, h.index = sent_projections_++, dataset = data_.get();
            h.angle_deg = read_theta(h.index);
        }
        h.rows = rows_, h.cols = cols_, h.dtype = PixelType::f32;
        h.projections = projections_total_, h.darks = darks_total_, h.flats = flats_total_;
        frame_ = Tensor<float>(Shape{rows_, cols_});
        Handle space(H5Dget_space(dataset), H5Sclose);
        const hsize_t start[3] = {static_cast<hsize_t>(h.index), 0, 0};
        const hsize_t count[3] = {1, static_cast<hsize_t>(rows_), static_cast<hsize_t>(cols_)};
        H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
        Handle memory(H5Screate_simple(3, count, nullptr), H5Sclose);
        if (H5Dread(dataset, H5T_NATIVE_FLOAT, memory.get(), space.get(), H5P_DEFAULT, frame_.data()) < 0)
            fail("{}: cannot read {} {}", name_, frame_type_name(h.type), h.index);
        ReceivedFrame f;
        f.header = h;
        f.origin = name_;
        f.pixels = std::as_bytes(frame_.span());
        return f;
    }

    double read_theta(std::int64_t index) const {
        Handle space(H5Dget_space(theta_.get()), H5Sclose);
        const hsize_t start[1] = {static_cast<hsize_t>(index)}, count[1] = {1};
        H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
        Handle memory(H5Screate_simple(1, count, nullptr), H5Sclose);
        float v = 0;
        if (H5Dread(theta_.get(), H5T_NATIVE_FLOAT, memory.get(), space.get(), H5P_DEFAULT, &v) < 0)
            fail("{}: cannot read /exchange/theta[{}]", name_, index);
        return v;
    }

    std::filesystem::path file_;
    std::string name_;
    Handle file_handle_, data_, white_, dark_, theta_;
    std::int64_t rows_ = 0, cols_ = 0;
    std::int64_t projections_total_ = -1, darks_total_ = -1, flats_total_ = -1;
    std::int64_t sent_darks_ = 0, sent_flats_ = 0, sent_projections_ = 0;
    Tensor<float> frame_;
};

}  // namespace

std::unique_ptr<FrameSource> swmr_source(const std::filesystem::path& file) {
    return std::make_unique<SwmrSource>(file);
}

}  // namespace tomoedge::live
