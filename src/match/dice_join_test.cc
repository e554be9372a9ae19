// Differential tests of the all-pairs Dice join: every kernel, with 1 and
// many threads, against the naive reference (kReference), on random and
// adversarial inputs; and the exact decision rule on its own.
#include "match/dice_join.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace kinlink::match {
namespace {

std::vector<DiceJoinKernel> FastKernels() {
  std::vector<DiceJoinKernel> out;
  for (auto k : {DiceJoinKernel::kScalar, DiceJoinKernel::kPopcnt, DiceJoinKernel::kAvx2,
                 DiceJoinKernel::kAvx2Sliced, DiceJoinKernel::kAvx512, DiceJoinKernel::kAuto}) {
    if (DiceJoinKernelSupported(k)) out.push_back(k);
  }
  return out;
}

std::vector<std::uint64_t> RandomWords(std::mt19937_64& rng, std::size_t bits, int percent) {
  std::vector<std::uint64_t> w(bits / 64, 0);
  std::uniform_int_distribution<int> pct(0, 99);
  for (std::size_t i = 0; i < bits; ++i) {
    if (pct(rng) < percent) w[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  return w;
}

// n filters with fill drawn from [lo, hi] percent.
PackedFilters RandomSet(std::mt19937_64& rng, std::size_t n, std::size_t bits, int lo, int hi) {
  PackedFilters set = PackedFilters::Create(bits).value();
  std::uniform_int_distribution<int> fill(lo, hi);
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(set.Add(RandomWords(rng, bits, fill(rng))).ok());
  return set;
}

// Copies of filters of `from` with a few bits flipped: near-duplicates.
void AddNearCopies(std::mt19937_64& rng, const PackedFilters& from, std::size_t n,
                   PackedFilters& to) {
  std::uniform_int_distribution<std::size_t> pick(0, from.size() - 1), bit(0, from.bits() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const auto src = from.Filter(pick(rng));
    std::vector<std::uint64_t> w(src.begin(), src.end());
    for (int f = 0; f < 6; ++f) {
      const std::size_t b = bit(rng);
      w[b / 64] ^= std::uint64_t{1} << (b % 64);
    }
    EXPECT_TRUE(to.Add(w).ok());
  }
}

std::vector<DicePair> Join(const PackedFilters& a, const PackedFilters& b, DiceJoinOptions opt) {
  Result<std::vector<DicePair>> r = DiceJoin(a, b, opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<DicePair>{};
}

// Every fast kernel with 1, 3 and 8 threads, with and without the early
// exit, gives exactly the reference's output (same pairs, same dice, same
// order).
void ExpectAllKernelsMatchReference(const PackedFilters& a, const PackedFilters& b,
                                    double threshold, std::size_t top_k = 0) {
  DiceJoinOptions opt;
  opt.threshold = threshold;
  opt.top_k = top_k;
  opt.max_results = kMaxDiceJoinResults;
  opt.kernel = DiceJoinKernel::kReference;
  const std::vector<DicePair> want = Join(a, b, opt);
  for (DiceJoinKernel k : FastKernels()) {
    for (std::size_t threads : {1, 3, 8}) {
      for (bool early_exit : {true, false}) {
        opt.kernel = k;
        opt.threads = threads;
        opt.early_exit = early_exit;
        EXPECT_EQ(Join(a, b, opt), want)
            << DiceJoinKernelName(k) << " threads=" << threads << " t=" << threshold
            << " top_k=" << top_k << " bits=" << a.bits() << " early_exit=" << early_exit;
      }
    }
  }
}

// Bit-by-bit count, straight from the definition.
std::uint32_t Bits(std::span<const std::uint64_t> w) {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < w.size() * 64; ++i) n += (w[i / 64] >> (i % 64)) & 1U;
  return n;
}

TEST(DiceJoinTest, ReferenceAgreesWithBitByBitDefinition) {
  std::mt19937_64 rng(1);
  const PackedFilters a = RandomSet(rng, 20, 256, 5, 60);
  const PackedFilters b = RandomSet(rng, 30, 256, 5, 60);
  for (double t : {0.0, 0.3, 0.5, 0.7, 1.0}) {
    DiceJoinOptions opt;
    opt.threshold = t;
    opt.kernel = DiceJoinKernel::kReference;
    std::vector<DicePair> want;
    for (std::uint32_t i = 0; i < a.size(); ++i) {
      for (std::uint32_t j = 0; j < b.size(); ++j) {
        std::vector<std::uint64_t> both(a.Filter(i).begin(), a.Filter(i).end());
        for (std::size_t w = 0; w < both.size(); ++w) both[w] &= b.Filter(j)[w];
        const std::uint32_t c = Bits(both), s = Bits(a.Filter(i)) + Bits(b.Filter(j));
        // 2c ≥ t·s on exactly representable values: t·s in long double is
        // exact for these t (few mantissa bits) or compared with margin.
        if (DiceReaches(c, s, t)) want.push_back({i, j, s == 0 ? 0.0 : 2.0 * c / s});
      }
    }
    std::sort(want.begin(), want.end(), [](const DicePair& x, const DicePair& y) {
      if (x.a != y.a) return x.a < y.a;
      if (x.dice != y.dice) return x.dice > y.dice;
      return x.b < y.b;
    });
    EXPECT_EQ(Join(a, b, opt), want) << t;
  }
}

TEST(DiceJoinTest, ExactRuleAtTheBoundary) {
  // 2·3/8 = 0.75 exactly: in at 0.75, out one ulp above, in one ulp below.
  EXPECT_TRUE(DiceReaches(3, 8, 0.75));
  EXPECT_FALSE(DiceReaches(3, 8, std::nextafter(0.75, 1.0)));
  EXPECT_TRUE(DiceReaches(3, 8, std::nextafter(0.75, 0.0)));
  // 0.7 as a double is a little below 7/10, so 2·7/20 reaches it; the
  // double nearest 2/3 is below 2/3 (in), its successor above (out).
  EXPECT_TRUE(DiceReaches(7, 20, 0.7));
  EXPECT_TRUE(DiceReaches(1, 3, 2.0 / 3.0));
  EXPECT_FALSE(DiceReaches(1, 3, std::nextafter(2.0 / 3.0, 1.0)));
  // 0.9 as a double is above 9/10: 2·9/20 does not reach it exactly
  // although 2.0·9/20 >= 0.9 holds in floating point.
  EXPECT_FALSE(DiceReaches(9, 20, 0.9));
  EXPECT_TRUE(2.0 * 9 / 20 >= 0.9);
  // t = 1: only equal, non-empty filters.
  EXPECT_TRUE(DiceReaches(5, 10, 1.0));
  EXPECT_FALSE(DiceReaches(4, 9, 1.0));
  // Empty pairs: Dice 0, in only at t = 0.
  EXPECT_TRUE(DiceReaches(0, 0, 0.0));
  EXPECT_FALSE(DiceReaches(0, 0, std::numeric_limits<double>::denorm_min()));
  EXPECT_TRUE(DiceReaches(0, 7, 0.0));
  EXPECT_FALSE(DiceReaches(0, 7, 1e-300));
  EXPECT_TRUE(DiceReaches(1, 65536 * 2, 1e-300));
  EXPECT_TRUE(DiceReaches(1, 131072, 2.0 / 131072));
  EXPECT_FALSE(DiceReaches(1, 131072, std::nextafter(2.0 / 131072, 1.0)));
}

TEST(DiceJoinTest, RandomFiltersEveryKernelAndThreadCount) {
  std::mt19937_64 rng(2);
  for (std::size_t bits : {1024, 512}) {
    const PackedFilters a = RandomSet(rng, 150, bits, 20, 40);
    PackedFilters b = RandomSet(rng, 230, bits, 20, 40);
    AddNearCopies(rng, a, 40, b);
    for (double t : {0.0, 0.3, 0.5, 0.7, 0.9, 1.0}) {
      ExpectAllKernelsMatchReference(a, b, t);
      ExpectAllKernelsMatchReference(a, b, t, 3);
    }
  }
}

// The early exit bounds what the rest of a pair can add by
// min(|a_rest|, |b_rest|), after the first quarter and after the first
// half. Filters whose quarters have very different densities, and partners
// that copy some of their quarters, test those bounds at their tightest (a
// pair that reaches t only through its last words).
TEST(DiceJoinTest, EarlyExitWithLopsidedQuarters) {
  std::mt19937_64 rng(9);
  for (std::size_t bits : {512, 1024}) {
    PackedFilters a = PackedFilters::Create(bits).value();
    PackedFilters b = PackedFilters::Create(bits).value();
    const std::size_t quarter = bits / 256;  // words per quarter
    auto lopsided = [&] {
      std::vector<std::uint64_t> w(bits / 64);
      for (std::size_t q = 0; q < 4; ++q) {
        const std::vector<std::uint64_t> part =
            RandomWords(rng, bits, static_cast<int>(rng() % 70));
        std::copy_n(part.begin(), quarter, w.begin() + static_cast<std::ptrdiff_t>(q * quarter));
      }
      return w;
    };
    for (int i = 0; i < 150; ++i) {
      const std::vector<std::uint64_t> w = lopsided();
      ASSERT_TRUE(a.Add(w).ok());
      // Its partner: some quarters copied, the others its own.
      std::vector<std::uint64_t> v = lopsided();
      for (std::size_t q = 0; q < 4; ++q) {
        if (rng() % 2 == 0) continue;
        std::copy_n(w.begin() + static_cast<std::ptrdiff_t>(q * quarter), quarter,
                    v.begin() + static_cast<std::ptrdiff_t>(q * quarter));
      }
      ASSERT_TRUE(b.Add(v).ok());
    }
    for (double t : {0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95}) ExpectAllKernelsMatchReference(a, b, t);
  }
}

// Subsets and supersets of a filter make the early-exit bounds exact: for
// b ⊆ a, |a∧b| over the rest of the words is exactly min(|a_rest|,
// |b_rest|). With thresholds placed on such pairs' Dice, a bound that is off
// by one in either direction changes the output.
TEST(DiceJoinTest, EarlyExitBoundsAreTight) {
  std::mt19937_64 rng(10);
  for (std::size_t bits : {512, 1024}) {
    const PackedFilters a = RandomSet(rng, 30, bits, 25, 35);
    PackedFilters b = PackedFilters::Create(bits).value();
    std::uniform_int_distribution<std::size_t> bit(0, bits - 1);
    std::vector<double> thresholds = {0.9, 0.95, 0.98, 1.0};
    for (std::size_t i = 0; i < a.size(); ++i) {
      for (std::size_t changed = 0; changed < 12; ++changed) {
        std::vector<std::uint64_t> w(a.Filter(i).begin(), a.Filter(i).end());
        const bool superset = changed >= 6;
        for (std::size_t k = 0; k < changed % 6; ++k) {
          const std::size_t x = bit(rng);
          if (superset) {
            w[x / 64] |= std::uint64_t{1} << (x % 64);
          } else {
            w[x / 64] &= ~(std::uint64_t{1} << (x % 64));
          }
        }
        ASSERT_TRUE(b.Add(w).ok());
        if (i % 7 == 0) {
          std::uint32_t both = 0, ones = 0;
          for (std::size_t k = 0; k < w.size(); ++k) {
            both += static_cast<std::uint32_t>(std::popcount(w[k] & a.Filter(i)[k]));
            ones += static_cast<std::uint32_t>(std::popcount(w[k]));
          }
          const double d = 2.0 * both / (ones + a.popcount(i));
          thresholds.push_back(d);
          thresholds.push_back(std::nextafter(d, 0.0));
        }
      }
    }
    for (double t : thresholds) ExpectAllKernelsMatchReference(a, b, t);
  }
}

// The early exit is tried or not per row, from how often it stopped so
// far (Adaptive in dice_join.cc): runs of partners that stop early and runs
// that must be counted to the end, in every length, switch it on and off
// anywhere within and across tiles. Every filter has the same popcount, so
// sorted B keeps the order given here.
TEST(DiceJoinTest, EarlyExitSwitchesOnAndOffAlongARow) {
  std::mt19937_64 rng(11);
  for (std::size_t bits : {512, 1024}) {
    const std::size_t ones = bits * 3 / 8;
    // A filter with exactly `ones` bits set.
    auto exact = [&] {
      std::vector<std::size_t> pos(bits);
      for (std::size_t i = 0; i < bits; ++i) pos[i] = i;
      std::shuffle(pos.begin(), pos.end(), rng);
      std::vector<std::uint64_t> w(bits / 64, 0);
      for (std::size_t i = 0; i < ones; ++i) w[pos[i] / 64] |= std::uint64_t{1} << (pos[i] % 64);
      return w;
    };
    // `from` with `moves` set bits moved to clear positions: same popcount.
    auto moved = [&](std::vector<std::uint64_t> w, std::size_t moves) {
      std::uniform_int_distribution<std::size_t> bit(0, bits - 1);
      for (std::size_t m = 0; m < moves; ++m) {
        std::size_t on = bit(rng), off = bit(rng);
        while (((w[on / 64] >> (on % 64)) & 1U) == 0) on = bit(rng);
        while (((w[off / 64] >> (off % 64)) & 1U) != 0) off = bit(rng);
        w[on / 64] &= ~(std::uint64_t{1} << (on % 64));
        w[off / 64] |= std::uint64_t{1} << (off % 64);
      }
      return w;
    };
    PackedFilters a = PackedFilters::Create(bits).value();
    PackedFilters b = PackedFilters::Create(bits).value();
    std::vector<std::vector<std::uint64_t>> rows;
    for (int i = 0; i < 6; ++i) {
      rows.push_back(exact());
      ASSERT_TRUE(a.Add(rows.back()).ok());
    }
    std::uniform_int_distribution<std::size_t> run(1, 90);
    bool close = false;
    while (b.size() < 1500) {
      const std::size_t length = run(rng);
      for (std::size_t k = 0; k < length; ++k) {
        // Close partners of one row (Dice 0.6 to 1) or unrelated filters
        // (Dice about 0.375).
        const std::vector<std::uint64_t> w =
            close ? moved(rows[rng() % rows.size()], rng() % (ones / 5)) : exact();
        ASSERT_TRUE(b.Add(w).ok());
      }
      close = !close;
    }
    for (double t : {0.5, 0.7, 0.8, 0.9, 0.97}) ExpectAllKernelsMatchReference(a, b, t);
  }
}

// The AVX2 kernel checks the early exit eight filters at a time and counts
// the last few in full: a pair exactly at t, whose bound after the first
// half is exact (its second half is a's, so Σ_w min(a_w, b_w) over it is
// the count), is placed at every position of such a run, among filters
// that stop early.
// Every filter has the same popcount, so sorted B keeps the order given.
TEST(DiceJoinTest, EarlyExitAtTheBoundaryInEveryLane) {
  std::mt19937_64 rng(12);
  for (std::size_t bits : {512, 1024}) {
    const std::size_t words = bits / 64, ones = bits * 3 / 8;
    auto exact = [&] {
      std::vector<std::size_t> pos(bits);
      for (std::size_t i = 0; i < bits; ++i) pos[i] = i;
      std::shuffle(pos.begin(), pos.end(), rng);
      std::vector<std::uint64_t> w(words, 0);
      for (std::size_t i = 0; i < ones; ++i) w[pos[i] / 64] |= std::uint64_t{1} << (pos[i] % 64);
      return w;
    };
    PackedFilters a = PackedFilters::Create(bits).value();
    const std::vector<std::uint64_t> row = exact();
    ASSERT_TRUE(a.Add(row).ok());
    // The partner: `row` with 3 set bits of its first half moved to clear
    // positions of the first half, so its second half is row's and the
    // bound after the first half, c + min(|a₂|, |b₂|), is its exact count.
    std::vector<std::uint64_t> partner = row;
    for (int m = 0; m < 3; ++m) {
      std::size_t on = rng() % (bits / 2), off = rng() % (bits / 2);
      while (((partner[on / 64] >> (on % 64)) & 1U) == 0) on = rng() % (bits / 2);
      while (((row[off / 64] >> (off % 64)) & 1U) != 0 ||
             ((partner[off / 64] >> (off % 64)) & 1U) != 0) {
        off = rng() % (bits / 2);
      }
      partner[on / 64] &= ~(std::uint64_t{1} << (on % 64));
      partner[off / 64] |= std::uint64_t{1} << (off % 64);
    }
    const double dice = 2.0 * static_cast<double>(ones - 3) / static_cast<double>(2 * ones);
    std::vector<std::vector<std::uint64_t>> others;
    for (int i = 0; i < 37; ++i) others.push_back(exact());
    // One partner at every position; then two, three positions apart, so
    // that a group of eight has two filters still alive after its first
    // half (counted one by one).
    for (std::size_t partners : {1U, 2U}) {
      for (std::size_t position = 0; position < 37; ++position) {
        const std::size_t second = partners == 2 ? (position + 3) % 37 : position;
        PackedFilters b = PackedFilters::Create(bits).value();
        for (std::size_t i = 0; i < 37; ++i) {
          ASSERT_TRUE(b.Add(i == position || i == second ? partner : others[i]).ok());
        }
        for (double t : {dice, std::nextafter(dice, 1.0)}) {
          ExpectAllKernelsMatchReference(a, b, t);
          DiceJoinOptions opt;
          opt.threshold = t;
          opt.kernel = DiceJoinKernel::kReference;
          EXPECT_EQ(Join(a, b, opt).size(), t == dice ? partners : 0U) << position;
        }
      }
    }
  }
}

TEST(DiceJoinTest, LengthsFrom64To4096) {
  std::mt19937_64 rng(3);
  for (std::size_t bits : {64, 128, 192, 256, 320, 448, 960, 1088, 2048, 4096}) {
    PackedFilters a = RandomSet(rng, 37, bits, 1, 60);
    PackedFilters b = RandomSet(rng, 61, bits, 1, 60);
    AddNearCopies(rng, b, 10, a);
    for (double t : {0.0, 0.5, 0.8, 1.0}) ExpectAllKernelsMatchReference(a, b, t);
    ExpectAllKernelsMatchReference(a, b, 0.6, 2);
  }
}

TEST(DiceJoinTest, AdversarialFilters) {
  for (std::size_t bits : {64, 512, 1024}) {
    PackedFilters a = PackedFilters::Create(bits).value();
    std::vector<std::uint64_t> zeros(bits / 64, 0), ones(bits / 64, ~std::uint64_t{0});
    for (int rep = 0; rep < 3; ++rep) {
      ASSERT_TRUE(a.Add(zeros).ok());
      ASSERT_TRUE(a.Add(ones).ok());
    }
    for (std::size_t bit : {std::size_t{0}, std::size_t{63}, bits / 2, bits - 1}) {
      std::vector<std::uint64_t> single(bits / 64, 0);
      single[bit / 64] |= std::uint64_t{1} << (bit % 64);
      ASSERT_TRUE(a.Add(single).ok());
      single[0] |= 1;  // one or two bits
      ASSERT_TRUE(a.Add(single).ok());
    }
    const PackedFilters& b = a;
    for (double t : {0.0, std::numeric_limits<double>::denorm_min(), 0.5, 2.0 / 3.0, 0.9,
                     std::nextafter(1.0, 0.0), 1.0}) {
      ExpectAllKernelsMatchReference(a, b, t);
      ExpectAllKernelsMatchReference(a, b, t, 1);
    }
  }
}

// Pairs built so that 2c/(pa+pb) sits exactly on, just above or just below
// the threshold's double: the one place where a float comparison and the
// exact rule can differ.
TEST(DiceJoinTest, ThresholdExactlyOnAPairsDice) {
  constexpr std::size_t kBits = 1024;
  std::mt19937_64 rng(4);
  PackedFilters a = PackedFilters::Create(kBits).value();
  PackedFilters b = PackedFilters::Create(kBits).value();
  // a_i has the first pa bits set; b_j shares c of them and adds extra bits.
  std::vector<std::uint64_t> w(kBits / 64);
  auto set_range = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) w[i / 64] |= std::uint64_t{1} << (i % 64);
  };
  for (std::size_t pa : {30, 300, 301}) {
    std::fill(w.begin(), w.end(), 0);
    set_range(0, pa);
    ASSERT_TRUE(a.Add(w).ok());
  }
  for (std::size_t c : {27, 29, 270, 280, 290}) {
    for (std::size_t extra : {0, 1, 3, 20, 33}) {
      std::fill(w.begin(), w.end(), 0);
      set_range(0, c);
      set_range(600, 600 + extra);
      ASSERT_TRUE(b.Add(w).ok());
    }
  }
  std::vector<double> thresholds;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < b.size(); ++j) {
      std::uint32_t both = 0;
      for (std::size_t k = 0; k < kBits / 64; ++k) {
        both += static_cast<std::uint32_t>(std::popcount(a.Filter(i)[k] & b.Filter(j)[k]));
      }
      const double d = 2.0 * both / (a.popcount(i) + b.popcount(j));
      thresholds.push_back(d);
      thresholds.push_back(std::nextafter(d, 0.0));
      thresholds.push_back(std::nextafter(d, 1.0));
    }
  }
  std::shuffle(thresholds.begin(), thresholds.end(), rng);
  thresholds.resize(24);
  for (double t : thresholds) {
    if (t > 1.0) continue;
    ExpectAllKernelsMatchReference(a, b, t);
  }
}

