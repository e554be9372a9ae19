// `kinlink link` and `kinlink dedupe` through the real binary: pairs across
// scripts, --top, --explain, clusters with stable ids, --pairs,
// --plaintext, --json, and bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace kinlink::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json = nlohmann::json;

// Tracing requests in Latin script, split name fields.
constexpr char kLeftCsv[] =
    "id,given_name,family_name,father_name,sex,birth_date,birth_place\n"
    "L1,Mohamad,Alhasan,Khaled,m,1987-03-12,Homs\n"
    "L2,Oleksandr,Kovalenko,,m,1979-11-04,Kharkiv\n"
    "L3,Selam,Gebre,Tesfaye,f,2001-02-11,Mekelle\n"
    "L4,Rania,Darwish,Nabil,f,1994-08-17,Daraa\n"
    "L5,Natalia,Shevchenko,,f,1990-05-14,Mariupol\n";

// Registered persons in their own scripts, full names only; R6-R8 are
// siblings of true matches (same family name, father and town).
constexpr char kRightCsv[] =
    "id,full_name,sex,birth_date,birth_place\n"
    "R1,Наталія Шевченко,f,1990-05-14,Маріуполь\n"
    "R2,محمد خالد الحسن,m,1987-03-12,حمص\n"
    "R3,رانيا نبيل درويش,f,1994-08-17,درعا\n"
    "R4,Олександр Коваленко,m,1979-11-04,Харків\n"
    "R5,ሰላም ተስፋዬ ገብሬ,f,2001-02-11,መቀሌ\n"
    "R6,رشا نبيل درويش,f,1991-02-05,درعا\n"
    "R7,Олена Коваленко,f,1982-06-19,Харків\n"
    "R8,محمود خالد الحسن,m,1984-01-30,حمص\n";

const std::map<std::string, std::string> kTruePairs = {
    {"L1", "R2"}, {"L2", "R4"}, {"L3", "R5"}, {"L4", "R3"}, {"L5", "R1"}};

// One file: D1, D3 and D7 are one man (three Latin spellings); D4 and D5
// another (Latin, Cyrillic); D2 is D4's sister; D6 is alone. (Arabic-script
// duplicates of Latin records are not found reliably yet: see
// tests/golden/pending/.)
constexpr char kDedupeCsv[] =
    "id,full_name,sex,birth_date,birth_place\n"
    "D1,Mohamad Alhasan,m,1987-03-12,Homs\n"
    "D2,Olena Kovalenko,f,1982-06-19,Kharkiv\n"
    "D3,Muhammad Alhasan,m,1987-03-12,Homs\n"
    "D4,Oleksandr Kovalenko,m,1979-11-04,Kharkiv\n"
    "D5,Олександр Коваленко,m,1979-11-04,Харків\n"
    "D6,Rasha Darwish,f,1991-02-05,Daraa\n"
    "D7,Mohammad Al-Hasan,m,1987-03-12,Homs\n";

class CliMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "left.csv", kLeftCsv);
    WriteFile(dir_ / "right.csv", kRightCsv);
    WriteFile(dir_ / "people.csv", kDedupeCsv);
  }
  // Rows of an output CSV after its header, which must be `header`.
  std::vector<std::vector<std::string>> Rows(const std::string& path,
                                             const std::vector<std::string>& header) {
    std::vector<std::vector<std::string>> rows = ParseCsvFile(path);
    EXPECT_FALSE(rows.empty()) << path << " has no header";
    if (rows.empty()) return rows;
    EXPECT_EQ(rows.front(), header);
    rows.erase(rows.begin());
    return rows;
  }
  TempDir dir_;
};

const std::vector<std::string> kLinkHeader = {"left_id", "right_id", "probability", "match_weight"};

