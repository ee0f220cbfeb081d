// `tomoedge demo [-o DIR]`: the whole workflow of the paper on a few simulated slices, with the
// shipped models: simulate -> reconstruct -> denoise (fp32, int8, int8 + Fine-Tune) -> evaluate ->
// a short benchmark. Each step runs the real `tomoedge` command in a child process and prints its
// command line first, so the demo doubles as a worked example of the commands a user would type.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/timer.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace tomoedge::cli {
namespace {

namespace fs = std::filesystem;

// The shipped models, made by scripts/train-shipped-model.sh and the commands in README.
constexpr const char* fp32_model_name = "tomogan-general.onnx";
constexpr const char* int8_model_name = "tomogan-general-int8.onnx";
constexpr const char* int8_ft_model_name = "tomogan-general-int8-ft.onnx";

struct DemoOptions {
    std::string output = "tomoedge-demo";
    std::string models;  // empty: ./models, else the source tree's models/ this binary was built from
    int threads = 2;
    int slices = 8;
    int bench_runs = 3;
};

fs::path find_models_dir(const std::string& given) {
    if (!given.empty()) return given;
    if (fs::exists(fs::path("models") / fp32_model_name)) return "models";
    return fs::path(TOMOEDGE_SOURCE_DIR) / "models";
}

fs::path require_model(const fs::path& dir, const char* name) {
    const fs::path path = dir / name;
    if (!fs::exists(path)) fail("{}: shipped model missing (pass --models DIR, or see README \"Models\")", path.string());
    return path;
}

// Runs this same executable with `args`, echoing the command line; a failing step ends the demo.
void run_step(const std::vector<std::string>& args) {
    static const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::string shown = "tomoedge";
    std::vector<char*> argv{const_cast<char*>(self.c_str())};
    for (const std::string& a : args) {
        shown += " " + a;
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    fmt::print("\n$ {}\n", shown);
    std::fflush(stdout);

    pid_t pid = 0;
    if (const int err = posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ); err != 0)
        fail("demo: cannot start {}: {}", self, std::strerror(err));
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) fail("demo: lost the child process of `{}`", shown);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("demo: step `{}` failed (see its message above)", shown);
}

void run_demo(const DemoOptions& o) {
    Stopwatch total;
    const fs::path models = find_models_dir(o.models);
    const fs::path fp32 = require_model(models, fp32_model_name);
    const fs::path int8 = require_model(models, int8_model_name);
    const fs::path int8_ft = require_model(models, int8_ft_model_name);
    const fs::path out = o.output;
    fs::create_directories(out);
    const std::string threads = std::to_string(o.threads);
    const std::string data = (out / "data").string(), dataset = (out / "data" / "dataset.h5").string();
    const std::string recon = (out / "recon_lowdose.h5").string();

    fmt::print("== 1. simulate: foam phantoms, 512 x 512, {} slices per volume; low dose = 1000 photons per pixel "
               "on every 4th of 808 angles (the shipped model's training conditions, new phantoms)\n", o.slices);
    run_step({"simulate", "-o", data, "--size", "512", "--volumes", "2", "--test-volumes", "1", "--slices",
              std::to_string(o.slices), "--seed", "2026", "--threads", threads, "--preview",
              (out / "phantom_lowdose_normaldose.png").string()});

    fmt::print("\n== 2. reconstruct the low-dose test scan by FBP from its Data Exchange file\n");
    run_step({"recon", (out / "data" / "projections" / "v001_lowdose.h5").string(), "-o", recon + ":recon",
              "--threads", threads});

    fmt::print("\n== 3. denoise the reconstruction: fp32, int8, int8 + Fine-Tune (one graph)\n");
    const std::vector<std::pair<std::string, fs::path>> runs{{"fp32", fp32}, {"int8", int8}, {"int8-ft", int8_ft}};
    for (const auto& [name, model] : runs)
        run_step({"denoise", model.string(), recon + ":recon", (out / ("denoised_" + name + ".h5")).string() + ":dn",
                  "--threads", threads});

    fmt::print("\n== 4. evaluate against the normal-dose ground truth (SSIM, PSNR; figures in {})\n",
               (out / "figures").string());
    run_step({"evaluate", "--noisy", recon + ":recon", "--truth", dataset + ":test_gt", fp32.string(), int8.string(),
              int8_ft.string(), "--figures", (out / "figures").string(), "--csv",
              (out / "evaluate.csv").string(), "--threads", threads});

    fmt::print("\n== 5. speed per 1024 x 1024 slice on this machine (the paper's Table I), {} threads\n", o.threads);
    run_step({"bench", fp32.string(), "--table", "--int8", int8.string(), "--fine-tune", int8_ft.string(),
              "--size", "1024", "--runs", std::to_string(o.bench_runs), "--threads", threads});

    fmt::print("\nDemo done in {:.0f} s. Wrote {}/ (data, reconstruction, denoised stacks, figures/).\n",
               total.seconds(), out.string());
}

void add_demo_command(CLI::App& app) {
    auto o = std::make_shared<DemoOptions>();
    CLI::App* cmd = app.add_subcommand(
        "demo", "The paper's workflow on a few simulated slices with the shipped models: simulate -> recon -> "
                "denoise (fp32, int8, int8 + Fine-Tune) -> evaluate -> bench. Prints each command it runs.");
    cmd->add_option("-o,--output", o->output, "Folder for everything the demo writes")->capture_default_str();
    cmd->add_option("--models", o->models, "Folder holding the shipped models (default: ./models, else the source tree's)");
    cmd->add_option("--slices", o->slices, "Slices per simulated volume")->check(CLI::Range(3, 256))->capture_default_str();
    cmd->add_option("--bench-runs", o->bench_runs, "Timed runs per benchmark row")->check(CLI::Range(1, 100))
        ->capture_default_str();
    add_threads_option(*cmd, o->threads);
    cmd->callback([o] { run_demo(*o); });
}

}  // namespace

TOMOEDGE_COMMAND("demo", add_demo_command);

}  // namespace tomoedge::cli
