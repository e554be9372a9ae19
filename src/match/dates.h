// Birth-date comparison levels, on plaintext and on keyed tokens.
//
// Evidence about a birth is a (partial) date — year, year-month or full —
// or an age range as of a date ("about 30" on the request date). Levels,
// strongest first:
//   kExact            both full dates, equal
//   kDayMonthSwapped  both full, same year, day and month exchanged
//                     (1988-03-12 vs 1988-12-03; day ≠ month)
//   kSameYearMonth    both know at least the month; same year and month
//   kSameYear         same year
//   kYearOffByOne     years differ by one
//   kAgeRangeOverlaps one side is an age range: its birth-year interval
//                     contains the other's year, or overlaps the other's
//                     interval
//   kDifferent        none of the above
//   kMissing          either side unknown (adds no evidence)
// Partial information gives the strongest level both sides support:
// "1988" vs "1988-03-12" is kSameYear; "1987" vs "1988" kYearOffByOne.
// An age range supports only kAgeRangeOverlaps (or kDifferent).
//
// Age range [min, max] as of a date in year Y → birth years
// [Y - max - 1, Y - min] (someone aged a during year Y was born in Y-a-1 or
// Y-a; the day of the as-of date is not used: conservative). An interval
// wider than kMaxAgeIntervalYears years carries too little evidence and is
// treated as unknown (kMissing), on both the plaintext and the encoded side.
// Invalid values (year outside 1..9999, month > 12, a day that does not
// exist, a day without a month; ages outside 0..150 or min > max) are
// treated as unknown: comparison never fails.
//
// Encoded form: EncodeDate turns evidence into keyed tokens (match/tokens.h)
// under the date field key; CompareDateTokens computes the level from token
// equality alone and returns exactly the level CompareDates gives on the
// plaintext (tested on random pairs). Tokens (domains kDate*Domain):
//   full date  F(y-m-d)           swapped full date F(y-d-m) (if d ≤ 12, d ≠ m)
//   year-month YM(y-m)            year Y(y), neighbours Y(y-1), Y(y+1)
//   age range  Y(each year of the interval), sorted by token value
// What an encoding reveals to someone without the key: its kind and
// precision (full / month / year / age interval width), and equality with
// other encodings under the same key.
//
// Thread-safety: pure functions; value types.
//
//   BirthEvidence a = BirthEvidence::FromDate(*record::PartialDate::Parse("1988"));
//   BirthEvidence b = BirthEvidence::FromAge({30, 30}, {2019, 0, 0});
//   DateLevel l = CompareDates(a, b);  // kAgeRangeOverlaps
#ifndef KINLINK_MATCH_DATES_H_
#define KINLINK_MATCH_DATES_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/crypto.h"
#include "match/tokens.h"
#include "record/record.h"

namespace kinlink::match {

enum class DateLevel : std::uint8_t {
  kExact = 0,
  kDayMonthSwapped,
  kSameYearMonth,
  kSameYear,
  kYearOffByOne,
  kAgeRangeOverlaps,
  kDifferent,
  kMissing,
};
inline constexpr std::size_t kDateLevelCount = 8;
std::string_view DateLevelName(DateLevel level);  // "exact", "day_month_swapped", ...

inline constexpr int kMaxAgeIntervalYears = 12;
inline constexpr std::string_view kDateFullDomain = "kinlink.match.date.full";
inline constexpr std::string_view kDateYearMonthDomain = "kinlink.match.date.ym";
inline constexpr std::string_view kDateYearDomain = "kinlink.match.date.year";

struct BirthEvidence {
  enum class Kind : std::uint8_t { kUnknown, kDate, kAgeRange };
  Kind kind = Kind::kUnknown;
  record::PartialDate date;   // kDate
  record::AgeRange age;       // kAgeRange
  record::PartialDate as_of;  // kAgeRange: only the year is used

  static BirthEvidence Unknown() { return {}; }
  static BirthEvidence FromDate(const record::PartialDate& date) {
    BirthEvidence e;
    e.kind = Kind::kDate;
    e.date = date;
    return e;
  }
  static BirthEvidence FromAge(const record::AgeRange& age, const record::PartialDate& as_of) {
    BirthEvidence e;
    e.kind = Kind::kAgeRange;
    e.age = age;
    e.as_of = as_of;
    return e;
  }
};

DateLevel CompareDates(const BirthEvidence& a, const BirthEvidence& b);

struct DateTokens {
  BirthEvidence::Kind kind = BirthEvidence::Kind::kUnknown;
  // kDate (present as far as the date's precision allows):
  std::optional<Token128> full, swapped, year_month, year, year_before, year_after;
  // kAgeRange: one token per birth year of the interval (≤ 12), sorted.
  std::vector<Token128> years;
};

// Precondition: date_key.size() == crypto::kKeyBytes (aborts otherwise).
DateTokens EncodeDate(const crypto::SecretBytes& date_key, const BirthEvidence& evidence);
// The same tokens from a crypto::TokenKey of date_key (faster, no
// allocation): what FeatureExtractor uses.
DateTokens EncodeDate(const crypto::TokenKey& date_key, const BirthEvidence& evidence);
DateLevel CompareDateTokens(const DateTokens& a, const DateTokens& b);

}  // namespace kinlink::match

#endif  // KINLINK_MATCH_DATES_H_
