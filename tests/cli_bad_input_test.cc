// Bad input through the real binary: each problem gets its own precise
// message, good rows are still imported, nothing is half-written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace kinlink::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

class CliBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = {{"KINLINK_DATA", dir_ / "registry"}, {"KINLINK_KEY_FILE", dir_ / "kinlink.key"}};
    ASSERT_EQ(RunKinlink({"init"}, env_).exit_code, 0);
  }
  int Count() {
    RunResult r = RunKinlink({"list", "--json"}, env_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["count"].get<int>();
  }
  TempDir dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(CliBadInputTest, EachProblemHasItsOwnMessageAndGoodRowsImport) {
  std::string csv = "id,full_name,birth_date,notes,favourite_colour\n";
  csv += "G1,Amina Warsame,2010-05-05,,blue\n";                    // line 2: good
  csv += "B1,Bad \xFF\xFE Name,1990,,red\n";                        // line 3: invalid UTF-8
  csv += "B2,Too Few Columns\n";                                    // line 4: 2 of 5 fields
  csv += "B3,Impossible Date,2023-02-30,,green\n";                  // line 5
  csv += "B4,Huge Notes,1990," + std::string(10 * 1024 * 1024, 'x') + ",x\n";  // line 6
  csv += "G1,Duplicate Of Line Two,1991,,\n";                        // line 7
  csv += "G2,Олександр Коваленко,1979-11,,\n";                      // line 8: good
  WriteFile(dir_ / "bad.csv", csv);

  RunResult r = RunKinlink({"import", "--kind", "person", dir_ / "bad.csv", "--json"}, env_);
  ASSERT_EQ(r.exit_code, 3) << r.err;  // done, with rejected rows
  json s = json::parse(r.out);
  EXPECT_EQ(s["accepted"], 2);
  EXPECT_EQ(s["rejected"], 5);
  ASSERT_EQ(s["warnings"].size(), 1u);
  EXPECT_THAT(s["warnings"][0].get<std::string>(), HasSubstr("favourite_colour"));

  std::map<int, std::string> reason_by_line;
  for (const json& issue : s["issues"]) {
    reason_by_line[issue["line"].get<int>()] += issue["column_name"].get<std::string>() + ": " +
                                               issue["reason"].get<std::string>() + "; ";
  }
  EXPECT_THAT(reason_by_line[3], HasSubstr("full_name: not valid UTF-8"));
  EXPECT_THAT(reason_by_line[4], HasSubstr("expected 5 fields"));
  EXPECT_THAT(reason_by_line[5], HasSubstr("birth_date: day 30 does not exist in 2023-02"));
  EXPECT_THAT(reason_by_line[6], HasSubstr("kMaxFieldBytes"));
  EXPECT_THAT(reason_by_line[7], HasSubstr("duplicate id: the same id as line 2"));
  EXPECT_EQ(reason_by_line.count(2), 0u);
  EXPECT_EQ(reason_by_line.count(8), 0u);

  // The rejects file: positions and reasons, no values.
  const std::string rejects = ReadFile(s["rejects_file"].get<std::string>());
  EXPECT_THAT(rejects, HasSubstr("line,column,column_name,reason"));
  EXPECT_THAT(rejects, HasSubstr("duplicate id"));
  EXPECT_THAT(rejects, ::testing::Not(HasSubstr("Impossible Date")));
  EXPECT_THAT(rejects, ::testing::Not(HasSubstr("Duplicate Of Line Two")));

  EXPECT_EQ(Count(), 2);
  RunResult show = RunKinlink({"show", "G2"}, env_);
  EXPECT_THAT(show.out, HasSubstr("Олександр Коваленко"));
}

TEST_F(CliBadInputTest, DuplicateOfARecordAlreadyInTheRegistry) {
  WriteFile(dir_ / "a.csv", "id,full_name\nX1,Selam Tesfaye\n");
  ASSERT_EQ(RunKinlink({"import", "--kind", "person", dir_ / "a.csv"}, env_).exit_code, 0);
  RunResult again = RunKinlink({"import", "--kind", "person", dir_ / "a.csv"}, env_);
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_THAT(again.err, HasSubstr("the registry already holds a person with this id (KL-1)"));
  // The same id as a request is another record: ids are per kind.
  EXPECT_EQ(RunKinlink({"import", "--kind", "request", dir_ / "a.csv"}, env_).exit_code, 0);
  EXPECT_EQ(Count(), 2);
}

TEST_F(CliBadInputTest, EmptyFileIsRefusedWhole) {
  WriteFile(dir_ / "empty.csv", "");
  RunResult r = RunKinlink({"import", "--kind", "person", dir_ / "empty.csv"}, env_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("file is empty"));
  EXPECT_EQ(Count(), 0);
}

TEST_F(CliBadInputTest, FileWithoutNameColumnIsRefusedWhole) {
  WriteFile(dir_ / "noname.csv", "id,birth_date\nA,1990\n");
  RunResult r = RunKinlink({"import", "--kind", "person", dir_ / "noname.csv"}, env_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no name column"));
}

TEST_F(CliBadInputTest, MissingFileAndBadMappingAreClearErrors) {
  RunResult missing = RunKinlink({"import", "--kind", "person", dir_ / "nope.csv"}, env_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nope.csv"));
  WriteFile(dir_ / "bad.toml", "[fields]\nbirth_date = { column = \"dob\", format = \"%Q\" }\n");
  WriteFile(dir_ / "p.csv", "full_name,dob\nA B,1990\n");
  RunResult bad_map =
      RunKinlink({"import", "--kind", "person", dir_ / "p.csv", "--map", dir_ / "bad.toml"}, env_);
  EXPECT_EQ(bad_map.exit_code, 1);
  EXPECT_THAT(bad_map.err, HasSubstr("bad.toml"));
}

TEST_F(CliBadInputTest, FebrlMappingImportsTheRealFile) {
  const std::string febrl = std::string(KL_SOURCE_DIR) + "/../shared/eval-data/febrl/dataset4a.csv";
  if (ReadFile(febrl).empty()) GTEST_SKIP() << "evaluation data not present";
  RunResult r = RunKinlink({"import", "--kind", "person", febrl, "--map",
                            std::string(KL_SOURCE_DIR) + "/data/mappings/febrl.toml", "--json",
                            "--rejects", dir_ / "febrl.rejects.csv"},
                           env_);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.err;
  json s = json::parse(r.out);
  // Most rows are good; FEBRL's own corruptions (impossible dates) are not.
  EXPECT_GT(s["accepted"].get<int>(), 4500);
  EXPECT_EQ(s["accepted"].get<int>() + s["rejected"].get<int>(), 5000);
}

}  // namespace
}  // namespace kinlink::testing
