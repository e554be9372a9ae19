#include "formats/csv.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kinlink::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Fields = std::vector<std::string>;

// Reads every row of `data`, stopping at the end or at a failed Next.
std::vector<CsvRow> ReadAll(std::string data, const CsvLimits& limits = {}) {
  auto reader = CsvReader::FromString(std::move(data), limits);
  std::vector<CsvRow> rows;
  for (;;) {
    CsvRow row;
    Result<bool> more = reader->Next(&row);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    rows.push_back(std::move(row));
  }
  return rows;
}

class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    path_ = (std::filesystem::temp_directory_path() /
             ("kl_csv_test_" + std::to_string(getpid()) + "_" + std::to_string(counter_++)))
                .string();
    std::ofstream out(path_, std::ios::binary);
    out << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

struct ParseCase {
  const char* name;
  std::string input;
  std::vector<Fields> rows;
  std::vector<std::uint64_t> lines;
};

TEST(CsvReaderTest, ParsesWellFormedInput) {
  const std::vector<ParseCase> cases = {
      {"simple LF", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}, {1, 2}},
      {"no final line end", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}, {1, 2}},
      {"CRLF", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}, {1, 2}},
      {"BOM",
       "\xEF\xBB\xBF"
       "id,name\r\n7,x\r\n",
       {{"id", "name"}, {"7", "x"}},
       {1, 2}},
      {"BOM only in first position",
       "a\n\xEF\xBB\xBF"
       "b\n",
       {{"a"},
        {"\xEF\xBB\xBF"
         "b"}},
       {1, 2}},
      {"empty fields", ",,\n", {{"", "", ""}}, {1}},
      {"trailing comma", "a,\n", {{"a", ""}}, {1}},
      {"quoted comma", "\"a,b\",c\n", {{"a,b", "c"}}, {1}},
      {"escaped quote", "\"say \"\"hi\"\"\",x\n", {{"say \"hi\"", "x"}}, {1}},
      {"empty quoted", "\"\",\"\"\n", {{"", ""}}, {1}},
      {"quoted at end of input", "a,\"b\"", {{"a", "b"}}, {1}},
      {"quoted then CRLF", "\"a\"\r\n\"b\"\r\n", {{"a"}, {"b"}}, {1, 2}},
      {"blank lines skipped", "\n\na\n\r\n\nb\n\n", {{"a"}, {"b"}}, {3, 6}},
      {"lone CR is data", "a\rb,c\n", {{"a\rb", "c"}}, {1}},
      {"CR at end of input", "a,b\r", {{"a", "b"}}, {1}},
      {"spaces kept", " a , b \n", {{" a ", " b "}}, {1}},
      {"utf8 passes through", "محمد,Łódź\n", {{"محمد", "Łódź"}}, {1}},
      {"empty input", "", {}, {}},
      {"only blank lines", "\r\n\n", {}, {}},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<CsvRow> rows = ReadAll(c.input);
    ASSERT_EQ(rows.size(), c.rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_FALSE(rows[i].error.has_value()) << rows[i].error->reason;
      EXPECT_EQ(rows[i].fields, c.rows[i]);
      EXPECT_EQ(rows[i].line, c.lines[i]);
    }
  }
}

TEST(CsvReaderTest, QuotedFieldKeepsNewlineAndCountsLines) {
  std::vector<CsvRow> rows =
      ReadAll("id,notes\r\n1,\"two\r\nlines\"\r\n2,\"three\nmore\nlines\"\n3,x\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "two\r\nlines"));
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_THAT(rows[2].fields, ElementsAre("2", "three\nmore\nlines"));
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_THAT(rows[3].fields, ElementsAre("3", "x"));
  EXPECT_EQ(rows[3].line, 7u);
}

struct ErrorCase {
  const char* name;
  std::string input;
  std::size_t bad_row;  // index of the row with the error
  std::size_t column;
  std::string reason_part;
  std::size_t total_rows;
};

TEST(CsvReaderTest, MalformedRowsReportAndResync) {
  const std::vector<ErrorCase> cases = {
      {"quote in unquoted", "a,b\n1,x\"y\n2,z\n", 1, 2, "quote inside an unquoted field", 3},
      {"text after closing quote", "a,b\n\"1\"x,y\n2,z\n", 1, 1,
       "characters after the closing quote", 3},
      {"never closed", "a,b\n1,\"open\n2,z\n", 1, 2, "quoted field never closed (opened on line 2)",
       2},
      {"quote in unquoted then quoted newline", "a,b\nx\"y,\"p\nq\"\nok,1\n", 1, 1,
       "quote inside an unquoted field", 3},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<CsvRow> rows = ReadAll(c.input);
    ASSERT_EQ(rows.size(), c.total_rows);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i == c.bad_row) {
        ASSERT_TRUE(rows[i].error.has_value());
        EXPECT_EQ(rows[i].error->column, c.column);
        EXPECT_THAT(rows[i].error->reason, HasSubstr(c.reason_part));
        EXPECT_TRUE(rows[i].fields.empty());
      } else {
        EXPECT_FALSE(rows[i].error.has_value()) << rows[i].error->reason;
      }
    }
  }
}