TEST(DiceJoinTest, TopKBreaksTiesByLowerIndexInB) {
  std::mt19937_64 rng(5);
  PackedFilters a = RandomSet(rng, 5, 1024, 30, 30);
  PackedFilters b = PackedFilters::Create(1024).value();
  // Ten identical copies of each filter of A: every row has ten equal best.
  for (int copy = 0; copy < 10; ++copy) {
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(b.Add(a.Filter(i)).ok());
  }
  for (std::size_t k : {1, 3, 10, 11}) ExpectAllKernelsMatchReference(a, b, 0.2, k);
  DiceJoinOptions opt;
  opt.threshold = 0.5;
  opt.top_k = 3;
  const std::vector<DicePair> got = Join(a, b, opt);
  ASSERT_EQ(got.size(), 15u);
  for (std::uint32_t i = 0; i < 5; ++i) {
    for (std::uint32_t r = 0; r < 3; ++r) {
      EXPECT_EQ(got[i * 3 + r], (DicePair{i, i + 5 * r, 1.0}));
    }
  }
}

TEST(DiceJoinTest, EmptySets) {
  std::mt19937_64 rng(6);
  const PackedFilters empty = PackedFilters::Create(1024).value();
  const PackedFilters some = RandomSet(rng, 10, 1024, 30, 30);
  for (double t : {0.0, 0.8}) {
    ExpectAllKernelsMatchReference(empty, some, t);
    ExpectAllKernelsMatchReference(some, empty, t);
    ExpectAllKernelsMatchReference(empty, empty, t);
    DiceJoinStats stats;
    DiceJoinOptions opt;
    opt.threshold = t;
    ASSERT_TRUE(DiceJoin(empty, some, opt, &stats).ok());
    EXPECT_EQ(stats.pairs_covered, 0u);
    EXPECT_EQ(stats.results, 0u);
  }
}

