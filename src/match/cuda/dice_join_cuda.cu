// Device code of the CUDA Dice join for 1024-bit filters. UNCHECKED: written
// without nvcc or a GPU at hand; scripts/cuda-check.sh is the first build
// and run. Kept small on purpose: one kernel, no device-side sorting.
//
// Work split: CUDA block (x, y) takes the 64 rows of sorted A in block x
// (in shared memory, with need[]) and walks its reachable stretch of
// sorted B [lo, hi) in steps of gridDim.y · 256, one B filter per thread
// held in registers. All threads of a warp read the same A word at once
// (a shared-memory broadcast). A pair is a hit iff
// |a∧b| ≥ need[|a| + |b|] — the host builds need[] from the exact rule.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "match/cuda/internal_cuda.h"

namespace kinlink::match::cuda_internal {
namespace {

constexpr std::uint32_t kNeed = 2 * 1024 + 1;

__global__ void __launch_bounds__(kThreads)
    JoinKernel(const std::uint64_t* __restrict__ a_words, const std::uint32_t* __restrict__ a_pop,
               std::uint32_t a_count, const std::uint64_t* __restrict__ b_words,
               const std::uint32_t* __restrict__ b_pop, const std::uint32_t* __restrict__ need,
               const std::uint32_t* __restrict__ block_lo,
               const std::uint32_t* __restrict__ block_hi, Hit* __restrict__ hits,
               unsigned long long max_hits, unsigned long long* __restrict__ hit_count) {
  __shared__ std::uint64_t sa[kRowsPerBlock * kWords];
  __shared__ std::uint32_t sp[kRowsPerBlock];
  __shared__ std::uint32_t sneed[kNeed];
  const std::uint32_t block = blockIdx.x;
  const std::uint32_t lo = block_lo[block];
  const std::uint32_t hi = block_hi[block];
  // Uniform across the CUDA block: either every thread leaves or none.
  if (lo + blockIdx.y * blockDim.x >= hi) return;
  const std::uint32_t row0 = block * static_cast<std::uint32_t>(kRowsPerBlock);
  const std::uint32_t rows = min(static_cast<std::uint32_t>(kRowsPerBlock), a_count - row0);
  for (std::uint32_t i = threadIdx.x; i < rows * kWords; i += blockDim.x) {
    sa[i] = a_words[static_cast<std::size_t>(row0) * kWords + i];
  }
  for (std::uint32_t i = threadIdx.x; i < rows; i += blockDim.x) sp[i] = a_pop[row0 + i];
  for (std::uint32_t i = threadIdx.x; i < kNeed; i += blockDim.x) sneed[i] = need[i];
  __syncthreads();
  for (std::uint32_t base = lo + blockIdx.y * blockDim.x; base < hi;
       base += gridDim.y * blockDim.x) {
    const std::uint32_t j = base + threadIdx.x;
    if (j >= hi) continue;
    std::uint64_t bw[kWords];
    const ulonglong2* src = reinterpret_cast<const ulonglong2*>(b_words + std::size_t{j} * kWords);
#pragma unroll
    for (std::uint32_t w = 0; w < kWords / 2; ++w) {
      const ulonglong2 v = src[w];
      bw[2 * w] = v.x;
      bw[2 * w + 1] = v.y;
    }
    const std::uint32_t pb = b_pop[j];
    for (std::uint32_t r = 0; r < rows; ++r) {
      std::uint32_t both = 0;
#pragma unroll
      for (std::uint32_t w = 0; w < kWords; ++w) both += __popcll(sa[r * kWords + w] & bw[w]);
      if (both >= sneed[sp[r] + pb]) {
        const unsigned long long slot = atomicAdd(hit_count, 1ULL);
        if (slot < max_hits) hits[slot] = Hit{row0 + r, j, both};
      }
    }
  }
}

// Device memory owned for the scope of one join.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (ptr_ != nullptr) cudaFree(ptr_);
  }
  cudaError_t Allocate(std::size_t bytes) {
    return cudaMalloc(&ptr_, std::max<std::size_t>(bytes, 1));
  }
  template <typename T>
  T* get() const {
    return static_cast<T*>(ptr_);
  }

 private:
  void* ptr_ = nullptr;
};

class Events {
 public:
  Events() {
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  ~Events() {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
  }
  cudaEvent_t start{}, stop{};
};

bool Failed(cudaError_t e, const char* what, JoinOutput& out) {
  if (e == cudaSuccess) return false;
  out.error = std::string(what) + ": " + cudaGetErrorString(e);
  return true;
}

}  // namespace

bool DeviceAvailable() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

