#include "formats/record_reader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kinlink::formats {
namespace {

using record::Field;
using record::Kind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct ReadResult {
  std::vector<ReadRow> rows;
  std::vector<std::string> warnings;
};

ReadResult ReadAllRows(std::string data, const Mapping* mapping = nullptr,
                       Kind kind = Kind::kPerson, const CsvLimits& limits = {}) {
  ReadResult out;
  Result<std::unique_ptr<RecordReader>> reader =
      RecordReader::FromString(std::move(data), mapping, kind, limits);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  out.warnings = (*reader)->warnings();
  for (;;) {
    ReadRow row;
    Result<bool> more = (*reader)->Next(&row);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.rows.push_back(std::move(row));
  }
  return out;
}

Status OpenError(std::string data, const Mapping* mapping = nullptr) {
  return RecordReader::FromString(std::move(data), mapping, Kind::kPerson).status();
}

Mapping ParseMapping(std::string_view toml) {
  Result<Mapping> m = Mapping::Parse(toml, "test.toml");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : Mapping();
}

// The FEBRL mapping, wherever the lead has put it.
std::string FebrlMappingPath() {
  for (const char* rel : {"/data/mappings/febrl.toml"}) {
    std::string path = std::string(KL_SOURCE_DIR) + rel;
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

TEST(RowIssueTest, ToStringFormats) {
  RowIssue issue{7, 10, "birth_date", "month 13 is not 1-12"};
  EXPECT_EQ(issue.ToString(), "line 7, column 10 (birth_date): month 13 is not 1-12");
  RowIssue whole{3, 0, "", "expected 2 fields as in the header, found 3"};
  EXPECT_EQ(whole.ToString(), "line 3: expected 2 fields as in the header, found 3");
}

TEST(RecordReaderTest, ReadsCanonicalFile) {
  ReadResult r = ReadAllRows(
      "id,full_name,sex,birth_date,locality\r\n"
      "p1,محمد الحسن,m,1987-03,Aleppo\r\n"
      "p2,\"Doe, Jane\",f,,\r\n");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_TRUE(r.warnings.empty());
  const ReadRow& a = r.rows[0];
  EXPECT_TRUE(a.issues.empty());
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.record.kind(), Kind::kPerson);
  EXPECT_EQ(a.record.Get(Field::kId), "p1");
  EXPECT_EQ(a.record.Get(Field::kFullName), "محمد الحسن");
  EXPECT_EQ(a.record.Get(Field::kBirthDate), "1987-03");
  EXPECT_EQ(a.record.Get(Field::kLocality), "Aleppo");
  EXPECT_TRUE(r.rows[1].issues.empty());
  EXPECT_EQ(r.rows[1].record.Get(Field::kFullName), "Doe, Jane");
  EXPECT_FALSE(r.rows[1].record.Has(Field::kBirthDate));
}

TEST(RecordReaderTest, KindIsApplied) {
  ReadResult r = ReadAllRows("full_name,enquirer_name\nA B,C D\n", nullptr, Kind::kRequest);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(r.rows[0].issues.empty());
  EXPECT_EQ(r.rows[0].record.kind(), Kind::kRequest);
  EXPECT_EQ(r.rows[0].record.Get(Field::kEnquirerName), "C D");
}

TEST(RecordReaderTest, FileWithBomCrlfAndEmbeddedNewlines) {
  ReadResult r = ReadAllRows(
      "\xEF\xBB\xBF"
      "id,full_name,notes\r\n"
      "1,A B,\"first\r\nsecond\"\r\n"
      "\r\n"
      "2,C D,x\r\n");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_TRUE(r.rows[0].issues.empty());
  EXPECT_EQ(r.rows[0].record.Get(Field::kId), "1");
  EXPECT_EQ(r.rows[0].record.Get(Field::kNotes), "first\r\nsecond");
  EXPECT_EQ(r.rows[1].line, 5u);
  EXPECT_EQ(r.rows[1].record.Get(Field::kId), "2");
}

TEST(RecordReaderTest, BadRowsAreReportedAndRestRead) {
  struct Case {
    const char* name;
    std::string row;
    std::size_t column;
    std::string column_name;
    std::string reason_part;
  };
  const std::vector<Case> cases = {
      {"too many fields", "2,A,1990,x\n", 0, "", "expected 3 fields as in the header, found 4"},
      {"too few fields", "2,A\n", 0, "", "expected 3 fields as in the header, found 2"},
      {"invalid utf8", "2,A\xC3(,1990\n", 2, "full_name", "not valid UTF-8 (byte 2 of the field)"},
      {"impossible date", "2,A,1990-02-30\n", 3, "birth_date", ""},
      {"bad month", "2,A,1990-13\n", 3, "birth_date", "month 13 is not 1-12"},
      {"future date", "2,A,9999\n", 3, "birth_date", ""},
      {"quote in unquoted", "2,A\"B,1990\n", 2, "full_name", "quote inside an unquoted field"},
      {"no name in row", "2,,1990\n", 2, "full_name", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ReadResult r = ReadAllRows("id,full_name,birth_date\n1,X Y,1980\n" + c.row + "3,Z W,\n");
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_TRUE(r.rows[0].issues.empty());
    EXPECT_TRUE(r.rows[2].issues.empty());
    EXPECT_EQ(r.rows[2].record.Get(Field::kId), "3");
    ASSERT_EQ(r.rows[1].issues.size(), 1u);
    const RowIssue& issue = r.rows[1].issues[0];
    EXPECT_EQ(issue.line, 3u);
    EXPECT_EQ(issue.column, c.column);
    EXPECT_EQ(issue.column_name, c.column_name);
    EXPECT_THAT(issue.reason, HasSubstr(c.reason_part));
    EXPECT_FALSE(issue.reason.empty());
  }
}

TEST(RecordReaderTest, SeveralFieldIssuesInOneRow) {
  ReadResult r = ReadAllRows("full_name,sex,birth_date\n\xFF,q,1990-13\n");
  ASSERT_EQ(r.rows.size(), 1u);
  std::vector<std::size_t> columns;
  for (const RowIssue& i : r.rows[0].issues) columns.push_back(i.column);
  // UTF-8 first (one issue, not repeated by validation), then validation.
  EXPECT_THAT(columns, ElementsAre(1, 2, 3));
  EXPECT_EQ(r.rows[0].issues[0].reason, "not valid UTF-8 (byte 1 of the field)");
}

TEST(RecordReaderTest, HugeFieldIsOneIssueAndFollowingRowsAreFine) {
  std::string data = "id,full_name,notes\n1,A B,ok\n2,C D,";
  data.append(10 * 1024 * 1024, 'n');
  data += "\n3,E F,ok\n";
  ReadResult r = ReadAllRows(std::move(data));
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_TRUE(r.rows[0].issues.empty());
  ASSERT_EQ(r.rows[1].issues.size(), 1u);
  EXPECT_EQ(r.rows[1].issues[0].ToString(),
            "line 3, column 3 (notes): field is over the limit of 16384 bytes (kMaxFieldBytes)");
  EXPECT_TRUE(r.rows[2].issues.empty());
  EXPECT_EQ(r.rows[2].record.Get(Field::kId), "3");
  EXPECT_EQ(r.rows[2].line, 4u);
}

TEST(RecordReaderTest, UnknownColumnsWarnOnce) {
  ReadResult r = ReadAllRows("full_name,soc_sec_id,Birth_Date\nA,1,2\nB,3,4\n");
  EXPECT_THAT(r.warnings,
              ElementsAre("column 2 (soc_sec_id) is not a Kinlink field and is ignored; map it in "
                          "a mapping file or list it under [ignore]",
                          "column 3 (Birth_Date) is not a Kinlink field and is ignored; map it in "
                          "a mapping file or list it under [ignore]"));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_TRUE(r.rows[0].issues.empty());
  EXPECT_FALSE(r.rows[0].record.Has(Field::kBirthDate));
}

// Equality for ColumnUse in the tests below.
bool SameColumn(const ColumnUse& c, std::size_t column, const std::string& name,
                std::optional<Field> field) {
  return c.column == column && c.name == name && c.field == field;
}

TEST(RecordReaderTest, ColumnsTellWhatEachHeaderColumnFills) {
  Result<std::unique_ptr<RecordReader>> reader = RecordReader::FromString(
      "given_name,family_name,birth_date,soc_sec_id\nRana,Haddad,1987,1\n", nullptr, Kind::kPerson);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::vector<ColumnUse>& c = (*reader)->columns();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_TRUE(SameColumn(c[0], 1, "given_name", Field::kGivenName));
  EXPECT_TRUE(SameColumn(c[1], 2, "family_name", Field::kFamilyName));
  EXPECT_TRUE(SameColumn(c[2], 3, "birth_date", Field::kBirthDate));
  EXPECT_TRUE(SameColumn(c[3], 4, "soc_sec_id", std::nullopt));
}

TEST(RecordReaderTest, ColumnsWithAMappingShowJoinedIgnoredAndShadowedColumns) {
  Mapping m = ParseMapping(R"(
[fields]
id = "rec_id"
address = ["number", "street"]
[ignore]
columns = ["secret"]
)");
  Result<std::unique_ptr<RecordReader>> reader = RecordReader::FromString(
      "id,rec_id,number,street,secret,full_name\nold,new,1,Main,x,A B\n", &m, Kind::kPerson);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::vector<ColumnUse>& c = (*reader)->columns();
  ASSERT_EQ(c.size(), 6u);
  EXPECT_TRUE(SameColumn(c[0], 1, "id", std::nullopt));  // the mapping fills id from rec_id
  EXPECT_TRUE(SameColumn(c[1], 2, "rec_id", Field::kId));
  EXPECT_TRUE(SameColumn(c[2], 3, "number", Field::kAddress));
  EXPECT_TRUE(SameColumn(c[3], 4, "street", Field::kAddress));
  EXPECT_TRUE(SameColumn(c[4], 5, "secret", std::nullopt));
  EXPECT_TRUE(SameColumn(c[5], 6, "full_name", Field::kFullName));
}

TEST(RecordReaderTest, WholeFileErrors) {
  struct Case {
    const char* name;
    std::string data;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"empty", "", "file is empty: expected a header row"},
      {"blank lines only", "\r\n\r\n", "file is empty: expected a header row"},
      {"duplicate", "full_name,id,full_name\n", "header column 3 (full_name) repeats column 1"},
      {"empty name", "full_name,,id\n", "header column 2 has no name"},
      {"no name column", "id,birth_date\n1,1990\n",
       "no name column: the file must have full_name, given_name or family_name (or a mapping "
       "to them)"},
      {"bad header utf8", "full_name,\xC0\n", "header column 2 is not valid UTF-8"},
      {"malformed header", "full_name,\"id\n",
       "header row (line 1, column 2): quoted field never closed (opened on line 1)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Status s = OpenError(c.data);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(RecordReaderTest, OpenMissingFileIsNotFound) {
  Result<std::unique_ptr<RecordReader>> r =
      RecordReader::Open("/nonexistent/kl/in.csv", nullptr, Kind::kPerson);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(RecordReaderTest, RowLimitFailsNext) {
  CsvLimits limits;
  limits.max_rows = 1;
  Result<std::unique_ptr<RecordReader>> reader =
      RecordReader::FromString("full_name\nA\nB\n", nullptr, Kind::kPerson, limits);
  ASSERT_TRUE(reader.ok());
  ReadRow row;
  ASSERT_TRUE(*(*reader)->Next(&row));
  Result<bool> more = (*reader)->Next(&row);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kResourceExhausted);
}

TEST(RecordReaderTest, MappingBindsJoinsAndConvertsDates) {
  Mapping m = ParseMapping(R"(
[fields]
family_name = "surname"
address = ["number", "street"]
birth_date = { column = "dob", format = "%d/%m/%Y" }
[ignore]
columns = ["secret"]
)");
  ReadResult r = ReadAllRows(
      "surname,number,street,dob,secret,given_name,extra\n"
      "Haddad,12,Main St,03/07/1987,x,Rana,y\n"
      "Haddad,,Main St,,x,Rana,y\n"
      "Haddad,1,Side,30/02/1987,x,Rana,y\n",
      &m);
  // given_name is canonical and unmapped: still bound. extra warns; secret is ignored.
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("column 7 (extra) is not a Kinlink field"));
  ASSERT_EQ(r.rows.size(), 3u);
  const record::Record& a = r.rows[0].record;
  EXPECT_TRUE(r.rows[0].issues.empty());
  EXPECT_EQ(a.Get(Field::kFamilyName), "Haddad");
  EXPECT_EQ(a.Get(Field::kGivenName), "Rana");
  EXPECT_EQ(a.Get(Field::kAddress), "12 Main St");
  EXPECT_EQ(a.Get(Field::kBirthDate), "1987-07-03");
  EXPECT_TRUE(r.rows[1].issues.empty());
  EXPECT_EQ(r.rows[1].record.Get(Field::kAddress), "Main St");
  EXPECT_FALSE(r.rows[1].record.Has(Field::kBirthDate));
  ASSERT_EQ(r.rows[2].issues.size(), 1u);
  EXPECT_EQ(r.rows[2].issues[0].ToString(),
            "line 4, column 4 (dob): day 30 does not exist in 1987-02");
}

TEST(RecordReaderTest, MappedFieldOverridesCanonicalColumn) {
  Mapping m = ParseMapping("[fields]\nid = \"rec_id\"\nfull_name = \"name\"\n");
  ReadResult r = ReadAllRows("id,rec_id,name\nold,new,A B\n", &m);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "column 1 (id) is ignored: the mapping fills id from another column");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].record.Get(Field::kId), "new");
}

