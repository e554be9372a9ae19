// Search latency inside a registry: N synthetic persons (synth::Generator)
// imported into a fresh registry (timed), then Q searches with noisy
// queries derived from registered records (a letter dropped from the given
// name, the birth year only, sex), each a full Registry::Search: blocking
// tokens, encoded comparison, scoring, the audit entry, and decryption of
// the names of the results. Prints the import time, p50/p90/p99 latency,
// searches/s, recall@1 and recall@10 of the true record, peak memory.
//
//   build/bench/search/search_bench [--count N] [--queries Q] [--seed S]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/registry.h"
#include "formats/csv.h"
#include "synth/synth.h"

namespace {

using namespace kinlink;
using Clock = std::chrono::steady_clock;

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "search_bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

// Drops one code point (not the first) of an ASCII-or-UTF-8 name.
std::string DropLetter(const std::string& s, std::uint64_t r) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  if (starts.size() < 4) return s;
  std::size_t k = 1 + r % (starts.size() - 1);
  std::size_t end = k + 1 < starts.size() ? starts[k + 1] : s.size();
  return s.substr(0, starts[k]) + s.substr(end);
}

}  // namespace

int main(int argc, char** argv) {
  long long count = 1'000'000;
  long long queries = 1000;
  unsigned long long seed = 20261128;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--count") && i + 1 < argc) {
      count = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc) {
      queries = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: search_bench [--count N] [--queries Q] [--seed S]\n");
      return 2;
    }
  }
  if (count < 1 || queries < 1) return 2;
  if (Status s = crypto::Initialize(); !s.ok()) Die(s);
  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "kinlink-search-XXXXXX").string();
  const std::string dir = ::mkdtemp(tmpl.data());
  const std::string csv = dir + "/persons.csv";

  // Every (count / queries)-th record becomes a query.
  const long long stride = std::max(1LL, count / queries);
  std::vector<record::Record> sampled;
  {
    synth::Options options;
    options.seed = seed;
    synth::Generator gen(options);
    std::ofstream out(csv, std::ios::binary);
    formats::RecordCsvWriter writer(out, record::Kind::kPerson);
    for (long long i = 0; i < count; ++i) {
      record::Record r = gen.Next();
      if (i % stride == 0 && static_cast<long long>(sampled.size()) < queries) sampled.push_back(r);
      writer.Write(r);
    }
  }

  auto reg = engine::Registry::Create(dir + "/registry", engine::KeySource::KeyFile(dir + "/key"),
                                      {}, "bench");
  if (!reg.ok()) Die(reg.status());
  engine::ImportRequest request;
  request.path = csv;
  auto t = Clock::now();
  auto summary = (*reg)->Import(request, nullptr);
  const double import_s = std::chrono::duration<double>(Clock::now() - t).count();
  if (!summary.ok()) Die(summary.status());

  std::vector<double> ms;
  long long at1 = 0;
  long long at10 = 0;
  std::uint64_t rnd = seed;
  const auto all_start = Clock::now();
  for (const record::Record& r : sampled) {
    rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
    engine::SearchQuery q;
    q.top = 10;
    q.record.Set(record::Field::kGivenName, DropLetter(r.Get(record::Field::kGivenName), rnd >> 33));
    q.record.Set(record::Field::kFamilyName, r.Get(record::Field::kFamilyName));
    if (q.record.Get(record::Field::kGivenName).empty() &&
        q.record.Get(record::Field::kFamilyName).empty()) {
      q.record.Set(record::Field::kFullName, r.Get(record::Field::kFullName));
    }
    const std::string& born = r.Get(record::Field::kBirthDate);
    if (born.size() >= 4) q.record.Set(record::Field::kBirthDate, born.substr(0, 4));
    q.record.Set(record::Field::kSex, r.Get(record::Field::kSex));
    const auto s = Clock::now();
    auto hits = (*reg)->Search(q);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
    if (!hits.ok()) Die(hits.status());
    const std::string& want = r.Get(record::Field::kId);
    for (std::size_t i = 0; i < hits->size(); ++i) {
      if ((*hits)[i].source_id != want) continue;
      if (i == 0) ++at1;
      ++at10;
      break;
    }
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - all_start).count();
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms.size())))];
  };
  const double n = static_cast<double>(ms.size());
  std::printf("registry: %lld persons, import %.1f s (%.0f records/s), %.1f MiB on disk\n", count,
              import_s, static_cast<double>(count) / import_s,
              static_cast<double>(fs::file_size(dir + "/registry/registry.db")) / 1048576.0);
  std::printf("search: %zu queries, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f/s\n",
              ms.size(), pct(0.50), pct(0.90), pct(0.99), ms.back(), n / total_s);
  std::printf("recall@1 %.3f, recall@10 %.3f\n", static_cast<double>(at1) / n,
              static_cast<double>(at10) / n);
  std::printf("peak memory %.0f MiB\n", PeakRssMiB());
  reg->reset();
  fs::remove_all(dir);
  return 0;
}
