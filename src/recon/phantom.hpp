#pragma once
// Analytic 3-D phantoms made of ellipsoids, and their exact cuts by a slice plane.
//
// Units: phantoms live in normalised coordinates where the reconstructed field of view is
// [-1, 1] in x and y; z is the slice axis (the rotation axis of the scan). An ellipsoid's
// `value` is the attenuation it adds (overlaps add), per unit of normalised length. Cutting at a
// given image size converts to pixels: lengths x N/2, attenuation x 2/N (per pixel), so the line
// integrals, and hence the transmitted dose, do not depend on the image size.
#include "core/tensor.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tomoedge::recon {

struct Ellipsoid {
    std::array<double, 3> centre{};
    std::array<double, 3> semi_axes{1, 1, 1};
    /// Orientation: R = Rz(phi) Rx(theta) Rz(psi) (z-x-z Euler angles, degrees) maps the body
    /// axes to the world axes.
    std::array<double, 3> euler_deg{};
    double value = 0;
};

struct Phantom {
    std::string name;
    std::vector<Ellipsoid> ellipsoids;
};

/// The 3-D Shepp-Logan head phantom (Shepp & Logan 1974 ellipses extended to ellipsoids, with
/// the higher-contrast "modified" values of Toft 1996 so soft-tissue features are visible).
Phantom shepp_logan_3d();

struct FoamOptions {
    std::uint64_t seed = 0;
    int count = 60;                  // inclusions to place (fewer if the cylinder is full)
    double cylinder_radius = 0.85;   // container: a cylinder along z
    double matrix_value = 0.5;       // attenuation of the material filling the cylinder
    double min_radius = 0.05, max_radius = 0.18;
    double z_min = -1, z_max = 1;    // z range the inclusions' centres are drawn from
};

/// A foam: a cylinder of matrix material holding random, non-overlapping spheres and ellipsoids
/// of several attenuations (denser grains and voids), like the glass-sphere samples TomoGAN was
/// trained on. The same seed gives the same phantom.
Phantom foam_phantom(const FoamOptions& options);

/// Where a random phantom family draws from: its seed and the z range its features are centred in.
struct RandomSlabOptions {
    std::uint64_t seed = 0;
    double z_min = -1, z_max = 1;
};

/// Random ellipses: overlapping ellipsoids of random size (0.03..0.35), elongation, orientation and
/// signed attenuation inside the unit disc, on a disc of background, the random-ellipse phantoms
/// common in learned-reconstruction papers. Values add where ellipsoids overlap, so edges of many
/// contrasts (including faint ones) occur.
Phantom random_ellipses_phantom(const RandomSlabOptions& options);

/// A fibre composite: a cylinder of matrix holding thin long fibres (radius 0.01..0.035), most
/// running close to the rotation axis (cut as small discs, like fibre cross-sections), some lying
/// in the slice plane (cut as long thin streaks).
Phantom fibre_phantom(const RandomSlabOptions& options);

/// A layered material: nested elliptic cylinders (layers 0.02..0.12 thick, random attenuations,
/// slightly tilted and off-centre) with a few pores: long sharp curved interfaces.
Phantom layered_phantom(const RandomSlabOptions& options);

/// The families `tomoedge simulate --phantom` knows, by name.
inline constexpr const char* phantom_families[] = {"foam", "shepp-logan", "ellipses", "fibres", "layers"};

/// A phantom of family `name` (one of phantom_families) whose random features are centred in
/// options.z_min..z_max (the Shepp-Logan head is fixed and ignores the options). A foam places
/// its inclusion count by the slab's thickness, as simulate has always done. Throws Error naming
/// the families for an unknown name.
Phantom make_phantom(const std::string& name, const RandomSlabOptions& options);

/// A 2-D ellipse in pixel units: points p with (p - c)^T Q (p - c) <= 1, Q symmetric positive
/// definite. `value` is attenuation per pixel.
struct Ellipse {
    double cx = 0, cy = 0;
    double qxx = 1, qxy = 0, qyy = 1;
    double value = 0;
};

/// An axis-aligned ellipse with semi-axes a (along x) and b (along y), rotated by `angle_rad`.
Ellipse make_ellipse(double cx, double cy, double a, double b, double angle_rad, double value);

/// Image pixel coordinates used by the projector, the backprojector and rasterise(): pixel
/// (row i, column j) of an N x N image has its centre at x = j - N // 2, y = N // 2 - i (y up,
/// row 0 at the top, the axis at pixel N // 2: geometry.hpp's default convention).
/// The cut of `phantom` by the plane z = z_norm (normalised units), scaled to an image of
/// `size` pixels across the field of view. Ellipsoids the plane misses are left out.
std::vector<Ellipse> slice_phantom(const Phantom& phantom, double z_norm, std::int64_t size);

/// Normalised z of slice `index` of `count` slices centred on z = 0 with isotropic voxels
/// (spacing 2/size): adjacent slices are one pixel apart, so they are strongly correlated.
double slice_z(std::int64_t index, std::int64_t count, std::int64_t size);

/// The ellipses drawn on a size x size image: each pixel is the mean over supersample^2
/// sub-pixel points (1 = the value at the pixel centre).
Tensor<float> rasterise(const std::vector<Ellipse>& ellipses, std::int64_t size, int supersample = 1);

}  // namespace tomoedge::recon
