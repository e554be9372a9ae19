// `kinlink linkage-key new`, `encode`, `pprl-link` and `pprl-info`:
// cross-organisation linkage through encodings files (docs/pprl.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "crypto/crypto.h"
#include "formats/csv.h"
#include "linkage/linker.h"
#include "pprl/pprl.h"
#include "text/name_variants.h"
#include "tools/kinlink/cli.h"
#include "tools/kinlink/commands.h"
#include "tools/kinlink/terminal.h"

namespace kinlink::cli {

namespace {

using json = nlohmann::json;

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

json SchemaJson(const pprl::Schema& s) {
  return {{"salt", std::string(pprl::SaltName(s.hardening.salt))},
          {"xor_fold", s.hardening.xor_fold},
          {"name_variants", s.name_variants},
          {"record_filter_bits", s.RecordFilterBits()}};
}

}  // namespace

// The name-variant table (--variants FILE, 'none', or the shipped one) and
// the schema's name for it: a hash of its bytes, so that partners with
// different tables are refused rather than silently disagreeing.
Status LoadVariantsFor(const Options& o, std::optional<text::NameVariants>* table,
                       std::string* schema_name) {
  *schema_name = "none";
  if (o.variants == "none") return OkStatus();
  const std::string path =
      o.variants.empty() ? std::string(KINLINK_SOURCE_DIR) + "/data/name_variants/name_variants.tsv"
                         : o.variants;
  if (o.variants.empty() && ::access(path.c_str(), R_OK) != 0) return OkStatus();
  KL_ASSIGN_OR_RETURN(text::NameVariants t, text::NameVariants::LoadFile(path));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  *schema_name = "blake2b:" + crypto::ToHex(crypto::Hash(bytes.str())).substr(0, 32);
  *table = std::move(t);
  return OkStatus();
}

Result<crypto::SecretBytes> LinkageKey(const Options& o) {
  Result<crypto::SecretBytes> key = crypto::ReadKeyFile(o.linkage_key_file);
  if (!key.ok()) return key.status().WithContext("linkage key " + o.linkage_key_file);
  return key;
}

int CmdLinkageKeyNew(const Options& o) {
  if (Status s = crypto::CreateKeyFile(o.linkage_key_file); !s.ok()) return Fail(o, s);
  if (o.json) {
    std::cout << json{{"created", o.linkage_key_file}}.dump() << "\n";
  } else {
    std::fprintf(stderr,
                 "Created linkage key %s (mode 0600). Give it to the partner organisation over a "
                 "secure channel; never to the hub.\n",
                 o.linkage_key_file.c_str());
  }
  return kExitOk;
}

int CmdEncode(const Options& o) {
  const auto started = std::chrono::steady_clock::now();
  Result<crypto::SecretBytes> key = LinkageKey(o);
  if (!key.ok()) return Fail(o, key.status());
  std::optional<formats::Mapping> mapping;
  if (!o.map.empty()) {
    Result<formats::Mapping> m = formats::Mapping::LoadFile(o.map);
    if (!m.ok()) return Fail(o, m.status());
    mapping = std::move(*m);
  }
  pprl::EncodeOptions eo;
  std::optional<text::NameVariants> variants;
  if (Status s = LoadVariantsFor(o, &variants, &eo.schema.name_variants); !s.ok()) {
    return Fail(o, s);
  }
  eo.variants = variants ? &*variants : nullptr;
  Result<linkage::BloomSalt> salt = pprl::ParseSalt(o.salt);
  if (!salt.ok()) return Fail(o, salt.status());
  eo.schema.hardening.salt = *salt;
  eo.schema.hardening.xor_fold = o.xor_fold == "on";
  eo.threads = o.threads;

  Result<linkage::Dataset> data = linkage::ReadDataset(o.file, mapping ? &*mapping : nullptr);
  if (!data.ok()) return Fail(o, data.status());
  if (!o.json) {
    for (const std::string& w : data->warnings) {
      std::fprintf(stderr, "warning: %s: %s\n", o.file.c_str(), w.c_str());
    }
    if (data->rejected_rows > 0 || data->blanked_fields > 0) {
      std::fprintf(stderr,
                   "%s: %llu malformed row(s) left out, %llu invalid value(s) treated as missing\n",
                   o.file.c_str(), static_cast<unsigned long long>(data->rejected_rows),
                   static_cast<unsigned long long>(data->blanked_fields));
    }
  }
  const double seconds_read =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const std::string refs_path = o.refs_out.empty() ? o.out + ".refs.csv" : o.refs_out;
  Result<std::unique_ptr<std::ofstream>> out = CreatePrivateFile(o.out);
  if (!out.ok()) return Fail(o, out.status());
  ProgressBar bar("encode");
  eo.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.Update(done, total, done); };
  std::vector<pprl::RefIndex> refs;
  refs.reserve(data->records.size());
  Result<pprl::EncodeStats> stats = pprl::EncodeDataset(*data, *key, eo, **out, &refs);
  bar.Finish();
  (*out)->close();
  if (!stats.ok() || !**out) {
    ::unlink(o.out.c_str());
    return Fail(o, stats.ok() ? InternalError("writing " + o.out + " failed") : stats.status());
  }
  Result<std::unique_ptr<std::ofstream>> refs_file = CreatePrivateFile(refs_path);
  if (!refs_file.ok()) return Fail(o, refs_file.status());
  {
    formats::CsvWriter writer(**refs_file);
    const std::string header[] = {"ref", "id"};
    writer.WriteRow(header);
    for (const pprl::RefIndex& r : refs) {
      const std::string row[] = {pprl::RefHex(r.ref), data->ids[r.index]};
      writer.WriteRow(row);
    }
  }
  (*refs_file)->flush();
  if (!**refs_file) return Fail(o, InternalError("writing " + refs_path + " failed"));

