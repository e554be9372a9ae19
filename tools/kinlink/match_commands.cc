// `kinlink link` and `kinlink dedupe`: matching of local CSV files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "formats/csv.h"
#include "linkage/linker.h"
#include "score/cluster.h"
#include "text/name_variants.h"
#include "tools/kinlink/cli.h"
#include "tools/kinlink/commands.h"
#include "tools/kinlink/terminal.h"

namespace kinlink::cli {

namespace {

using json = nlohmann::json;

// The name-variant table: --variants FILE, 'none', or the shipped one.
Result<std::optional<text::NameVariants>> LoadVariants(const Options& o) {
  if (o.variants == "none") return std::optional<text::NameVariants>();
  const std::string path =
      o.variants.empty() ? std::string(KINLINK_SOURCE_DIR) + "/data/name_variants/name_variants.tsv"
                         : o.variants;
  if (o.variants.empty() && ::access(path.c_str(), R_OK) != 0) {
    return std::optional<text::NameVariants>();  // not shipped beside this build
  }
  KL_ASSIGN_OR_RETURN(text::NameVariants table, text::NameVariants::LoadFile(path));
  return std::optional<text::NameVariants>(std::move(table));
}

Result<std::optional<formats::Mapping>> LoadMap(const std::string& path) {
  if (path.empty()) return std::optional<formats::Mapping>();
  KL_ASSIGN_OR_RETURN(formats::Mapping m, formats::Mapping::LoadFile(path));
  return std::optional<formats::Mapping>(std::move(m));
}

// Output to a file (mode 0600: results name people) or stdout.
class Output {
 public:
  Status Open(const std::string& path) {
    if (path == "-") return OkStatus();
    KL_ASSIGN_OR_RETURN(file_, CreatePrivateFile(path));
    return OkStatus();
  }
  std::ostream& stream() { return file_ ? *file_ : std::cout; }
  Status Close(const std::string& path) {
    stream().flush();
    if (!stream()) return InternalError("writing " + path + " failed");
    return OkStatus();
  }

