// Birth-date comparison levels. See dates.h. The plaintext and the encoded
// comparison share one normalisation (Normalise) so that they treat invalid
// and too-vague evidence identically.
#include "match/dates.h"

#include <algorithm>
#include <string>

#include "common/decimal.h"

namespace kinlink::match {
namespace {

using Kind = BirthEvidence::Kind;

struct Normal {
  Kind kind = Kind::kUnknown;
  int year = 0, month = 0, day = 0;  // kDate
  int first = 0, last = 0;           // kAgeRange: birth-year interval
};

bool ValidDate(const record::PartialDate& d) {
  if (d.year < 1 || d.year > 9999 || d.month < 0 || d.month > 12 || d.day < 0) return false;
  if (d.day > 0 && (d.month == 0 || d.day > record::DaysInMonth(d.year, d.month))) return false;
  return true;
}

Normal Normalise(const BirthEvidence& e) {
  Normal n;
  if (e.kind == Kind::kDate && ValidDate(e.date)) {
    n.kind = Kind::kDate;
    n.year = e.date.year;
    n.month = e.date.month;
    n.day = e.date.day;
  } else if (e.kind == Kind::kAgeRange && ValidDate(e.as_of) && e.age.min >= 0 &&
             e.age.max <= 150 && e.age.min <= e.age.max) {
    const int first = e.as_of.year - e.age.max - 1;
    const int last = e.as_of.year - e.age.min;
    if (last - first + 1 <= kMaxAgeIntervalYears) {
      n.kind = Kind::kAgeRange;
      n.first = first;
      n.last = last;
    }
  }
  return n;
}

DateLevel CompareNormal(const Normal& a, const Normal& b) {
  if (a.kind == Kind::kUnknown || b.kind == Kind::kUnknown) return DateLevel::kMissing;
  if (a.kind == Kind::kAgeRange || b.kind == Kind::kAgeRange) {
    const int a_first = a.kind == Kind::kDate ? a.year : a.first;
    const int a_last = a.kind == Kind::kDate ? a.year : a.last;
    const int b_first = b.kind == Kind::kDate ? b.year : b.first;
    const int b_last = b.kind == Kind::kDate ? b.year : b.last;
    return std::max(a_first, b_first) <= std::min(a_last, b_last) ? DateLevel::kAgeRangeOverlaps
                                                                  : DateLevel::kDifferent;
  }
  const bool both_full = a.day > 0 && b.day > 0;
  if (a.year == b.year) {
    if (both_full && a.month == b.month && a.day == b.day) return DateLevel::kExact;
    if (both_full && a.day == b.month && a.month == b.day) return DateLevel::kDayMonthSwapped;
    if (a.month > 0 && a.month == b.month) return DateLevel::kSameYearMonth;
    return DateLevel::kSameYear;
  }
  if (a.year - b.year == 1 || b.year - a.year == 1) return DateLevel::kYearOffByOne;
  return DateLevel::kDifferent;
}

std::string YearText(int year) { return std::to_string(year); }

std::string YearMonthText(int year, int month) {
  std::string out;
  AppendZeroPadded(out, year, 4);  // "%04d-%02d"
  out.push_back('-');
  AppendZeroPadded(out, month, 2);
  return out;
}

std::string FullText(int year, int month, int day) {
  std::string out = YearMonthText(year, month);  // "%04d-%02d-%02d"
  out.push_back('-');
  AppendZeroPadded(out, day, 2);
  return out;
}

bool Contains(const std::vector<Token128>& sorted, const Token128& t) {
  return std::binary_search(sorted.begin(), sorted.end(), t);
}

}  // namespace

std::string_view DateLevelName(DateLevel level) {
  switch (level) {
    case DateLevel::kExact:
      return "exact";
    case DateLevel::kDayMonthSwapped:
      return "day_month_swapped";
    case DateLevel::kSameYearMonth:
      return "same_year_month";
    case DateLevel::kSameYear:
      return "same_year";
    case DateLevel::kYearOffByOne:
      return "year_off_by_one";
    case DateLevel::kAgeRangeOverlaps:
      return "age_range_overlaps";
    case DateLevel::kDifferent:
      return "different";
    case DateLevel::kMissing:
      return "missing";
  }
  return "unknown";
}

DateLevel CompareDates(const BirthEvidence& a, const BirthEvidence& b) {
  return CompareNormal(Normalise(a), Normalise(b));
}

namespace {

// The messages a date's tokens are made of, each with where its token goes.
struct DateMessage {
  enum Slot { kYear, kYearBefore, kYearAfter, kYearMonth, kFull, kSwapped, kRangeYear };
  Slot slot;
  std::string_view domain;
  std::string value;
};

std::vector<DateMessage> DateMessages(const Normal& n) {
  std::vector<DateMessage> m;
  if (n.kind == Kind::kDate) {
    m.push_back({DateMessage::kYear, kDateYearDomain, YearText(n.year)});
    m.push_back({DateMessage::kYearBefore, kDateYearDomain, YearText(n.year - 1)});
    m.push_back({DateMessage::kYearAfter, kDateYearDomain, YearText(n.year + 1)});
    if (n.month > 0) {
      m.push_back({DateMessage::kYearMonth, kDateYearMonthDomain, YearMonthText(n.year, n.month)});
    }
    if (n.day > 0) {
      m.push_back({DateMessage::kFull, kDateFullDomain, FullText(n.year, n.month, n.day)});
      // The date as it would read with day and month exchanged; in the full
      // domain so that it equals the other side's full token.
      if (n.day <= 12 && n.day != n.month) {
        m.push_back({DateMessage::kSwapped, kDateFullDomain, FullText(n.year, n.day, n.month)});
      }
    }
  } else if (n.kind == Kind::kAgeRange) {
    for (int y = n.first; y <= n.last; ++y) {
      m.push_back({DateMessage::kRangeYear, kDateYearDomain, YearText(y)});
    }
  }
  return m;
}

// The tokens of `messages` (tokens[i] of messages[i]) put in their places.
DateTokens Assemble(Kind kind, const std::vector<DateMessage>& messages,
                    const std::vector<Token128>& tokens) {
  DateTokens out;
  out.kind = kind;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    switch (messages[i].slot) {
      case DateMessage::kYear: out.year = tokens[i]; break;
      case DateMessage::kYearBefore: out.year_before = tokens[i]; break;
      case DateMessage::kYearAfter: out.year_after = tokens[i]; break;
      case DateMessage::kYearMonth: out.year_month = tokens[i]; break;
      case DateMessage::kFull: out.full = tokens[i]; break;
      case DateMessage::kSwapped: out.swapped = tokens[i]; break;
      case DateMessage::kRangeYear: out.years.push_back(tokens[i]); break;
    }
  }
  // Sorted by value: hides which token is which year, and allows binary
  // search.
  std::sort(out.years.begin(), out.years.end());
  return out;
}

}  // namespace

