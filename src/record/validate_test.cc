#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "record/record.h"

namespace kinlink::record {
namespace {

using namespace std::string_literals;

// A fixed "today" (2026-11-28) so the tests do not depend on the clock.
const ValidationContext kContext{DaysFromCivil(2026, 11, 28)};

Record Named(Kind kind = Kind::kPerson) {
  Record r(kind);
  r.Set(Field::kFullName, "Fatima Haddad");
  return r;
}

// The errors as "field: reason" lines, for readable failures.
std::vector<std::string> Describe(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) {
    out.push_back(std::string(FieldName(e.field)) + ": " + e.reason);
  }
  return out;
}

std::vector<std::string> ErrorsWith(Field field, std::string value, Kind kind = Kind::kPerson) {
  Record r = Named(kind);
  r.Set(field, std::move(value));
  return Describe(Validate(r, kContext));
}

using Lines = std::vector<std::string>;

TEST(ValidateTest, MinimalRecordIsValid) {
  EXPECT_TRUE(Validate(Named(), kContext).empty());
  EXPECT_TRUE(Validate(Named(Kind::kRequest), kContext).empty());
}

TEST(ValidateTest, FullPersonIsValid) {
  Record r(Kind::kPerson);
  r.Set(Field::kId, "KL-7");
  r.Set(Field::kFullName, "محمد أحمد الحسن");
  r.Set(Field::kGivenName, "محمد");
  r.Set(Field::kFamilyName, "الحسن");
  r.Set(Field::kFatherName, "أحمد");
  r.Set(Field::kAlternateNames, "Mohammed Al-Hassan;Muhammad Hasan");
  r.Set(Field::kSex, "M");
  r.Set(Field::kBirthDate, "1987-03");
  r.Set(Field::kAge, "35-40");
  r.Set(Field::kAgeAsOf, "2024");
  r.Set(Field::kBirthPlace, "حلب");
  r.Set(Field::kLastSeenDate, "2026-11-28");
  r.Set(Field::kPhone, "+963 (11) 555-0100");
  r.Set(Field::kEmail, "m.hassan@example.org");
  r.Set(Field::kNotes, "Seen at the station.\r\nLimps on the left.\tTall.");
  r.Set(Field::kStatus, "in hospital");
  EXPECT_EQ(Describe(Validate(r, kContext)), Lines{});
}

TEST(ValidateTest, FullRequestIsValid) {
  Record r = Named(Kind::kRequest);
  r.Set(Field::kEnquirerName, "Олена Шевченко");
  r.Set(Field::kEnquirerPhone, "+380 44 555 01 23");
  r.Set(Field::kEnquirerEmail, "olena@example.net");
  r.Set(Field::kRelationship, "sister");
  EXPECT_EQ(Describe(Validate(r, kContext)), Lines{});
}

TEST(ValidateTest, NoNameIsReportedOnFullName) {
  Record r(Kind::kPerson);
  r.Set(Field::kBirthDate, "1990");
  EXPECT_EQ(Describe(Validate(r, kContext)),
            Lines{"full_name: no name: fill full_name, given_name or family_name"});
  // Father's or mother's name alone is not the person's name.
  r.Set(Field::kFatherName, "Ahmad");
  EXPECT_EQ(Validate(r, kContext).size(), 1u);
}

TEST(ValidateTest, AnyOneNameFieldIsEnough) {
  for (Field f : {Field::kFullName, Field::kGivenName, Field::kFamilyName}) {
    Record r(Kind::kRequest);
    r.Set(f, "ዳዊት");
    EXPECT_TRUE(Validate(r, kContext).empty()) << FieldName(f);
  }
}

TEST(ValidateTest, WhitespaceOnlyNamesCountAsAbsent) {
  for (std::string blank : {" "s, "   "s, "\xC2\xA0"s, "\xE3\x80\x80"s, " \xE2\x80\x83 "s}) {
    Record r(Kind::kPerson);
    r.Set(Field::kFullName, blank);
    r.Set(Field::kFamilyName, " ");
    const auto errors = Describe(Validate(r, kContext));
    EXPECT_EQ(errors, Lines{"full_name: no name: fill full_name, given_name or family_name"});
  }
}

TEST(ValidateTest, InvalidUtf8NamesTheByte) {
  EXPECT_EQ(ErrorsWith(Field::kGivenName, "Olen\xff"),
            Lines{"given_name: not valid UTF-8 (byte 4)"});
  EXPECT_EQ(ErrorsWith(Field::kNotes, "\xC0\xAF"), Lines{"notes: not valid UTF-8 (byte 0)"});
}

TEST(ValidateTest, ByteLimits) {
  EXPECT_EQ(ErrorsWith(Field::kNotes, std::string(20000, 'a')),
            Lines{"notes: is 20000 bytes, over the limit of 16384 (kMaxFieldBytes)"});
  EXPECT_EQ(ErrorsWith(Field::kNotes, std::string(limits::kMaxFieldBytes, 'a')), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kGivenName, std::string(1025, 'a')),
            Lines{"given_name: is 1025 bytes, over the limit of 1024 (kMaxNameBytes)"});
  EXPECT_EQ(ErrorsWith(Field::kGivenName, std::string(limits::kMaxNameBytes, 'a')), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kAlternateNames, std::string(2000, 'a')),
            Lines{"alternate_names: is 2000 bytes, over the limit of 1024 (kMaxNameBytes)"});
}

