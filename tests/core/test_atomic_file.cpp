#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace tomoedge;
using tomoedge::testing::TempDir;

TEST(AtomicFile, NothingAppearsUntilCommit) {
    TempDir dir;
    const auto target = dir / "out.bin";
    {
        AtomicFile f(target);
        std::ofstream(f.temp_path()) << "data";
        EXPECT_FALSE(std::filesystem::exists(target));
        f.commit();
    }
    EXPECT_TRUE(std::filesystem::exists(target));
    EXPECT_EQ(dir.entry_count(), 1u);
}

TEST(AtomicFile, AbandonedWriteLeavesNoTraceAndKeepsOldFile) {
    TempDir dir;
    const auto target = dir / "out.bin";
    std::ofstream(target) << "old";
    {
        AtomicFile f(target);
        std::ofstream(f.temp_path()) << "new, half written";
    }  // no commit: an error happened
    std::ifstream in(target);
    std::string content;
    in >> content;
    EXPECT_EQ(content, "old");
    EXPECT_EQ(dir.entry_count(), 1u);
}

TEST(AtomicFile, MissingOutputFolderIsAnError) {
    TempDir dir;
    EXPECT_THROW(AtomicFile(dir / "no-such-folder" / "x.h5"), Error);
}

TEST(AtomicFile, CommitReplacesAFolder) {
    TempDir dir;
    const auto target = dir / "stack";
    std::filesystem::create_directory(target);
    std::ofstream(target / "old.tif") << "x";
    AtomicFile f(target);
    std::filesystem::create_directory(f.temp_path());
    std::ofstream(f.temp_path() / "new.tif") << "y";
    f.commit();
    EXPECT_TRUE(std::filesystem::exists(target / "new.tif"));
    EXPECT_FALSE(std::filesystem::exists(target / "old.tif"));
}
