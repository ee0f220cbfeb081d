#include "core/error.hpp"
#include "model/graph_builders.hpp"
#include "model/model_info.hpp"

#include <gtest/gtest.h>

using namespace tomoedge;
using namespace tomoedge::model;

TEST(ModelInfo, RoundTripThroughMetadata) {
    Graph g = tomoedge::testing::tiny_graph();
    ModelInfo info;
    info.architecture = "tomogan";
    info.input_depth = 1;
    info.width = 0.25;
    info.normalisation = Normalisation{0.5, 99.5};
    info.weights = "trained";
    info.seed = 42;
    info.training = "gan: adam 1e-4, 2000 it";
    info.calibration = "percentile 99.99";
    write_model_info(g, info);
    EXPECT_EQ(g.metadata.at("tomoedge.norm.low_percentile"), "0.5");
    EXPECT_EQ(g.metadata.at("tomoedge.input_depth"), "1");
    EXPECT_EQ(read_model_info(g), info);
    info.normalisation.reset();
    info.seed.reset();
    write_model_info(g, info);
    EXPECT_EQ(g.metadata.count("tomoedge.norm.high_percentile"), 0u);
    EXPECT_EQ(read_model_info(g), info);
}

TEST(ModelInfo, EmptyMetadataMeansUnknown) {
    Graph g = tomoedge::testing::tiny_graph();
    const ModelInfo info = read_model_info(g);
    EXPECT_TRUE(info.architecture.empty());
    EXPECT_EQ(info.input_depth, 0);
    EXPECT_FALSE(info.normalisation.has_value());
    EXPECT_EQ(effective_input_depth(g), 1);
}

TEST(ModelInfo, RejectsMalformedValues) {
    Graph g = tomoedge::testing::tiny_graph();
    g.metadata["tomoedge.input_depth"] = "three";
    EXPECT_THROW(read_model_info(g), Error);
    g.metadata["tomoedge.input_depth"] = "2.5";
    EXPECT_THROW(read_model_info(g), Error);
    g.metadata["tomoedge.input_depth"] = "3";
    EXPECT_THROW(effective_input_depth(g), Error);  // graph takes 1 channel
    g.metadata.erase("tomoedge.input_depth");
    g.metadata["tomoedge.norm.low_percentile"] = "1";
    EXPECT_THROW(read_model_info(g), Error);  // high missing
    g.metadata["tomoedge.norm.high_percentile"] = "0.5";
    EXPECT_THROW(read_model_info(g), Error);  // not ordered
    g.metadata["tomoedge.norm.high_percentile"] = "101";
    EXPECT_THROW(read_model_info(g), Error);
    g.metadata["tomoedge.norm.high_percentile"] = "99";
    EXPECT_NO_THROW(read_model_info(g));
    g.metadata["tomoedge.seed"] = "-1";
    EXPECT_THROW(read_model_info(g), Error);
}

TEST(ModelInfo, NumbersFormatShortestAndParseStrictly) {
    EXPECT_EQ(format_number(0.5), "0.5");
    EXPECT_EQ(format_number(99.9), "99.9");
    EXPECT_EQ(parse_number("1e-3", "x"), 1e-3);
    EXPECT_THROW(parse_number("1.5x", "x"), Error);
    EXPECT_THROW(parse_number("", "x"), Error);
    EXPECT_THROW(parse_number("nan", "x"), Error);
}
