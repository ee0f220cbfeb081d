#include "recon/reconstruct_file.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "io/data_exchange.hpp"
#include "recon/fbp.hpp"
#include "recon/rotation_centre.hpp"

#include <algorithm>
#include <charconv>

namespace tomoedge::recon {
namespace {

std::int64_t parse_int(std::string_view s, const std::string& whole) {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) fail("--rows '{}': expected FIRST:END (e.g. 100:200)", whole);
    return v;
}

}  // namespace

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

ReconSummary reconstruct_file(const std::filesystem::path& input, const io::DataPath& output,
                              const ReconOptions& o, const std::function<void(std::int64_t, std::int64_t)>& on_slab) {
    Stopwatch clock;
    const io::ProjectionInfo info = io::read_projection_info(input);
    const std::int64_t first = o.row_first;
    const std::int64_t count = o.row_count < 0 ? info.rows - first : o.row_count;
    if (first < 0 || count < 1 || first + count > info.rows)
        fail("{}: rows {}..{} are outside the detector (0..{})", input.string(), first, first + count, info.rows);
    if (o.slab_rows < 1) fail("slab rows must be >= 1, got {}", o.slab_rows);

    ReconSummary s;
    s.slices = count, s.size = info.cols, s.angles = info.angles, s.cols = info.cols;
    const std::string source = input.string();
    if (o.auto_centre) {
        // Up to 16 rows around the middle of the range: enough signal, little I/O.
        const std::int64_t n = std::min<std::int64_t>(16, count);
        const std::int64_t mid = first + (count - n) / 2;
        const io::Projections p = io::read_projections(input, mid, n);
        NormaliseStats ignored;
        const Tensor<float> sino = normalise(p, ignored, NormaliseOptions{0.5f, source});
        s.centre = find_rotation_centre(sino.data(), n, info.angles, info.cols, p.theta_deg);
        s.centre_source = "auto (opposite-projection matching)";
    } else if (o.centre) {
        s.centre = *o.centre;
        s.centre_source = "given";
    } else {
        s.centre = static_cast<double>(info.cols - 1) / 2.0;
        s.centre_source = "middle";
    }
    if (!(s.centre >= 0 && s.centre <= static_cast<double>(info.cols - 1)))
        fail("{}: rotation centre {} is outside the detector columns 0..{}", source, s.centre, info.cols - 1);

    std::unique_ptr<Fbp> fbp;
    std::vector<float> theta;
    auto writer = io::StackWriter::create(output, Shape{count, info.cols, info.cols}, o.write);
    for (std::int64_t r = first; r < first + count; r += o.slab_rows) {
        const std::int64_t n = std::min(o.slab_rows, first + count - r);
        const io::Projections p = io::read_projections(input, r, n);
        if (!fbp) {
            theta = p.theta_deg;
            fbp = std::make_unique<Fbp>(theta, info.cols, FbpOptions{o.window, s.centre, info.cols});
        }
        const Tensor<float> sino = normalise(p, s.stats, NormaliseOptions{0.5f, source});
        writer->write(r - first, fbp->reconstruct(sino));
        if (on_slab) on_slab(r - first + n, count);
    }
    writer->commit();
    s.seconds = clock.seconds();
    return s;
}

}  // namespace tomoedge::recon
