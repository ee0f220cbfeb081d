#include "tiling/tile_plan.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace tomoedge::tiling {
namespace {

std::int64_t round_up(std::int64_t size, std::int64_t multiple) { return (size + multiple - 1) / multiple * multiple; }

}  // namespace

TilePlan plan_tiles(std::int64_t height, std::int64_t width, std::array<std::int64_t, 2> tile,
                    std::array<std::int64_t, 2> halo, std::array<std::int64_t, 2> multiple) {
    if (height <= 0 || width <= 0) fail("tiling: cannot tile an empty image ({} x {})", height, width);
    TilePlan plan;
    plan.height = height;
    plan.width = width;
    const std::array<std::int64_t, 2> image{height, width};
    for (std::size_t a = 0; a < 2; ++a) {
        if (multiple[a] <= 0) fail("tiling: pooling multiple {} is not positive", multiple[a]);
        if (tile[a] <= 0 || tile[a] % multiple[a] != 0)
            fail("tiling: tile size {} is not a positive multiple of the network's pooling multiple {}", tile[a],
                 multiple[a]);
        if (halo[a] < 0) fail("tiling: halo {} is negative", halo[a]);
        plan.canvas[a] = round_up(image[a], multiple[a]);
        plan.tile[a] = tile[a];
        plan.halo[a] = round_up(halo[a], multiple[a]);
        plan.window[a] = std::min(plan.canvas[a], tile[a] + 2 * plan.halo[a]);
        plan.edge_window[a] = std::min(plan.canvas[a], tile[a] + plan.halo[a]);
    }
    // One axis: the window of the core [origin, origin + core) as (start, size).
    auto place = [&plan](std::size_t a, std::int64_t origin, std::int64_t core) {
        const std::int64_t lo = std::max<std::int64_t>(0, origin - plan.halo[a]);
        const std::int64_t hi = std::min(plan.canvas[a], origin + core + plan.halo[a]);
        const std::int64_t size = hi - lo <= plan.edge_window[a] ? plan.edge_window[a] : plan.window[a];
        // All terms are multiples of the multiple, so the window origin stays on the pooling grid;
        // growing inward keeps [lo, hi) inside because a clipped window touches a canvas end.
        return std::pair{std::min(lo, plan.canvas[a] - size), size};
    };
    for (std::int64_t y = 0; y < height; y += tile[0])
        for (std::int64_t x = 0; x < width; x += tile[1]) {
            Tile t;
            t.core = {y, x, std::min(tile[0], height - y), std::min(tile[1], width - x)};
            std::tie(t.window.y, t.window.height) = place(0, y, t.core.height);
            std::tie(t.window.x, t.window.width) = place(1, x, t.core.width);
            plan.tiles.push_back(t);
        }
    return plan;
}

}  // namespace tomoedge::tiling
