// CSV reading and writing (RFC 4180), streaming, with named limits.
//
// Reader: UTF-8 with or without a BOM; LF or CRLF line ends; quoted fields
// may hold commas, quotes ("") and line breaks. Each row reports the
// physical line it started on. A malformed row (unterminated quote, a quote
// inside an unquoted field, a field over kMaxFieldBytes, a row over
// kMaxRowBytes, too many columns) is returned with an error and the reader
// resumes at the next row; over-long content is skipped, never held in
// memory. The reader does not check UTF-8 (RecordReader does, per field).
//
// Writer: quotes a field only when it holds a comma, quote, CR or LF, or
// starts or ends with a space; rows end with CRLF (RFC 4180).
//
// The reader takes the first row for the header: max_rows limits the rows
// after it. A single empty field is written as "" so that the row is
// not a blank line.
//
// Thread-safety: one reader or writer per thread.
#ifndef KINLINK_FORMATS_CSV_H_
#define KINLINK_FORMATS_CSV_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/result.h"
#include "record/record.h"

namespace kinlink::formats {

struct CsvLimits {
  std::uint64_t max_file_bytes = limits::kMaxImportFileBytes;
  std::uint64_t max_rows = limits::kMaxImportRows;  // data rows, header excluded
  std::size_t max_columns = limits::kMaxColumns;
  std::size_t max_field_bytes = limits::kMaxFieldBytes;
  std::size_t max_row_bytes = limits::kMaxRowBytes;
};

// Where and why a row is malformed. Columns are 1-based; 0 = the whole row.
struct CsvError {
  std::size_t column = 0;
  std::string reason;
};

struct CsvRow {
  std::uint64_t line = 0;  // 1-based physical line where the row starts
  std::vector<std::string> fields;
  std::optional<CsvError> error;  // set: `fields` is incomplete, do not use
};

class CsvReader {
 public:
  // NOT_FOUND / PERMISSION_DENIED when the file cannot be opened;
  // RESOURCE_EXHAUSTED when it is over max_file_bytes.
  static Result<std::unique_ptr<CsvReader>> OpenFile(const std::string& path,
                                                     const CsvLimits& limits = {});
  // Reads from memory (tests, uploads).
  static std::unique_ptr<CsvReader> FromString(std::string data, const CsvLimits& limits = {});

  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next row into `row`. Returns false at the end of the input.
  // A blank line (no bytes between line ends) is skipped. Errors of the
  // input itself go into row->error; the returned Status fails only on an
  // I/O error or when more than max_rows rows follow the header
  // (RESOURCE_EXHAUSTED).
  Result<bool> Next(CsvRow* row);

  std::uint64_t bytes_consumed() const { return consumed_; }
  std::uint64_t total_bytes() const { return total_; }  // 0 if unknown

 private:
  CsvReader(std::FILE* file, std::string data, std::uint64_t total, const CsvLimits& limits);
  bool Fill();  // reads more input into buf_; false at end
  int Peek();
  int Get();
  int PeekSecond();
  // Errors of the input as a whole: I/O, over max_file_bytes.
  Status InputStatus() const;

  std::FILE* file_ = nullptr;
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  bool io_error_ = false;
  bool at_start_ = true;
  std::uint64_t line_ = 1;
  std::uint64_t rows_ = 0;
  std::uint64_t consumed_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t dropped_ = 0;  // bytes discarded from the front of buf_
  std::uint64_t read_ = 0;     // bytes read from file_
  bool over_file_limit_ = false;
  CsvLimits limits_;
};

class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void WriteRow(std::span<const std::string> fields);
  void WriteRow(std::span<const std::string_view> fields);

 private:
  void WriteField(std::string_view field);
  std::ostream& out_;
};

// Writes records as canonical CSV: the header of ColumnsFor(kind) at
// construction, then one row per record.
class RecordCsvWriter {
 public:
  RecordCsvWriter(std::ostream& out, record::Kind kind);
  void Write(const record::Record& record);

 private:
  CsvWriter writer_;
  std::vector<record::Field> columns_;
  std::vector<std::string_view> cells_;
};

}  // namespace kinlink::formats

#endif  // KINLINK_FORMATS_CSV_H_
