// Blocking: which pairs of records are compared at all. Each record has one
// key per blocking rule (a keyed token or a hash, computed by the caller; the
// all-zero key means "no value" and is skipped). Two records are a candidate
// pair when they share a non-empty key under at least one rule (rules are
// OR-ed).
//
// Each pair is produced once, however many rules it shares a key under:
// rule r emits a pair only if no earlier rule r' < r "covers" it. A rule
// covers a pair when both records have the same non-empty key under it and
// that block was not skipped for its size (or, in a sampled block, both
// records were kept). The check reads the two records' earlier keys, so it
// costs O(rules) per pair and no memory: no set of emitted pairs is kept.
//
// Mega-blocks (one common value forming a huge block) are capped: a block
// with more than max_block_records records or more than max_block_pairs
// pairs is skipped (default) or sub-sampled: each record is kept with a
// probability chosen so that the expected kept block fits the caps; the
// decision is a hash of (seed, rule, side, record), so it is deterministic
// and the cross-rule check can recompute it. Every capped block is reported
// by rule, block ordinal and size — never by key.
//
// Pairs are streamed to a sink in batches, so hundreds of millions of pairs
// never sit in memory. With num_threads > 1, workers take disjoint ranges of
// blocks and call the sink concurrently.
//
// Thread-safety: a BlockIndex is immutable after Build; const methods may be
// called concurrently.
//
//   BlockingKeys keys(2);
//   keys.Append({given_skeleton_year, family_phonetic});   // record 0, ...
//   KL_ASSIGN_OR_RETURN(BlockIndex index, BlockIndex::Build(std::move(keys)));
//   KL_ASSIGN_OR_RETURN(CandidateReport rep, GenerateDedupeCandidates(
//       index, {}, [&](std::span<const RecordPair> batch) { ...; return OkStatus(); }));
#ifndef KINLINK_SCORE_BLOCKING_H_
#define KINLINK_SCORE_BLOCKING_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <vector>

#include "common/result.h"
#include "score/types.h"

namespace kinlink::score {

inline constexpr std::size_t kMaxBlockingRules = 32;

// Keys of many records, row-major: row r holds record r's key per rule.
class BlockingKeys {
 public:
  explicit BlockingKeys(std::size_t num_rules) : num_rules_(num_rules) {}

  std::size_t num_rules() const { return num_rules_; }
  std::size_t num_records() const { return num_rules_ == 0 ? 0 : keys_.size() / num_rules_; }
  void Reserve(std::size_t records) { keys_.reserve(records * num_rules_); }
  // Appends one record's keys. Precondition: keys.size() == num_rules().
  void Append(std::span<const Key128> keys) { keys_.insert(keys_.end(), keys.begin(), keys.end()); }
  void Append(std::initializer_list<Key128> keys) {
    keys_.insert(keys_.end(), keys.begin(), keys.end());
  }
  const Key128& Key(RecordId record, std::size_t rule) const {
    return keys_[static_cast<std::size_t>(record) * num_rules_ + rule];
  }

 private:
  std::size_t num_rules_;
  std::vector<Key128> keys_;
};

// Per rule: the records with a non-empty key, grouped into blocks of equal
// key (blocks in key order, records in each block in id order).
class BlockIndex {
 public:
  // INVALID_ARGUMENT when there are no rules or more than kMaxBlockingRules,
  // the key count is not a multiple of the rules, or there are 2^32 records
  // or more.
  static Result<BlockIndex> Build(BlockingKeys keys);

  const BlockingKeys& keys() const { return keys_; }
  std::size_t num_rules() const { return keys_.num_rules(); }
  std::size_t num_records() const { return keys_.num_records(); }
  std::size_t num_blocks(std::size_t rule) const { return rules_[rule].starts.size() - 1; }
  std::span<const RecordId> Block(std::size_t rule, std::size_t block) const;
  const Key128& BlockKey(std::size_t rule, std::size_t block) const {
    return keys_.Key(Block(rule, block)[0], rule);
  }
  // Records whose key under `rule` is empty.
  std::size_t empty_keys(std::size_t rule) const { return rules_[rule].empty_keys; }

 private:
  struct Rule {
    std::vector<RecordId> order;
    std::vector<std::uint32_t> starts;  // num_blocks + 1 offsets into order
    std::size_t empty_keys = 0;
  };
  explicit BlockIndex(BlockingKeys keys) : keys_(std::move(keys)) {}

  BlockingKeys keys_;
  std::vector<Rule> rules_;
};

enum class CapPolicy { kSkip, kSample };

struct CandidateOptions {
  // 0 = no cap. For link, records of both sides together.
  std::uint64_t max_block_records = 10'000;
  // 0 = no cap.
  std::uint64_t max_block_pairs = 10'000'000;
  CapPolicy cap_policy = CapPolicy::kSkip;
  std::uint64_t seed = 0x626C6F636BULL;
  // Pairs per sink call (at least 1).
  std::size_t batch_size = 1 << 16;
  // 1: the calling thread, deterministic order (rules in order, blocks in
  // key order, pairs in id order). More: that many worker threads, the sink
  // called concurrently, the order unspecified (the set of pairs the same).
  int num_threads = 1;
};

struct CappedBlock {
  std::size_t rule = 0;
  // Ordinal of the block in the rule's key order (the left side's, for link).
  std::size_t block = 0;
  std::uint64_t left_records = 0;
  std::uint64_t right_records = 0;  // 0 for dedupe
  std::uint64_t pairs = 0;          // pairs the block would have produced
  bool sampled = false;             // false: skipped
};

struct CandidateReport {
  std::uint64_t pairs = 0;
  std::vector<std::uint64_t> pairs_per_rule;  // pairs first produced by each rule
  std::vector<CappedBlock> capped;            // ordered by (rule, block)
};

// Receives a batch of pairs; a non-OK status stops generation and is
// returned. Must be thread-safe when num_threads > 1.
using PairSink = std::function<Status(std::span<const RecordPair>)>;

// Dedupe: pairs (a, b), a < b, of records of one index.
// INVALID_ARGUMENT on bad options; otherwise the sink's first error.
Result<CandidateReport> GenerateDedupeCandidates(const BlockIndex& index,
                                                 const CandidateOptions& options,
                                                 const PairSink& sink);
// Link: pairs (a in left, b in right). Both indices need the same rules.
Result<CandidateReport> GenerateLinkCandidates(const BlockIndex& left, const BlockIndex& right,
                                               const CandidateOptions& options,
                                               const PairSink& sink);

// Convenience: all candidates in memory, sorted (for tests and small inputs).
Result<std::vector<RecordPair>> CollectDedupeCandidates(const BlockIndex& index,
                                                        const CandidateOptions& options,
                                                        CandidateReport* report = nullptr);
Result<std::vector<RecordPair>> CollectLinkCandidates(const BlockIndex& left,
                                                      const BlockIndex& right,
                                                      const CandidateOptions& options,
                                                      CandidateReport* report = nullptr);

// Random pairs for u estimation: `count` distinct pairs drawn uniformly
// without replacement (all pairs when count >= the number of pairs), sorted.
// Dedupe pairs have a < b < n. Deterministic for a seed.
// INVALID_ARGUMENT when n (or a side) has 2^32 records or more.
Result<std::vector<RecordPair>> SampleRandomDedupePairs(std::uint64_t n, std::size_t count,
                                                        std::uint64_t seed);
Result<std::vector<RecordPair>> SampleRandomLinkPairs(std::uint64_t n_left,
                                                      std::uint64_t n_right, std::size_t count,
                                                      std::uint64_t seed);

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_BLOCKING_H_
