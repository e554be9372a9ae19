// Naive reference implementations of the match kernels, written straight
// from the definitions in string_metrics.h and bloom.h with no tricks. They
// exist only to be tested against: the fast kernels must return exactly the
// same values. Private to src/match (tests and benchmarks may include it).
//
// Thread-safety: pure functions.
#ifndef KINLINK_MATCH_INTERNAL_REFERENCE_H_
#define KINLINK_MATCH_INTERNAL_REFERENCE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace kinlink::match::reference {

// Full (|a|+1)×(|b|+1) Wagner–Fischer matrix.
std::size_t LevenshteinDistance(std::u32string_view a, std::u32string_view b);
// 1 - d / max(|a|, |b|); 1.0 when both empty; no cutoff.
double LevenshteinSimilarity(std::u32string_view a, std::u32string_view b);

// Jaro and Jaro–Winkler with flag vectors, exactly as defined in
// string_metrics.h; no cutoff.
double JaroSimilarity(std::u32string_view a, std::u32string_view b);
double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b);

// Exhaustive search over all one-to-one pairings (only for tiny inputs: the
// cost is factorial). Same formula as TokenSetSimilarity.
double TokenSetSimilarity(std::u32string_view a, std::u32string_view b);

// Bit by bit: 2|A∧B| / (|A|+|B|), 0.0 when both are empty.
double Dice(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b);

}  // namespace kinlink::match::reference

#endif  // KINLINK_MATCH_INTERNAL_REFERENCE_H_