TEST(ValidateTest, ControlCharactersInNames) {
  for (std::string bad : {"A\tB"s, "A\nB"s, "A\0B"s, "A\x7f"s, "\x1f"s, "A\rB"s}) {
    EXPECT_EQ(ErrorsWith(Field::kFamilyName, bad),
              Lines{"family_name: contains a control character"});
  }
  EXPECT_EQ(ErrorsWith(Field::kAlternateNames, "a;b\nc"),
            Lines{"alternate_names: contains a control character"});
  EXPECT_EQ(ErrorsWith(Field::kId, "KL\n7"), Lines{"id: contains a control character"});
}

TEST(ValidateTest, TextMayHaveLineBreaksAndTabsOnly) {
  EXPECT_EQ(ErrorsWith(Field::kNotes, "a\nb\r\nc\td"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kAddress, "Street 1\nFlat 2"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kNotes, "bell\a"), Lines{"notes: contains a control character"});
  EXPECT_EQ(ErrorsWith(Field::kNotes, "nul\0"s), Lines{"notes: contains a control character"});
  EXPECT_EQ(ErrorsWith(Field::kBirthPlace, "esc\x1b"),
            Lines{"birth_place: contains a control character"});
}

TEST(ValidateTest, Dates) {
  EXPECT_EQ(ErrorsWith(Field::kBirthDate, "2023-13"), Lines{"birth_date: month 13 is not 1-12"});
  EXPECT_EQ(ErrorsWith(Field::kBirthDate, "2023-02-30"),
            Lines{"birth_date: day 30 does not exist in 2023-02 (it has 28 days)"});
  EXPECT_EQ(ErrorsWith(Field::kLastSeenDate, "30.01.2023"),
            Lines{"last_seen_date: expected YYYY, YYYY-MM or YYYY-MM-DD"});
  EXPECT_EQ(ErrorsWith(Field::kBirthDate, "2026-11-28"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kBirthDate, "2026-11-29"), Lines{"birth_date: is after today"});
  EXPECT_EQ(ErrorsWith(Field::kBirthDate, "2026-12"), Lines{"birth_date: is after today"});
  // A partial date that can still be today is accepted.
  EXPECT_EQ(ErrorsWith(Field::kBirthDate, "2026-11"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kBirthDate, "2026"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kLastSeenDate, "2027"), Lines{"last_seen_date: is after today"});
}

TEST(ValidateTest, DefaultContextUsesTheRealToday) {
  Record r = Named();
  r.Set(Field::kBirthDate, "1987-03");
  EXPECT_TRUE(Validate(r, ValidationContext{}).empty());
  r.Set(Field::kBirthDate, "9999");
  EXPECT_EQ(Describe(Validate(r, ValidationContext{})), Lines{"birth_date: is after today"});
}

TEST(ValidateTest, Ages) {
  EXPECT_EQ(ErrorsWith(Field::kAge, "34"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kAge, "30-35"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kAge, "about 30"),
            Lines{"age: age must be a number 0-150 or a range like 30-35"});
  EXPECT_EQ(ErrorsWith(Field::kAge, "200"),
            Lines{"age: age must be a number 0-150 or a range like 30-35"});
}

TEST(ValidateTest, AgeAsOfNeedsAnAge) {
  Record r = Named();
  r.Set(Field::kAgeAsOf, "2024-05");
  EXPECT_EQ(Describe(Validate(r, kContext)), Lines{"age_as_of: age_as_of given without age"});
  r.Set(Field::kAge, "40");
  EXPECT_TRUE(Validate(r, kContext).empty());
  r.Set(Field::kAgeAsOf, "2024-5");
  EXPECT_EQ(Describe(Validate(r, kContext)),
            Lines{"age_as_of: expected YYYY, YYYY-MM or YYYY-MM-DD"});
}

