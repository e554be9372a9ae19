// All-pairs Dice join of two sets of Bloom filters: every pair (a, b) with
// Dice(a, b) ≥ t, optionally only the k best per filter of A. The kernel
// behind cross-organisation linkage, where one side's encodings are
// compared with all of the other's (docs: kernels.md).
//
// Main types: PackedFilters (many filters of one length in one contiguous,
// 64-byte aligned buffer, popcounts precomputed), DiceJoinOptions,
// DicePair, and DiceJoin().
//
// The decision is made on integers, identically in every path:
//   a pair is reported  ⇔  2·|a∧b| ≥ t·(|a|+|b|)  and  (|a|+|b| > 0 or t = 0)
// evaluated exactly (t is the exact binary value of the double), so a pair
// exactly at the threshold is in, whatever the kernel; two empty filters
// have Dice 0. The reported dice is 2·|a∧b| / (|a|+|b|) as a double.
//
// How it is fast (details in dice_join.cc, dice_tiles.cc, dice_sliced.cc
// and docs/kernels.md):
//   - length filter: Dice(a, b) ≤ 2·min(|a|,|b|) / (|a|+|b|), so a pair can
//     reach t only if min/max ≥ t/(2−t). B is sorted by popcount, and for
//     each popcount of A the reachable B form one contiguous range: the
//     rest is never looked at;
//   - tiling: A is processed in blocks of rows, B in tiles that fit in L1,
//     so each B tile is reused from cache by every row of the block;
//   - SIMD: scalar, POPCNT, AVX2 (vpshufb), bit-sliced AVX2 and AVX-512
//     VPOPCNTDQ kernels chosen at run time; 512- and 1024-bit filters
//     have register-blocked kernels (one A filter held in registers
//     against four B filters);
//   - early exit: a pair whose first quarter or half of words leaves it
//     short of t even if the rest matched as much as it possibly could is
//     dropped there (POPCNT and AVX2, 512 and 1024 bits); tried per row
//     only while it keeps paying (it does not on real encodings at low t);
//   - threads: blocks of A are shared out dynamically; the output is sorted,
//     so it does not depend on the number of threads.
//
// Thread-safety: PackedFilters is a value type (const methods may be used
// from several threads); DiceJoin is reentrant and starts its own threads.
//
//   KL_ASSIGN_OR_RETURN(PackedFilters a, PackedFilters::Create(1024));
//   KL_RETURN_IF_ERROR(a.Add(filter));           // ... for every filter
//   DiceJoinOptions opt;
//   opt.threshold = 0.8;
//   opt.top_k = 5;                               // 0: every pair ≥ t
//   KL_ASSIGN_OR_RETURN(std::vector<DicePair> pairs, DiceJoin(a, b, opt));
//   for (const DicePair& p : pairs) Use(p.a, p.b, p.dice);
#ifndef KINLINK_MATCH_DICE_JOIN_H_
#define KINLINK_MATCH_DICE_JOIN_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "match/bloom.h"

namespace kinlink::match {

// Limits. Filter indices are 32-bit.
inline constexpr std::size_t kMaxDiceJoinFilters = std::size_t{1} << 26;  // per set
inline constexpr std::size_t kMaxDiceJoinBits = kMaxBloomBits;            // per filter
inline constexpr std::size_t kMaxDiceJoinThreads = 256;
inline constexpr std::size_t kMaxDiceJoinTopK = std::size_t{1} << 16;
// Upper bound for DiceJoinOptions::max_results (16 bytes per result).
inline constexpr std::size_t kMaxDiceJoinResults = std::size_t{1} << 30;

namespace internal {
// 64-byte aligned storage, so that a 1024-bit filter is exactly two cache
// lines and no SIMD load straddles a line.
template <typename T>
struct CacheAlignedAllocator {
  using value_type = T;
  CacheAlignedAllocator() = default;
  template <typename U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}  // NOLINT: allocator rebind
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{64}); }
  template <typename U>
  friend bool operator==(const CacheAlignedAllocator&, const CacheAlignedAllocator<U>&) {
    return true;
  }
};
}  // namespace internal

// Filters of one length (a positive multiple of 64 bits, ≤ kMaxDiceJoinBits),
// stored back to back; filter i is words [i·W, (i+1)·W) with W = bits/64,
// bit j of a filter is bit j % 64 of its word j / 64 (as in BloomFilter).
class PackedFilters {
 public:
  // INVALID_ARGUMENT unless bits is a positive multiple of 64 and
  // ≤ kMaxDiceJoinBits.
  static Result<PackedFilters> Create(std::size_t bits);
  // Appends one filter given as bits()/64 words. INVALID_ARGUMENT for
  // another length, RESOURCE_EXHAUSTED when the set already holds
  // kMaxDiceJoinFilters.
  Status Add(std::span<const std::uint64_t> words);
  Status Add(const BloomFilter& filter) { return Add(filter.words()); }
  void Reserve(std::size_t count);

