// record: the person record Kinlink holds — the canonical fields of
// docs/formats.md, the two record kinds, partial dates, age ranges, sex and
// status, validation with precise reasons, and the compact binary form that
// is sealed (encrypted) in the registry.
//
// Main types: Field (the field catalogue), Record, PartialDate, AgeRange.
// Field values are kept as the exact bytes given (so that an export gives
// back every field byte-for-byte); typed views are parsed on demand.
//
// Thread-safety: all functions are pure; Record is a value type.
//
//   Record r(Kind::kPerson);
//   r.Set(Field::kFullName, "محمد الحسن");
//   r.Set(Field::kBirthDate, "1987-03");
//   for (const FieldError& e : Validate(r, ValidationContext{})) ...
#ifndef KINLINK_RECORD_RECORD_H_
#define KINLINK_RECORD_RECORD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace kinlink::record {

// The field catalogue. The first 23 are the canonical person columns of
// docs/formats.md, in their canonical order; the rest are kind-specific.
// Values are stable: they are written into sealed records.
enum class Field : std::uint8_t {
  kId = 0,
  kFullName,
  kGivenName,
  kFamilyName,
  kFatherName,
  kGrandfatherName,
  kMotherName,
  kAlternateNames,
  kSex,
  kBirthDate,
  kAge,
  kAgeAsOf,
  kBirthPlace,
  kAddress,
  kLocality,
  kRegion,
  kPostcode,
  kCountry,
  kLastKnownPlace,
  kLastSeenDate,
  kPhone,
  kEmail,
  kNotes,
  // Registered persons only.
  kStatus,
  // Tracing requests only: who is looking, and how to reach them.
  kEnquirerName,
  kEnquirerPhone,
  kEnquirerEmail,
  kRelationship,
};
inline constexpr std::size_t kFieldCount = 28;
inline constexpr std::size_t kCanonicalFieldCount = 23;

enum class Kind : std::uint8_t { kRequest = 1, kPerson = 2 };

// What kind of value a field holds; decides its validation.
enum class ValueType : std::uint8_t {
  kText,    // free text
  kName,    // a name (any script); limit kMaxNameBytes
  kNames,   // ';'-separated names
  kSex,     // f/m/x, female/male (any case)
  kDate,    // YYYY, YYYY-MM or YYYY-MM-DD
  kAge,     // NN or NN-MM (inclusive range)
  kStatus,  // safe, in_hospital, detained, deceased, unknown
  kPhone,
  kEmail,
};

struct FieldInfo {
  Field field;
  std::string_view name;  // CSV column name, e.g. "birth_date"
  ValueType type;
  bool for_request;  // may appear on a tracing request
  bool for_person;   // may appear on a registered person
};

// All fields, indexed by static_cast<size_t>(Field).
std::span<const FieldInfo> FieldCatalogue();
const FieldInfo& InfoOf(Field field);
std::string_view FieldName(Field field);
// nullopt when `column` names no field (exact, lower-case match).
std::optional<Field> FieldByName(std::string_view column);
// The columns of an export of records of `kind`: the 23 canonical ones,
// then the kind's own (status; or enquirer_name ... relationship).
std::vector<Field> ColumnsFor(Kind kind);
bool FieldAllowedFor(Field field, Kind kind);

std::string_view KindName(Kind kind);  // "request" | "person"
Result<Kind> ParseKind(std::string_view text);

enum class Sex : std::uint8_t { kUnknown = 0, kFemale, kMale, kOther };
// "" -> kUnknown; f/female -> kFemale; m/male -> kMale; x -> kOther
// (case-insensitive). Anything else: INVALID_ARGUMENT.
Result<Sex> ParseSex(std::string_view text);

enum class PersonStatus : std::uint8_t {
  kUnknown = 0,
  kSafe,
  kInHospital,
  kDetained,
  kDeceased,
};
// "" and "unknown" -> kUnknown; "safe", "in_hospital" (also "in hospital",
// "hospital"), "detained", "deceased" (case-insensitive).
Result<PersonStatus> ParseStatus(std::string_view text);
std::string_view StatusName(PersonStatus status);  // "in_hospital", ...

// A date of which only the year, or the year and month, may be known.
struct PartialDate {
  int year = 0;   // 1..9999
  int month = 0;  // 0 = unknown, else 1..12
  int day = 0;    // 0 = unknown, else 1..days in month (needs month)

  // Strict: "YYYY", "YYYY-MM" or "YYYY-MM-DD" with exactly those digits.
  // INVALID_ARGUMENT with a reason ("month 13 is not 1-12", "day 29 does
  // not exist in 2023-02 (it has 28 days)") on anything else. No
  // surrounding spaces.
  static Result<PartialDate> Parse(std::string_view text);
  std::string ToString() const;  // the canonical form Parse accepts
  // Days since 1970-01-01 of the earliest / latest day this date can be.
  std::int64_t EarliestDay() const;
  std::int64_t LatestDay() const;
  friend bool operator==(const PartialDate&, const PartialDate&) = default;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);
// Days since 1970-01-01 (proleptic Gregorian); valid dates only.
std::int64_t DaysFromCivil(int year, int month, int day);

// An age in whole years, or an inclusive range, as of some date.
struct AgeRange {
  int min = 0;
  int max = 0;
  // "34" or "30-35" (0..150, min <= max). INVALID_ARGUMENT otherwise.
  static Result<AgeRange> Parse(std::string_view text);
  friend bool operator==(const AgeRange&, const AgeRange&) = default;
};

class Record {
 public:
  explicit Record(Kind kind = Kind::kPerson) : kind_(kind) {}

  Kind kind() const { return kind_; }
  void set_kind(Kind kind) { kind_ = kind; }

  const std::string& Get(Field field) const { return values_[Index(field)]; }
  void Set(Field field, std::string value) { values_[Index(field)] = std::move(value); }
  bool Has(Field field) const { return !Get(field).empty(); }
  void Clear();

  friend bool operator==(const Record&, const Record&) = default;

 private:
  static std::size_t Index(Field f) { return static_cast<std::size_t>(f); }
  Kind kind_;
  std::array<std::string, kFieldCount> values_;
};

// One problem with one field of a record. `reason` never quotes the value.
struct FieldError {
  Field field;
  std::string reason;
};

struct ValidationContext {
  // Days since 1970-01-01 of "today" (dates after it are rejected).
  // 0 (the default) means the real today, TodayDays().
  std::int64_t today_days = 0;
};
// Today's date as days since 1970-01-01 (UTC).
std::int64_t TodayDays();

// Checks every field: UTF-8 validity, per-type byte limits (kMaxNameBytes,
// kMaxFieldBytes), syntax (dates, ages, sex, status, phone, e-mail),
// dates not after today, age_as_of only with an age, kind-specific fields
// only on their kind, and that at least one name field (full_name,
// given_name, family_name) is present. Returns every error, in field
// order; empty when valid.
std::vector<FieldError> Validate(const Record& record, const ValidationContext& context);

// The binary form sealed in the registry: a format byte, the kind, then
// (field id, varint length, bytes) for each non-empty field. Deterministic.
std::string Serialize(const Record& record);
// DATA_LOSS on a malformed or truncated buffer, an unknown field id or a
// repeated field.
Result<Record> Deserialize(std::string_view bytes);

}  // namespace kinlink::record

#endif  // KINLINK_RECORD_RECORD_H_
