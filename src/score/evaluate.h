// Quality measures against ground truth (entity labels: records with equal
// labels are the same person). True pairs are counted by group sizes, never
// materialised: a data set with one entity of 10^5 records has 5·10^9 true
// pairs.
//
// Thread-safety: pure functions.
#ifndef KINLINK_SCORE_EVALUATE_H_
#define KINLINK_SCORE_EVALUATE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "score/types.h"

namespace kinlink::score {

struct PairwiseMetrics {
  std::uint64_t true_positives = 0;
  std::uint64_t false_positives = 0;
  std::uint64_t false_negatives = 0;
  double precision = 0.0;  // 1 when nothing is predicted
  double recall = 0.0;     // 1 when there is nothing to find
  double f1 = 0.0;
};

// Fills precision, recall and F1 from the three counts.
PairwiseMetrics MetricsFromCounts(std::uint64_t tp, std::uint64_t fp, std::uint64_t fn);

// Dedupe: predicted pairs over records labelled by `entity` (one per
// record). Pairs are unordered; repeats and (a, a) are ignored.
// INVALID_ARGUMENT when a pair names a record out of range.
Result<PairwiseMetrics> EvaluateDedupePairs(std::span<const RecordPair> predicted,
                                            std::span<const std::uint64_t> entity);
// Link: predicted (left, right) pairs; true pairs are left × right records
// with equal labels.
Result<PairwiseMetrics> EvaluateLinkPairs(std::span<const RecordPair> predicted,
                                          std::span<const std::uint64_t> left_entity,
                                          std::span<const std::uint64_t> right_entity);
// Predicted and true pairs both given as lists (unordered pairs).
PairwiseMetrics EvaluatePairSets(std::span<const RecordPair> predicted,
                                 std::span<const RecordPair> truth);
// Dedupe clusters: the pairs a clustering implies (all pairs within each
// cluster) against the true pairs, from the contingency table of cluster ×
// entity: TP = Σ C(n_ij, 2). INVALID_ARGUMENT on a size mismatch.
Result<PairwiseMetrics> EvaluateClusters(std::span<const std::uint32_t> cluster,
                                         std::span<const std::uint64_t> entity);

struct BlockingQuality {
  std::uint64_t candidate_pairs = 0;
  std::uint64_t true_pairs_found = 0;
  std::uint64_t true_pairs = 0;
  std::uint64_t all_pairs = 0;       // n(n-1)/2, or n_left · n_right
  double pairs_completeness = 0.0;   // found / true (1 when no true pair)
  double reduction_ratio = 0.0;      // 1 - candidates / all (0 when no pair)
};

// Pairs completeness and reduction ratio of a candidate set (distinct
// pairs, as blocking produces them).
Result<BlockingQuality> EvaluateDedupeBlocking(std::span<const RecordPair> candidates,
                                               std::span<const std::uint64_t> entity);
Result<BlockingQuality> EvaluateLinkBlocking(std::span<const RecordPair> candidates,
                                             std::span<const std::uint64_t> left_entity,
                                             std::span<const std::uint64_t> right_entity);

// recall@k for search: ranked[q] lists target record indices, best first,
// for query q. A query counts when at least one target has its entity; it
// is a hit when one of its first k candidates does. Returns hits / counted
// (0 when no query counts). INVALID_ARGUMENT on a size mismatch, k = 0, or
// a target index out of range.
Result<double> RecallAtK(std::span<const std::vector<RecordId>> ranked,
                         std::span<const std::uint64_t> query_entity,
                         std::span<const std::uint64_t> target_entity, std::size_t k);

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_EVALUATE_H_
