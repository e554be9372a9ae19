// All-pairs Dice join. See dice_join.h for the contract and
// docs/kernels.md for the design and measurements.
#include "match/dice_join.h"

#include <immintrin.h>

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

// ---------------------------------------------------------------------------
// Tile kernels: out[j] = |a ∧ b_j| for n filters of W words from b.
// The generic lengths use the one-vs-many kernels of popcount.cc; 512- and
// 1024-bit filters (W = 8, 16) have register-blocked ones here: the A filter
// stays in registers while B streams past, four B filters per iteration so
// that four independent dependency chains keep the vector units busy.
// ---------------------------------------------------------------------------

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
  std::uint32_t floor;   // a lower bound of need[|a| + |b_j|] for every j
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

// Other lengths: the one-vs-many kernels of popcount.cc (no early exit).
template <PopcountKernel K>
std::uint32_t TileGeneric(const Tile& t) {
  internal::KernelsFor(K).and_popcount_many(t.a, t.b, t.words, t.n, t.out);
  std::uint32_t most = 0;
  for (std::size_t j = 0; j < t.n; ++j) most = std::max(most, t.out[j]);
  return most;
}

template <std::size_t From, std::size_t To>
__attribute__((target("popcnt"))) inline std::uint32_t CountPopcnt(const std::uint64_t* av,
                                                                   const std::uint64_t* bj) {
  std::uint64_t c = 0, d = 0;  // two chains
  for (std::size_t w = From; w < To; w += 2) {
    c += static_cast<std::uint64_t>(__builtin_popcountll(av[w] & bj[w]));
    d += static_cast<std::uint64_t>(__builtin_popcountll(av[w + 1] & bj[w + 1]));
  }
  return static_cast<std::uint32_t>(c + d);
}

// Here the credit is kept per call (a tile of the row): any bookkeeping
// per pair costs as much as the quarter of a pair it may save. A call that
// tries the early exit and sees more than a third of its pairs counted to
// the end makes the row's next kProbe calls count in full.
template <std::size_t W>
__attribute__((target("popcnt"))) std::uint32_t TilePopcnt(const Tile& t) {
  static_assert(W % 8 == 0);
  std::uint64_t av[W];
  for (std::size_t w = 0; w < W; ++w) av[w] = t.a[w];
  std::uint32_t most = 0;
  if (t.b_tail == nullptr || *t.credit <= 0) {
    for (std::size_t j = 0; j < t.n; ++j) {
      const std::uint32_t c = CountPopcnt<0, W>(av, t.b + j * W);
      t.out[j] = c;
      most = std::max(most, c);
    }
    if (t.b_tail != nullptr) Adaptive::CountedInFull(*t.credit);
    return most;
  }
  std::size_t went_on = 0;
  for (std::size_t j = 0; j < t.n; ++j) {
    const std::uint64_t* bj = t.b + j * W;
    std::uint32_t c = CountPopcnt<0, W / 4>(av, bj);
    if (c + std::min(t.a_rest, t.b_rest[j]) >= t.floor) {
      c += CountPopcnt<W / 4, W / 2>(av, bj);
      if (c + std::min(t.a_tail, t.b_tail[j]) >= t.floor) {
        c += CountPopcnt<W / 2, W>(av, bj);
        ++went_on;
      }
    }
    t.out[j] = c;
    most = std::max(most, c);
  }
  if (3 * went_on > t.n) *t.credit = -Adaptive::kProbe;
  return most;
}

// AVX2: byte-wise popcount by nibble look-up (Muła, Kurz, Lemire), with
// the nibble split paid once per B filter instead of once per pair. For
// a byte x of a∧b, its low nibble is (a & 0x0f) & b and its high nibble is
// ((a >> 4) & 0x0f) & (b >> 4): with a's two masked halves held in
// registers and b >> 4 precomputed (b_shift), a 256-bit step is two ANDs,
// two VPSHUFB and two byte adds — no shift and no mask per pair. (A 64-bit
// shift moves each byte's high nibble into its own low nibble; the bits it
// pulls in from the next byte land in the high nibble, which a's mask
// clears.)
// Byte counts of a ∧ b over the 256-bit vectors [From, To) of a filter.
template <std::size_t From, std::size_t To>
__attribute__((target("avx2"))) inline __m256i PairBytes(const __m256i* a_lo, const __m256i* a_hi,
                                                         const std::uint64_t* bj,
                                                         const std::uint64_t* sj, __m256i lookup) {
  __m256i acc = _mm256_setzero_si256();
  for (std::size_t v = From; v < To; ++v) {
    const __m256i lo =
        _mm256_and_si256(a_lo[v], _mm256_load_si256(reinterpret_cast<const __m256i*>(bj + 4 * v)));
    const __m256i hi =
        _mm256_and_si256(a_hi[v], _mm256_load_si256(reinterpret_cast<const __m256i*>(sj + 4 * v)));
    acc = _mm256_add_epi8(acc, _mm256_shuffle_epi8(lookup, lo));
    acc = _mm256_add_epi8(acc, _mm256_shuffle_epi8(lookup, hi));
  }
  return acc;  // each byte ≤ 8·(To − From) ≤ 32
}

