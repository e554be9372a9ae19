#include "match/dates.h"

#include <gtest/gtest.h>

#include <random>

namespace kinlink::match {
namespace {

using record::AgeRange;
using record::PartialDate;

BirthEvidence D(std::string_view text) {
  return BirthEvidence::FromDate(PartialDate::Parse(text).value());
}
BirthEvidence A(int min, int max, std::string_view as_of) {
  return BirthEvidence::FromAge(AgeRange{min, max}, PartialDate::Parse(as_of).value());
}

crypto::SecretBytes Key() { return crypto::SecretBytes::CopyOf(std::string(32, 'd')); }

DateLevel Encoded(const BirthEvidence& a, const BirthEvidence& b) {
  const auto key = Key();
  return CompareDateTokens(EncodeDate(key, a), EncodeDate(key, b));
}

struct Case {
  BirthEvidence a, b;
  DateLevel level;
};

TEST(DatesTest, LevelsTable) {
  const Case cases[] = {
      {D("1988-03-12"), D("1988-03-12"), DateLevel::kExact},
      {D("1988-03-12"), D("1988-12-03"), DateLevel::kDayMonthSwapped},
      {D("1988-03-13"), D("1988-03-12"), DateLevel::kSameYearMonth},
      {D("1988-03"), D("1988-03-12"), DateLevel::kSameYearMonth},
      {D("1988"), D("1988-03-12"), DateLevel::kSameYear},
      {D("1988-04"), D("1988-03"), DateLevel::kSameYear},
      {D("1987"), D("1988"), DateLevel::kYearOffByOne},
      {D("1989-01-01"), D("1988-12-31"), DateLevel::kYearOffByOne},
      {D("1986"), D("1988"), DateLevel::kDifferent},
      {D("1988-03-12"), D("1989-12-03"), DateLevel::kYearOffByOne},  // swap needs same year
      {D("1988"), A(30, 30, "2019"), DateLevel::kAgeRangeOverlaps},  // born 1988 or 1989
      {D("1989-05-01"), A(30, 30, "2019-06-01"), DateLevel::kAgeRangeOverlaps},
      {D("1990"), A(30, 30, "2019"), DateLevel::kDifferent},
      {A(30, 35, "2020"), A(20, 25, "2020"), DateLevel::kDifferent},
      {A(30, 35, "2020"), A(35, 40, "2020"), DateLevel::kAgeRangeOverlaps},
      {D("1988"), BirthEvidence::Unknown(), DateLevel::kMissing},
      {BirthEvidence::Unknown(), BirthEvidence::Unknown(), DateLevel::kMissing},
      {D("1988"), A(0, 150, "2020"), DateLevel::kMissing},  // too vague
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompareDates(c.a, c.b), c.level) << DateLevelName(c.level);
    EXPECT_EQ(CompareDates(c.b, c.a), c.level) << "symmetric " << DateLevelName(c.level);
    EXPECT_EQ(Encoded(c.a, c.b), c.level) << "encoded " << DateLevelName(c.level);
  }
}

TEST(DatesTest, SameDayAndMonthIsNotASwap) {
  EXPECT_EQ(CompareDates(D("1988-05-05"), D("1988-05-05")), DateLevel::kExact);
  EXPECT_FALSE(EncodeDate(Key(), D("1988-05-05")).swapped.has_value());
  EXPECT_FALSE(EncodeDate(Key(), D("1988-05-13")).swapped.has_value());
}

TEST(DatesTest, InvalidEvidenceCountsAsMissing) {
  BirthEvidence bad_month = BirthEvidence::FromDate(PartialDate{1988, 13, 0});
  BirthEvidence day_without_month = BirthEvidence::FromDate(PartialDate{1988, 0, 5});
  BirthEvidence bad_day = BirthEvidence::FromDate(PartialDate{2023, 2, 29});
  BirthEvidence bad_age = BirthEvidence::FromAge(AgeRange{40, 30}, PartialDate{2020, 0, 0});
  for (const auto& e : {bad_month, day_without_month, bad_day, bad_age}) {
    EXPECT_EQ(CompareDates(e, D("1988")), DateLevel::kMissing);
    EXPECT_EQ(Encoded(e, D("1988")), DateLevel::kMissing);
  }
}

TEST(DatesTest, AgeIntervalCap) {
  // [2020-41, 2020-30] = 12 years: kept; one more year: unknown.
  EXPECT_EQ(CompareDates(D("1979"), A(30, 40, "2020")), DateLevel::kAgeRangeOverlaps);
  EXPECT_EQ(EncodeDate(Key(), A(30, 40, "2020")).years.size(), 12u);
  EXPECT_EQ(CompareDates(D("1979"), A(30, 41, "2020")), DateLevel::kMissing);
  EXPECT_EQ(EncodeDate(Key(), A(30, 41, "2020")).kind, BirthEvidence::Kind::kUnknown);
}

TEST(DatesTest, EncodedLevelEqualsPlaintextOnRandomPairs) {
  std::mt19937 rng(31337);
  std::uniform_int_distribution<int> kind(0, 9), year(1984, 1992), month(0, 12), small(1, 12),
      age(25, 40), width(0, 12), as_of(2018, 2022);
  const auto key = Key();
  const crypto::TokenKey fast_key(key);
  auto random_evidence = [&] {
    const int k = kind(rng);
    if (k == 0) return BirthEvidence::Unknown();
    if (k <= 2) {
      const int lo = age(rng);
      return BirthEvidence::FromAge(AgeRange{lo, lo + width(rng)},
                                    PartialDate{as_of(rng), 0, 0});
    }
    PartialDate d{year(rng), month(rng), 0};
    // Days ≤ 12 half the time, so that swaps are frequent.
    if (d.month > 0 && k >= 5) {
      d.day = k >= 8 ? small(rng)
                     : std::uniform_int_distribution<int>(
                           1, record::DaysInMonth(d.year, d.month))(rng);
    }
    return BirthEvidence::FromDate(d);
  };
  std::array<int, kDateLevelCount> seen{};
  for (int n = 0; n < 20000; ++n) {
    const BirthEvidence a = random_evidence(), b = random_evidence();
    const DateLevel plain = CompareDates(a, b);
    ASSERT_EQ(CompareDateTokens(EncodeDate(key, a), EncodeDate(key, b)), plain)
        << DateLevelName(plain);
    ASSERT_EQ(CompareDates(b, a), plain);
    // The TokenKey form gives the same tokens.
    const DateTokens slow = EncodeDate(key, a);
    const DateTokens fast = EncodeDate(fast_key, a);
    ASSERT_EQ(fast.kind, slow.kind);
    ASSERT_TRUE(fast.full == slow.full && fast.swapped == slow.swapped &&
                fast.year_month == slow.year_month && fast.year == slow.year &&
                fast.year_before == slow.year_before && fast.year_after == slow.year_after &&
                fast.years == slow.years);
    ++seen[static_cast<std::size_t>(plain)];
  }
  for (std::size_t level = 0; level < kDateLevelCount; ++level) {
    EXPECT_GT(seen[level], 0) << "level " << level << " never produced";
  }
}

}  // namespace
}  // namespace kinlink::match