  std::size_t size() const { return popcounts_.size(); }
  std::size_t bits() const { return words_per_filter_ * 64; }
  std::size_t words_per_filter() const { return words_per_filter_; }
  // Precondition: i < size().
  std::span<const std::uint64_t> Filter(std::size_t i) const {
    return {words_.data() + i * words_per_filter_, words_per_filter_};
  }
  std::uint32_t popcount(std::size_t i) const { return popcounts_[i]; }
  std::span<const std::uint32_t> popcounts() const { return popcounts_; }
  std::span<const std::uint64_t> words() const { return {words_.data(), words_.size()}; }

 private:
  explicit PackedFilters(std::size_t words_per_filter) : words_per_filter_(words_per_filter) {}
  std::size_t words_per_filter_;
  std::vector<std::uint64_t, internal::CacheAlignedAllocator<std::uint64_t>> words_;
  std::vector<std::uint32_t> popcounts_;
};

// Which popcount kernel the join uses. kReference is the naive all-pairs
// loop (std::popcount per word, no length filter, no tiling, one thread)
// that the others are tested against.
//
// kAvx2Sliced counts 256 rows of A against one filter of B at once, on bit
// planes (internal/dice_sliced.h): its cost per pair is proportional to the
// popcount of B, not to the filter length, and does not depend on the
// threshold beyond the length filter. It takes filters of up to 2048 bits;
// longer ones run kAvx2.
enum class DiceJoinKernel : std::uint8_t {
  kAuto,
  kReference,
  kScalar,
  kPopcnt,
  kAvx2,
  kAvx512,
  kAvx2Sliced
};
// Whether this CPU can run `kernel`; kAuto, kReference, kScalar: always.
bool DiceJoinKernelSupported(DiceJoinKernel kernel);
// What kAuto means here: kAvx512 where the CPU has VPOPCNTDQ, else
// kAvx2Sliced where it has AVX2 (for filters over 2048 bits that runs
// kAvx2; DiceJoinStats::kernel says which ran), else kPopcnt or kScalar.
// On AVX2 the sliced kernel was faster in every measured case but one:
// filters 80 % full at a threshold where nearly every pair is a result
// (docs/kernels.md).
DiceJoinKernel BestDiceJoinKernel();
std::string_view DiceJoinKernelName(DiceJoinKernel kernel);  // "reference", "avx2", ...

struct DiceJoinOptions {
  double threshold = 0.8;  // t, in [0, 1]
  // 0: every pair with Dice ≥ t. k > 0: per filter of A, only the k best
  // of those (highest dice; on a tie, the lower index in B).
  std::size_t top_k = 0;
  std::size_t threads = 0;  // 0: std::thread::hardware_concurrency()
  DiceJoinKernel kernel = DiceJoinKernel::kAuto;
  // More results than this is RESOURCE_EXHAUSTED (t = 0 asks for |A|·|B|).
  std::size_t max_results = std::size_t{1} << 26;
  // The POPCNT and AVX2 kernels for 512- and 1024-bit filters stop a pair
  // after a quarter or half of its words when the rest cannot lift it to t
  // (popcounts of the rests kept beside the filters), as long as that stops
  // enough pairs of the row to pay for itself. false: every compared pair
  // is counted over all its words (for benchmarks; same results).
  bool early_exit = true;
};

struct DicePair {
  std::uint32_t a;  // index in A
  std::uint32_t b;  // index in B
  double dice;
  friend bool operator==(const DicePair&, const DicePair&) = default;
};

// What a join did, for benchmarks and logs.
struct DiceJoinStats {
  std::uint64_t pairs_covered = 0;  // |A|·|B|
  // Pairs the popcount kernel decided after the length filter (with the
  // early exit, some over a quarter or half of their words only).
  std::uint64_t pairs_compared = 0;
  std::uint64_t results = 0;
  DiceJoinKernel kernel = DiceJoinKernel::kAuto;  // the kernel that ran
};

// Every pair (index in A, index in B, dice) with Dice ≥ options.threshold
// (see the top of this file for the exact rule), or the top_k best per
// filter of A; sorted by a, then dice descending, then b — the same output
// for any number of threads and any kernel.
// Errors: INVALID_ARGUMENT when a and b differ in length, the threshold is
// not in [0, 1] (or NaN), top_k > kMaxDiceJoinTopK, threads >
// kMaxDiceJoinThreads or max_results > kMaxDiceJoinResults;
// FAILED_PRECONDITION when a kernel is forced that this CPU cannot run;
// RESOURCE_EXHAUSTED when there would be more than max_results results, or
// memory runs out.
// `stats`, when given, is filled in on success.
Result<std::vector<DicePair>> DiceJoin(const PackedFilters& a, const PackedFilters& b,
                                       const DiceJoinOptions& options = {},
                                       DiceJoinStats* stats = nullptr);

// The exact decision rule above, on counts: whether a pair with
// |a∧b| = both and |a|+|b| = sum is reported at threshold t (0 ≤ t ≤ 1).
// Used by every kernel (through a table) and exposed for tests.
bool DiceReaches(std::uint32_t both, std::uint32_t sum, double threshold);

}  // namespace kinlink::match

#endif  // KINLINK_MATCH_DICE_JOIN_H_