DateTokens EncodeDate(const crypto::SecretBytes& date_key, const BirthEvidence& evidence) {
  const Normal n = Normalise(evidence);
  const std::vector<DateMessage> messages = DateMessages(n);
  std::vector<Token128> tokens;
  for (const DateMessage& m : messages) tokens.push_back(MakeToken(date_key, m.domain, m.value));
  return Assemble(n.kind, messages, tokens);
}

DateTokens EncodeDate(const crypto::TokenKey& date_key, const BirthEvidence& evidence) {
  const Normal n = Normalise(evidence);
  const std::vector<DateMessage> messages = DateMessages(n);
  std::vector<Token128> tokens(messages.size());
  date_key.ComputeEach(messages.size(), [&](std::size_t i) {
    return crypto::TokenKey::Message{messages[i].domain, messages[i].value,
                                     tokens[i].bytes.data()};
  });
  return Assemble(n.kind, messages, tokens);
}

DateLevel CompareDateTokens(const DateTokens& a, const DateTokens& b) {
  if (a.kind == Kind::kUnknown || b.kind == Kind::kUnknown) return DateLevel::kMissing;
  if (a.kind == Kind::kAgeRange || b.kind == Kind::kAgeRange) {
    const DateTokens& range = a.kind == Kind::kAgeRange ? a : b;
    const DateTokens& other = a.kind == Kind::kAgeRange ? b : a;
    bool overlap = false;
    if (other.kind == Kind::kDate) {
      overlap = other.year.has_value() && Contains(range.years, *other.year);
    } else {
      for (const Token128& t : other.years) overlap = overlap || Contains(range.years, t);
    }
    return overlap ? DateLevel::kAgeRangeOverlaps : DateLevel::kDifferent;
  }
  auto same = [](const std::optional<Token128>& x, const std::optional<Token128>& y) {
    return x.has_value() && y.has_value() && *x == *y;
  };
  if (same(a.full, b.full)) return DateLevel::kExact;
  if (same(a.swapped, b.full)) return DateLevel::kDayMonthSwapped;
  if (same(a.year_month, b.year_month)) return DateLevel::kSameYearMonth;
  if (same(a.year, b.year)) return DateLevel::kSameYear;
  if (same(a.year_before, b.year) || same(a.year_after, b.year)) return DateLevel::kYearOffByOne;
  return DateLevel::kDifferent;
}

}  // namespace kinlink::match
