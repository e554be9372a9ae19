// Jaro and Jaro–Winkler kernels. See string_metrics.h for the definitions.
//
// Symmetry: the greedy matching of the definition walks `a` and flags the
// first free position of `b`. For each code point the greedy picks a
// maximum matching between its occurrences in `a` and `b` (windows are
// intervals that move monotonically), and walking `b` instead gives the same
// count and the same sequence of matched code points, so Jaro(a, b) ==
// Jaro(b, a) exactly; the differential tests check this. The kernels rely on
// it to put whichever side is ≤ 64 code points into the bit masks.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "match/string_metrics.h"

namespace kinlink::match {
namespace {

struct Counts {
  std::size_t matches = 0;
  std::size_t half_transpositions = 0;
};

std::size_t Window(std::size_t la, std::size_t lb) {
  const std::size_t longest = std::max(la, lb);
  return longest / 2 >= 1 ? longest / 2 - 1 : 0;
}

// Walks `text`; `pattern` (1..64 code points) is in `masks`. Equivalent to
// the definition with a = text, b = pattern.
template <typename Masks>
Counts BitParallelCounts(const Masks& masks, std::u32string_view pattern,
                         std::u32string_view text) {
  const std::size_t lp = pattern.size();
  const std::size_t w = Window(lp, text.size());
  std::uint64_t p_flag = 0;
  std::array<char32_t, 64> matched{};  // text code points matched, in order
  Counts counts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > lp - 1 + w) break;  // the window lies past the end of the pattern
    const std::size_t lo = i > w ? i - w : 0;
    const std::size_t hi = std::min(lp - 1, i + w);
    const std::size_t width = hi - lo + 1;
    const std::uint64_t window =
        (width == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << width) - 1)) << lo;
    const std::uint64_t candidates = masks.Get(text[i]) & window & ~p_flag;
    if (candidates != 0) {
      p_flag |= candidates & (~candidates + 1);  // lowest free position
      matched[counts.matches++] = text[i];
    }
  }
  std::size_t k = 0;
  for (std::uint64_t flags = p_flag; flags != 0; flags &= flags - 1) {
    if (pattern[static_cast<std::size_t>(std::countr_zero(flags))] != matched[k++]) {
      ++counts.half_transpositions;
    }
  }
  return counts;
}

// Both strings longer than 64 code points: flag arrays, O(|a|·w).
Counts ArrayCounts(std::u32string_view a, std::u32string_view b) {
  const std::size_t w = Window(a.size(), b.size());
  std::vector<unsigned char> a_flag(a.size()), b_flag(b.size());
  Counts counts;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > w ? i - w : 0;
    const std::size_t hi = std::min(b.size(), i + w + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (!b_flag[j] && a[i] == b[j]) {
        a_flag[i] = b_flag[j] = 1;
        ++counts.matches;
        break;
      }
    }
  }
  std::size_t j = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a_flag[i]) continue;
    while (!b_flag[j]) ++j;
    if (a[i] != b[j]) ++counts.half_transpositions;
    ++j;
  }
  return counts;
}

// Same expression (and so the same rounding) as the reference.
double JaroFromCounts(const Counts& c, std::size_t la, std::size_t lb) {
  if (c.matches == 0) return 0.0;
  const double m = static_cast<double>(c.matches);
  const double t = static_cast<double>(c.half_transpositions / 2);
  return (m / static_cast<double>(la) + m / static_cast<double>(lb) + (m - t) / m) / 3.0;
}

// Upper bound of Jaro from the lengths alone (m ≤ min length, t ≥ 0).
double JaroBound(std::size_t la, std::size_t lb) {
  const double m = static_cast<double>(std::min(la, lb));
  return (m / static_cast<double>(la) + m / static_cast<double>(lb) + 1.0) / 3.0;
}

double Boost(double jaro, std::u32string_view a, std::u32string_view b) {
  if (!(jaro > kWinklerBoostThreshold)) return jaro;
  std::size_t prefix = 0;
  while (prefix < kWinklerMaxPrefix && prefix < a.size() && prefix < b.size() &&
         a[prefix] == b[prefix]) {
    ++prefix;
  }
  return jaro + static_cast<double>(prefix) * kWinklerPrefixScale * (1.0 - jaro);
}

