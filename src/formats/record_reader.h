// RecordReader: a CSV file (canonical, or with a mapping) read as a stream
// of validated records. Everything that can be wrong with a row is reported
// with the line, the column (1-based, with its header name) and a reason
// that never quotes the value; good rows are returned as records.
//
// Header rules: a canonical header needs no mapping; with a mapping, the
// mapped source columns must all exist. Columns that are neither canonical
// (or mapped) nor ignored give one warning each. An empty file, a header
// with a duplicate or empty column name, or a header naming no name field
// (full_name, given_name, family_name) is an error of the whole file.
//
// Binding: with no mapping, each column named like a Kinlink field fills
// that field. With a mapping, its fields are filled from their source
// columns, and a canonical-named column that the mapping does not mention
// still fills its field (unless the mapping fills that field from another
// column: then the column is ignored with a warning). The mapping is only
// read during Open; it need not outlive the reader.
//
// Per row, in order: the CSV error if any (one issue); the column count;
// then for every column that is used, UTF-8 (byte positions are 1-based)
// and the date format of its binding; then record::Validate. A field with
// an issue is not reported again by Validate. Columns that are not used are
// not checked at all.
//
// Thread-safety: one reader per thread.
//
//   KL_ASSIGN_OR_RETURN(auto reader, RecordReader::Open(path, nullptr, Kind::kPerson));
//   ReadRow row;
//   while (true) {
//     KL_ASSIGN_OR_RETURN(bool more, reader->Next(&row));
//     if (!more) break;
//     if (!row.issues.empty()) { report(row.issues); continue; }
//     use(row.record);
//   }
#ifndef KINLINK_FORMATS_RECORD_READER_H_
#define KINLINK_FORMATS_RECORD_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "formats/csv.h"
#include "formats/mapping.h"
#include "record/record.h"

namespace kinlink::formats {

struct RowIssue {
  std::uint64_t line = 0;
  std::size_t column = 0;   // 1-based; 0 = the whole row
  std::string column_name;  // header name of that column ("" for 0)
  std::string reason;
  std::string ToString() const;  // "line 7, column 10 (birth_date): ..."
};

// One column of the header and the Kinlink field it fills.
struct ColumnUse {
  std::size_t column = 0;  // 1-based position in the header
  std::string name;        // its header name (trimmed when the mapping trims)
  // The field its values go to; nullopt when the column is ignored (not a
  // Kinlink field, listed under [ignore], or shadowed by a mapped column).
  // With a mapping, several columns may fill one field (joined by " ").
  std::optional<record::Field> field;
};

struct ReadRow {
  std::uint64_t line = 0;
  record::Record record;
  std::vector<RowIssue> issues;  // empty: `record` is valid
  // Lenient mode only: fields that were invalid and were left empty.
  std::vector<RowIssue> blanked;
};

class RecordReader {
 public:
  // `mapping` may be null (canonical header). `kind` is the kind of every
  // record read. The file's header is read and checked here.
  static Result<std::unique_ptr<RecordReader>> Open(const std::string& path, const Mapping* mapping,
                                                    record::Kind kind,
                                                    const CsvLimits& limits = {});
  static Result<std::unique_ptr<RecordReader>> FromString(std::string data, const Mapping* mapping,
                                                          record::Kind kind,
                                                          const CsvLimits& limits = {});

  // Reads the next data row. False at the end. Fails only on I/O errors
  // and the row limit.
  Result<bool> Next(ReadRow* row);

  // Lenient mode, for matching files (`link`, `dedupe`) rather than storing
  // them: a field with an invalid value (bad UTF-8, an impossible date, a
  // bad sex, ...) is left empty and reported in ReadRow::blanked instead of
  // rejecting the row, and a row without any name is kept. Rows that are
  // malformed as CSV (quotes, field count, over-long) are still rejected.
  void set_blank_invalid_fields(bool on) { lenient_ = on; }

  // One per unknown column, e.g. "column 5 (soc_sec_id) is not a Kinlink
  // field and is ignored; map it in a mapping file or list it under
  // [ignore]".
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Every header column, in order, with the field it fills (set by Open).
  const std::vector<ColumnUse>& columns() const { return columns_; }
  std::uint64_t bytes_consumed() const { return csv_->bytes_consumed(); }
  std::uint64_t total_bytes() const { return csv_->total_bytes(); }

 private:
  struct Binding {
    record::Field field;
    std::vector<std::size_t> columns;  // 0-based source columns
    std::string date_format;
  };
  RecordReader(std::unique_ptr<CsvReader> csv, record::Kind kind);
  Status ReadHeader(const Mapping* mapping);

  std::unique_ptr<CsvReader> csv_;
  record::Kind kind_;
  std::vector<std::string> header_;
  std::vector<Binding> bindings_;
  std::vector<std::string> warnings_;
  std::vector<ColumnUse> columns_;
  record::ValidationContext context_;
  bool trim_ = false;  // Mapping::trim()
  bool lenient_ = false;
  CsvRow csv_row_;     // reused between rows
};

}  // namespace kinlink::formats

#endif  // KINLINK_FORMATS_RECORD_READER_H_
