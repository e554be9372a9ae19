#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "record/record.h"

namespace kinlink::record {
namespace {

TEST(PartialDateTest, ParsesTheThreeShapes) {
  EXPECT_EQ(*PartialDate::Parse("1987"), (PartialDate{1987, 0, 0}));
  EXPECT_EQ(*PartialDate::Parse("1987-03"), (PartialDate{1987, 3, 0}));
  EXPECT_EQ(*PartialDate::Parse("1987-03-09"), (PartialDate{1987, 3, 9}));
  EXPECT_EQ(*PartialDate::Parse("0001"), (PartialDate{1, 0, 0}));
  EXPECT_EQ(*PartialDate::Parse("9999-12-31"), (PartialDate{9999, 12, 31}));
}

TEST(PartialDateTest, LeapDays) {
  EXPECT_TRUE(PartialDate::Parse("2024-02-29").ok());
  EXPECT_TRUE(PartialDate::Parse("2000-02-29").ok());
  auto r = PartialDate::Parse("1900-02-29");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "day 29 does not exist in 1900-02 (it has 28 days)");
}

TEST(PartialDateTest, RejectsBadShapes) {
  for (std::string_view bad :
       {"",      "87",    "987",         "19870",    "1987-3",        "1987-03-9", "1987/03/09",
        " 1987", "1987 ", "1987-03-",    "1987-",    "198a",          "1987-0a",   "1987-03-0a",
        "+987",  "-987",  "1987-03-09T", "19870309", "1987-03-09-01", "١٩٨٧"}) {
    auto r = PartialDate::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "expected YYYY, YYYY-MM or YYYY-MM-DD") << bad;
  }
}

TEST(PartialDateTest, RejectsImpossibleValuesWithPreciseReasons) {
  struct Case {
    std::string_view text;
    std::string_view reason;
  };
  for (const Case& c : {
           Case{"0000", "year 0 is not 1-9999"},
           Case{"2023-13", "month 13 is not 1-12"},
           Case{"2023-00", "month 0 is not 1-12"},
           Case{"2023-13-01", "month 13 is not 1-12"},
           Case{"2023-02-30", "day 30 does not exist in 2023-02 (it has 28 days)"},
           Case{"2023-04-31", "day 31 does not exist in 2023-04 (it has 30 days)"},
           Case{"2023-01-00", "day 0 does not exist in 2023-01 (it has 31 days)"},
           Case{"2023-01-32", "day 32 does not exist in 2023-01 (it has 31 days)"},
       }) {
    auto r = PartialDate::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().message(), c.reason);
  }
}

TEST(PartialDateTest, ToStringIsCanonical) {
  EXPECT_EQ((PartialDate{1987, 0, 0}).ToString(), "1987");
  EXPECT_EQ((PartialDate{1987, 3, 0}).ToString(), "1987-03");
  EXPECT_EQ((PartialDate{1987, 3, 9}).ToString(), "1987-03-09");
  EXPECT_EQ((PartialDate{5, 1, 2}).ToString(), "0005-01-02");
  for (std::string_view s : {"2001", "2001-11", "2001-11-30", "0042-02-28"}) {
    EXPECT_EQ(PartialDate::Parse(s)->ToString(), s);
  }
}

TEST(PartialDateTest, EarliestAndLatestDay) {
  const PartialDate year{2023, 0, 0};
  EXPECT_EQ(year.EarliestDay(), DaysFromCivil(2023, 1, 1));
  EXPECT_EQ(year.LatestDay(), DaysFromCivil(2023, 12, 31));
  const PartialDate month{2024, 2, 0};
  EXPECT_EQ(month.EarliestDay(), DaysFromCivil(2024, 2, 1));
  EXPECT_EQ(month.LatestDay(), DaysFromCivil(2024, 2, 29));
  const PartialDate day{1970, 1, 1};
  EXPECT_EQ(day.EarliestDay(), 0);
  EXPECT_EQ(day.LatestDay(), 0);
}

TEST(CalendarTest, LeapYears) {
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_TRUE(IsLeapYear(4));
}

TEST(CalendarTest, DaysInMonth) {
  EXPECT_EQ(DaysInMonth(2023, 1), 31);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 4), 30);
  EXPECT_EQ(DaysInMonth(2023, 12), 31);
}

TEST(CalendarTest, DaysFromCivilKnownValues) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1970, 1, 2), 1);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2026, 11, 28), 20785);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
}

TEST(CalendarTest, DaysFromCivilIsContiguousAcrossYears) {
  // Walking every day of 1896..2104 must advance the count by exactly one.
  std::int64_t previous = DaysFromCivil(1895, 12, 31);
  for (int y = 1896; y <= 2104; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= DaysInMonth(y, m); ++d) {
        const std::int64_t days = DaysFromCivil(y, m, d);
        ASSERT_EQ(days, previous + 1) << y << "-" << m << "-" << d;
        previous = days;
      }
    }
  }
}

TEST(CalendarTest, TodayIsPlausible) {
  const std::int64_t today = TodayDays();
  EXPECT_GT(today, DaysFromCivil(2024, 1, 1));
  EXPECT_LT(today, DaysFromCivil(2200, 1, 1));
}

TEST(AgeRangeTest, ParsesSingleAgesAndRanges) {
  EXPECT_EQ(*AgeRange::Parse("34"), (AgeRange{34, 34}));
  EXPECT_EQ(*AgeRange::Parse("0"), (AgeRange{0, 0}));
  EXPECT_EQ(*AgeRange::Parse("150"), (AgeRange{150, 150}));
  EXPECT_EQ(*AgeRange::Parse("30-35"), (AgeRange{30, 35}));
  EXPECT_EQ(*AgeRange::Parse("7-7"), (AgeRange{7, 7}));
  EXPECT_EQ(*AgeRange::Parse("007"), (AgeRange{7, 7}));
}

TEST(AgeRangeTest, RejectsBadAges) {
  for (std::string_view bad : {"", "151", "1000", "-5", "30-", "-", "30--35", "30-35-40", "3o",
                               " 30", "30 ", "30 - 35", "34.5", "30-151", "99999999999"}) {
    auto r = AgeRange::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "age must be a number 0-150 or a range like 30-35") << bad;
  }
  auto reversed = AgeRange::Parse("35-30");
  ASSERT_FALSE(reversed.ok());
  EXPECT_EQ(reversed.status().message(), "age range must not start above its end");
}

}  // namespace
}  // namespace kinlink::record
