// Popcount kernels for Dice, one per instruction set, chosen at run time.
// No -march flag: each SIMD function carries its own target attribute, and
// is only called after __builtin_cpu_supports said yes (libgcc's check also
// covers OS support of the AVX/AVX-512 register state).
#include <immintrin.h>

#include <bit>
#include <cstdint>

#include "match/internal/popcount.h"

namespace kinlink::match {
namespace internal {
namespace {

// --- portable scalar (whatever std::popcount compiles to for baseline x86-64)

std::uint64_t PopcountScalar(const std::uint64_t* a, std::size_t words) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < words; ++i) total += static_cast<std::uint64_t>(std::popcount(a[i]));
  return total;
}

std::uint64_t AndPopcountScalar(const std::uint64_t* a, const std::uint64_t* b,
                                std::size_t words) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < words; ++i) {
    total += static_cast<std::uint64_t>(std::popcount(a[i] & b[i]));
  }
  return total;
}

void AndPopcountManyScalar(const std::uint64_t* query, const std::uint64_t* many,
                           std::size_t words, std::size_t n, std::uint32_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint32_t>(AndPopcountScalar(query, many + i * words, words));
  }
}

// --- POPCNT instruction

__attribute__((target("popcnt"))) std::uint64_t PopcountPopcnt(const std::uint64_t* a,
                                                                std::size_t words) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < words; ++i) total += static_cast<std::uint64_t>(__builtin_popcountll(a[i]));
  return total;
}

__attribute__((target("popcnt"))) std::uint64_t AndPopcountPopcnt(const std::uint64_t* a,
                                                                   const std::uint64_t* b,
                                                                   std::size_t words) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < words; ++i) {
    total += static_cast<std::uint64_t>(__builtin_popcountll(a[i] & b[i]));
  }
  return total;
}

__attribute__((target("popcnt"))) void AndPopcountManyPopcnt(const std::uint64_t* query,
                                                             const std::uint64_t* many,
                                                             std::size_t words, std::size_t n,
                                                             std::uint32_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint32_t>(AndPopcountPopcnt(query, many + i * words, words));
  }
}

// --- AVX2: per-nibble look-up with vpshufb, byte counts summed with vpsadbw
// (Muła, Kurz, Lemire, "Faster population counts using AVX2 instructions").
// For 1024-bit filters (4 vectors) this beats Harley–Seal, whose carry-save
// adder tree only pays off over many vectors.

__attribute__((target("avx2"))) inline __m256i ByteCounts(__m256i v) {
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1,
                                          1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_mask = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(v, low_mask);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_mask);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lookup, lo), _mm256_shuffle_epi8(lookup, hi));
}

__attribute__((target("avx2"))) inline std::uint64_t Sum64(__m256i v) {
  return static_cast<std::uint64_t>(_mm256_extract_epi64(v, 0)) +
         static_cast<std::uint64_t>(_mm256_extract_epi64(v, 1)) +
         static_cast<std::uint64_t>(_mm256_extract_epi64(v, 2)) +
         static_cast<std::uint64_t>(_mm256_extract_epi64(v, 3));
}

// kAnd selects |a ∧ b| (b used) or |a| (b ignored).
template <bool kAnd>
__attribute__((target("avx2"))) inline std::uint64_t Avx2Count(const std::uint64_t* a,
                                                               const std::uint64_t* b,
                                                               std::size_t words) {
  __m256i total = _mm256_setzero_si256();
  std::size_t i = 0;
  while (i + 4 <= words) {
    // Each byte count is ≤ 8 per vector; 31 vectors stay below 255.
    __m256i bytes = _mm256_setzero_si256();
    for (int rounds = 0; rounds < 31 && i + 4 <= words; ++rounds, i += 4) {
      __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
      if constexpr (kAnd) {
        v = _mm256_and_si256(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)));
      }
      bytes = _mm256_add_epi8(bytes, ByteCounts(v));
    }
    total = _mm256_add_epi64(total, _mm256_sad_epu8(bytes, _mm256_setzero_si256()));
  }
  std::uint64_t sum = Sum64(total);
  for (; i < words; ++i) {
    const std::uint64_t w = kAnd ? (a[i] & b[i]) : a[i];
    sum += static_cast<std::uint64_t>(std::popcount(w));
  }
  return sum;
}

__attribute__((target("avx2"))) std::uint64_t PopcountAvx2(const std::uint64_t* a,
                                                            std::size_t words) {
  return Avx2Count<false>(a, nullptr, words);
}

__attribute__((target("avx2"))) std::uint64_t AndPopcountAvx2(const std::uint64_t* a,
                                                               const std::uint64_t* b,
                                                               std::size_t words) {
  return Avx2Count<true>(a, b, words);
}

__attribute__((target("avx2"))) void AndPopcountManyAvx2(const std::uint64_t* query,
                                                         const std::uint64_t* many,
                                                         std::size_t words, std::size_t n,
                                                         std::uint32_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint32_t>(Avx2Count<true>(query, many + i * words, words));
  }
}

