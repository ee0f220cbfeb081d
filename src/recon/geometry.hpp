#pragma once
// Where the rotation axis sits: on the detector (`centre`, a column index) and in the
// reconstructed image (the `image axis`, a pixel index, the same for rows and columns).
//
// Orientation, the same for every convention: pixel (row i, column j) is at x = j - axis,
// y = axis - i (x to the right, y up, row 0 at the top), and the ray through detector column u
// at angle theta is x cos(theta) + y sin(theta) = u - centre. This is scikit-image's
// radon/iradon and TomoPy's orientation.
//
// Two conventions for the axis (they differ by half a pixel in x and y on even sizes):
//  - tomopy (the default): the axis at pixel size // 2 of the image and, unless a centre is
//    given, at column cols // 2 of the detector. TomoPy's gridrec and scikit-image's iradon
//    place it there, so their phantoms and reconstructions line up with ours pixel for pixel.
//  - centred: the axis at the geometric centre, (size - 1) / 2, and by default (cols - 1) / 2 on
//    the detector: ASTRA's convention (pixel centres symmetric about the axis), and tomoedge's
//    before version 5.
// The centre, when given, is used as given under both conventions: it only says which detector
// column the axis projects to.
#include <cstdint>
#include <string_view>

namespace tomoedge::recon {

enum class AxisConvention { tomopy, centred };

/// "tomopy" or "centred" ("centered" too); Error naming the accepted values otherwise.
AxisConvention parse_axis_convention(std::string_view name);
std::string_view axis_convention_name(AxisConvention convention);

/// The rotation centre used when none is given: cols // 2 (tomopy) or (cols - 1) / 2 (centred).
double default_centre(std::int64_t cols, AxisConvention convention = AxisConvention::tomopy);

/// The image pixel index (row and column alike) of the rotation axis: size // 2 or (size - 1) / 2.
double image_axis(std::int64_t size, AxisConvention convention = AxisConvention::tomopy);

}  // namespace tomoedge::recon
