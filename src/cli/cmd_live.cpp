// `tomoedge live --from tcp://HOST:PORT|SCAN.h5 --out OUT.h5:DATASET`: reconstruct (and denoise)
// chosen slices while a scan arrives (docs/live.md). The work is in live/session.hpp; this file
// turns flags into options, draws the progress line and maps the outcome to the exit status.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/threading.hpp"
#include "core/timer.hpp"
#include "live/session.hpp"
#include "live/swmr_source.hpp"
#include "model/onnx_import.hpp"
#include "pipeline/reconstruct_file.hpp"
#include "tiling/tiled_runner.hpp"

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace tomoedge::cli {
namespace {

std::atomic<bool> live_stop{false};
extern "C" void on_live_sigint(int) { live_stop.store(true); }

struct LiveArgs {
    std::string from, out, socket = "pull", rows, centre, filter = "shepp-logan", convention = "tomopy", model,
        backend = "onednn", precision = "fp32", preview, publish;
    std::int64_t block = 32, preview_every = 0, tile = 0;
    double timeout = 60;
    int threads = 0;
    bool json = false, follow = false;
};

bool is_endpoint(const std::string& s) {
    return s.starts_with("tcp://") || s.starts_with("ipc://") || s.starts_with("inproc://");
}

// "a:b" (either end may be left out) -> first, end (-1: the detector's last row). The detector's
// height is known only from the first frame; the session checks the range then.
std::pair<std::int64_t, std::int64_t> parse_rows(const std::string& text) {
    const auto colon = text.find(':');
    const auto number = [&](std::string_view s, std::int64_t empty) {
        if (s.empty()) return empty;
        std::int64_t v = 0;
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size() || v < 0)
            fail("--rows '{}': expected FIRST:END (e.g. 100:103)", text);
        return v;
    };
    if (colon == std::string::npos) fail("--rows '{}': expected FIRST:END (e.g. 100:103)", text);
    const std::string_view t(text);
    const std::int64_t first = number(t.substr(0, colon), 0), end = number(t.substr(colon + 1), -1);
    if (end >= 0 && end <= first) fail("--rows {}: END (exclusive) must be > FIRST", text);
    return {first, end};
}

std::string outcome(const live::LiveReport& r) {
    const auto& s = r.status;
    if (r.complete()) return "complete";
    std::string why;
    if (r.interrupted) why = "interrupted";
    else if (r.timed_out) why = "sender gone (timeout)";
    else why = "incomplete";
    return fmt::format("{}: {} of {} projections, {} missing", why, s.received,
                       s.expected >= 0 ? std::to_string(s.expected) : std::string("?"), s.missing.size());
}

std::string missing_list(const std::vector<std::int64_t>& missing) {
    std::string s;
    for (std::size_t i = 0; i < missing.size() && i < 10; ++i) s += (i ? ", " : "") + std::to_string(missing[i]);
    if (missing.size() > 10) s += fmt::format(", ... ({} in all)", missing.size());
    return s;
}

void run_live(const LiveArgs& a) {
    set_num_threads(a.threads);
    live::LiveOptions o;
    if (!a.rows.empty()) std::tie(o.row_first, o.row_end) = parse_rows(a.rows);
    if (!a.centre.empty()) {
        pipeline::ReconOptions parsed;
        pipeline::parse_centre(a.centre, parsed);
        if (parsed.auto_centre) fail("--center auto is not available live (it needs opposite projections); give a column");
        o.centre = parsed.centre.value_or(-1);
    }
    o.window = recon::parse_filter_window(a.filter);
    o.convention = recon::parse_axis_convention(a.convention);
    o.block = a.block;
    o.output = io::parse_data_path(a.out);
    if (o.output.format == io::StackFormat::hdf5 && o.output.dataset.empty()) o.output.dataset = "recon";
    o.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout * 1000));
    o.preview_every = a.preview_every;
    o.preview_dir = a.preview;
    if (a.preview_every > 0 && a.preview.empty() && a.publish.empty())
        fail("--preview-every needs --preview DIR or --publish ADDRESS");
    std::unique_ptr<live::SlicePublisher> publisher;
    if (!a.publish.empty()) {
        publisher = std::make_unique<live::SlicePublisher>(a.publish);
        std::fprintf(stderr, "tomoedge live: publishing slices on %s\n", publisher->endpoint().c_str());
        o.publisher = publisher.get();
    }
    o.stop = &live_stop;
    o.warn = [](const std::string& m) { std::fprintf(stderr, "tomoedge: warning: %s\n", m.c_str()); };

    // The model is loaded (and its backend planned) before the first frame, not after the last.
    std::optional<model::Graph> graph;
    std::unique_ptr<runtime::Denoiser> denoiser;
    if (!a.model.empty()) {
        graph = model::import_onnx(a.model);
        runtime::BackendOptions b;
        b.backend = a.backend;
        b.precision = runtime::parse_precision(a.precision);
        b.threads = a.threads;
        tiling::TileOptions t;
        t.tile = a.tile;
        const auto tiled = tiling::tiled_runner_factory(*graph, t, b);
        denoiser = std::make_unique<runtime::Denoiser>(*graph, b);
        if (tiled) denoiser->set_runner(tiled);
        o.denoiser = denoiser.get();
        o.model = a.model;
    }

    if (a.follow && is_endpoint(a.from)) fail("--follow is for a file being written (SWMR), not {}", a.from);
    const auto source = is_endpoint(a.from) ? live::zmq_source(a.from, live::parse_socket_kind(a.socket))
                        : a.follow          ? live::swmr_source(a.from)
                                            : live::file_source(a.from);
    Progress progress("live", 0, "frame");
    std::int64_t shown = 0;
    live_stop.store(false);
    std::signal(SIGINT, on_live_sigint);
    live::LiveReport r;
    try {
        r = live::run_live(*source, o, [&](const live::LiveProgress& p) {
            progress.advance(p.frames - shown,
                             fmt::format("proj {}/{}, backlog {}, slices {}/{}{}", p.projections,
                                         p.expected >= 0 ? std::to_string(p.expected) : std::string("?"), p.backlog,
                                         p.slices_done, p.slices,
                                         p.latency >= 0 ? fmt::format(", latency {:.2f} s", p.latency) : ""));
            shown = p.frames;
        });
    } catch (...) {
        std::signal(SIGINT, SIG_DFL);
        throw;
    }
    std::signal(SIGINT, SIG_DFL);
    progress.finish();

    const auto& s = r.status;
    if (a.json) {
        print_json({{"output", r.output},
                    {"complete", r.complete()},
                    {"outcome", outcome(r)},
                    {"rows", {r.row_first, r.row_first + r.slices}},
                    {"size", r.cols},
                    {"centre", r.centre},
                    {"projections_received", s.received},
                    {"projections_expected", s.expected},
                    {"missing", s.missing},
                    {"duplicates", s.duplicates},
                    {"refused_frames", r.refused},
                    {"frames", r.frames},
                    {"frames_per_second", r.frames_per_second},
                    {"denoised", r.denoised},
                    {"denoise_seconds", r.denoise_seconds},
                    {"write_seconds", r.write_seconds},
                    {"finish_seconds", r.finish_seconds},
                    {"finish_from_send_seconds", r.finish_from_send},
                    {"max_latency_seconds", r.max_latency},
                    {"seconds", r.seconds},
                    {"peak_rss_mb", static_cast<double>(peak_rss_bytes()) / (1 << 20)},
                    {"timed_out", r.timed_out},
                    {"interrupted", r.interrupted}});
    } else {
        print_table({"live", "value"},
                    {{"output", r.output},
                     {"slices", fmt::format("rows {}:{} ({} x {}), centre {:.2f}", r.row_first, r.row_first + r.slices,
                                            r.cols, r.cols, r.centre)},
                     {"scan", outcome(r)},
                     {"frames", fmt::format("{} ({:.1f} frames/s), {} refused", r.frames, r.frames_per_second, r.refused)},
                     {"denoised", r.denoised ? fmt::format("yes ({:.3f} s)", r.denoise_seconds) : "no"},
                     {"last projection -> written", fmt::format("{:.3f} s", r.finish_seconds)}});
    }
    if (r.complete()) return;
    const std::string wrote = fmt::format("wrote {} slice(s) to {}, marked incomplete (tomoedge.live.complete = false)",
                                          r.slices, r.output);
    if (r.interrupted) fail("interrupted (SIGINT) after {} of {} projections; {}", s.received,
                            s.expected >= 0 ? std::to_string(s.expected) : std::string("?"), wrote);
    if (r.timed_out)
        fail("no frame from {} for {:.0f} s: the sender is gone; {} of {} projections arrived; {}", a.from, a.timeout,
             s.received, s.expected >= 0 ? std::to_string(s.expected) : std::string("?"), wrote);
    fail("projection(s) {} never arrived; {}", missing_list(s.missing), wrote);
}

