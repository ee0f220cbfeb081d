# FBP of one 1024 x 1024 slice from 1024 angles x 1024 detector pixels (issue 3's speed target).
tomoedge_bench(bench_fbp SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_fbp.cpp DEPS tomoedge::recon)
