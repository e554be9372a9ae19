// Validation of a whole record. Every problem is reported (not just the
// first), so that a rejects file tells the operator everything to fix in
// one pass. Reasons name limits and positions, never the value: the value
// is personal data and reasons end up in logs and rejects files.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/utf8.h"
#include "record/record.h"

namespace kinlink::record {
namespace {

bool IsAsciiControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

// Names and ids: no control character at all. In valid UTF-8 the bytes
// below 0x80 are always whole characters, so a byte scan is exact.
bool HasControl(std::string_view text) {
  for (char c : text) {
    if (IsAsciiControl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// Free text may span lines (notes, addresses): tab, LF and CR are allowed.
bool HasControlExceptLineBreaks(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (IsAsciiControl(u) && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

// Length in bytes of the Unicode space character at text[i], or 0. Covers
// ASCII whitespace and the Unicode spaces that paste into forms (no-break,
// the U+2000 block, ideographic, zero-width, BOM). Expects valid UTF-8.
std::size_t SpaceAt(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  const unsigned c = b(0);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == 0xC2 && b(1) == 0xA0) return 2;                  // U+00A0
  if (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && b(1) == 0x80 && (b(2) <= 0x8B || b(2) == 0xAF)) {
    return 3;  // U+2000-200B, U+202F
  }
  if (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  if (c == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

bool IsBlank(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = SpaceAt(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool IsValidPhone(std::string_view text) {
  bool digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '+' && c != '-' && c != '(' && c != ')' && c != '.' && c != '/' && c != ' ') {
      return false;
    }
  }
  return digit;
}

// Only the shape that catches swapped columns and typos; deliverability is
// not knowable offline.
const char* EmailProblem(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size() ||
      text.find('@', at + 1) != std::string_view::npos) {
    return "e-mail needs one @ with text on both sides";
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || IsAsciiControl(u))
      return "e-mail must not contain spaces or control characters";
  }
  return nullptr;
}

std::string OverLimit(std::size_t size, std::size_t limit, std::string_view limit_name) {
  std::string reason =
      "is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(limit) + " (";
  reason += limit_name;
  reason += ')';
  return reason;
}

void CheckValue(Field field, const FieldInfo& info, std::string_view value, std::int64_t today,
                std::vector<FieldError>& errors) {
  const auto add = [&](std::string reason) { errors.push_back({field, std::move(reason)}); };

  if (const auto bad = FindInvalidUtf8(value)) {
    add("not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    return;
  }
  const bool is_name = info.type == ValueType::kName || info.type == ValueType::kNames;
  if (is_name && value.size() > limits::kMaxNameBytes) {
    add(OverLimit(value.size(), limits::kMaxNameBytes, "kMaxNameBytes"));
    return;
  }
  if (value.size() > limits::kMaxFieldBytes) {
    add(OverLimit(value.size(), limits::kMaxFieldBytes, "kMaxFieldBytes"));
    return;
  }

  switch (info.type) {
    case ValueType::kText: {
      // An id travels into file names, command lines and result files,
      // where a line break would split it.
      const bool bad = field == Field::kId ? HasControl(value) : HasControlExceptLineBreaks(value);
      if (bad) add("contains a control character");
      break;
    }
    case ValueType::kName:
    case ValueType::kNames:
      if (HasControl(value)) add("contains a control character");
      break;
    case ValueType::kSex:
      if (auto sex = ParseSex(value); !sex.ok()) add(sex.status().message());
      break;
    case ValueType::kStatus:
      if (auto status = ParseStatus(value); !status.ok()) add(status.status().message());
      break;
    case ValueType::kAge:
      if (auto age = AgeRange::Parse(value); !age.ok()) add(age.status().message());
      break;
    case ValueType::kDate: {
      auto date = PartialDate::Parse(value);
      if (!date.ok()) {
        add(date.status().message());
      } else if (date->EarliestDay() > today) {
        add("is after today");
      }
      break;
    }
    case ValueType::kPhone:
      if (!IsValidPhone(value)) add("phone must contain digits and only + - ( ) . / space");
      break;
    case ValueType::kEmail:
      if (const char* problem = EmailProblem(value)) add(problem);
      break;
  }
}

}  // namespace

std::vector<FieldError> Validate(const Record& record, const ValidationContext& context) {
  std::vector<FieldError> errors;
  const std::int64_t today = context.today_days != 0 ? context.today_days : TodayDays();
  const bool has_name = !IsBlank(record.Get(Field::kFullName)) ||
                        !IsBlank(record.Get(Field::kGivenName)) ||
                        !IsBlank(record.Get(Field::kFamilyName));

  for (const FieldInfo& info : FieldCatalogue()) {
    const std::string& value = record.Get(info.field);
    if (!value.empty()) {
      if (!FieldAllowedFor(info.field, record.kind())) {
        std::string reason = "the field '";
        reason += info.name;
        reason += record.kind() == Kind::kPerson ? "' is only for tracing requests"
                                                 : "' is only for registered persons";
        errors.push_back({info.field, std::move(reason)});
      } else {
        CheckValue(info.field, info, value, today, errors);
      }
    }
    if (info.field == Field::kFullName && !has_name) {
      errors.push_back({Field::kFullName, "no name: fill full_name, given_name or family_name"});
    }
    if (info.field == Field::kAgeAsOf && !value.empty() && record.Get(Field::kAge).empty()) {
      errors.push_back({Field::kAgeAsOf, "age_as_of given without age"});
    }
  }
  return errors;
}

}  // namespace kinlink::record
