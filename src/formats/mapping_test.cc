#include "formats/mapping.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/limits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kinlink::formats {
namespace {

using record::Field;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ConvertDateTest, ConvertsValidDates) {
  struct Case {
    const char* value;
    const char* format;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"19870312", "%Y%m%d", "1987-03-12"},     {"12/03/1987", "%d/%m/%Y", "1987-03-12"},
      {"3/7/1987", "%-d/%-m/%Y", "1987-07-03"}, {"12.11.1987", "%-d.%-m.%Y", "1987-11-12"},
      {"1987-03", "%Y-%m", "1987-03"},          {"1987", "%Y", "1987"},
      {"born 1987", "born %Y", "1987"},         {"50%1987", "50%%%Y", "1987"},
      {"20000229", "%Y%m%d", "2000-02-29"},     {"", "%Y%m%d", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.value) + " / " + c.format);
    Result<std::string> got = ConvertDate(c.value, c.format);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want);
  }
}

TEST(ConvertDateTest, RejectsBadDatesWithoutQuotingThem) {
  struct Case {
    const char* value;
    const char* format;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"19620230", "%Y%m%d", "day 30 does not exist in 1962-02"},
      {"19000229", "%Y%m%d", "day 29 does not exist in 1900-02"},
      {"19871312", "%Y%m%d", "month 13 is not 1-12"},
      {"19870012", "%Y%m%d", "month 0 is not 1-12"},
      {"19870300", "%Y%m%d", "day 0 does not exist in 1987-03"},
      {"00000312", "%Y%m%d", "year 0 is not 1-9999"},
      {"1987031", "%Y%m%d", "does not fit the date format %Y%m%d"},
      {"198703123", "%Y%m%d", "does not fit the date format %Y%m%d"},
      {"1987-03-12", "%Y%m%d", "does not fit the date format %Y%m%d"},
      {"12-03-1987", "%d/%m/%Y", "does not fit the date format %d/%m/%Y"},
      {"abcd", "%Y", "does not fit the date format %Y"},
      {" 1987", "%Y", "does not fit the date format %Y"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.value) + " / " + c.format);
    Result<std::string> got = ConvertDate(c.value, c.format);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.reason);
  }
}

TEST(ConvertDateTest, FutureDatesAreLeftToValidation) {
  // ConvertDate knows no "today"; it only checks the calendar.
  Result<std::string> got = ConvertDate("99991231", "%Y%m%d");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "9999-12-31");
}

TEST(CheckDateFormatTest, AcceptsAndRejectsFormats) {
  for (const char* ok : {"%Y%m%d", "%Y", "%Y-%m", "%d.%m.%Y", "%-d/%-m/%Y", "%m/%Y", "%%%Y"}) {
    EXPECT_TRUE(CheckDateFormat(ok).ok()) << ok;
  }
  struct Bad {
    const char* format;
    const char* reason_part;
  };
  const std::vector<Bad> bad = {
      {"", "empty"},
      {"%y%m%d", "%y is not accepted"},
      {"%d/%m", "no %Y"},
      {"%Y%Y", "repeats %Y"},
      {"%Y%d", "a day but no month"},
      {"%Y%m%m", "repeats the month"},
      {"%Y%m%d%d", "repeats the day"},
      {"%Y%H", "unknown conversion %H"},
      {"%Y%-Y", "unknown conversion %-Y"},
      {"%Y%", "lone %"},
      {"%Y%-", "ends with %-"},
      {"%-m%-d%Y", "%-m must be followed by a separator"},
  };
  for (const Bad& b : bad) {
    Status s = CheckDateFormat(b.format);
    ASSERT_FALSE(s.ok()) << b.format;
    EXPECT_THAT(s.message(), HasSubstr(b.reason_part)) << b.format;
  }
}

TEST(MappingTest, ParsesAllValueForms) {
  Result<Mapping> m = Mapping::Parse(R"(
# comment
[fields]
id = "rec_id"
family_name = "surname"
address = ["street_number", "address_1", "address_2"]
birth_date = { column = "date_of_birth", format = "%Y%m%d" }
last_seen_date = { column = ["seen_year"] }
[ignore]
columns = ["soc_sec_id", "x"]
)",
                                     "test.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->sources().size(), 5u);
  // Sorted in field order.
  EXPECT_EQ(m->sources()[0].field, Field::kId);
  EXPECT_THAT(m->sources()[0].columns, ElementsAre("rec_id"));
  EXPECT_EQ(m->sources()[1].field, Field::kFamilyName);
  EXPECT_EQ(m->sources()[2].field, Field::kBirthDate);
  EXPECT_THAT(m->sources()[2].columns, ElementsAre("date_of_birth"));
  EXPECT_EQ(m->sources()[2].date_format, "%Y%m%d");
  EXPECT_EQ(m->sources()[3].field, Field::kAddress);
  EXPECT_THAT(m->sources()[3].columns, ElementsAre("street_number", "address_1", "address_2"));
  EXPECT_TRUE(m->sources()[3].date_format.empty());
  EXPECT_EQ(m->sources()[4].field, Field::kLastSeenDate);
  EXPECT_THAT(m->sources()[4].columns, ElementsAre("seen_year"));
  EXPECT_THAT(m->ignored(), ElementsAre("soc_sec_id", "x"));
  EXPECT_FALSE(m->trim());
}

