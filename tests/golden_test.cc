// Golden cases for matching: one JSON file per hard situation of tracing
// data (scripts, order, particles, patronymics, missing names, ages,
// siblings, common names, dates) in tests/golden/. Each file holds tracing
// requests ("queries"), registered persons ("candidates") and, per query,
// the candidate that must rank first and the hard negatives that must rank
// below it. A new behaviour is a new data file: the runner finds the files
// at run time (see tests/golden/README.md for the format).
//
// The candidates are embedded in a deterministic synthetic population so
// that the unsupervised model (u from random pairs, m by EM) has data to
// learn from, and the queries get synthetic noisy copies of part of that
// population so that EM sees true matches. Every case runs in both modes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "linkage/linker.h"
#include "record/record.h"
#include "synth/synth.h"
#include "text/name_variants.h"

namespace kinlink {
namespace {

using json = nlohmann::json;

const std::string kGoldenDir = std::string(KL_SOURCE_DIR) + "/tests/golden";

// The background: ~3,000 registered persons ("BG<n>") and the noisy
// copies the generator made of some of them, as requests ("BQ<n>").
constexpr std::uint64_t kBackgroundSeed = 20261128;
constexpr std::size_t kBackgroundRecords = 3300;
constexpr int kTopK = 10;

struct Background {
  linkage::Dataset requests;
  linkage::Dataset persons;
};

const Background& SharedBackground() {
  static const Background* background = [] {
    auto* b = new Background;
    synth::Generator gen({.seed = kBackgroundSeed, .duplicate_rate = 0.1});
    for (std::size_t i = 0; i < kBackgroundRecords; ++i) {
      record::Record r = gen.Next();
      // A duplicate re-describes an entity first written as a person, so
      // each BQ request has its true match among the BG persons.
      linkage::Dataset& side = gen.last_was_duplicate() ? b->requests : b->persons;
      const char* prefix = gen.last_was_duplicate() ? "BQ" : "BG";
      r.Set(record::Field::kId, prefix + std::to_string(side.records.size() + 1));
      side.ids.push_back(r.Get(record::Field::kId));
      side.records.push_back(std::move(r));
    }
    return b;
  }();
  return *background;
}

// The shipped name-variant table, as `kinlink link` uses it.
const text::NameVariants* SharedVariants() {
  static const text::NameVariants* variants = []() -> const text::NameVariants* {
    Result<text::NameVariants> table = text::NameVariants::LoadFile(
        std::string(KL_SOURCE_DIR) + "/data/name_variants/name_variants.tsv");
    if (!table.ok()) return nullptr;
    return new text::NameVariants(std::move(*table));
  }();
  return variants;
}

// The case files, relative to kGoldenDir. KL_GOLDEN_PENDING=1 adds the
// pending ones (pending/*.json), to see whether a change fixed them.
std::vector<std::string> GoldenFiles() {
  std::vector<std::string> files;
  std::vector<std::string> dirs = {""};
  if (const char* pending = std::getenv("KL_GOLDEN_PENDING"); pending && *pending == '1') {
    dirs.push_back("pending/");
  }
  for (const std::string& sub : dirs) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(kGoldenDir + "/" + sub, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(sub + entry.path().filename().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "name_order_swapped.json" -> "NameOrderSwapped" (test names allow only
// letters and digits here).
std::string TestNameOf(const std::string& file) {
  std::string name;
  bool upper = true;
  for (char c : file.substr(0, file.rfind('.'))) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  return name;
}

struct Expectation {
  std::string query;
  std::string best;
  std::vector<std::string> below;
  std::map<std::string, double> max_probability;
};

struct GoldenCase {
  std::string description;
  linkage::Dataset queries;
  linkage::Dataset candidates;
  std::vector<Expectation> expect;
};

// Reads one record object: "id" plus canonical field names. Problems in
// the file are test failures (a typo must not silently drop a field).
void ReadRecords(const json& array, record::Kind kind, const std::string& what,
                 linkage::Dataset* out) {
  ASSERT_TRUE(array.is_array() && !array.empty()) << what << " must be a non-empty array";
  for (const json& obj : array) {
    ASSERT_TRUE(obj.is_object()) << what << " entries must be objects";
    ASSERT_TRUE(obj.contains("id") && obj["id"].is_string()) << what << " entry without an id";
    record::Record r(kind);
    for (const auto& [key, value] : obj.items()) {
      std::optional<record::Field> field = record::FieldByName(key);
      ASSERT_TRUE(field.has_value()) << what << " " << obj["id"] << ": unknown field " << key;
      ASSERT_TRUE(value.is_string())
          << what << " " << obj["id"] << ": " << key << " must be a string";
      r.Set(*field, value.get<std::string>());
    }
    // Golden records must be valid records (a typo in a date is a bug in
    // the case, not a test of the matcher).
    for (const record::FieldError& e : record::Validate(r, record::ValidationContext{})) {
      ADD_FAILURE() << what << " " << obj["id"] << ": " << record::FieldName(e.field) << ": "
                    << e.reason;
    }
    out->ids.push_back(r.Get(record::Field::kId));
    out->records.push_back(std::move(r));
  }
}

void LoadCase(const std::string& file, GoldenCase* c) {
  std::ifstream in(kGoldenDir + "/" + file);
  ASSERT_TRUE(in) << "cannot read " << file;
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << file << " is not valid JSON";
  ASSERT_TRUE(j.contains("description") && j["description"].is_string()) << "no description";
  c->description = j["description"];
  ASSERT_NO_FATAL_FAILURE(ReadRecords(j["queries"], record::Kind::kRequest, "query", &c->queries));
  ASSERT_NO_FATAL_FAILURE(
      ReadRecords(j["candidates"], record::Kind::kPerson, "candidate", &c->candidates));
  const std::set<std::string> query_ids(c->queries.ids.begin(), c->queries.ids.end());
  const std::set<std::string> cand_ids(c->candidates.ids.begin(), c->candidates.ids.end());
  ASSERT_EQ(query_ids.size(), c->queries.ids.size()) << "duplicate query id";
  ASSERT_EQ(cand_ids.size(), c->candidates.ids.size()) << "duplicate candidate id";
  ASSERT_TRUE(j["expect"].is_array() && !j["expect"].empty()) << "no expectations";
  for (const json& e : j["expect"]) {
    Expectation x;
    x.query = e.at("query").get<std::string>();
    x.best = e.at("best").get<std::string>();
    ASSERT_TRUE(query_ids.count(x.query)) << "expectation names unknown query " << x.query;
    ASSERT_TRUE(cand_ids.count(x.best)) << "expectation names unknown candidate " << x.best;
    if (e.contains("below")) x.below = e["below"].get<std::vector<std::string>>();
    if (e.contains("max_probability")) {
      x.max_probability = e["max_probability"].get<std::map<std::string, double>>();
    }
    for (const std::string& id : x.below) {
      ASSERT_TRUE(cand_ids.count(id)) << "expectation names unknown candidate " << id;
    }
    for (const auto& [id, p] : x.max_probability) {
      ASSERT_TRUE(cand_ids.count(id)) << "expectation names unknown candidate " << id;
    }
    c->expect.push_back(std::move(x));
  }
}

linkage::Dataset Concat(const linkage::Dataset& a, const linkage::Dataset& b) {
  linkage::Dataset out = a;
  out.records.insert(out.records.end(), b.records.begin(), b.records.end());
  out.ids.insert(out.ids.end(), b.ids.begin(), b.ids.end());
  return out;
}

struct Ranked {
  std::string id;
  double probability;
  double weight;
  std::string why = {};  // field levels and weights, for failure messages
};

// "given_name=variant(+4.1) family_name=exact(+6.0) ..." from --explain's
// JSON (fields with no evidence left out).
std::string Waterfall(const std::string& explain_json) {
  const json e = json::parse(explain_json, nullptr, /*allow_exceptions=*/false);
  if (e.is_discarded()) return "?";
  std::ostringstream s;
  s.precision(3);
  s << "prior(" << e.value("prior", 0.0) << ")";
  for (const json& f : e.value("fields", json::array())) {
    const std::string level = f.value("level", "");
    if (level == "missing") continue;
    s << " " << f.value("field", "") << "=" << level << "(" << std::showpos
      << f.value("weight", 0.0) << std::noshowpos << ")";
  }
  return s.str();
}

std::string Describe(const std::vector<Ranked>& ranking) {
  if (ranking.empty()) return "  (no candidates)\n";
  std::ostringstream s;
  for (std::size_t i = 0; i < ranking.size(); ++i) {
    s << "  " << (i + 1) << ". " << ranking[i].id << "  p=" << ranking[i].probability
      << "  w=" << ranking[i].weight << "\n";
    if (!ranking[i].why.empty()) s << "       " << ranking[i].why << "\n";
  }
  return s.str();
}

// Checks one expectation against the ranking of its query; returns the
// problems found (empty when it holds).
std::vector<std::string> Check(const Expectation& x, const std::vector<Ranked>& ranking) {
  std::vector<std::string> problems;
  auto find = [&](const std::string& id) -> const Ranked* {
    for (const Ranked& r : ranking) {
      if (r.id == id) return &r;
    }
    return nullptr;
  };
  const Ranked* best = find(x.best);
  if (best == nullptr) {
    problems.push_back("expected " + x.best + " is not among the top " + std::to_string(kTopK));
  } else if (&ranking.front() != best) {
    problems.push_back("expected " + x.best + " first, got " + ranking.front().id);
  }
  for (const std::string& id : x.below) {
    const Ranked* neg = find(id);
    if (neg == nullptr) continue;  // not even in the top K: below
    if (best == nullptr || neg->weight >= best->weight) {
      problems.push_back("hard negative " + id + " does not rank below " + x.best);
    }
  }
  for (const auto& [id, limit] : x.max_probability) {
    const Ranked* r = find(id);
    if (r != nullptr && r->probability >= limit) {
      problems.push_back(id + " reaches probability " + std::to_string(r->probability) +
                         " (limit " + std::to_string(limit) + ")");
    }
  }
  return problems;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, ExpectedMatchRanksFirstInBothModes) {
  GoldenCase c;
  ASSERT_NO_FATAL_FAILURE(LoadCase(GetParam(), &c));
  ASSERT_NE(SharedVariants(), nullptr) << "cannot load data/name_variants/name_variants.tsv";
  const Background& bg = SharedBackground();
  const linkage::Dataset left = Concat(c.queries, bg.requests);
  const linkage::Dataset right = Concat(c.candidates, bg.persons);

  for (linkage::Mode mode : {linkage::Mode::kEncoded, linkage::Mode::kPlaintext}) {
    const char* mode_name = mode == linkage::Mode::kEncoded ? "encoded" : "plaintext";
    linkage::LinkOptions options;
    options.mode = mode;
    options.top_k = kTopK;
    options.variants = SharedVariants();
    Result<linkage::LinkResult> result = linkage::Link(left, right, options);
    ASSERT_TRUE(result.ok()) << mode_name << ": " << result.status().ToString();

    // Rankings of the case's queries (they come first in `left`).
    std::vector<std::vector<Ranked>> ranking(c.queries.records.size());
    for (std::size_t i = 0; i < result->pairs.size(); ++i) {
      const linkage::ScoredPair& p = result->pairs[i];
      if (p.a < ranking.size()) {
        ranking[p.a].push_back(
            {right.ids[p.b], p.probability, p.weight, Waterfall(linkage::ExplainJson(*result, i))});
      }
    }
    for (const Expectation& x : c.expect) {
      const std::size_t q = static_cast<std::size_t>(
          std::find(c.queries.ids.begin(), c.queries.ids.end(), x.query) - c.queries.ids.begin());
      const std::vector<std::string> problems = Check(x, ranking[q]);
      if (problems.empty()) continue;
      std::string message;
      for (const std::string& p : problems) message += "  - " + p + "\n";
      ADD_FAILURE() << GetParam() << " [" << mode_name << "] query " << x.query << ":\n"
                    << message << "ranking (top " << kTopK << "):\n"
                    << Describe(ranking[q]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(GoldenFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return TestNameOf(param.param);
                         });

TEST(GoldenFilesTest, DirectoryHoldsCases) {
  // A missing or renamed directory must not pass as "no cases, no failures".
  EXPECT_GE(GoldenFiles().size(), 5u) << kGoldenDir;
}

TEST(GoldenFilesTest, TestNamesAreLettersAndDigits) {
  EXPECT_EQ(TestNameOf("name_order_swapped.json"), "NameOrderSwapped");
  EXPECT_EQ(TestNameOf("pending/siblings_twins.json"), "PendingSiblingsTwins");
}

TEST(GoldenFilesTest, BackgroundHasMatchesForEm) {
  const Background& bg = SharedBackground();
  EXPECT_GT(bg.requests.records.size(), 100u);
  EXPECT_GT(bg.persons.records.size(), 2500u);
}

TEST(GoldenFilesTest, CheckCatchesWrongOrderAndTies) {
  // The checker itself: a hard negative tied with the expected match, or
  // ranked above it, is a failure; a negative outside the top K is not.
  Expectation x{"Q", "A", {"B", "C"}, {{"B", 0.5}}};
  EXPECT_TRUE(Check(x, {{"A", 0.9, 5}, {"B", 0.4, 2}}).empty());
  EXPECT_EQ(Check(x, {{"B", 0.9, 5}, {"A", 0.9, 5}}).size(), 3u);  // not first, tie, p >= 0.5
  EXPECT_EQ(Check(x, {{"B", 0.2, 1}}).size(), 2u);                 // best absent
  EXPECT_EQ(Check(x, {}).size(), 1u);
}

}  // namespace
}  // namespace kinlink
