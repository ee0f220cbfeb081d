// run_process (core/subprocess.hpp): no shell between us and the program, so paths and arguments
// with quotes, spaces and `$` arrive verbatim; stdout and stderr come back; failures are results.
#include "core/subprocess.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace tomoedge;
using tomoedge::testing::TempDir;

namespace {

// An executable shell script at `path` (the script's own interpreter is a shell; our call is not).
void write_script(const std::filesystem::path& path, const std::string& body) {
    {
        std::ofstream out(path);
        out << "#!/bin/sh\n" << body;
    }
    chmod(path.c_str(), 0755);
}

}  // namespace

TEST(Subprocess, RunsAProgramWhosePathHasAQuoteAndASpace) {
    TempDir dir;
    const auto folder = dir / "it's here";
    std::filesystem::create_directories(folder);
    const auto script = folder / "say \"hi\".sh";
    write_script(script, "printf '%s|' \"$0\" \"$@\"\necho err-line >&2\nexit 3\n");
    const ProcessResult r = run_process({script.string(), "a b", "it's", "$HOME", ""});
    ASSERT_TRUE(r.started) << r.error;
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, script.string() + "|a b|it's|$HOME||");
    EXPECT_EQ(r.err, "err-line\n");
}

TEST(Subprocess, FindsProgramsInPathAndAddsEnvironment) {
    const ProcessResult echo = run_process({"echo", "it's", "here"});
    ASSERT_TRUE(echo.started) << echo.error;
    EXPECT_EQ(echo.exit_code, 0);
    EXPECT_EQ(echo.out, "it's here\n");

    TempDir dir;
    const auto script = dir / "env.sh";
    write_script(script, "printf '%s' \"$TOMOEDGE_TEST_VALUE\"\n");
    const ProcessResult env = run_process({script.string()}, {"TOMOEDGE_TEST_VALUE=a 'quoted' value"});
    EXPECT_EQ(env.out, "a 'quoted' value");
}

TEST(Subprocess, LargeOutputOnBothStreamsDoesNotBlock) {
    TempDir dir;
    const auto script = dir / "big.sh";
    // 20 000 lines to each stream, interleaved: far more than a pipe holds.
    write_script(script, "i=0\nwhile [ $i -lt 20000 ]; do echo 0123456789; echo abcdefghij >&2; i=$((i+1)); done\n");
    const ProcessResult r = run_process({script.string()});
    ASSERT_TRUE(r.started) << r.error;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.size(), 20000u * 11);
    EXPECT_EQ(r.err.size(), 20000u * 11);
}

TEST(Subprocess, AMissingProgramIsAResultNotACrash) {
    const ProcessResult r = run_process({"/nonexistent/it's not here"});
    EXPECT_FALSE(r.started);
    EXPECT_NE(r.error.find("it's not here"), std::string::npos) << r.error;
    const ProcessResult p = run_process({"tomoedge-no-such-program-xyz"});
    EXPECT_FALSE(p.started);
    EXPECT_FALSE(p.error.empty());
}
