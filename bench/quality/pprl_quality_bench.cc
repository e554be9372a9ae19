// Cross-organisation linkage quality on FEBRL4 (4a ↔ 4b, 5,000 × 5,000,
// 5,000 true pairs): each file is encoded as a partner would (`kinlink
// encode`: pprl::EncodeDataset under one linkage key, written to bytes and
// read back, as the hub reads it), then linked as the hub would (`kinlink
// pprl-link`: pprl::LinkKle), in Fellegi–Sunter and whole-record Dice
// mode, with each hardening on and off; against `kinlink link` on the
// plaintext files in plaintext and in-process encoded mode. Prints
// precision, recall, F1, the difference to plaintext, and encode speed.
//
// Ground truth from the record ids only (rec-N-org / rec-N-dup-0), which
// the encodings never carry: the owner's side mapping (ref → index) joins
// them back.
//
//   build/bench/quality/pprl_quality_bench [--data ../shared/eval-data] [--repo .] [--json]
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "linkage/linker.h"
#include "pprl/pprl.h"
#include "score/evaluate.h"
#include "text/name_variants.h"

namespace {

using namespace kinlink;

std::uint64_t EntityOf(const std::string& id) {
  std::string key = id;
  if (std::size_t p = key.find("-dup-"); p != std::string::npos) {
    key.resize(p);
  } else if (key.size() > 4 && key.compare(key.size() - 4, 4, "-org") == 0) {
    key.resize(key.size() - 4);
  }
  return std::hash<std::string>{}(key);
}

std::vector<std::uint64_t> Entities(const linkage::Dataset& d) {
  std::vector<std::uint64_t> e;
  for (const std::string& id : d.ids) e.push_back(EntityOf(id));
  return e;
}

struct Row {
  std::string method;
  std::string hardening;
  std::string selection;
  std::size_t pairs = 0;
  score::PairwiseMetrics m;
  double encode_rate = 0;  // records per CPU second, 0 when not encoded
  int threads = 0;
  double seconds_link = 0;
};

std::string HardeningName(const linkage::BloomHardening& h) {
  std::string s = h.xor_fold ? "xor-fold" : "";
  if (h.salt != linkage::BloomSalt::kNone) s += std::string(s.empty() ? "" : "+") + "salt(year)";
  return s.empty() ? "none" : s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "../shared/eval-data";
  std::string repo = ".";
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--data") && i + 1 < argc) {
      data = argv[++i];
    } else if (!std::strcmp(argv[i], "--repo") && i + 1 < argc) {
      repo = argv[++i];
    } else if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else {
      std::fprintf(stderr, "usage: pprl_quality_bench [--data DIR] [--repo DIR] [--json]\n");
      return 2;
    }
  }
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "pprl_quality_bench: %s\n", s.ToString().c_str());
    return 1;
  };
  if (Status s = crypto::Initialize(); !s.ok()) return fail(s);
  auto febrl = formats::Mapping::LoadFile(repo + "/data/mappings/febrl.toml");
  if (!febrl.ok()) return fail(febrl.status());
  auto variants = text::NameVariants::LoadFile(repo + "/data/name_variants/name_variants.tsv");
  if (!variants.ok()) return fail(variants.status());
  auto a = linkage::ReadDataset(data + "/febrl/dataset4a.csv", &*febrl);
  auto b = linkage::ReadDataset(data + "/febrl/dataset4b.csv", &*febrl);
  if (!a.ok()) return fail(a.status());
  if (!b.ok()) return fail(b.status());
  const auto ea = Entities(*a), eb = Entities(*b);
  std::vector<Row> rows;

  // `kinlink link` on the plaintext files, both modes, as is and 1:1.
  for (linkage::Mode mode : {linkage::Mode::kPlaintext, linkage::Mode::kEncoded}) {
    linkage::LinkOptions lo;
    lo.variants = &*variants;
    lo.mode = mode;
    auto r = linkage::Link(*a, *b, lo);
    if (!r.ok()) return fail(r.status());
    std::vector<pprl::KlePair> kp;
    for (const linkage::ScoredPair& p : r->pairs) kp.push_back({p.a, p.b, p.probability, p.weight});
    for (bool one : {false, true}) {
      std::vector<score::RecordPair> pairs;
      for (const pprl::KlePair& p : one ? pprl::OneToOne(kp) : kp) pairs.push_back({p.a, p.b});
      Row row;
      row.method =
          mode == linkage::Mode::kPlaintext ? "link --plaintext" : "link (in-process enc.)";
      row.hardening = "-";
      row.selection = one ? "p>=0.99, 1:1" : "p>=0.99";
      row.pairs = pairs.size();
      row.m = *score::EvaluateLinkPairs(pairs, ea, eb);
      row.seconds_link = r->stats.seconds_total;
      rows.push_back(row);
    }
  }

  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  std::vector<linkage::BloomHardening> hardenings(4);
  hardenings[1].xor_fold = true;
  hardenings[2].salt = linkage::BloomSalt::kBirthYear;
  hardenings[3].xor_fold = true;
  hardenings[3].salt = linkage::BloomSalt::kBirthYear;
  for (const linkage::BloomHardening& h : hardenings) {
    pprl::EncodeOptions eo;
    eo.schema.hardening = h;
    eo.schema.name_variants = "bench";
    eo.variants = &*variants;
    std::vector<pprl::RefIndex> ra, rb;
    std::ostringstream oa, ob;
    auto sa = pprl::EncodeDataset(*a, key, eo, oa, &ra);
    auto sb = pprl::EncodeDataset(*b, key, eo, ob, &rb);
    if (!sa.ok()) return fail(sa.status());
    if (!sb.ok()) return fail(sb.status());
    // Per CPU second (all threads together): the per-core rate, whatever
    // else runs on the machine.
    const double rate = static_cast<double>(sa->records + sb->records) /
                        (sa->cpu_seconds_encode + sb->cpu_seconds_encode);
    const std::string bytes_a = oa.str(), bytes_b = ob.str();
    struct Setting {
      pprl::LinkMode mode;
      double threshold;
      bool one;
      const char* name;
    };
    const Setting settings[] = {
        {pprl::LinkMode::kFellegiSunter, 0.99, false, "p>=0.99"},
        {pprl::LinkMode::kFellegiSunter, 0.99, true, "p>=0.99, 1:1"},
        {pprl::LinkMode::kDice, 0.60, true, "dice>=0.60, 1:1"},
        {pprl::LinkMode::kDice, 0.70, true, "dice>=0.70, 1:1"},
        {pprl::LinkMode::kDice, 0.80, true, "dice>=0.80, 1:1"},
    };
    for (const Setting& st : settings) {
      std::istringstream ia(bytes_a), ib(bytes_b);
      auto fa = pprl::ReadKle(ia);
      auto fb = pprl::ReadKle(ib);
      if (!fa.ok()) return fail(fa.status());
      if (!fb.ok()) return fail(fb.status());
      pprl::LinkKleOptions lo;
      lo.mode = st.mode;
      lo.threshold = st.threshold;
      lo.one_to_one = st.one;
      auto r = pprl::LinkKle(std::move(*fa), std::move(*fb), lo);
      if (!r.ok()) return fail(r.status());
      std::vector<score::RecordPair> pairs;
      for (const pprl::KlePair& p : r->pairs) pairs.push_back({ra[p.a].index, rb[p.b].index});
      Row row;
      row.method = st.mode == pprl::LinkMode::kDice ? "pprl-link --mode dice" : "pprl-link (fs)";
      row.hardening = HardeningName(h);
      row.selection = st.name;
      row.pairs = pairs.size();
      row.m = *score::EvaluateLinkPairs(pairs, ea, eb);
      row.encode_rate = rate;
      row.threads = sa->threads;
      row.seconds_link = r->stats.seconds_total;
      rows.push_back(row);
    }
  }

  const double plain_f1 = rows[0].m.f1;
  const double plain_f1_one = rows[1].m.f1;
  if (json) {
    std::printf("[");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf(
          "%s{\"method\":\"%s\",\"hardening\":\"%s\",\"selection\":\"%s\",\"pairs\":%zu,"
          "\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"encode_records_per_cpu_s\":%.0f,"
          "\"threads\":%d,\"seconds_link\":%.2f}",
          i ? "," : "", r.method.c_str(), r.hardening.c_str(), r.selection.c_str(), r.pairs,
          r.m.precision, r.m.recall, r.m.f1, r.encode_rate, r.threads, r.seconds_link);
    }
    std::printf("]\n");
    return 0;
  }
  std::printf(
      "FEBRL4 (5,000 x 5,000, 5,000 true pairs): plaintext link vs cross-organisation "
      "encodings\n");
  std::printf("%-24s %-20s %-16s %6s %9s %8s %8s %9s %13s %7s\n", "method", "hardening",
              "selection", "pairs", "precision", "recall", "F1", "vs plain", "enc rec/CPU-s",
              "link s");
  for (const Row& r : rows) {
    const bool one = r.selection.find("1:1") != std::string::npos;
    char rate[32] = "-";
    if (r.encode_rate > 0) std::snprintf(rate, sizeof rate, "%.0f", r.encode_rate);
    std::printf("%-24s %-20s %-16s %6zu %9.4f %8.4f %8.4f %+9.4f %12s %7.2f\n", r.method.c_str(),
                r.hardening.c_str(), r.selection.c_str(), r.pairs, r.m.precision, r.m.recall,
                r.m.f1, r.m.f1 - (one ? plain_f1_one : plain_f1), rate, r.seconds_link);
  }
  std::printf(
      "vs plain: F1 minus that of `link --plaintext` with the same selection (1:1 or not). Encode "
      "rate: "
      "records per CPU second (%d threads), CSV reading excluded.\n",
      rows.back().threads);
  return 0;
}