TEST(CsvReaderTest, RowAfterEmbeddedNewlineErrorHasRightLine) {
  std::vector<CsvRow> rows = ReadAll("a,b\nx\"y,\"p\nq\"\nok,1\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_THAT(rows[2].fields, ElementsAre("ok", "1"));
}

TEST(CsvReaderTest, HugeFieldIsOneErrorAndNotHeld) {
  std::string data = "id,notes\n1,short\n2,";
  data.append(10 * 1024 * 1024, 'x');
  data += "\n3,after\n";
  std::vector<CsvRow> rows = ReadAll(std::move(data));
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_TRUE(rows[2].error.has_value());
  EXPECT_EQ(rows[2].error->column, 2u);
  EXPECT_EQ(rows[2].error->reason, "field is over the limit of 16384 bytes (kMaxFieldBytes)");
  EXPECT_EQ(rows[2].line, 3u);
  EXPECT_TRUE(rows[2].fields.empty());
  EXPECT_FALSE(rows[1].error.has_value());
  EXPECT_FALSE(rows[3].error.has_value());
  EXPECT_THAT(rows[3].fields, ElementsAre("3", "after"));
  EXPECT_EQ(rows[3].line, 4u);
}

TEST(CsvReaderTest, HugeQuotedFieldWithNewlinesFromFile) {
  // From a file, so that the field spans many 1 MiB buffer refills.
  std::string data = "id,notes\n1,\"";
  for (int i = 0; i < 200000; ++i) data += "line of text\n";  // 2.6 MB, 200000 newlines
  data += "\"\n2,after\n";
  TempFile file(data);
  Result<std::unique_ptr<CsvReader>> reader = CsvReader::OpenFile(file.path());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  CsvRow row;
  ASSERT_TRUE(*(*reader)->Next(&row));
  ASSERT_TRUE(*(*reader)->Next(&row));
  ASSERT_TRUE(row.error.has_value());
  EXPECT_EQ(row.error->column, 2u);
  ASSERT_TRUE(*(*reader)->Next(&row));
  EXPECT_FALSE(row.error.has_value());
  EXPECT_THAT(row.fields, ElementsAre("2", "after"));
  EXPECT_EQ(row.line, 200003u);
  EXPECT_FALSE(*(*reader)->Next(&row));
  EXPECT_EQ((*reader)->bytes_consumed(), data.size());
  EXPECT_EQ((*reader)->total_bytes(), data.size());
}

TEST(CsvReaderTest, LimitsOnRowAndColumns) {
  CsvLimits limits;
  limits.max_field_bytes = 10;
  limits.max_row_bytes = 15;
  limits.max_columns = 3;
  std::vector<CsvRow> rows =
      ReadAll("a,b,c\n12345678901,x\n12345678,12345678\n1,2,3,4\n1,2,3\n", limits);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_FALSE(rows[0].error.has_value());
  ASSERT_TRUE(rows[1].error.has_value());
  EXPECT_EQ(rows[1].error->column, 1u);
  EXPECT_EQ(rows[1].error->reason, "field is over the limit of 10 bytes (kMaxFieldBytes)");
  ASSERT_TRUE(rows[2].error.has_value());
  EXPECT_EQ(rows[2].error->column, 0u);
  EXPECT_THAT(rows[2].error->reason, HasSubstr("15 bytes (kMaxRowBytes)"));
  ASSERT_TRUE(rows[3].error.has_value());
  EXPECT_EQ(rows[3].error->column, 0u);
  EXPECT_THAT(rows[3].error->reason, HasSubstr("more than 3 columns"));
  EXPECT_FALSE(rows[4].error.has_value());
  EXPECT_THAT(rows[4].fields, ElementsAre("1", "2", "3"));
}

TEST(CsvReaderTest, FieldExactlyAtLimitIsAccepted) {
  CsvLimits limits;
  limits.max_field_bytes = 4;
  std::vector<CsvRow> rows = ReadAll("abcd,\"ab\"\"c\"\n", limits);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].error.has_value());
  EXPECT_THAT(rows[0].fields, ElementsAre("abcd", "ab\"c"));
}

