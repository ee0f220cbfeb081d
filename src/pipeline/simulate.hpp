#pragma once
// `tomoedge simulate`: phantom volumes -> analytic projections -> normal- and low-dose scans ->
// FBP -> noisy/clean slice pairs in the TomoGAN layout (and the scans in Data Exchange).
//
//   gt = FBP (all angles) of the normal-dose scan. By default that scan is noise-free (the
//        expected counts, gt_i0 = 0), so gt is the best the geometry allows; gt_i0 > 0 gives it
//        Poisson noise at that dose instead, as a real normal-dose scan would have.
//   ns = FBP of the low-dose scan: Poisson noise at i0 photons per pixel, every `sparse`-th angle
//        (the default mixes both, as TomoGAN's data mixed few views with short exposure).
// Volumes are split into train and test (the last `test_volumes`), never slices of one volume.
#include "recon/fbp_filter.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace tomoedge::pipeline {

struct SimulateOptions {
    std::string phantom = "foam";  // one of phantom_families (phantom.hpp)
    std::int64_t size = 256;       // image and detector width (pixels)
    std::int64_t slices = 32;      // slices (detector rows) per volume
    std::int64_t volumes = 4;
    std::int64_t test_volumes = 1;
    std::int64_t angles = 0;       // normal-dose angles over [0, 180); 0 = ceil(pi/2 x size) rounded up to k
    std::int64_t sparse = 4;       // low dose keeps every k-th angle
    double i0 = 1000;              // low-dose photons per detector pixel per projection
    double gt_i0 = 0;              // normal dose; 0 = noise-free
    double dark = 50;
    std::uint64_t seed = 0;
    recon::FilterWindow window = recon::FilterWindow::shepp_logan;
    std::filesystem::path dataset;          // TomoGAN-layout HDF5 to write
    std::filesystem::path projections_dir;  // Data Exchange scans (vNNN_lowdose.h5, vNNN_normaldose.h5); empty = none
    std::filesystem::path preview_png;      // phantom | low-dose FBP | normal-dose FBP; empty = none
};

struct SimulateSummary {
    std::int64_t train_slices = 0, test_slices = 0, angles = 0, low_dose_angles = 0;
    std::int64_t clamped = 0;  // low-dose values at or below the dark level (normalise.hpp)
    double seconds = 0;
};

/// Angles actually used for `options` (resolves angles = 0).
std::int64_t simulation_angles(const SimulateOptions& options);

/// Runs the whole simulation; `on_slice(done, total)` after each volume's slices.
SimulateSummary simulate(const SimulateOptions& options,
                         const std::function<void(std::int64_t, std::int64_t)>& on_progress = {});

}  // namespace tomoedge::pipeline