 private:
  std::unique_ptr<std::ofstream> file_;
};

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void ReportInput(const Options& o, const std::string& path, const linkage::Dataset& d) {
  if (o.json) return;
  for (const std::string& w : d.warnings) std::fprintf(stderr, "warning: %s: %s\n", path.c_str(), w.c_str());
  if (d.rejected_rows > 0 || d.blanked_fields > 0) {
    std::fprintf(stderr,
                 "%s: %llu malformed row(s) left out, %llu invalid value(s) treated as missing\n",
                 path.c_str(), static_cast<unsigned long long>(d.rejected_rows),
                 static_cast<unsigned long long>(d.blanked_fields));
  }
}

// A skipped block means pairs that were never compared: say so.
void WarnCapped(const Options& o, const linkage::LinkStats& s) {
  if (s.capped_blocks == 0 || o.json) return;
  std::fprintf(stderr,
               "warning: %llu block(s) larger than --max-block %lld records were skipped; records "
               "that share only such a common value were not compared\n",
               static_cast<unsigned long long>(s.capped_blocks), static_cast<long long>(o.max_block));
}

json StatsJson(const linkage::LinkStats& s) {
  return {{"candidates", s.candidates},
          {"candidates_per_rule", s.candidates_per_rule},
          {"capped_blocks", s.capped_blocks},
          {"em_iterations", s.em_iterations},
          {"em_converged", s.em_converged},
          {"lambda", s.lambda},
          {"seconds", s.seconds_total}};
}

Status PrepareOptions(const Options& o, std::optional<text::NameVariants>& variants,
                      linkage::LinkOptions* options, ProgressBar* bar) {
  KL_ASSIGN_OR_RETURN(variants, LoadVariants(o));
  options->mode = o.plaintext ? linkage::Mode::kPlaintext : linkage::Mode::kEncoded;
  options->threshold = o.threshold;
  options->blocking.max_block_records = static_cast<std::uint64_t>(o.max_block);
  options->variants = variants ? &*variants : nullptr;
  options->progress = [bar](std::string_view, double f) {
    bar->Update(static_cast<std::uint64_t>(f * 1000), 1000, 0);
  };
  return OkStatus();
}

}  // namespace

int CmdLink(const Options& o) {
  Result<std::optional<formats::Mapping>> map_left = LoadMap(o.map);
  if (!map_left.ok()) return Fail(o, map_left.status());
  Result<std::optional<formats::Mapping>> map_right = LoadMap(o.map_right.empty() ? o.map : o.map_right);
  if (!map_right.ok()) return Fail(o, map_right.status());
  Result<linkage::Dataset> left = linkage::ReadDataset(o.file, *map_left ? &**map_left : nullptr);
  if (!left.ok()) return Fail(o, left.status());
  Result<linkage::Dataset> right =
      linkage::ReadDataset(o.right, *map_right ? &**map_right : nullptr);
  if (!right.ok()) return Fail(o, right.status());
  ReportInput(o, o.file, *left);
  ReportInput(o, o.right, *right);

  std::optional<text::NameVariants> variants;
  linkage::LinkOptions options;
  ProgressBar bar("link");
  if (Status s = PrepareOptions(o, variants, &options, &bar); !s.ok()) return Fail(o, s);
  options.top_k = o.top;
  Result<linkage::LinkResult> r = linkage::Link(*left, *right, options);
  bar.Finish();
  if (!r.ok()) return Fail(o, r.status());
  WarnCapped(o, r->stats);

  Output out;
  if (Status s = out.Open(o.out); !s.ok()) return Fail(o, s);
  formats::CsvWriter writer(out.stream());
  std::vector<std::string> cells = {"left_id", "right_id", "probability", "match_weight"};
  if (o.explain) cells.push_back("explanation");
  writer.WriteRow(cells);
  for (std::size_t i = 0; i < r->pairs.size(); ++i) {
    const linkage::ScoredPair& p = r->pairs[i];
    cells = {left->ids[p.a], right->ids[p.b], Fixed(p.probability, 6), Fixed(p.weight, 3)};
    if (o.explain) cells.push_back(linkage::ExplainJson(*r, i));
    writer.WriteRow(cells);
  }
  if (Status s = out.Close(o.out); !s.ok()) return Fail(o, s);
  if (o.json) {
    json j = StatsJson(r->stats);
    j["left_records"] = left->records.size();
    j["right_records"] = right->records.size();
    j["pairs"] = r->pairs.size();
    j["mode"] = o.plaintext ? "plaintext" : "encoded";
    std::cout << j.dump() << "\n";
  } else {
    std::fprintf(stderr, "Linked %zu × %zu records: %llu candidate pairs, %zu reported, %.2f s.\n",
                 left->records.size(), right->records.size(),
                 static_cast<unsigned long long>(r->stats.candidates), r->pairs.size(),
                 r->stats.seconds_total);
  }
  return kExitOk;
}

int CmdDedupe(const Options& o) {
  Result<std::optional<formats::Mapping>> map = LoadMap(o.map);
  if (!map.ok()) return Fail(o, map.status());
  Result<linkage::Dataset> data = linkage::ReadDataset(o.file, *map ? &**map : nullptr);
  if (!data.ok()) return Fail(o, data.status());
  ReportInput(o, o.file, *data);

  std::optional<text::NameVariants> variants;
  linkage::LinkOptions options;
  ProgressBar bar("dedupe");
  if (Status s = PrepareOptions(o, variants, &options, &bar); !s.ok()) return Fail(o, s);
  Result<linkage::LinkResult> r = linkage::Dedupe(*data, options);
  bar.Finish();
  if (!r.ok()) return Fail(o, r.status());
  WarnCapped(o, r->stats);

  std::vector<score::RecordPair> accepted;
  accepted.reserve(r->pairs.size());
  for (const linkage::ScoredPair& p : r->pairs) accepted.push_back({p.a, p.b});
  Result<score::Components> components = score::ConnectedComponents(data->records.size(), accepted);
  if (!components.ok()) return Fail(o, components.status());
  // Source ids must be unique to serve as stable cluster ids; "line N"
  // stands in for empty ones already.
  Result<std::vector<std::string>> cluster_ids =
      score::AssignStableIds(*components, data->ids, {}, {});
  if (!cluster_ids.ok()) {
    return Fail(o, cluster_ids.status().WithContext("record ids must be unique for dedupe"));
  }

  Output out;
  if (Status s = out.Open(o.out); !s.ok()) return Fail(o, s);
  formats::CsvWriter writer(out.stream());
  const std::string header[] = {"id", "cluster_id"};
  writer.WriteRow(header);
  for (std::size_t i = 0; i < data->ids.size(); ++i) {
    const std::string row[] = {data->ids[i], (*cluster_ids)[i]};
    writer.WriteRow(row);
  }
  if (Status s = out.Close(o.out); !s.ok()) return Fail(o, s);
  if (!o.pairs_out.empty()) {
    Output pairs;
    if (Status s = pairs.Open(o.pairs_out); !s.ok()) return Fail(o, s);
    formats::CsvWriter pw(pairs.stream());
    const std::string ph[] = {"left_id", "right_id", "probability", "match_weight"};
    pw.WriteRow(ph);
    for (const linkage::ScoredPair& p : r->pairs) {
      const std::string row[] = {data->ids[p.a], data->ids[p.b], Fixed(p.probability, 6),
                                 Fixed(p.weight, 3)};
      pw.WriteRow(row);
    }
    if (Status s = pairs.Close(o.pairs_out); !s.ok()) return Fail(o, s);
  }
  if (o.json) {
    json j = StatsJson(r->stats);
    j["records"] = data->records.size();
    j["pairs"] = r->pairs.size();
    j["clusters"] = components->num_components;
    j["mode"] = o.plaintext ? "plaintext" : "encoded";
    std::cout << j.dump() << "\n";
  } else {
    std::fprintf(stderr, "Deduplicated %zu records into %zu clusters (%zu pairs over %.2f), %.2f s.\n",
                 data->records.size(), components->num_components, r->pairs.size(), o.threshold,
                 r->stats.seconds_total);
  }
  return kExitOk;
}

}  // namespace kinlink::cli