TEST(DiceJoinTest, LengthFilterSkipsUnreachablePairs) {
  std::mt19937_64 rng(7);
  const PackedFilters a = RandomSet(rng, 200, 1024, 2, 60);
  const PackedFilters b = RandomSet(rng, 300, 1024, 2, 60);
  DiceJoinOptions opt;
  opt.threshold = 0.9;
  DiceJoinStats stats;
  ASSERT_TRUE(DiceJoin(a, b, opt, &stats).ok());
  EXPECT_EQ(stats.pairs_covered, 200u * 300u);
  EXPECT_EQ(stats.kernel, BestDiceJoinKernel());
  opt.kernel = DiceJoinKernel::kScalar;  // one row at a time
  ASSERT_TRUE(DiceJoin(a, b, opt, &stats).ok());
  EXPECT_LT(stats.pairs_compared, stats.pairs_covered / 4);
  opt.threshold = 0.0;
  opt.max_results = kMaxDiceJoinResults;
  ASSERT_TRUE(DiceJoin(a, b, opt, &stats).ok());
  EXPECT_EQ(stats.pairs_compared, stats.pairs_covered);
  EXPECT_EQ(stats.results, 200u * 300u);
}

// The bit-sliced kernel counts 256 rows of A at once, so its length filter
// works on blocks: it pays when A is large enough for a block's popcounts
// to be close (sorted A), and a filter of B out of reach of a whole block
// is skipped.
TEST(DiceJoinTest, SlicedKernelSkipsFiltersOutOfReachOfABlock) {
  if (!DiceJoinKernelSupported(DiceJoinKernel::kAvx2Sliced)) GTEST_SKIP() << "no AVX2";
  std::mt19937_64 rng(17);
  const PackedFilters a = RandomSet(rng, 2560, 1024, 2, 60);
  const PackedFilters b = RandomSet(rng, 300, 1024, 2, 60);
  DiceJoinOptions opt;
  opt.threshold = 0.9;
  opt.kernel = DiceJoinKernel::kAvx2Sliced;
  DiceJoinStats stats;
  const std::vector<DicePair> got = Join(a, b, opt);
  ASSERT_TRUE(DiceJoin(a, b, opt, &stats).ok());
  EXPECT_EQ(stats.kernel, DiceJoinKernel::kAvx2Sliced);
  EXPECT_LT(stats.pairs_compared, stats.pairs_covered / 2);
  opt.kernel = DiceJoinKernel::kReference;
  EXPECT_EQ(got, Join(a, b, opt));
}

