#include "formats/record_reader.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>

#include "common/utf8.h"

namespace kinlink::formats {
namespace {

void TrimInPlace(std::string* s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t end = s->size();
  while (end > 0 && is_space((*s)[end - 1])) --end;
  std::size_t begin = 0;
  while (begin < end && is_space((*s)[begin])) ++begin;
  if (begin == 0 && end == s->size()) return;
  s->erase(end);
  s->erase(0, begin);
}

std::string ColumnLabel(std::size_t index, const std::string& name) {
  return "column " + std::to_string(index + 1) + " (" + name + ")";
}

}  // namespace

std::string RowIssue::ToString() const {
  std::string out = "line " + std::to_string(line);
  if (column > 0) {
    out += ", column " + std::to_string(column);
    if (!column_name.empty()) out += " (" + column_name + ")";
  }
  out += ": ";
  out += reason;
  return out;
}

RecordReader::RecordReader(std::unique_ptr<CsvReader> csv, record::Kind kind)
    : csv_(std::move(csv)), kind_(kind) {
  // Once per file: every row of one import is judged against the same day.
  context_.today_days = record::TodayDays();
}

Result<std::unique_ptr<RecordReader>> RecordReader::Open(const std::string& path,
                                                         const Mapping* mapping, record::Kind kind,
                                                         const CsvLimits& limits) {
  KL_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> csv, CsvReader::OpenFile(path, limits));
  std::unique_ptr<RecordReader> reader(new RecordReader(std::move(csv), kind));
  KL_RETURN_IF_ERROR(reader->ReadHeader(mapping));
  return reader;
}

Result<std::unique_ptr<RecordReader>> RecordReader::FromString(std::string data,
                                                               const Mapping* mapping,
                                                               record::Kind kind,
                                                               const CsvLimits& limits) {
  std::unique_ptr<RecordReader> reader(
      new RecordReader(CsvReader::FromString(std::move(data), limits), kind));
  KL_RETURN_IF_ERROR(reader->ReadHeader(mapping));
  return reader;
}

Status RecordReader::ReadHeader(const Mapping* mapping) {
  trim_ = mapping != nullptr && mapping->trim();
  KL_ASSIGN_OR_RETURN(bool more, csv_->Next(&csv_row_));
  if (!more) return InvalidArgumentError("file is empty: expected a header row");
  if (csv_row_.error) {
    std::string where = "header row (line " + std::to_string(csv_row_.line);
    if (csv_row_.error->column > 0) where += ", column " + std::to_string(csv_row_.error->column);
    return InvalidArgumentError(where + "): " + csv_row_.error->reason);
  }
  header_ = csv_row_.fields;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (trim_) TrimInPlace(&header_[i]);
    const std::string& name = header_[i];
    if (!IsValidUtf8(name)) {
      return InvalidArgumentError("header column " + std::to_string(i + 1) + " is not valid UTF-8");
    }
    if (name.empty()) {
      return InvalidArgumentError("header column " + std::to_string(i + 1) + " has no name");
    }
    auto [it, inserted] = index.emplace(name, i);
    if (!inserted) {
      return InvalidArgumentError("header " + ColumnLabel(i, name) + " repeats column " +
                                  std::to_string(it->second + 1));
    }
  }

  std::vector<bool> used(header_.size(), false);
  std::array<bool, record::kFieldCount> bound{};
  if (mapping != nullptr) {
    for (const FieldSource& source : mapping->sources()) {
      Binding binding{source.field, {}, source.date_format};
      for (const std::string& column : source.columns) {
        auto it = index.find(column);
        if (it == index.end()) {
          return InvalidArgumentError(
              "mapping field '" + std::string(record::FieldName(source.field)) +
              "' names column '" + column + "', which the file does not have");
        }
        binding.columns.push_back(it->second);
        used[it->second] = true;
      }
      bound[static_cast<std::size_t>(source.field)] = true;
      bindings_.push_back(std::move(binding));
    }
  }
  auto is_ignored = [&](const std::string& name) {
    return mapping != nullptr && std::find(mapping->ignored().begin(), mapping->ignored().end(),
                                           name) != mapping->ignored().end();
  };
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (used[i] || is_ignored(header_[i])) continue;
    std::optional<record::Field> field = record::FieldByName(header_[i]);
    if (!field) {
      warnings_.push_back(ColumnLabel(i, header_[i]) +
                          " is not a Kinlink field and is ignored; map it in a mapping file or "
                          "list it under [ignore]");
      continue;
    }
    if (bound[static_cast<std::size_t>(*field)]) {
      warnings_.push_back(ColumnLabel(i, header_[i]) + " is ignored: the mapping fills " +
                          header_[i] + " from another column");
      continue;
    }
    bound[static_cast<std::size_t>(*field)] = true;
    bindings_.push_back(Binding{*field, {i}, ""});
  }
  std::sort(bindings_.begin(), bindings_.end(),
            [](const Binding& a, const Binding& b) { return a.field < b.field; });
  columns_.clear();
  for (std::size_t i = 0; i < header_.size(); ++i) columns_.push_back({i + 1, header_[i], {}});
  for (const Binding& binding : bindings_) {
    for (std::size_t c : binding.columns) columns_[c].field = binding.field;
  }

  auto has = [&](record::Field f) { return bound[static_cast<std::size_t>(f)]; };
  if (!has(record::Field::kFullName) && !has(record::Field::kGivenName) &&
      !has(record::Field::kFamilyName)) {
    return InvalidArgumentError(
        "no name column: the file must have full_name, given_name or family_name (or a mapping "
        "to them)");
  }
  return OkStatus();
}

