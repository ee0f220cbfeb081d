# Whole-image vs seam-free tiled time of one slice, split into model / partition / stitch (issue 7).
tomoedge_bench(bench_tiling SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_tiling.cpp DEPS tomoedge::tiling)