// Every count the sliced kernel can hold: popcounts of B from 0 to all
// ones (so every number of high bit planes, 0 to 8 at 2048 bits), a full
// block of 256 rows and a part block, t = 0 (every pair, so every count
// is checked through its dice) and the exact boundary cases.
TEST(DiceJoinTest, SlicedKernelEveryPlaneCountAndLane) {
  if (!DiceJoinKernelSupported(DiceJoinKernel::kAvx2Sliced)) GTEST_SKIP() << "no AVX2";
  std::mt19937_64 rng(18);
  for (std::size_t bits : {64, 1024, 2048}) {
    const PackedFilters a = RandomSet(rng, 300, bits, 0, 100);
    PackedFilters b = RandomSet(rng, 120, bits, 0, 100);
    const std::vector<std::uint64_t> none(bits / 64, 0), all(bits / 64, ~std::uint64_t{0});
    ASSERT_TRUE(b.Add(none).ok());
    ASSERT_TRUE(b.Add(all).ok());
    AddNearCopies(rng, a, 40, b);
    for (double t : {0.0, 0.5, 0.8, 1.0}) {
      for (std::size_t top_k : {0, 3}) {
        for (std::size_t threads : {1, 3}) {
          DiceJoinOptions opt;
          opt.threshold = t;
          opt.top_k = top_k;
          opt.threads = threads;
          opt.max_results = kMaxDiceJoinResults;
          opt.kernel = DiceJoinKernel::kReference;
          const std::vector<DicePair> want = Join(a, b, opt);
          opt.kernel = DiceJoinKernel::kAvx2Sliced;
          DiceJoinStats stats;
          const Result<std::vector<DicePair>> got = DiceJoin(a, b, opt, &stats);
          ASSERT_TRUE(got.ok());
          EXPECT_EQ(*got, want) << "bits=" << bits << " t=" << t << " top_k=" << top_k
                                << " threads=" << threads;
          EXPECT_EQ(stats.kernel, DiceJoinKernel::kAvx2Sliced);
        }
      }
    }
  }
}

