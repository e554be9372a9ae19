// Partial dates, age ranges and the calendar arithmetic they need. Parsing
// is strict on purpose: a date that only looks like one (" 1987", "87-3")
// is rejected at import with a reason, rather than guessed at and matched
// wrongly later.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "record/record.h"

namespace kinlink::record {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses exactly `width` ASCII digits at text[pos]; -1 when any is not one.
int ParseDigits(std::string_view text, std::size_t pos, std::size_t width) {
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

void AppendPadded(std::string& out, int value, int width) {
  char buf[8];
  int n = 0;
  for (int i = 0; i < width; ++i) {
    buf[width - 1 - i] = static_cast<char>('0' + value % 10);
    value /= 10;
    ++n;
  }
  out.append(buf, static_cast<std::size_t>(n));
}

Status BadShape() { return InvalidArgumentError("expected YYYY, YYYY-MM or YYYY-MM-DD"); }

Status BadAge() { return InvalidArgumentError("age must be a number 0-150 or a range like 30-35"); }

constexpr int kMaxAge = 150;

// One age bound: 1 to 3 digits, 0..kMaxAge; -1 otherwise.
int ParseAgeBound(std::string_view text) {
  if (text.empty() || text.size() > 3) return -1;
  const int value = ParseDigits(text, 0, text.size());
  return value > kMaxAge ? -1 : value;
}

}  // namespace

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian
// calendar, no loops, no tables.
std::int64_t DaysFromCivil(int year, int month, int day) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Result<PartialDate> PartialDate::Parse(std::string_view text) {
  if (text.size() != 4 && text.size() != 7 && text.size() != 10) return BadShape();
  PartialDate date;
  date.year = ParseDigits(text, 0, 4);
  if (date.year < 0) return BadShape();
  if (text.size() >= 7) {
    if (text[4] != '-') return BadShape();
    date.month = ParseDigits(text, 5, 2);
    if (date.month < 0) return BadShape();
  }
  if (text.size() == 10) {
    if (text[7] != '-') return BadShape();
    date.day = ParseDigits(text, 8, 2);
    if (date.day < 0) return BadShape();
  }
  if (date.year < 1) return InvalidArgumentError("year 0 is not 1-9999");
  if (text.size() >= 7 && (date.month < 1 || date.month > 12)) {
    return InvalidArgumentError("month " + std::to_string(date.month) + " is not 1-12");
  }
  if (text.size() == 10 && (date.day < 1 || date.day > DaysInMonth(date.year, date.month))) {
    std::string reason = "day " + std::to_string(date.day) + " does not exist in ";
    AppendPadded(reason, date.year, 4);
    reason += '-';
    AppendPadded(reason, date.month, 2);
    reason += " (it has " + std::to_string(DaysInMonth(date.year, date.month)) + " days)";
    return InvalidArgumentError(std::move(reason));
  }
  return date;
}

std::string PartialDate::ToString() const {
  std::string out;
  out.reserve(10);
  AppendPadded(out, year, 4);
  if (month > 0) {
    out += '-';
    AppendPadded(out, month, 2);
    if (day > 0) {
      out += '-';
      AppendPadded(out, day, 2);
    }
  }
  return out;
}

std::int64_t PartialDate::EarliestDay() const {
  return DaysFromCivil(year, month > 0 ? month : 1, (month > 0 && day > 0) ? day : 1);
}

std::int64_t PartialDate::LatestDay() const {
  const int m = month > 0 ? month : 12;
  const int d = (month > 0 && day > 0) ? day : DaysInMonth(year, m);
  return DaysFromCivil(year, m, d);
}

Result<AgeRange> AgeRange::Parse(std::string_view text) {
  const std::size_t dash = text.find('-');
  AgeRange range;
  if (dash == std::string_view::npos) {
    range.min = ParseAgeBound(text);
    if (range.min < 0) return BadAge();
    range.max = range.min;
    return range;
  }
  range.min = ParseAgeBound(text.substr(0, dash));
  range.max = ParseAgeBound(text.substr(dash + 1));
  if (range.min < 0 || range.max < 0) return BadAge();
  if (range.min > range.max) {
    return InvalidArgumentError("age range must not start above its end");
  }
  return range;
}

std::int64_t TodayDays() {
  const auto now = std::chrono::system_clock::now();
  return std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
}

}  // namespace kinlink::record
