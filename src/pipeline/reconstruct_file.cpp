#include "pipeline/reconstruct_file.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "io/data_exchange.hpp"
#include "recon/angle_split.hpp"
#include "recon/dose.hpp"
#include "recon/fbp.hpp"
#include "recon/rotation_centre.hpp"

#include <algorithm>
#include <charconv>

namespace tomoedge::pipeline {

using namespace recon;
namespace {

std::int64_t parse_int(std::string_view s, const std::string& whole) {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) fail("--rows '{}': expected FIRST:END (e.g. 100:200)", whole);
    return v;
}

}  // namespace

void parse_centre(const std::string& text, ReconOptions& options) {
    if (text.empty()) return;
    if (text == "auto") {
        options.auto_centre = true;
        return;
    }
    double c = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), c);
    if (ec != std::errc() || p != text.data() + text.size())
        fail("--center '{}': expected a detector column (e.g. 511.5) or 'auto'", text);
    options.centre = c;
}

std::pair<std::int64_t, std::int64_t> parse_row_range(const std::string& text, std::int64_t rows) {
    const auto colon = text.find(':');
    if (colon == std::string::npos) fail("--rows '{}': expected FIRST:END (e.g. 100:200)", text);
    const std::string_view a = std::string_view(text).substr(0, colon), b = std::string_view(text).substr(colon + 1);
    const std::int64_t first = a.empty() ? 0 : parse_int(a, text);
    const std::int64_t end = b.empty() ? rows : parse_int(b, text);
    if (first < 0 || end > rows || first >= end)
        fail("--rows {}: the detector has rows 0..{} (END is exclusive and must be > FIRST)", text, rows);
    return {first, end - first};
}

namespace {

struct RowRange {
    std::int64_t first = 0, count = 0;
};

RowRange checked_rows(const std::filesystem::path& input, const io::ProjectionInfo& info, const ReconOptions& o) {
    const std::int64_t first = o.row_first;
    const std::int64_t count = o.row_count < 0 ? info.rows - first : o.row_count;
    if (first < 0 || count < 1 || first + count > info.rows)
        fail("{}: rows {}..{} are outside the detector (0..{})", input.string(), first, first + count, info.rows);
    if (o.slab_rows < 1) fail("slab rows must be >= 1, got {}", o.slab_rows);
    return {first, count};
}

// Fills s.centre and s.centre_source: found in the data, given, or the middle of the detector.
void resolve_centre(const std::filesystem::path& input, const io::ProjectionInfo& info, const ReconOptions& o,
                    RowRange rows, ReconSummary& s) {
    const std::string source = input.string();
    if (o.auto_centre) {
        // Up to 16 rows around the middle of the range: enough signal, little I/O.
        const std::int64_t n = std::min<std::int64_t>(16, rows.count);
        const std::int64_t mid = rows.first + (rows.count - n) / 2;
        const Projections p = io::read_projections(input, mid, n);
        NormaliseStats ignored;
        const Tensor<float> sino = normalise(p, ignored, NormaliseOptions{0.5f, source});
        s.centre = find_rotation_centre(sino.data(), n, info.angles, info.cols, p.theta_deg);
        s.centre_source = "auto (opposite-projection matching)";
    } else if (o.centre) {
        s.centre = *o.centre;
        s.centre_source = "given";
    } else {
        s.centre = default_centre(info.cols, o.convention);
        s.centre_source = o.convention == AxisConvention::tomopy ? "middle, cols // 2" : "middle, (cols - 1) / 2";
    }
    if (!(s.centre >= 0 && s.centre <= static_cast<double>(info.cols - 1)))
        fail("{}: rotation centre {} is outside the detector columns 0..{}", source, s.centre, info.cols - 1);
}

}  // namespace


ReconSummary reconstruct_file(const std::filesystem::path& input, const io::DataPath& output,
                              const ReconOptions& o, const std::function<void(std::int64_t, std::int64_t)>& on_slab) {
    Stopwatch clock;
    const io::ProjectionInfo info = io::read_projection_info(input);
    const RowRange rows = checked_rows(input, info, o);
    const std::string source = input.string();
    const std::vector<std::int64_t> kept = selected_angles(info.angles, o.angles);
    const bool all_angles = o.angles.subsets == 0;

    ReconSummary s;
    s.slices = rows.count, s.size = info.cols, s.angles = static_cast<std::int64_t>(kept.size()), s.cols = info.cols;
    resolve_centre(input, info, o, rows, s);

    std::unique_ptr<Fbp> fbp;
    auto writer = io::StackWriter::create(output, Shape{rows.count, info.cols, info.cols}, o.write);
    for (std::int64_t r = rows.first; r < rows.first + rows.count; r += o.slab_rows) {
        const std::int64_t n = std::min(o.slab_rows, rows.first + rows.count - r);
        Projections p = io::read_projections(input, r, n);
        if (!all_angles) p = select_views(p, kept);
        if (!fbp) fbp = std::make_unique<Fbp>(p.theta_deg, info.cols, FbpOptions{o.window, s.centre, info.cols, o.convention, o.mask_outside_field_of_view});
        const Tensor<float> sino = normalise(p, s.stats, NormaliseOptions{0.5f, source});
        writer->write(r - rows.first, fbp->reconstruct(sino));
        if (on_slab) on_slab(r - rows.first + n, rows.count);
    }
    writer->commit();
    s.seconds = clock.seconds();
    return s;
}

std::vector<Tensor<float>> reconstruct_subsets_file(const std::filesystem::path& input, const ReconOptions& o,
                                                    int subsets, ReconSummary* summary) {
    Stopwatch clock;
    const io::ProjectionInfo info = io::read_projection_info(input);
    const RowRange rows = checked_rows(input, info, o);
    const std::string source = input.string();
    ReconSummary s;
    s.slices = rows.count, s.size = info.cols, s.angles = info.angles, s.cols = info.cols;
    {
        const Projections first = io::read_projections(input, rows.first, 1);
        check_half_turn(first.theta_deg, source);
        try {
            interleaved_angle_subsets(info.angles, subsets);
        } catch (const Error& e) {
            fail("{}: {}", source, e.what());
        }
    }
    resolve_centre(input, info, o, rows, s);

    std::vector<Tensor<float>> volumes;
    for (int j = 0; j < subsets; ++j) volumes.emplace_back(Shape{rows.count, info.cols, info.cols});
    std::unique_ptr<SubsetFbp> fbp;
    for (std::int64_t r = rows.first; r < rows.first + rows.count; r += o.slab_rows) {
        const std::int64_t n = std::min(o.slab_rows, rows.first + rows.count - r);
        const Projections p = io::read_projections(input, r, n);
        const Tensor<float> sino = normalise(p, s.stats, NormaliseOptions{0.5f, source});
        if (!fbp) fbp = std::make_unique<SubsetFbp>(p.theta_deg, info.cols, subsets, FbpOptions{o.window, s.centre, info.cols, o.convention, o.mask_outside_field_of_view});
        const auto parts = fbp->reconstruct(sino);
        const std::int64_t slice = info.cols * info.cols;
        for (int j = 0; j < subsets; ++j)
            std::copy(parts[static_cast<std::size_t>(j)].data(), parts[static_cast<std::size_t>(j)].data() + n * slice,
                      volumes[static_cast<std::size_t>(j)].outer(r - rows.first));
    }
    s.seconds = clock.seconds();
    if (summary) *summary = s;
    return volumes;
}

}  // namespace tomoedge::pipeline
