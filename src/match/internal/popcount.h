// Private to src/match: the popcount kernels behind Dice. Each kernel is a
// plain function compiled for its instruction set with
// __attribute__((target(...))); callers must check support first
// (PopcountKernelSupported) — calling an unsupported kernel is SIGILL.
#ifndef KINLINK_MATCH_INTERNAL_POPCOUNT_H_
#define KINLINK_MATCH_INTERNAL_POPCOUNT_H_

#include <cstddef>
#include <cstdint>

#include "match/bloom.h"

namespace kinlink::match::internal {

// |a| over `words` words.
using PopcountFn = std::uint64_t (*)(const std::uint64_t* a, std::size_t words);
// |a ∧ b| over `words` words.
using AndPopcountFn = std::uint64_t (*)(const std::uint64_t* a, const std::uint64_t* b,
                                        std::size_t words);
// out[i] = |query ∧ many[i]| for n filters of `words` words laid out
// contiguously from `many`.
using AndPopcountManyFn = void (*)(const std::uint64_t* query, const std::uint64_t* many,
                                   std::size_t words, std::size_t n, std::uint32_t* out);

struct PopcountKernels {
  PopcountFn popcount;
  AndPopcountFn and_popcount;
  AndPopcountManyFn and_popcount_many;
};

// The kernels of `kernel` (kAuto resolved to the best; unsupported kernels
// resolved to kAuto).
PopcountKernels KernelsFor(PopcountKernel kernel);

}  // namespace kinlink::match::internal

#endif  // KINLINK_MATCH_INTERNAL_POPCOUNT_H_
