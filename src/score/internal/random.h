// Deterministic random numbers for the score module: SplitMix64 (the same
// sequence on every platform, unlike std:: distributions) and a stateless
// mixer for hash-based decisions that must be recomputable.
#ifndef KINLINK_SCORE_INTERNAL_RANDOM_H_
#define KINLINK_SCORE_INTERNAL_RANDOM_H_

#include <cstdint>

namespace kinlink::score::internal {

__extension__ typedef unsigned __int128 Uint128;

inline std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t r = Mix64(state_);
    state_ += 0x9E3779B97F4A7C15ULL;
    return r;
  }
  // Uniform in [0, n); n > 0. Lemire's multiply-shift; the bias (< n/2^64)
  // does not matter for sampling.
  std::uint64_t Below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<Uint128>(Next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

}  // namespace kinlink::score::internal

#endif  // KINLINK_SCORE_INTERNAL_RANDOM_H_
