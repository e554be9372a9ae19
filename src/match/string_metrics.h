// String metrics for plaintext matching (`kinlink link --plaintext`,
// `dedupe`): Levenshtein, Jaro, Jaro–Winkler and a token-set alignment
// score for multi-token names. They are the quality reference that the
// keyed encodings (match/bloom.h) must stay close to.
//
// All metrics work on Unicode code points, never on bytes, so that "محمد"
// is four symbols and not eight. DecodeUtf8 turns bytes into code points.
// Inputs are expected to be normalised already (case, diacritics, script:
// that is the text module's job); the metrics compare code points exactly.
//
// Each metric has:
//   - a free function (picks the fast kernel by length),
//   - a cached one-vs-many form (Cached*), which prepares the pattern once
//     and is what a scorer uses when one query meets many candidates,
//   - a naive reference in match/internal/reference.h that the fast kernels
//     are differentially tested against.
// Fast kernels: bit-parallel (Myers/Hyyrö for Levenshtein, bit-parallel
// flagging for Jaro) when the pattern has at most 64 code points; plain
// dynamic programming with small arrays otherwise.
//
// Similarities are in [0, 1]. A `score_cutoff` turns a similarity below the
// cutoff into 0.0, which lets kernels stop early.
//
// Thread-safety: all functions are pure. Cached* objects are immutable after
// construction and may be shared between threads.
//
//   CachedJaroWinkler query(DecodeUtf8("mohammed"));
//   for (const std::u32string& c : candidates)
//     double s = query.Similarity(c, /*score_cutoff=*/0.8);
#ifndef KINLINK_MATCH_STRING_METRICS_H_
#define KINLINK_MATCH_STRING_METRICS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kinlink::match {

// ---------------------------------------------------------------------------
// UTF-8 → code points
// ---------------------------------------------------------------------------

inline constexpr char32_t kReplacementChar = U'\uFFFD';

// Decodes UTF-8 into code points. Tolerant: every byte that does not start a
// valid sequence (stray continuation bytes, overlongs, surrogates, values
// over U+10FFFF, truncated sequences) becomes one U+FFFD, and decoding
// resumes at the next byte. Valid input round-trips exactly.
std::u32string DecodeUtf8(std::string_view text);

// Encodes code points as UTF-8. Code points that cannot be encoded
// (surrogates, > U+10FFFF) become U+FFFD.
std::string EncodeUtf8(std::u32string_view text);

// ---------------------------------------------------------------------------
// Levenshtein
// ---------------------------------------------------------------------------
//
// Distance: the least number of single code point insertions, deletions and
// substitutions (each costs 1) that turn `a` into `b`. Symmetric.
// Similarity: 1 - distance / max(|a|, |b|); 1.0 when both are empty.
// Kernel: Hyyrö's bit-parallel form of Myers' algorithm when the shorter
// string has ≤ 64 code points (O(|longer|) word operations), otherwise a
// single-row dynamic programme (O(|a|·|b|)).

std::size_t LevenshteinDistance(std::u32string_view a, std::u32string_view b);
double LevenshteinSimilarity(std::u32string_view a, std::u32string_view b,
                             double score_cutoff = 0.0);

namespace internal {
// Pattern-match bit vectors of a pattern of ≤ 64 code points: for each code
// point c, the set of positions i where pattern[i] == c. Code points below
// 256 use a direct table; the rest an open-addressed table of 128 slots
// (at most 64 distinct keys, so it is never more than half full).
class PatternMasks {
 public:
  PatternMasks() = default;
  // Precondition: pattern.size() <= 64.
  explicit PatternMasks(std::u32string_view pattern);
  std::uint64_t Get(char32_t c) const {
    if (c < 256) return ascii_[c];
    std::size_t i = Slot(c);
    while (keys_[i] != kEmpty) {
      if (keys_[i] == c) return masks_[i];
      i = (i + 1) & (kSlots - 1);
    }
    return 0;
  }

 private:
  static constexpr std::size_t kSlots = 128;
  static constexpr char32_t kEmpty = 0;  // 0 < 256, never stored in keys_
  static std::size_t Slot(char32_t c) {
    return static_cast<std::size_t>((static_cast<std::uint32_t>(c) * 2654435761U) >> 25);
  }
  std::array<std::uint64_t, 256> ascii_{};
  std::array<char32_t, kSlots> keys_{};
  std::array<std::uint64_t, kSlots> masks_{};
};

// The same interface for patterns of ≤ 16 code points, built with no table
// to clear: a linear scan over the distinct code points. Used by the free
// functions, where a PatternMasks (3.5 KiB to zero) would cost more than
// the comparison of two short names.
class SmallPatternMasks {
 public:
  // Precondition: pattern.size() <= kMaxLength.
  static constexpr std::size_t kMaxLength = 16;
  explicit SmallPatternMasks(std::u32string_view pattern) {
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      std::size_t k = 0;
      while (k < size_ && keys_[k] != pattern[i]) ++k;
      if (k == size_) {
        keys_[size_] = pattern[i];
        masks_[size_++] = 0;
      }
      masks_[k] |= std::uint64_t{1} << i;
    }
  }
  std::uint64_t Get(char32_t c) const {
    for (std::size_t k = 0; k < size_; ++k) {
      if (keys_[k] == c) return masks_[k];
    }
    return 0;
  }

