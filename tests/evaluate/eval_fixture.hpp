#pragma once
// Small simulated data and random TomoGAN models made by the real executable (`simulate`,
// `model-init`), once per test program: a few seconds in all.
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace tomoedge::testing {

struct EvalData {
    TempDir dir;
    std::filesystem::path data, model_a, model_b;  // data.h5 (TomoGAN layout); two random models
    static constexpr int slices = 5, size = 48;

    EvalData() {
        data = dir / "data.h5";
        model_a = dir / "a.onnx";
        model_b = dir / "b.onnx";
        auto check = [](const CliResult& r) {
            if (r.exit_code != 0) throw std::runtime_error("fixture command failed: " + r.err);
        };
        check(run_tomoedge({"simulate", "-o", data.string(), "--size", std::to_string(size), "--slices",
                            std::to_string(slices), "--volumes", "2", "--test-volumes", "1", "--no-projections",
                            "--seed", "5"}));
        check(run_tomoedge({"model-init", "-o", model_a.string(), "--width", "0.125", "--seed", "1"}));
        check(run_tomoedge({"model-init", "-o", model_b.string(), "--width", "0.125", "--seed", "2"}));
    }
};

/// The shared instance (made on first use).
inline EvalData& eval_data() {
    static std::unique_ptr<EvalData> data = std::make_unique<EvalData>();
    return *data;
}

}  // namespace tomoedge::testing
