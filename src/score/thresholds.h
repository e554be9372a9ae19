// Choosing a threshold without ground truth: the score distribution of the
// candidate pairs, and the precision and recall the model itself expects at
// a threshold. If the model's probabilities are calibrated, the expected
// number of true matches above threshold t is Σ_{p_i >= t} p_i, so
//   expected precision(t) = Σ_{p_i >= t} p_i / #{p_i >= t}
//   expected recall(t)    = Σ_{p_i >= t} p_i / Σ_i p_i.
// Recall is relative to the matches among the candidates: matches that
// blocking missed are invisible here (measure pairs completeness for those).
//
// Thread-safety: pure functions.
#ifndef KINLINK_SCORE_THRESHOLDS_H_
#define KINLINK_SCORE_THRESHOLDS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"

namespace kinlink::score {

struct ExpectedQuality {
  double threshold = 0.0;
  std::size_t pairs_at_or_above = 0;
  double expected_true_positives = 0.0;
  double expected_false_positives = 0.0;
  double expected_false_negatives = 0.0;
  double expected_precision = 0.0;  // 1 when no pair is at or above
  double expected_recall = 0.0;     // 0 when the expected matches are 0
};

// Expected quality at each threshold (a probability in [0, 1]) over
// `probabilities`. INVALID_ARGUMENT when a probability or threshold is not in
// [0, 1]. O((n + t) log n).
Result<std::vector<ExpectedQuality>> ExpectedQualityAt(std::span<const double> probabilities,
                                                       std::span<const double> thresholds);

struct ScoreHistogram {
  double low = 0.0;
  double bin_width = 0.0;
  // counts[i] covers [low + i·w, low + (i+1)·w); values outside [low, high)
  // are counted in the first / last bin.
  std::vector<std::uint64_t> counts;
};

// Histogram of match weights (or probabilities) for display. INVALID_ARGUMENT
// when bins < 1 or high <= low.
Result<ScoreHistogram> HistogramOf(std::span<const double> scores, double low, double high,
                                   int bins);

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_THRESHOLDS_H_
