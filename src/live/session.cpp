#include "live/session.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "core/volume_view.hpp"
#include "io/hdf5.hpp"
#include "io/png.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <string_view>
#include <thread>

namespace tomoedge::live {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(100);  // how often a quiet loop checks stop and timeout

double unix_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

class Session {
public:
    Session(FrameSource& source, const LiveOptions& o, const std::function<void(const LiveProgress&)>& on_progress)
        : source_(source), o_(o), on_progress_(on_progress) {
        if (o.output.format != io::StackFormat::hdf5) fail("live: the output must be an HDF5 FILE.h5:DATASET, got {}", o.output.str());
        if (o.output.dataset.empty()) fail("live: the output {} names no dataset (FILE.h5:DATASET)", o.output.str());
        if (o.preview_every < 0) fail("live: preview interval must be >= 0, got {}", o.preview_every);
    }

    ~Session() {
        if (warm_up_.joinable()) warm_up_.join();
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    LiveReport run() {
        receive();
        if (!fbp_)
            fail("{}: no frame arrived{} (is the sender running and sending to this address?)", source_.name(),
                 r_.interrupted ? " before the interrupt" : fmt::format(" within {:g} s", seconds(o_.timeout)));
        finish();
        r_.seconds = clock_.seconds();
        return r_;
    }

private:
    static double seconds(std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); }

    void warn(const std::string& message) {
        if (o_.warn) o_.warn(message);
    }

    void receive() {
        auto last_frame = Clock::now();
        while (true) {
            if (o_.stop && o_.stop->load()) {
                r_.interrupted = true;
                return;
            }
            std::optional<ReceivedFrame> frame;
            try {
                frame = source_.next(kPoll);
            } catch (const Error& e) {
                refuse(e.what());
                last_frame = Clock::now();
                continue;
            }
            if (!frame) {
                if (Clock::now() - last_frame > o_.timeout) {
                    r_.timed_out = true;
                    return;
                }
                continue;
            }
            last_frame = Clock::now();
            if (r_.frames++ == 0) first_frame_ = last_frame;
            if (!fbp_ && frame->header.type != FrameType::end) set_up(frame->header);  // errors here end the session
            try {
                if (handle(*frame)) return;
            } catch (const Error& e) {
                refuse(e.what());
            }
            report_progress();
        }
    }

    void refuse(const std::string& why) {
        ++r_.refused;
        warn("refused: " + why);
    }

    // The first frame fixes the detector shape; the rows to reconstruct must lie on it.
    void set_up(const FrameHeader& h) {
        rows_ = h.rows, cols_ = h.cols;
        const std::int64_t end = o_.row_end < 0 ? rows_ : o_.row_end;
        if (o_.row_first < 0 || end > rows_ || o_.row_first >= end)
            fail("{}: rows {}:{} are not on the detector, which has rows 0..{} ({} x {} frames)", source_.name(),
                 o_.row_first, end, rows_ - 1, rows_, cols_);
        IncrementalOptions geometry;
        geometry.slices = end - o_.row_first;
        geometry.cols = cols_;
        geometry.centre = o_.centre;
        geometry.convention = o_.convention;
        geometry.window = o_.window;
        geometry.block = o_.block;
        geometry.source = source_.name();
        fbp_ = std::make_unique<IncrementalFbp>(geometry);
        rows_buffer_.resize(static_cast<std::size_t>(geometry.slices * cols_));
        r_.rows = rows_, r_.cols = cols_, r_.row_first = o_.row_first, r_.slices = geometry.slices;
        r_.centre = fbp_->centre();
        if (o_.denoiser && o_.warm_up) {
            // Beside the receive loop, not in it: planning can take seconds on a busy machine, and
            // frames must keep being taken meanwhile. Joined before the real denoising.
            warm_up_ = std::thread([denoiser = o_.denoiser, size = cols_] {
                try {
                    const Tensor<float> blank(Shape{1, size, size}, 0.0f);
                    Tensor<float> out(Shape{1, size, size});
                    denoiser->denoise(VolumeView(blank), runtime::ValueWindow{0, 1}, out.data());
                } catch (const std::exception&) {
                    // The real run reports any problem with the model.
                }
            });
        }
    }

