#include "pipeline/denoise_file.hpp"

#include "core/timer.hpp"
#include "io/stack.hpp"

namespace tomoedge::pipeline {

runtime::DenoiseReport denoise_file(runtime::Denoiser& denoiser, const io::DataPath& input,
                                    const io::DataPath& output, const DenoiseFileOptions& options) {
    Stopwatch total;
    auto reader = io::StackReader::open(input);
    io::WriteOptions write;
    write.dtype = options.dtype.value_or(reader->info().dtype);
    write.deflate_level = options.deflate_level;
    auto writer = io::StackWriter::create(output, reader->shape(), write);
    runtime::DenoiseReport report = denoiser.denoise(*reader, *writer, options.slab);
    writer->commit();
    report.seconds = total.seconds();
    return report;
}

}  // namespace tomoedge::pipeline
