# The fused Fine-Tune tail alone, per path and thread count (issue 8: its cost against the generator).
tomoedge_bench(bench_finetune_tail SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_finetune_tail.cpp DEPS tomoedge::runtime)
