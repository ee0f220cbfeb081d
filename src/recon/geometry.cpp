#include "recon/geometry.hpp"

#include "core/error.hpp"

namespace tomoedge::recon {

AxisConvention parse_axis_convention(std::string_view name) {
    if (name == "tomopy") return AxisConvention::tomopy;
    if (name == "centred" || name == "centered") return AxisConvention::centred;
    fail("unknown axis convention '{}' (use tomopy or centred)", name);
}

std::string_view axis_convention_name(AxisConvention convention) {
    return convention == AxisConvention::centred ? "centred" : "tomopy";
}

double default_centre(std::int64_t cols, AxisConvention convention) { return image_axis(cols, convention); }

double image_axis(std::int64_t size, AxisConvention convention) {
    return convention == AxisConvention::centred ? static_cast<double>(size - 1) / 2.0 : static_cast<double>(size / 2);
}

}  // namespace tomoedge::recon