double Cut(double score, double score_cutoff) { return score >= score_cutoff ? score : 0.0; }

// Jaro of `pattern` (with masks when it is ≤ 64 code points; without,
// short patterns get small masks built here) and `text`.
double JaroImpl(const internal::PatternMasks* masks, std::u32string_view pattern,
                std::u32string_view text) {
  if (pattern.empty() && text.empty()) return 1.0;
  if (pattern.empty() || text.empty()) return 0.0;
  Counts counts;
  if (masks != nullptr) {
    counts = BitParallelCounts(*masks, pattern, text);
  } else if (pattern.size() <= internal::SmallPatternMasks::kMaxLength) {
    counts = BitParallelCounts(internal::SmallPatternMasks(pattern), pattern, text);
  } else if (text.size() <= internal::SmallPatternMasks::kMaxLength) {
    counts = BitParallelCounts(internal::SmallPatternMasks(text), text, pattern);
  } else if (text.size() <= 64) {
    counts = BitParallelCounts(internal::PatternMasks(text), text, pattern);
  } else {
    counts = ArrayCounts(pattern, text);
  }
  return JaroFromCounts(counts, pattern.size(), text.size());
}

double WinklerBound(double jaro_bound) {
  return jaro_bound > kWinklerBoostThreshold
             ? jaro_bound + static_cast<double>(kWinklerMaxPrefix) * kWinklerPrefixScale *
                                (1.0 - jaro_bound)
             : jaro_bound;
}

bool NonEmptyBelow(std::size_t la, std::size_t lb, double bound, double score_cutoff) {
  return la != 0 && lb != 0 && score_cutoff > 0.0 && bound < score_cutoff;
}

}  // namespace

double JaroSimilarity(std::u32string_view a, std::u32string_view b, double score_cutoff) {
  if (NonEmptyBelow(a.size(), b.size(), JaroBound(a.size(), b.size()), score_cutoff)) return 0.0;
  if (a.size() > internal::SmallPatternMasks::kMaxLength && a.size() <= 64) {
    const internal::PatternMasks masks(a);
    return Cut(JaroImpl(&masks, a, b), score_cutoff);
  }
  return Cut(JaroImpl(nullptr, a, b), score_cutoff);
}

double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b, double score_cutoff) {
  if (NonEmptyBelow(a.size(), b.size(), WinklerBound(JaroBound(a.size(), b.size())),
                    score_cutoff)) {
    return 0.0;
  }
  double jaro = 0.0;
  if (a.size() > internal::SmallPatternMasks::kMaxLength && a.size() <= 64) {
    const internal::PatternMasks masks(a);
    jaro = JaroImpl(&masks, a, b);
  } else {
    jaro = JaroImpl(nullptr, a, b);
  }
  return Cut(Boost(jaro, a, b), score_cutoff);
}

CachedJaroWinkler::CachedJaroWinkler(std::u32string_view pattern) : pattern_(pattern) {
  if (pattern_.size() <= 64) masks_ = internal::PatternMasks(pattern_);
}

double CachedJaroWinkler::JaroSimilarity(std::u32string_view text, double score_cutoff) const {
  if (NonEmptyBelow(pattern_.size(), text.size(), JaroBound(pattern_.size(), text.size()),
                    score_cutoff)) {
    return 0.0;
  }
  const internal::PatternMasks* masks = pattern_.size() <= 64 ? &masks_ : nullptr;
  return Cut(JaroImpl(masks, pattern_, text), score_cutoff);
}

double CachedJaroWinkler::Similarity(std::u32string_view text, double score_cutoff) const {
  if (NonEmptyBelow(pattern_.size(), text.size(),
                    WinklerBound(JaroBound(pattern_.size(), text.size())), score_cutoff)) {
    return 0.0;
  }
  const internal::PatternMasks* masks = pattern_.size() <= 64 ? &masks_ : nullptr;
  return Cut(Boost(JaroImpl(masks, pattern_, text), pattern_, text), score_cutoff);
}

}  // namespace kinlink::match
