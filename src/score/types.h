// Small value types shared by the score module: 16-byte keys (blocking keys
// and term-frequency keys are keyed tokens or hashes computed by the caller,
// never plaintext), record indices and record pairs.
//
// Thread-safety: plain values.
#ifndef KINLINK_SCORE_TYPES_H_
#define KINLINK_SCORE_TYPES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

namespace kinlink::score {

// A record's position in the input of a blocking / scoring run (0-based).
// 32 bits: limits::kMaxImportRows is far below 2^32.
using RecordId = std::uint32_t;

// A candidate pair. Dedupe: a < b, both index the same input. Link: a indexes
// the left input, b the right input.
struct RecordPair {
  RecordId a = 0;
  RecordId b = 0;
  friend bool operator==(const RecordPair&, const RecordPair&) = default;
  friend auto operator<=>(const RecordPair&, const RecordPair&) = default;
};

// A 128-bit key (a keyed token, or a 64-bit hash widened). The all-zero key
// means "empty / no value": blocking skips it. Callers that hash to 64 bits
// use Key128::FromU64 and must map a real value's hash 0 to something else
// (a hash of 0 has probability 2^-64).
struct Key128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;

  static constexpr Key128 FromU64(std::uint64_t v) { return Key128{0, v}; }
  static Key128 FromBytes(const std::array<std::uint8_t, 16>& bytes) {
    Key128 k;
    std::memcpy(&k.hi, bytes.data(), 8);
    std::memcpy(&k.lo, bytes.data() + 8, 8);
    return k;
  }
  constexpr bool empty() const { return hi == 0 && lo == 0; }

  friend constexpr bool operator==(const Key128&, const Key128&) = default;
  friend constexpr auto operator<=>(const Key128&, const Key128&) = default;
};

struct Key128Hash {
  std::size_t operator()(const Key128& k) const {
    // The keys are already uniformly distributed hashes or tokens; mixing
    // the halves is enough (and still fine for small test keys).
    std::uint64_t x = k.lo ^ (k.hi * 0x9E3779B97F4A7C15ULL);
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
  }
};

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_TYPES_H_