 private:
  std::size_t size_ = 0;
  std::array<char32_t, kMaxLength> keys_;
  std::array<std::uint64_t, kMaxLength> masks_;
};
}  // namespace internal

// One pattern against many texts. Any pattern length works; patterns of
// ≤ 64 code points use the bit-parallel kernel for every text length.
class CachedLevenshtein {
 public:
  explicit CachedLevenshtein(std::u32string_view pattern);
  std::size_t Distance(std::u32string_view text) const;
  // As LevenshteinSimilarity(pattern, text, score_cutoff).
  double Similarity(std::u32string_view text, double score_cutoff = 0.0) const;
  const std::u32string& pattern() const { return pattern_; }

 private:
  std::u32string pattern_;
  internal::PatternMasks masks_;  // used when pattern_.size() <= 64
};

// ---------------------------------------------------------------------------
// Jaro and Jaro–Winkler
// ---------------------------------------------------------------------------
//
// Jaro (Jaro 1989, as in Winkler 1990 and most libraries):
//   window w = max(|a|, |b|) / 2 - 1 (integer division, at least 0).
//   Walk `a` left to right; a[i] matches the first not yet matched b[j] with
//   |i - j| ≤ w and b[j] == a[i]. m = number of matches.
//   t = half the number of positions where the matched code points of `a`
//   (in order) and of `b` (in order) differ.
//   jaro = (m/|a| + m/|b| + (m - t)/m) / 3, and 0 when m == 0.
//   Both empty: 1.0 (identical). One empty: 0.0.
// Jaro–Winkler: with l = length of the common prefix, at most 4, and scale
// p = 0.1, jw = jaro + l·p·(1 - jaro) when jaro > 0.7 (Winkler's boost
// threshold), else jw = jaro.
// Kernel: bit-parallel flagging when |b| ≤ 64 (or |a| ≤ 64: the greedy
// matching is symmetric, see jaro.cc), O(|a|·w) with flag arrays otherwise.

inline constexpr double kWinklerPrefixScale = 0.1;
inline constexpr std::size_t kWinklerMaxPrefix = 4;
inline constexpr double kWinklerBoostThreshold = 0.7;

double JaroSimilarity(std::u32string_view a, std::u32string_view b, double score_cutoff = 0.0);
double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b,
                             double score_cutoff = 0.0);

// One pattern against many texts: Similarity(text) ==
// JaroWinklerSimilarity(pattern, text) (and Jaro likewise).
class CachedJaroWinkler {
 public:
  explicit CachedJaroWinkler(std::u32string_view pattern);
  double Similarity(std::u32string_view text, double score_cutoff = 0.0) const;
  double JaroSimilarity(std::u32string_view text, double score_cutoff = 0.0) const;
  const std::u32string& pattern() const { return pattern_; }

 private:
  std::u32string pattern_;
  internal::PatternMasks masks_;  // used when pattern_.size() <= 64
};

// ---------------------------------------------------------------------------
// Token-set alignment (names)
// ---------------------------------------------------------------------------
//
// For multi-token names whose order and completeness vary ("hasan mohamed"
// vs "mohamed hasan"; "hasan ali mohamed" vs "hasan mohamed").
// Tokens: maximal runs of code points other than the separators space,
// tab, CR, LF, U+00A0 and U+3000. Empty tokens are dropped.
// Score: with tokens a_1..a_n and b_1..b_m, lengths |x| in code points,
// s(i, j) = JaroWinkler(a_i, b_j), choose a one-to-one pairing M of tokens
// of `a` with tokens of `b` that maximises
//     Σ_{(i,j) ∈ M} s(i, j) · (|a_i| + |b_j|)
// and return that sum divided by Σ|a_i| + Σ|b_j|.
// So a pair counts in proportion to the length it covers, and an unmatched
// token (a missing middle name) lowers the score by its share of the total
// length: "hasan ali mohamed" vs "hasan mohamed" = 24/27 ≈ 0.889; swapped
// order scores 1.0. Both without tokens: 1.0; exactly one: 0.0.
// Pairing: exact (dynamic programme over subsets of the smaller side) when
// either side has ≤ kTokenSetExactMaxTokens tokens; otherwise greedy, taking pairs in
// descending order of weighted similarity (ties: lower i, then lower j).
// Names with more than kTokenSetMaxTokens tokens keep their first
// kTokenSetMaxTokens (bounded cost on hostile input).

inline constexpr std::size_t kTokenSetExactMaxTokens = 6;
inline constexpr std::size_t kTokenSetMaxTokens = 32;

std::vector<std::u32string_view> SplitNameTokens(std::u32string_view name);
double TokenSetSimilarity(std::u32string_view a, std::u32string_view b);

// One name against many: Similarity(text) == TokenSetSimilarity(name, text).
class CachedTokenSet {
 public:
  explicit CachedTokenSet(std::u32string_view name);
  double Similarity(std::u32string_view text) const;

 private:
  std::vector<CachedJaroWinkler> tokens_;
  std::size_t total_length_ = 0;
};

}  // namespace kinlink::match

#endif  // KINLINK_MATCH_STRING_METRICS_H_
