// Levenshtein kernels. See string_metrics.h for the definitions.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "match/string_metrics.h"

namespace kinlink::match {
namespace internal {

PatternMasks::PatternMasks(std::u32string_view pattern) {
  for (std::size_t i = 0; i < pattern.size() && i < 64; ++i) {
    const char32_t c = pattern[i];
    const std::uint64_t bit = std::uint64_t{1} << i;
    if (c < 256) {
      ascii_[c] |= bit;
      continue;
    }
    std::size_t slot = Slot(c);
    while (keys_[slot] != kEmpty && keys_[slot] != c) slot = (slot + 1) & (kSlots - 1);
    keys_[slot] = c;
    masks_[slot] |= bit;
  }
}

}  // namespace internal

namespace {

// Hyyrö (2003), "A bit-vector algorithm for computing Levenshtein and
// Damerau edit distances", Fig. 3, for a pattern of 1..64 code points.
// VP/VN hold the vertical +1/-1 deltas of the current DP column.
template <typename Masks>
std::size_t MyersDistance(const Masks& masks, std::size_t pattern_len,
                          std::u32string_view text) {
  if (pattern_len == 0) return text.size();
  std::uint64_t vp = ~std::uint64_t{0};
  std::uint64_t vn = 0;
  const std::uint64_t last = std::uint64_t{1} << (pattern_len - 1);
  std::size_t score = pattern_len;
  for (char32_t c : text) {
    const std::uint64_t pm = masks.Get(c);
    const std::uint64_t x = pm | vn;
    const std::uint64_t d0 = (((x & vp) + vp) ^ vp) | x;
    std::uint64_t hp = vn | ~(d0 | vp);
    std::uint64_t hn = vp & d0;
    if (hp & last) ++score;
    if (hn & last) --score;
    hp = (hp << 1) | 1;
    hn = hn << 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
  }
  return score;
}

// Single-row Wagner–Fischer for long strings (rare for names: only when
// both sides exceed 64 code points).
std::size_t DpDistance(std::u32string_view a, std::u32string_view b) {
  if (a.size() < b.size()) std::swap(a, b);  // row over the shorter string
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t sub = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({up + 1, row[j - 1] + 1, sub});
      diag = up;
    }
  }
  return row[b.size()];
}

// The largest distance whose similarity still reaches `score_cutoff`.
std::size_t MaxDistanceFor(std::size_t longest, double score_cutoff) {
  if (score_cutoff <= 0.0) return longest;
  const double allowed = (1.0 - score_cutoff) * static_cast<double>(longest);
  return static_cast<std::size_t>(std::floor(allowed + 1e-9));
}

double ToSimilarity(std::size_t distance, std::size_t longest, double score_cutoff) {
  if (longest == 0) return 1.0;
  const double sim = 1.0 - static_cast<double>(distance) / static_cast<double>(longest);
  return sim >= score_cutoff ? sim : 0.0;
}

std::size_t Diff(std::size_t x, std::size_t y) { return x > y ? x - y : y - x; }

}  // namespace

std::size_t LevenshteinDistance(std::u32string_view a, std::u32string_view b) {
  if (a.size() > b.size()) std::swap(a, b);  // a is the shorter
  if (a.size() <= internal::SmallPatternMasks::kMaxLength) {
    return MyersDistance(internal::SmallPatternMasks(a), a.size(), b);
  }
  if (a.size() <= 64) return MyersDistance(internal::PatternMasks(a), a.size(), b);
  return DpDistance(a, b);
}

double LevenshteinSimilarity(std::u32string_view a, std::u32string_view b, double score_cutoff) {
  const std::size_t longest = std::max(a.size(), b.size());
  // The length difference is a lower bound on the distance.
  if (longest != 0 && Diff(a.size(), b.size()) > MaxDistanceFor(longest, score_cutoff)) {
    return 0.0;
  }
  return ToSimilarity(LevenshteinDistance(a, b), longest, score_cutoff);
}

CachedLevenshtein::CachedLevenshtein(std::u32string_view pattern) : pattern_(pattern) {
  if (pattern_.size() <= 64) masks_ = internal::PatternMasks(pattern_);
}

std::size_t CachedLevenshtein::Distance(std::u32string_view text) const {
  if (pattern_.size() <= 64) return MyersDistance(masks_, pattern_.size(), text);
  if (text.size() <= 64) return MyersDistance(internal::PatternMasks(text), text.size(), pattern_);
  return DpDistance(pattern_, text);
}

double CachedLevenshtein::Similarity(std::u32string_view text, double score_cutoff) const {
  const std::size_t longest = std::max(pattern_.size(), text.size());
  if (longest != 0 && Diff(pattern_.size(), text.size()) > MaxDistanceFor(longest, score_cutoff)) {
    return 0.0;
  }
  return ToSimilarity(Distance(text), longest, score_cutoff);
}

}  // namespace kinlink::match
