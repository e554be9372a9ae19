// Round trip through the real kinlink binary: import names in Latin,
// Arabic, Cyrillic and Ethiopic script, export, compare every field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace kinlink::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kHeader[] =
    "id,full_name,given_name,family_name,father_name,grandfather_name,mother_name,"
    "alternate_names,sex,birth_date,age,age_as_of,birth_place,address,locality,region,postcode,"
    "country,last_known_place,last_seen_date,phone,email,notes,status\r\n";

// Every field filled, in four scripts, with commas, quotes and line breaks.
std::string RoundTripCsv() {
  return std::string(kHeader) +
         "P1,محمد خالد الحسن,محمد,الحسن,خالد,عبد الله,فاطمة,محمد الحسن;Mohamed Alhasan,m,"
         "1987-03-12,,,حمص,\"شارع 5, حي الوعر\",Homs,Homs,31000,SY,مستشفى الأمل,2026-10-02,"
         "+963 900 000 001,m.alhasan@example.org,\"Said \"\"I am fine\"\"\nline two\",in_hospital\r\n"
         "P2,Олександр Іванович Коваленко,Олександр,Коваленко,Іванович,Петро,Олена,"
         "Aleksandr Kovalenko,m,1979-11,,,Харків,\"вул. Сумська, 1\",Lviv,Lviv Oblast,79000,UA,"
         "Потяг 12,2026-03,+380 67 000 0007,o.k@example.org,\"  leading and trailing spaces  \",safe\r\n"
         "P3,ሰላም ተስፋዬ ገብሬ,ሰላም,ገብሬ,ተስፋዬ,ገብሬ,አልማዝ,Selam Tesfaye,f,,24-26,2026-06-01,መቀሌ,"
         "ቤት 7,Addis Ababa,Addis Ababa,1000,ET,ምዝገባ ቢ,2026-06-20,+251 11 000 0000,s@example.org,"
         "ማስታወሻ,safe\r\n"
         "P4,Nour El-Din O'Neill-Haddad,Nour El-Din,O'Neill-Haddad,Omar,Zaid,Mariam,Nur al-Din,x,"
         "1950,,,Tripoli,Rue 1,Tripoli,North,1300,LB,Beirut,2026,(01) 234-567,n@example.org,"
         "tab\there,deceased\r\n";
}

class CliRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = {{"KINLINK_DATA", dir_ / "registry"}, {"KINLINK_KEY_FILE", dir_ / "kinlink.key"}};
    RunResult init = RunKinlink({"init"}, env_);
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  TempDir dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(CliRoundTripTest, ExportGivesBackEveryFieldByteForByte) {
  WriteFile(dir_ / "in.csv", RoundTripCsv());
  RunResult imp = RunKinlink({"import", "--kind", "person", dir_ / "in.csv"}, env_);
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_THAT(imp.out, HasSubstr("Imported 4 person record(s)"));

  RunResult exp = RunKinlink({"export", "--kind", "person", "--out", dir_ / "out.csv"}, env_);
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  // Same columns in the same order, and CRLF rows: the whole file is equal.
  EXPECT_EQ(ReadFile(dir_ / "out.csv"), RoundTripCsv());
  const auto in_rows = ParseCsvFile(dir_ / "in.csv");
  const auto out_rows = ParseCsvFile(dir_ / "out.csv");
  ASSERT_EQ(in_rows.size(), 5u);
  EXPECT_EQ(in_rows, out_rows);
}

TEST_F(CliRoundTripTest, ShowFindsBySourceIdAndRegistryId) {
  WriteFile(dir_ / "in.csv", RoundTripCsv());
  ASSERT_EQ(RunKinlink({"import", "--kind", "person", dir_ / "in.csv"}, env_).exit_code, 0);
  RunResult by_source = RunKinlink({"show", "P2", "--json"}, env_);
  ASSERT_EQ(by_source.exit_code, 0) << by_source.err;
  auto j = nlohmann::json::parse(by_source.out);
  EXPECT_EQ(j["registry_id"], "KL-2");
  EXPECT_EQ(j["fields"]["full_name"], "Олександр Іванович Коваленко");
  RunResult by_registry = RunKinlink({"show", "KL-3"}, env_);
  ASSERT_EQ(by_registry.exit_code, 0) << by_registry.err;
  EXPECT_THAT(by_registry.out, HasSubstr("ሰላም ተስፋዬ ገብሬ"));
  RunResult missing = RunKinlink({"show", "nobody"}, env_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no record with this id"));
}

TEST_F(CliRoundTripTest, ListFiltersByKindAndStatus) {
  WriteFile(dir_ / "in.csv", RoundTripCsv());
  ASSERT_EQ(RunKinlink({"import", "--kind", "person", dir_ / "in.csv"}, env_).exit_code, 0);
  ASSERT_EQ(RunKinlink({"import", "--kind", "request",
                        std::string(KL_SOURCE_DIR) + "/data/demo/requests.csv"},
                       env_)
                .exit_code,
            0);
  auto count = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "list");
    args.push_back("--json");
    RunResult r = RunKinlink(args, env_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out)["count"].get<int>();
  };
  EXPECT_EQ(count({}), 8);
  EXPECT_EQ(count({"--kind", "request"}), 4);
  EXPECT_EQ(count({"--kind", "person", "--status", "safe"}), 2);
  EXPECT_EQ(count({"--status", "deceased"}), 1);
  EXPECT_EQ(count({"--since", "2000-01-01"}), 8);
  EXPECT_EQ(count({"--until", "2000-01-01"}), 0);
  EXPECT_EQ(count({"--limit", "3"}), 3);
}

TEST_F(CliRoundTripTest, RequestKeepsEnquirerFields) {
  const std::string requests = std::string(KL_SOURCE_DIR) + "/data/demo/requests.csv";
  ASSERT_EQ(RunKinlink({"import", "--kind", "request", requests}, env_).exit_code, 0);
  RunResult exp = RunKinlink({"export", "--kind", "request", "--out", dir_ / "r.csv"}, env_);
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  EXPECT_EQ(ParseCsvFile(dir_ / "r.csv"), ParseCsvFile(requests));
}

TEST(CliTest, EveryCommandHasHelp) {
  for (std::string cmd : {"init", "import", "show", "list", "export", "erase", "rekey",
                          "version", "generate"}) {
    RunResult r = RunKinlink({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_THAT(r.out, HasSubstr("Usage")) << cmd;
  }
  RunResult audit = RunKinlink({"audit", "verify", "--help"});
  EXPECT_EQ(audit.exit_code, 0);
}

TEST(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(RunKinlink({}).exit_code, 2);
  EXPECT_EQ(RunKinlink({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(RunKinlink({"import", "x.csv"}).exit_code, 2);  // --kind missing
  EXPECT_EQ(RunKinlink({"import", "--kind", "cat", "x.csv"}).exit_code, 2);
}

TEST(CliTest, VersionListsDependencies) {
  RunResult r = RunKinlink({"version", "--deps", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["dependencies"].contains("libsodium"));
  EXPECT_TRUE(j["dependencies"].contains("sqlite"));
}

}  // namespace
}  // namespace kinlink::testing