void add_live_command(CLI::App& app) {
    auto a = std::make_shared<LiveArgs>();
    auto* cmd = app.add_subcommand(
        "live",
        "Reconstruct (and denoise) chosen slices while the scan arrives: frames from a ZeroMQ stream (docs/live.md; "
        "`tomoedge replay` sends one) or a Data Exchange file; each projection is normalised, filtered and "
        "backprojected as it comes, so the slices are ready as soon as the last angle is in. Writes one HDF5 file "
        "atomically; exits non-zero when the scan is incomplete (missing frames, sender gone, SIGINT), after "
        "writing what it has.");
    cmd->add_option("--from", a->from, "tcp://HOST:PORT (the sender binds; live connects) or SCAN.h5")->required();
    cmd->add_flag("--follow", a->follow,
                  "SCAN.h5 is being written in HDF5 SWMR mode: follow /exchange/data as it grows (docs/live.md)");
    cmd->add_option("-o,--out", a->out, "Output FILE.h5:DATASET (default dataset 'recon')")->required();
    cmd->add_option("--socket", a->socket, "pull or sub")->capture_default_str();
    cmd->add_option("--rows", a->rows, "Detector rows FIRST:END to reconstruct (END exclusive; default: all)");
    cmd->add_option("--center", a->centre,
                    "Rotation axis as a detector column (default: the middle, cols // 2, or (cols - 1) / 2 with "
                    "--convention centred), as recon");
    cmd->add_option("--convention", a->convention, "Where the axis is in the image: tomopy or centred, as recon")
        ->capture_default_str();
    cmd->add_option("--filter", a->filter, "Window on the ramp: " + recon::filter_window_names())->capture_default_str();
    cmd->add_option("--block", a->block, "Projections per backprojection pass")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--model", a->model, "ONNX model to denoise the finished slices with");
    cmd->add_option("--backend", a->backend, "reference or onednn")->capture_default_str();
    cmd->add_option("--precision", a->precision, "fp32 or bf16")->capture_default_str();
    cmd->add_option("--tile", a->tile, "Denoise in tiles of N pixels (0 = whole image)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--preview", a->preview, "Folder for PNG previews (slice_ROW.png; up to 8 slices, else the middle one)");
    cmd->add_option("--publish", a->publish,
                    "Publish partial (every --preview-every), reconstructed and denoised slices on a ZeroMQ PUB "
                    "socket bound here, for a viewer (docs/live.md)");
    cmd->add_option("--preview-every", a->preview_every, "Refresh the previews every N projections (0 = at the end only)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--timeout", a->timeout, "Seconds without a frame after which the sender is taken as gone")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_live(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("live", add_live_command);

}  // namespace tomoedge::cli
