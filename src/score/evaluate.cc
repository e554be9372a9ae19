#include "score/evaluate.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace kinlink::score {
namespace {

std::uint64_t Choose2(std::uint64_t n) { return n < 2 ? 0 : n * (n - 1) / 2; }

std::unordered_map<std::uint64_t, std::uint64_t> GroupSizes(std::span<const std::uint64_t> e) {
  std::unordered_map<std::uint64_t, std::uint64_t> sizes;
  for (std::uint64_t x : e) ++sizes[x];
  return sizes;
}

std::uint64_t DedupeTruePairs(std::span<const std::uint64_t> entity) {
  std::uint64_t t = 0;
  for (const auto& [label, size] : GroupSizes(entity)) t += Choose2(size);
  return t;
}

std::uint64_t LinkTruePairs(std::span<const std::uint64_t> left,
                            std::span<const std::uint64_t> right) {
  const auto rs = GroupSizes(right);
  std::uint64_t t = 0;
  for (const auto& [label, size] : GroupSizes(left)) {
    auto it = rs.find(label);
    if (it != rs.end()) t += size * it->second;
  }
  return t;
}

// Distinct unordered (dedupe) or ordered (link) pairs, validated.
Result<std::vector<RecordPair>> Distinct(std::span<const RecordPair> pairs, std::size_t na,
                                         std::size_t nb, bool unordered) {
  std::vector<RecordPair> v;
  v.reserve(pairs.size());
  for (RecordPair p : pairs) {
    if (p.a >= na || p.b >= nb) return InvalidArgumentError("evaluation: pair names no record");
    if (unordered) {
      if (p.a == p.b) continue;
      if (p.a > p.b) std::swap(p.a, p.b);
    }
    v.push_back(p);
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::uint64_t CountTrue(const std::vector<RecordPair>& pairs, std::span<const std::uint64_t> ea,
                        std::span<const std::uint64_t> eb) {
  std::uint64_t tp = 0;
  for (const RecordPair& p : pairs) tp += ea[p.a] == eb[p.b] ? 1 : 0;
  return tp;
}

BlockingQuality Blocking(std::uint64_t candidates, std::uint64_t found, std::uint64_t truth,
                         std::uint64_t all) {
  BlockingQuality q;
  q.candidate_pairs = candidates;
  q.true_pairs_found = found;
  q.true_pairs = truth;
  q.all_pairs = all;
  q.pairs_completeness = truth == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(truth);
  q.reduction_ratio =
      all == 0 ? 0.0 : 1.0 - static_cast<double>(candidates) / static_cast<double>(all);
  return q;
}

}  // namespace

PairwiseMetrics MetricsFromCounts(std::uint64_t tp, std::uint64_t fp, std::uint64_t fn) {
  PairwiseMetrics m;
  m.true_positives = tp;
  m.false_positives = fp;
  m.false_negatives = fn;
  m.precision = tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
  m.recall = tp + fn == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
  m.f1 = m.precision + m.recall == 0.0 ? 0.0
                                       : 2.0 * m.precision * m.recall / (m.precision + m.recall);
  return m;
}

Result<PairwiseMetrics> EvaluateDedupePairs(std::span<const RecordPair> predicted,
                                            std::span<const std::uint64_t> entity) {
  KL_ASSIGN_OR_RETURN(auto pairs, Distinct(predicted, entity.size(), entity.size(), true));
  const std::uint64_t tp = CountTrue(pairs, entity, entity);
  return MetricsFromCounts(tp, pairs.size() - tp, DedupeTruePairs(entity) - tp);
}

Result<PairwiseMetrics> EvaluateLinkPairs(std::span<const RecordPair> predicted,
                                          std::span<const std::uint64_t> left_entity,
                                          std::span<const std::uint64_t> right_entity) {
  KL_ASSIGN_OR_RETURN(auto pairs,
                      Distinct(predicted, left_entity.size(), right_entity.size(), false));
  const std::uint64_t tp = CountTrue(pairs, left_entity, right_entity);
  return MetricsFromCounts(tp, pairs.size() - tp, LinkTruePairs(left_entity, right_entity) - tp);
}

PairwiseMetrics EvaluatePairSets(std::span<const RecordPair> predicted,
                                 std::span<const RecordPair> truth) {
  auto norm = [](std::span<const RecordPair> in) {
    std::vector<RecordPair> v;
    for (RecordPair p : in) {
      if (p.a == p.b) continue;
      if (p.a > p.b) std::swap(p.a, p.b);
      v.push_back(p);
    }
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  const auto p = norm(predicted);
  const auto t = norm(truth);
  std::vector<RecordPair> both;
  std::set_intersection(p.begin(), p.end(), t.begin(), t.end(), std::back_inserter(both));
  const std::uint64_t tp = both.size();
  return MetricsFromCounts(tp, p.size() - tp, t.size() - tp);
}

Result<PairwiseMetrics> EvaluateClusters(std::span<const std::uint32_t> cluster,
                                         std::span<const std::uint64_t> entity) {
  if (cluster.size() != entity.size()) {
    return InvalidArgumentError("evaluation: one cluster and one entity per record");
  }
  std::unordered_map<std::uint64_t, std::uint64_t> cluster_sizes;
  std::unordered_map<std::uint64_t, std::unordered_map<std::uint64_t, std::uint64_t>> table;
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    ++cluster_sizes[cluster[i]];
    ++table[cluster[i]][entity[i]];
  }
  std::uint64_t predicted = 0;
  for (const auto& [c, size] : cluster_sizes) predicted += Choose2(size);
  std::uint64_t tp = 0;
  for (const auto& [c, row] : table) {
    for (const auto& [e, count] : row) tp += Choose2(count);
  }
  return MetricsFromCounts(tp, predicted - tp, DedupeTruePairs(entity) - tp);
}

Result<BlockingQuality> EvaluateDedupeBlocking(std::span<const RecordPair> candidates,
                                               std::span<const std::uint64_t> entity) {
  KL_ASSIGN_OR_RETURN(auto pairs, Distinct(candidates, entity.size(), entity.size(), true));
  return Blocking(pairs.size(), CountTrue(pairs, entity, entity), DedupeTruePairs(entity),
                  Choose2(entity.size()));
}

Result<BlockingQuality> EvaluateLinkBlocking(std::span<const RecordPair> candidates,
                                             std::span<const std::uint64_t> left_entity,
                                             std::span<const std::uint64_t> right_entity) {
  KL_ASSIGN_OR_RETURN(auto pairs,
                      Distinct(candidates, left_entity.size(), right_entity.size(), false));
  return Blocking(pairs.size(), CountTrue(pairs, left_entity, right_entity),
                  LinkTruePairs(left_entity, right_entity),
                  static_cast<std::uint64_t>(left_entity.size()) * right_entity.size());
}

Result<double> RecallAtK(std::span<const std::vector<RecordId>> ranked,
                         std::span<const std::uint64_t> query_entity,
                         std::span<const std::uint64_t> target_entity, std::size_t k) {
  if (ranked.size() != query_entity.size() || k == 0) {
    return InvalidArgumentError("recall@k: one ranked list per query and k >= 1");
  }
  const std::unordered_set<std::uint64_t> present(target_entity.begin(), target_entity.end());
  std::size_t counted = 0;
  std::size_t hits = 0;
  for (std::size_t q = 0; q < ranked.size(); ++q) {
    for (RecordId t : ranked[q]) {
      if (t >= target_entity.size()) return InvalidArgumentError("recall@k: target out of range");
    }
    if (present.count(query_entity[q]) == 0) continue;
    ++counted;
    const std::size_t top = std::min(k, ranked[q].size());
    for (std::size_t i = 0; i < top; ++i) {
      if (target_entity[ranked[q][i]] == query_entity[q]) {
        ++hits;
        break;
      }
    }
  }
  return counted == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(counted);
}

}  // namespace kinlink::score
