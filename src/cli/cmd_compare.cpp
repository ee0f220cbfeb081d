// `tomoedge compare A B`: SSIM, PSNR and MSE of every slice of stack A against the same slice of
// the reference stack B, and their means. Slices stream one at a time, so volumes of any size fit.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/threading.hpp"
#include "io/stack.hpp"
#include "metrics/image_quality.hpp"

#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::cli {
namespace {

struct CompareOptions {
    std::string image, reference;
    double data_range = 0;
    bool has_data_range = false;
    bool json = false;
    int threads = 0;
};

struct SliceResult {
    std::int64_t index = 0;
    metrics::ImageQuality quality;
};

// PSNR is +infinity for identical slices; JSON has no infinity, so it becomes null there.
nlohmann::json number_or_null(double value) {
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string format_psnr(double value) { return std::isfinite(value) ? fmt::format("{:.3f}", value) : "inf"; }

std::vector<SliceResult> compare_stacks(const CompareOptions& o, io::StackReader& image, io::StackReader& reference) {
    const Shape& shape = reference.info().shape;
    if (image.info().shape != shape)
        fail("{} has shape {} but the reference {} has shape {}", image.name(), image.info().shape.str(),
             reference.name(), shape.str());
    const std::int64_t slices = shape[0], height = shape[1], width = shape[2];
    const std::optional<double> range = o.has_data_range ? std::optional<double>(o.data_range) : std::nullopt;

    std::vector<SliceResult> results;
    results.reserve(static_cast<std::size_t>(slices));
    Progress progress("compare", slices, "slice");
    for (std::int64_t i = 0; i < slices; ++i) {
        const Tensor<float> a = image.read(i, 1);
        const Tensor<float> b = reference.read(i, 1);
        try {
            results.push_back({i, metrics::image_quality(a.span(), b.span(), height, width, range)});
        } catch (const Error& e) {
            fail("{} vs {}, slice {}: {}", image.name(), reference.name(), i, e.what());
        }
        progress.advance();
    }
    return results;
}

metrics::ImageQuality mean_of(const std::vector<SliceResult>& results) {
    metrics::ImageQuality mean;
    for (const auto& r : results) {
        mean.ssim += r.quality.ssim;
        mean.psnr += r.quality.psnr;
        mean.mse += r.quality.mse;
    }
    const auto n = static_cast<double>(results.size());
    mean.ssim /= n;
    mean.psnr /= n;
    mean.mse /= n;
    return mean;
}

void print_results(const CompareOptions& o, const Shape& shape, const std::vector<SliceResult>& results) {
    const metrics::ImageQuality mean = mean_of(results);
    if (o.json) {
        nlohmann::json slices = nlohmann::json::array();
        for (const auto& r : results)
            slices.push_back({{"index", r.index},
                              {"ssim", r.quality.ssim},
                              {"psnr", number_or_null(r.quality.psnr)},
                              {"mse", r.quality.mse},
                              {"data_range", r.quality.data_range}});
        print_json({{"image", o.image},
                    {"reference", o.reference},
                    {"shape", shape.dims()},
                    {"slices", std::move(slices)},
                    {"mean", {{"ssim", mean.ssim}, {"psnr", number_or_null(mean.psnr)}, {"mse", mean.mse}}}});
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : results)
        rows.push_back({std::to_string(r.index), fmt::format("{:.6f}", r.quality.ssim), format_psnr(r.quality.psnr),
                        fmt::format("{:.6g}", r.quality.mse), fmt::format("{:.6g}", r.quality.data_range)});
    rows.push_back({"mean", fmt::format("{:.6f}", mean.ssim), format_psnr(mean.psnr), fmt::format("{:.6g}", mean.mse),
                    ""});
    print_table({"slice", "ssim", "psnr_db", "mse", "data_range"}, rows);
}

void run_compare(const CompareOptions& o) {
    set_num_threads(o.threads);
    const auto image = io::StackReader::open(io::parse_data_path(o.image));
    const auto reference = io::StackReader::open(io::parse_data_path(o.reference));
    const auto results = compare_stacks(o, *image, *reference);
    print_results(o, reference->info().shape, results);
}

void add_compare_command(CLI::App& app) {
    auto options = std::make_shared<CompareOptions>();
    auto* cmd = app.add_subcommand(
        "compare",
        "SSIM (Wang et al. 2004; 11x11 Gaussian window, sigma 1.5), PSNR and MSE of each slice of A against the "
        "reference B, and their means. PSNR of identical slices is infinite: 'inf' in the table, null in JSON.");
    cmd->add_option("A", options->image, "Stack under test: FILE.h5:DATASET, FILE.tif or FOLDER/")->required();
    cmd->add_option("B", options->reference, "Reference stack of the same shape")->required();
    cmd->add_option("--data-range", options->data_range,
                    "Data range R for SSIM and PSNR (default: max - min of each reference slice)")
        ->check(CLI::PositiveNumber);
    add_json_flag(*cmd, options->json);
    add_threads_option(*cmd, options->threads);
    cmd->callback([cmd, options] {
        options->has_data_range = cmd->count("--data-range") > 0;
        run_compare(*options);
    });
}

}  // namespace

TOMOEDGE_COMMAND("compare", add_compare_command);

}  // namespace tomoedge::cli
