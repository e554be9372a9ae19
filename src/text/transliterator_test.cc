#include "text/transliterator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "text/skeleton.h"

namespace kinlink::text {
namespace {

// IsPlainAscii, byte by byte: the reference for its eight-at-a-time form.
bool PlainAsciiReference(std::string_view text) {
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c > 0x7E) return false;
  }
  return true;
}

TEST(IsPlainAsciiTest, AgreesWithTheByteByByteRule) {
  // Every byte value at every position of strings of 0 to 20 bytes
  // (within a word, across the eight-byte boundary, in the tail).
  for (std::size_t len = 0; len <= 20; ++len) {
    for (std::size_t at = 0; at < std::max<std::size_t>(len, 1); ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string s(len, 'a');
        if (len > 0) s[at] = static_cast<char>(b);
        ASSERT_EQ(IsPlainAscii(s), PlainAsciiReference(s)) << "len " << len << " byte " << b;
      }
    }
  }
  // Random strings mixing printable ASCII with the bytes next to its edges.
  const unsigned char edges[] = {0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF};
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> printable(0x20, 0x7E), edge(0, 9), coin(0, 30), len(0, 40);
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    for (int i = len(rng); i > 0; --i) {
      s.push_back(static_cast<char>(coin(rng) == 0 ? edges[edge(rng)] : printable(rng)));
    }
    ASSERT_EQ(IsPlainAscii(s), PlainAsciiReference(s)) << s;
  }
}

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
      {"تشيك", "chik"},          // تش is "ch", not "tsh"
      {"العنسي", "al ansi"},    // article split off before ع
      {"الوليد", "alwlid"},     // و after the article is word-initial
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

// ToLatin remembers the form of each word it has transliterated: a word
// met again, alone or in another value, gives what a fresh transliterator
// gives.
TEST_F(TransliteratorTest, RememberedWordsGiveTheSameForms) {
  const std::vector<std::string> values = {
      "محمد الحسن", "الحسن محمد", "محمد", "Олександр Сокольський", "Сокольський", "Ёлка Їжак",
      "ገብረ እግዚአብሔር", "እግዚአብሔር ገብረ", "Fátima Zoë", "Zoë", "李 小龍", "محمد Олександр ገብረ"};
  std::vector<std::string> first;
  for (const std::string& v : values) first.push_back(tr_->ToLatin(v));
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto fresh = Transliterator::Create();
      ASSERT_TRUE(fresh.ok());
      EXPECT_EQ(tr_->ToLatin(values[i]), (*fresh)->ToLatin(values[i])) << i;
      EXPECT_EQ(tr_->ToLatin(values[i]), first[i]) << i;
    }
  }
}

TEST_F(TransliteratorTest, CloneGivesTheSameForms) {
  const std::vector<std::string> values = {
      "محمد الحسن", "تشيك", "Олександр Сокольський", "Ёлка Їжак", "ገብረ እግዚአብሔር", "Fátima Zoë",
      "李 小龍", "Ελένη", "محمد Олександр ገብረ"};
  tr_->ToLatin(values[0]);  // the original has used its transforms
  auto clone = tr_->Clone();
  ASSERT_TRUE(clone.ok()) << clone.status().ToString();
  for (const std::string& v : values) {
    EXPECT_EQ((*clone)->ToLatin(v), tr_->ToLatin(v)) << v;
    EXPECT_EQ((*clone)->ToLatinForms(v), tr_->ToLatinForms(v)) << v;
  }
}

TEST(AsciiMatchingFormTest, Table) {
  EXPECT_EQ(AsciiMatchingForm(""), "");
  EXPECT_EQ(AsciiMatchingForm("  Al-Hasan_X  "), "al hasan x");
  EXPECT_EQ(AsciiMatchingForm("D'Arcy"), "darcy");
  EXPECT_EQ(AsciiMatchingForm("Zoë"), "zo");
  EXPECT_EQ(AsciiMatchingForm("A.B,C/D"), "a b c d");
}


bool Contains(const std::vector<std::string>& forms, const std::string& want) {
  return std::find(forms.begin(), forms.end(), want) != forms.end();
}

TEST_F(TransliteratorTest, LatinFormsStartWithToLatinAndAreDistinct) {
  for (const char* in : {"Фёдор", "Хмельницький Євген", "محمد الحسن", "Ali", "ኃይለ", "12"}) {
    const std::vector<std::string> forms = tr_->ToLatinForms(in);
    ASSERT_FALSE(forms.empty()) << in;
    EXPECT_LE(forms.size(), kMaxLatinForms) << in;
    EXPECT_EQ(forms[0], tr_->ToLatin(in)) << in;
    for (std::size_t i = 0; i < forms.size(); ++i) {
      for (std::size_t j = i + 1; j < forms.size(); ++j) EXPECT_NE(forms[i], forms[j]) << in;
      for (char c : forms[i]) {
        EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ') << in;
      }
    }
  }
}

TEST_F(TransliteratorTest, LatinFormsOfLatinOrEmptyInputAreOne) {
  EXPECT_EQ(tr_->ToLatinForms("Fátima Alí"), std::vector<std::string>{"fatima ali"});
  EXPECT_EQ(tr_->ToLatinForms(""), std::vector<std::string>{""});
  EXPECT_EQ(tr_->ToLatinForms("\xFF"), std::vector<std::string>{""});
}

TEST_F(TransliteratorTest, LatinFormsCoverOtherConventions) {
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Фёдор"), "fyodor"));         // English ё
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Дмитрий"), "dmitry"));       // English -ий
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Ружич"), "ruzic"));          // Slavic ž, ć
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Андреев"), "andrejev"));     // Slavic je
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Сакити"), "sakichi"));       // Polivanov ти
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Миядзима"), "miyajima"));    // Polivanov дзи
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Сюэцзюнь"), "xuejun"));      // Palladius
  EXPECT_TRUE(Contains(tr_->ToLatinForms("يوفيتيتش"), "jufitic"));     // European ي, -ić
  // Every word of a form follows the same convention.
  EXPECT_TRUE(Contains(tr_->ToLatinForms("Ружич Андреев"), "ruzic andrejev"));
}

}  // namespace
}  // namespace kinlink::text

namespace kinlink::text {
namespace {

TEST(TransliteratorFastPathTest, PlainAsciiAgreesWithIcu) {
  auto tr = Transliterator::Create();
  ASSERT_TRUE(tr.ok());
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,/'()\t\n\r!?&";
  std::uint64_t state = 20261128;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (const char* fixed : {"", " ", "O'Neill-Haddad", "  Mohamad   Alhasan ", "rec-12",
                            "ST. JOHN", "a/b,c.d_e", "\tTab\nLine\r"}) {
    EXPECT_EQ((*tr)->ToLatin(fixed), (*tr)->ToLatinViaIcu(fixed)) << fixed;
  }
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const std::size_t len = next() % 24;
    for (std::size_t k = 0; k < len; ++k) s.push_back(alphabet[next() % alphabet.size()]);
    ASSERT_EQ((*tr)->ToLatin(s), (*tr)->ToLatinViaIcu(s)) << "input: [" << s << "]";
  }
}

}  // namespace
}  // namespace kinlink::text