TEST(MappingTest, TrimOption) {
  Result<Mapping> m = Mapping::Parse("[options]\ntrim = true\n[fields]\nid = \"a\"\n", "t");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->trim());
}

TEST(MappingTest, ErrorsNameOriginLineAndProblem) {
  struct Case {
    const char* name;
    const char* toml;
    const char* message;  // exact
  };
  const std::vector<Case> cases = {
      {"unknown field", "[fields]\nid = \"a\"\nbirthdate = \"dob\"\n",
       "map.toml, line 3: unknown Kinlink field 'birthdate' under [fields]"},
      {"format on non-date", "[fields]\n\nfull_name = { column = \"n\", format = \"%Y\" }\n",
       "map.toml, line 3: field 'full_name' is not a date: it takes no date format"},
      {"bad format", "[fields]\nbirth_date = { column = \"d\", format = \"%y%m%d\" }\n",
       "map.toml, line 2: field 'birth_date': %y is not accepted (a two-digit year has no "
       "century); use %Y"},
      {"empty list", "[fields]\naddress = []\n",
       "map.toml, line 2: field 'address': the column list is empty"},
      {"empty column", "[fields]\naddress = \"\"\n",
       "map.toml, line 2: field 'address': empty column name"},
      {"non-string column", "[fields]\naddress = [\"a\", 3]\n",
       "map.toml, line 2: field 'address': column names must be strings"},
      {"number value", "[fields]\nid = 3\n",
       "map.toml, line 2: field 'id': expected a column name or a list of column names"},
      {"no column in table", "[fields]\nbirth_date = { format = \"%Y\" }\n",
       "map.toml, line 2: field 'birth_date': no column given"},
      {"unknown key in table", "[fields]\nbirth_date = { column = \"d\", fmt = \"%Y\" }\n",
       "map.toml, line 2: field 'birth_date': unknown key 'fmt' (expected column, format)"},
      {"unknown table", "[fields]\nid = \"a\"\n[feilds]\nx = \"y\"\n",
       "map.toml, line 3: unknown table 'feilds' (expected [fields], [ignore], [options])"},
      {"unknown ignore key", "[ignore]\ncols = [\"a\"]\n",
       "map.toml, line 2: unknown key 'cols' under [ignore] (expected columns)"},
      {"bad trim", "[options]\ntrim = \"yes\"\n", "map.toml, line 2: trim must be true or false"},
      {"top-level key", "fields = 3\n", "map.toml, line 1: 'fields' must be a table"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<Mapping> m = Mapping::Parse(c.toml, "map.toml");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(m.status().message(), c.message);
  }
}

TEST(MappingTest, SyntaxErrorsAndDuplicatesNameTheLine) {
  Result<Mapping> syntax = Mapping::Parse("[fields]\nid = \"a\"\nfull_name = \n", "x.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(syntax.status().message(), HasSubstr("x.toml, line 3: TOML syntax: "));

  // A field mapped twice is a TOML redefinition.
  Result<Mapping> twice = Mapping::Parse("[fields]\nid = \"a\"\nid = \"b\"\n", "x.toml");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(twice.status().message(), HasSubstr("x.toml, line 3: TOML syntax: "));
}

TEST(MappingTest, LoadFileErrors) {
  Result<Mapping> missing = Mapping::LoadFile("/nonexistent/kl/map.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  std::string path = (std::filesystem::temp_directory_path() /
                      ("kl_mapping_test_" + std::to_string(getpid()) + ".toml"))
                         .string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "# " << std::string(limits::kMaxMappingFileBytes, 'x') << "\n";
  }
  Result<Mapping> big = Mapping::LoadFile(path);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  {
    std::ofstream out(path, std::ios::binary);
    out << "[fields]\nfull_name = \"name\"\nsex = 7\n";
  }
  Result<Mapping> bad = Mapping::LoadFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr(path + ", line 3: field 'sex'"));
  std::filesystem::remove(path);
}

TEST(MappingTest, FebrlMappingFileLoads) {
  // The lead moves the file to data/mappings/; accept either place.
  std::string path;
  for (const char* rel : {"/data/mappings/febrl.toml"}) {
    if (std::filesystem::exists(std::string(KL_SOURCE_DIR) + rel)) {
      path = std::string(KL_SOURCE_DIR) + rel;
      break;
    }
  }
  ASSERT_FALSE(path.empty()) << "febrl.toml not found";
  Result<Mapping> m = Mapping::LoadFile(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->trim());
  EXPECT_THAT(m->ignored(), ElementsAre("soc_sec_id"));
  bool has_birth_date = false;
  for (const FieldSource& s : m->sources()) {
    if (s.field == Field::kBirthDate) {
      has_birth_date = true;
      EXPECT_EQ(s.date_format, "%Y%m%d");
      EXPECT_THAT(s.columns, ElementsAre("date_of_birth"));
    }
  }
  EXPECT_TRUE(has_birth_date);
}

}  // namespace
}  // namespace kinlink::formats
