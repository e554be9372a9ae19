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
// thread), then scalar, POPCNT, AVX2, AVX-512 with the length filter,
// tiling and threads; "full" rows have the early exit off (every compared
// pair counted over all 1024 bits).
// Seconds are wall time of the whole DiceJoin call: sorting B by popcount,
// the plan, the kernel, collecting and sorting the results.
//
//   dice_join_bench [--n N] [--bits B] [--no-reference] [--json FILE]
#include <time.h>

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

int main(int argc, char** argv) {
  std::size_t n = 20000, bits = 1024;
  bool reference = true;
  const char* json = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
      n = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--bits") == 0 && i + 1 < argc) {
      bits = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--no-reference") == 0) {
      reference = false;
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: dice_join_bench [--n N] [--bits B] [--no-reference] [--json FILE]\n");
      return 2;
    }
  }
  auto a_or = PackedFilters::Create(bits);
  if (!a_or.ok()) {
    std::fprintf(stderr, "%s\n", a_or.status().ToString().c_str());
    return 2;
  }
  PackedFilters a = *a_or, b = *a_or;
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
  const std::size_t all = std::max(1U, std::thread::hardware_concurrency());
  std::printf(
      "dice join: %zu x %zu filters of %zu bits (fill 25-35 %%, %zu planted near-duplicates); "
      "best kernel on this CPU: %s; %zu hardware threads\n",
      a.size(), b.size(), bits, planted,
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
  for (double t : {0.7, 0.9}) {
    match::DiceJoinOptions opt;
    opt.threshold = t;
    std::vector<DicePair> want;
    bool have_want = false;
    if (reference) {
      opt.kernel = DiceJoinKernel::kReference;
      Row r{"reference", t, 1, 0, 0, {}, "-"};
      const auto start = Clock::now();
      const double cpu_start = CpuSeconds();
      auto got = match::DiceJoin(a, b, opt, &r.stats);
      r.cpu_seconds = CpuSeconds() - cpu_start;
      r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (!got.ok()) {
        std::fprintf(stderr, "%s\n", got.status().ToString().c_str());
        return 1;
      }
      want = std::move(*got);
      have_want = true;
      Print(r);
      rows.push_back(r);
    }
    // "full": the early exit off, every compared pair counted over all
    // its words.
    const std::pair<DiceJoinKernel, bool> kernels[] = {
        {DiceJoinKernel::kScalar, true},  {DiceJoinKernel::kPopcnt, true},
        {DiceJoinKernel::kPopcnt, false}, {DiceJoinKernel::kAvx2, true},
        {DiceJoinKernel::kAvx2, false},   {DiceJoinKernel::kAvx512, true}};
    for (const auto& [k, early_exit] : kernels) {
      const std::string name =
          std::string(match::DiceJoinKernelName(k)) + (early_exit ? "" : " full");
      opt.early_exit = early_exit;
      if (!match::DiceJoinKernelSupported(k)) {
        std::printf("| %4.2f | %-16s | not supported on this CPU\n", t, name.c_str());
        continue;
      }
      for (std::size_t threads : {std::size_t{1}, all}) {
        if (threads == all && all == 1 && threads != 1) continue;
        opt.kernel = k;
        opt.threads = threads;
        Row r{name, t, threads, 0, 0, {}, "-"};
        const auto start = Clock::now();
        const double cpu_start = CpuSeconds();
        auto got = match::DiceJoin(a, b, opt, &r.stats);
        r.cpu_seconds = CpuSeconds() - cpu_start;
        r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (!got.ok()) {
          std::fprintf(stderr, "%s\n", got.status().ToString().c_str());
          return 1;
        }
        if (!have_want) {
          want = *got;  // no reference: the first row is checked against
          have_want = true;
          r.check = "first row";
        } else {
          r.check = *got == want ? "same" : "MISMATCH";
        }
        Print(r);
        rows.push_back(r);
        if (r.check == "MISMATCH") return 1;
        if (all == 1) break;
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
