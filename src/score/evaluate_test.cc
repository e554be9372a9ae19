#include <vector>

#include <gtest/gtest.h>

#include "score/score.h"

namespace kinlink::score {
namespace {

// Entities: {0,1,2} = 7, {3,4} = 8, {5} = 9. True pairs: 3 + 1 = 4.
const std::vector<std::uint64_t> kEntity = {7, 7, 7, 8, 8, 9};

TEST(EvaluateTest, DedupePairsCountsTruthByGroups) {
  // (1,0) repeats (0,1) reversed; (2,2) is not a pair.
  const std::vector<RecordPair> predicted = {{0, 1}, {1, 0}, {1, 2}, {3, 4}, {4, 5}, {2, 2}};
  auto m = EvaluateDedupePairs(predicted, kEntity);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->true_positives, 3u);
  EXPECT_EQ(m->false_positives, 1u);
  EXPECT_EQ(m->false_negatives, 1u);  // (0, 2)
  EXPECT_DOUBLE_EQ(m->precision, 0.75);
  EXPECT_DOUBLE_EQ(m->recall, 0.75);
  EXPECT_DOUBLE_EQ(m->f1, 0.75);
  const std::vector<RecordPair> out_of_range = {{0, 6}};
  EXPECT_FALSE(EvaluateDedupePairs(out_of_range, kEntity).ok());
}

TEST(EvaluateTest, EmptyPredictionsAndNoTruth) {
  auto m = EvaluateDedupePairs({}, kEntity);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->precision, 1.0);
  EXPECT_EQ(m->recall, 0.0);
  EXPECT_EQ(m->f1, 0.0);
  const std::vector<std::uint64_t> singletons = {1, 2, 3};
  const std::vector<RecordPair> one = {{0, 1}};
  auto s = EvaluateDedupePairs(one, singletons);
  EXPECT_EQ(s->precision, 0.0);
  EXPECT_EQ(s->recall, 1.0);
}

TEST(EvaluateTest, LinkPairs) {
  const std::vector<std::uint64_t> left = {1, 2, 3};
  const std::vector<std::uint64_t> right = {2, 1, 1, 4};
  const std::vector<RecordPair> predicted = {{0, 1}, {1, 0}, {2, 3}};
  auto m = EvaluateLinkPairs(predicted, left, right);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->true_positives, 2u);
  EXPECT_EQ(m->false_positives, 1u);
  EXPECT_EQ(m->false_negatives, 1u);  // (0, 2)
}

TEST(EvaluateTest, PairSets) {
  const std::vector<RecordPair> predicted = {{0, 1}, {2, 1}, {5, 6}};
  const std::vector<RecordPair> truth = {{1, 0}, {1, 2}, {3, 4}};
  const PairwiseMetrics m = EvaluatePairSets(predicted, truth);
  EXPECT_EQ(m.true_positives, 2u);
  EXPECT_EQ(m.false_positives, 1u);
  EXPECT_EQ(m.false_negatives, 1u);
}

TEST(EvaluateTest, ClustersUseTheContingencyTable) {
  // Clusters {0,1} {2,3,4} {5}: implied pairs (0,1) (2,3) (2,4) (3,4).
  const std::vector<std::uint32_t> cluster = {0, 0, 1, 1, 1, 2};
  auto m = EvaluateClusters(cluster, kEntity);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->true_positives, 2u);   // (0,1) and (3,4)
  EXPECT_EQ(m->false_positives, 2u);  // (2,3) (2,4)
  EXPECT_EQ(m->false_negatives, 2u);  // (0,2) (1,2)
  // Perfect clustering.
  const std::vector<std::uint32_t> perfect = {5, 5, 5, 1, 1, 0};
  EXPECT_DOUBLE_EQ(EvaluateClusters(perfect, kEntity)->f1, 1.0);
  const std::vector<std::uint32_t> short_list = {0};
  EXPECT_FALSE(EvaluateClusters(short_list, kEntity).ok());
}

TEST(EvaluateTest, BlockingCompletenessAndReduction) {
  const std::vector<RecordPair> cands = {{0, 1}, {0, 2}, {3, 5}};
  auto q = EvaluateDedupeBlocking(cands, kEntity);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->all_pairs, 15u);
  EXPECT_EQ(q->true_pairs, 4u);
  EXPECT_EQ(q->true_pairs_found, 2u);
  EXPECT_DOUBLE_EQ(q->pairs_completeness, 0.5);
  EXPECT_DOUBLE_EQ(q->reduction_ratio, 1.0 - 3.0 / 15.0);
  const std::vector<std::uint64_t> left = {1, 2};
  const std::vector<std::uint64_t> right = {1, 1, 3};
  const std::vector<RecordPair> link = {{0, 0}, {1, 2}};
  auto l = EvaluateLinkBlocking(link, left, right);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->all_pairs, 6u);
  EXPECT_EQ(l->true_pairs, 2u);
  EXPECT_DOUBLE_EQ(l->pairs_completeness, 0.5);
}

TEST(EvaluateTest, RecallAtK) {
  const std::vector<std::uint64_t> targets = {10, 20, 30, 20};
  const std::vector<std::uint64_t> queries = {20, 30, 99, 10};
  const std::vector<std::vector<RecordId>> ranked = {
      {0, 3},  // hit at rank 2
      {2},     // hit at rank 1
      {0},     // entity 99 has no target: not counted
      {1, 2},  // miss
  };
  EXPECT_DOUBLE_EQ(*RecallAtK(ranked, queries, targets, 1), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*RecallAtK(ranked, queries, targets, 2), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*RecallAtK(ranked, queries, targets, 10), 2.0 / 3.0);
  EXPECT_FALSE(RecallAtK(ranked, queries, targets, 0).ok());
  const std::vector<std::vector<RecordId>> bad = {{9}, {}, {}, {}};
  EXPECT_FALSE(RecallAtK(bad, queries, targets, 1).ok());
}

}  // namespace
}  // namespace kinlink::score
