// LinkKle: candidates from the record filters (popcount length filter +
// Dice), then the Fellegi–Sunter engine of linkage::LinkFeatures or plain
// Dice, then top-k and an optional greedy 1:1 assignment.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "match/dice_join.h"
#include "pprl/pprl.h"

namespace kinlink::pprl {

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int Workers(int requested) {
  if (requested > 0) return std::min(requested, 64);
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
}

bool ByLeftThenScore(const KlePair& x, const KlePair& y) {
  if (x.a != y.a) return x.a < y.a;
  if (x.score != y.score) return x.score > y.score;
  return x.b < y.b;
}

// For every left record, the right records whose record-filter Dice is at
// least `t`, the best `top` of them (all with top == 0): match::DiceJoin
// (popcount length filter over the right side sorted by popcount, then
// the tiled SIMD kernels).
struct DiceCandidates {
  std::vector<KlePair> pairs;  // score = Dice; sorted by (a, -score, b)
  std::uint64_t comparisons = 0;
};

Result<DiceCandidates> FindDiceCandidates(const std::vector<match::BloomFilter>& left,
                                          const std::vector<match::BloomFilter>& right, double t,
                                          int top, int workers) {
  const std::size_t bits = left.empty() ? 64 : left.front().bits();
  KL_ASSIGN_OR_RETURN(match::PackedFilters a, match::PackedFilters::Create(bits));
  KL_ASSIGN_OR_RETURN(match::PackedFilters b, match::PackedFilters::Create(bits));
  a.Reserve(left.size());
  b.Reserve(right.size());
  for (const match::BloomFilter& f : left) KL_RETURN_IF_ERROR(a.Add(f));
  for (const match::BloomFilter& f : right) KL_RETURN_IF_ERROR(b.Add(f));
  match::DiceJoinOptions o;
  o.threshold = std::clamp(t, 0.01, 1.0);
  o.top_k = static_cast<std::size_t>(std::max(top, 0));
  o.threads = static_cast<std::size_t>(workers);
  o.max_results = std::size_t{1} << 28;
  match::DiceJoinStats js;
  KL_ASSIGN_OR_RETURN(std::vector<match::DicePair> found, match::DiceJoin(a, b, o, &js));
  DiceCandidates out;
  out.comparisons = js.pairs_compared;
  out.pairs.reserve(found.size());
  for (const match::DicePair& p : found) out.pairs.push_back({p.a, p.b, p.dice, 0});
  return out;
}

std::vector<KlePair> TopK(std::vector<KlePair> pairs, int k) {
  std::sort(pairs.begin(), pairs.end(), ByLeftThenScore);
  if (k <= 0) return pairs;
  std::vector<KlePair> out;
  std::uint32_t current = UINT32_MAX;
  int kept = 0;
  for (const KlePair& p : pairs) {
    if (p.a != current) {
      current = p.a;
      kept = 0;
    }
    if (kept++ < k) out.push_back(p);
  }
  return out;
}

}  // namespace

double DefaultDice(const Schema& schema) { return schema.hardening.xor_fold ? 0.60 : 0.70; }

std::vector<KlePair> OneToOne(std::vector<KlePair> pairs) {
  std::sort(pairs.begin(), pairs.end(), [](const KlePair& x, const KlePair& y) {
    if (x.score != y.score) return x.score > y.score;
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });
  std::vector<std::uint8_t> used_a, used_b;
  std::vector<KlePair> out;
  for (const KlePair& p : pairs) {
    if (p.a >= used_a.size()) used_a.resize(p.a + 1, 0);
    if (p.b >= used_b.size()) used_b.resize(p.b + 1, 0);
    if (used_a[p.a] || used_b[p.b]) continue;
    used_a[p.a] = used_b[p.b] = 1;
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(), ByLeftThenScore);
  return out;
}

Result<LinkKleResult> LinkKle(KleFile left, KleFile right, const LinkKleOptions& options) {
  const auto started = Clock::now();
  KL_RETURN_IF_ERROR(CheckComparable(left, right, "the left file", "the right file"));
  if (left.size() == 0 || right.size() == 0) {
    return InvalidArgumentError("nothing to match: an input has no records");
  }
  LinkKleResult result;
  LinkKleStats& stats = result.stats;
  stats.left_records = left.size();
  stats.right_records = right.size();
  const int workers = Workers(options.threads);
  const bool fs = options.mode == LinkMode::kFellegiSunter;
  const double default_dice = DefaultDice(left.schema);
  const double threshold = options.threshold >= 0 ? options.threshold : (fs ? 0.99 : default_dice);
  const double candidate_dice = options.candidate_dice >= 0 ? options.candidate_dice : default_dice;

  // Candidates by record-filter Dice. Dice mode: every pair over the
  // threshold (or, with top-k, over the candidate floor) is one.
  const double dice_floor =
      fs ? candidate_dice : (options.top_k > 0 ? std::min(threshold, candidate_dice) : threshold);
  KL_ASSIGN_OR_RETURN(DiceCandidates dice,
                      FindDiceCandidates(left.record_filters, right.record_filters, dice_floor,
                                         fs ? options.candidate_top : 0, workers));
  stats.dice_comparisons = dice.comparisons;
  stats.dice_candidates = dice.pairs.size();
  stats.seconds_candidates = Since(started);

  std::vector<KlePair> pairs;
  if (!fs) {
    stats.candidates = dice.pairs.size();
    pairs = TopK(std::move(dice.pairs), options.top_k);
  } else {
    std::vector<score::RecordPair> extra;
    extra.reserve(dice.pairs.size());
    for (const KlePair& p : dice.pairs) extra.push_back({p.a, p.b});
    linkage::LinkOptions lo = options.link;
    lo.threshold = threshold;
    lo.top_k = options.top_k;
    KL_ASSIGN_OR_RETURN(linkage::LinkResult r,
                        linkage::LinkFeatures(std::move(left.features), left.keys,
                                              std::move(right.features), right.keys, lo, extra));
    stats.link = r.stats;
    stats.candidates = r.stats.candidates;
    pairs.reserve(r.pairs.size());
    for (const linkage::ScoredPair& p : r.pairs) {
      pairs.push_back({p.a, p.b, p.probability, p.weight});
    }
    std::sort(pairs.begin(), pairs.end(), ByLeftThenScore);
  }
  result.pairs = options.one_to_one ? OneToOne(std::move(pairs)) : std::move(pairs);
  stats.seconds_total = Since(started);
  return result;
}

}  // namespace kinlink::pprl
