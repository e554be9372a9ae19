// Random pair sampling for u estimation (declared in blocking.h).
#include <algorithm>
#include <limits>
#include <unordered_set>

#include "score/blocking.h"
#include "score/internal/random.h"

namespace kinlink::score {
namespace {

// Pair index p in [0, total) <-> pair. Dedupe pairs are numbered by a
// triangular enumeration only when all of them are listed; sampling uses the
// packed (a, b) as the set key instead.
std::uint64_t Pack(RecordId a, RecordId b) { return (static_cast<std::uint64_t>(a) << 32) | b; }

Status CheckSide(std::uint64_t n) {
  if (n >= std::numeric_limits<RecordId>::max()) {
    return InvalidArgumentError("random pairs: too many records for 32-bit record ids");
  }
  return OkStatus();
}

// `count` distinct pairs out of `total`, sorted. Dense (count >= total / 2):
// list every pair with `list_all`, then a partial Fisher–Yates shuffle.
// Sparse: draw with `draw` and reject repeats (on average fewer than two
// draws per pair).
template <typename ListAll, typename Draw>
std::vector<RecordPair> Sample(std::uint64_t total, std::size_t count, internal::SplitMix64& rng,
                               ListAll list_all, Draw draw) {
  std::vector<RecordPair> out;
  if (count >= total / 2) {
    out.reserve(total);
    list_all(out);
    const std::size_t k = std::min<std::uint64_t>(count, total);
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t j = i + rng.Below(total - i);
      std::swap(out[i], out[j]);
    }
    out.resize(k);
  } else {
    std::unordered_set<std::uint64_t> seen;
    seen.reserve(count * 2);
    out.reserve(count);
    while (out.size() < count) {
      const RecordPair p = draw();
      if (seen.insert(Pack(p.a, p.b)).second) out.push_back(p);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::vector<RecordPair>> SampleRandomDedupePairs(std::uint64_t n, std::size_t count,
                                                        std::uint64_t seed) {
  KL_RETURN_IF_ERROR(CheckSide(n));
  if (n < 2 || count == 0) return std::vector<RecordPair>();
  internal::SplitMix64 rng(seed);
  return Sample(
      n * (n - 1) / 2, count, rng,
      [n](std::vector<RecordPair>& out) {
        for (std::uint64_t a = 0; a < n; ++a) {
          for (std::uint64_t b = a + 1; b < n; ++b) {
            out.push_back({static_cast<RecordId>(a), static_cast<RecordId>(b)});
          }
        }
      },
      [n, &rng] {
        auto a = static_cast<RecordId>(rng.Below(n));
        auto b = static_cast<RecordId>(rng.Below(n - 1));
        if (b >= a) ++b;
        if (a > b) std::swap(a, b);
        return RecordPair{a, b};
      });
}

Result<std::vector<RecordPair>> SampleRandomLinkPairs(std::uint64_t n_left,
                                                      std::uint64_t n_right, std::size_t count,
                                                      std::uint64_t seed) {
  KL_RETURN_IF_ERROR(CheckSide(n_left));
  KL_RETURN_IF_ERROR(CheckSide(n_right));
  if (n_left == 0 || n_right == 0 || count == 0) return std::vector<RecordPair>();
  internal::SplitMix64 rng(seed);
  // Both sides are below 2^32, so the product fits in 64 bits.
  return Sample(
      n_left * n_right, count, rng,
      [n_left, n_right](std::vector<RecordPair>& out) {
        for (std::uint64_t a = 0; a < n_left; ++a) {
          for (std::uint64_t b = 0; b < n_right; ++b) {
            out.push_back({static_cast<RecordId>(a), static_cast<RecordId>(b)});
          }
        }
      },
      [n_left, n_right, &rng] {
        const auto a = static_cast<RecordId>(rng.Below(n_left));
        const auto b = static_cast<RecordId>(rng.Below(n_right));
        return RecordPair{a, b};
      });
}

}  // namespace kinlink::score
