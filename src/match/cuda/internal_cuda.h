// Private to src/match/cuda: the plain-C++ boundary between the host code
// (dice_join_cuda.cc, compiled by the C++ compiler) and the device code
// (dice_join_cuda.cu, compiled by nvcc), so that nvcc sees none of
// Kinlink's other headers. UNCHECKED until run on a GPU (see
// dice_join_cuda.h).
#ifndef KINLINK_MATCH_CUDA_INTERNAL_CUDA_H_
#define KINLINK_MATCH_CUDA_INTERNAL_CUDA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kinlink::match::cuda_internal {

inline constexpr std::size_t kWords = 16;         // 1024-bit filters
inline constexpr std::size_t kRowsPerBlock = 64;  // A rows per CUDA block (shared memory)
inline constexpr std::size_t kThreads = 256;      // B filters per CUDA block

struct Hit {
  std::uint32_t a;     // position in sorted A
  std::uint32_t b;     // position in sorted B
  std::uint32_t both;  // |a ∧ b|
};

struct JoinInput {
  const std::uint64_t* a_words;  // sorted A, kWords per filter
  const std::uint32_t* a_pop;
  std::size_t a_count;
  const std::uint64_t* b_words;  // sorted B
  const std::uint32_t* b_pop;
  std::size_t b_count;
  const std::uint32_t* need;      // 2·1024 + 1 entries
  const std::uint32_t* block_lo;  // per block of kRowsPerBlock rows of A:
  const std::uint32_t* block_hi;  //   the reachable positions [lo, hi) of B
  std::size_t max_hits;
};

struct JoinOutput {
  std::vector<Hit> hits;
  bool overflow = false;
  double kernel_seconds = 0;
  std::string error;  // empty on success
};

bool DeviceAvailable();
// Runs the join on the current device. On failure, out.error names the
// CUDA call and its error string.
void RunJoin(const JoinInput& in, JoinOutput& out);

}  // namespace kinlink::match::cuda_internal

#endif  // KINLINK_MATCH_CUDA_INTERNAL_CUDA_H_
