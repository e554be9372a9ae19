// `kinlink linkage-key new`, `encode`, `pprl-link` and `pprl-info` through
// the real binary: two partners encode under one key, a hub links the
// files without it; wrong keys, other schemas, truncated and corrupted
// files are refused; the files hold no plaintext.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace kinlink::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

class CliPprlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunKinlink({"generate", "--count", "400", "--seed", "7", "--out", dir_ / "a.csv"})
                  .exit_code,
              0);
    RunResult k = RunKinlink({"linkage-key", "new", dir_ / "k.key"});
    ASSERT_EQ(k.exit_code, 0) << k.err;
  }
  RunResult Encode(const std::string& csv, const std::string& out,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"encode", csv, "--linkage-key-file", dir_ / "k.key",
                                     "--out",  out, "--threads",          "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKinlink(args);
  }
  // ref → source id, from an encode's side file.
  std::map<std::string, std::string> Refs(const std::string& path) {
    std::map<std::string, std::string> m;
    std::vector<std::vector<std::string>> rows = ParseCsvFile(path);
    EXPECT_FALSE(rows.empty());
    if (rows.empty()) return m;
    EXPECT_EQ(rows[0], (std::vector<std::string>{"ref", "id"}));
    for (std::size_t i = 1; i < rows.size(); ++i) m[rows[i][0]] = rows[i][1];
    return m;
  }
  TempDir dir_;
};

TEST_F(CliPprlTest, LinkageKeyIsPrivateAndNeverOverwritten) {
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "k.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFile(dir_ / "k.key").size(), 65u);  // 64 hex + newline
  RunResult again = RunKinlink({"linkage-key", "new", dir_ / "k.key"});
  EXPECT_EQ(again.exit_code, 1);
}

TEST_F(CliPprlTest, EncodeThenLinkFindsEveryRecordInBothModes) {
  RunResult ea = Encode(dir_ / "a.csv", dir_ / "a.kle", {"--json"});
  ASSERT_EQ(ea.exit_code, 0) << ea.err;
  json j = json::parse(ea.out);
  EXPECT_EQ(j["records"], 400);
  EXPECT_GT(j["records_per_second"].get<double>(), 0);
  EXPECT_EQ(j["schema"]["xor_fold"], true);
  ASSERT_EQ(Encode(dir_ / "a.csv", dir_ / "b.kle", {"--refs-out", dir_ / "b.ids.csv"}).exit_code,
            0);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "a.kle.refs.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto ra = Refs(dir_ / "a.kle.refs.csv");
  const auto rb = Refs(dir_ / "b.ids.csv");
  ASSERT_EQ(ra.size(), 400u);
  ASSERT_EQ(rb.size(), 400u);

  for (std::string mode : {"fs", "dice"}) {
    RunResult r = RunKinlink({"pprl-link", dir_ / "a.kle", dir_ / "b.kle", "--mode", mode,
                              "--one-to-one", "--out", dir_ / "pairs.csv", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::vector<std::string>> rows = ParseCsvFile(dir_ / "pairs.csv");
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows[0][0], "left_ref");
    EXPECT_EQ(rows[0][2], mode == "fs" ? "probability" : "dice");
    std::size_t right = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      ASSERT_TRUE(ra.count(rows[i][0]) && rb.count(rows[i][1]));
      if (ra.at(rows[i][0]) == rb.at(rows[i][1])) ++right;
    }
    // The same records on both sides: (nearly) all found, all right.
    EXPECT_EQ(right, rows.size() - 1) << mode;
    EXPECT_GE(right, 390u) << mode;
  }
}

TEST_F(CliPprlTest, FilesHoldNoPlaintext) {
  ASSERT_EQ(Encode(dir_ / "a.csv", dir_ / "a.kle").exit_code, 0);
  const std::string kle = ReadFile(dir_ / "a.kle");
  std::vector<std::vector<std::string>> rows = ParseCsvFile(dir_ / "a.csv");
  ASSERT_GT(rows.size(), 1u);
  std::size_t checked = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      const std::string& v = rows[i][c];
      if (v.size() < 5) continue;  // short values occur in random bytes by chance
      ++checked;
      EXPECT_EQ(kle.find(v), std::string::npos) << rows[0][c] << " " << v;
    }
  }
  EXPECT_GT(checked, 1000u);
}

TEST_F(CliPprlTest, OtherSchemaOrKeyIsRefused) {
  ASSERT_EQ(Encode(dir_ / "a.csv", dir_ / "a.kle").exit_code, 0);
  ASSERT_EQ(Encode(dir_ / "a.csv", dir_ / "unfolded.kle", {"--xor-fold", "off"}).exit_code, 0);
  RunResult r =
      RunKinlink({"pprl-link", dir_ / "a.kle", dir_ / "unfolded.kle", "--out", dir_ / "pairs.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xor_fold is on in"));

  ASSERT_EQ(RunKinlink({"linkage-key", "new", dir_ / "other.key"}).exit_code, 0);
  ASSERT_EQ(RunKinlink({"encode", dir_ / "a.csv", "--linkage-key-file", dir_ / "other.key", "--out",
                        dir_ / "other.kle"})
                .exit_code,
            0);
  r = RunKinlink({"pprl-link", dir_ / "a.kle", dir_ / "other.kle", "--out", dir_ / "pairs.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("different linkage keys"));

  r = RunKinlink({"pprl-info", dir_ / "other.kle", "--linkage-key-file", dir_ / "k.key"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("wrong linkage key"));
  r = RunKinlink({"pprl-info", dir_ / "a.kle", "--linkage-key-file", dir_ / "k.key", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["key_checked"], true);
}

TEST_F(CliPprlTest, TruncatedOrCorruptedFileIsRefused) {
  ASSERT_EQ(Encode(dir_ / "a.csv", dir_ / "a.kle").exit_code, 0);
  const std::string kle = ReadFile(dir_ / "a.kle");
  WriteFile(dir_ / "short.kle", kle.substr(0, kle.size() - 100));
  RunResult r = RunKinlink({"pprl-info", dir_ / "short.kle"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("truncated"));

  std::string flipped = kle;
  flipped[kle.size() / 2] = static_cast<char>(flipped[kle.size() / 2] ^ 0x01);
  WriteFile(dir_ / "flipped.kle", flipped);
  r = RunKinlink({"pprl-link", dir_ / "flipped.kle", dir_ / "a.kle", "--out", dir_ / "p.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("flipped.kle"));

  WriteFile(dir_ / "not.kle", "id,given_name\n1,Ann\n");
  r = RunKinlink({"pprl-info", dir_ / "not.kle"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not a Kinlink encodings"));
}

}  // namespace
}  // namespace kinlink::testing
