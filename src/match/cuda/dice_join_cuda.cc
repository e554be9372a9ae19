// Host side of the CUDA Dice join: validation, the exact need[] table,
// sorting by popcount and the per-block reachable ranges (the same length
// filter as the CPU join), then the device join and the CPU join's output
// order. UNCHECKED until run on a GPU (see dice_join_cuda.h).
#include "match/cuda/dice_join_cuda.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "match/cuda/internal_cuda.h"

namespace kinlink::match {
namespace {

namespace ci = cuda_internal;
constexpr std::size_t kBits = ci::kWords * 64;

std::vector<std::uint32_t> ByPopcount(const PackedFilters& set) {
  std::vector<std::uint32_t> order(set.size());
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    return set.popcount(x) < set.popcount(y);
  });
  return order;
}

}  // namespace

bool CudaJoinAvailable() { return ci::DeviceAvailable(); }

Result<std::vector<DicePair>> DiceJoinCuda(const PackedFilters& a, const PackedFilters& b,
                                           const DiceJoinOptions& options, DiceJoinStats* stats,
                                           double* kernel_seconds) {
  if (a.bits() != kBits || b.bits() != kBits) {
    return InvalidArgumentError("cuda dice join: only 1024-bit filters");
  }
  if (!(options.threshold >= 0.0 && options.threshold <= 1.0)) {
    return InvalidArgumentError("cuda dice join: threshold must be in [0, 1]");
  }
  if (options.top_k > kMaxDiceJoinTopK || options.max_results > kMaxDiceJoinResults) {
    return InvalidArgumentError("cuda dice join: top_k or max_results over its limit");
  }
  if (!ci::DeviceAvailable()) return UnavailableError("cuda dice join: no CUDA device");

  std::vector<std::uint32_t> need(2 * kBits + 1);
  for (std::size_t s = 0; s < need.size(); ++s) {
    const auto sum = static_cast<std::uint32_t>(s);
    auto c = static_cast<std::uint32_t>(
        std::max(0.0, std::floor(options.threshold * static_cast<double>(s) / 2.0) - 2.0));
    while (c <= sum && !DiceReaches(c, sum, options.threshold)) ++c;
    need[s] = c <= sum ? c : 0xffffffffU;
  }
  const std::vector<std::uint32_t> a_order = ByPopcount(a), b_order = ByPopcount(b);
  std::vector<std::uint64_t> a_words(a.size() * ci::kWords), b_words(b.size() * ci::kWords);
  std::vector<std::uint32_t> a_pop(a.size()), b_pop(b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::copy_n(a.Filter(a_order[i]).data(), ci::kWords, a_words.data() + i * ci::kWords);
    a_pop[i] = a.popcount(a_order[i]);
  }
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::copy_n(b.Filter(b_order[i]).data(), ci::kWords, b_words.data() + i * ci::kWords);
    b_pop[i] = b.popcount(b_order[i]);
  }
  // Reachable positions of sorted B per popcount of A (see dice_join.cc):
  // q reachable from p iff min(p, q) ≥ need[p + q]; an interval in q.
  std::vector<std::uint32_t> pos_lo(kBits + 1, 0), pos_hi(kBits + 1, 0);
  for (std::size_t p = 0; p <= kBits; ++p) {
    std::size_t q_lo = kBits + 1, q_hi = 0;
    for (std::size_t q = 0; q <= kBits; ++q) {
      if (std::min(p, q) >= need[p + q]) {
        q_lo = std::min(q_lo, q);
        q_hi = q + 1;
      }
    }
    if (q_lo > kBits) continue;
    pos_lo[p] = static_cast<std::uint32_t>(std::lower_bound(b_pop.begin(), b_pop.end(), q_lo) -
                                           b_pop.begin());
    pos_hi[p] = static_cast<std::uint32_t>(std::lower_bound(b_pop.begin(), b_pop.end(), q_hi) -
                                           b_pop.begin());
  }
  const std::size_t blocks = (a.size() + ci::kRowsPerBlock - 1) / ci::kRowsPerBlock;
  std::vector<std::uint32_t> block_lo(blocks, 0), block_hi(blocks, 0);
  DiceJoinStats local;
  local.pairs_covered = static_cast<std::uint64_t>(a.size()) * b.size();
  for (std::size_t k = 0; k < blocks; ++k) {
    std::uint32_t lo = 0xffffffffU, hi = 0;
    const std::size_t end = std::min(a.size(), (k + 1) * ci::kRowsPerBlock);
    for (std::size_t r = k * ci::kRowsPerBlock; r < end; ++r) {
      if (pos_lo[a_pop[r]] >= pos_hi[a_pop[r]]) continue;
      lo = std::min(lo, pos_lo[a_pop[r]]);
      hi = std::max(hi, pos_hi[a_pop[r]]);
    }
    if (lo < hi) {
      block_lo[k] = lo;
      block_hi[k] = hi;
      local.pairs_compared += static_cast<std::uint64_t>(hi - lo) * (end - k * ci::kRowsPerBlock);
    }
  }
  ci::JoinInput in{a_words.data(),  a_pop.data(),       a.size(),    b_words.data(),
                   b_pop.data(),    b.size(),           need.data(), block_lo.data(),
                   block_hi.data(), options.max_results};
  ci::JoinOutput out;
  ci::RunJoin(in, out);
  if (!out.error.empty()) return UnavailableError("cuda dice join: " + out.error);
  if (out.overflow) {
    return ResourceExhaustedError("cuda dice join: more than " +
                                  std::to_string(options.max_results) + " pairs reach t");
  }
  std::vector<DicePair> result;
  result.reserve(out.hits.size());
  for (const ci::Hit& h : out.hits) {
    const std::uint32_t sum = a_pop[h.a] + b_pop[h.b];
    result.push_back(
        {a_order[h.a], b_order[h.b], sum == 0 ? 0.0 : 2.0 * static_cast<double>(h.both) / sum});
  }
  auto less = [](const DicePair& x, const DicePair& y) {
    if (x.a != y.a) return x.a < y.a;
    if (x.dice != y.dice) return x.dice > y.dice;
    return x.b < y.b;
  };
  std::sort(result.begin(), result.end(), less);
  if (options.top_k != 0) {
    std::size_t kept = 0;
    for (std::size_t i = 0, run = 0; i < result.size(); ++i) {
      run = (i > 0 && result[i].a == result[i - 1].a) ? run + 1 : 0;
      if (run < options.top_k) result[kept++] = result[i];
    }
    result.resize(kept);
  }
  local.results = result.size();
  if (stats != nullptr) *stats = local;
  if (kernel_seconds != nullptr) *kernel_seconds = out.kernel_seconds;
  return result;
}

}  // namespace kinlink::match
