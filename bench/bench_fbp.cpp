// FBP speed: one size x size slice from `angles` projections of `size` detector pixels.
//   build-*/bench/bench_fbp [--size 1024] [--angles 1024] [--threads 2] [--runs 7] [--portable]
// Times, after one warm-up run, the whole FBP (copy, FFT ramp filter, backprojection) and the
// backprojection alone; prints the median (and min/max) over the runs and backprojected samples
// per second (size^2 x angles / backprojection time). The sinogram is the analytic projection
// of the Shepp-Logan phantom, so the work is what a real slice costs.
#include "core/threading.hpp"
#include "core/timer.hpp"
#include "recon/backproject.hpp"
#include "recon/fbp.hpp"
#include "recon/geometry.hpp"
#include "recon/phantom.hpp"
#include "recon/projector.hpp"

#include <fmt/format.h>

#include <ctime>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::recon;

namespace {
// CPU seconds used by the whole process (all threads): on a shared, busy machine the wall time
// includes waiting for a core; CPU time per run / threads shows what the kernel itself costs.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
    std::int64_t size = 1024, angles = 1024;
    int threads = 2, runs = 7;
    bool portable = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (a == "--size") size = next();
        else if (a == "--angles") angles = next();
        else if (a == "--threads") threads = static_cast<int>(next());
        else if (a == "--runs") runs = static_cast<int>(next());
        else if (a == "--portable") portable = true;
        else {
            fmt::print(stderr, "usage: bench_fbp [--size N] [--angles A] [--threads T] [--runs R] [--portable]\n");
            return 2;
        }
    }
    if (size <= 0 || angles <= 0 || runs < 1) return 2;
    set_num_threads(threads);
    const auto theta_deg = angles_deg(angles);
    const auto theta = to_radians(theta_deg);
    const Tensor<float> sino = project(slice_phantom(shepp_logan_3d(), 0.0, size), theta, size);
    Tensor<float> image(Shape{size, size});

    Fbp fbp(theta_deg, size, FbpOptions{FilterWindow::shepp_logan, -1, 0});
    Backprojector bp(theta, size, size, default_centre(size), portable);
    std::vector<double> t_fbp, t_bp, cpu_bp;
    fbp.reconstruct(sino.data(), image.data());  // warm-up (page faults, caches, thread pool)
    bp.run(sino.data(), 1.0f, image.data());
    for (int r = 0; r < runs; ++r) {
        Stopwatch sw;
        if (!portable) {
            fbp.reconstruct(sino.data(), image.data());
            t_fbp.push_back(sw.seconds());
        }
        sw.restart();
        const double c0 = cpu_seconds();
        bp.run(sino.data(), 1.0f, image.data());
        t_bp.push_back(sw.seconds());
        cpu_bp.push_back(cpu_seconds() - c0);
    }
    const double samples = static_cast<double>(size) * static_cast<double>(size) * static_cast<double>(angles);
    const TimingSummary b = summarize(t_bp);
    fmt::print("FBP {}x{} from {} angles x {} detector pixels, {} threads, {} runs after warm-up, kernel {}\n",
               size, size, angles, size, threads, runs, bp.kernel_name());
    if (!portable) {
        const TimingSummary f = summarize(t_fbp);
        fmt::print("  full FBP (filter + backprojection): median {:.4f} s (min {:.4f}, max {:.4f})\n", f.median, f.min,
                   f.max);
    }
    fmt::print("  backprojection only:                median {:.4f} s (min {:.4f}, max {:.4f})\n", b.median, b.min, b.max);
    fmt::print("  backprojected samples per second:   {:.3g}\n", samples / b.median);
    const TimingSummary c = summarize(cpu_bp);
    fmt::print("  backprojection CPU time (all threads): median {:.4f} s = {:.3g} samples per CPU-second\n", c.median,
               samples / c.median);
    return 0;
}
