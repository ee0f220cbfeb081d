#include "pipeline/simulate.hpp"

#include "core/error.hpp"
#include "core/statistics.hpp"
#include "core/timer.hpp"
#include "io/data_exchange.hpp"
#include "io/hdf5.hpp"
#include "io/png.hpp"
#include "recon/dose.hpp"
#include "recon/fbp.hpp"
#include "recon/geometry.hpp"
#include "recon/normalise.hpp"
#include "recon/phantom.hpp"
#include "recon/projector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tomoedge::pipeline {

using namespace recon;
namespace {

void check(const SimulateOptions& o) {
    if (std::ranges::find(phantom_families, o.phantom) == std::end(phantom_families))
        fail("unknown phantom '{}' (use foam, shepp-logan, ellipses, fibres or layers)", o.phantom);
    if (o.size < 16 || o.size > 8192) fail("--size must be in 16..8192, got {}", o.size);
    if (o.slices < 1) fail("--slices must be >= 1, got {}", o.slices);
    if (o.volumes < 2) fail("--volumes must be >= 2 (at least one train and one test volume), got {}", o.volumes);
    if (o.test_volumes < 1 || o.test_volumes >= o.volumes)
        fail("--test-volumes must be in 1..{} (volumes - 1), got {}", o.volumes - 1, o.test_volumes);
    if (o.sparse < 1) fail("--sparse must be >= 1, got {}", o.sparse);
    if (o.angles < 0) fail("--angles must be >= 0, got {}", o.angles);
    if (!(o.i0 > 0)) fail("--i0 must be > 0, got {}", o.i0);
    if (!(o.gt_i0 >= 0)) fail("--gt-i0 must be >= 0 (0 = noise-free), got {}", o.gt_i0);
    // Counts are stored as u16, as detectors do: leave room for 6 sigma of noise over i0 + dark.
    for (double i0 : {o.i0, o.gt_i0})
        if (i0 + o.dark + 6 * std::sqrt(i0 + o.dark) > 65535)
            fail("--i0/--gt-i0 {} with dark {} would overflow 16-bit counts (use at most about 64000)", i0, o.dark);
    if (o.dataset.empty()) fail("simulate: no output dataset given");
}

// Slabs of one phantom: Shepp-Logan volumes are consecutive blocks of slices through the head;
// the random families (foam, ellipses, fibres, layers) make an independent phantom per volume.
Phantom volume_phantom(const SimulateOptions& o, std::int64_t v, double& z_offset) {
    const double thickness = static_cast<double>(o.slices) * 2.0 / static_cast<double>(o.size);
    if (o.phantom == "shepp-logan") {
        z_offset = (static_cast<double>(v) - static_cast<double>(o.volumes - 1) / 2.0) * thickness;
        return shepp_logan_3d();
    }
    z_offset = 0;
    const std::uint64_t seed = stream_seed(o.seed, 1000 + static_cast<std::uint64_t>(v));
    return make_phantom(o.phantom, RandomSlabOptions{seed, -thickness / 2 - 0.1, thickness / 2 + 0.1});
}

// (angles, slices, cols) line integrals of one volume.
Tensor<float> volume_integrals(const Phantom& p, double z_offset, const SimulateOptions& o,
                               std::span<const float> theta_rad) {
    const auto A = static_cast<std::int64_t>(theta_rad.size());
    Tensor<float> L(Shape{A, o.slices, o.size});
    const double centre = default_centre(o.size);  // the axis pixel of rasterise() and recon
    for (std::int64_t s = 0; s < o.slices; ++s)
        project(slice_phantom(p, z_offset + slice_z(s, o.slices, o.size), o.size), theta_rad, o.size, centre,
                L.data() + s * o.size, o.slices * o.size);
    return L;
}

Tensor<float> select_angles(const Tensor<float>& L, std::span<const std::int64_t> idx) {
    Tensor<float> out(Shape{static_cast<std::int64_t>(idx.size()), L.dim(1), L.dim(2)});
    for (std::size_t i = 0; i < idx.size(); ++i)
        std::copy(L.outer(idx[i]), L.outer(idx[i]) + L.outer_stride(), out.outer(static_cast<std::int64_t>(i)));
    return out;
}

// Three panels side by side (4 px gaps), all with one grey window: the 0.5..99.5 percentiles
// of the phantom panel, so the low- and normal-dose panels are comparable to the truth.
void write_preview(const std::filesystem::path& file, const float* phantom, const float* low, const float* normal,
                   std::int64_t n) {
    const auto [lo, hi] = percentile_range(std::span<const float>(phantom, static_cast<std::size_t>(n * n)), 0.5, 99.5);
    const double span = hi > lo ? hi - lo : 1.0;
    const std::int64_t gap = 4, width = 3 * n + 2 * gap;
    std::vector<std::uint8_t> px(static_cast<std::size_t>(n * width), 255);
    const float* panels[] = {phantom, low, normal};
    for (int p = 0; p < 3; ++p)
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t j = 0; j < n; ++j) {
                const double v = std::clamp((panels[p][i * n + j] - lo) / span, 0.0, 1.0);
                px[static_cast<std::size_t>(i * width + p * (n + gap) + j)] = static_cast<std::uint8_t>(std::lround(255 * v));
            }
    io::write_png(file, px, n, width, 1);
}

}  // namespace

