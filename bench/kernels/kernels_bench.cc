// Throughput of the match kernels: string metrics (fast vs naive
// reference), Dice one-vs-many per popcount kernel, Bloom encoding.
// Prints a table; fixed seeds, synthetic name-like data (no records).
//
//   kernels_bench [--filters N]   (default 1,000,000 filters of 1024 bits)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "match/bloom.h"
#include "match/internal/reference.h"
#include "match/string_metrics.h"

namespace {

using kinlink::match::BloomEncoder;
using kinlink::match::BloomFilter;
using kinlink::match::BloomFilterSet;
using kinlink::match::PopcountKernel;
namespace match = kinlink::match;
namespace reference = kinlink::match::reference;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Row(const char* what, const char* variant, double per_second, double checksum) {
  std::printf("| %-34s | %-18s | %14.3e | %12.4g |\n", what, variant, per_second, checksum);
}

// Name-like strings, 4..12 code points, from a skewed alphabet so that
// pairs share letters as real names do.
std::vector<std::u32string> Names(std::size_t count, std::uint32_t seed) {
  static const std::u32string kLetters = U"aaaeeiioouhmdnrlsktbfyz";
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> len(4, 12), pick(0, kLetters.size() - 1);
  std::vector<std::u32string> out(count);
  for (auto& s : out) {
    s.resize(len(rng));
    for (auto& c : s) c = kLetters[pick(rng)];
  }
  return out;
}

template <typename Fn>
double PairsPerSecond(const std::vector<std::u32string>& queries,
                      const std::vector<std::u32string>& texts, double& checksum, Fn fn) {
  const auto start = Clock::now();
  double sum = 0.0;
  for (const auto& q : queries) sum += fn(q, texts);
  const double secs = Seconds(start);
  checksum = sum;
  return static_cast<double>(queries.size() * texts.size()) / secs;
}

void StringMetrics() {
  const auto queries = Names(200, 1);
  const auto texts = Names(5000, 2);
  const std::vector<std::u32string> few_queries(queries.begin(), queries.begin() + 10);
  double c = 0;
  double r = PairsPerSecond(queries, texts, c, [](const auto& q, const auto& all) {
    const match::CachedJaroWinkler cached(q);
    double s = 0;
    for (const auto& t : all) s += cached.Similarity(t);
    return s;
  });
  Row("Jaro-Winkler pairs/s", "cached fast", r, c);
  r = PairsPerSecond(queries, texts, c, [](const auto& q, const auto& all) {
    double s = 0;
    for (const auto& t : all) s += match::JaroWinklerSimilarity(q, t);
    return s;
  });
  Row("Jaro-Winkler pairs/s", "free function", r, c);
  r = PairsPerSecond(few_queries, texts, c, [](const auto& q, const auto& all) {
    double s = 0;
    for (const auto& t : all) s += reference::JaroWinklerSimilarity(q, t);
    return s;
  });
  Row("Jaro-Winkler pairs/s", "naive reference", r, c);
  r = PairsPerSecond(queries, texts, c, [](const auto& q, const auto& all) {
    const match::CachedLevenshtein cached(q);
    double s = 0;
    for (const auto& t : all) s += cached.Similarity(t);
    return s;
  });
  Row("Levenshtein similarity pairs/s", "cached fast", r, c);
  r = PairsPerSecond(queries, texts, c, [](const auto& q, const auto& all) {
    double s = 0;
    for (const auto& t : all) s += match::LevenshteinSimilarity(q, t);
    return s;
  });
  Row("Levenshtein similarity pairs/s", "free function", r, c);
  r = PairsPerSecond(few_queries, texts, c, [](const auto& q, const auto& all) {
    double s = 0;
    for (const auto& t : all) s += reference::LevenshteinSimilarity(q, t);
    return s;
  });
  Row("Levenshtein similarity pairs/s", "naive reference", r, c);
}

void DiceRows(std::size_t filters) {
  constexpr std::size_t kBits = 1024;
  std::mt19937_64 rng(3);
  BloomFilterSet set(kBits);
  set.Reserve(filters);
  BloomFilter f = BloomFilter::Create(kBits).value();
  auto fill = [&](BloomFilter& filter) {
    // About 25% of bits set, like an encoded name field.
    for (auto& w : filter.mutable_words()) w = rng() & rng();
  };
  for (std::size_t i = 0; i < filters; ++i) {
    fill(f);
    if (!set.Add(f).ok()) std::abort();
  }
  BloomFilter query = BloomFilter::Create(kBits).value();
  fill(query);
  std::vector<double> scores(filters);
  for (PopcountKernel k : {PopcountKernel::kScalar, PopcountKernel::kPopcnt,
                           PopcountKernel::kAvx2, PopcountKernel::kAvx512}) {
    const std::string name(match::PopcountKernelName(k));
    if (!match::PopcountKernelSupported(k)) {
      std::printf("| %-34s | %-18s | %14s | %12s |\n", "Dice 1024-bit one-vs-many /s",
                  name.c_str(), "n/a (no CPU)", "-");
      continue;
    }
    double best = 0.0;
    for (int rep = 0; rep < 3; ++rep) {
      const auto start = Clock::now();
      if (!match::DiceMany(query, set, scores, k).ok()) std::abort();
      best = std::max(best, static_cast<double>(filters) / Seconds(start));
    }
    double sum = 0;
    for (double s : scores) sum += s;
    Row("Dice 1024-bit one-vs-many /s", name.c_str(), best, sum);
  }
  // The bit-by-bit reference on a slice, for scale.
  const std::size_t slice = std::min<std::size_t>(filters, 20000);
  const auto start = Clock::now();
  double sum = 0;
  for (std::size_t i = 0; i < slice; ++i) sum += reference::Dice(query.words(), set.FilterWords(i));
  Row("Dice 1024-bit one-vs-many /s", "naive reference", static_cast<double>(slice) / Seconds(start),
      sum);
}

void EncodingRow() {
  if (!kinlink::crypto::Initialize().ok()) std::abort();
  const auto key = kinlink::crypto::SecretBytes::CopyOf(std::string(32, 'b'));
  const BloomEncoder encoder = BloomEncoder::Create(key, {}).value();
  const auto names = Names(20000, 4);
  std::vector<std::string> utf8;
  for (const auto& n : names) utf8.push_back(match::EncodeUtf8(n));
  const auto start = Clock::now();
  double sum = 0;
  for (const auto& n : utf8) {
    // A given name's q-grams plus one whole item (e.g. its skeleton key).
    const std::string_view grams[] = {n};
    const std::string_view whole[] = {std::string_view(n).substr(0, 4)};
    sum += static_cast<double>(encoder.Encode({grams, whole, {}}).value().PopCount());
  }
  Row("Bloom encode records/s (k=20,q=2)", "siphash-128", static_cast<double>(utf8.size()) /
      Seconds(start), sum);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t filters = 1'000'000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--filters") == 0) filters = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::printf("best popcount kernel on this CPU: %s\n",
              std::string(match::PopcountKernelName(match::BestPopcountKernel())).c_str());
  std::printf("| %-34s | %-18s | %14s | %12s |\n", "kernel", "variant", "per second",
              "checksum");
  std::printf("|%s|%s|%s|%s|\n", std::string(36, '-').c_str(), std::string(20, '-').c_str(),
              std::string(16, '-').c_str(), std::string(14, '-').c_str());
  StringMetrics();
  DiceRows(filters);
  EncodingRow();
  return 0;
}
