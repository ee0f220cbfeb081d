#pragma once
// `tomoedge denoise` on files: opens the input stack (HDF5 dataset or TIFF), writes the output at
// a temporary path beside the target and renames it into place only when every slice is written
// (io::StackWriter), and streams the volume through runtime::Denoiser in between.
#include "core/dtype.hpp"
#include "io/data_path.hpp"
#include "runtime/denoiser.hpp"

#include <cstdint>
#include <optional>

namespace tomoedge::pipeline {

struct DenoiseFileOptions {
    std::optional<DType> dtype;  // output type; default: the input's
    std::int64_t slab = 8;       // output slices per read/write
    int deflate_level = 0;
};

/// Denoises `input` into `output` with `denoiser` (its runner decides whole images or tiles).
/// report.seconds covers opening, the window, the network and the writing.
runtime::DenoiseReport denoise_file(runtime::Denoiser& denoiser, const io::DataPath& input,
                                    const io::DataPath& output, const DenoiseFileOptions& options = {});

}  // namespace tomoedge::pipeline