Result<bool> RecordReader::Next(ReadRow* row) {
  KL_ASSIGN_OR_RETURN(bool more, csv_->Next(&csv_row_));
  if (!more) return false;
  row->line = csv_row_.line;
  row->record = record::Record(kind_);
  row->issues.clear();
  row->blanked.clear();

  auto make_issue = [&](std::size_t column, std::string reason) {
    RowIssue issue;
    issue.line = row->line;
    issue.column = column;
    if (column > 0 && column <= header_.size()) issue.column_name = header_[column - 1];
    issue.reason = std::move(reason);
    return issue;
  };
  auto add_issue = [&](std::size_t column, std::string reason) {
    row->issues.push_back(make_issue(column, std::move(reason)));
  };
  // A problem with one field's value: rejects the row, or in lenient mode
  // empties the field.
  auto field_issue = [&](record::Field field, std::size_t column, std::string reason) {
    if (!lenient_) {
      add_issue(column, std::move(reason));
      return;
    }
    row->record.Set(field, std::string());
    row->blanked.push_back(make_issue(column, std::move(reason)));
  };

  if (csv_row_.error) {
    add_issue(csv_row_.error->column, csv_row_.error->reason);
    return true;
  }
  std::vector<std::string>& fields = csv_row_.fields;
  if (fields.size() != header_.size()) {
    add_issue(0, "expected " + std::to_string(header_.size()) + " fields as in the header, found " +
                     std::to_string(fields.size()));
    return true;
  }

  // Fields already reported here are not reported again by Validate (an
  // invalid date would otherwise come back as a syntax error).
  std::array<bool, record::kFieldCount> reported{};
  std::string value;
  for (const Binding& binding : bindings_) {
    bool bad = false;
    value.clear();
    for (std::size_t c : binding.columns) {
      std::string& field = fields[c];
      if (trim_) TrimInPlace(&field);
      if (std::optional<std::size_t> at = FindInvalidUtf8(field)) {
        if (!bad) {
          field_issue(binding.field, c + 1,
                      "not valid UTF-8 (byte " + std::to_string(*at + 1) + " of the field)");
        }
        bad = true;
      }
      if (field.empty()) continue;
      if (!value.empty()) value += ' ';
      value += field;
    }
    if (!bad && !binding.date_format.empty()) {
      Result<std::string> date = ConvertDate(value, binding.date_format);
      if (date.ok()) {
        value = std::move(date).value();
      } else {
        field_issue(binding.field, binding.columns.front() + 1, date.status().message());
        bad = true;
      }
    }
    // A bad value is kept so that Validate does not also complain that the
    // field (e.g. the only name) is missing; in lenient mode it is dropped.
    reported[static_cast<std::size_t>(binding.field)] = bad;
    if (!(bad && lenient_)) row->record.Set(binding.field, value);
  }

  for (const record::FieldError& error : record::Validate(row->record, context_)) {
    if (reported[static_cast<std::size_t>(error.field)]) continue;
    std::size_t column = 0;
    for (const Binding& binding : bindings_) {
      if (binding.field == error.field) {
        column = binding.columns.front() + 1;
        break;
      }
    }
    field_issue(error.field, column, error.reason);
  }
  return true;
}

}  // namespace kinlink::formats
