#include "text/normalize.h"

#include <gtest/gtest.h>

#include <string>

namespace kinlink::text {
namespace {

struct Case {
  std::string in;
  std::string want;
};

TEST(NormalizeTest, TableOfScripts) {
  const Case cases[] = {
      {"", ""},
      {"   ", ""},
      {"  Mohamed   AL-Hasan ", "mohamed al-hasan"},
      {"Straße", "strasse"},
      {"ＭＡＲＩＡ", "maria"},                        // full-width
      {"Fátima\tAlí\n", "fátima alí"},                // diacritics kept
      {"Олександр  ШЕВЧЕНКО", "олександр шевченко"},  // Cyrillic kept
      {"Ґалина Їжак Євген", "ґалина їжак євген"},      // Ukrainian letters
      {"مُحَمَّد", "محمد"},                               // harakat removed
      {"محـــمد", "محمد"},                             // tatweel removed
      {"ኃይለ ሥላሴ", "ኃይለ ሥላሴ"},                         // Ethiopic unchanged
      {"A\xE2\x80\x8D" "B", "ab"},                     // ZWJ dropped
  };
  for (const Case& c : cases) EXPECT_EQ(Normalize(c.in), c.want) << c.in;
}

TEST(NormalizeTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Normalize("ab\xFF" "c"), "ab\xEF\xBF\xBD" "c");
  EXPECT_EQ(Normalize("\xC3"), "\xEF\xBF\xBD");
}

TEST(NormalizeTest, IsIdempotentAndDeterministic) {
  const std::string once = Normalize(" Ḿöhámmed  ﷲ ");
  EXPECT_EQ(Normalize(once), once);
  EXPECT_EQ(Normalize(" Ḿöhámmed  ﷲ "), once);
}

TEST(FoldForMatchingTest, UnifiesArabicLetterVariants) {
  const Case cases[] = {
      {"أحمد", "احمد"}, {"إبراهيم", "ابراهيم"}, {"آمنة", "امنه"}, {"ٱلله", "الله"},
      {"مصطفى", "مصطفي"}, {"مؤمن", "مومن"},     {"هانئ", "هاني"},   {"سماء", "سما"},
      {"علی", "علي"},   {"کریم", "كريم"},       {"Фёдор", "Федор"}, {"maria", "maria"},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(FoldForMatching(c.in), c.want) << c.in;
}

TEST(FoldForMatchingTest, IsIdempotent) {
  const std::string f = FoldForMatching("أؤئىة");
  EXPECT_EQ(FoldForMatching(f), f);
}

TEST(DetectScriptTest, DominantScript) {
  struct ScriptCase {
    std::string in;
    Script want;
  };
  const ScriptCase cases[] = {
      {"", Script::kUnknown},
      {"123 - ()", Script::kUnknown},
      {"Mohamed", Script::kLatin},
      {"Fátima", Script::kLatin},
      {"محمد الحسن", Script::kArabic},
      {"محمد 1987", Script::kArabic},
      {"Олександр", Script::kCyrillic},
      {"ґалина", Script::kCyrillic},
      {"ኃይለ ሥላሴ", Script::kEthiopic},
      {"Αλέξανδρος", Script::kOther},
      {"محمد Ali", Script::kArabic},  // 4 Arabic letters vs 3 Latin
      {"ab\xFF", Script::kLatin},
  };
  for (const ScriptCase& c : cases) {
    EXPECT_EQ(DetectScript(c.in), c.want) << c.in << " got " << ScriptName(DetectScript(c.in));
  }
}

TEST(DetectScriptTest, TieGoesToFirstInEnum) {
  EXPECT_EQ(DetectScript("ab аб"), Script::kLatin);
}

TEST(ScriptNameTest, Names) {
  EXPECT_EQ(ScriptName(Script::kArabic), "arabic");
  EXPECT_EQ(ScriptName(Script::kUnknown), "unknown");
  EXPECT_EQ(ScriptName(Script::kEthiopic), "ethiopic");
}

}  // namespace
}  // namespace kinlink::text
