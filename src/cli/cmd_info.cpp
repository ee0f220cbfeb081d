// `tomoedge info FILE`: what an image file holds (datasets or pages, shape, dtype, value range).
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "io/inspect.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct InfoOptions {
    std::string file;
    bool json = false, pages = false, no_range = false;
};

nlohmann::json item_json(const io::ItemSummary& item) {
    nlohmann::json j{{"name", item.name}, {"shape", item.shape.dims()}, {"dtype", item.dtype}};
    if (item.has_range) {
        j["min"] = item.range.min;
        j["max"] = item.range.max;
        j["mean"] = item.range.mean;
    } else {
        j["min"] = j["max"] = j["mean"] = nullptr;
    }
    return j;
}

void run_info(const InfoOptions& o) {
    const io::FileSummary summary = io::inspect(o.file, io::InspectOptions{!o.no_range, o.pages});
    if (o.json) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& item : summary.items) items.push_back(item_json(item));
        print_json({{"file", summary.file}, {"format", summary.format}, {"items", std::move(items)}});
        return;
    }
    fmt::print("{} ({})\n", summary.file, summary.format);
    std::vector<std::vector<std::string>> rows;
    for (const auto& item : summary.items) {
        const auto number = [&](double v) { return item.has_range ? fmt::format("{:.6g}", v) : std::string("-"); };
        rows.push_back({item.name, item.shape.str(), item.dtype, number(item.range.min), number(item.range.max),
                        number(item.range.mean)});
    }
    std::fflush(stdout);
    print_table({"name", "shape", "dtype", "min", "max", "mean"}, rows);
}

void add_info_command(CLI::App& app) {
    auto options = std::make_shared<InfoOptions>();
    auto* cmd = app.add_subcommand(
        "info", "List what an image file holds: every dataset of an HDF5 file (or the one named as FILE.h5:DATASET), "
                "or a TIFF stack, with shape, dtype and value range (min, max, mean; read slab by slab).");
    cmd->add_option("FILE", options->file, "FILE.h5, FILE.h5:DATASET, FILE.tif or FOLDER/ of .tif files")->required();
    cmd->add_flag("--pages", options->pages, "TIFF: also list every page (or file of a folder) with its own range");
    cmd->add_flag("--no-range", options->no_range, "Skip the value range (reads headers only; fast on huge files)");
    add_json_flag(*cmd, options->json);
    cmd->callback([options] { run_info(*options); });
}

}  // namespace

TOMOEDGE_COMMAND("info", add_info_command);

}  // namespace tomoedge::cli