TEST_F(CliMatchTest, LinkAcrossScriptsRanksTrueMatchFirst) {
  for (const bool plaintext : {false, true}) {
    SCOPED_TRACE(plaintext ? "plaintext" : "encoded");
    std::vector<std::string> args = {"link", dir_ / "left.csv", dir_ / "right.csv", "--top",
                                     "1",    "--out",           dir_ / "pairs.csv"};
    if (plaintext) args.push_back("--plaintext");
    RunResult r = RunKinlink(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> best;
    for (const auto& row : Rows(dir_ / "pairs.csv", kLinkHeader)) {
      ASSERT_EQ(row.size(), 4u);
      EXPECT_FALSE(best.count(row[0])) << "two rows for " << row[0] << " with --top 1";
      best[row[0]] = row[1];
      const double p = std::stod(row[2]);
      EXPECT_GE(p, 0.0);
      EXPECT_LE(p, 1.0);
      EXPECT_TRUE(std::isfinite(std::stod(row[3])));
    }
    EXPECT_EQ(best, kTruePairs);
  }
}

TEST_F(CliMatchTest, ThresholdModeReportsExactlyThePairsAboveIt) {
  // Plaintext mode is deterministic across runs (no per-run Bloom key), so
  // two runs can be compared row by row.
  RunResult all = RunKinlink({"link", dir_ / "left.csv", dir_ / "right.csv", "--plaintext",
                              "--threshold", "0", "--out", dir_ / "all.csv"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  RunResult some = RunKinlink({"link", dir_ / "left.csv", dir_ / "right.csv", "--plaintext",
                               "--threshold", "0.5", "--out", dir_ / "some.csv"});
  ASSERT_EQ(some.exit_code, 0) << some.err;

  std::set<std::pair<std::string, std::string>> candidates;
  std::vector<std::vector<std::string>> expected;
  for (const auto& row : Rows(dir_ / "all.csv", kLinkHeader)) {
    candidates.insert({row[0], row[1]});
    if (std::stod(row[2]) >= 0.5) expected.push_back(row);
  }
  // Blocking finds every true pair, whatever its probability.
  for (const auto& [l, rid] : kTruePairs) {
    EXPECT_TRUE(candidates.count({l, rid})) << l << "-" << rid;
  }
  const auto reported = Rows(dir_ / "some.csv", kLinkHeader);
  EXPECT_EQ(reported, expected);
  EXPECT_FALSE(reported.empty());
  for (const auto& row : reported) {
    EXPECT_EQ(kTruePairs.at(row[0]), row[1]) << "a sibling reported as a match";
  }
}

TEST_F(CliMatchTest, TopKGivesAtMostKRowsPerLeftIdBestFirst) {
  RunResult r = RunKinlink(
      {"link", dir_ / "left.csv", dir_ / "right.csv", "--top", "2", "--out", dir_ / "pairs.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::vector<double>> weights;
  for (const auto& row : Rows(dir_ / "pairs.csv", kLinkHeader)) {
    weights[row[0]].push_back(std::stod(row[3]));
  }
  bool some_has_two = false;
  for (const auto& [id, w] : weights) {
    EXPECT_LE(w.size(), 2u) << id;
    if (w.size() == 2) {
      some_has_two = true;
      EXPECT_GE(w[0], w[1]) << id << ": best first";
    }
  }
  // The siblings share blocking keys with the true matches, so --top 2
  // has a second candidate to show for some request.
  EXPECT_TRUE(some_has_two);
}

TEST_F(CliMatchTest, ExplainColumnIsAWaterfallThatSumsToTheWeight) {
  RunResult r = RunKinlink({"link", dir_ / "left.csv", dir_ / "right.csv", "--top", "3",
                            "--explain", "--out", dir_ / "pairs.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> header = kLinkHeader;
  header.push_back("explanation");
  const auto rows = Rows(dir_ / "pairs.csv", header);
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 5u);
    const json e = json::parse(row[4], nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(e.is_discarded()) << "explanation is not JSON";
    ASSERT_TRUE(e["fields"].is_array());
    EXPECT_FALSE(e["fields"].empty());
    double sum = e["prior"].get<double>();
    std::set<std::string> fields;
    for (const json& f : e["fields"]) {
      sum += f["weight"].get<double>();
      fields.insert(f["field"].get<std::string>());
      EXPECT_TRUE(f["level"].is_string());
    }
    EXPECT_TRUE(fields.count("given_name")) << row[4];
    // Each part is rounded to 3 decimals.
    EXPECT_NEAR(sum, e["total"].get<double>(), 0.02) << row[4];
    EXPECT_NEAR(e["total"].get<double>(), std::stod(row[3]), 0.002) << row[4];
  }
}

TEST_F(CliMatchTest, LinkJsonSummaryParses) {
  for (const bool plaintext : {false, true}) {
    std::vector<std::string> args = {"link", dir_ / "left.csv", dir_ / "right.csv", "--top",
                                     "1",    "--out",           dir_ / "pairs.csv", "--json"};
    if (plaintext) args.push_back("--plaintext");
    RunResult r = RunKinlink(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j["left_records"], 5);
    EXPECT_EQ(j["right_records"], 8);
    EXPECT_EQ(j["pairs"], 5);
    EXPECT_EQ(j["mode"], plaintext ? "plaintext" : "encoded");
    EXPECT_GE(j["candidates"].get<int>(), 5);
  }
}

TEST_F(CliMatchTest, DedupeGivesDuplicatesOneStableClusterId) {
  for (const bool plaintext : {false, true}) {
    SCOPED_TRACE(plaintext ? "plaintext" : "encoded");
    std::vector<std::string> args = {
        "dedupe",  dir_ / "people.csv", "--out",       dir_ / "clusters.csv",
        "--pairs", dir_ / "dpairs.csv", "--threshold", "0.8",
        "--json"};
    if (plaintext) args.push_back("--plaintext");
    RunResult r = RunKinlink(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> cluster;
    std::vector<std::string> order;
    for (const auto& row : Rows(dir_ / "clusters.csv", {"id", "cluster_id"})) {
      ASSERT_EQ(row.size(), 2u);
      cluster[row[0]] = row[1];
      order.push_back(row[0]);
    }
    // Every input record, in input order.
    EXPECT_THAT(order, ElementsAre("D1", "D2", "D3", "D4", "D5", "D6", "D7"));
    // A cluster's id is its first record's id.
    EXPECT_EQ(cluster["D1"], "D1");
    EXPECT_EQ(cluster["D3"], "D1");
    EXPECT_EQ(cluster["D7"], "D1");
    EXPECT_EQ(cluster["D4"], "D4");
    EXPECT_EQ(cluster["D5"], "D4");
    EXPECT_EQ(cluster["D2"], "D2");  // the sister stays apart
    EXPECT_EQ(cluster["D6"], "D6");

    // --pairs: the accepted pairs, each within one cluster.
    const auto pairs = Rows(dir_ / "dpairs.csv", kLinkHeader);
    EXPECT_GE(pairs.size(), 3u);  // D1-D3-D7 needs 2, D4-D5 one
    for (const auto& row : pairs) {
      ASSERT_EQ(row.size(), 4u);
      EXPECT_EQ(cluster[row[0]], cluster[row[1]]) << row[0] << "," << row[1];
    }

    const json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j["records"], 7);
    EXPECT_EQ(j["clusters"], 4);
    EXPECT_EQ(j["pairs"].get<std::size_t>(), pairs.size());
    EXPECT_EQ(j["mode"], plaintext ? "plaintext" : "encoded");
  }
}

TEST_F(CliMatchTest, DedupeClusterIdsDoNotDependOnOtherRecords) {
  // Adding an unrelated record leaves every cluster id as it was.
  RunResult first =
      RunKinlink({"dedupe", dir_ / "people.csv", "--threshold", "0.8", "--out", dir_ / "a.csv"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  WriteFile(dir_ / "more.csv",
            std::string(kDedupeCsv) + "D8,Amina Warsame,f,2010-05-05,Mogadishu\n");
  RunResult second =
      RunKinlink({"dedupe", dir_ / "more.csv", "--threshold", "0.8", "--out", dir_ / "b.csv"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto a = ParseCsvFile(dir_ / "a.csv");
  auto b = ParseCsvFile(dir_ / "b.csv");
  ASSERT_GE(a.size(), 8u);
  EXPECT_EQ(a[5], (std::vector<std::string>{"D5", "D4"}));  // not a run of singletons
  ASSERT_EQ(b.size(), a.size() + 1);
  EXPECT_EQ(b.back(), (std::vector<std::string>{"D8", "D8"}));
  b.pop_back();
  EXPECT_EQ(a, b);
}

TEST_F(CliMatchTest, EmptyFileIsRejected) {
  WriteFile(dir_ / "empty.csv", "");
  RunResult r =
      RunKinlink({"link", dir_ / "empty.csv", dir_ / "right.csv", "--out", dir_ / "o.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("file is empty"));
  RunResult d = RunKinlink({"dedupe", dir_ / "empty.csv", "--out", dir_ / "o.csv"});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_THAT(d.err, HasSubstr("file is empty"));
}

TEST_F(CliMatchTest, FileWithoutNameColumnIsRejected) {
  WriteFile(dir_ / "noname.csv", "id,birth_date,birth_place\nX1,1990-01-01,Homs\n");
  RunResult r =
      RunKinlink({"link", dir_ / "left.csv", dir_ / "noname.csv", "--out", dir_ / "o.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no name column"));
  EXPECT_THAT(r.err, HasSubstr("noname.csv"));
  RunResult d = RunKinlink({"dedupe", dir_ / "noname.csv", "--out", dir_ / "o.csv"});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_THAT(d.err, HasSubstr("no name column"));
}

TEST_F(CliMatchTest, MappingNamingAMissingColumnIsRejected) {
  WriteFile(dir_ / "map.toml",
            "[fields]\nid = \"id\"\ngiven_name = \"first\"\n"
            "family_name = \"surname_of_family\"\n");
  WriteFile(dir_ / "src.csv", "id,first,last\nA1,Rania,Darwish\n");
  // --map applies to both files unless --map-right is given.
  RunResult r = RunKinlink({"link", dir_ / "src.csv", dir_ / "right.csv", "--map",
                            dir_ / "map.toml", "--out", dir_ / "o.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("family_name"));
  EXPECT_THAT(r.err, HasSubstr("surname_of_family"));
  RunResult d =
      RunKinlink({"dedupe", dir_ / "src.csv", "--map", dir_ / "map.toml", "--out", dir_ / "o.csv"});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_THAT(d.err, HasSubstr("family_name"));
  EXPECT_THAT(d.err, HasSubstr("surname_of_family"));
  EXPECT_FALSE(d.err.find("Darwish") != std::string::npos) << "error quotes a value";
}

TEST_F(CliMatchTest, MissingInputFileIsNamed) {
  const std::string missing = dir_ / "no_such_file.csv";
  RunResult r = RunKinlink({"link", dir_ / "left.csv", missing, "--out", dir_ / "o.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no_such_file.csv"));
  RunResult d = RunKinlink({"dedupe", missing, "--out", dir_ / "o.csv"});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_THAT(d.err, HasSubstr("no_such_file.csv"));
  // Nothing was written for a run that failed.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "o.csv"));
}

TEST_F(CliMatchTest, HugeBlockIsCappedWithAWarningNotMemory) {
  // 300 records share one common name and birth year: one mega-block for
  // several rules. With --max-block 100 it is skipped and reported.
  std::string csv = "id,given_name,family_name,birth_date,locality\n";
  for (int i = 0; i < 300; ++i) {
    csv += "M" + std::to_string(i) + ",Mohammed,Ahmed,1990,Town" + std::to_string(i) + "\n";
  }
  WriteFile(dir_ / "common.csv", csv);
  RunResult r = RunKinlink({"dedupe", dir_ / "common.csv", "--max-block", "100", "--out",
                            dir_ / "o.csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("larger than --max-block 100"));
  EXPECT_EQ(ParseCsvFile(dir_ / "o.csv").size(), 301u);  // every record still gets a cluster
  RunResult j = RunKinlink({"dedupe", dir_ / "common.csv", "--max-block", "100", "--json",
                            "--out", dir_ / "o.csv"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_GT(nlohmann::json::parse(j.out)["capped_blocks"].get<int>(), 0);
}

}  // namespace
}  // namespace kinlink::testing
