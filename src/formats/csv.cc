#include "formats/csv.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace kinlink::formats {
namespace {

// Read size for file input. Large enough that fread and the refill
// bookkeeping disappear from profiles; small enough to be irrelevant next to
// the row limits.
constexpr std::size_t kChunkBytes = 1 << 20;

// Bytes that end an unquoted run: separator, line ends and the quote (which
// is an error there). Everything else is copied in bulk.
constexpr std::array<bool, 256> MakeStopTable() {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = true;
  t[static_cast<unsigned char>('\n')] = true;
  t[static_cast<unsigned char>('\r')] = true;
  t[static_cast<unsigned char>('"')] = true;
  return t;
}
constexpr std::array<bool, 256> kStop = MakeStopTable();

}  // namespace

Result<std::unique_ptr<CsvReader>> CsvReader::OpenFile(const std::string& path,
                                                       const CsvLimits& limits) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    int err = errno;
    std::string msg = "cannot open " + path + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) return NotFoundError(std::move(msg));
    if (err == EACCES || err == EPERM) return PermissionDeniedError(std::move(msg));
    return UnavailableError(std::move(msg));
  }
  struct stat st {};
  std::uint64_t total = 0;
  if (fstat(fileno(file), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      std::fclose(file);
      return InvalidArgumentError(path + " is a directory, not a CSV file");
    }
    // Pipes and devices have no size; their limit is enforced while reading.
    if (S_ISREG(st.st_mode)) total = static_cast<std::uint64_t>(st.st_size);
  }
  if (total > limits.max_file_bytes) {
    std::fclose(file);
    return ResourceExhaustedError(
        path + " has " + std::to_string(total) + " bytes, over the limit of " +
        std::to_string(limits.max_file_bytes) + " bytes (kMaxImportFileBytes)");
  }
  return std::unique_ptr<CsvReader>(new CsvReader(file, std::string(), total, limits));
}

std::unique_ptr<CsvReader> CsvReader::FromString(std::string data, const CsvLimits& limits) {
  std::uint64_t total = data.size();
  return std::unique_ptr<CsvReader>(new CsvReader(nullptr, std::move(data), total, limits));
}

CsvReader::CsvReader(std::FILE* file, std::string data, std::uint64_t total,
                     const CsvLimits& limits)
    : file_(file), buf_(std::move(data)), total_(total), limits_(limits) {
  // In-memory input is complete from the start.
  if (file_ == nullptr) eof_ = true;
}

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
}