TEST(RecordReaderTest, MappingErrorsAtOpen) {
  Mapping m = ParseMapping("[fields]\nfull_name = \"name\"\nbirth_date = \"dob\"\n");
  Status s = OpenError("name,born\nA,1990\n", &m);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "mapping field 'birth_date' names column 'dob', which the file does not have");

  Mapping no_name = ParseMapping("[fields]\nid = \"rec\"\n");
  Status s2 = OpenError("rec,x\n1,2\n", &no_name);
  ASSERT_FALSE(s2.ok());
  EXPECT_THAT(s2.message(), HasSubstr("no name column"));
}

TEST(RecordReaderTest, TrimOptionStripsHeaderAndValues) {
  Mapping m = ParseMapping(
      "[options]\ntrim = true\n[fields]\nid = \"rec_id\"\nfamily_name = \"surname\"\n"
      "birth_date = { column = \"dob\", format = \"%Y%m%d\" }\n");
  ReadResult r = ReadAllRows("rec_id, surname, dob\nr1, neumann , 19151111\nr2, x, \n", &m);
  EXPECT_TRUE(r.warnings.empty());
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_TRUE(r.rows[0].issues.empty());
  EXPECT_EQ(r.rows[0].record.Get(Field::kFamilyName), "neumann");
  EXPECT_EQ(r.rows[0].record.Get(Field::kBirthDate), "1915-11-11");
  EXPECT_TRUE(r.rows[1].issues.empty());
  EXPECT_FALSE(r.rows[1].record.Has(Field::kBirthDate));

  // Without trim, the same header does not match the mapping.
  Mapping plain = ParseMapping("[fields]\nid = \"rec_id\"\nfamily_name = \"surname\"\n");
  Status s = OpenError("rec_id, surname\nr1, x\n", &plain);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("names column 'surname'"));
}

