// Speed of `dedupe` on synthetic records (src/synth: fixed seed, names in
// four scripts, families sharing father and family names, 20% noisy
// duplicates). Prints records/s, candidate comparisons/s, time per stage,
// peak memory and the pairwise quality against the generator's truth.
//
//   build/bench/speed/dedupe_bench [--count N] [--plaintext] [--json]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "linkage/linker.h"
#include "score/cluster.h"
#include "score/evaluate.h"
#include "synth/synth.h"

namespace {

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kinlink;
  long long count = 1'000'000;
  bool plaintext = false;
  bool json = false;
  int show_fp = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--count") && i + 1 < argc) {
      count = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--plaintext")) {
      plaintext = true;
    } else if (!std::strcmp(argv[i], "--show-fp") && i + 1 < argc) {
      show_fp = std::atoi(argv[++i]);  // synthetic records: safe to print
    } else if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else {
      std::fprintf(stderr, "usage: dedupe_bench [--count N] [--plaintext] [--json]\n");
      return 2;
    }
  }
  if (!crypto::Initialize().ok()) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  linkage::Dataset data;
  std::vector<std::uint64_t> entity;
  {
    synth::Options options;
    options.duplicate_rate = 0.2;
    synth::Generator gen(options);
    data.records.reserve(static_cast<std::size_t>(count));
    for (long long i = 0; i < count; ++i) {
      data.records.push_back(gen.Next());
      data.ids.push_back(data.records.back().Get(record::Field::kId));
      entity.push_back(static_cast<std::uint64_t>(gen.entity_of_last()));
    }
  }
  const double gen_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  linkage::LinkOptions options;
  if (const char* f = std::getenv("KL_M_FLOOR")) options.m_floor = std::atof(f);  // tuning
    if (const char* g = std::getenv("KL_M_GIVEN")) options.m_given_different = std::atof(g);
    if (const char* b = std::getenv("KL_MAX_BLOCK")) {
      options.blocking.max_block_records = std::strtoull(b, nullptr, 10);
    }
    options.mode = plaintext ? linkage::Mode::kPlaintext : linkage::Mode::kEncoded;
  auto result = linkage::Dedupe(data, options);
  if (!result.ok()) {
    std::fprintf(stderr, "dedupe_bench: %s\n", result.status().ToString().c_str());
    return 1;
  }
  const linkage::LinkStats& s = result->stats;
  std::vector<score::RecordPair> pairs;
  for (const auto& p : result->pairs) pairs.push_back({p.a, p.b});
  auto metrics = score::EvaluateDedupePairs(pairs, entity);
  auto components = score::ConnectedComponents(data.records.size(), pairs);
  double cluster_f1 = 0;
  if (components.ok()) {
    auto c = score::EvaluateClusters(components->component, entity);
    if (c.ok()) cluster_f1 = c->f1;
  }
  for (std::size_t i = 0; i < result->pairs.size() && show_fp > 0; ++i) {
    const auto& p = result->pairs[i];
    if (entity[p.a] == entity[p.b]) continue;
    --show_fp;
    auto describe = [&](std::uint32_t r) {
      const record::Record& rec = data.records[r];
      return rec.Get(record::Field::kFullName) + " | " + rec.Get(record::Field::kGivenName) + " | " +
             rec.Get(record::Field::kFamilyName) + " | " + rec.Get(record::Field::kFatherName) +
             " | " + rec.Get(record::Field::kBirthDate) + rec.Get(record::Field::kAge) + " | " +
             rec.Get(record::Field::kBirthPlace);
    };
    std::string lv;
    for (auto x : result->levels[i]) lv += std::to_string(x) + " ";
    std::printf("FP p=%.3f levels=%s\n  %s\n  %s\n", p.probability, lv.c_str(),
                describe(p.a).c_str(), describe(p.b).c_str());
  }
  const double peak = PeakRssMiB();
  const double compare_s = s.seconds_scoring;
  if (json) {
    std::printf(
        "{\"records\":%lld,\"mode\":\"%s\",\"seconds\":%.2f,\"records_per_s\":%.0f,"
        "\"candidates\":%llu,\"comparisons_per_s\":%.0f,\"features_s\":%.2f,\"blocking_s\":%.2f,"
        "\"score_s\":%.2f,\"peak_rss_mib\":%.0f,\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,"
        "\"cluster_f1\":%.4f}\n",
        count, plaintext ? "plaintext" : "encoded", s.seconds_total, count / s.seconds_total,
        static_cast<unsigned long long>(s.candidates), s.candidates / compare_s,
        s.seconds_features, s.seconds_blocking, compare_s, peak, metrics->precision,
        metrics->recall, metrics->f1, cluster_f1);
    return 0;
  }
  std::printf("dedupe of %lld synthetic records (%s mode), generated in %.1f s\n", count,
              plaintext ? "plaintext" : "encoded", gen_s);
  std::printf("  %-28s %10.2f s  (%.0f records/s)\n", "total", s.seconds_total,
              count / s.seconds_total);
  std::printf("  %-28s %10.2f s\n", "features + encodings", s.seconds_features);
  std::printf("  %-28s %10.2f s  (%llu candidate pairs)\n", "blocking", s.seconds_blocking,
              static_cast<unsigned long long>(s.candidates));
  std::printf("  %-28s %10.2f s  (%.0f comparisons/s incl. EM and scoring)\n",
              "compare + model + score", compare_s, s.candidates / compare_s);
  std::printf("  %-28s %10.2f s  (%.0f comparisons/s)\n", "  of which compare", s.seconds_compare,
              s.candidates / s.seconds_compare);
  std::printf("  %-28s %10.2f s\n", "  of which model (u, EM)", s.seconds_model);
  std::printf("  %-28s %10.0f MiB\n", "peak memory (RSS)", peak);
  std::printf("  %-28s", "candidates per rule");
  for (std::uint64_t c : s.candidates_per_rule) std::printf(" %llu", static_cast<unsigned long long>(c));
  std::printf("\n");
  std::printf("  %-28s P %.4f  R %.4f  F1 %.4f  (clusters F1 %.4f)\n", "quality vs truth",
              metrics->precision, metrics->recall, metrics->f1, cluster_f1);
  return 0;
}
