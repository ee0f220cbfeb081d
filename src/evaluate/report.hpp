#pragma once
// The numbers of an Evaluation in the forms the CLI hands out: per-method summaries, one JSON
// object, and a CSV file with one row per slice and method.
#include "evaluate/evaluation.hpp"
#include "evaluate/summary.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace tomoedge::evaluate {

struct MethodSummary {
    Summary ssim, psnr;
};

/// One summary per Evaluation::methods entry, same order.
std::vector<MethodSummary> summarize_methods(const Evaluation& evaluation);

/// {"shape", "slices", "panel_slice", "methods": [{"label", "source", "precision", "backend", "weights",
/// "seconds", "ssim": {summary}, "psnr": {summary}, "per_slice": {"ssim": [...], "psnr": [...]}}]}.
/// JSON has no infinity: an infinite PSNR is null.
nlohmann::json evaluation_json(const Evaluation& evaluation, const std::vector<MethodSummary>& summaries);

/// Tidy CSV, written atomically: header "slice,method,source,precision,ssim,psnr_db,mse,data_range",
/// then one row per scored slice and method (noisy first); an infinite PSNR is written "inf".
void write_csv(const std::filesystem::path& file, const Evaluation& evaluation);

}  // namespace tomoedge::evaluate
