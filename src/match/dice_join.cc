// All-pairs Dice join. See dice_join.h for the contract and
// docs/kernels.md for the design and measurements.
#include "match/dice_join.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <new>
#include <string>
#include <system_error>
#include <thread>

#include "match/internal/dice_sliced.h"
#include "match/internal/dice_tiles.h"
#include "match/internal/popcount.h"

namespace kinlink::match {
namespace {

// g++ accepts 128-bit integers only as an extension (-Wpedantic).
__extension__ typedef unsigned __int128 U128;

constexpr std::uint32_t kNever = std::numeric_limits<std::uint32_t>::max();

// The threshold as an exact fraction m / 2^shift (every finite double in
// [0, 1] is one), so that the decision never depends on float rounding.
struct ExactThreshold {
  bool zero = true;
  std::uint64_t m = 0;
  int shift = 0;
};

ExactThreshold Exact(double t) {
  ExactThreshold e;
  if (t == 0.0) return e;
  int exponent = 0;
  const double fraction = std::frexp(t, &exponent);  // t = fraction · 2^exponent
  e.zero = false;
  e.m = static_cast<std::uint64_t>(std::ldexp(fraction, 53));  // exact: 53 bits
  e.shift = 53 - exponent;                                     // ≥ 52 as t ≤ 1
  return e;
}

// 2·both ≥ t·sum, with the empty pair (sum = 0) in only when t = 0.
bool Reaches(std::uint32_t both, std::uint32_t sum, const ExactThreshold& t) {
  if (sum == 0) return t.zero;
  if (t.zero) return true;
  if (both == 0) return false;
  // m·sum < 2^53 · 2^32 = 2^85 ≤ 2·both·2^shift once shift ≥ 85.
  if (t.shift >= 85) return true;
  const U128 lhs = static_cast<U128>(2 * static_cast<std::uint64_t>(both)) << t.shift;
  const U128 rhs = static_cast<U128>(t.m) * sum;
  return lhs >= rhs;
}

double DiceOf(std::uint32_t both, std::uint32_t sum) {
  return sum == 0 ? 0.0 : 2.0 * static_cast<double>(both) / static_cast<double>(sum);
}

// Output order: a, then dice descending, then b.
bool OutputLess(const DicePair& x, const DicePair& y) {
  if (x.a != y.a) return x.a < y.a;
  if (x.dice != y.dice) return x.dice > y.dice;
  return x.b < y.b;
}

// Within one row of A: better = higher dice, then lower b.
bool Better(const DicePair& x, const DicePair& y) {
  if (x.dice != y.dice) return x.dice > y.dice;
  return x.b < y.b;
}

using internal::Adaptive;
using internal::HasEarlyExit;
using internal::NeedsShifted;
using internal::Tile;
using internal::TileFn;
using internal::TileFor;

PopcountKernel AsPopcountKernel(DiceJoinKernel k) {
  switch (k) {
    case DiceJoinKernel::kScalar:
      return PopcountKernel::kScalar;
    case DiceJoinKernel::kPopcnt:
      return PopcountKernel::kPopcnt;
    case DiceJoinKernel::kAvx2:
    case DiceJoinKernel::kAvx2Sliced:
      return PopcountKernel::kAvx2;
    case DiceJoinKernel::kAvx512:
      return PopcountKernel::kAvx512;
    case DiceJoinKernel::kAuto:
    case DiceJoinKernel::kReference:
      break;
  }
  return PopcountKernel::kScalar;
}


// ---------------------------------------------------------------------------
// The naive reference: every pair, std::popcount per word, the exact rule,
// then a full sort per row for top-k.
// ---------------------------------------------------------------------------

std::vector<DicePair> ReferenceJoin(const PackedFilters& a, const PackedFilters& b,
                                    const ExactThreshold& t, std::size_t top_k,
                                    std::size_t max_results, std::uint64_t& compared) {
  std::vector<DicePair> out;
  std::vector<DicePair> row;
  for (std::size_t i = 0; i < a.size(); ++i) {
    row.clear();
    const std::span<const std::uint64_t> fa = a.Filter(i);
    std::uint32_t count_a = 0;
    for (std::uint64_t w : fa) count_a += static_cast<std::uint32_t>(std::popcount(w));
    for (std::size_t j = 0; j < b.size(); ++j) {
      const std::span<const std::uint64_t> fb = b.Filter(j);
      std::uint32_t count_b = 0, both = 0;
      for (std::size_t w = 0; w < fa.size(); ++w) {
        count_b += static_cast<std::uint32_t>(std::popcount(fb[w]));
        both += static_cast<std::uint32_t>(std::popcount(fa[w] & fb[w]));
      }
      if (Reaches(both, count_a + count_b, t)) {
        row.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j),
                       DiceOf(both, count_a + count_b)});
      }
    }
    compared += b.size();
    std::sort(row.begin(), row.end(), Better);
    if (top_k != 0 && row.size() > top_k) row.resize(top_k);
    out.insert(out.end(), row.begin(), row.end());
    if (out.size() > max_results) break;  // the caller reports it
  }
  return out;
}

