// Token-set alignment similarity. See string_metrics.h for the formula.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "match/string_metrics.h"

namespace kinlink::match {
namespace {

bool IsSeparator(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\r' || c == U'\n' || c == U'\u00A0' ||
         c == U'\u3000';
}

// Best total weight of a one-to-one pairing; weights[i * cols + j] >= 0.
// Exact for small inputs: a dynamic programme over the rows, with the set of
// used columns as a bit mask (cols ≤ kTokenSetExactMaxTokens, so ≤ 64 masks).
double ExactPairing(const std::vector<double>& weights, std::size_t rows, std::size_t cols) {
  const std::size_t masks = std::size_t{1} << cols;
  std::vector<double> best(masks, -1.0), next(masks);
  best[0] = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    next = best;  // row i left unpaired
    for (std::size_t used = 0; used < masks; ++used) {
      if (best[used] < 0.0) continue;
      for (std::size_t j = 0; j < cols; ++j) {
        if (used & (std::size_t{1} << j)) continue;
        const std::size_t to = used | (std::size_t{1} << j);
        next[to] = std::max(next[to], best[used] + weights[i * cols + j]);
      }
    }
    best.swap(next);
  }
  return *std::max_element(best.begin(), best.end());
}

// Greedy: take the heaviest remaining pair whose tokens are both free.
double GreedyPairing(const std::vector<double>& weights, std::size_t rows, std::size_t cols) {
  std::vector<std::size_t> order(weights.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return weights[x] > weights[y]; });
  std::vector<bool> row_used(rows), col_used(cols);
  double total = 0.0;
  for (std::size_t k : order) {
    const std::size_t i = k / cols, j = k % cols;
    if (row_used[i] || col_used[j]) continue;
    row_used[i] = col_used[j] = true;
    total += weights[k];
  }
  return total;
}

template <typename RowSim>
double Align(std::size_t rows, std::size_t row_length, const std::vector<std::u32string_view>& tb,
             RowSim row_sim) {
  if (rows == 0 && tb.empty()) return 1.0;
  if (rows == 0 || tb.empty()) return 0.0;
  std::size_t total = row_length;
  for (auto t : tb) total += t.size();
  const std::size_t cols = tb.size();
  std::vector<double> weights(rows * cols);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) weights[i * cols + j] = row_sim(i, tb[j]);
  }
  double best = 0.0;
  if (cols <= kTokenSetExactMaxTokens) {
    best = ExactPairing(weights, rows, cols);
  } else if (rows <= kTokenSetExactMaxTokens) {
    // Transpose so that the mask runs over the smaller side.
    std::vector<double> t(weights.size());
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t j = 0; j < cols; ++j) t[j * rows + i] = weights[i * cols + j];
    }
    best = ExactPairing(t, cols, rows);
  } else {
    best = GreedyPairing(weights, rows, cols);
  }
  return std::min(1.0, best / static_cast<double>(total));
}

}  // namespace

std::vector<std::u32string_view> SplitNameTokens(std::u32string_view name) {
  std::vector<std::u32string_view> tokens;
  std::size_t i = 0;
  while (i < name.size() && tokens.size() < kTokenSetMaxTokens) {
    while (i < name.size() && IsSeparator(name[i])) ++i;
    std::size_t j = i;
    while (j < name.size() && !IsSeparator(name[j])) ++j;
    if (j > i) tokens.push_back(name.substr(i, j - i));
    i = j;
  }
  return tokens;
}

double TokenSetSimilarity(std::u32string_view a, std::u32string_view b) {
  const auto ta = SplitNameTokens(a);
  const auto tb = SplitNameTokens(b);
  std::size_t length = 0;
  for (auto t : ta) length += t.size();
  return Align(ta.size(), length, tb, [&](std::size_t i, std::u32string_view t) {
    return JaroWinklerSimilarity(ta[i], t) * static_cast<double>(ta[i].size() + t.size());
  });
}

CachedTokenSet::CachedTokenSet(std::u32string_view name) {
  for (auto t : SplitNameTokens(name)) {
    tokens_.emplace_back(t);
    total_length_ += t.size();
  }
}

double CachedTokenSet::Similarity(std::u32string_view text) const {
  const auto tb = SplitNameTokens(text);
  return Align(tokens_.size(), total_length_, tb, [&](std::size_t i, std::u32string_view t) {
    return tokens_[i].Similarity(t) * static_cast<double>(tokens_[i].pattern().size() + t.size());
  });
}

}  // namespace kinlink::match
