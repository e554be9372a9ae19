// Import throughput: synthetic records (fixed seed) written to a CSV, then
//   1. read + validate only (formats::RecordReader),
//   2. the full `Registry::Import` into a fresh SQLite registry, in its two
//      phases: storing (one transaction: read, validate, encrypt, keyed
//      tokens, audit; one core) and then the matching index (decrypt in
//      memory, encodings, blocking tokens, matching; batches, two threads),
//   3. serialise + seal + wrap only (the crypto per record).
// Prints records/s for each and the process's peak memory.
//
//   build/bench/import_bench [--count N] [--seed S] [--json]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/registry.h"
#include "formats/csv.h"
#include "synth/synth.h"

namespace {

using namespace kinlink;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "import_bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  long long count = 1'000'000;
  unsigned long long seed = 20261128;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--count") && i + 1 < argc) {
      count = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else {
      std::fprintf(stderr, "usage: import_bench [--count N] [--seed S] [--json]\n");
      return 2;
    }
  }
  if (Status s = crypto::Initialize(); !s.ok()) Die(s);

  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "kinlink-bench-XXXXXX").string();
  const std::string dir = ::mkdtemp(tmpl.data());
  const std::string csv = dir + "/synthetic.csv";

  // Generate.
  auto t = Clock::now();
  {
    synth::Options options;
    options.seed = seed;
    synth::Generator gen(options);
    std::ofstream out(csv, std::ios::binary);
    formats::RecordCsvWriter writer(out, record::Kind::kPerson);
    for (long long i = 0; i < count; ++i) writer.Write(gen.Next());
  }
  const double gen_s = Seconds(t);
  const double csv_mib = static_cast<double>(fs::file_size(csv)) / (1024.0 * 1024.0);

  // 1. Read and validate only.
  t = Clock::now();
  long long read_rows = 0;
  {
    auto reader = formats::RecordReader::Open(csv, nullptr, record::Kind::kPerson);
    if (!reader.ok()) Die(reader.status());
    formats::ReadRow row;
    while (true) {
      auto more = (*reader)->Next(&row);
      if (!more.ok()) Die(more.status());
      if (!*more) break;
      if (row.issues.empty()) ++read_rows;
    }
  }
  const double read_s = Seconds(t);

  // 2. Full import.
  auto reg = engine::Registry::Create(dir + "/registry", engine::KeySource::KeyFile(dir + "/key"),
                                      {}, "bench");
  if (!reg.ok()) Die(reg.status());
  engine::ImportRequest request;
  request.path = csv;
  t = Clock::now();
  auto summary = (*reg)->Import(request, nullptr);
  const double import_s = Seconds(t);
  if (!summary.ok()) Die(summary.status());
  if (!summary->index_status.ok()) Die(summary->index_status);
  const double store_s = summary->store_seconds;
  const double index_s = summary->index_seconds;
  reg->reset();
  const double db_mib =
      static_cast<double>(fs::file_size(dir + "/registry/registry.db")) / (1024.0 * 1024.0);
  const double peak = PeakRssMiB();

  double seal_per_s = 0;
  // 3. Seal only (after the import, so the peak memory above is the import's): serialise, fresh data key, AEAD, wrap.
  t = Clock::now();
  {
    synth::Generator gen(synth::Options{});
    crypto::SecretBytes wrap_key = crypto::SecretBytes::Random(crypto::kKeyBytes);
    std::size_t sink = 0;
    const long long n = std::min(count, 200'000LL);
    std::vector<record::Record> records;
    records.reserve(static_cast<std::size_t>(n));
    for (long long i = 0; i < n; ++i) records.push_back(gen.Next());
    t = Clock::now();
    crypto::SecretBytes dk(crypto::kKeyBytes);
    for (const record::Record& r : records) {
      crypto::FillRandom(dk);
      std::string payload = record::Serialize(r);
      sink += crypto::Seal(dk, payload, "ad").size();
      sink += crypto::Seal(wrap_key, dk.view(), "ad").size();
    }
    const double s = Seconds(t);
    if (sink == 0) std::abort();
    seal_per_s = static_cast<double>(n) / s;
  }

  if (json) {
    std::printf(
        "{\"records\":%lld,\"csv_mib\":%.1f,\"generate_per_s\":%.0f,\"read_validate_per_s\":%.0f,"
        "\"store_per_s\":%.0f,\"store_seconds\":%.2f,\"index_per_s\":%.0f,"
        "\"index_seconds\":%.2f,\"import_per_s\":%.0f,\"import_seconds\":%.2f,\"accepted\":%lld,"
        "\"db_mib\":%.1f,\"peak_rss_mib\":%.1f,\"seal_only_per_s\":%.0f}\n",
        count, csv_mib, count / gen_s, read_rows / read_s, summary->accepted / store_s, store_s,
        summary->indexed / index_s, index_s, summary->accepted / import_s, import_s,
        static_cast<long long>(summary->accepted), db_mib, peak, seal_per_s);
  } else {
    std::printf("%-34s %12.0f records/s   (%lld records, %.1f MiB CSV)\n", "generate", count / gen_s,
                count, csv_mib);
    std::printf("%-34s %12.0f records/s\n", "read + validate CSV", read_rows / read_s);
    std::printf("%-34s %12.0f records/s   (%.2f s, %lld accepted, one core)\n",
                "import: store (one txn, sealed)", summary->accepted / store_s, store_s,
                static_cast<long long>(summary->accepted));
    std::printf("%-34s %12.0f records/s   (%.2f s, %lld indexed, two threads)\n",
                "import: matching index", summary->indexed / index_s, index_s,
                static_cast<long long>(summary->indexed));
    std::printf("%-34s %12.0f records/s   (%.2f s)\n", "import: both phases",
                summary->accepted / import_s, import_s);
    std::printf("%-34s %12.0f records/s\n", "seal only (serialise+AEAD+wrap)", seal_per_s);
    std::printf("%-34s %12.1f MiB\n", "registry size", db_mib);
    std::printf("%-34s %12.1f MiB\n", "peak memory (RSS)", peak);
  }
  fs::remove_all(dir);
  return 0;
}
