// Throughput of the all-pairs Dice join (match/dice_join.h) per kernel, on
// one core and on all, checked against the naive reference.
//
// Data (fixed seeds): A and B of N random 1024-bit filters each, every
// filter with its own fill drawn from 25–35 % of the bits, plus N/20
// planted near-duplicates in B (a filter of A with 3 % of its bits
// flipped), so that there are true matches to find at 0.7 and 0.9.
//
// Columns:
//   covered/s   |A|·|B| / wall seconds — every pair the join decided,
//               including those the popcount length filter ruled out unseen;
//   compared/s  pairs the popcount kernel decided (after the length filter;
//               |a∧b| computed, with the early exit possibly over a quarter or half of the
//               words) / wall seconds;
//   .../cpu-s   the same per CPU-second of the process (user + system, all
//               threads): the rate per core, which stays meaningful when
//               other processes share the cores (wall time does not).
// Each kernel runs with 1 thread and with all hardware threads.
// Seconds cover the whole DiceJoin call: sorting B by popcount, the plan,
// the kernel, collecting and sorting the results.
// Kernel rows: the naive reference (all pairs, std::popcount per word, one
// thread), then scalar, POPCNT, AVX2, bit-sliced AVX2, AVX-512 with the
// length filter, tiling and threads; "full" rows have the early exit off
// (every compared pair counted over all 1024 bits).
// Seconds are wall time of the whole DiceJoin call: sorting B by popcount,
// the plan, the kernel, collecting and sorting the results.
//
// --filters FILE reads A and B from a file instead (u32 |A|, u32 |B|, then
// the filters of A and of B, bits/8 bytes each, little-endian words), e.g.
// the record filters of two encoded files; --kernel K runs only the row
// named K ("avx2", "avx2 full", ...), --threshold T only that threshold,
// --threads N only that thread count, and --repeat R
// runs every row R times and prints the run with the median CPU time.
//
//   dice_join_bench [--n N] [--bits B] [--no-reference] [--json FILE]
//                   [--filters FILE] [--kernel K] [--threshold T] [--threads N]
//                   [--repeat R]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "match/dice_join.h"

namespace {

namespace match = kinlink::match;
using match::DiceJoinKernel;
using match::DicePair;
using match::PackedFilters;
using Clock = std::chrono::steady_clock;

std::vector<std::uint64_t> RandomFilter(std::mt19937_64& rng, std::size_t bits, double fill) {
  std::vector<std::uint64_t> w(bits / 64, 0);
  std::bernoulli_distribution on(fill);
  for (std::size_t i = 0; i < bits; ++i) {
    if (on(rng)) w[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  return w;
}

void Fill(std::mt19937_64& rng, std::size_t n, std::size_t bits, PackedFilters& out) {
  std::uniform_real_distribution<double> fill(0.25, 0.35);
  out.Reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!out.Add(RandomFilter(rng, bits, fill(rng))).ok()) std::abort();
  }
}

struct Row {
  std::string kernel;
  double threshold = 0;
  std::size_t threads = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  match::DiceJoinStats stats;
  std::string check;
};

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Print(const Row& r) {
  const double covered = static_cast<double>(r.stats.pairs_covered) / r.seconds;
  const double compared = static_cast<double>(r.stats.pairs_compared) / r.seconds;
  const double cpu = std::max(r.cpu_seconds, 1e-9);
  std::printf(
      "| %4.2f | %-16s | %3zu | %8.3f | %8.3f | %10.3e | %10.3e | %10.3e | %10.3e | %8llu | "
      "%-9s |\n",
      r.threshold, r.kernel.c_str(), r.threads, r.seconds, r.cpu_seconds, covered, compared,
      static_cast<double>(r.stats.pairs_covered) / cpu,
      static_cast<double>(r.stats.pairs_compared) / cpu,
      static_cast<unsigned long long>(r.stats.results), r.check.c_str());
  std::fflush(stdout);
}

}  // namespace

