// The tile kernels of the Dice join; see internal/dice_tiles.h.
#include "match/internal/dice_tiles.h"

#include <immintrin.h>

#include <algorithm>
#include <bit>

#include "match/internal/popcount.h"

namespace kinlink::match::internal {
namespace {

// Other lengths: the one-vs-many kernels of popcount.cc (no early exit).
template <PopcountKernel K>
std::uint32_t TileGeneric(const Tile& t) {
  KernelsFor(K).and_popcount_many(t.a, t.b, t.words, t.n, t.out);
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

// PairSad of filters k and k + 1 from bj, the second's sums in the high 32
// bits of each 64-bit lane.
template <std::size_t W, std::size_t From, std::size_t To>
__attribute__((target("avx2"))) inline __m256i TwoSads(const __m256i* a_lo, const __m256i* a_hi,
                                                       const std::uint64_t* bj,
                                                       const std::uint64_t* sj, std::size_t k,
                                                       __m256i lookup) {
  return _mm256_or_si256(
      PairSad<W, From, To>(a_lo, a_hi, bj, sj, k, lookup),
      _mm256_slli_epi64(PairSad<W, From, To>(a_lo, a_hi, bj, sj, k + 1, lookup), 32));
}

// The same as FourCounts for eight consecutive B filters, as eight 32-bit
// lanes in order (the first four in the low 128 bits).
template <std::size_t W, std::size_t From, std::size_t To>
__attribute__((target("avx2"))) inline __m256i EightCounts(const __m256i* a_lo, const __m256i* a_hi,
                                                           const std::uint64_t* bj,
                                                           const std::uint64_t* sj,
                                                           __m256i lookup) {
  // Written out (no array): g++ kept an array of the four in memory.
  const __m256i t01 = TwoSads<W, From, To>(a_lo, a_hi, bj, sj, 0, lookup);
  const __m256i t23 = TwoSads<W, From, To>(a_lo, a_hi, bj, sj, 2, lookup);
  const __m256i t45 = TwoSads<W, From, To>(a_lo, a_hi, bj, sj, 4, lookup);
  const __m256i t67 = TwoSads<W, From, To>(a_lo, a_hi, bj, sj, 6, lookup);
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
  const __m256i floor8 =
      _mm256_set1_epi32(static_cast<int>(std::min<std::uint32_t>(floor, 1U << 30)));
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
        _mm256_min_epu8(a_seg8,
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b_seg + 8 * g))),
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
                                           t.b_rest + j, t.a_rest, t.floor, groups, out + j, alive);
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

}  // namespace

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

bool NeedsShifted(DiceJoinKernel kernel, std::size_t words) {
  return kernel == DiceJoinKernel::kAvx2 && (words == 16 || words == 8);
}

bool HasEarlyExit(DiceJoinKernel kernel, std::size_t words) {
  return (kernel == DiceJoinKernel::kAvx2 || kernel == DiceJoinKernel::kPopcnt) &&
         (words == 16 || words == 8);
}

}  // namespace kinlink::match::internal