    // True when the scan is over (end message, or every announced projection in).
    bool handle(const ReceivedFrame& f) {
        const FrameHeader& h = f.header;
        if (h.type == FrameType::end) {
            if (!fbp_) return false;  // an end before any frame: a previous scan's tail; keep waiting
            fbp_->announce(h.projections, h.darks, h.flats);
            r_.ended = true;
            return true;
        }
        if (h.rows != rows_ || h.cols != cols_)
            fail("{}: shape [{}, {}] differs from the scan's [{}, {}] (set by its first frame)", describe(h, f.origin),
                 h.rows, h.cols, rows_, cols_);
        decode_rows(h, f.pixels, o_.row_first, fbp_->slices(), rows_buffer_.data(), f.origin);
        fbp_->announce(h.projections, h.darks, h.flats);
        // A reference frame sent again (for receivers that join late) is expected: no warning.
        Reference reference = Reference::used;
        switch (h.type) {
            case FrameType::dark: reference = fbp_->add_dark(h.index, rows_buffer_.data()); break;
            case FrameType::flat: reference = fbp_->add_flat(h.index, rows_buffer_.data()); break;
            case FrameType::projection:
                if (fbp_->add_projection(h.index, h.angle_deg, rows_buffer_.data()))
                    on_projection(h);
                else
                    warn(fmt::format("ignored: {} (this index already arrived)", describe(h, f.origin)));
                break;
            case FrameType::end: break;
        }
        if (reference == Reference::late)
            warn(fmt::format("ignored: {} (the flat/dark reference was already fixed without it)", describe(h, f.origin)));
        if (fbp_->all_received()) {
            r_.ended = true;
            return true;
        }
        return false;
    }

    void on_projection(const FrameHeader& h) {
        last_projection_ = Clock::now();
        if (h.sent_at) {
            last_sent_at_ = *h.sent_at;
            latency_ = unix_seconds() - *h.sent_at;
            r_.max_latency = std::max(r_.max_latency, latency_);
        }
        if (o_.preview_every > 0 && (!o_.preview_dir.empty() || o_.publisher) &&
            fbp_->received() % o_.preview_every == 0) {
            fbp_->flush();
            const Tensor<float> partial = fbp_->read_slices();
            write_previews(partial, "");
            publish(partial, "partial", preview_slices(partial.dim(0)));
        }
    }

    void report_progress() {
        if (!on_progress_ || !fbp_) return;
        LiveProgress p;
        p.frames = r_.frames;
        p.projections = fbp_->received();
        p.expected = fbp_->expected();
        p.backlog = fbp_->backlog();
        p.slices = fbp_->slices();
        p.slices_done = 0;
        const double elapsed = std::chrono::duration<double>(Clock::now() - first_frame_).count();
        p.frames_per_second = elapsed > 0 ? static_cast<double>(r_.frames - 1) / elapsed : 0;
        p.latency = latency_;
        on_progress_(p);
    }

    // Slices to preview: all when few, else the middle one (a volume would write thousands).
    static std::vector<std::int64_t> preview_slices(std::int64_t n) {
        std::vector<std::int64_t> chosen;
        if (n <= 8)
            for (std::int64_t s = 0; s < n; ++s) chosen.push_back(s);
        else
            chosen.push_back(n / 2);
        return chosen;
    }

    void write_previews(const Tensor<float>& slices, const std::string& suffix) {
        if (o_.preview_dir.empty()) return;
        std::filesystem::create_directories(o_.preview_dir);
        const std::int64_t size = slices.dim(1);
        for (std::int64_t s : preview_slices(slices.dim(0)))
            io::write_png_preview(o_.preview_dir / fmt::format("slice_{:05d}{}.png", o_.row_first + s, suffix),
                                  {slices.outer(s), static_cast<std::size_t>(size * size)}, size, size);
    }

    void publish(const Tensor<float>& slices, const char* stage, const std::vector<std::int64_t>& which) {
        if (!o_.publisher) return;
        SliceInfo info;
        info.size = slices.dim(1);
        info.stage = stage;
        info.projections = fbp_->received();
        info.expected = fbp_->expected();
        info.complete = std::string_view(stage) != "partial" && r_.complete();
        for (std::int64_t s : which) {
            info.row = o_.row_first + s;
            o_.publisher->publish(info, slices.outer(s));
        }
    }

    static std::vector<std::int64_t> all_slices(std::int64_t n) {
        std::vector<std::int64_t> v(static_cast<std::size_t>(n));
        for (std::int64_t s = 0; s < n; ++s) v[static_cast<std::size_t>(s)] = s;
        return v;
    }

