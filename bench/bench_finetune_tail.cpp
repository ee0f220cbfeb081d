// The fused int8 Fine-Tune tail (runtime/int8/finetune_tail.hpp) on one slice, alone: median and
// minimum of --runs, for each code path this CPU has and each thread count.
//   build-*/bench/bench_finetune_tail [--model models/tomogan-general-int8-ft.onnx] [--size 1024]
//       [--runs 51] [--threads 1,2]
// The model is any QDQ model holding the tail (the chained one, or a Fine-Tune net alone); the
// input is random stored integers (the time does not depend on values). The minimum is the
// figure to compare on a shared machine: load only ever adds time.
#include "core/error.hpp"
#include "core/threading.hpp"
#include "core/timer.hpp"
#include "model/onnx_import.hpp"
#include "runtime/int8/finetune_tail.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::runtime;

int main(int argc, char** argv) try {
    std::string model_path = "models/tomogan-general-int8-ft.onnx";
    std::int64_t size = 1024;
    int runs = 51;
    std::vector<int> thread_counts{1, 2};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto text = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--model") model_path = text();
        else if (a == "--size") size = std::atoll(text().c_str());
        else if (a == "--runs") runs = std::max(1, std::atoi(text().c_str()));
        else if (a == "--threads") {
            thread_counts.clear();
            std::stringstream list(text());
            for (std::string t; std::getline(list, t, ',');) thread_counts.push_back(std::atoi(t.c_str()));
        } else {
            fmt::print(stderr, "usage: bench_finetune_tail [--model M.onnx] [--size N] [--runs R] [--threads 1,2]\n");
            return 2;
        }
    }
    const int8::Int8Graph program = int8::lower_qdq(model::import_onnx(model_path));
    std::optional<int8::FineTuneTail> tail;
    for (std::size_t i = 0; i < program.steps.size() && !tail; ++i) tail = int8::match_finetune_tail(program, i);
    if (!tail) fail("{}: holds no Fine-Tune tail", model_path);

    std::vector<std::byte> src(static_cast<std::size_t>(size * size)), dst(src.size());
    std::mt19937 rng(1);
    for (auto& b : src) b = static_cast<std::byte>(rng() & 0xff);
    const int8::TailImage in{src.data(), 1, size, size, 1, size * size}, out{dst.data(), 1, size, size, 1, size * size};
    std::vector<int8::TailPath> paths{int8::TailPath::portable};
    if (int8::avx512_vnni_usable(*tail)) paths.push_back(int8::TailPath::avx512_vnni);
    fmt::print("{:<12} {:>7} {:>10} {:>10}\n", "path", "threads", "median ms", "min ms");
    for (int8::TailPath path : paths)
        for (int threads : thread_counts) {
            set_num_threads(threads);
            int8::run_finetune_tail(*tail, in, out, path);  // warm-up
            std::vector<double> seconds;
            for (int r = 0; r < (path == int8::TailPath::portable ? std::min(runs, 5) : runs); ++r) {
                Stopwatch watch;
                int8::run_finetune_tail(*tail, in, out, path);
                seconds.push_back(watch.seconds());
            }
            fmt::print("{:<12} {:>7} {:>10.3f} {:>10.3f}\n", int8::tail_path_name(path), threads,
                       summarize(seconds).median * 1e3, *std::min_element(seconds.begin(), seconds.end()) * 1e3);
        }
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "bench_finetune_tail: error: {}\n", e.what());
    return 1;
}
