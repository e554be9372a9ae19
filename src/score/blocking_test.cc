#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "score/internal/random.h"
#include "score/score.h"

namespace kinlink::score {
namespace {

// Random keys from small alphabets so blocks overlap across rules; about
// 10% empty.
BlockingKeys RandomKeys(std::size_t n, std::size_t rules, std::uint64_t seed,
                        std::uint64_t alphabet) {
  internal::SplitMix64 rng(seed);
  BlockingKeys keys(rules);
  std::vector<Key128> row(rules);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t r = 0; r < rules; ++r) {
      row[r] = rng.Below(10) == 0 ? Key128{} : Key128{r, 1 + rng.Below(alphabet)};
    }
    keys.Append(row);
  }
  return keys;
}

std::vector<RecordPair> NaiveDedupe(const BlockingKeys& k) {
  std::vector<RecordPair> out;
  for (RecordId a = 0; a < k.num_records(); ++a) {
    for (RecordId b = a + 1; b < k.num_records(); ++b) {
      for (std::size_t r = 0; r < k.num_rules(); ++r) {
        if (!k.Key(a, r).empty() && k.Key(a, r) == k.Key(b, r)) {
          out.push_back({a, b});
          break;
        }
      }
    }
  }
  return out;
}

std::vector<RecordPair> NaiveLink(const BlockingKeys& l, const BlockingKeys& rt) {
  std::vector<RecordPair> out;
  for (RecordId a = 0; a < l.num_records(); ++a) {
    for (RecordId b = 0; b < rt.num_records(); ++b) {
      for (std::size_t r = 0; r < l.num_rules(); ++r) {
        if (!l.Key(a, r).empty() && l.Key(a, r) == rt.Key(b, r)) {
          out.push_back({a, b});
          break;
        }
      }
    }
  }
  return out;
}

CandidateOptions NoCaps() {
  CandidateOptions o;
  o.max_block_records = 0;
  o.max_block_pairs = 0;
  return o;
}

TEST(BlockIndexTest, GroupsEqualKeysAndSkipsEmpty) {
  BlockingKeys keys(1);
  keys.Append({Key128::FromU64(5)});
  keys.Append({Key128{}});
  keys.Append({Key128::FromU64(3)});
  keys.Append({Key128::FromU64(5)});
  auto index = BlockIndex::Build(std::move(keys));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->num_blocks(0), 2u);
  EXPECT_EQ(index->empty_keys(0), 1u);
  EXPECT_EQ(index->BlockKey(0, 0), Key128::FromU64(3));
  const auto b = index->Block(0, 1);
  EXPECT_EQ(std::vector<RecordId>(b.begin(), b.end()), (std::vector<RecordId>{0, 3}));
  EXPECT_FALSE(BlockIndex::Build(BlockingKeys(0)).ok());
}

TEST(BlockingTest, DedupeMatchesNaiveOnceEachAcrossOverlappingRules) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    BlockingKeys keys = RandomKeys(300, 3, seed, 12);
    const auto expected = NaiveDedupe(keys);
    auto index = BlockIndex::Build(std::move(keys));
    ASSERT_TRUE(index.ok());
    CandidateReport rep;
    auto pairs = CollectDedupeCandidates(*index, NoCaps(), &rep);
    ASSERT_TRUE(pairs.ok());
    // Collect sorts but does not deduplicate: equality proves "exactly once".
    EXPECT_EQ(*pairs, expected);
    EXPECT_EQ(rep.pairs, expected.size());
    EXPECT_GT(rep.pairs_per_rule[1], 0u);
    EXPECT_TRUE(rep.capped.empty());
  }
}