void RunJoin(const JoinInput& in, JoinOutput& out) {
  out = JoinOutput{};
  const std::size_t blocks = (in.a_count + kRowsPerBlock - 1) / kRowsPerBlock;
  if (blocks == 0 || in.b_count == 0) return;
  DeviceBuffer a_words, a_pop, b_words, b_pop, need, block_lo, block_hi, hits, count;
  const std::size_t a_bytes = in.a_count * kWords * sizeof(std::uint64_t);
  const std::size_t b_bytes = in.b_count * kWords * sizeof(std::uint64_t);
  if (Failed(a_words.Allocate(a_bytes), "cudaMalloc A", out) ||
      Failed(a_pop.Allocate(in.a_count * 4), "cudaMalloc A popcounts", out) ||
      Failed(b_words.Allocate(b_bytes), "cudaMalloc B", out) ||
      Failed(b_pop.Allocate(in.b_count * 4), "cudaMalloc B popcounts", out) ||
      Failed(need.Allocate(kNeed * 4), "cudaMalloc need", out) ||
      Failed(block_lo.Allocate(blocks * 4), "cudaMalloc ranges", out) ||
      Failed(block_hi.Allocate(blocks * 4), "cudaMalloc ranges", out) ||
      Failed(hits.Allocate(in.max_hits * sizeof(Hit)), "cudaMalloc hits", out) ||
      Failed(count.Allocate(sizeof(unsigned long long)), "cudaMalloc count", out)) {
    return;
  }
  if (Failed(cudaMemcpy(a_words.get<void>(), in.a_words, a_bytes, cudaMemcpyHostToDevice), "copy A",
             out) ||
      Failed(cudaMemcpy(a_pop.get<void>(), in.a_pop, in.a_count * 4, cudaMemcpyHostToDevice),
             "copy A popcounts", out) ||
      Failed(cudaMemcpy(b_words.get<void>(), in.b_words, b_bytes, cudaMemcpyHostToDevice), "copy B",
             out) ||
      Failed(cudaMemcpy(b_pop.get<void>(), in.b_pop, in.b_count * 4, cudaMemcpyHostToDevice),
             "copy B popcounts", out) ||
      Failed(cudaMemcpy(need.get<void>(), in.need, kNeed * 4, cudaMemcpyHostToDevice), "copy need",
             out) ||
      Failed(cudaMemcpy(block_lo.get<void>(), in.block_lo, blocks * 4, cudaMemcpyHostToDevice),
             "copy ranges", out) ||
      Failed(cudaMemcpy(block_hi.get<void>(), in.block_hi, blocks * 4, cudaMemcpyHostToDevice),
             "copy ranges", out) ||
      Failed(cudaMemset(count.get<void>(), 0, sizeof(unsigned long long)), "clear count", out)) {
    return;
  }
  // gridDim.y: each thread walks about 8 filters of the longest stretch
  // of B (the kernel strides), so that loading the block's rows of A and
  // need[] into shared memory is paid for by 8 · 64 pairs per thread.
  constexpr std::size_t kPerThread = 8;
  std::size_t longest = 0;
  for (std::size_t i = 0; i < blocks; ++i) {
    if (in.block_hi[i] > in.block_lo[i]) {
      longest = std::max<std::size_t>(longest, in.block_hi[i] - in.block_lo[i]);
    }
  }
  const std::size_t gy = std::min<std::size_t>(
      65535,
      std::max<std::size_t>(1, (longest + kThreads * kPerThread - 1) / (kThreads * kPerThread)));
  Events ev;
  cudaEventRecord(ev.start);
  JoinKernel<<<dim3(static_cast<unsigned>(blocks), static_cast<unsigned>(gy)), kThreads>>>(
      a_words.get<std::uint64_t>(), a_pop.get<std::uint32_t>(),
      static_cast<std::uint32_t>(in.a_count), b_words.get<std::uint64_t>(),
      b_pop.get<std::uint32_t>(), need.get<std::uint32_t>(), block_lo.get<std::uint32_t>(),
      block_hi.get<std::uint32_t>(), hits.get<Hit>(), in.max_hits, count.get<unsigned long long>());
  cudaEventRecord(ev.stop);
  if (Failed(cudaGetLastError(), "kernel launch", out) ||
      Failed(cudaEventSynchronize(ev.stop), "kernel", out)) {
    return;
  }
  float ms = 0;
  cudaEventElapsedTime(&ms, ev.start, ev.stop);
  out.kernel_seconds = ms / 1000.0;
  unsigned long long n = 0;
  if (Failed(cudaMemcpy(&n, count.get<void>(), sizeof n, cudaMemcpyDeviceToHost), "copy count",
             out)) {
    return;
  }
  if (n > in.max_hits) {
    out.overflow = true;
    return;
  }
  out.hits.resize(n);
  if (n != 0) {
    Failed(cudaMemcpy(out.hits.data(), hits.get<void>(), n * sizeof(Hit), cudaMemcpyDeviceToHost),
           "copy hits", out);
  }
}

}  // namespace kinlink::match::cuda_internal