// The counts over vectors [From, To) of four consecutive B filters, as four
// 32-bit lanes in order. Each filter's byte counts are summed into four
// 64-bit lanes (< 2^16) by VPSADBW; then s0 | s1 << 32 and s2 | s3 << 32 put
// the four filters' partial sums in the 32-bit halves of the lanes, and
// adding lanes leaves the four totals in one 128-bit register.
template <std::size_t W, std::size_t From, std::size_t To>
__attribute__((target("avx2"))) inline __m128i FourCounts(const __m256i* a_lo, const __m256i* a_hi,
                                                          const std::uint64_t* bj,
                                                          const std::uint64_t* sj, __m256i lookup) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i s0 = _mm256_sad_epu8(PairBytes<From, To>(a_lo, a_hi, bj, sj, lookup), zero);
  const __m256i s1 = _mm256_sad_epu8(PairBytes<From, To>(a_lo, a_hi, bj + W, sj + W, lookup), zero);
  const __m256i s2 =
      _mm256_sad_epu8(PairBytes<From, To>(a_lo, a_hi, bj + 2 * W, sj + 2 * W, lookup), zero);
  const __m256i s3 =
      _mm256_sad_epu8(PairBytes<From, To>(a_lo, a_hi, bj + 3 * W, sj + 3 * W, lookup), zero);
  const __m256i t01 = _mm256_or_si256(s0, _mm256_slli_epi64(s1, 32));
  const __m256i t23 = _mm256_or_si256(s2, _mm256_slli_epi64(s3, 32));
  const __m256i u =
      _mm256_add_epi64(_mm256_unpacklo_epi64(t01, t23), _mm256_unpackhi_epi64(t01, t23));
  return _mm_add_epi64(_mm256_castsi256_si128(u), _mm256_extracti128_si256(u, 1));
}

// VPSADBW of PairBytes for the k-th filter from bj: its count over
// vectors [From, To) in four 64-bit lanes.
template <std::size_t W, std::size_t From, std::size_t To>
__attribute__((target("avx2"))) inline __m256i PairSad(const __m256i* a_lo, const __m256i* a_hi,
                                                       const std::uint64_t* bj,
                                                       const std::uint64_t* sj, std::size_t k,
                                                       __m256i lookup) {
  return _mm256_sad_epu8(PairBytes<From, To>(a_lo, a_hi, bj + k * W, sj + k * W, lookup),
                         _mm256_setzero_si256());
}

// The same as FourCounts for eight consecutive B filters, as eight 32-bit
// lanes in order (the first four in the low 128 bits).
template <std::size_t W, std::size_t From, std::size_t To>
__attribute__((target("avx2"))) inline __m256i EightCounts(const __m256i* a_lo, const __m256i* a_hi,
                                                           const std::uint64_t* bj,
                                                           const std::uint64_t* sj,
                                                           __m256i lookup) {
  // Written out (no array): g++ kept an array of the four in memory.
  const __m256i t01 = _mm256_or_si256(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 0, lookup),
                                      _mm256_slli_epi64(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 1, lookup), 32));
  const __m256i t23 = _mm256_or_si256(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 2, lookup),
                                      _mm256_slli_epi64(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 3, lookup), 32));
  const __m256i t45 = _mm256_or_si256(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 4, lookup),
                                      _mm256_slli_epi64(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 5, lookup), 32));
  const __m256i t67 = _mm256_or_si256(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 6, lookup),
                                      _mm256_slli_epi64(PairSad<W, From, To>(a_lo, a_hi, bj, sj, 7, lookup), 32));
  // Lanes [0 1 2 3 | 0 1 2 3] and [4 5 6 7 | 4 5 6 7], each half a partial sum.
  const __m256i u03 =
      _mm256_add_epi64(_mm256_unpacklo_epi64(t01, t23), _mm256_unpackhi_epi64(t01, t23));
  const __m256i u47 =
      _mm256_add_epi64(_mm256_unpacklo_epi64(t45, t67), _mm256_unpackhi_epi64(t45, t67));
  return _mm256_add_epi32(_mm256_permute2x128_si256(u03, u47, 0x20),
                          _mm256_permute2x128_si256(u03, u47, 0x31));
}