TEST(BlockingTest, LinkMatchesNaive) {
  BlockingKeys left = RandomKeys(200, 2, 21, 15);
  BlockingKeys right = RandomKeys(150, 2, 22, 15);
  const auto expected = NaiveLink(left, right);
  auto li = BlockIndex::Build(std::move(left));
  auto ri = BlockIndex::Build(std::move(right));
  ASSERT_TRUE(li.ok() && ri.ok());
  auto pairs = CollectLinkCandidates(*li, *ri, NoCaps());
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(*pairs, expected);
  // Link pairs across sides only: linking a side with itself gives (a, a)
  // and both orders, unlike dedupe.
  auto self = CollectLinkCandidates(*li, *li, NoCaps());
  auto dedupe = CollectDedupeCandidates(*li, NoCaps());
  ASSERT_TRUE(self.ok() && dedupe.ok());
  EXPECT_EQ(*self, NaiveLink(li->keys(), li->keys()));
  EXPECT_GT(self->size(), 2 * dedupe->size());
  BlockingKeys one_rule(1);
  one_rule.Append({Key128::FromU64(1)});
  auto other = BlockIndex::Build(std::move(one_rule));
  EXPECT_FALSE(CollectLinkCandidates(*li, *other, NoCaps()).ok());
}

TEST(BlockingTest, OversizedBlocksAreSkippedAndReportedAndOtherRulesStillApply) {
  // Rule 0: everybody shares one key (a mega-block). Rule 1: pairs (2i, 2i+1).
  BlockingKeys keys(2);
  for (std::uint64_t i = 0; i < 100; ++i) {
    keys.Append({Key128::FromU64(7), Key128::FromU64(1000 + i / 2)});
  }
  auto index = BlockIndex::Build(std::move(keys));
  ASSERT_TRUE(index.ok());
  CandidateOptions opt;
  opt.max_block_records = 50;
  CandidateReport rep;
  auto pairs = CollectDedupeCandidates(*index, opt, &rep);
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(pairs->size(), 50u);  // rule 1 emits what the skipped block would have
  EXPECT_EQ((*pairs)[0], (RecordPair{0, 1}));
  ASSERT_EQ(rep.capped.size(), 1u);
  EXPECT_EQ(rep.capped[0].rule, 0u);
  EXPECT_EQ(rep.capped[0].block, 0u);
  EXPECT_EQ(rep.capped[0].left_records, 100u);
  EXPECT_EQ(rep.capped[0].pairs, 4950u);
  EXPECT_FALSE(rep.capped[0].sampled);
  EXPECT_EQ(rep.pairs_per_rule, (std::vector<std::uint64_t>{0, 50}));
  // A pair cap alone also triggers.
  CandidateOptions by_pairs = NoCaps();
  by_pairs.max_block_pairs = 4949;
  auto p2 = CollectDedupeCandidates(*index, by_pairs, &rep);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->size(), 50u);
}

TEST(BlockingTest, SampledBlocksFitCapsAndPairsStayUnique) {
  BlockingKeys keys(2);
  internal::SplitMix64 rng(5);
  for (std::uint64_t i = 0; i < 2000; ++i) {
    keys.Append({Key128::FromU64(1 + rng.Below(2)), Key128::FromU64(1 + rng.Below(300))});
  }
  BlockingKeys copy = keys;
  const auto all = NaiveDedupe(copy);
  auto index = BlockIndex::Build(std::move(keys));
  CandidateOptions opt = NoCaps();
  opt.max_block_records = 200;
  opt.cap_policy = CapPolicy::kSample;
  CandidateReport rep;
  auto pairs = CollectDedupeCandidates(*index, opt, &rep);
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(rep.capped.size(), 2u);
  EXPECT_TRUE(rep.capped[0].sampled);
  // Unique, and a subset of the uncapped candidates.
  EXPECT_TRUE(std::adjacent_find(pairs->begin(), pairs->end()) == pairs->end());
  EXPECT_TRUE(std::includes(all.begin(), all.end(), pairs->begin(), pairs->end()));
  // Rule 0 keeps ~20% of each ~1000-record block: ~2 · C(200, 2) pairs
  // instead of ~2 · C(1000, 2).
  EXPECT_GT(rep.pairs_per_rule[0], 30000u);
  EXPECT_LT(rep.pairs_per_rule[0], 48000u);
  EXPECT_GT(rep.capped[0].pairs, 400000u);
  // Deterministic for a seed.
  auto again = CollectDedupeCandidates(*index, opt);
  EXPECT_EQ(*again, *pairs);
}