std::int64_t simulation_angles(const SimulateOptions& o) {
    std::int64_t a = o.angles;
    if (a == 0) {
        a = static_cast<std::int64_t>(std::ceil(std::numbers::pi / 2 * static_cast<double>(o.size)));
        a = (a + o.sparse - 1) / o.sparse * o.sparse;
    }
    return a;
}

SimulateSummary simulate(const SimulateOptions& o, const std::function<void(std::int64_t, std::int64_t)>& on_progress) {
    check(o);
    Stopwatch clock;
    SimulateSummary sum;
    const std::int64_t A = simulation_angles(o);
    const std::vector<float> theta_deg = angles_deg(A);
    const std::vector<float> theta_rad = to_radians(theta_deg);
    const std::vector<std::int64_t> sparse_idx = sparse_view_indices(A, o.sparse);
    std::vector<float> sparse_deg;
    for (std::int64_t i : sparse_idx) sparse_deg.push_back(theta_deg[static_cast<std::size_t>(i)]);
    sum.angles = A, sum.low_dose_angles = static_cast<std::int64_t>(sparse_idx.size());
    if (sum.low_dose_angles < 2) fail("--sparse {} leaves fewer than 2 of {} angles", o.sparse, A);

    const std::int64_t train_vols = o.volumes - o.test_volumes;
    sum.train_slices = train_vols * o.slices, sum.test_slices = o.test_volumes * o.slices;
    const FbpOptions fbp_options{o.window, -1, o.size};
    Fbp fbp_all(theta_deg, o.size, fbp_options), fbp_sparse(sparse_deg, o.size, fbp_options);

    io::Hdf5Writer out(o.dataset);
    const io::DatasetOptions slices_f32{DType::f32, 1, 0};
    out.create("train_ns", Shape{sum.train_slices, o.size, o.size}, slices_f32);
    out.create("train_gt", Shape{sum.train_slices, o.size, o.size}, slices_f32);
    out.create("test_ns", Shape{sum.test_slices, o.size, o.size}, slices_f32);
    out.create("test_gt", Shape{sum.test_slices, o.size, o.size}, slices_f32);
    out.set_string_attribute("/", "tomoedge.simulate",
                             fmt::format("phantom={} size={} slices={} volumes={} test_volumes={} angles={} sparse={} "
                                         "i0={} gt_i0={} dark={} seed={} filter={} units=attenuation per pixel",
                                         o.phantom, o.size, o.slices, o.volumes, o.test_volumes, A, o.sparse, o.i0,
                                         o.gt_i0, o.dark, o.seed, filter_window_name(o.window)));
    if (!o.projections_dir.empty()) std::filesystem::create_directories(o.projections_dir);

    for (std::int64_t v = 0; v < o.volumes; ++v) {
        double z_offset = 0;
        const Phantom phantom = volume_phantom(o, v, z_offset);
        const Tensor<float> L = volume_integrals(phantom, z_offset, o, theta_rad);

        // Normal dose: all angles; noise-free unless gt_i0 > 0.
        const bool gt_noisy = o.gt_i0 > 0;
        DoseOptions normal{gt_noisy ? o.gt_i0 : 1e4, o.dark, gt_noisy, 10, 10, stream_seed(o.seed, 2000 + static_cast<std::uint64_t>(v))};
        const Projections normal_scan = expose(L, theta_deg, normal);
        // Low dose: every k-th angle, Poisson at i0.
        DoseOptions low{o.i0, o.dark, true, 10, 10, stream_seed(o.seed, 3000 + static_cast<std::uint64_t>(v))};
        const Projections low_scan = expose(select_angles(L, sparse_idx), sparse_deg, low);
        if (!o.projections_dir.empty()) {
            io::write_projections(o.projections_dir / fmt::format("v{:03}_lowdose.h5", v), low_scan, true);
            io::write_projections(o.projections_dir / fmt::format("v{:03}_normaldose.h5", v), normal_scan, gt_noisy);
        }
        NormaliseStats normal_stats, low_stats;
        const Tensor<float> gt = fbp_all.reconstruct(normalise(normal_scan, normal_stats, {0.5f, "normal-dose scan"}));
        const Tensor<float> ns = fbp_sparse.reconstruct(normalise(low_scan, low_stats, {0.5f, "low-dose scan"}));
        sum.clamped += low_stats.clamped + normal_stats.clamped;

        const bool test = v >= train_vols;
        const std::int64_t first = (test ? v - train_vols : v) * o.slices;
        out.write_slab(test ? "test_ns" : "train_ns", first, ns);
        out.write_slab(test ? "test_gt" : "train_gt", first, gt);
        if (test && v == train_vols && !o.preview_png.empty()) {
            const std::int64_t mid = o.slices / 2;
            const Tensor<float> truth = rasterise(
                slice_phantom(phantom, z_offset + slice_z(mid, o.slices, o.size), o.size), o.size, 2);
            write_preview(o.preview_png, truth.data(), ns.outer(mid), gt.outer(mid), o.size);
        }
        if (on_progress) on_progress((v + 1) * o.slices, o.volumes * o.slices);
    }
    out.commit();
    sum.seconds = clock.seconds();
    return sum;
}

}  // namespace tomoedge::pipeline