template <std::size_t From, std::size_t To>
__attribute__((target("avx2"))) inline std::uint32_t OneCount(const __m256i* a_lo,
                                                              const __m256i* a_hi,
                                                              const std::uint64_t* bj,
                                                              const std::uint64_t* sj,
                                                              __m256i lookup) {
  const __m256i s =
      _mm256_sad_epu8(PairBytes<From, To>(a_lo, a_hi, bj, sj, lookup), _mm256_setzero_si256());
  const __m128i h = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  return static_cast<std::uint32_t>(_mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1));
}

// lo[v], hi[v]: the low and the high nibbles of a's vector v, each in the
// low half of its byte. Returns true (made).
template <std::size_t V>
__attribute__((target("avx2"))) inline bool MaskedNibbles(const std::uint64_t* a, __m256i* lo,
                                                         __m256i* hi) {
  const __m256i low_mask = _mm256_set1_epi8(0x0f);
  for (std::size_t v = 0; v < V; ++v) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 4 * v));
    lo[v] = _mm256_and_si256(x, low_mask);
    hi[v] = _mm256_and_si256(_mm256_srli_epi64(x, 4), low_mask);
  }
  return true;
}

// out[j] = |a ∧ b_j| for the 4·groups filters from b, all of a in
// registers; returns the largest. A function of its own so that its
// registers are allocated for this loop alone.
template <std::size_t W>
__attribute__((target("avx2"), noinline)) std::uint32_t FullStretch(const std::uint64_t* a,
                                                                    const std::uint64_t* b,
                                                                    const std::uint64_t* b_shift,
                                                                    std::size_t groups,
                                                                    std::uint32_t* out) {
  constexpr std::size_t kV = W / 4;
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                                          2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  __m256i a_lo[kV], a_hi[kV];
  MaskedNibbles<kV>(a, a_lo, a_hi);
  __m128i most = _mm_setzero_si128();
  for (std::size_t g = 0; g < groups; ++g) {
    const __m128i total =
        FourCounts<W, 0, kV>(a_lo, a_hi, b + 4 * g * W, b_shift + 4 * g * W, lookup);
    most = _mm_max_epu32(most, total);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 4 * g), total);
  }
  most = _mm_max_epu32(most, _mm_shuffle_epi32(most, 0x4e));
  most = _mm_max_epu32(most, _mm_shuffle_epi32(most, 0xb1));
  return static_cast<std::uint32_t>(_mm_cvtsi128_si32(most));
}