// ---------------------------------------------------------------------------
// The fast join.
// ---------------------------------------------------------------------------

// Indices 0..n-1 ordered by popcount (stable), by counting sort.
std::vector<std::uint32_t> OrderByPopcount(std::span<const std::uint32_t> counts, std::size_t bits,
                                           std::vector<std::size_t>& first_with) {
  first_with.assign(bits + 2, 0);  // first_with[p]: number with popcount < p
  for (std::uint32_t c : counts) ++first_with[c + 1];
  for (std::size_t p = 1; p < first_with.size(); ++p) first_with[p] += first_with[p - 1];
  std::vector<std::size_t> next(first_with.begin(), first_with.end() - 1);
  std::vector<std::uint32_t> order(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    order[next[counts[i]]++] = static_cast<std::uint32_t>(i);
  }
  return order;
}

struct Plan {
  std::size_t words = 0;
  std::size_t bits = 0;
  std::vector<std::uint32_t> need;  // need[s]: least |a∧b| reported at |a|+|b| = s
  // For a filter of A with popcount p, the reachable part of sorted B is
  // positions [range_lo[p], range_hi[p]).
  std::vector<std::size_t> range_lo, range_hi;
  std::vector<std::uint32_t> a_order, b_order;  // sorted position → index
  std::vector<std::uint32_t> b_pop;             // popcounts of sorted B
  std::vector<std::uint64_t, internal::CacheAlignedAllocator<std::uint64_t>> b_words;
  // b_words with every word shifted right by 4 (AVX2 kernels), or empty.
  std::vector<std::uint64_t, internal::CacheAlignedAllocator<std::uint64_t>> b_shift;
  // Popcount of the second half of each filter of sorted B (early exit), or
  // empty.
  std::vector<std::uint32_t> b_tail;
  std::vector<std::uint32_t> a_tail;  // the same for A (by index in A), or empty
  // The same over the last three quarters (words W/4..W).
  std::vector<std::uint32_t> b_rest, a_rest;
  // Per-word popcounts of the second half, one byte per word (AVX2 early
  // exit; see Tile::b_seg): of sorted B, and of A by index.
  std::vector<std::uint64_t> b_seg, a_seg;
  // The bit-sliced kernel: blocks of kSlicedLanes rows of A against the
  // set-bit lists of sorted B (instead of b_words and the tile kernel).
  bool sliced = false;
  internal::SetBitLists b_lists;
  std::size_t rows_per_block = 0, tile = 0;
  std::size_t top_k = 0;
  std::size_t max_results = 0;
  TileFn kernel = nullptr;
};

// Whether a pair of popcounts (p, q) can reach the threshold at all:
// |a∧b| ≤ min(p, q).
bool Reachable(const Plan& plan, std::size_t p, std::size_t q) {
  return std::min(p, q) >= plan.need[p + q];
}

