# Per-tensor int8 sensitivity of a QDQ model (README "int8 accuracy"): an analysis tool, not a timing.
tomoedge_bench(quant_sensitivity SOURCES ${CMAKE_CURRENT_LIST_DIR}/quant_sensitivity.cpp DEPS tomoedge::quant tomoedge::io tomoedge::metrics)
