#include "record/record.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kinlink::record {
namespace {

TEST(FieldCatalogueTest, NamesAreTheCanonicalColumnsInOrder) {
  const std::vector<std::string_view> expected = {"id",
                                                  "full_name",
                                                  "given_name",
                                                  "family_name",
                                                  "father_name",
                                                  "grandfather_name",
                                                  "mother_name",
                                                  "alternate_names",
                                                  "sex",
                                                  "birth_date",
                                                  "age",
                                                  "age_as_of",
                                                  "birth_place",
                                                  "address",
                                                  "locality",
                                                  "region",
                                                  "postcode",
                                                  "country",
                                                  "last_known_place",
                                                  "last_seen_date",
                                                  "phone",
                                                  "email",
                                                  "notes",
                                                  "status",
                                                  "enquirer_name",
                                                  "enquirer_phone",
                                                  "enquirer_email",
                                                  "relationship"};
  auto catalogue = FieldCatalogue();
  ASSERT_EQ(catalogue.size(), kFieldCount);
  ASSERT_EQ(expected.size(), kFieldCount);
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    EXPECT_EQ(catalogue[i].name, expected[i]) << i;
    EXPECT_EQ(static_cast<std::size_t>(catalogue[i].field), i);
    EXPECT_EQ(FieldName(catalogue[i].field), expected[i]);
  }
}

TEST(FieldCatalogueTest, FieldByNameRoundTripsAndIsExact) {
  for (const FieldInfo& info : FieldCatalogue()) {
    auto field = FieldByName(info.name);
    ASSERT_TRUE(field.has_value()) << info.name;
    EXPECT_EQ(*field, info.field);
  }
  EXPECT_FALSE(FieldByName("Full_Name").has_value());
  EXPECT_FALSE(FieldByName("full_name ").has_value());
  EXPECT_FALSE(FieldByName("").has_value());
  EXPECT_FALSE(FieldByName("surname").has_value());
}

TEST(FieldCatalogueTest, ValueTypes) {
  EXPECT_EQ(InfoOf(Field::kId).type, ValueType::kText);
  for (Field f : {Field::kFullName, Field::kGivenName, Field::kFamilyName, Field::kFatherName,
                  Field::kGrandfatherName, Field::kMotherName, Field::kEnquirerName}) {
    EXPECT_EQ(InfoOf(f).type, ValueType::kName) << FieldName(f);
  }
  EXPECT_EQ(InfoOf(Field::kAlternateNames).type, ValueType::kNames);
  EXPECT_EQ(InfoOf(Field::kSex).type, ValueType::kSex);
  EXPECT_EQ(InfoOf(Field::kBirthDate).type, ValueType::kDate);
  EXPECT_EQ(InfoOf(Field::kAgeAsOf).type, ValueType::kDate);
  EXPECT_EQ(InfoOf(Field::kLastSeenDate).type, ValueType::kDate);
  EXPECT_EQ(InfoOf(Field::kAge).type, ValueType::kAge);
  EXPECT_EQ(InfoOf(Field::kStatus).type, ValueType::kStatus);
  EXPECT_EQ(InfoOf(Field::kPhone).type, ValueType::kPhone);
  EXPECT_EQ(InfoOf(Field::kEnquirerPhone).type, ValueType::kPhone);
  EXPECT_EQ(InfoOf(Field::kEmail).type, ValueType::kEmail);
  EXPECT_EQ(InfoOf(Field::kEnquirerEmail).type, ValueType::kEmail);
  EXPECT_EQ(InfoOf(Field::kNotes).type, ValueType::kText);
  EXPECT_EQ(InfoOf(Field::kRelationship).type, ValueType::kText);
}

TEST(FieldCatalogueTest, KindSpecificFields) {
  for (std::size_t i = 0; i < kCanonicalFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    EXPECT_TRUE(FieldAllowedFor(f, Kind::kPerson)) << FieldName(f);
    EXPECT_TRUE(FieldAllowedFor(f, Kind::kRequest)) << FieldName(f);
  }
  EXPECT_TRUE(FieldAllowedFor(Field::kStatus, Kind::kPerson));
  EXPECT_FALSE(FieldAllowedFor(Field::kStatus, Kind::kRequest));
  for (Field f :
       {Field::kEnquirerName, Field::kEnquirerPhone, Field::kEnquirerEmail, Field::kRelationship}) {
    EXPECT_TRUE(FieldAllowedFor(f, Kind::kRequest)) << FieldName(f);
    EXPECT_FALSE(FieldAllowedFor(f, Kind::kPerson)) << FieldName(f);
  }
}

