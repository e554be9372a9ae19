// The bit-sliced AVX2 kernel of the Dice join; see internal/dice_sliced.h
// and docs/kernels.md.
#include "match/internal/dice_sliced.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>

namespace kinlink::match::internal {
namespace {

using V = __m256i;

// Carry-save adder: h·2 + l = a + b + c, bit by bit (five operations).
__attribute__((target("avx2"), always_inline)) inline void Csa(V& h, V& l, V a, V b, V c) {
  const V u = _mm256_xor_si256(a, b);
  h = _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(u, c));
  l = _mm256_xor_si256(u, c);
}

// Adds the columns c[0..8) to the running ones, twos and fours (Harley–
// Seal); the carry out of the fours is `eights_out`.
__attribute__((target("avx2"), always_inline)) inline void AddEight(const V* cols,
                                                                    const std::uint16_t* c, V& ones,
                                                                    V& twos, V& fours,
                                                                    V& eights_out) {
  V twos_a, twos_b, fours_a, fours_b;
  Csa(twos_a, ones, ones, _mm256_load_si256(cols + c[0]), _mm256_load_si256(cols + c[1]));
  Csa(twos_b, ones, ones, _mm256_load_si256(cols + c[2]), _mm256_load_si256(cols + c[3]));
  Csa(fours_a, twos, twos, twos_a, twos_b);
  Csa(twos_a, ones, ones, _mm256_load_si256(cols + c[4]), _mm256_load_si256(cols + c[5]));
  Csa(twos_b, ones, ones, _mm256_load_si256(cols + c[6]), _mm256_load_si256(cols + c[7]));
  Csa(fours_b, twos, twos, twos_a, twos_b);
  Csa(eights_out, fours, fours, fours_a, fours_b);
}

// The count of each lane below 2^(4 + H): planes ones, twos, fours, eights
// (Harley–Seal's running state) and H planes of a binary counter of the
// sixteens. With every plane one bit per lane, the count of lane i is
// exactly the binary number of its bits in the planes, low to high.
//
// Per filter of B: 16 set bits per step, 15 carry-save adders (75
// operations) and the counter's ripple (2·H), all plain logic, which
// every vector pipe takes (four on Zen 3, where this was measured).
template <int H>
__attribute__((target("avx2"))) std::size_t CountStretch(const SlicedStretch& s,
                                                         std::vector<SlicedHit>& hits) {
  const V* const cols = reinterpret_cast<const V*>(s.cols);
  const std::uint16_t* const columns = s.lists->columns.data();
  const std::size_t* const start = s.lists->start.data();
  alignas(32) std::uint64_t valid_words[4];
  for (std::size_t w = 0; w < 4; ++w) {
    const std::size_t from = 64 * w;
    valid_words[w] = s.lanes >= from + 64 ? ~std::uint64_t{0}
                     : s.lanes <= from    ? 0
                                          : (std::uint64_t{1} << (s.lanes - from)) - 1;
  }
  const V valid = _mm256_load_si256(reinterpret_cast<const V*>(valid_words));
  const V zero = _mm256_setzero_si256();
  const V all = _mm256_set1_epi8(-1);
  std::size_t counted = 0;
  for (std::size_t j = s.b_begin; j < s.b_end; ++j) {
    // need[] does not fall, so the row with the least popcount has the
    // least need: the floor of every lane's need (0 when that sum is 0,
    // where need[0] may be larger than its neighbours).
    const std::uint32_t sum_min = s.min_lane_pop + s.b_pop[j];
    const std::uint32_t floor = sum_min == 0 ? 0 : s.need[sum_min];
    if (floor > s.b_pop[j]) continue;  // |a ∧ b| ≤ |b| < every need
    ++counted;
    V ones = zero, twos = zero, fours = zero, eights = zero;
    V hi[H + 1];
    for (int k = 0; k < H; ++k) hi[k] = zero;
    const std::uint16_t* c = columns + start[j];
    const std::uint16_t* const end = columns + start[j + 1];
    for (; c != end; c += kSlicedGroup) {
      V eights_a, eights_b, sixteens;
      AddEight(cols, c, ones, twos, fours, eights_a);
      AddEight(cols, c + 8, ones, twos, fours, eights_b);
      Csa(sixteens, eights, eights, eights_a, eights_b);
      V carry = sixteens;
      for (int k = 0; k < H; ++k) {
        const V next = _mm256_and_si256(hi[k], carry);
        hi[k] = _mm256_xor_si256(hi[k], carry);
        carry = next;
      }
    }
    V planes[4 + H];
    planes[0] = ones;
    planes[1] = twos;
    planes[2] = fours;
    planes[3] = eights;
    for (int k = 0; k < H; ++k) planes[4 + k] = hi[k];
    // count ≥ floor, lane by lane, from the top bit down: gt once a bit
    // of the count is 1 where floor's is 0 with all above equal.
    V gt = zero, eq = all;
    for (int k = 3 + H; k >= 0; --k) {
      if ((floor >> k) & 1U) {
        eq = _mm256_and_si256(eq, planes[k]);
      } else {
        gt = _mm256_or_si256(gt, _mm256_and_si256(eq, planes[k]));
      }
    }
    const V ge = _mm256_and_si256(_mm256_or_si256(gt, eq), valid);
    if (_mm256_testz_si256(ge, ge)) continue;  // the usual case
    alignas(32) std::uint64_t bits[4 + H][4];
    alignas(32) std::uint64_t ge_words[4];
    for (int k = 0; k < 4 + H; ++k) {
      _mm256_store_si256(reinterpret_cast<V*>(bits[k]), planes[k]);
    }
    _mm256_store_si256(reinterpret_cast<V*>(ge_words), ge);
    for (std::size_t w = 0; w < 4; ++w) {
      for (std::uint64_t m = ge_words[w]; m != 0; m &= m - 1) {
        const int bit = std::countr_zero(m);
        std::uint32_t both = 0;
        for (int k = 0; k < 4 + H; ++k) {
          both |= static_cast<std::uint32_t>((bits[k][w] >> bit) & 1U) << k;
        }
        const auto lane = static_cast<std::uint32_t>(64 * w + static_cast<std::size_t>(bit));
        if (both >= s.need[s.lane_pop[lane] + s.b_pop[j]]) {
          hits.push_back({lane, static_cast<std::uint32_t>(j), both});
        }
      }
    }
  }
  return counted;
}

using CountFn = std::size_t (*)(const SlicedStretch&, std::vector<SlicedHit>&);

}  // namespace