TEST(DiceJoinTest, SlicedKernelLeavesLongFiltersToAvx2) {
  if (!DiceJoinKernelSupported(DiceJoinKernel::kAvx2Sliced)) GTEST_SKIP() << "no AVX2";
  std::mt19937_64 rng(19);
  const PackedFilters a = RandomSet(rng, 30, 2048 + 64, 10, 50);
  PackedFilters b = RandomSet(rng, 30, 2048 + 64, 10, 50);
  AddNearCopies(rng, a, 10, b);
  DiceJoinOptions opt;
  opt.threshold = 0.7;
  opt.kernel = DiceJoinKernel::kAvx2Sliced;
  DiceJoinStats stats;
  const Result<std::vector<DicePair>> got = DiceJoin(a, b, opt, &stats);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(stats.kernel, DiceJoinKernel::kAvx2);
  opt.kernel = DiceJoinKernel::kReference;
  EXPECT_EQ(*got, Join(a, b, opt));
}

TEST(DiceJoinTest, BadInputIsInvalidArgument) {
  EXPECT_EQ(PackedFilters::Create(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PackedFilters::Create(100).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PackedFilters::Create(kMaxDiceJoinBits + 64).status().code(),
            StatusCode::kInvalidArgument);
  PackedFilters a = PackedFilters::Create(128).value();
  const std::vector<std::uint64_t> three(3, 0);
  EXPECT_EQ(a.Add(three).code(), StatusCode::kInvalidArgument);
  const PackedFilters b = PackedFilters::Create(256).value();
  const PackedFilters a2 = PackedFilters::Create(128).value();

  EXPECT_EQ(DiceJoin(a2, b).status().code(), StatusCode::kInvalidArgument);
  DiceJoinOptions opt;
  for (double t : {-0.1, 1.1, std::nan(""), std::numeric_limits<double>::infinity()}) {
    opt.threshold = t;
    const Status s = DiceJoin(a2, a2, opt).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("threshold"), std::string::npos);
  }
  opt = {};
  opt.top_k = kMaxDiceJoinTopK + 1;
  EXPECT_EQ(DiceJoin(a2, a2, opt).status().code(), StatusCode::kInvalidArgument);
  opt = {};
  opt.threads = kMaxDiceJoinThreads + 1;
  EXPECT_EQ(DiceJoin(a2, a2, opt).status().code(), StatusCode::kInvalidArgument);
  opt = {};
  opt.max_results = kMaxDiceJoinResults + 1;
  EXPECT_EQ(DiceJoin(a2, a2, opt).status().code(), StatusCode::kInvalidArgument);
  if (!DiceJoinKernelSupported(DiceJoinKernel::kAvx512)) {
    opt = {};
    opt.kernel = DiceJoinKernel::kAvx512;
    EXPECT_EQ(DiceJoin(a2, a2, opt).status().code(), StatusCode::kFailedPrecondition);
  }
}

