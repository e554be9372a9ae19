#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "record/record.h"

namespace kinlink::record {
namespace {

using namespace std::string_literals;

Record FullPerson() {
  Record r(Kind::kPerson);
  r.Set(Field::kId, "KL-7");
  r.Set(Field::kFullName, "محمد أحمد الحسن");
  r.Set(Field::kGivenName, "Олена");
  r.Set(Field::kFamilyName, "ተስፋዬ");
  r.Set(Field::kFatherName, "Іванович");
  r.Set(Field::kSex, "m");
  r.Set(Field::kBirthDate, "1987-03");
  r.Set(Field::kNotes, "line one\nline two\r\n\ttabbed");
  r.Set(Field::kStatus, "safe");
  return r;
}

void ExpectDataLoss(std::string_view bytes, std::string_view reason_part) {
  auto r = Deserialize(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find(reason_part), std::string::npos) << r.status().message();
}

TEST(SerializeTest, EmptyRecordIsTwoBytes) {
  EXPECT_EQ(Serialize(Record(Kind::kPerson)), "\x01\x02"s);
  EXPECT_EQ(Serialize(Record(Kind::kRequest)), "\x01\x01"s);
  auto back = Deserialize("\x01\x01"s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Record(Kind::kRequest));
}

TEST(SerializeTest, ExactLayout) {
  Record r(Kind::kRequest);
  r.Set(Field::kFullName, "Ab");
  r.Set(Field::kRelationship, "son");
  EXPECT_EQ(Serialize(r),
            "\x01\x01\x01\x02"s
            "Ab"
            "\x1b\x03"s
            "son");
}

TEST(SerializeTest, LongValueUsesMultiByteVarint) {
  Record r(Kind::kPerson);
  r.Set(Field::kNotes, std::string(300, 'n'));
  const std::string bytes = Serialize(r);
  // 300 = 0b10_0101100 -> 0xAC 0x02.
  EXPECT_EQ(bytes.substr(0, 5), "\x01\x02\x16\xac\x02"s);
  EXPECT_EQ(bytes.size(), 5u + 300u);
  EXPECT_EQ(*Deserialize(bytes), r);
}

TEST(SerializeTest, RoundTripsManyScriptsNulAndNewlines) {
  Record r = FullPerson();
  r.Set(Field::kAlternateNames, "Mohammed Al-Hassan;Мухаммад;መሐመድ");
  r.Set(Field::kAddress, "a\0b"s);
  r.Set(Field::kLocality, "\0"s);
  const std::string bytes = Serialize(r);
  auto back = Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  EXPECT_EQ(back->Get(Field::kAddress).size(), 3u);
  EXPECT_EQ(back->Get(Field::kLocality), "\0"s);
  EXPECT_EQ(back->Get(Field::kNotes), "line one\nline two\r\n\ttabbed");
}

TEST(SerializeTest, RoundTripsEveryFieldOfBothKinds) {
  for (Kind kind : {Kind::kPerson, Kind::kRequest}) {
    Record r(kind);
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      // Distinct values of distinct lengths, some past one varint byte.
      r.Set(static_cast<Field>(i), std::string(i * 7 + 1, static_cast<char>('a' + i % 26)));
    }
    auto back = Deserialize(Serialize(r));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, r);
  }
}

TEST(SerializeTest, IsDeterministic) {
  EXPECT_EQ(Serialize(FullPerson()), Serialize(FullPerson()));
  Record a = FullPerson();
  Record b = FullPerson();
  b.Set(Field::kSex, "f");
  EXPECT_NE(Serialize(a), Serialize(b));
}

TEST(DeserializeTest, RejectsEmptyInput) { ExpectDataLoss("", "empty"); }

TEST(DeserializeTest, RejectsUnknownFormatVersion) {
  ExpectDataLoss("\x02\x02"s, "unknown format version 2");
  ExpectDataLoss("\x00\x02"s, "unknown format version 0");
}

TEST(DeserializeTest, RejectsBadKind) {
  ExpectDataLoss("\x01"s, "truncated");
  ExpectDataLoss("\x01\x00"s, "bad kind 0");
  ExpectDataLoss("\x01\x03"s, "bad kind 3");
}

TEST(DeserializeTest, RejectsUnknownFieldId) {
  ExpectDataLoss("\x01\x02\x1c\x01x"s, "unknown field id 28 at byte 2");
  ExpectDataLoss("\x01\x02\xff\x01x"s, "unknown field id 255");
}