bool CsvReader::Fill() {
  if (eof_ || io_error_) return false;
  // Bytes before pos_ have been copied into fields already; only the
  // unread tail is kept.
  if (pos_ > 0) {
    dropped_ += pos_;
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  std::size_t keep = buf_.size();
  buf_.resize(keep + kChunkBytes);
  std::size_t n = std::fread(buf_.data() + keep, 1, kChunkBytes, file_);
  buf_.resize(keep + n);
  read_ += n;
  if (n < kChunkBytes) {
    if (std::ferror(file_)) io_error_ = true;
    eof_ = true;
  }
  if (read_ > limits_.max_file_bytes) {
    // A stream without a known size grew past the limit.
    over_file_limit_ = true;
    eof_ = true;
  }
  return n > 0;
}

int CsvReader::Peek() {
  if (pos_ >= buf_.size() && !Fill()) return EOF;
  return static_cast<unsigned char>(buf_[pos_]);
}

int CsvReader::Get() {
  int c = Peek();
  if (c != EOF) ++pos_;
  return c;
}

// Peeks one byte beyond the current one (for CR LF and ""); EOF if none.
int CsvReader::PeekSecond() {
  if (pos_ + 1 >= buf_.size()) {
    Fill();
    if (pos_ + 1 >= buf_.size()) return EOF;
  }
  return static_cast<unsigned char>(buf_[pos_ + 1]);
}

Status CsvReader::InputStatus() const {
  if (over_file_limit_ || (file_ == nullptr && total_ > limits_.max_file_bytes)) {
    return ResourceExhaustedError("CSV input is over the limit of " +
                                  std::to_string(limits_.max_file_bytes) +
                                  " bytes (kMaxImportFileBytes)");
  }
  if (io_error_) return DataLossError("I/O error while reading CSV input");
  return OkStatus();
}

Result<bool> CsvReader::Next(CsvRow* row) {
  row->line = 0;
  row->error.reset();
  KL_RETURN_IF_ERROR(InputStatus());

  if (at_start_) {
    at_start_ = false;
    // A UTF-8 byte order mark is not part of the first column's name.
    while (buf_.size() - pos_ < 3 && Fill()) {
    }
    if (buf_.size() - pos_ >= 3 && std::memcmp(buf_.data() + pos_, "\xEF\xBB\xBF", 3) == 0) {
      pos_ += 3;
    }
  }

  // Blank lines (nothing between two line ends) are not rows.
  for (;;) {
    int c = Peek();
    if (c == EOF) {
      consumed_ = dropped_ + pos_;
      KL_RETURN_IF_ERROR(InputStatus());
      row->fields.clear();
      return false;
    }
    if (c == '\n') {
      ++pos_;
      ++line_;
      continue;
    }
    if (c == '\r' && PeekSecond() == '\n') {
      pos_ += 2;
      ++line_;
      continue;
    }
    break;
  }

  ++rows_;
  // rows_ counts the header too; max_rows is about data rows.
  if (rows_ > limits_.max_rows + 1) {
    return ResourceExhaustedError("CSV input has more than " + std::to_string(limits_.max_rows) +
                                  " data rows (kMaxImportRows)");
  }
  row->line = line_;

  // Field strings of the previous row are reused to avoid an allocation per
  // field. Once the row has an error nothing more is stored, but the row is
  // still parsed to its end so that the next row starts in the right place.
  std::size_t nfields = 0;  // fields stored in row->fields
  std::size_t column = 0;   // 1-based column being parsed
  std::size_t field_bytes = 0;
  std::size_t row_bytes = 0;
  std::string* field = nullptr;

  auto set_error = [&](std::size_t col, std::string reason) {
    if (row->error) return;
    row->error = CsvError{col, std::move(reason)};
    field = nullptr;
  };
  auto start_field = [&]() {
    ++column;
    field_bytes = 0;
    if (column > limits_.max_columns) {
      set_error(
          0, "row has more than " + std::to_string(limits_.max_columns) + " columns (kMaxColumns)");
    }
    if (row->error) return;
    if (nfields < row->fields.size()) {
      field = &row->fields[nfields];
      field->clear();
    } else {
      field = &row->fields.emplace_back();
    }
    ++nfields;
  };
  auto append = [&](const char* data, std::size_t n) {
    field_bytes += n;
    row_bytes += n;
    if (field == nullptr) return;
    if (field_bytes > limits_.max_field_bytes) {
      set_error(column, "field is over the limit of " + std::to_string(limits_.max_field_bytes) +
                            " bytes (kMaxFieldBytes)");
    } else if (row_bytes > limits_.max_row_bytes) {
      set_error(0, "row is over the limit of " + std::to_string(limits_.max_row_bytes) +
                       " bytes (kMaxRowBytes)");
    } else {
      field->append(data, n);
    }
  };

  bool end_of_row = false;
  while (!end_of_row) {
    start_field();
    bool unquoted = true;
    if (Peek() == '"') {
      unquoted = false;
      ++pos_;
      const std::uint64_t opened_line = line_;
      for (;;) {
        if (pos_ >= buf_.size() && !Fill()) {
          set_error(column, "quoted field never closed (opened on line " +
                                std::to_string(opened_line) + ")");
          end_of_row = true;
          break;
        }
        const char* begin = buf_.data() + pos_;
        const char* end = buf_.data() + buf_.size();
        const char* quote = static_cast<const char*>(std::memchr(begin, '"', end - begin));
        const char* stop = quote != nullptr ? quote : end;
        line_ += static_cast<std::uint64_t>(std::count(begin, stop, '\n'));
        append(begin, static_cast<std::size_t>(stop - begin));
        pos_ += static_cast<std::size_t>(stop - begin);
        if (quote == nullptr) continue;
        // At a quote: "" is an escaped quote, anything else closes.
        if (PeekSecond() == '"') {
          append("\"", 1);
          pos_ += 2;
          continue;
        }
        ++pos_;
        int next = Peek();
        if (next == EOF || next == '\n') {
          if (next == '\n') {
            ++pos_;
            ++line_;
          }
          end_of_row = true;
        } else if (next == ',') {
          ++pos_;
        } else if (next == '\r' && PeekSecond() == '\n') {
          pos_ += 2;
          ++line_;
          end_of_row = true;
        } else if (next == '\r' && PeekSecond() == EOF) {
          ++pos_;
          end_of_row = true;
        } else {
          set_error(column, "characters after the closing quote of a quoted field");
          // The rest of the field is skipped as if unquoted.
          unquoted = true;
        }
        break;
      }
    }
    if (!unquoted || end_of_row) continue;

    for (;;) {
      if (pos_ >= buf_.size() && !Fill()) {
        end_of_row = true;
        break;
      }
      const char* begin = buf_.data() + pos_;
      const char* end = buf_.data() + buf_.size();
      const char* p = begin;
      while (p != end && !kStop[static_cast<unsigned char>(*p)]) ++p;
      append(begin, static_cast<std::size_t>(p - begin));
      pos_ += static_cast<std::size_t>(p - begin);
      if (p == end) continue;
      char c = *p;
      if (c == ',') {
        ++pos_;
        break;
      }
      if (c == '\n') {
        ++pos_;
        ++line_;
        end_of_row = true;
        break;
      }
      if (c == '\r') {
        int next = PeekSecond();
        if (next == '\n') {
          pos_ += 2;
          ++line_;
          end_of_row = true;
          break;
        }
        ++pos_;
        // A CR that ends the input ends the row; any other lone CR is data.
        if (next == EOF) {
          end_of_row = true;
          break;
        }
        append("\r", 1);
        continue;
      }
      // c == '"'
      set_error(column, "quote inside an unquoted field");
      ++pos_;
    }
  }

  row->fields.resize(row->error ? 0 : nfields);
  consumed_ = dropped_ + pos_;
  KL_RETURN_IF_ERROR(InputStatus());
  return true;
}

void CsvWriter::WriteRow(std::span<const std::string> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out_.put(',');
    WriteField(fields[i]);
  }
  // A lone empty field would be a blank line, which readers skip.
  if (fields.size() == 1 && fields[0].empty()) out_.write("\"\"", 2);
  out_.write("\r\n", 2);
}

