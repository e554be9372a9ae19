// The CUDA Dice join (src/match/cuda, -DKINLINK_CUDA=ON) against the CPU
// join: a differential check, then throughput. UNCHECKED until run on a
// GPU machine (scripts/cuda-check.sh runs it).
//
//   dice_join_cuda_bench [--na N] [--nb N] [--t T] [--check-rows R]
// Default 65,536 x 1,048,576 random 1024-bit filters (fill ~25 % or ~30 %,
// plus planted near-duplicates of A in B), t = 0.7. The check compares the
// GPU's pairs with DiceJoin's (all threads, best CPU kernel) — on the whole
// join when A has at most --check-rows filters, otherwise on the first
// --check-rows filters of A against all of B. Exit status 1 on a mismatch.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "match/cuda/dice_join_cuda.h"
#include "match/dice_join.h"

namespace {

namespace match = kinlink::match;
using Clock = std::chrono::steady_clock;

std::uint64_t SplitMix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Fill 25 % (x & y) or ~30 % (x & y, plus x' & y' & z' & w' on the rest).
void Random(std::uint64_t& s, std::size_t n, match::PackedFilters& out) {
  std::vector<std::uint64_t> w(16);
  out.Reserve(out.size() + n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool denser = (i % 2) != 0;
    for (auto& x : w) {
      x = SplitMix(s) & SplitMix(s);
      if (denser) x |= SplitMix(s) & SplitMix(s) & SplitMix(s) & SplitMix(s);
    }
    if (!out.Add(w).ok()) std::abort();
  }
}

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t na = 65536, nb = 1048576, check_rows = 2048;
  double t = 0.7;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--na") == 0) {
      na = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--nb") == 0) {
      nb = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--t") == 0) {
      t = std::strtod(argv[i + 1], nullptr);
    } else if (std::strcmp(argv[i], "--check-rows") == 0) {
      check_rows = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (!match::CudaJoinAvailable()) {
    std::printf("no CUDA device: nothing to check\n");
    return 1;
  }
  std::uint64_t seed = 20240611;
  match::PackedFilters a = match::PackedFilters::Create(1024).value();
  match::PackedFilters b = a;
  Random(seed, na, a);
  const std::size_t planted = std::min(na, nb / 20);
  Random(seed, nb - planted, b);
  for (std::size_t i = 0; i < planted; ++i) {
    const auto src = a.Filter(SplitMix(seed) % na);
    std::vector<std::uint64_t> w(src.begin(), src.end());
    for (int f = 0; f < 30; ++f) {
      const std::uint64_t bit = SplitMix(seed) % 1024;
      w[bit / 64] ^= std::uint64_t{1} << (bit % 64);
    }
    if (!b.Add(w).ok()) std::abort();
  }
  match::DiceJoinOptions opt;
  opt.threshold = t;
  opt.max_results = std::size_t{1} << 24;  // room for 16 M pairs on the GPU (200 MB)
  std::printf("cuda dice join: %zu x %zu filters of 1024 bits, t = %.2f\n", a.size(), b.size(), t);

  // Differential check on a sample of A.
  match::PackedFilters sample = match::PackedFilters::Create(1024).value();
  const std::size_t rows = std::min(check_rows, a.size());
  for (std::size_t i = 0; i < rows; ++i) {
    if (!sample.Add(a.Filter(i)).ok()) std::abort();
  }
  auto cpu = match::DiceJoin(sample, b, opt);
  auto gpu_sample = match::DiceJoinCuda(sample, b, opt);
  if (!cpu.ok() || !gpu_sample.ok()) {
    std::printf("error: %s / %s\n", cpu.status().ToString().c_str(),
                gpu_sample.status().ToString().c_str());
    return 1;
  }
  const bool same = *cpu == *gpu_sample;
  std::printf("check: first %zu rows of A x all of B: CPU %zu pairs, GPU %zu pairs: %s\n", rows,
              cpu->size(), gpu_sample->size(), same ? "same" : "MISMATCH");
  match::DiceJoinOptions top = opt;
  top.top_k = 3;
  auto cpu_top = match::DiceJoin(sample, b, top);
  auto gpu_top = match::DiceJoinCuda(sample, b, top);
  const bool same_top = cpu_top.ok() && gpu_top.ok() && *cpu_top == *gpu_top;
  std::printf("check: same with top_k = 3: %s\n", same_top ? "same" : "MISMATCH");

  // Throughput on the whole join (a warm-up run first).
  match::DiceJoinStats stats;
  double kernel_seconds = 0;
  if (!match::DiceJoinCuda(sample, b, opt).ok()) return 1;
  const auto start = Clock::now();
  auto gpu = match::DiceJoinCuda(a, b, opt, &stats, &kernel_seconds);
  const double total = Since(start);
  if (!gpu.ok()) {
    std::printf("error: %s\n", gpu.status().ToString().c_str());
    return 1;
  }
  std::printf("pairs covered %.4g, compared on the GPU (after the length filter) %.4g, found %zu\n",
              static_cast<double>(stats.pairs_covered), static_cast<double>(stats.pairs_compared),
              gpu->size());
  std::printf("kernel %.3f s: %.3e comparisons/s, %.3e pairs covered/s\n", kernel_seconds,
              static_cast<double>(stats.pairs_compared) / kernel_seconds,
              static_cast<double>(stats.pairs_covered) / kernel_seconds);
  std::printf("end to end (sort, copy, kernel, copy back, sort) %.3f s: %.3e pairs covered/s\n",
              total, static_cast<double>(stats.pairs_covered) / total);
  return same && same_top ? 0 : 1;
}