    void finish() {
        fbp_->finish();  // Error when no dark or flat ever came: nothing can be normalised
        r_.status = fbp_->status();
        r_.stats = fbp_->normalise_stats();
        const double elapsed = std::chrono::duration<double>(last_projection_ - first_frame_).count();
        r_.frames_per_second = elapsed > 0 ? static_cast<double>(r_.frames - 1) / elapsed : 0;
        Tensor<float> recon = fbp_->read_slices();
        std::optional<Tensor<float>> denoised;
        if (warm_up_.joinable()) warm_up_.join();
        if (o_.denoiser) {
            Stopwatch t;
            const VolumeView view(recon);
            denoised = Tensor<float>(recon.shape());
            o_.denoiser->denoise(view, o_.denoiser->window_for(view), denoised->data());
            r_.denoise_seconds = t.seconds();
            r_.denoised = true;
        }
        Stopwatch t;
        write(recon, denoised ? &*denoised : nullptr);
        r_.write_seconds = t.seconds();
        if (r_.status.received > 0) {
            r_.finish_seconds = since(last_projection_);
            if (last_sent_at_ > 0) r_.finish_from_send = unix_seconds() - last_sent_at_;
        }
        write_previews(recon, "");
        if (denoised) write_previews(*denoised, "_denoised");
        publish(recon, "reconstructed", all_slices(recon.dim(0)));
        if (denoised) publish(*denoised, "denoised", all_slices(denoised->dim(0)));
    }

    std::string attribute_json() const {
        const ScanStatus& s = r_.status;
        constexpr std::size_t kListed = 1000;  // keep the attribute small; missing_count has the total
        std::vector<std::int64_t> listed(s.missing.begin(),
                                         s.missing.begin() + static_cast<std::ptrdiff_t>(std::min(kListed, s.missing.size())));
        nlohmann::json j{{"complete", r_.complete()},
                         {"projections_expected", s.expected},
                         {"projections_received", s.received},
                         {"missing_count", s.missing.size()},
                         {"missing", listed},
                         {"duplicates", s.duplicates},
                         {"refused_frames", r_.refused},
                         {"darks", s.darks},
                         {"flats", s.flats},
                         {"rows", {r_.row_first, r_.row_first + r_.slices}},
                         {"centre", r_.centre},
                         {"filter", recon::filter_window_name(o_.window)},
                         {"ended", r_.ended},
                         {"timed_out", r_.timed_out},
                         {"interrupted", r_.interrupted},
                         {"denoised", r_.denoised ? nlohmann::json(o_.model) : nlohmann::json(nullptr)},
                         {"source", source_.name()}};
        return j.dump();
    }

    // One file, all at once: written to a temporary beside the target and renamed, so a reader
    // never sees half a slice (io::Hdf5Writer is atomic).
    void write(const Tensor<float>& recon, const Tensor<float>* denoised) {
        io::Hdf5Writer w(o_.output.file);
        const std::string dataset = io::absolute_dataset_name(o_.output.dataset);
        const io::DatasetOptions options{DType::f32, 1, 0};
        w.write(dataset, denoised ? *denoised : recon, options);
        if (denoised) w.write(dataset + "_fbp", recon, options);
        const std::string attribute = attribute_json();
        w.set_string_attribute(dataset, "tomoedge.live", attribute);
        w.set_string_attribute(dataset, "tomoedge.live.complete", r_.complete() ? "true" : "false");
        if (denoised) w.set_string_attribute(dataset + "_fbp", "tomoedge.live", attribute);
        w.commit();
        r_.output = o_.output.file.string() + ":" + dataset;
    }

    FrameSource& source_;
    const LiveOptions& o_;
    std::function<void(const LiveProgress&)> on_progress_;
    std::unique_ptr<IncrementalFbp> fbp_;
    std::vector<float> rows_buffer_;
    std::int64_t rows_ = 0, cols_ = 0;
    Stopwatch clock_;
    Clock::time_point first_frame_ = Clock::now(), last_projection_ = Clock::now();
    double last_sent_at_ = -1, latency_ = -1;
    LiveReport r_;
    std::thread warm_up_;
};

}  // namespace

LiveReport run_live(FrameSource& source, const LiveOptions& options,
                    const std::function<void(const LiveProgress&)>& on_progress) {
    return Session(source, options, on_progress).run();
}

}  // namespace tomoedge::live
