// Matching quality on the third-party evaluation data in ../shared/eval-data
// (never shipped with Kinlink): FEBRL4 link (4a ↔ 4b), FEBRL3 dedupe and
// Splink's historical_50k dedupe, each in encoded and plaintext mode.
// Prints per data set and mode: records, candidate pairs, pairs completeness
// of blocking, precision, recall and F1 at the operating threshold, time.
//
// Ground truth comes from the record ids only ("rec-12-org"/"rec-12-dup-0";
// "Q42-3"), never from a matching feature; FEBRL's soc_sec_id and
// historical_50k's cluster column are ignored by the mapping files.
//
//   build/bench/quality/quality_bench [--data ../shared/eval-data] [--only NAME] [--json]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "linkage/linker.h"
#include "text/name_variants.h"
#include "score/cluster.h"
#include "score/evaluate.h"

namespace {

using namespace kinlink;

std::uint64_t EntityOf(const std::string& id) {
  std::string key = id;
  if (std::size_t p = key.find("-dup-"); p != std::string::npos) {
    key.resize(p);
  } else if (key.size() > 4 && key.compare(key.size() - 4, 4, "-org") == 0) {
    key.resize(key.size() - 4);
  } else if (std::size_t q = key.rfind('-'); q != std::string::npos) {
    key.resize(q);
  }
  return std::hash<std::string>{}(key);
}

std::vector<std::uint64_t> Entities(const linkage::Dataset& d) {
  std::vector<std::uint64_t> e;
  e.reserve(d.ids.size());
  for (const std::string& id : d.ids) e.push_back(EntityOf(id));
  return e;
}

struct Row {
  std::string name;
  std::string mode;
  std::size_t records = 0;
  std::uint64_t candidates = 0;
  double completeness = 0;
  score::PairwiseMetrics metrics;
  double cluster_f1 = -1;  // dedupe: pairs implied by the clusters
  double seconds = 0;
};

std::vector<score::RecordPair> Pairs(const linkage::LinkResult& r) {
  std::vector<score::RecordPair> out;
  out.reserve(r.pairs.size());
  for (const linkage::ScoredPair& p : r.pairs) out.push_back({p.a, p.b});
  return out;
}

Result<formats::Mapping> LoadMapping(const std::string& repo, const std::string& name) {
  return formats::Mapping::LoadFile(repo + "/data/mappings/" + name);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "../shared/eval-data";
  std::string repo = ".";
  std::string only;
  bool json = false;
  bool verbose = false;
  int misses = 0;
  double threshold = 0.99;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--data") && i + 1 < argc) {
      data = argv[++i];
    } else if (!std::strcmp(argv[i], "--repo") && i + 1 < argc) {
      repo = argv[++i];
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = argv[++i];
    } else if (!std::strcmp(argv[i], "--threshold") && i + 1 < argc) {
      threshold = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else if (!std::strcmp(argv[i], "--misses") && i + 1 < argc) {
      misses = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--verbose")) {
      verbose = true;
    } else {
      std::fprintf(stderr,
                   "usage: quality_bench [--data DIR] [--repo DIR] [--only NAME] [--threshold P] "
                   "[--json]\n");
      return 2;
    }
  }
  if (Status s = crypto::Initialize(); !s.ok()) return 1;
  std::vector<Row> rows;
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "quality_bench: %s\n", s.ToString().c_str());
    return 1;
  };

  auto febrl = LoadMapping(repo, "febrl.toml");
  auto hist = LoadMapping(repo, "splink_historical_50k.toml");
  if (!febrl.ok()) return fail(febrl.status());
  if (!hist.ok()) return fail(hist.status());

  auto variants = text::NameVariants::LoadFile(repo + "/data/name_variants/name_variants.tsv");
  if (!variants.ok()) return fail(variants.status());
  for (linkage::Mode mode : {linkage::Mode::kEncoded, linkage::Mode::kPlaintext}) {
    linkage::LinkOptions options;
    options.variants = &*variants;
    if (const char* f = std::getenv("KL_M_FLOOR")) options.m_floor = std::atof(f);  // tuning
    if (const char* g = std::getenv("KL_M_GIVEN")) options.m_given_different = std::atof(g);
    if (const char* b = std::getenv("KL_MAX_BLOCK")) {
      options.blocking.max_block_records = std::strtoull(b, nullptr, 10);
    }
    options.mode = mode;
    options.threshold = threshold;
    const std::string mode_name = mode == linkage::Mode::kEncoded ? "encoded" : "plaintext";

    if (only.empty() || only == "febrl4") {
      auto a = linkage::ReadDataset(data + "/febrl/dataset4a.csv", &*febrl);
      auto b = linkage::ReadDataset(data + "/febrl/dataset4b.csv", &*febrl);
      if (!a.ok()) return fail(a.status());
      if (!b.ok()) return fail(b.status());
      auto r = linkage::Link(*a, *b, options);
      if (!r.ok()) return fail(r.status());
      if (verbose) std::fprintf(stderr, "%s\n", r->model->ToJson().c_str());
      Row row;
      row.name = "FEBRL4 link";
      row.mode = mode_name;
      row.records = a->records.size() + b->records.size();
      const auto ea = Entities(*a), eb = Entities(*b);
      row.candidates = r->stats.candidates;
      row.completeness = score::EvaluateLinkBlocking(r->candidates, ea, eb)->pairs_completeness;
      row.metrics = *score::EvaluateLinkPairs(Pairs(*r), ea, eb);
      row.seconds = r->stats.seconds_total;
      rows.push_back(row);
    }
    auto dedupe = [&](const std::string& name, const std::string& path,
                      const formats::Mapping* mapping) -> int {
      auto d = linkage::ReadDataset(path, mapping);
      if (!d.ok()) return fail(d.status());
      linkage::LinkOptions o2 = options;
      if (misses > 0) o2.threshold = 0.0;
      auto r = linkage::Dedupe(*d, o2);
      if (!r.ok()) return fail(r.status());
      if (misses > 0) {
        // Print missed true pairs and accepted false ones, with their levels.
        const auto ent = Entities(*d);
        int fn = 0, fp = 0;
        for (std::size_t i = 0; i < r->pairs.size(); ++i) {
          const auto& p = r->pairs[i];
          const bool same = ent[p.a] == ent[p.b];
          const bool accepted = p.probability >= threshold;
          if (same == accepted) continue;
          if (same && fn++ >= misses) continue;
          if (!same && fp++ >= misses) continue;
          std::string lv;
          for (auto x : r->levels[i]) lv += std::to_string(x) + " ";
          std::fprintf(stderr, "%s %s %s p=%.3f levels=%s\n", same ? "FN" : "FP",
                       d->ids[p.a].c_str(), d->ids[p.b].c_str(), p.probability, lv.c_str());
        }
        r->pairs.erase(std::remove_if(r->pairs.begin(), r->pairs.end(),
                                      [&](const linkage::ScoredPair& p) {
                                        return p.probability < threshold;
                                      }),
                       r->pairs.end());
      }
      if (verbose) std::fprintf(stderr, "%s\n", r->model->ToJson().c_str());
      Row row;
      row.name = name;
      row.mode = mode_name;
      row.records = d->records.size();
      const auto e = Entities(*d);
      row.candidates = r->stats.candidates;
      row.completeness = score::EvaluateDedupeBlocking(r->candidates, e)->pairs_completeness;
      row.metrics = *score::EvaluateDedupePairs(Pairs(*r), e);
      auto components = score::ConnectedComponents(d->records.size(), Pairs(*r));
      if (components.ok()) {
        auto clustered = score::EvaluateClusters(components->component, e);
        if (clustered.ok()) row.cluster_f1 = clustered->f1;
      }
      row.seconds = r->stats.seconds_total;
      rows.push_back(row);
      return 0;
    };
    if (only.empty() || only == "febrl3") {
      if (int rc = dedupe("FEBRL3 dedupe", data + "/febrl/dataset3.csv", &*febrl)) return rc;
    }
    if (only.empty() || only == "historical50k") {
      if (int rc = dedupe("historical_50k dedupe",
                          data + "/splink/historical_figures_with_errors_50k.csv", &*hist)) {
        return rc;
      }
    }
  }

  if (json) {
    std::printf("[");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf(
          "%s{\"data\":\"%s\",\"mode\":\"%s\",\"records\":%zu,\"candidates\":%llu,"
          "\"pairs_completeness\":%.4f,\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,"
          "\"cluster_f1\":%.4f,\"seconds\":%.2f}",
          i ? "," : "", r.name.c_str(), r.mode.c_str(), r.records,
          static_cast<unsigned long long>(r.candidates), r.completeness, r.metrics.precision,
          r.metrics.recall, r.metrics.f1, r.cluster_f1, r.seconds);
    }
    std::printf("]\n");
    return 0;
  }
  std::printf("%-24s %-10s %8s %11s %8s %9s %8s %8s %9s %8s\n", "data set", "mode", "records",
              "candidates", "PC", "precision", "recall", "F1", "F1 clust", "seconds");
  for (const Row& r : rows) {
    char clust[16] = "-";
    if (r.cluster_f1 >= 0) std::snprintf(clust, sizeof clust, "%.4f", r.cluster_f1);
    std::printf("%-24s %-10s %8zu %11llu %8.4f %9.4f %8.4f %8.4f %9s %8.2f\n", r.name.c_str(),
                r.mode.c_str(), r.records, static_cast<unsigned long long>(r.candidates),
                r.completeness, r.metrics.precision, r.metrics.recall, r.metrics.f1, clust,
                r.seconds);
  }
  std::printf(
      "threshold: match probability >= %.2f; PC = pairs completeness of blocking; F1 = pairwise "
      "on scored pairs; F1 clust = pairwise on the pairs implied by the dedupe clusters\n",
      threshold);
  return 0;
}