// Reads --filters FILE into a and b (see the top of this file).
bool ReadFilters(const char* path, std::size_t bits, PackedFilters& a, PackedFilters& b) {
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  std::uint32_t counts[2] = {0, 0};
  bool ok = std::fread(counts, sizeof counts, 1, f) == 1;
  std::vector<std::uint64_t> w(bits / 64);
  for (int side = 0; ok && side < 2; ++side) {
    PackedFilters& set = side == 0 ? a : b;
    set.Reserve(counts[side]);
    for (std::uint32_t i = 0; ok && i < counts[side]; ++i) {
      ok = std::fread(w.data(), 8, w.size(), f) == w.size() && set.Add(w).ok();
    }
  }
  std::fclose(f);
  return ok;
}

int main(int argc, char** argv) {
  std::size_t n = 20000, bits = 1024, repeat = 1;
  bool reference = true;
  const char* json = nullptr;
  const char* filters = nullptr;
  std::string only_kernel;
  double only_threshold = -1;
  std::size_t only_threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
      n = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--bits") == 0 && i + 1 < argc) {
      bits = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--no-reference") == 0) {
      reference = false;
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json = argv[++i];
    } else if (std::strcmp(argv[i], "--filters") == 0 && i + 1 < argc) {
      filters = argv[++i];
    } else if (std::strcmp(argv[i], "--kernel") == 0 && i + 1 < argc) {
      only_kernel = argv[++i];
    } else if (std::strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
      only_threshold = std::strtod(argv[++i], nullptr);
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      only_threads = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::max<std::size_t>(1, std::strtoull(argv[++i], nullptr, 10));
    } else {
      std::fprintf(stderr,
                   "usage: dice_join_bench [--n N] [--bits B] [--no-reference] [--json FILE] "
                   "[--filters FILE] [--kernel K] [--threshold T] [--threads N] [--repeat R]\n");
      return 2;
    }
  }
  auto a_or = PackedFilters::Create(bits);
  if (!a_or.ok()) {
    std::fprintf(stderr, "%s\n", a_or.status().ToString().c_str());
    return 2;
  }
  PackedFilters a = *a_or, b = *a_or;
  std::string data;
  if (filters != nullptr) {
    if (!ReadFilters(filters, bits, a, b)) {
      std::fprintf(stderr, "%s: not a file of %zu-bit filters\n", filters, bits);
      return 2;
    }
    data = std::string("read from ") + filters;
  } else {
    std::mt19937_64 rng(20240611);
    Fill(rng, n, bits, a);
    const std::size_t planted = n / 20;
    Fill(rng, n - planted, bits, b);
    std::uniform_int_distribution<std::size_t> pick(0, n - 1), bit(0, bits - 1);
    for (std::size_t i = 0; i < planted; ++i) {
      const auto src = a.Filter(pick(rng));
      std::vector<std::uint64_t> w(src.begin(), src.end());
      for (std::size_t f = 0; f < bits * 3 / 100; ++f) {
        const std::size_t x = bit(rng);
        w[x / 64] ^= std::uint64_t{1} << (x % 64);
      }
      if (!b.Add(w).ok()) std::abort();
    }
    data = "fill 25-35 %, " + std::to_string(planted) + " planted near-duplicates";
  }
  const std::size_t all = std::max(1U, std::thread::hardware_concurrency());
  std::printf(
      "dice join: %zu x %zu filters of %zu bits (%s); "
      "best kernel on this CPU: %s; %zu hardware threads\n",
      a.size(), b.size(), bits, data.c_str(),
      std::string(match::DiceJoinKernelName(match::BestDiceJoinKernel())).c_str(), all);
  std::printf(
      "covered = |A|*|B| pairs (all decided, length-filtered ones included); compared = pairs "
      "the popcount kernel decided after the length filter (|a AND b| computed, with the early "
      "exit possibly over a quarter or half of the words only); /s = per wall second; /cpu-s = per "
      "CPU-second "
      "of the process (all threads): the rate per core; 'full' = early exit off\n");
  std::printf(
      "| t    | kernel           | thr | wall s   | cpu s    | covered/s  | compared/s | "
      "covered/cpu-s | compared/cpu-s | pairs | check |\n");
  std::printf(
      "|------|------------------|-----|----------|----------|------------|------------|"
      "------------|------------|----------|-----------|\n");
  std::vector<Row> rows;
  // Runs one row `repeat` times; keeps the run with the median CPU time.
  auto run = [&](Row& r, const match::DiceJoinOptions& opt, std::vector<DicePair>& got) {
    std::vector<Row> runs;
    for (std::size_t i = 0; i < repeat; ++i) {
      Row x = r;
      const auto start = Clock::now();
      const double cpu_start = CpuSeconds();
      auto result = match::DiceJoin(a, b, opt, &x.stats);
      x.cpu_seconds = CpuSeconds() - cpu_start;
      x.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (!result.ok()) {
        std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
        return false;
      }
      got = std::move(*result);
      runs.push_back(x);
    }
    std::sort(runs.begin(), runs.end(),
              [](const Row& x, const Row& y) { return x.cpu_seconds < y.cpu_seconds; });
    r = runs[runs.size() / 2];
    return true;
  };
  for (double t : {0.7, 0.9}) {
    if (only_threshold >= 0) {
      if (t == 0.9) break;
      t = only_threshold;
    }
    match::DiceJoinOptions opt;
    opt.threshold = t;
    std::vector<DicePair> want;
    bool have_want = false;
    if (reference) {
      opt.kernel = DiceJoinKernel::kReference;
      Row r{"reference", t, 1, 0, 0, {}, "-"};
      if (!run(r, opt, want)) return 1;
      have_want = true;
      Print(r);
      rows.push_back(r);
    }
    // "full": the early exit off, every compared pair counted over all
    // its words.
    const std::pair<DiceJoinKernel, bool> kernels[] = {
        {DiceJoinKernel::kScalar, true},  {DiceJoinKernel::kPopcnt, true},
        {DiceJoinKernel::kPopcnt, false}, {DiceJoinKernel::kAvx2, true},
        {DiceJoinKernel::kAvx2, false},   {DiceJoinKernel::kAvx2Sliced, true},
        {DiceJoinKernel::kAvx512, true}};
    for (const auto& [k, early_exit] : kernels) {
      const std::string name =
          std::string(match::DiceJoinKernelName(k)) + (early_exit ? "" : " full");
      opt.early_exit = early_exit;
      if (!only_kernel.empty() && name != only_kernel) {
        continue;
      }
      if (!match::DiceJoinKernelSupported(k)) {
        std::printf("| %4.2f | %-16s | not supported on this CPU\n", t, name.c_str());
        continue;
      }
      for (std::size_t threads : {std::size_t{1}, all}) {
        if (only_threads != 0) threads = only_threads;
        opt.kernel = k;
        opt.threads = threads;
        Row r{name, t, threads, 0, 0, {}, "-"};
        std::vector<DicePair> got;
        if (!run(r, opt, got)) return 1;
        if (!have_want) {
          want = got;  // no reference: the first row is checked against
          have_want = true;
          r.check = "first row";
        } else {
          r.check = got == want ? "same" : "MISMATCH";
        }
        Print(r);
        rows.push_back(r);
        if (r.check == "MISMATCH") return 1;
        if (all == 1 || only_threads != 0) break;
      }
    }
  }
  if (json != nullptr) {
    std::FILE* f = std::fopen(json, "w");
    if (f == nullptr) return 1;
    std::fprintf(f, "[\n");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::fprintf(f,
                   "  {\"threshold\": %.2f, \"kernel\": \"%s\", \"threads\": %zu, \"seconds\": "
                   "%.6f, \"cpu_seconds\": %.6f, "
                   "\"pairs_covered\": %llu, \"pairs_compared\": %llu, \"pairs\": %llu, "
                   "\"check\": \"%s\"}%s\n",
                   r.threshold, r.kernel.c_str(), r.threads, r.seconds, r.cpu_seconds,
                   static_cast<unsigned long long>(r.stats.pairs_covered),
                   static_cast<unsigned long long>(r.stats.pairs_compared),
                   static_cast<unsigned long long>(r.stats.results), r.check.c_str(),
                   i + 1 < rows.size() ? "," : "");
    }
    std::fprintf(f, "]\n");
    std::fclose(f);
  }
  return 0;
}
