// Clustering for dedupe: connected components of the pairs whose match
// probability is at or above a threshold, and stable cluster ids.
//
// Stable id rules (AssignStableIds):
//  1. Members are ranked by seniority: the caller's seniority value (smaller
//     = older, e.g. import sequence), ties and the default by input order.
//  2. A component none of whose members had a cluster id before gets the
//     record key of its most senior member.
//  3. A component with members that had ids keeps one of those ids: the id
//     whose most senior current holder is the most senior. So a cluster
//     that grows keeps its id, and when clusters merge the merged cluster
//     keeps the id of the older cluster.
//  4. Ids are unique: components are served in order of their most senior
//     member, and a component whose preferred id is already taken (a
//     previous cluster that split) takes its next candidate: its other old
//     ids, then its members' record keys by seniority.
//
// Thread-safety: UnionFind needs exclusive access; the functions are pure.
//
//   auto comp = ConnectedComponents(n, scored_pairs, 0.9);
//   KL_ASSIGN_OR_RETURN(auto ids, AssignStableIds(*comp, keys, {}, previous));
#ifndef KINLINK_SCORE_CLUSTER_H_
#define KINLINK_SCORE_CLUSTER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "score/types.h"

namespace kinlink::score {

// Disjoint sets over [0, n) with path compression (halving) and union by
// rank: near-constant amortised time per operation.
class UnionFind {
 public:
  explicit UnionFind(std::size_t n);
  std::size_t size() const { return parent_.size(); }
  // The representative of x's set. Precondition: x < size().
  std::uint32_t Find(std::uint32_t x);
  // Joins the sets of a and b; false when already joined.
  bool Union(std::uint32_t a, std::uint32_t b);
  std::size_t num_sets() const { return sets_; }

 private:
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint8_t> rank_;
  std::size_t sets_;
};

struct ScoredPair {
  RecordId a = 0;
  RecordId b = 0;
  double probability = 0.0;
};

struct Components {
  // Per record: its component, numbered 0.. in order of each component's
  // smallest record index.
  std::vector<std::uint32_t> component;
  std::size_t num_components = 0;
};

// Components over n records joined by the pairs with probability >=
// threshold. INVALID_ARGUMENT when a pair names a record >= n, or n >= 2^32.
Result<Components> ConnectedComponents(std::size_t n, std::span<const ScoredPair> pairs,
                                       double threshold);
// The same over pairs that are all accepted.
Result<Components> ConnectedComponents(std::size_t n, std::span<const RecordPair> pairs);

// Stable cluster ids per record (rules above). record_keys: one unique,
// non-empty key per record. seniority: one per record, or empty (input
// order). previous_ids: one per record ("" = had no cluster), or empty (a
// first run). INVALID_ARGUMENT on size mismatches or empty / duplicate
// record keys.
Result<std::vector<std::string>> AssignStableIds(const Components& components,
                                                 std::span<const std::string> record_keys,
                                                 std::span<const std::uint64_t> seniority,
                                                 std::span<const std::string> previous_ids);

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_CLUSTER_H_