SetBitLists MakeSetBitLists(const PackedFilters& filters, std::span<const std::uint32_t> order) {
  const std::size_t words = filters.words_per_filter();
  const auto zero_column = static_cast<std::uint16_t>(words * 64);
  SetBitLists lists;
  lists.start.resize(order.size() + 1);
  std::size_t total = 0;
  for (std::size_t j = 0; j < order.size(); ++j) {
    lists.start[j] = total;
    total += (filters.popcount(order[j]) + kSlicedGroup - 1) / kSlicedGroup * kSlicedGroup;
  }
  lists.start[order.size()] = total;
  lists.columns.resize(total);
  std::uint16_t* out = lists.columns.data();
  for (std::size_t j = 0; j < order.size(); ++j) {
    const std::span<const std::uint64_t> f = filters.Filter(order[j]);
    for (std::size_t w = 0; w < words; ++w) {
      const auto base = static_cast<std::uint16_t>(64 * w);
      for (std::uint64_t x = f[w]; x != 0; x &= x - 1) {
        *out++ = static_cast<std::uint16_t>(base + std::countr_zero(x));
      }
    }
    std::uint16_t* const end = lists.columns.data() + lists.start[j + 1];
    std::fill(out, end, zero_column);
    out = end;
  }
  return lists;
}

void SliceRows(std::span<const std::uint64_t* const> rows, std::size_t bits, std::uint64_t* cols) {
  // kSpread[v]: byte k is bit k of v, so that Σ_r kSpread[v_r] << r has in
  // byte k the bits k of the eight bytes v_0..v_7 — an 8×8 bit transpose
  // by table look-up, for eight rows and eight columns at a time.
  static constexpr auto kSpread = [] {
    std::array<std::uint64_t, 256> t{};
    for (std::size_t v = 0; v < 256; ++v) {
      for (std::size_t k = 0; k < 8; ++k)
        t[v] |= static_cast<std::uint64_t>((v >> k) & 1U) << (8 * k);
    }
    return t;
  }();
  static_assert(std::endian::native == std::endian::little);  // byte g of a column: lanes 8g..8g+7
  std::fill_n(cols, (bits + 1) * 4, std::uint64_t{0});
  auto* const col_bytes = reinterpret_cast<unsigned char*>(cols);
  const std::size_t bytes = bits / 8;
  for (std::size_t g = 0; 8 * g < rows.size(); ++g) {
    const unsigned char* row[8];
    const std::size_t n = std::min<std::size_t>(8, rows.size() - 8 * g);
    for (std::size_t r = 0; r < n; ++r)
      row[r] = reinterpret_cast<const unsigned char*>(rows[8 * g + r]);
    for (std::size_t p = 0; p < bytes; ++p) {
      std::uint64_t acc = 0;
      for (std::size_t r = 0; r < n; ++r) acc |= kSpread[row[r][p]] << r;
      for (std::size_t k = 0; k < 8; ++k) {
        col_bytes[32 * (8 * p + k) + g] = static_cast<unsigned char>(acc >> (8 * k));
      }
    }
  }
}

std::size_t SlicedCounts(const SlicedStretch& s, std::vector<SlicedHit>& hits) {
  if (s.b_begin >= s.b_end) return 0;
  // Counts are at most |b| ≤ the stretch's last popcount: H high planes.
  const int width = std::bit_width(s.b_pop[s.b_end - 1]);
  static constexpr CountFn kByPlanes[] = {CountStretch<0>, CountStretch<1>, CountStretch<2>,
                                          CountStretch<3>, CountStretch<4>, CountStretch<5>,
                                          CountStretch<6>, CountStretch<7>, CountStretch<8>};
  return kByPlanes[std::max(0, width - 4)](s, hits);
}

}  // namespace kinlink::match::internal