TEST(ValidateTest, SexAndStatus) {
  EXPECT_EQ(ErrorsWith(Field::kSex, "Female"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kSex, "w"), Lines{"sex: sex must be f, m, x, female or male"});
  EXPECT_EQ(ErrorsWith(Field::kStatus, "Detained"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kStatus, "missing"),
            Lines{"status: status must be one of safe, in_hospital, detained, deceased, unknown"});
}

TEST(ValidateTest, Phones) {
  for (std::string_view good :
       {"0", "+380 44 555 01 23", "(011) 555-0100", "011.555.0100", "011/5550100"}) {
    EXPECT_EQ(ErrorsWith(Field::kPhone, std::string(good)), Lines{}) << good;
  }
  for (std::string_view bad : {"+-()", "call me", "555 0100 ext 2", "٠١١٥٥٥", "555#1"}) {
    EXPECT_EQ(ErrorsWith(Field::kPhone, std::string(bad)),
              Lines{"phone: phone must contain digits and only + - ( ) . / space"})
        << bad;
  }
  EXPECT_EQ(ErrorsWith(Field::kEnquirerPhone, "none", Kind::kRequest),
            Lines{"enquirer_phone: phone must contain digits and only + - ( ) . / space"});
}

TEST(ValidateTest, Emails) {
  EXPECT_EQ(ErrorsWith(Field::kEmail, "a@b"), Lines{});
  EXPECT_EQ(ErrorsWith(Field::kEmail, "ім'я@приклад.укр"), Lines{});
  for (std::string_view bad : {"ab", "@b", "a@", "a@b@c", "@"}) {
    EXPECT_EQ(ErrorsWith(Field::kEmail, std::string(bad)),
              Lines{"email: e-mail needs one @ with text on both sides"})
        << bad;
  }
  EXPECT_EQ(ErrorsWith(Field::kEmail, "a b@c"),
            Lines{"email: e-mail must not contain spaces or control characters"});
}

TEST(ValidateTest, KindSpecificFields) {
  EXPECT_EQ(ErrorsWith(Field::kStatus, "safe", Kind::kRequest),
            Lines{"status: the field 'status' is only for registered persons"});
  EXPECT_EQ(ErrorsWith(Field::kRelationship, "son", Kind::kPerson),
            Lines{"relationship: the field 'relationship' is only for tracing requests"});
  EXPECT_EQ(ErrorsWith(Field::kEnquirerEmail, "a@b", Kind::kPerson),
            Lines{"enquirer_email: the field 'enquirer_email' is only for tracing requests"});
}

TEST(ValidateTest, ReportsEveryErrorInFieldOrder) {
  Record r(Kind::kRequest);
  r.Set(Field::kId, "x\x01");
  r.Set(Field::kSex, "q");
  r.Set(Field::kBirthDate, "2023-02-29");
  r.Set(Field::kAgeAsOf, "2020");
  r.Set(Field::kEmail, "nobody");
  r.Set(Field::kStatus, "safe");
  r.Set(Field::kEnquirerName, "\xff");
  EXPECT_EQ(Describe(Validate(r, kContext)),
            (Lines{"id: contains a control character",
                   "full_name: no name: fill full_name, given_name or family_name",
                   "sex: sex must be f, m, x, female or male",
                   "birth_date: day 29 does not exist in 2023-02 (it has 28 days)",
                   "age_as_of: age_as_of given without age",
                   "email: e-mail needs one @ with text on both sides",
                   "status: the field 'status' is only for registered persons",
                   "enquirer_name: not valid UTF-8 (byte 0)"}));
}

TEST(ValidateTest, ReasonsNeverQuoteTheValue) {
  const std::string secret = "Zzsecretzz";
  Record r(Kind::kPerson);
  for (const FieldInfo& info : FieldCatalogue()) {
    r.Set(info.field, secret + "\x01" + secret);
  }
  r.set_kind(Kind::kRequest);
  const auto errors = Validate(r, kContext);
  EXPECT_GE(errors.size(), kFieldCount - 1);
  for (const FieldError& e : errors) {
    EXPECT_EQ(e.reason.find("secret"), std::string::npos) << FieldName(e.field);
  }
}

}  // namespace
}  // namespace kinlink::record
