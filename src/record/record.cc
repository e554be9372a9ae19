// The field catalogue, kinds, sex and status. Parsing of the small
// enumerations accepts ASCII case variants only: the values come from CSV
// files typed by people, and "F" or "Female" mean what "f" means.
#include "record/record.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kinlink::record {
namespace {

constexpr std::array<FieldInfo, kFieldCount> kCatalogue = {{
    {Field::kId, "id", ValueType::kText, true, true},
    {Field::kFullName, "full_name", ValueType::kName, true, true},
    {Field::kGivenName, "given_name", ValueType::kName, true, true},
    {Field::kFamilyName, "family_name", ValueType::kName, true, true},
    {Field::kFatherName, "father_name", ValueType::kName, true, true},
    {Field::kGrandfatherName, "grandfather_name", ValueType::kName, true, true},
    {Field::kMotherName, "mother_name", ValueType::kName, true, true},
    {Field::kAlternateNames, "alternate_names", ValueType::kNames, true, true},
    {Field::kSex, "sex", ValueType::kSex, true, true},
    {Field::kBirthDate, "birth_date", ValueType::kDate, true, true},
    {Field::kAge, "age", ValueType::kAge, true, true},
    {Field::kAgeAsOf, "age_as_of", ValueType::kDate, true, true},
    {Field::kBirthPlace, "birth_place", ValueType::kText, true, true},
    {Field::kAddress, "address", ValueType::kText, true, true},
    {Field::kLocality, "locality", ValueType::kText, true, true},
    {Field::kRegion, "region", ValueType::kText, true, true},
    {Field::kPostcode, "postcode", ValueType::kText, true, true},
    {Field::kCountry, "country", ValueType::kText, true, true},
    {Field::kLastKnownPlace, "last_known_place", ValueType::kText, true, true},
    {Field::kLastSeenDate, "last_seen_date", ValueType::kDate, true, true},
    {Field::kPhone, "phone", ValueType::kPhone, true, true},
    {Field::kEmail, "email", ValueType::kEmail, true, true},
    {Field::kNotes, "notes", ValueType::kText, true, true},
    {Field::kStatus, "status", ValueType::kStatus, false, true},
    {Field::kEnquirerName, "enquirer_name", ValueType::kName, true, false},
    {Field::kEnquirerPhone, "enquirer_phone", ValueType::kPhone, true, false},
    {Field::kEnquirerEmail, "enquirer_email", ValueType::kEmail, true, false},
    {Field::kRelationship, "relationship", ValueType::kText, true, false},
}};

// The catalogue is indexed by the enum value; a reordering would silently
// mislabel fields, so it is checked at compile time.
constexpr bool CatalogueIsIndexed() {
  for (std::size_t i = 0; i < kCatalogue.size(); ++i) {
    if (static_cast<std::size_t>(kCatalogue[i].field) != i) return false;
  }
  return true;
}
static_assert(CatalogueIsIndexed());
static_assert(static_cast<std::size_t>(Field::kRelationship) + 1 == kFieldCount);
static_assert(static_cast<std::size_t>(Field::kNotes) + 1 == kCanonicalFieldCount);

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::span<const FieldInfo> FieldCatalogue() { return kCatalogue; }

const FieldInfo& InfoOf(Field field) { return kCatalogue[static_cast<std::size_t>(field)]; }

std::string_view FieldName(Field field) { return InfoOf(field).name; }

std::optional<Field> FieldByName(std::string_view column) {
  for (const FieldInfo& info : kCatalogue) {
    if (info.name == column) return info.field;
  }
  return std::nullopt;
}

std::vector<Field> ColumnsFor(Kind kind) {
  std::vector<Field> columns;
  columns.reserve(kFieldCount);
  // The canonical columns first, whatever the kind, then the kind's own.
  for (std::size_t i = 0; i < kCanonicalFieldCount; ++i) columns.push_back(kCatalogue[i].field);
  for (std::size_t i = kCanonicalFieldCount; i < kFieldCount; ++i) {
    if (FieldAllowedFor(kCatalogue[i].field, kind)) columns.push_back(kCatalogue[i].field);
  }
  return columns;
}

bool FieldAllowedFor(Field field, Kind kind) {
  const FieldInfo& info = InfoOf(field);
  return kind == Kind::kPerson ? info.for_person : info.for_request;
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kRequest:
      return "request";
    case Kind::kPerson:
      return "person";
  }
  return "unknown";
}

Result<Kind> ParseKind(std::string_view text) {
  if (EqualsIgnoreCase(text, "request")) return Kind::kRequest;
  if (EqualsIgnoreCase(text, "person")) return Kind::kPerson;
  return InvalidArgumentError("kind must be request or person");
}

Result<Sex> ParseSex(std::string_view text) {
  if (text.empty()) return Sex::kUnknown;
  if (EqualsIgnoreCase(text, "f") || EqualsIgnoreCase(text, "female")) return Sex::kFemale;
  if (EqualsIgnoreCase(text, "m") || EqualsIgnoreCase(text, "male")) return Sex::kMale;
  if (EqualsIgnoreCase(text, "x")) return Sex::kOther;
  return InvalidArgumentError("sex must be f, m, x, female or male");
}

Result<PersonStatus> ParseStatus(std::string_view text) {
  if (text.empty() || EqualsIgnoreCase(text, "unknown")) return PersonStatus::kUnknown;
  if (EqualsIgnoreCase(text, "safe")) return PersonStatus::kSafe;
  if (EqualsIgnoreCase(text, "in_hospital") || EqualsIgnoreCase(text, "in hospital") ||
      EqualsIgnoreCase(text, "hospital")) {
    return PersonStatus::kInHospital;
  }
  if (EqualsIgnoreCase(text, "detained")) return PersonStatus::kDetained;
  if (EqualsIgnoreCase(text, "deceased")) return PersonStatus::kDeceased;
  return InvalidArgumentError(
      "status must be one of safe, in_hospital, detained, deceased, unknown");
}

std::string_view StatusName(PersonStatus status) {
  switch (status) {
    case PersonStatus::kUnknown:
      return "unknown";
    case PersonStatus::kSafe:
      return "safe";
    case PersonStatus::kInHospital:
      return "in_hospital";
    case PersonStatus::kDetained:
      return "detained";
    case PersonStatus::kDeceased:
      return "deceased";
  }
  return "unknown";
}

void Record::Clear() {
  for (std::string& value : values_) value.clear();
}

}  // namespace kinlink::record
