#include "evaluate/report.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace tomoedge::evaluate {
namespace {

nlohmann::json number_or_null(double value) {
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json summary_json(const Summary& s) {
    return {{"count", s.count}, {"infinite", s.infinite}, {"mean", s.mean}, {"min", s.min},
            {"q1", s.q1},       {"median", s.median},     {"q3", s.q3},     {"max", s.max}};
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

// Shortest round-trip text, so the CSV holds exactly the numbers the JSON does.
std::string csv_number(double value) {
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    return fmt::format("{}", value);
}

}  // namespace

std::vector<MethodSummary> summarize_methods(const Evaluation& evaluation) {
    std::vector<MethodSummary> out;
    for (const auto& method : evaluation.methods) {
        std::vector<double> ssim, psnr;
        for (const auto& q : method.per_slice) {
            ssim.push_back(q.ssim);
            psnr.push_back(q.psnr);
        }
        out.push_back({summarize_scores(ssim), summarize_scores(psnr)});
    }
    return out;
}

nlohmann::json evaluation_json(const Evaluation& evaluation, const std::vector<MethodSummary>& summaries) {
    if (summaries.size() != evaluation.methods.size())
        fail("evaluate: {} summaries for {} methods", summaries.size(), evaluation.methods.size());
    nlohmann::json methods = nlohmann::json::array();
    for (std::size_t m = 0; m < evaluation.methods.size(); ++m) {
        const MethodScores& method = evaluation.methods[m];
        nlohmann::json ssim = nlohmann::json::array(), psnr = nlohmann::json::array();
        for (const auto& q : method.per_slice) {
            ssim.push_back(q.ssim);
            psnr.push_back(number_or_null(q.psnr));
        }
        methods.push_back({{"label", method.label},
                           {"source", method.source},
                           {"precision", method.precision},
                           {"backend", method.backend},
                           {"weights", method.weights},
                           {"seconds", method.seconds},
                           {"ssim", summary_json(summaries[m].ssim)},
                           {"psnr", summary_json(summaries[m].psnr)},
                           {"per_slice", {{"ssim", std::move(ssim)}, {"psnr", std::move(psnr)}}}});
    }
    return {{"shape", evaluation.shape.dims()},
            {"slices", evaluation.slices},
            {"panel_slice", evaluation.panel_slice},
            {"methods", std::move(methods)}};
}

void write_csv(const std::filesystem::path& file, const Evaluation& evaluation) {
    AtomicFile atomic(file);
    std::FILE* out = std::fopen(atomic.temp_path().string().c_str(), "w");
    if (out == nullptr) fail("{}: cannot create the file", file.string());
    std::string text = "slice,method,source,precision,ssim,psnr_db,mse,data_range\n";
    for (std::size_t s = 0; s < evaluation.slices.size(); ++s)
        for (const auto& method : evaluation.methods) {
            const metrics::ImageQuality& q = method.per_slice.at(s);
            text += fmt::format("{},{},{},{},{},{},{},{}\n", evaluation.slices[s], csv_field(method.label),
                                csv_field(method.source), csv_field(method.precision), csv_number(q.ssim),
                                csv_number(q.psnr), csv_number(q.mse), csv_number(q.data_range));
        }
    const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
    const bool closed = std::fclose(out) == 0;
    if (!written || !closed) fail("{}: cannot write the CSV (disk full?)", file.string());
    atomic.commit();
}

}  // namespace tomoedge::evaluate
