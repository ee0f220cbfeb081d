#pragma once
// ONNX Runtime's rows of Table I: bench/ort_time.js run by node with the onnxruntime-node package
// (scripts/install-peers.sh), spawned without a shell (core/subprocess.hpp).
//
// Where they are looked for, first found wins:
//   the script      $TOMOEDGE_ORT_RUNNER (only there, when set); else <bin>/../share/tomoedge/ort_time.js
//                   (an installed tomoedge: `cmake --install` puts it there); else the source tree's
//                   bench/ort_time.js (the tree this binary was built from)
//   the peers       $TOMOEDGE_PEERS_DIR (only there, when set); else <bin>/../share/tomoedge/peers;
//                   else the source tree's tools/peers; each must hold node_modules/onnxruntime-node
//   node            $PATH
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::evaluate {

struct OrtSearch {
    std::vector<std::filesystem::path> scripts;    // candidate ort_time.js files, in order
    std::vector<std::filesystem::path> peer_dirs;  // candidate folders holding node_modules/, in order
};

/// The places above for this process (environment, executable, source tree).
OrtSearch default_ort_search();

struct OrtRunner {
    std::filesystem::path script, node_modules;
};

/// The first script and peers folder of `search` that exist; nullopt with `why` set to one line
/// naming what is missing and where it was looked for.
std::optional<OrtRunner> find_ort_runner(const OrtSearch& search, std::string* why = nullptr);

struct OrtTimingRequest {
    std::filesystem::path model;
    std::int64_t channels = 3, size = 1024;
    int runs = 5, threads = 1, warmup = 1;
};

struct OrtTiming {
    std::optional<double> median_s;  // ONNX Runtime's median seconds per run
    bool node_missing = false;       // node could not be started (no other model will run either)
    std::string why;                 // one line, when there is no median
};

/// Times one model in ONNX Runtime. Failures (node missing, the script failing, output that is
/// not the JSON line it prints) are in the result, never thrown.
OrtTiming time_in_onnxruntime(const OrtRunner& runner, const OrtTimingRequest& request);

}  // namespace tomoedge::evaluate