void PlanRanges(Plan& plan, std::span<const std::uint32_t> a_pop,
                const std::vector<std::size_t>& b_first_with) {
  const std::size_t bits = plan.bits;
  plan.range_lo.assign(bits + 1, 0);
  plan.range_hi.assign(bits + 1, 0);
  std::vector<bool> present(bits + 1, false);
  for (std::uint32_t p : a_pop) present[p] = true;
  for (std::size_t p = 0; p <= bits; ++p) {
    // need[] rises by at most 1 per step, so q − need[p+q] never falls
    // (below p) and need[p+q] never falls (above p): the reachable q form
    // one interval around p, empty when p itself is out.
    if (!present[p] || !Reachable(plan, p, p)) continue;
    std::size_t lo = 0, hi = p;  // smallest reachable q in [0, p]
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (Reachable(plan, p, mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    const std::size_t q_lo = lo;
    lo = p;
    hi = bits;  // largest reachable q in [p, bits]
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo + 1) / 2;
      if (Reachable(plan, p, mid)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    plan.range_lo[p] = b_first_with[q_lo];
    plan.range_hi[p] = b_first_with[lo + 1];
  }
}

// A pair that reaches t: appended to `pairs`, or kept in `heap` (its row's
// top_k best) when given.
void Keep(const Plan& plan, const DicePair& p, std::vector<DicePair>& pairs,
          std::vector<DicePair>* heap) {
  if (heap == nullptr) {
    pairs.push_back(p);
    return;
  }
  // A bounded heap per row whose top is the worst kept pair.
  std::vector<DicePair>& h = *heap;
  if (h.size() < plan.top_k) {
    h.push_back(p);
    std::push_heap(h.begin(), h.end(), Better);
  } else if (Better(p, h.front())) {
    std::pop_heap(h.begin(), h.end(), Better);
    h.back() = p;
    std::push_heap(h.begin(), h.end(), Better);
  }
}

// The pairs of one row of A against sorted B [lo, lo + n) that reach t.
void EmitRow(const Plan& plan, std::uint32_t ia, std::uint32_t pa, std::size_t lo, std::size_t n,
             const std::uint32_t* counts, std::vector<DicePair>& pairs,
             std::vector<DicePair>* heap) {
  const std::uint32_t* need = plan.need.data() + pa;
  const std::uint32_t* b_pop = plan.b_pop.data() + lo;
  for (std::size_t j = 0; j < n; ++j) {
    if (counts[j] < need[b_pop[j]]) continue;
    Keep(plan, {ia, plan.b_order[lo + j], DiceOf(counts[j], pa + b_pop[j])}, pairs, heap);
  }
}

struct WorkerOut {
  std::vector<DicePair> pairs;
  std::uint64_t compared = 0;
  bool out_of_memory = false;
};

// One worker's blocks of sorted A rows against their reachable part of B.
class BlockJoiner {
 public:
  BlockJoiner(const Plan& plan, const PackedFilters& a, std::atomic<std::size_t>& total_results,
              WorkerOut& out)
      : plan_(plan),
        a_(a),
        total_results_(total_results),
        out_(out),
        heaps_(plan.top_k != 0 ? plan.rows_per_block : 0) {
    if (plan.sliced) {
      cols_.resize((plan.bits + 1) * 4);
    } else {
      counts_.resize(plan.tile);
      credits_.resize(plan.rows_per_block);
    }
  }

  // Rows [r_begin, r_end) of sorted A against sorted B [b_begin, b_end):
  // false when the results would exceed max_results (block_pairs are then
  // incomplete and must be dropped).
  bool Join(std::size_t r_begin, std::size_t r_end, std::size_t b_begin, std::size_t b_end) {
    block_pairs_.clear();
    for (auto& h : heaps_) h.clear();
    const bool fits = plan_.sliced ? Sliced(r_begin, r_end, b_begin, b_end)
                                   : Tiled(r_begin, r_end, b_begin, b_end);
    if (!fits) return false;
    for (const auto& h : heaps_) block_pairs_.insert(block_pairs_.end(), h.begin(), h.end());
    return total_results_.fetch_add(block_pairs_.size(), std::memory_order_relaxed) +
               block_pairs_.size() <=
           plan_.max_results;
  }
  const std::vector<DicePair>& block_pairs() const { return block_pairs_; }

 private:
  bool TooMany() const {
    return block_pairs_.size() + total_results_.load(std::memory_order_relaxed) > plan_.max_results;
  }
  std::vector<DicePair>* HeapOf(std::size_t row_in_block) {
    return plan_.top_k != 0 ? &heaps_[row_in_block] : nullptr;
  }

  // Each row against tiles of B by the plan's tile kernel.
  bool Tiled(std::size_t r_begin, std::size_t r_end, std::size_t b_begin, std::size_t b_end) {
    const std::size_t words = plan_.words;
    std::fill(credits_.begin(), credits_.end(), Adaptive::kStart);
    for (std::size_t t0 = b_begin; t0 < b_end; t0 += plan_.tile) {
      const std::size_t t1 = std::min(b_end, t0 + plan_.tile);
      for (std::size_t r = r_begin; r < r_end; ++r) {
        const std::uint32_t ia = plan_.a_order[r];
        const std::uint32_t pa = a_.popcount(ia);
        const std::size_t lo = std::max(t0, plan_.range_lo[pa]);
        const std::size_t hi = std::min(t1, plan_.range_hi[pa]);
        if (lo >= hi) continue;
        // need[] does not fall along sorted B: the first pair's need is
        // the least in the stretch.
        const std::uint32_t floor = plan_.need[pa + plan_.b_pop[lo]];
        const Tile tile{a_.Filter(ia).data(),
                        plan_.b_words.data() + lo * words,
                        plan_.b_shift.empty() ? nullptr : plan_.b_shift.data() + lo * words,
                        plan_.b_tail.empty() ? nullptr : plan_.b_tail.data() + lo,
                        plan_.a_tail.empty() ? 0 : plan_.a_tail[ia],
                        plan_.b_rest.empty() ? nullptr : plan_.b_rest.data() + lo,
                        plan_.a_rest.empty() ? 0 : plan_.a_rest[ia],
                        plan_.b_seg.empty() ? nullptr : plan_.b_seg.data() + lo,
                        plan_.a_seg.empty() ? 0 : plan_.a_seg[ia],
                        floor,
                        &credits_[r - r_begin],
                        words,
                        hi - lo,
                        counts_.data()};
        const std::uint32_t most = plan_.kernel(tile);
        out_.compared += hi - lo;
        // So when the best count is below it, no pair here reaches t (the
        // usual case, checked without touching the counts).
        if (most < floor) continue;
        EmitRow(plan_, ia, pa, lo, hi - lo, counts_.data(), block_pairs_, HeapOf(r - r_begin));
      }
      if (TooMany()) return false;
    }
    return true;
  }

  // The block's rows turned into columns once, then counted against
  // stretches of B by the bit-sliced kernel.
  bool Sliced(std::size_t r_begin, std::size_t r_end, std::size_t b_begin, std::size_t b_end) {
    if (b_begin >= b_end) return true;
    row_filters_.clear();
    row_pop_.clear();
    for (std::size_t r = r_begin; r < r_end; ++r) {
      row_filters_.push_back(a_.Filter(plan_.a_order[r]).data());
      row_pop_.push_back(a_.popcount(plan_.a_order[r]));
    }
    internal::SliceRows(row_filters_, plan_.bits, cols_.data());
    for (std::size_t t0 = b_begin; t0 < b_end; t0 += plan_.tile) {
      // Sorted A: the first row has the least popcount.
      const internal::SlicedStretch stretch{cols_.data(),
                                            row_pop_.size(),
                                            row_pop_.data(),
                                            row_pop_.front(),
                                            plan_.need.data(),
                                            &plan_.b_lists,
                                            plan_.b_pop.data(),
                                            t0,
                                            std::min(b_end, t0 + plan_.tile)};
      hits_.clear();
      out_.compared += row_pop_.size() * internal::SlicedCounts(stretch, hits_);
      for (const internal::SlicedHit& h : hits_) {
        Keep(plan_,
             {plan_.a_order[r_begin + h.lane], plan_.b_order[h.b],
              DiceOf(h.both, row_pop_[h.lane] + plan_.b_pop[h.b])},
             block_pairs_, HeapOf(h.lane));
      }
      if (TooMany()) return false;
    }
    return true;
  }

  const Plan& plan_;
  const PackedFilters& a_;
  std::atomic<std::size_t>& total_results_;
  WorkerOut& out_;
  std::vector<DicePair> block_pairs_;
  std::vector<std::vector<DicePair>> heaps_;
  // Tile kernels: the counts of one call, each row's early-exit credit.
  std::vector<std::uint32_t> counts_;
  std::vector<std::int32_t> credits_;
  // The bit-sliced kernel: the block's columns, rows and their popcounts.
  std::vector<std::uint64_t, internal::CacheAlignedAllocator<std::uint64_t>> cols_;
  std::vector<const std::uint64_t*> row_filters_;
  std::vector<std::uint32_t> row_pop_;
  std::vector<internal::SlicedHit> hits_;
};

// Joins blocks of sorted A taken from `next_block` until none is left or
// `stop` is set (too many results).
void Worker(const Plan& plan, const PackedFilters& a, std::atomic<std::size_t>& next_block,
            std::atomic<std::size_t>& total_results, std::atomic<bool>& stop, WorkerOut& out) {
  const std::size_t rows = plan.rows_per_block;
  const std::size_t n_blocks = (a.size() + rows - 1) / rows;
  BlockJoiner joiner(plan, a, total_results, out);
  while (!stop.load(std::memory_order_relaxed)) {
    const std::size_t block = next_block.fetch_add(1, std::memory_order_relaxed);
    if (block >= n_blocks) break;
    const std::size_t r_begin = block * rows;
    const std::size_t r_end = std::min(a.size(), r_begin + rows);
    // Sorted A: the block's popcounts rise, and so do both range ends.
    // The union of the rows' ranges (rows that can reach nothing have an
    // empty one).
    std::size_t b_begin = plan.b_pop.size(), b_end = 0;
    for (std::size_t r = r_begin; r < r_end; ++r) {
      const std::uint32_t p = a.popcount(plan.a_order[r]);
      if (plan.range_lo[p] >= plan.range_hi[p]) continue;
      b_begin = std::min(b_begin, plan.range_lo[p]);
      b_end = std::max(b_end, plan.range_hi[p]);
    }
    if (!joiner.Join(r_begin, r_end, b_begin, b_end)) {
      stop.store(true, std::memory_order_relaxed);
      return;
    }
    out.pairs.insert(out.pairs.end(), joiner.block_pairs().begin(), joiner.block_pairs().end());
  }
}

Status ValidateJoin(const PackedFilters& a, const PackedFilters& b,
                    const DiceJoinOptions& options) {
  if (a.bits() != b.bits()) {
    return InvalidArgumentError("dice join: filters of " + std::to_string(a.bits()) + " and " +
                                std::to_string(b.bits()) + " bits");
  }
  if (!(options.threshold >= 0.0 && options.threshold <= 1.0)) {
    return InvalidArgumentError("dice join: threshold must be in [0, 1]");
  }
  if (options.top_k > kMaxDiceJoinTopK) {
    return InvalidArgumentError("dice join: top_k over " + std::to_string(kMaxDiceJoinTopK));
  }
  if (options.threads > kMaxDiceJoinThreads) {
    return InvalidArgumentError("dice join: threads over " + std::to_string(kMaxDiceJoinThreads));
  }
  if (options.max_results > kMaxDiceJoinResults) {
    return InvalidArgumentError("dice join: max_results over " +
                                std::to_string(kMaxDiceJoinResults));
  }
  if (!DiceJoinKernelSupported(options.kernel)) {
    return FailedPreconditionError("dice join: kernel " +
                                   std::string(DiceJoinKernelName(options.kernel)) +
                                   " is not supported on this CPU");
  }
  return OkStatus();
}

Status TooMany(std::size_t max_results) {
  return ResourceExhaustedError("dice join: more than " + std::to_string(max_results) +
                                " results (raise the threshold or max_results, or use top_k)");
}

}  // namespace

bool DiceReaches(std::uint32_t both, std::uint32_t sum, double threshold) {
  return Reaches(both, sum, Exact(threshold));
}

Result<PackedFilters> PackedFilters::Create(std::size_t bits) {
  if (bits == 0 || bits % 64 != 0 || bits > kMaxDiceJoinBits) {
    return InvalidArgumentError("packed filters: length must be a positive multiple of 64 up to " +
                                std::to_string(kMaxDiceJoinBits) + " bits, not " +
                                std::to_string(bits));
  }
  return PackedFilters(bits / 64);
}

Status PackedFilters::Add(std::span<const std::uint64_t> words) {
  if (words.size() != words_per_filter_) {
    return InvalidArgumentError("packed filters: a filter of " + std::to_string(words.size() * 64) +
                                " bits added to a set of " + std::to_string(bits()) + " bits");
  }
  if (size() >= kMaxDiceJoinFilters) {
    return ResourceExhaustedError("packed filters: more than " +
                                  std::to_string(kMaxDiceJoinFilters) + " filters");
  }
  words_.insert(words_.end(), words.begin(), words.end());
  std::uint32_t ones = 0;
  for (std::uint64_t w : words) ones += static_cast<std::uint32_t>(std::popcount(w));
  popcounts_.push_back(ones);
  return OkStatus();
}

void PackedFilters::Reserve(std::size_t count) {
  count = std::min(count, kMaxDiceJoinFilters);
  words_.reserve(count * words_per_filter_);
  popcounts_.reserve(count);
}

bool DiceJoinKernelSupported(DiceJoinKernel kernel) {
  switch (kernel) {
    case DiceJoinKernel::kAuto:
    case DiceJoinKernel::kReference:
    case DiceJoinKernel::kScalar:
      return true;
    case DiceJoinKernel::kPopcnt:
    case DiceJoinKernel::kAvx2:
    case DiceJoinKernel::kAvx512:
    case DiceJoinKernel::kAvx2Sliced:
      return PopcountKernelSupported(AsPopcountKernel(kernel));
  }
  return false;
}

DiceJoinKernel BestDiceJoinKernel() {
  switch (BestPopcountKernel()) {
    case PopcountKernel::kAvx512:
      return DiceJoinKernel::kAvx512;
    case PopcountKernel::kAvx2:
      return DiceJoinKernel::kAvx2Sliced;
    case PopcountKernel::kPopcnt:
      return DiceJoinKernel::kPopcnt;
    case PopcountKernel::kAuto:
    case PopcountKernel::kScalar:
      break;
  }
  return DiceJoinKernel::kScalar;
}

std::string_view DiceJoinKernelName(DiceJoinKernel kernel) {
  switch (kernel) {
    case DiceJoinKernel::kAuto:
      return "auto";
    case DiceJoinKernel::kReference:
      return "reference";
    case DiceJoinKernel::kScalar:
      return "scalar";
    case DiceJoinKernel::kPopcnt:
      return "popcnt";
    case DiceJoinKernel::kAvx2:
      return "avx2";
    case DiceJoinKernel::kAvx512:
      return "avx512-vpopcntdq";
    case DiceJoinKernel::kAvx2Sliced:
      return "avx2-sliced";
  }
  return "unknown";
}

namespace {

// DiceJoin after its arguments were checked.
Result<std::vector<DicePair>> JoinChecked(const PackedFilters& a, const PackedFilters& b,
                                          const DiceJoinOptions& options, DiceJoinStats* stats) {
  const ExactThreshold t = Exact(options.threshold);
  DiceJoinKernel kernel =
      options.kernel == DiceJoinKernel::kAuto ? BestDiceJoinKernel() : options.kernel;
  if (kernel == DiceJoinKernel::kAvx2Sliced && a.bits() > internal::kMaxSlicedBits) {
    kernel = DiceJoinKernel::kAvx2;  // too long for it
  }
  DiceJoinStats local;
  local.pairs_covered = static_cast<std::uint64_t>(a.size()) * b.size();
  local.kernel = kernel;

  std::vector<DicePair> result;
  if (kernel == DiceJoinKernel::kReference) {
    result = ReferenceJoin(a, b, t, options.top_k, options.max_results, local.pairs_compared);
    if (result.size() > options.max_results) return TooMany(options.max_results);
  } else if (a.size() != 0 && b.size() != 0) {
    Plan plan;
    plan.words = a.words_per_filter();
    plan.bits = a.bits();
    plan.top_k = options.top_k;
    plan.max_results = options.max_results;
    plan.kernel = TileFor(kernel, plan.words);
    // need[s] is the least c with Reaches(c, s): near t·s/2, found exactly.
    plan.need.resize(2 * plan.bits + 1);
    for (std::size_t s = 0; s < plan.need.size(); ++s) {
      const double approx = std::floor(options.threshold * static_cast<double>(s) / 2.0);
      auto c = static_cast<std::uint32_t>(std::max(0.0, approx - 2.0));
      const auto sum = static_cast<std::uint32_t>(s);
      while (c <= sum && !Reaches(c, sum, t)) ++c;
      plan.need[s] = c <= sum ? c : kNever;
    }
    std::vector<std::size_t> a_first_with, b_first_with;
    plan.a_order = OrderByPopcount(a.popcounts(), plan.bits, a_first_with);
    plan.b_order = OrderByPopcount(b.popcounts(), plan.bits, b_first_with);
    plan.b_pop.resize(b.size());
    for (std::size_t i = 0; i < b.size(); ++i) plan.b_pop[i] = b.popcount(plan.b_order[i]);
    plan.sliced = kernel == DiceJoinKernel::kAvx2Sliced;
    if (plan.sliced) {
      plan.b_lists = internal::MakeSetBitLists(b, plan.b_order);
    } else {
      plan.b_words.resize(b.size() * plan.words);
      for (std::size_t i = 0; i < b.size(); ++i) {
        std::copy_n(b.Filter(plan.b_order[i]).data(), plan.words,
                    plan.b_words.data() + i * plan.words);
      }
    }
    if (options.early_exit && HasEarlyExit(kernel, plan.words)) {
      // Popcount of words [from, W) of a filter.
      auto tail = [](std::span<const std::uint64_t> f, std::size_t from) {
        std::uint32_t n = 0;
        for (std::size_t w = from; w < f.size(); ++w) {
          n += static_cast<std::uint32_t>(std::popcount(f[w]));
        }
        return n;
      };
      const std::size_t half = plan.words / 2, quarter = plan.words / 4;
      plan.b_tail.resize(b.size());
      plan.b_rest.resize(b.size());
      for (std::size_t i = 0; i < b.size(); ++i) {
        plan.b_tail[i] = tail(b.Filter(plan.b_order[i]), half);
        plan.b_rest[i] = tail(b.Filter(plan.b_order[i]), quarter);
      }
      plan.a_tail.resize(a.size());
      plan.a_rest.resize(a.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        plan.a_tail[i] = tail(a.Filter(i), half);
        plan.a_rest[i] = tail(a.Filter(i), quarter);
      }
      if (kernel == DiceJoinKernel::kAvx2) {
        // Byte w − half: popcount of word w (≤ 64, one byte each).
        auto segments = [half](std::span<const std::uint64_t> f) {
          std::uint64_t bytes = 0;
          for (std::size_t w = half; w < f.size(); ++w) {
            bytes |= static_cast<std::uint64_t>(std::popcount(f[w])) << (8 * (w - half));
          }
          return bytes;
        };
        plan.b_seg.resize(b.size());
        for (std::size_t i = 0; i < b.size(); ++i) plan.b_seg[i] = segments(b.Filter(plan.b_order[i]));
        plan.a_seg.resize(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) plan.a_seg[i] = segments(a.Filter(i));
      }
    }
    if (NeedsShifted(kernel, plan.words)) {
      plan.b_shift.resize(plan.b_words.size());
      for (std::size_t i = 0; i < plan.b_words.size(); ++i) plan.b_shift[i] = plan.b_words[i] >> 4;
    }
    PlanRanges(plan, a.popcounts(), b_first_with);
    // A B tile of ~16 KiB stays in L1 (with the A row and the counts) while
    // every row of the block passes over it; a block of A of ~8 KiB.
    constexpr std::size_t kTileBytes = 16 * 1024;
    constexpr std::size_t kBlockBytes = 8 * 1024;
    // With the AVX2 early exit most pairs read only the first half of
    // their B filter, so the tile holds twice the filters (fewer calls).
    const std::size_t b_bytes =
        plan.words * 8 * (plan.b_shift.empty() ? 1 : 2);
    plan.tile = std::max<std::size_t>(8, kTileBytes / b_bytes);
    plan.rows_per_block = std::max<std::size_t>(1, kBlockBytes / (plan.words * 8));
    if (plan.sliced) {
      // A block is one vector of lanes; B is read in stretches of set-bit
      // lists, with a check of the result count after each.
      plan.rows_per_block = internal::kSlicedLanes;
      plan.tile = 1024;
    }

    std::size_t threads =
        options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
    const std::size_t n_blocks = (a.size() + plan.rows_per_block - 1) / plan.rows_per_block;
    threads = std::min({threads, n_blocks, kMaxDiceJoinThreads});
    std::atomic<std::size_t> next_block{0};
    std::atomic<std::size_t> total_results{0};
    std::atomic<bool> stop{false};
    std::vector<WorkerOut> outs(threads);
    // A thread entry point: an exception (bad_alloc) must not escape it.
    auto run = [&](std::size_t i) {
      try {
        Worker(plan, a, next_block, total_results, stop, outs[i]);
      } catch (const std::bad_alloc&) {
        outs[i].out_of_memory = true;
        stop.store(true);
      }
    };
    {
      std::vector<std::jthread> pool;
      pool.reserve(threads - 1);
      for (std::size_t i = 1; i < threads; ++i) {
        // Blocks are handed out dynamically, so fewer threads than asked
        // for (the system refused one) still cover every block.
        try {
          pool.emplace_back(run, i);
        } catch (const std::system_error&) {
          break;
        }
      }
      run(0);
    }  // joins
    for (const WorkerOut& o : outs) {
      if (o.out_of_memory) return ResourceExhaustedError("dice join: out of memory");
    }
    if (stop.load()) return TooMany(options.max_results);
    std::size_t total = 0;
    for (const WorkerOut& o : outs) total += o.pairs.size();
    result.reserve(total);
    for (WorkerOut& o : outs) {
      local.pairs_compared += o.compared;
      result.insert(result.end(), o.pairs.begin(), o.pairs.end());
      o.pairs = {};
    }
  }
  std::sort(result.begin(), result.end(), OutputLess);
  local.results = result.size();
  if (stats != nullptr) *stats = local;
  return result;
}

}  // namespace

Result<std::vector<DicePair>> DiceJoin(const PackedFilters& a, const PackedFilters& b,
                                       const DiceJoinOptions& options, DiceJoinStats* stats) {
  if (Status s = ValidateJoin(a, b, options); !s.ok()) return s;
  // The plan's copies of B (sorted, or as set-bit lists about five times
  // its size) and the results may not fit in memory: an error, not an
  // exception (the workers' own allocations are caught in their threads).
  try {
    return JoinChecked(a, b, options, stats);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("dice join: out of memory");
  }
}

}  // namespace kinlink::match