TEST(FieldCatalogueTest, ColumnsForEachKind) {
  const std::vector<Field> person = ColumnsFor(Kind::kPerson);
  ASSERT_EQ(person.size(), kCanonicalFieldCount + 1);
  for (std::size_t i = 0; i < kCanonicalFieldCount; ++i) {
    EXPECT_EQ(person[i], static_cast<Field>(i));
  }
  EXPECT_EQ(person.back(), Field::kStatus);

  const std::vector<Field> request = ColumnsFor(Kind::kRequest);
  ASSERT_EQ(request.size(), kCanonicalFieldCount + 4);
  EXPECT_EQ(request[kCanonicalFieldCount - 1], Field::kNotes);
  EXPECT_EQ(request[kCanonicalFieldCount], Field::kEnquirerName);
  EXPECT_EQ(request.back(), Field::kRelationship);
  EXPECT_EQ(std::set<Field>(request.begin(), request.end()).count(Field::kStatus), 0u);
}

TEST(KindTest, NamesAndParsing) {
  EXPECT_EQ(KindName(Kind::kPerson), "person");
  EXPECT_EQ(KindName(Kind::kRequest), "request");
  EXPECT_EQ(*ParseKind("person"), Kind::kPerson);
  EXPECT_EQ(*ParseKind("REQUEST"), Kind::kRequest);
  EXPECT_EQ(*ParseKind("Person"), Kind::kPerson);
  EXPECT_EQ(ParseKind("persons").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseKind("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseKind(" person").status().code(), StatusCode::kInvalidArgument);
}

TEST(SexTest, AcceptsShortAndLongFormsInAnyCase) {
  EXPECT_EQ(*ParseSex(""), Sex::kUnknown);
  EXPECT_EQ(*ParseSex("f"), Sex::kFemale);
  EXPECT_EQ(*ParseSex("F"), Sex::kFemale);
  EXPECT_EQ(*ParseSex("Female"), Sex::kFemale);
  EXPECT_EQ(*ParseSex("FEMALE"), Sex::kFemale);
  EXPECT_EQ(*ParseSex("m"), Sex::kMale);
  EXPECT_EQ(*ParseSex("male"), Sex::kMale);
  EXPECT_EQ(*ParseSex("MaLe"), Sex::kMale);
  EXPECT_EQ(*ParseSex("x"), Sex::kOther);
  EXPECT_EQ(*ParseSex("X"), Sex::kOther);
}

TEST(SexTest, RejectsOtherValuesWithoutQuotingThem) {
  for (std::string_view bad : {"fem", "mal", "u", " f", "f ", "females", "0", "女"}) {
    auto r = ParseSex(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "sex must be f, m, x, female or male");
  }
}

TEST(PersonStatusTest, ParsesAllNamesAndAliases) {
  EXPECT_EQ(*ParseStatus(""), PersonStatus::kUnknown);
  EXPECT_EQ(*ParseStatus("unknown"), PersonStatus::kUnknown);
  EXPECT_EQ(*ParseStatus("Unknown"), PersonStatus::kUnknown);
  EXPECT_EQ(*ParseStatus("safe"), PersonStatus::kSafe);
  EXPECT_EQ(*ParseStatus("SAFE"), PersonStatus::kSafe);
  EXPECT_EQ(*ParseStatus("in_hospital"), PersonStatus::kInHospital);
  EXPECT_EQ(*ParseStatus("In Hospital"), PersonStatus::kInHospital);
  EXPECT_EQ(*ParseStatus("hospital"), PersonStatus::kInHospital);
  EXPECT_EQ(*ParseStatus("detained"), PersonStatus::kDetained);
  EXPECT_EQ(*ParseStatus("Deceased"), PersonStatus::kDeceased);
  for (std::string_view bad : {"dead", "in-hospital", "safe ", "missing"}) {
    auto r = ParseStatus(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              "status must be one of safe, in_hospital, detained, deceased, unknown");
  }
}

TEST(PersonStatusTest, NamesRoundTrip) {
  for (PersonStatus s : {PersonStatus::kUnknown, PersonStatus::kSafe, PersonStatus::kInHospital,
                         PersonStatus::kDetained, PersonStatus::kDeceased}) {
    auto parsed = ParseStatus(StatusName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(StatusName(PersonStatus::kInHospital), "in_hospital");
}

TEST(RecordTest, SetGetHasClear) {
  Record r(Kind::kRequest);
  EXPECT_EQ(r.kind(), Kind::kRequest);
  EXPECT_FALSE(r.Has(Field::kFullName));
  r.Set(Field::kFullName, "Олена Іванівна");
  r.Set(Field::kRelationship, "sister");
  EXPECT_TRUE(r.Has(Field::kFullName));
  EXPECT_EQ(r.Get(Field::kFullName), "Олена Іванівна");
  EXPECT_EQ(r.Get(Field::kGivenName), "");

  Record copy = r;
  EXPECT_EQ(copy, r);
  copy.Set(Field::kRelationship, "brother");
  EXPECT_NE(copy, r);

  r.Clear();
  EXPECT_FALSE(r.Has(Field::kFullName));
  EXPECT_FALSE(r.Has(Field::kRelationship));
  EXPECT_EQ(r.kind(), Kind::kRequest);  // Clear keeps the kind
  EXPECT_EQ(r, Record(Kind::kRequest));
  EXPECT_NE(r, Record(Kind::kPerson));
}

}  // namespace
}  // namespace kinlink::record