  const double per_s = static_cast<double>(stats->records) / std::max(stats->seconds_encode, 1e-9);
  const double per_cpu_s =
      static_cast<double>(stats->records) / std::max(stats->cpu_seconds_encode, 1e-9);
  if (o.json) {
    json j{{"records", stats->records},
           {"out", o.out},
           {"refs", refs_path},
           {"threads", stats->threads},
           {"seconds_read", seconds_read},
           {"seconds_encode", stats->seconds_encode},
           {"records_per_second", per_s},
           {"cpu_seconds_encode", stats->cpu_seconds_encode},
           {"records_per_cpu_second", per_cpu_s},
           {"schema", SchemaJson(eo.schema)}};
    std::cout << j.dump() << "\n";
  } else {
    std::fprintf(stderr,
                 "Encoded %llu records into %s in %.2f s: %.0f records/s on %d threads, %.0f "
                 "records per CPU second (reading the CSV took %.2f s more). Record references "
                 "-> %s (keep it: it names your records).\n",
                 static_cast<unsigned long long>(stats->records), o.out.c_str(),
                 stats->seconds_encode, per_s, stats->threads, per_cpu_s, seconds_read,
                 refs_path.c_str());
  }
  return kExitOk;
}

int CmdPprlLink(const Options& o) {
  Result<pprl::KleFile> left = pprl::ReadKleFile(o.file);
  if (!left.ok()) return Fail(o, left.status());
  Result<pprl::KleFile> right = pprl::ReadKleFile(o.right);
  if (!right.ok()) return Fail(o, right.status());
  if (Status s = pprl::CheckComparable(*left, *right, o.file, o.right); !s.ok()) return Fail(o, s);
  if (!o.linkage_key_file.empty()) {
    Result<crypto::SecretBytes> key = LinkageKey(o);
    if (!key.ok()) return Fail(o, key.status());
    if (Status s = pprl::CheckKey(*left, *key); !s.ok()) return Fail(o, s.WithContext(o.file));
  }
  pprl::LinkKleOptions options;
  options.mode = o.pprl_mode == "dice" ? pprl::LinkMode::kDice : pprl::LinkMode::kFellegiSunter;
  options.threshold = o.pprl_threshold;
  options.top_k = o.top;
  options.one_to_one = o.one_to_one;
  options.threads = o.threads;
  options.link.blocking.max_block_records = static_cast<std::uint64_t>(o.max_block);
  const std::size_t left_n = left->size();
  const std::size_t right_n = right->size();
  // The references are all the output needs; keep them before the files move.
  std::vector<pprl::RecordRef> left_refs = left->refs;
  std::vector<pprl::RecordRef> right_refs = right->refs;
  Result<pprl::LinkKleResult> r = pprl::LinkKle(std::move(*left), std::move(*right), options);
  if (!r.ok()) return Fail(o, r.status());
  if (r->stats.link.capped_blocks > 0 && !o.json) {
    std::fprintf(stderr,
                 "warning: %llu block(s) larger than --max-block %lld records were skipped\n",
                 static_cast<unsigned long long>(r->stats.link.capped_blocks),
                 static_cast<long long>(o.max_block));
  }

  std::unique_ptr<std::ofstream> file;
  if (o.out != "-") {
    Result<std::unique_ptr<std::ofstream>> f = CreatePrivateFile(o.out);
    if (!f.ok()) return Fail(o, f.status());
    file = std::move(*f);
  }
  std::ostream& out = file ? *file : std::cout;
  const bool fs = options.mode == pprl::LinkMode::kFellegiSunter;
  {
    formats::CsvWriter writer(out);
    std::vector<std::string> cells = {"left_ref", "right_ref", fs ? "probability" : "dice"};
    if (fs) cells.push_back("match_weight");
    writer.WriteRow(cells);
    for (const pprl::KlePair& p : r->pairs) {
      cells = {pprl::RefHex(left_refs[p.a]), pprl::RefHex(right_refs[p.b]), Fixed(p.score, 6)};
      if (fs) cells.push_back(Fixed(p.weight, 3));
      writer.WriteRow(cells);
    }
  }
  out.flush();
  if (!out) return Fail(o, InternalError("writing " + o.out + " failed"));
  if (o.json) {
    json j{{"left_records", left_n},
           {"right_records", right_n},
           {"mode", o.pprl_mode},
           {"pairs", r->pairs.size()},
           {"candidates", r->stats.candidates},
           {"dice_candidates", r->stats.dice_candidates},
           {"dice_comparisons", r->stats.dice_comparisons},
           {"seconds", r->stats.seconds_total}};
    if (fs) {
      j["lambda"] = r->stats.link.lambda;
      j["em_iterations"] = r->stats.link.em_iterations;
      j["em_converged"] = r->stats.link.em_converged;
    }
    std::cout << j.dump() << "\n";
  } else {
    std::fprintf(stderr,
                 "Linked %zu × %zu encoded records (%s): %llu candidate pairs, %zu reported, %.2f "
                 "s.\n",
                 left_n, right_n, o.pprl_mode.c_str(),
                 static_cast<unsigned long long>(r->stats.candidates), r->pairs.size(),
                 r->stats.seconds_total);
  }
  return kExitOk;
}

int CmdPprlInfo(const Options& o) {
  Result<pprl::KleFile> f = pprl::ReadKleFile(o.file);
  if (!f.ok()) return Fail(o, f.status());
  bool key_checked = false;
  if (!o.linkage_key_file.empty()) {
    Result<crypto::SecretBytes> key = LinkageKey(o);
    if (!key.ok()) return Fail(o, key.status());
    if (Status s = pprl::CheckKey(*f, *key); !s.ok()) return Fail(o, s.WithContext(o.file));
    key_checked = true;
  }
  if (o.json) {
    std::cout << json{{"records", f->size()},
                      {"version", pprl::kKleVersion},
                      {"key_checked", key_checked},
                      {"schema", SchemaJson(f->schema)}}
                     .dump()
              << "\n";
  } else {
    std::printf("%s: Kinlink encodings, version %u, %zu records, intact%s\n%s", o.file.c_str(),
                static_cast<unsigned>(pprl::kKleVersion), f->size(),
                key_checked ? ", encoded under the given linkage key" : "",
                f->schema.ToText().c_str());
  }
  return kExitOk;
}

}  // namespace kinlink::cli
