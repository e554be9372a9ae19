#include "formats/mapping.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

#include "common/limits.h"

namespace kinlink::formats {
namespace {

// "febrl.toml, line 4: problem"
Status ErrorAt(std::string_view origin, const toml::source_region& where,
               std::string_view problem) {
  std::string msg(origin);
  if (where.begin.line > 0) msg += ", line " + std::to_string(where.begin.line);
  msg += ": ";
  msg += problem;
  return InvalidArgumentError(std::move(msg));
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// One column name or a non-empty list of them.
Result<std::vector<std::string>> ColumnList(const toml::node& node, std::string_view origin,
                                            std::string_view what) {
  std::vector<std::string> columns;
  if (const auto* s = node.as_string()) {
    columns.push_back(s->get());
  } else if (const auto* arr = node.as_array()) {
    for (const toml::node& item : *arr) {
      const auto* col = item.as_string();
      if (col == nullptr) {
        return ErrorAt(origin, item.source(), std::string(what) + ": column names must be strings");
      }
      columns.push_back(col->get());
    }
    if (columns.empty()) {
      return ErrorAt(origin, node.source(), std::string(what) + ": the column list is empty");
    }
  } else {
    return ErrorAt(origin, node.source(),
                   std::string(what) + ": expected a column name or a list of column names");
  }
  for (const std::string& c : columns) {
    if (c.empty()) return ErrorAt(origin, node.source(), std::string(what) + ": empty column name");
  }
  return columns;
}

Result<FieldSource> ParseFieldSource(const toml::key& key, const toml::node& value,
                                     std::string_view origin) {
  const std::string name(key.str());
  std::optional<record::Field> field = record::FieldByName(name);
  if (!field) {
    return ErrorAt(origin, key.source(),
                   "unknown Kinlink field " + Quoted(name) + " under [fields]");
  }
  FieldSource source{*field, {}, {}};
  const std::string what = "field " + Quoted(name);
  if (const auto* table = value.as_table()) {
    const toml::node* columns = nullptr;
    for (const auto& [k, v] : *table) {
      if (k.str() == "column") {
        columns = &v;
      } else if (k.str() == "format") {
        const auto* format = v.as_string();
        if (format == nullptr)
          return ErrorAt(origin, v.source(), what + ": format must be a string");
        source.date_format = format->get();
      } else {
        return ErrorAt(origin, k.source(),
                       what + ": unknown key " + Quoted(k.str()) + " (expected column, format)");
      }
    }
    if (columns == nullptr) return ErrorAt(origin, value.source(), what + ": no column given");
    KL_ASSIGN_OR_RETURN(source.columns, ColumnList(*columns, origin, what));
  } else {
    KL_ASSIGN_OR_RETURN(source.columns, ColumnList(value, origin, what));
  }
  if (const toml::table* table = value.as_table(); table != nullptr && table->contains("format")) {
    if (record::InfoOf(*field).type != record::ValueType::kDate) {
      return ErrorAt(origin, value.source(), what + " is not a date: it takes no date format");
    }
    Status s = CheckDateFormat(source.date_format);
    if (!s.ok()) return ErrorAt(origin, value.source(), what + ": " + s.message());
  }
  return source;
}

// Date format tokens.
enum class Conv { kYear, kMonth, kDay, kMonthShort, kDayShort, kLiteral };
struct Token {
  Conv conv;
  char literal = 0;
};

bool IsNumeric(Conv c) { return c != Conv::kLiteral; }

Result<std::vector<Token>> Tokenize(std::string_view format) {
  if (format.empty()) return InvalidArgumentError("the date format is empty");
  std::vector<Token> tokens;
  int years = 0, months = 0, days = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      tokens.push_back({Conv::kLiteral, c});
      continue;
    }
    if (++i == format.size()) return InvalidArgumentError("the date format ends with a lone %");
    c = format[i];
    bool short_form = false;
    if (c == '-') {
      if (++i == format.size()) return InvalidArgumentError("the date format ends with %-");
      c = format[i];
      short_form = true;
      if (c != 'm' && c != 'd') {
        return InvalidArgumentError(std::string("unknown conversion %-") + c +
                                    " (only %-m and %-d have a short form)");
      }
    }
    switch (c) {
      case 'Y':
        tokens.push_back({Conv::kYear});
        ++years;
        break;
      case 'm':
        tokens.push_back({short_form ? Conv::kMonthShort : Conv::kMonth});
        ++months;
        break;
      case 'd':
        tokens.push_back({short_form ? Conv::kDayShort : Conv::kDay});
        ++days;
        break;
      case '%':
        tokens.push_back({Conv::kLiteral, '%'});
        break;
      case 'y':
        return InvalidArgumentError("%y is not accepted (a two-digit year has no century); use %Y");
      default:
        return InvalidArgumentError(std::string("unknown conversion %") + c +
                                    " (use %Y, %m, %d, %-m, %-d or %%)");
    }
  }
  if (years != 1) {
    return InvalidArgumentError(years == 0 ? "the date format has no %Y (4-digit year)"
                                           : "the date format repeats %Y");
  }
  if (months > 1) return InvalidArgumentError("the date format repeats the month");
  if (days > 1) return InvalidArgumentError("the date format repeats the day");
  if (days == 1 && months == 0) {
    return InvalidArgumentError("the date format has a day but no month");
  }
  // A 1-2 digit number directly followed by another number cannot be split
  // unambiguously ("%-m%-d" on "1112").
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    Conv c = tokens[i].conv;
    if ((c == Conv::kMonthShort || c == Conv::kDayShort) && IsNumeric(tokens[i + 1].conv)) {
      return InvalidArgumentError(std::string(c == Conv::kMonthShort ? "%-m" : "%-d") +
                                  " must be followed by a separator, not another number");
    }
  }
  return tokens;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Status CheckDateFormat(std::string_view format) { return Tokenize(format).status(); }

Result<std::string> ConvertDate(std::string_view value, std::string_view format) {
  if (value.empty()) return std::string();
  KL_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(format));
  const std::string no_fit = "does not fit the date format " + std::string(format);
  int year = 0, month = 0, day = 0;
  std::size_t pos = 0;
  // Reads between min_digits and max_digits digits (greedy).
  auto number = [&](std::size_t min_digits, std::size_t max_digits, int* out) {
    std::size_t n = 0;
    int v = 0;
    while (n < max_digits && pos + n < value.size() && IsDigit(value[pos + n])) {
      v = v * 10 + (value[pos + n] - '0');
      ++n;
    }
    if (n < min_digits) return false;
    pos += n;
    *out = v;
    return true;
  };
  for (const Token& t : tokens) {
    bool ok = true;
    switch (t.conv) {
      case Conv::kYear:
        ok = number(4, 4, &year);
        break;
      case Conv::kMonth:
        ok = number(2, 2, &month);
        break;
      case Conv::kMonthShort:
        ok = number(1, 2, &month);
        break;
      case Conv::kDay:
        ok = number(2, 2, &day);
        break;
      case Conv::kDayShort:
        ok = number(1, 2, &day);
        break;
      case Conv::kLiteral:
        ok = pos < value.size() && value[pos] == t.literal;
        if (ok) ++pos;
        break;
    }
    if (!ok) return InvalidArgumentError(no_fit);
  }
  if (pos != value.size()) return InvalidArgumentError(no_fit);

