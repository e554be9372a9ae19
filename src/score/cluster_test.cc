#include <map>
#include <queue>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "score/internal/random.h"
#include "score/score.h"

namespace kinlink::score {
namespace {

// Reference: BFS components, numbered by smallest member.
std::vector<std::uint32_t> NaiveComponents(std::size_t n, const std::vector<RecordPair>& edges) {
  std::vector<std::vector<std::uint32_t>> adj(n);
  for (const RecordPair& e : edges) {
    adj[e.a].push_back(e.b);
    adj[e.b].push_back(e.a);
  }
  std::vector<std::uint32_t> comp(n, UINT32_MAX);
  std::uint32_t next = 0;
  for (std::uint32_t s = 0; s < n; ++s) {
    if (comp[s] != UINT32_MAX) continue;
    std::queue<std::uint32_t> q;
    q.push(s);
    comp[s] = next;
    while (!q.empty()) {
      const std::uint32_t x = q.front();
      q.pop();
      for (std::uint32_t y : adj[x]) {
        if (comp[y] == UINT32_MAX) {
          comp[y] = next;
          q.push(y);
        }
      }
    }
    ++next;
  }
  return comp;
}

TEST(UnionFindTest, MatchesBfsOnRandomGraphs) {
  internal::SplitMix64 rng(3);
  for (int round = 0; round < 20; ++round) {
    const std::size_t n = 1 + rng.Below(300);
    std::vector<ScoredPair> scored;
    std::vector<RecordPair> kept;
    for (std::size_t e = 0; e < n; ++e) {
      const auto a = static_cast<RecordId>(rng.Below(n));
      const auto b = static_cast<RecordId>(rng.Below(n));
      const double p = rng.Uniform();
      scored.push_back({a, b, p});
      if (p >= 0.5) kept.push_back({a, b});
    }
    auto c = ConnectedComponents(n, scored, 0.5);
    ASSERT_TRUE(c.ok());
    const auto expected = NaiveComponents(n, kept);
    EXPECT_EQ(c->component, expected);
    EXPECT_EQ(c->num_components, *std::max_element(expected.begin(), expected.end()) + 1);
    auto c2 = ConnectedComponents(n, kept);
    EXPECT_EQ(c2->component, expected);
  }
  UnionFind uf(4);
  EXPECT_TRUE(uf.Union(0, 1));
  EXPECT_FALSE(uf.Union(1, 0));
  EXPECT_EQ(uf.num_sets(), 3u);
  const std::vector<ScoredPair> bad = {{0, 9, 1.0}};
  EXPECT_FALSE(ConnectedComponents(3, bad, 0.5).ok());
}

std::vector<std::string> Keys(std::size_t n) {
  std::vector<std::string> k;
  for (std::size_t i = 0; i < n; ++i) k.push_back("R" + std::to_string(i));
  return k;
}

std::vector<std::string> Ids(std::size_t n, const std::vector<RecordPair>& edges,
                             const std::vector<std::string>& keys,
                             const std::vector<std::string>& previous,
                             const std::vector<std::uint64_t>& seniority = {}) {
  auto c = ConnectedComponents(n, edges);
  EXPECT_TRUE(c.ok());
  auto ids = AssignStableIds(*c, keys, seniority, previous);
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  return ids.value_or({});
}

TEST(StableIdsTest, FirstRunUsesOldestMember) {
  const auto keys = Keys(5);
  const auto ids = Ids(5, {{1, 3}, {3, 4}}, keys, {});
  EXPECT_EQ(ids, (std::vector<std::string>{"R0", "R1", "R2", "R1", "R1"}));
  // Seniority overrides input order.
  const auto by_age = Ids(5, {{1, 3}, {3, 4}}, keys, {}, {5, 9, 5, 9, 1});
  EXPECT_EQ(by_age[1], "R4");
  EXPECT_EQ(by_age[3], "R4");
}

TEST(StableIdsTest, GrowthMergeAndNoSplitKeepIds) {
  // Run 1: records 0..3, clusters {0,1} and {2,3}.
  std::vector<std::string> keys = Keys(4);
  const auto run1 = Ids(4, {{0, 1}, {2, 3}}, keys, {});
  ASSERT_EQ(run1, (std::vector<std::string>{"R0", "R0", "R2", "R2"}));
  // Run 2: a new record 4 joins {2,3}; new record 5 alone. Input order is
  // shuffled (new records first), seniority says who is older.
  // Records: 0=R4(new) 1=R5(new) 2=R3 3=R2 4=R1 5=R0
  std::vector<std::string> keys2 = {"R4", "R5", "R3", "R2", "R1", "R0"};
  std::vector<std::string> prev2 = {"", "", "R2", "R2", "R0", "R0"};
  std::vector<std::uint64_t> sen2 = {4, 5, 3, 2, 1, 0};
  const auto run2 = Ids(6, {{0, 2}, {2, 3}, {4, 5}}, keys2, prev2, sen2);
  EXPECT_EQ(run2, (std::vector<std::string>{"R2", "R5", "R2", "R2", "R0", "R0"}));
  // Run 3: R5 links the two old clusters: the merged cluster keeps R0 (the
  // older cluster), R5 joins it.
  std::vector<std::string> prev3 = {"R2", "R5", "R2", "R2", "R0", "R0"};
  const auto run3 = Ids(6, {{0, 2}, {2, 3}, {4, 5}, {1, 0}, {1, 4}}, keys2, prev3, sen2);
  for (const std::string& id : run3) EXPECT_EQ(id, "R0");
  // Same pairs again (nothing splits): ids unchanged.
  const auto run4 = Ids(6, {{0, 2}, {2, 3}, {4, 5}, {1, 0}, {1, 4}}, keys2, run3, sen2);
  EXPECT_EQ(run4, run3);
}

TEST(StableIdsTest, SplitGivesTheOldIdToTheSeniorPart) {
  const auto keys = Keys(4);
  const std::vector<std::string> prev = {"R0", "R0", "R0", "R0"};
  // The evidence joining {0,1} and {2,3} is gone.
  const auto ids = Ids(4, {{0, 1}, {2, 3}}, keys, prev);
  EXPECT_EQ(ids, (std::vector<std::string>{"R0", "R0", "R2", "R2"}));
  // The original oldest record vanished; the old id still survives once.
  const std::vector<std::string> keys3 = {"R1", "R2", "R3"};
  const std::vector<std::string> prev3 = {"R0", "R0", "R0"};
  const auto ids3 = Ids(3, {{1, 2}}, keys3, prev3);
  EXPECT_EQ(ids3, (std::vector<std::string>{"R0", "R2", "R2"}));
}

TEST(StableIdsTest, RejectsBadInput) {
  Components c;
  c.component = {0, 0};
  c.num_components = 1;
  const std::vector<std::string> dup = {"A", "A"};
  EXPECT_FALSE(AssignStableIds(c, dup, {}, {}).ok());
  const std::vector<std::string> empty_key = {"A", ""};
  EXPECT_FALSE(AssignStableIds(c, empty_key, {}, {}).ok());
  const std::vector<std::string> one = {"A"};
  EXPECT_FALSE(AssignStableIds(c, one, {}, {}).ok());
  const std::vector<std::string> ok = {"A", "B"};
  const std::vector<std::uint64_t> sen = {1};
  EXPECT_FALSE(AssignStableIds(c, ok, sen, {}).ok());
}

}  // namespace
}  // namespace kinlink::score
