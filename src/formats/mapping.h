// Mapping files: how the columns of a CSV that is not in canonical form
// become Kinlink's fields (docs/formats.md). TOML (Debian's toml++):
//
//   # FEBRL
//   [fields]
//   id = "rec_id"
//   family_name = "surname"
//   address = ["street_number", "address_1", "address_2"]  # joined by " "
//   birth_date = { column = "date_of_birth", format = "%Y%m%d" }
//   locality = "suburb"
//   region = "state"
//   [ignore]
//   columns = ["soc_sec_id"]   # no warning for these
//   [options]
//   trim = true   # strip ASCII spaces and tabs around header names and values
//
// Every table and key is checked: an unknown one is an error (a typo should
// not silently drop a column).
//
// Date formats use %Y (4 digits), %m, %d (2 digits, or 1-2 with %-m/%-d),
// %y is not accepted (ambiguous century); any other character must match
// itself. A format may leave out the day or the month and day.
//
// Thread-safety: immutable after loading.
#ifndef KINLINK_FORMATS_MAPPING_H_
#define KINLINK_FORMATS_MAPPING_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "record/record.h"

namespace kinlink::formats {

struct FieldSource {
  record::Field field;
  std::vector<std::string> columns;  // source column names, joined by " "
  std::string date_format;           // empty: canonical YYYY[-MM[-DD]]
};

class Mapping {
 public:
  // INVALID_ARGUMENT naming the file, line and problem for: TOML syntax,
  // an unknown canonical field, a field mapped twice, a date format on a
  // non-date field, a bad date format, an empty column list; RESOURCE_
  // EXHAUSTED over kMaxMappingFileBytes; NOT_FOUND for a missing file.
  static Result<Mapping> LoadFile(const std::string& path);
  static Result<Mapping> Parse(std::string_view toml_text, std::string_view origin);

  const std::vector<FieldSource>& sources() const { return sources_; }
  const std::vector<std::string>& ignored() const { return ignored_; }
  // [options] trim: values and header names lose surrounding spaces and
  // tabs before use (FEBRL writes ", " between fields).
  bool trim() const { return trim_; }

 private:
  std::vector<FieldSource> sources_;  // in field order
  std::vector<std::string> ignored_;
  bool trim_ = false;
};

// Converts `value` written in `format` (see above) to the canonical
// partial date "YYYY", "YYYY-MM" or "YYYY-MM-DD". Empty stays empty.
// INVALID_ARGUMENT with the reason (does not fit the format, impossible
// date). Does not quote the value.
Result<std::string> ConvertDate(std::string_view value, std::string_view format);
// OK when `format` is a usable date format.
Status CheckDateFormat(std::string_view format);

}  // namespace kinlink::formats

#endif  // KINLINK_FORMATS_MAPPING_H_
