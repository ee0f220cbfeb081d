#include "support/cli_runner.hpp"

#include <gtest/gtest.h>

using tomoedge::testing::run_tomoedge;

TEST(Cli, HelpListsCommandsAndSucceeds) {
    auto r = run_tomoedge({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("tomoedge"), std::string::npos);
}

TEST(Cli, NoCommandIsAnErrorWithOneLine) {
    auto r = run_tomoedge({});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("tomoedge: error:"), std::string::npos) << r.err;
}

TEST(Cli, UnknownCommandOrFlagExitsTwo) {
    auto r = run_tomoedge({"no-such-command"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("tomoedge: error:"), std::string::npos) << r.err;
    auto f = run_tomoedge({"--no-such-flag"});
    EXPECT_EQ(f.exit_code, 2);
}

TEST(Cli, VersionPrints) {
    auto r = run_tomoedge({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("0."), std::string::npos);
}