// The early exit over 8·groups filters from b (b_seg, out from the same
// first filter): out[j] = the count of the first half (the first quarter
// too, with Quarter, when the quarter check stops the whole group), and
// alive[g] bit k set when filter 8g + k may still reach t, so that its
// second half has to be counted. Returns the number of such filters.
//
// A loop of its own, with the first half of a, the look-up table and the
// bounds in registers and nothing else live across it: branches only where
// they are predictable (Quarter: whether a whole group stops after a
// quarter — at high t nearly all do), and the few filters still alive are
// left to the caller instead of being counted here.
template <std::size_t W, bool Quarter>
__attribute__((target("avx2"), noinline)) std::size_t EarlyStretch(
    const std::uint64_t* a, const std::uint64_t* b, const std::uint64_t* b_shift,
    const std::uint64_t* b_seg, std::uint64_t a_seg, const std::uint32_t* b_rest,
    std::uint32_t a_rest, std::uint32_t floor, std::size_t groups, std::uint32_t* out,
    std::uint8_t* alive) {
  constexpr std::size_t kHalf = W / 8;  // vectors per half
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                                          2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  __m256i a_lo[kHalf], a_hi[kHalf];
  MaskedNibbles<kHalf>(a, a_lo, a_hi);
  // Values stay far below 2^31, so signed 32-bit compares are exact.
  const __m256i floor8 = _mm256_set1_epi32(static_cast<int>(std::min<std::uint32_t>(floor, 1U << 30)));
  const __m256i a_seg8 = _mm256_set1_epi64x(static_cast<long long>(a_seg));
  const __m256i a_rest8 = _mm256_set1_epi32(static_cast<int>(a_rest));
  const __m256i zero = _mm256_setzero_si256();
  const __m256i in_order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  std::size_t alive_count = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const std::uint64_t* bj = b + 8 * g * W;
    const std::uint64_t* sj = b_shift + 8 * g * W;
    __m256i total;
    if constexpr (Quarter) {
      total = EightCounts<W, 0, 1>(a_lo, a_hi, bj, sj, lookup);
      const __m256i rest = _mm256_min_epu32(
          a_rest8, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b_rest + 8 * g)));
      if (_mm256_movemask_epi8(_mm256_cmpgt_epi32(floor8, _mm256_add_epi32(total, rest))) == -1) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * g), total);
        alive[g] = 0;
        continue;
      }
      total = _mm256_add_epi32(total, EightCounts<W, 1, kHalf>(a_lo, a_hi, bj, sj, lookup));
    } else {
      total = EightCounts<W, 0, kHalf>(a_lo, a_hi, bj, sj, lookup);
    }
    // The most the second half can add, Σ_w min(a_w, b_w) per filter:
    // VPSADBW leaves filters 0–3 and 4–7 in 64-bit lanes; interleaving
    // them as 32-bit halves and one cross-lane permute puts the eight in
    // order.
    const __m256i s03 = _mm256_sad_epu8(
        _mm256_min_epu8(a_seg8, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b_seg + 8 * g))),
        zero);
    const __m256i s47 = _mm256_sad_epu8(
        _mm256_min_epu8(a_seg8,
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b_seg + 8 * g + 4))),
        zero);
    const __m256i bound =
        _mm256_permutevar8x32_epi32(_mm256_or_si256(s03, _mm256_slli_epi64(s47, 32)), in_order);
    const __m256i hopeless = _mm256_cmpgt_epi32(floor8, _mm256_add_epi32(total, bound));
    const unsigned live =
        ~static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(hopeless))) & 0xffU;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * g), total);
    alive[g] = static_cast<std::uint8_t>(live);
    alive_count += static_cast<std::size_t>(std::popcount(live));
  }
  return alive_count;
}

// Precondition (met by the plan's copy of B): b and b_shift are 32-byte
// aligned, so aligned loads are used.
//
// With the early exit, groups of eight filters go through EarlyStretch,
// then the second halves of the few still alive are counted one by one.
// The row's credit (Adaptive) is kept per call, as in TilePopcnt: a call
// that sees more than half its filters alive makes the row's next kProbe
// calls count in full — there the split count and the one-by-one second
// halves cost more than the skipped halves save (real record filters at
// low t).
template <std::size_t W>
__attribute__((target("avx2"))) std::uint32_t TileAvx2(const Tile& t) {
  static_assert(W % 8 == 0 && W <= 16);
  constexpr std::size_t kV = W / 4, kHalf = W / 8;  // vectors per filter, per half
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                                          2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  // a's masked nibbles, for the filters counted here one by one (the few
  // still alive, the last n mod 8): made when first needed.
  __m256i a_lo[kV] = {}, a_hi[kV] = {};
  bool have_a = false;
  const std::uint64_t* const b = t.b;
  const std::uint64_t* const b_shift = t.b_shift;
  std::uint32_t* const out = t.out;
  const bool early = t.b_seg != nullptr;
  std::uint32_t most = 0;  // over the filters counted in full
  std::size_t j = 0;
  if (early && *t.credit > 0) {
    // Chunks of at most kChunk groups (the alive masks live on the stack).
    constexpr std::size_t kChunk = 64;
    std::uint8_t alive[kChunk];
    std::size_t alive_count = 0;
    const bool quarter = W == 16 && t.floor > t.a_rest;  // can stop after a quarter (high t)
    while (j + 8 <= t.n) {
      const std::size_t groups = std::min(kChunk, (t.n - j) / 8);
      const std::size_t found =
          quarter ? EarlyStretch<W, true>(t.a, b + j * W, b_shift + j * W, t.b_seg + j, t.a_seg,
                                          t.b_rest + j, t.a_rest, t.floor, groups, out + j, alive)
                  : EarlyStretch<W, false>(t.a, b + j * W, b_shift + j * W, t.b_seg + j, t.a_seg,
                                           t.b_rest + j, t.a_rest, t.floor, groups, out + j,
                                           alive);
      if (found != 0) {
        if (!have_a) have_a = MaskedNibbles<kV>(t.a, a_lo, a_hi);
        for (std::size_t g = 0; g < groups; ++g) {
          for (unsigned live = alive[g]; live != 0; live &= live - 1) {
            const std::size_t k = j + 8 * g + static_cast<std::size_t>(std::countr_zero(live));
            out[k] += OneCount<kHalf, kV>(a_lo, a_hi, b + k * W, b_shift + k * W, lookup);
            most = std::max(most, out[k]);
          }
        }
      }
      alive_count += found;
      j += 8 * groups;
    }
    if (2 * alive_count > j) *t.credit = -Adaptive::kProbe;
  } else {
    const std::size_t groups = t.n / 4;
    most = FullStretch<W>(t.a, b, b_shift, groups, out);
    j = 4 * groups;
    if (early) Adaptive::CountedInFull(*t.credit);
  }
  if (j < t.n && !have_a) have_a = MaskedNibbles<kV>(t.a, a_lo, a_hi);
  for (; j < t.n; ++j) {
    out[j] = OneCount<0, kV>(a_lo, a_hi, b + j * W, b_shift + j * W, lookup);
    most = std::max(most, out[j]);
  }
  // Filters cut short are below floor; `most` is the largest of the others.
  return most;
}