TEST(CsvReaderTest, MaxRowsCountsDataRowsOnly) {
  CsvLimits limits;
  limits.max_rows = 2;
  auto reader = CsvReader::FromString("h\n1\n\n2\n3\n", limits);
  CsvRow row;
  for (int i = 0; i < 3; ++i) {
    Result<bool> more = reader->Next(&row);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    EXPECT_TRUE(*more);
  }
  Result<bool> more = reader->Next(&row);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kResourceExhausted);

  auto exact = CsvReader::FromString("h\n1\n2\n", limits);
  int count = 0;
  for (;;) {
    Result<bool> r = exact->Next(&row);
    ASSERT_TRUE(r.ok());
    if (!*r) break;
    ++count;
  }
  EXPECT_EQ(count, 3);
}

TEST(CsvReaderTest, OpenFileErrors) {
  Result<std::unique_ptr<CsvReader>> missing = CsvReader::OpenFile("/nonexistent/kl/file.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  TempFile file("a,b\n1,2\n");
  CsvLimits limits;
  limits.max_file_bytes = 4;
  Result<std::unique_ptr<CsvReader>> big = CsvReader::OpenFile(file.path(), limits);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);

  Result<std::unique_ptr<CsvReader>> dir =
      CsvReader::OpenFile(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
}

TEST(CsvReaderTest, FromStringOverFileLimitFails) {
  CsvLimits limits;
  limits.max_file_bytes = 3;
  auto reader = CsvReader::FromString("a,b\n", limits);
  CsvRow row;
  Result<bool> more = reader->Next(&row);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kResourceExhausted);
}

TEST(CsvReaderTest, FileWithBomAndCrlf) {
  TempFile file(
      "\xEF\xBB\xBF"
      "id,full_name\r\n1,\"Doe, Jane\"\r\n\r\n2,x\r\n");
  Result<std::unique_ptr<CsvReader>> reader = CsvReader::OpenFile(file.path());
  ASSERT_TRUE(reader.ok());
  std::vector<CsvRow> rows;
  CsvRow row;
  while (*(*reader)->Next(&row)) rows.push_back(row);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("id", "full_name"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "Doe, Jane"));
  EXPECT_THAT(rows[2].fields, ElementsAre("2", "x"));
  EXPECT_EQ(rows[2].line, 4u);
}

TEST(CsvReaderTest, ReusedRowDropsStaleFields) {
  auto reader = CsvReader::FromString("a,b,c\nx\n");
  CsvRow row;
  ASSERT_TRUE(*reader->Next(&row));
  EXPECT_EQ(row.fields.size(), 3u);
  ASSERT_TRUE(*reader->Next(&row));
  EXPECT_THAT(row.fields, ElementsAre("x"));
}

TEST(CsvWriterTest, QuotesOnlyWhenNeeded) {
  std::ostringstream out;
  CsvWriter writer(out);
  writer.WriteRow(std::vector<std::string>{"plain", "a,b", "say \"hi\"", "two\nlines", " lead",
                                           "trail ", "mid space", ""});
  EXPECT_EQ(out.str(),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" lead\",\"trail \",mid space,\r\n");
}

TEST(CsvWriterTest, SingleEmptyFieldIsNotABlankLine) {
  std::ostringstream out;
  CsvWriter writer(out);
  writer.WriteRow(std::vector<std::string_view>{""});
  EXPECT_EQ(out.str(), "\"\"\r\n");
}

TEST(CsvWriterTest, RoundTripsThroughReader) {
  const std::vector<Fields> rows = {
      {"id", "notes", "x"},
      {"1", "line\r\nbreak", "\"q\""},
      {"", " spaced ", "a\rb"},
      {""},
  };
  std::ostringstream out;
  CsvWriter writer(out);
  for (const Fields& r : rows) writer.WriteRow(r);
  std::vector<CsvRow> back = ReadAll(out.str());
  ASSERT_EQ(back.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_FALSE(back[i].error.has_value());
    EXPECT_EQ(back[i].fields, rows[i]);
  }
}

}  // namespace
}  // namespace kinlink::formats
