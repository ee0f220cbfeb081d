#pragma once
// A tile plan: the image cut into cores on the pooling grid, each run inside a window that adds a
// halo of real neighbouring pixels. Windows live on the "canvas": the image padded at the bottom
// and right to the pooling multiple by edge replication, exactly as the whole-image path pads, so
// a core whose halo covers the receptive field sees what the whole image would have seen there.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tomoedge::tiling {

struct Rect {
    std::int64_t y = 0, x = 0, height = 0, width = 0;
    bool operator==(const Rect&) const = default;
};

struct Tile {
    Rect core;    // image pixels this tile writes (clipped to the image)
    Rect window;  // canvas pixels the network sees (contains the core)
};

struct TilePlan {
    std::int64_t height = 0, width = 0;                // image
    std::array<std::int64_t, 2> canvas{0, 0};          // image rounded up to the multiple
    std::array<std::int64_t, 2> tile{0, 0};            // core size (the last row/column may be smaller)
    std::array<std::int64_t, 2> halo{0, 0};            // as used: rounded up to the multiple
    std::array<std::int64_t, 2> window{0, 0};          // the largest window (tile + 2 halos, within the canvas)
    std::array<std::int64_t, 2> edge_window{0, 0};     // the window of a tile that touches the canvas edge
    std::vector<Tile> tiles;                           // row-major
};

/// Plans tiles of `tile` (H, W) pixels for an image of height x width. Tile sizes must be positive
/// multiples of `multiple`; halos (>= 0) are rounded up to it. Core origins are multiples of the tile
/// size. Each window is core +- halo clipped to the canvas (never padded), then grown inward to one
/// of two sizes per axis: `edge_window` (tile + one halo) where the clipped window fits in it, else
/// `window` (tile + two halos). Tiles at the image border thus skip the context they cannot have
/// (less work than one uniform size), while a plan has at most 4 window shapes (backends plan
/// memory per shape; batches stack equal shapes). Windows start on the grid and never exceed the
/// canvas. Throws Error for a non-positive or off-grid tile size.
TilePlan plan_tiles(std::int64_t height, std::int64_t width, std::array<std::int64_t, 2> tile,
                    std::array<std::int64_t, 2> halo, std::array<std::int64_t, 2> multiple);

}  // namespace tomoedge::tiling
