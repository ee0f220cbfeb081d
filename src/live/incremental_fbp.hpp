#pragma once
// Filtered backprojection as projections arrive, for a chosen range of detector rows (slices).
//
// Each projection is normalised (FlatField: recon's per-value formula), filtered per detector row
// (recon::RampFilter) and parked in a block; every `block` projections the block is
// backprojected into a scratch image per slice (recon::Backprojector, weight 1) and added to that
// slice's running sum. FBP is a sum over angles, so arrival order does not matter, and when every
// angle is in, sum x pi / total equals the batch `tomoedge recon` of the same data up to float
// rounding (the batch kernel sums the same terms in one pass).
//
// The weight pi / total is applied when slices are read out, not when summing, so the total number
// of projections need not be known in advance: it is the announced total (a header's "projections"
// or the end message) when known, else the number received so far (a preview of a partial scan).
//
// Projections that arrive before the flat and dark fields are complete are held (raw) and
// processed once the reference is fixed: when the announced numbers of darks and flats are in, or
// (none announced) at the first projection after at least one dark and one flat, or at finish().
#include "core/tensor.hpp"
#include "live/flat_field.hpp"
#include "recon/fbp_filter.hpp"
#include "recon/geometry.hpp"
#include "recon/normalise.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tomoedge::live {

/// What became of a dark or flat frame.
enum class Reference {
    used,      // stored for the reference (or a duplicate before it was fixed: kept once)
    repeated,  // the reference is fixed and was made with this index (a sender re-sending it)
    late,      // the reference is fixed without this index: ignored (worth a warning)
};

struct IncrementalOptions {
    std::int64_t slices = 1;   // detector rows reconstructed (frames handed in hold just these rows)
    std::int64_t cols = 0;     // detector columns; the image is cols x cols, as in `recon`
    double centre = -1;        // rotation axis (detector column); < 0: the convention's default, as `recon`
    recon::AxisConvention convention = recon::AxisConvention::tomopy;  // recon/geometry.hpp
    recon::FilterWindow window = recon::FilterWindow::shepp_logan;
    std::int64_t block = 32;   // projections per backprojection pass
    float floor = 0.5f;        // counts for readings at or below dark (recon::NormaliseOptions)
    std::string source = "live";  // named in errors
};

/// Where the scan stands.
struct ScanStatus {
    std::int64_t received = 0;       // distinct projections accepted
    std::int64_t backprojected = 0;  // of them, summed into the slices
    std::int64_t pending = 0;        // filtered, waiting for their block
    std::int64_t held = 0;           // waiting for the flat and dark fields
    std::int64_t duplicates = 0;     // projections whose index had already arrived (ignored)
    std::int64_t late_references = 0;  // new darks/flats after the reference was fixed (ignored)
    std::int64_t repeated_references = 0;  // darks/flats sent again after the reference was fixed
    std::int64_t darks = 0, flats = 0;
    std::int64_t expected = -1;      // announced total, -1 if not known
    std::vector<std::int64_t> missing;  // indices below the total (or the highest seen) never received
    bool complete() const { return expected >= 0 && received == expected && missing.empty(); }
};

class IncrementalFbp {
public:
    explicit IncrementalFbp(const IncrementalOptions& options);
    ~IncrementalFbp();
    IncrementalFbp(const IncrementalFbp&) = delete;
    IncrementalFbp& operator=(const IncrementalFbp&) = delete;

    /// Scan totals, when a sender announces them (-1 leaves a value unchanged). Error when a
    /// total contradicts one given before or projections already received.
    void announce(std::int64_t projections, std::int64_t darks, std::int64_t flats);

    /// Frames of slices x cols values (the reconstructed rows only).
    Reference add_dark(std::int64_t index, const float* rows);
    Reference add_flat(std::int64_t index, const float* rows);
    /// False when that index already arrived (ignored).
    bool add_projection(std::int64_t index, double angle_deg, const float* rows);

    /// Backprojects the projections waiting in the current block (for an up-to-date preview).
    void flush();
    /// End of scan: fixes the reference from what arrived (Error without a dark or a flat),
    /// processes held projections and flushes.
    void finish();

    /// Slice `s` as it stands (cols x cols values into `out`), weighted pi / total; zeros before
    /// any projection was summed. Call flush() first to include the current block.
    void read_slice(std::int64_t s, float* out) const;
    /// All slices, (slices, cols, cols).
    Tensor<float> read_slices() const;

    ScanStatus status() const;
    /// Every announced projection has arrived (cheap; status() lists what is missing).
    bool all_received() const { return expected_ >= 0 && received_ == expected_; }
    std::int64_t received() const { return received_; }
    std::int64_t expected() const { return expected_; }
    /// Accepted but not yet summed into the slices (held for the reference, or in the block).
    std::int64_t backlog() const {
        return static_cast<std::int64_t>(held_.size() + block_theta_.size());
    }
    std::int64_t slices() const { return options_.slices; }
    std::int64_t size() const { return options_.cols; }
    double centre() const { return centre_; }
    const recon::NormaliseStats& normalise_stats() const { return stats_; }

private:
    struct Held {
        double angle_deg;
        std::vector<float> rows;
    };
    void try_fix_reference(bool force);
    void process(double angle_deg, const float* rows);

    IncrementalOptions options_;
    double centre_;
    FlatField flat_;
    std::unique_ptr<recon::RampFilter> filter_;
    std::int64_t expected_ = -1, expected_darks_ = -1, expected_flats_ = -1;
    std::vector<bool> seen_;  // by projection index
    std::int64_t received_ = 0, backprojected_ = 0, duplicates_ = 0, late_references_ = 0, repeated_references_ = 0;
    std::vector<Held> held_;
    Tensor<float> block_;              // (slices, block, cols): filtered rows of the pending projections
    std::vector<float> block_theta_;   // their angles, radians
    Tensor<float> sums_;               // (slices, cols, cols): sum over angles, weight 1
    Tensor<float> scratch_;            // one slice
    recon::NormaliseStats stats_;
};

}  // namespace tomoedge::live
