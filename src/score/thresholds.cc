#include "score/thresholds.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace kinlink::score {

Result<std::vector<ExpectedQuality>> ExpectedQualityAt(std::span<const double> probabilities,
                                                       std::span<const double> thresholds) {
  std::vector<double> sorted(probabilities.begin(), probabilities.end());
  for (double p : sorted) {
    if (!(p >= 0.0 && p <= 1.0)) return InvalidArgumentError("probability not in [0, 1]");
  }
  for (double t : thresholds) {
    if (!(t >= 0.0 && t <= 1.0)) return InvalidArgumentError("threshold not in [0, 1]");
  }
  // Descending order with prefix sums: the pairs at or above t are a prefix.
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  std::vector<double> prefix(sorted.size() + 1, 0.0);
  for (std::size_t i = 0; i < sorted.size(); ++i) prefix[i + 1] = prefix[i] + sorted[i];
  const double total = prefix.back();
  std::vector<ExpectedQuality> out;
  out.reserve(thresholds.size());
  for (double t : thresholds) {
    const auto above = static_cast<std::size_t>(
        std::upper_bound(sorted.begin(), sorted.end(), t, std::greater<>()) -
        sorted.begin());
    ExpectedQuality q;
    q.threshold = t;
    q.pairs_at_or_above = above;
    q.expected_true_positives = prefix[above];
    q.expected_false_positives = static_cast<double>(above) - prefix[above];
    q.expected_false_negatives = total - prefix[above];
    q.expected_precision = above == 0 ? 1.0 : prefix[above] / static_cast<double>(above);
    q.expected_recall = total > 0.0 ? prefix[above] / total : 0.0;
    out.push_back(q);
  }
  return out;
}

Result<ScoreHistogram> HistogramOf(std::span<const double> scores, double low, double high,
                                   int bins) {
  if (bins < 1 || !(high > low)) {
    return InvalidArgumentError("histogram: need bins >= 1 and high > low");
  }
  ScoreHistogram h;
  h.low = low;
  h.bin_width = (high - low) / bins;
  h.counts.assign(static_cast<std::size_t>(bins), 0);
  for (double s : scores) {
    if (std::isnan(s)) continue;
    const double pos = std::floor((s - low) / h.bin_width);
    const auto bin = static_cast<std::size_t>(std::clamp(pos, 0.0, static_cast<double>(bins - 1)));
    ++h.counts[bin];
  }
  return h;
}

}  // namespace kinlink::score