void CsvWriter::WriteRow(std::span<const std::string_view> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out_.put(',');
    WriteField(fields[i]);
  }
  if (fields.size() == 1 && fields[0].empty()) out_.write("\"\"", 2);
  out_.write("\r\n", 2);
}

void CsvWriter::WriteField(std::string_view field) {
  bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out_.write(field.data(), static_cast<std::streamsize>(field.size()));
    return;
  }
  out_.put('"');
  std::size_t start = 0;
  for (;;) {
    std::size_t q = field.find('"', start);
    if (q == std::string_view::npos) break;
    out_.write(field.data() + start, static_cast<std::streamsize>(q + 1 - start));
    out_.put('"');
    start = q + 1;
  }
  out_.write(field.data() + start, static_cast<std::streamsize>(field.size() - start));
  out_.put('"');
}

RecordCsvWriter::RecordCsvWriter(std::ostream& out, record::Kind kind)
    : writer_(out), columns_(record::ColumnsFor(kind)) {
  for (record::Field f : columns_) cells_.push_back(record::FieldName(f));
  writer_.WriteRow(cells_);
}

void RecordCsvWriter::Write(const record::Record& record) {
  cells_.clear();
  for (record::Field f : columns_) cells_.push_back(record.Get(f));
  writer_.WriteRow(cells_);
}

}  // namespace kinlink::formats
