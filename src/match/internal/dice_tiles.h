// Private to src/match: the tile kernels of the Dice join, one row of A
// against a tile of sorted B at a time (dice_join.cc plans and drives
// them; docs/kernels.md). The bit-sliced kernel is in dice_sliced.h.
//
// Tile kernels: out[j] = |a ∧ b_j| for n filters of W words from b.
// The generic lengths use the one-vs-many kernels of popcount.cc; 512- and
// 1024-bit filters (W = 8, 16) have register-blocked ones: the A filter
// stays in registers while B streams past, four B filters per iteration so
// that four independent dependency chains keep the vector units busy.
#ifndef KINLINK_MATCH_INTERNAL_DICE_TILES_H_
#define KINLINK_MATCH_INTERNAL_DICE_TILES_H_

#include <cstddef>
#include <cstdint>

#include "match/dice_join.h"

namespace kinlink::match::internal {

// One row of A against n consecutive filters of sorted B.
struct Tile {
  const std::uint64_t* a;        // the A filter
  const std::uint64_t* b;        // n filters of W words
  const std::uint64_t* b_shift;  // the same with each word >> 4 (AVX2 kernels), or null
  // Early exit, when not null: popcount of the second half (words W/2..W)
  // of each B filter. A pair whose first-half count plus
  // min(a_tail, b_tail[j]) — the most the second half can add — is below
  // `floor` cannot reach t, and its second half is skipped. b_rest and
  // a_rest do the same after the first quarter (words W/4..W).
  const std::uint32_t* b_tail;
  std::uint32_t a_tail;  // popcount of a's second half
  const std::uint32_t* b_rest;
  std::uint32_t a_rest;  // popcount of a's last three quarters
  // AVX2, when not null: the popcount of each word of the second half of
  // each B filter, one byte per word (W/2 ≤ 8 bytes), and the same of a.
  // The second half can add at most Σ_w min(a_w, b_w) — a tighter bound
  // than min(a_tail, b_tail), and about as cheap: one VPMINUB and one
  // VPSADBW for four filters.
  const std::uint64_t* b_seg;
  std::uint64_t a_seg;
  std::uint32_t floor;  // a lower bound of need[|a| + |b_j|] for every j
  // The row's early-exit state, carried from one tile to the next (see
  // Adaptive below); read and updated when b_tail is not null.
  std::int32_t* credit;
  std::size_t words;
  std::size_t n;
  std::uint32_t* out;
};

// Whether the early exit pays is a property of the data, not of the
// threshold alone: on random filters (Dice of unrelated pairs about 0.3)
// nearly every pair stops after half its words at t = 0.7, but on real
// record filters (FEBRL4 encodings: unrelated pairs near 0.48) far fewer
// do, and then the split count costs more than it saves. So each row keeps
// a credit, updated per tile: while it is positive the kernel tries the
// early exit; a tile where too many pairs had to be counted to the end
// sets it to −kProbe, and each tile counted in full then adds one, so the
// row tries again after kProbe tiles. Either way every count is exact, so
// this changes only the speed.
struct Adaptive {
  static constexpr std::int32_t kStart = 1;  // a new row tries the early exit
  static constexpr std::int32_t kProbe = 16;
  // After a tile counted in full.
  static void CountedInFull(std::int32_t& credit) {
    if (++credit == 0) credit = 1;
  }
};

// out[j] = |a ∧ b_j| for j < n — except for pairs cut short by the early
// exit, where out[j] is the count so far, which is below floor and so below
// the pair's need. Returns the largest out[j], or (AVX2) the largest of the
// pairs counted to the end, 0 when there are none: below floor exactly when
// every out[j] is, which is all the caller asks.
using TileFn = std::uint32_t (*)(const Tile& t);

// The tile kernel of `kernel` for filters of `words` words.
// Precondition: kernel is supported and is a tile kernel (not kAuto,
// kReference or kAvx2Sliced; those get the scalar one).
TileFn TileFor(DiceJoinKernel kernel, std::size_t words);
// Whether the kernel reads Tile::b_shift.
bool NeedsShifted(DiceJoinKernel kernel, std::size_t words);
// Whether the kernel has the early exit (reads Tile::b_tail and the rest).
bool HasEarlyExit(DiceJoinKernel kernel, std::size_t words);

}  // namespace kinlink::match::internal

#endif  // KINLINK_MATCH_INTERNAL_DICE_TILES_H_