// --- AVX-512 VPOPCNTDQ: one instruction per 8 words; the tail (a length
// that is not a multiple of 512 bits) through a masked load.

template <bool kAnd>
__attribute__((target("avx512f,avx512vpopcntdq"))) inline std::uint64_t Avx512Count(
    const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  __m512i total = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 8 <= words; i += 8) {
    __m512i v = _mm512_loadu_si512(a + i);
    if constexpr (kAnd) v = _mm512_and_si512(v, _mm512_loadu_si512(b + i));
    total = _mm512_add_epi64(total, _mm512_popcnt_epi64(v));
  }
  if (i < words) {
    const auto mask = static_cast<__mmask8>((1U << (words - i)) - 1);
    __m512i v = _mm512_maskz_loadu_epi64(mask, a + i);
    if constexpr (kAnd) v = _mm512_and_si512(v, _mm512_maskz_loadu_epi64(mask, b + i));
    total = _mm512_add_epi64(total, _mm512_popcnt_epi64(v));
  }
  // A store and a scalar sum: _mm512_reduce_add_epi64 trips g++ 12's
  // -Wuninitialized on _mm256_undefined_si256 inside the header.
  alignas(64) std::uint64_t lanes[8];
  _mm512_store_si512(lanes, total);
  std::uint64_t sum = 0;
  for (std::uint64_t lane : lanes) sum += lane;
  return sum;
}

__attribute__((target("avx512f,avx512vpopcntdq"))) std::uint64_t PopcountAvx512(
    const std::uint64_t* a, std::size_t words) {
  return Avx512Count<false>(a, nullptr, words);
}

__attribute__((target("avx512f,avx512vpopcntdq"))) std::uint64_t AndPopcountAvx512(
    const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  return Avx512Count<true>(a, b, words);
}

__attribute__((target("avx512f,avx512vpopcntdq"))) void AndPopcountManyAvx512(
    const std::uint64_t* query, const std::uint64_t* many, std::size_t words, std::size_t n,
    std::uint32_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint32_t>(Avx512Count<true>(query, many + i * words, words));
  }
}

struct CpuFeatures {
  bool popcnt;
  bool avx2;
  bool avx512;
};

// The one read of CPU state in the module; immutable afterwards.
const CpuFeatures& Features() {
  static const CpuFeatures features = [] {
    __builtin_cpu_init();
    return CpuFeatures{
        __builtin_cpu_supports("popcnt") != 0,
        __builtin_cpu_supports("avx2") != 0,
        __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512vpopcntdq") != 0,
    };
  }();
  return features;
}

}  // namespace

PopcountKernels KernelsFor(PopcountKernel kernel) {
  if (kernel == PopcountKernel::kAuto || !PopcountKernelSupported(kernel)) {
    kernel = BestPopcountKernel();
  }
  switch (kernel) {
    case PopcountKernel::kAvx512:
      return {PopcountAvx512, AndPopcountAvx512, AndPopcountManyAvx512};
    case PopcountKernel::kAvx2:
      return {PopcountAvx2, AndPopcountAvx2, AndPopcountManyAvx2};
    case PopcountKernel::kPopcnt:
      return {PopcountPopcnt, AndPopcountPopcnt, AndPopcountManyPopcnt};
    case PopcountKernel::kAuto:
    case PopcountKernel::kScalar:
      break;
  }
  return {PopcountScalar, AndPopcountScalar, AndPopcountManyScalar};
}

}  // namespace internal

bool PopcountKernelSupported(PopcountKernel kernel) {
  const internal::CpuFeatures& f = internal::Features();
  switch (kernel) {
    case PopcountKernel::kAuto:
    case PopcountKernel::kScalar:
      return true;
    case PopcountKernel::kPopcnt:
      return f.popcnt;
    case PopcountKernel::kAvx2:
      return f.avx2;
    case PopcountKernel::kAvx512:
      return f.avx512;
  }
  return false;
}

PopcountKernel BestPopcountKernel() {
  const internal::CpuFeatures& f = internal::Features();
  if (f.avx512) return PopcountKernel::kAvx512;
  if (f.avx2) return PopcountKernel::kAvx2;
  if (f.popcnt) return PopcountKernel::kPopcnt;
  return PopcountKernel::kScalar;
}

std::string_view PopcountKernelName(PopcountKernel kernel) {
  switch (kernel) {
    case PopcountKernel::kAuto:
      return "auto";
    case PopcountKernel::kScalar:
      return "scalar";
    case PopcountKernel::kPopcnt:
      return "popcnt";
    case PopcountKernel::kAvx2:
      return "avx2";
    case PopcountKernel::kAvx512:
      return "avx512-vpopcntdq";
  }
  return "unknown";
}

}  // namespace kinlink::match
