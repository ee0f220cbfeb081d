#pragma once
// A live session: frames from a source -> incremental FBP of the chosen detector rows -> (when
// the scan is complete, the sender is gone or the user stops) optional denoising -> one HDF5 file
// written atomically, with PNG previews on the way. The pipeline behind `tomoedge live`; it takes
// plain options (no command-line flags) and a Denoiser the caller set up.
#include "io/data_path.hpp"
#include "live/frame_source.hpp"
#include "live/incremental_fbp.hpp"
#include "live/publisher.hpp"
#include "runtime/denoiser.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace tomoedge::live {

struct LiveOptions {
    std::int64_t row_first = 0, row_end = -1;  // detector rows [first, end) to reconstruct; -1: to the last
    double centre = -1;                        // < 0: the convention's default, as `recon`
    recon::AxisConvention convention = recon::AxisConvention::tomopy;  // recon/geometry.hpp
    recon::FilterWindow window = recon::FilterWindow::shepp_logan;
    std::int64_t block = 32;                   // projections per backprojection pass
    io::DataPath output;                       // HDF5 FILE:DATASET
    runtime::Denoiser* denoiser = nullptr;     // denoise the finished slices (optional)
    std::string model;                         // the model's name, recorded in the file
    /// Run the denoiser once on a blank slice when the first frame fixes the size, so its one-time
    /// planning (oneDNN primitives, memory) happens during the scan, not after the last projection.
    bool warm_up = true;
    std::int64_t preview_every = 0;            // previews every N projections (0: only at the end)
    std::filesystem::path preview_dir;         // where previews go (empty: none)
    SlicePublisher* publisher = nullptr;       // also publish previews and finished slices (optional)
    std::chrono::milliseconds timeout = std::chrono::seconds(60);  // no frame for this long: the sender is gone
    const std::atomic<bool>* stop = nullptr;   // set by SIGINT: stop receiving, write what is done
    std::function<void(const std::string&)> warn;  // refused or ignored frames, one line each
};

/// What on_progress sees after each frame.
struct LiveProgress {
    std::int64_t frames = 0;          // messages received (all types)
    std::int64_t projections = 0;     // distinct projections accepted
    std::int64_t expected = -1;
    std::int64_t backlog = 0;         // projections accepted but not yet backprojected
    std::int64_t slices_done = 0, slices = 0;
    double frames_per_second = 0;
    double latency = -1;              // s from the sender's stamp to this frame's processing (-1: not stamped)
};

struct LiveReport {
    ScanStatus status;
    std::int64_t rows = 0, cols = 0, row_first = 0, slices = 0;
    double centre = 0;
    std::int64_t frames = 0, refused = 0;
    bool ended = false;        // the end message arrived (or every announced projection)
    bool timed_out = false, interrupted = false;
    bool denoised = false;
    std::string output;        // what was written ("" if nothing)
    double seconds = 0;              // whole session
    double frames_per_second = 0;    // first to last frame
    double finish_seconds = -1;      // last projection received -> file committed
    double finish_from_send = -1;    // sender's stamp of the last projection -> file committed
    double denoise_seconds = 0, write_seconds = 0;
    double max_latency = -1;         // worst sender stamp -> processed, over the projections
    recon::NormaliseStats stats;
    bool complete() const { return status.complete() && !interrupted; }
};

/// Runs a session until the scan is complete, the end message arrives, `timeout` passes without a
/// frame or `stop` is set; then finishes, denoises and writes. The file's dataset attribute
/// "tomoedge.live" (JSON) says whether the slices are complete and which projections are missing.
/// Error when nothing can be written (no frame, no dark or flat field, rows outside the detector).
LiveReport run_live(FrameSource& source, const LiveOptions& options,
                    const std::function<void(const LiveProgress&)>& on_progress = {});

}  // namespace tomoedge::live