TEST(DiceJoinTest, TooManyResultsIsResourceExhausted) {
  std::mt19937_64 rng(8);
  const PackedFilters a = RandomSet(rng, 40, 512, 30, 30);
  for (DiceJoinKernel k : {DiceJoinKernel::kReference, DiceJoinKernel::kAuto}) {
    for (std::size_t threads : {1, 4}) {
      DiceJoinOptions opt;
      opt.threshold = 0.0;
      opt.max_results = 1599;  // 40·40 needed
      opt.kernel = k;
      opt.threads = threads;
      EXPECT_EQ(DiceJoin(a, a, opt).status().code(), StatusCode::kResourceExhausted);
      opt.max_results = 1600;
      EXPECT_TRUE(DiceJoin(a, a, opt).ok());
    }
  }
}

TEST(DiceJoinTest, KernelNamesAndSupport) {
  EXPECT_TRUE(DiceJoinKernelSupported(DiceJoinKernel::kReference));
  EXPECT_TRUE(DiceJoinKernelSupported(DiceJoinKernel::kScalar));
  EXPECT_TRUE(DiceJoinKernelSupported(BestDiceJoinKernel()));
  EXPECT_EQ(DiceJoinKernelName(DiceJoinKernel::kAvx2), "avx2");
  EXPECT_EQ(DiceJoinKernelName(DiceJoinKernel::kAvx2Sliced), "avx2-sliced");
  EXPECT_EQ(DiceJoinKernelName(DiceJoinKernel::kReference), "reference");
  EXPECT_EQ(DiceJoinKernelSupported(DiceJoinKernel::kAvx2Sliced),
            DiceJoinKernelSupported(DiceJoinKernel::kAvx2));
}

}  // namespace
}  // namespace kinlink::match