TEST(RecordReaderTest, FebrlSampleReadsWithMapping) {
  const std::string csv_path =
      std::string(KL_SOURCE_DIR) + "/../shared/eval-data/febrl/dataset4a.csv";
  const std::string map_path = FebrlMappingPath();
  if (!std::filesystem::exists(csv_path) || map_path.empty()) {
    GTEST_SKIP() << "FEBRL sample or mapping not present";
  }
  Result<Mapping> m = Mapping::LoadFile(map_path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Result<std::unique_ptr<RecordReader>> reader = RecordReader::Open(csv_path, &*m, Kind::kPerson);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->warnings().empty());

  ReadRow row;
  ASSERT_TRUE(*(*reader)->Next(&row));
  // rec-1070-org, michaela, neumann, 8, stanley street, miami, winston hills,
  // 4223, nsw, 19151111, 5304218
  EXPECT_TRUE(row.issues.empty());
  EXPECT_EQ(row.line, 2u);
  EXPECT_EQ(row.record.Get(Field::kId), "rec-1070-org");
  EXPECT_EQ(row.record.Get(Field::kGivenName), "michaela");
  EXPECT_EQ(row.record.Get(Field::kFamilyName), "neumann");
  EXPECT_EQ(row.record.Get(Field::kAddress), "8 stanley street miami");
  EXPECT_EQ(row.record.Get(Field::kLocality), "winston hills");
  EXPECT_EQ(row.record.Get(Field::kPostcode), "4223");
  EXPECT_EQ(row.record.Get(Field::kRegion), "nsw");
  EXPECT_EQ(row.record.Get(Field::kBirthDate), "1915-11-11");

  // The whole file: every row but one is good (some have no date of birth).
  std::size_t rows = 1, with_issues = 0, without_birth = 0;
  while (*(*reader)->Next(&row)) {
    ++rows;
    if (!row.issues.empty()) {
      ++with_issues;
      // The one row of the sample without any name.
      EXPECT_EQ(row.issues[0].ToString(),
                "line 3778: no name: fill full_name, given_name or family_name");
    }
    if (!row.record.Has(Field::kBirthDate)) ++without_birth;
  }
  EXPECT_EQ(rows, 5000u);
  EXPECT_EQ(with_issues, 1u);
  EXPECT_GT(without_birth, 0u);
  EXPECT_EQ((*reader)->bytes_consumed(), (*reader)->total_bytes());
}

