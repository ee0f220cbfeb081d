# SSIM / image quality on one 1024 x 1024 slice (what `tomoedge compare` does per slice).
tomoedge_bench(bench_metrics SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_metrics.cpp DEPS tomoedge::metrics)