  const bool has_month = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) {
    return t.conv == Conv::kMonth || t.conv == Conv::kMonthShort;
  });
  const bool has_day = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) {
    return t.conv == Conv::kDay || t.conv == Conv::kDayShort;
  });
  if (year < 1) return InvalidArgumentError("year 0 is not 1-9999");
  if (has_month && (month < 1 || month > 12)) {
    return InvalidArgumentError("month " + std::to_string(month) + " is not 1-12");
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", year);
  std::string out = buf;
  if (has_month) {
    std::snprintf(buf, sizeof buf, "-%02d", month);
    out += buf;
  }
  if (has_day) {
    if (day < 1 || day > record::DaysInMonth(year, month)) {
      return InvalidArgumentError("day " + std::to_string(day) + " does not exist in " + out);
    }
    std::snprintf(buf, sizeof buf, "-%02d", day);
    out += buf;
  }
  // The canonical parser has the last word, so that a converted date is
  // always one the rest of Kinlink accepts.
  KL_RETURN_IF_ERROR(record::PartialDate::Parse(out).status());
  return out;
}

Result<Mapping> Mapping::Parse(std::string_view toml_text, std::string_view origin) {
  if (toml_text.size() > limits::kMaxMappingFileBytes) {
    return ResourceExhaustedError(std::string(origin) + " is over the limit of " +
                                  std::to_string(limits::kMaxMappingFileBytes) +
                                  " bytes (kMaxMappingFileBytes)");
  }
  // Debian's toml++ is a shared library built with exceptions (the
  // no-exception mode is a different ABI it does not ship), so its parse
  // error is caught here and never leaves this module.
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& err) {
    return ErrorAt(origin, err.source(), "TOML syntax: " + std::string(err.description()));
  }
  Mapping mapping;
  for (const auto& [key, node] : root) {
    const std::string_view section = key.str();
    const toml::table* table = node.as_table();
    if (section != "fields" && section != "ignore" && section != "options") {
      return ErrorAt(
          origin, key.source(),
          "unknown table " + Quoted(section) + " (expected [fields], [ignore], [options])");
    }
    if (table == nullptr) {
      return ErrorAt(origin, key.source(), Quoted(section) + " must be a table");
    }
    for (const auto& [k, v] : *table) {
      if (section == "fields") {
        KL_ASSIGN_OR_RETURN(FieldSource source, ParseFieldSource(k, v, origin));
        mapping.sources_.push_back(std::move(source));
      } else if (section == "ignore") {
        if (k.str() != "columns") {
          return ErrorAt(origin, k.source(),
                         "unknown key " + Quoted(k.str()) + " under [ignore] (expected columns)");
        }
        KL_ASSIGN_OR_RETURN(std::vector<std::string> cols,
                            ColumnList(v, origin, "[ignore] columns"));
        mapping.ignored_.insert(mapping.ignored_.end(), cols.begin(), cols.end());
      } else {
        if (k.str() != "trim") {
          return ErrorAt(origin, k.source(),
                         "unknown key " + Quoted(k.str()) + " under [options] (expected trim)");
        }
        const auto* b = v.as_boolean();
        if (b == nullptr) return ErrorAt(origin, v.source(), "trim must be true or false");
        mapping.trim_ = b->get();
      }
    }
  }
  // toml++ tables are ordered by key; field order is the natural one.
  std::sort(mapping.sources_.begin(), mapping.sources_.end(),
            [](const FieldSource& a, const FieldSource& b) { return a.field < b.field; });
  return mapping;
}

Result<Mapping> Mapping::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string msg = "cannot open mapping file " + path + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) return NotFoundError(std::move(msg));
    if (err == EACCES || err == EPERM) return PermissionDeniedError(std::move(msg));
    return UnavailableError(std::move(msg));
  }
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return InvalidArgumentError(path + " is a directory, not a mapping file");
    if (S_ISREG(st.st_mode) &&
        static_cast<std::uint64_t>(st.st_size) > limits::kMaxMappingFileBytes) {
      return ResourceExhaustedError(path + " is over the limit of " +
                                    std::to_string(limits::kMaxMappingFileBytes) +
                                    " bytes (kMaxMappingFileBytes)");
    }
  }
  // Read at most one byte over the limit so that a growing file or a pipe
  // cannot make us hold more.
  std::string text(limits::kMaxMappingFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return DataLossError("I/O error reading mapping file " + path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  return Parse(text, path);
}

}  // namespace kinlink::formats