TEST(DeserializeTest, RejectsRepeatedAndOutOfOrderFields) {
  ExpectDataLoss(
      "\x01\x02\x01\x01"
      "a"
      "\x01\x01"
      "b"s,
      "repeated or out of order");
  ExpectDataLoss(
      "\x01\x02\x03\x01"
      "a"
      "\x01\x01"
      "b"s,
      "repeated or out of order");
}

TEST(DeserializeTest, RejectsTruncation) {
  ExpectDataLoss("\x01\x02\x01"s, "truncated length");
  ExpectDataLoss("\x01\x02\x01\x80"s, "truncated length");
  ExpectDataLoss(
      "\x01\x02\x01\x05"
      "abc"s,
      "truncated field value");
  // Every strict prefix of a valid serialization past the header fails.
  const std::string full = Serialize(FullPerson());
  for (std::size_t n = 2; n < full.size(); ++n) {
    auto r = Deserialize(std::string_view(full).substr(0, n));
    // A prefix that ends exactly on a field boundary is a valid record with
    // fewer fields; anything else must be refused.
    if (r.ok()) {
      EXPECT_EQ(Serialize(*r), full.substr(0, n));
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    }
  }
}

TEST(DeserializeTest, RejectsOverlongLengths) {
  // 16 MiB + 1 = 0x1000001 -> 0x81 0x80 0x80 0x08.
  ExpectDataLoss("\x01\x02\x01\x81\x80\x80\x08"s, "length over 16 MiB");
  // Five varint digits.
  ExpectDataLoss("\x01\x02\x01\xff\xff\xff\xff\x0f"s, "length over 16 MiB");
  ExpectDataLoss("\x01\x02\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s, "length over 16 MiB");
}

TEST(DeserializeTest, RejectsNonCanonicalEncodings) {
  ExpectDataLoss("\x01\x02\x01\x00"s, "empty field");
  ExpectDataLoss(
      "\x01\x02\x01\x81\x00"
      "a"s,
      "non-minimal length");
}

TEST(DeserializeTest, AcceptsLengthOfExactlySixteenMiB) {
  Record r(Kind::kPerson);
  r.Set(Field::kNotes, std::string(16u << 20, 'z'));
  auto back = Deserialize(Serialize(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Get(Field::kNotes).size(), 16u << 20);
}

TEST(DeserializeTest, MessagesNeverQuoteValues) {
  Record r(Kind::kPerson);
  r.Set(Field::kFullName, "SecretName");
  std::string bytes = Serialize(r);
  bytes.push_back('\x01');  // full_name again
  bytes.push_back('\x03');
  bytes += "abc";
  auto back = Deserialize(bytes);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message().find("SecretName"), std::string::npos);
}

// splitmix64: a fixed, portable stream so the test is the same everywhere.
std::uint64_t NextRandom(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

TEST(DeserializeTest, RandomBytesNeverCrash) {
  std::uint64_t state = 20261128;
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    const std::size_t n = NextRandom(state) % 64;
    std::string bytes(n, '\0');
    for (char& c : bytes) c = static_cast<char>(NextRandom(state));
    // Give half the inputs a valid header so the field parser is reached.
    if (n >= 2 && i % 2 == 0) {
      bytes[0] = '\x01';
      bytes[1] = static_cast<char>(1 + NextRandom(state) % 2);
    }
    auto r = Deserialize(bytes);
    if (r.ok()) {
      ++accepted;
      // Whatever is accepted is canonical: it serializes back to itself.
      EXPECT_EQ(Serialize(*r), bytes);
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    }
  }
  EXPECT_GT(accepted, 0);
}

TEST(DeserializeTest, MutatedValidRecordsNeverCrash) {
  const std::string base = Serialize(FullPerson());
  std::uint64_t state = 7;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = base;
    const int flips = 1 + static_cast<int>(NextRandom(state) % 3);
    for (int k = 0; k < flips; ++k) {
      bytes[NextRandom(state) % bytes.size()] = static_cast<char>(NextRandom(state));
    }
    auto r = Deserialize(bytes);
    if (r.ok()) {
      EXPECT_EQ(Serialize(*r), bytes);
    }
  }
}

}  // namespace
}  // namespace kinlink::record