// Not run on the machine this was written on (no AVX-512 there): kept as
// plain as possible — per B filter, W/8 VPOPCNTQ and one reduction.
template <std::size_t W>
__attribute__((target("avx512f,avx512vpopcntdq"))) std::uint32_t TileAvx512(const Tile& t) {
  static_assert(W % 8 == 0 && W <= 16);
  __m512i av[W / 8];
  for (std::size_t v = 0; v < W / 8; ++v) av[v] = _mm512_loadu_si512(t.a + 8 * v);
  std::uint32_t most = 0;
  for (std::size_t j = 0; j < t.n; ++j) {
    const std::uint64_t* bj = t.b + j * W;
    __m512i acc = _mm512_popcnt_epi64(_mm512_and_si512(av[0], _mm512_loadu_si512(bj)));
    for (std::size_t v = 1; v < W / 8; ++v) {
      acc = _mm512_add_epi64(
          acc, _mm512_popcnt_epi64(_mm512_and_si512(av[v], _mm512_loadu_si512(bj + 8 * v))));
    }
    // A store and a scalar sum: the header's cast/extract intrinsics trip
    // g++ 12's -Wmaybe-uninitialized (see popcount.cc).
    alignas(64) std::uint64_t lanes[8];
    _mm512_store_si512(lanes, acc);
    std::uint64_t sum = 0;
    for (std::uint64_t lane : lanes) sum += lane;
    t.out[j] = static_cast<std::uint32_t>(sum);
    most = std::max(most, t.out[j]);
  }
  return most;
}

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

// Precondition: kernel is supported and not kAuto / kReference.
TileFn TileFor(DiceJoinKernel kernel, std::size_t words) {
  switch (kernel) {
    case DiceJoinKernel::kPopcnt:
      if (words == 16) return TilePopcnt<16>;
      if (words == 8) return TilePopcnt<8>;
      break;
    case DiceJoinKernel::kAvx2:
      if (words == 16) return TileAvx2<16>;
      if (words == 8) return TileAvx2<8>;
      break;
    case DiceJoinKernel::kAvx512:
      if (words == 16) return TileAvx512<16>;
      if (words == 8) return TileAvx512<8>;
      break;
    case DiceJoinKernel::kScalar:
    case DiceJoinKernel::kAuto:
    case DiceJoinKernel::kReference:
    case DiceJoinKernel::kAvx2Sliced:  // not a tile kernel
      break;
  }
  switch (kernel) {
    case DiceJoinKernel::kPopcnt:
      return TileGeneric<PopcountKernel::kPopcnt>;
    case DiceJoinKernel::kAvx2:
      return TileGeneric<PopcountKernel::kAvx2>;
    case DiceJoinKernel::kAvx512:
      return TileGeneric<PopcountKernel::kAvx512>;
    default:
      return TileGeneric<PopcountKernel::kScalar>;
  }
}

// Whether the kernel reads b_shift.
bool NeedsShifted(DiceJoinKernel kernel, std::size_t words) {
  return kernel == DiceJoinKernel::kAvx2 && (words == 16 || words == 8);
}

// Whether the kernel has the early exit (reads b_tail).
bool HasEarlyExit(DiceJoinKernel kernel, std::size_t words) {
  return (kernel == DiceJoinKernel::kAvx2 || kernel == DiceJoinKernel::kPopcnt) &&
         (words == 16 || words == 8);
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

Result<std::vector<DicePair>> DiceJoin(const PackedFilters& a, const PackedFilters& b,
                                       const DiceJoinOptions& options, DiceJoinStats* stats) {
  if (Status s = ValidateJoin(a, b, options); !s.ok()) return s;
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

}  // namespace kinlink::match
