// Private to src/match: the bit-sliced AVX2 kernel of the Dice join
// (DiceJoinKernel::kAvx2Sliced; docs/kernels.md, "Bit-sliced kernel").
//
// Instead of one pair at a time, 256 rows of A are counted against one
// filter of B at once. The rows are turned on their side: column c is 256
// bits, bit i of it being bit c of row i. Then |a_i ∧ b| for all 256 rows
// is the sum, lane by lane, of the columns at b's set bits — so the work
// per filter of B is proportional to |b|, not to the filter length. The
// sums are kept as bit planes (bit k of all 256 counts in one vector) and
// added with carry-save adders (Harley–Seal), which are plain AND/OR/XOR:
// about five vector operations per set bit of b for 256 pairs.
#ifndef KINLINK_MATCH_INTERNAL_DICE_SLICED_H_
#define KINLINK_MATCH_INTERNAL_DICE_SLICED_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "match/dice_join.h"

namespace kinlink::match::internal {

// Rows of A counted together (one bit each in a 256-bit vector).
inline constexpr std::size_t kSlicedLanes = 256;
// Longest filter the kernel takes: counts of up to 12 bits, column numbers
// (and the zero column, number `bits`) in 16 bits.
inline constexpr std::size_t kMaxSlicedBits = 2048;
// Set bits of a filter of B are taken 16 at a time; lists are padded to it.
inline constexpr std::size_t kSlicedGroup = 16;

// The set bits of each filter, as column numbers in increasing order, each
// filter's list padded with `bits` (the number of the all-zero column) to
// a multiple of kSlicedGroup. Filter j is columns[start[j], start[j + 1]).
struct SetBitLists {
  std::vector<std::uint16_t> columns;
  std::vector<std::size_t> start;
};
// The lists of filters[order[0]], filters[order[1]], ...
// Precondition: filters.bits() ≤ kMaxSlicedBits.
SetBitLists MakeSetBitLists(const PackedFilters& filters, std::span<const std::uint32_t> order);

// Writes the columns of `rows` (at most kSlicedLanes filters of `bits`
// bits): column c is words cols[4c .. 4c + 4), bit i of which is bit c of
// rows[i]; column `bits` (and lanes past rows.size()) are zero. `cols`
// holds (bits + 1) · 4 words and is 32-byte aligned.
void SliceRows(std::span<const std::uint64_t* const> rows, std::size_t bits, std::uint64_t* cols);

// A pair found: row `lane` of the sliced block, position `b` in B, and its
// count |a ∧ b|.
struct SlicedHit {
  std::uint32_t lane;
  std::uint32_t b;
  std::uint32_t both;
};

// One stretch of B against a sliced block of A.
struct SlicedStretch {
  const std::uint64_t* cols;      // from SliceRows
  std::size_t lanes;              // rows in the block (≤ kSlicedLanes)
  const std::uint32_t* lane_pop;  // |a_i| for i < lanes
  std::uint32_t min_lane_pop;     // the least of them
  const std::uint32_t* need;      // need[s]: least |a∧b| reported at |a|+|b| = s
  const SetBitLists* lists;       // of B
  const std::uint32_t* b_pop;     // |b_j|, rising with j (B sorted by popcount)
  std::size_t b_begin, b_end;     // positions of B to count
};

// Appends every pair (lane, j, |a_lane ∧ b_j|) of the stretch with
// |a ∧ b| ≥ need[|a| + |b|], in order of j, then lane. Returns the number
// of filters of B counted (the others are ruled out by their popcount).
// Preconditions: the CPU has AVX2; b_pop rises over [b_begin, b_end) and
// its last value is ≤ kMaxSlicedBits; need[] does not fall for s ≥ 1.
std::size_t SlicedCounts(const SlicedStretch& s, std::vector<SlicedHit>& hits);

}  // namespace kinlink::match::internal

#endif  // KINLINK_MATCH_INTERNAL_DICE_SLICED_H_
