// Optional CUDA path of the all-pairs Dice join (built only with
// -DKINLINK_CUDA=ON; nothing else in Kinlink needs it). Same contract and
// the same exact decision rule as match::DiceJoin (dice_join.h), for
// 1024-bit filters only.
//
// UNCHECKED: written on a machine without nvcc or an NVIDIA GPU; it has
// not been compiled or run yet. scripts/cuda-check.sh builds it and checks
// it against the CPU join on a GPU machine — run that before relying on it.
//
// Thread-safety: DiceJoinCuda may be called from one thread at a time per
// process (it uses the current CUDA device and its default stream).
#ifndef KINLINK_MATCH_CUDA_DICE_JOIN_CUDA_H_
#define KINLINK_MATCH_CUDA_DICE_JOIN_CUDA_H_

#include <vector>

#include "common/result.h"
#include "match/dice_join.h"

namespace kinlink::match {

// Whether a CUDA device can be used.
bool CudaJoinAvailable();

// As DiceJoin (options.kernel and options.threads are ignored).
// INVALID_ARGUMENT also for filters that are not 1024 bits; UNAVAILABLE
// when there is no CUDA device or a CUDA call fails (the message names
// it). stats->pairs_compared counts the pairs the GPU evaluated.
// `kernel_seconds`, when given, receives the GPU kernel time alone.
Result<std::vector<DicePair>> DiceJoinCuda(const PackedFilters& a, const PackedFilters& b,
                                           const DiceJoinOptions& options,
                                           DiceJoinStats* stats = nullptr,
                                           double* kernel_seconds = nullptr);

}  // namespace kinlink::match

#endif  // KINLINK_MATCH_CUDA_DICE_JOIN_CUDA_H_
