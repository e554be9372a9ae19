// Naive references; see internal/reference.h. Clarity over speed.
#include "match/internal/reference.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "match/string_metrics.h"

namespace kinlink::match::reference {

std::size_t LevenshteinDistance(std::u32string_view a, std::u32string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
    }
  }
  return d[a.size()][b.size()];
}

double LevenshteinSimilarity(std::u32string_view a, std::u32string_view b) {
  const std::size_t longest = std::max(a.size(), b.size());
  if (longest == 0) return 1.0;
  return 1.0 - static_cast<double>(LevenshteinDistance(a, b)) / static_cast<double>(longest);
}

double JaroSimilarity(std::u32string_view a, std::u32string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const long la = static_cast<long>(a.size());
  const long lb = static_cast<long>(b.size());
  const long window = std::max(0L, std::max(la, lb) / 2 - 1);
  std::vector<bool> a_flag(a.size()), b_flag(b.size());
  long matches = 0;
  for (long i = 0; i < la; ++i) {
    const long lo = std::max(0L, i - window);
    const long hi = std::min(lb - 1, i + window);
    for (long j = lo; j <= hi; ++j) {
      if (!b_flag[j] && a[i] == b[j]) {
        a_flag[i] = true;
        b_flag[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  long half_transpositions = 0;
  long j = 0;
  for (long i = 0; i < la; ++i) {
    if (!a_flag[i]) continue;
    while (!b_flag[j]) ++j;
    if (a[i] != b[j]) ++half_transpositions;
    ++j;
  }
  const double m = static_cast<double>(matches);
  const double t = static_cast<double>(half_transpositions / 2);
  return (m / static_cast<double>(la) + m / static_cast<double>(lb) + (m - t) / m) / 3.0;
}

double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b) {
  const double jaro = JaroSimilarity(a, b);
  if (!(jaro > kWinklerBoostThreshold)) return jaro;
  std::size_t prefix = 0;
  while (prefix < kWinklerMaxPrefix && prefix < a.size() && prefix < b.size() &&
         a[prefix] == b[prefix]) {
    ++prefix;
  }
  return jaro + static_cast<double>(prefix) * kWinklerPrefixScale * (1.0 - jaro);
}

namespace {
double Best(const std::vector<std::u32string_view>& ta, const std::vector<std::u32string_view>& tb,
            std::size_t i, std::vector<bool>& used) {
  if (i == ta.size()) return 0.0;
  double best = Best(ta, tb, i + 1, used);  // a_i left unpaired
  for (std::size_t j = 0; j < tb.size(); ++j) {
    if (used[j]) continue;
    used[j] = true;
    const double w = JaroWinklerSimilarity(ta[i], tb[j]) *
                     static_cast<double>(ta[i].size() + tb[j].size());
    best = std::max(best, w + Best(ta, tb, i + 1, used));
    used[j] = false;
  }
  return best;
}
}  // namespace

double TokenSetSimilarity(std::u32string_view a, std::u32string_view b) {
  const auto ta = SplitNameTokens(a);
  const auto tb = SplitNameTokens(b);
  if (ta.empty() && tb.empty()) return 1.0;
  if (ta.empty() || tb.empty()) return 0.0;
  std::size_t total = 0;
  for (auto t : ta) total += t.size();
  for (auto t : tb) total += t.size();
  std::vector<bool> used(tb.size());
  return Best(ta, tb, 0, used) / static_cast<double>(total);
}

double Dice(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  std::size_t both = 0, count_a = 0, count_b = 0;
  for (std::size_t w = 0; w < a.size(); ++w) {
    for (int bit = 0; bit < 64; ++bit) {
      const bool x = (a[w] >> bit) & 1U;
      const bool y = (b[w] >> bit) & 1U;
      count_a += x;
      count_b += y;
      both += x && y;
    }
  }
  if (count_a + count_b == 0) return 0.0;
  return 2.0 * static_cast<double>(both) / static_cast<double>(count_a + count_b);
}

}  // namespace kinlink::match::reference
