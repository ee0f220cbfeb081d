#include "live/scan_frames.hpp"

#include "io/data_exchange.hpp"

namespace tomoedge::live {
namespace {

PixelType wire_type(DType t) {
    switch (t) {
        case DType::u8: return PixelType::u8;
        case DType::u16: return PixelType::u16;
        default: return PixelType::f32;  // anything else travels as float32, losslessly for our readers
    }
}

}  // namespace

ScanFrames::ScanFrames(const std::filesystem::path& file) : reader_(file) {
    const io::ProjectionInfo info = io::read_projection_info(file);
    darks_ = info.darks, flats_ = info.flats, projections_ = info.angles, rows_ = info.rows, cols_ = info.cols;
    const Tensor<float> theta = reader_.read("/exchange/theta");
    theta_deg_.assign(theta.begin(), theta.end());
    pixel_type_ = wire_type(reader_.info("/exchange/data").dtype);
}

std::optional<std::pair<FrameHeader, Tensor<float>>> ScanFrames::next() {
    if (position_ >= frames()) return std::nullopt;
    FrameHeader h;
    h.rows = rows_, h.cols = cols_, h.dtype = pixel_type_;
    h.projections = projections_, h.darks = darks_, h.flats = flats_;
    const char* dataset = nullptr;
    if (position_ < darks_) {
        h.type = FrameType::dark, h.index = position_, dataset = "/exchange/data_dark";
    } else if (position_ < darks_ + flats_) {
        h.type = FrameType::flat, h.index = position_ - darks_, dataset = "/exchange/data_white";
    } else {
        h.type = FrameType::projection, h.index = position_ - darks_ - flats_, dataset = "/exchange/data";
        h.angle_deg = theta_deg_[static_cast<std::size_t>(h.index)];
    }
    Tensor<float> frame = reader_.read_slab(dataset, h.index, 1);
    frame.reshape(Shape{rows_, cols_});
    ++position_;
    return std::make_pair(h, std::move(frame));
}

FrameHeader ScanFrames::end_header() const {
    FrameHeader h;
    h.type = FrameType::end;
    h.projections = projections_, h.darks = darks_, h.flats = flats_;
    return h;
}

}  // namespace tomoedge::live