TEST(RecordReaderTest, OpenReadsFromFile) {
  std::string path =
      (std::filesystem::temp_directory_path() / ("kl_rr_test_" + std::to_string(getpid()) + ".csv"))
          .string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "full_name,age\r\nA B,34\r\nC D,200\r\n";
  }
  Result<std::unique_ptr<RecordReader>> reader = RecordReader::Open(path, nullptr, Kind::kPerson);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ReadRow row;
  ASSERT_TRUE(*(*reader)->Next(&row));
  EXPECT_TRUE(row.issues.empty());
  EXPECT_EQ(row.record.Get(Field::kAge), "34");
  ASSERT_TRUE(*(*reader)->Next(&row));
  ASSERT_EQ(row.issues.size(), 1u);
  EXPECT_EQ(row.issues[0].column, 2u);
  EXPECT_EQ(row.issues[0].column_name, "age");
  EXPECT_FALSE(*(*reader)->Next(&row));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kinlink::formats

namespace kinlink::formats {
namespace {

TEST(RecordReaderLenientTest, InvalidFieldsAreBlankedAndRowsKept) {
  auto reader = RecordReader::FromString(
      "id,full_name,birth_date,sex\n"
      "a,Amina Warsame,2023-02-30,f\n"
      "b,,1990,q\n"
      "c,Bad \xFF Name,1991,m\n"
      "d,Only,Two\n",
      nullptr, record::Kind::kPerson);
  ASSERT_TRUE(reader.ok());
  (*reader)->set_blank_invalid_fields(true);
  ReadRow row;
  ASSERT_TRUE(*(*reader)->Next(&row));
  EXPECT_TRUE(row.issues.empty());
  EXPECT_EQ(row.record.Get(record::Field::kFullName), "Amina Warsame");
  EXPECT_EQ(row.record.Get(record::Field::kBirthDate), "");
  ASSERT_EQ(row.blanked.size(), 1u);
  EXPECT_EQ(row.blanked[0].column_name, "birth_date");

  ASSERT_TRUE(*(*reader)->Next(&row));  // no name, bad sex: kept, sex blanked
  EXPECT_TRUE(row.issues.empty());
  EXPECT_EQ(row.record.Get(record::Field::kSex), "");
  EXPECT_EQ(row.record.Get(record::Field::kBirthDate), "1990");

  ASSERT_TRUE(*(*reader)->Next(&row));  // invalid UTF-8 name blanked
  EXPECT_TRUE(row.issues.empty());
  EXPECT_EQ(row.record.Get(record::Field::kFullName), "");
  EXPECT_EQ(row.record.Get(record::Field::kSex), "m");

  ASSERT_TRUE(*(*reader)->Next(&row));  // wrong field count: still rejected
  EXPECT_EQ(row.issues.size(), 1u);
  EXPECT_FALSE(*(*reader)->Next(&row));
}

}  // namespace
}  // namespace kinlink::formats
