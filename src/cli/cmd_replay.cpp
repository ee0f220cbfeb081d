// `tomoedge replay SCAN.h5 --to tcp://127.0.0.1:PORT`: sends a Data Exchange file as a live
// stream (docs/live.md), for testing `tomoedge live` and for trying it without a detector. The
// work is in live/replay.hpp.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "live/replay.hpp"

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

std::atomic<bool> replay_stop{false};
extern "C" void on_replay_sigint(int) { replay_stop.store(true); }

struct ReplayArgs {
    std::string scan, to, socket = "push";
    double rate = 0, timeout = 60;
    std::int64_t skip = -1, references_every = 0;
    bool json = false;
};

void run_replay(const ReplayArgs& a) {
    live::FrameSender sender(a.to, live::parse_socket_kind(a.socket),
                             std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout * 1000)));
    // The bound address first, on its own line (tests bind port * and read the port from it).
    std::fprintf(stderr, "tomoedge replay: sending on %s\n", sender.endpoint().c_str());
    std::fflush(stderr);
    live::ReplayOptions o;
    o.rate = a.rate;
    o.wait = std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout * 1000));
    o.skip_projection = a.skip;
    o.references_every = a.references_every;
    o.stop = &replay_stop;
    Progress progress("replay", 0, "frame");
    o.on_frame = [&](std::int64_t, std::int64_t) { progress.advance(1); };
    std::signal(SIGINT, on_replay_sigint);
    const live::ReplaySummary s = live::replay_file(a.scan, sender, o);
    std::signal(SIGINT, SIG_DFL);
    progress.finish();
    const double rate = s.seconds > 0 ? static_cast<double>(s.frames) / s.seconds : 0;
    if (a.json) {
        print_json({{"scan", a.scan},
                    {"to", sender.endpoint()},
                    {"darks", s.darks},
                    {"flats", s.flats},
                    {"projections", s.projections},
                    {"seconds", s.seconds},
                    {"frames_per_second", rate},
                    {"references_resent", s.references_resent},
                    {"stopped", s.stopped}});
    } else {
        print_table({"replay", "value"},
                    {{"to", sender.endpoint()},
                     {"frames", fmt::format("{} darks, {} flats, {} projections{}", s.darks, s.flats, s.projections,
                                            s.stopped ? " (stopped: no end message sent)" : " + end")},
                     {"seconds", fmt::format("{:.2f} ({:.1f} frames/s)", s.seconds, rate)}});
    }
    if (s.stopped) fail("replay interrupted (SIGINT) after {} frames", s.frames);
}

void add_replay_command(CLI::App& app) {
    auto a = std::make_shared<ReplayArgs>();
    auto* cmd = app.add_subcommand(
        "replay",
        "Send a Data Exchange file as a live stream (docs/live.md): darks, flats, then projections, one ZeroMQ "
        "message per frame (JSON header + raw pixels), then an end message. Binds the address; `tomoedge live "
        "--from ADDRESS` connects to it.");
    cmd->add_option("SCAN", a->scan, "Data Exchange HDF5 file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--to", a->to, "ZeroMQ address to bind, e.g. tcp://127.0.0.1:5555 (port * picks a free one)")
        ->required();
    cmd->add_option("--rate", a->rate, "Frames per second (0 = as fast as the receiver takes them)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--socket", a->socket, "push (no frame lost; waits for a receiver) or pub (a slow receiver misses frames)")
        ->capture_default_str();
    cmd->add_option("--timeout", a->timeout, "Seconds a frame may wait for a receiver before giving up")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--skip-projection", a->skip, "Leave projection N out (to try missing-frame handling)");
    cmd->add_option("--references-every", a->references_every,
                    "Send the darks and flats again after every N projections, so a receiver started mid-scan can "
                    "normalise (0 = only at the start)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_replay(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("replay", add_replay_command);

}  // namespace tomoedge::cli