TEST(BlockingTest, StreamsInBatchesAndParallelGivesTheSameSet) {
  BlockingKeys keys = RandomKeys(1500, 3, 31, 40);
  auto index = BlockIndex::Build(std::move(keys));
  ASSERT_TRUE(index.ok());
  CandidateOptions opt = NoCaps();
  opt.batch_size = 100;
  std::size_t max_batch = 0;
  std::vector<RecordPair> streamed;
  auto rep = GenerateDedupeCandidates(*index, opt, [&](std::span<const RecordPair> b) {
    max_batch = std::max(max_batch, b.size());
    streamed.insert(streamed.end(), b.begin(), b.end());
    return OkStatus();
  });
  ASSERT_TRUE(rep.ok());
  EXPECT_LE(max_batch, 100u);
  EXPECT_EQ(streamed.size(), rep->pairs);
  std::sort(streamed.begin(), streamed.end());
  opt.num_threads = 4;
  CandidateReport prep;
  auto parallel = CollectDedupeCandidates(*index, opt, &prep);
  ASSERT_TRUE(parallel.ok());
  EXPECT_EQ(*parallel, streamed);
  EXPECT_EQ(prep.pairs_per_rule, rep->pairs_per_rule);
}

TEST(BlockingTest, SinkErrorStopsGeneration) {
  BlockingKeys keys = RandomKeys(500, 2, 41, 5);
  auto index = BlockIndex::Build(std::move(keys));
  for (int threads : {1, 3}) {
    CandidateOptions opt = NoCaps();
    opt.batch_size = 10;
    opt.num_threads = threads;
    std::atomic<int> calls{0};
    auto rep = GenerateDedupeCandidates(*index, opt, [&](std::span<const RecordPair>) {
      return ++calls >= 3 ? CancelledError("enough") : OkStatus();
    });
    EXPECT_EQ(rep.status().code(), StatusCode::kCancelled);
    EXPECT_LT(calls.load(), 50);
  }
  CandidateOptions bad;
  bad.batch_size = 0;
  EXPECT_FALSE(CollectDedupeCandidates(*index, bad).ok());
}

TEST(RandomPairsTest, DedupeSamplesAreDistinctValidAndDeterministic) {
  auto a = SampleRandomDedupePairs(1000, 5000, 1);
  auto b = SampleRandomDedupePairs(1000, 5000, 1);
  auto c = SampleRandomDedupePairs(1000, 5000, 2);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->size(), 5000u);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_TRUE(std::adjacent_find(a->begin(), a->end()) == a->end());
  for (const RecordPair& p : *a) {
    EXPECT_LT(p.a, p.b);
    EXPECT_LT(p.b, 1000u);
  }
  // Asking for more than exist gives all of them; dense path.
  auto all = SampleRandomDedupePairs(10, 1000, 3);
  EXPECT_EQ(all->size(), 45u);
  auto most = SampleRandomDedupePairs(10, 40, 3);
  EXPECT_EQ(most->size(), 40u);
  EXPECT_TRUE(std::adjacent_find(most->begin(), most->end()) == most->end());
  EXPECT_TRUE(SampleRandomDedupePairs(1, 10, 3)->empty());
}

TEST(RandomPairsTest, LinkSamplesCoverBothSides) {
  auto s = SampleRandomLinkPairs(50, 3, 100, 9);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 100u);
  std::set<RecordId> rights;
  for (const RecordPair& p : *s) {
    EXPECT_LT(p.a, 50u);
    EXPECT_LT(p.b, 3u);
    rights.insert(p.b);
  }
  EXPECT_EQ(rights.size(), 3u);
  EXPECT_TRUE(std::adjacent_find(s->begin(), s->end()) == s->end());
  EXPECT_EQ(SampleRandomLinkPairs(4, 5, 1000, 9)->size(), 20u);
  EXPECT_FALSE(SampleRandomLinkPairs(1ULL << 33, 5, 10, 9).ok());
}

}  // namespace
}  // namespace kinlink::score
