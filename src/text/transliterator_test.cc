#include "text/transliterator.h"

#include <gtest/gtest.h>

#include <string>

#include "text/skeleton.h"

namespace kinlink::text {
namespace {

class TransliteratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tr = Transliterator::Create();
    ASSERT_TRUE(tr.ok()) << tr.status().ToString();
    tr_ = std::move(tr).value();
  }
  std::unique_ptr<Transliterator> tr_;
};

TEST_F(TransliteratorTest, TableOfScripts) {
  struct Case {
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"", ""},
      {"Fátima Alí", "fatima ali"},
      {"Straße", "strasse"},
      {"O'Brien-Smith", "obrien smith"},
      {"محمد", "mhmd"},
      {"مُحَمَّد الحسن", "mhmd alhsn"},
      {"علي", "ali"},
      {"فاطمة", "fatmah"},
      {"عمر", "amr"},
      {"يوسف", "yusf"},
      {"مروان", "mrwan"},
      {"Александр", "aleksandr"},
      {"Фёдор", "fedor"},
      {"Олександр", "oleksandr"},
      {"Хмельницький", "khmelnitskiy"},  // no і ї є ґ: Russian BGN
      {"Хмельницький Євген", "khmelnitskiy yevhen"},
      {"Їжак Ґонта", "yizhak gonta"},
      {"12 ab", "12 ab"},
  };
  for (const Case& c : cases) EXPECT_EQ(tr_->ToLatin(c.in), c.want) << c.in;
}

TEST_F(TransliteratorTest, EthiopicGivesAsciiLetters) {
  const std::string out = tr_->ToLatin("ኃይለ ሥላሴ");
  ASSERT_FALSE(out.empty());
  for (char c : out) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == ' ') << out;
}

TEST_F(TransliteratorTest, OutputIsOnlyLowercaseAsciiAndSingleSpaces) {
  for (std::string in : {"ʿAbd al-Raḥmān", "Ἀλέξανδρος", "李 小龍", "  --  ", "a\xFF\xFE b"}) {
    const std::string out = tr_->ToLatin(in);
    EXPECT_EQ(out.find("  "), std::string::npos) << in;
    if (!out.empty()) {
      EXPECT_NE(out.front(), ' ');
      EXPECT_NE(out.back(), ' ');
    }
    for (char c : out) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ') << in;
    }
  }
}

TEST_F(TransliteratorTest, InvalidUtf8IsDropped) {
  EXPECT_EQ(tr_->ToLatin("ab\xFF" "c"), "abc");
  EXPECT_EQ(tr_->ToLatin("\xC3"), "");
}

TEST_F(TransliteratorTest, ArabicMeetsLatinSpellingsOnSkeleton) {
  const std::string skel = ConsonantSkeleton(tr_->ToLatin("محمد"));
  for (std::string latin : {"mohamed", "muhammad", "mohammad", "Mohammed"}) {
    EXPECT_EQ(ConsonantSkeleton(AsciiMatchingForm(latin)), skel) << latin;
  }
}

TEST_F(TransliteratorTest, Deterministic) {
  const std::string a = tr_->ToLatin("محمد Олександр");
  EXPECT_EQ(tr_->ToLatin("محمد Олександр"), a);
  auto other = Transliterator::Create();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->ToLatin("محمد Олександр"), a);
}

TEST(AsciiMatchingFormTest, Table) {
  EXPECT_EQ(AsciiMatchingForm(""), "");
  EXPECT_EQ(AsciiMatchingForm("  Al-Hasan_X  "), "al hasan x");
  EXPECT_EQ(AsciiMatchingForm("D'Arcy"), "darcy");
  EXPECT_EQ(AsciiMatchingForm("Zoë"), "zo");
  EXPECT_EQ(AsciiMatchingForm("A.B,C/D"), "a b c d");
}

}  // namespace
}  // namespace kinlink::text
