#include "text/name_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kinlink::text {
namespace {

std::vector<std::string> Texts(const ParsedName& p) {
  std::vector<std::string> out;
  for (const Token& t : p.tokens) out.push_back(t.text);
  return out;
}

TEST(NameTokensTest, ArticleSpellingsGiveOneCore) {
  for (std::string in : {"al hasan", "al-hasan", "alhasan", "el hasan", "Al-Hasan"}) {
    ParsedName p = NameTokens(in);
    ASSERT_EQ(p.tokens.size(), 1u) << in;
    EXPECT_EQ(p.tokens[0].text, "hasan") << in;
    EXPECT_TRUE(p.tokens[0].has_article) << in;
  }
  ParsedName sun = NameTokens("ar-rashid");
  ASSERT_EQ(sun.tokens.size(), 1u);
  EXPECT_EQ(sun.tokens[0].text, "rashid");
  EXPECT_EQ(NameTokens("arrashid").tokens[0].text, "rashid");
}

TEST(NameTokensTest, WesternNamesKeepTheirStart) {
  for (std::string in : {"alfred", "albert", "alice", "alexander", "ali", "essam", "assad"}) {
    ParsedName p = NameTokens(in);
    ASSERT_EQ(p.tokens.size(), 1u) << in;
    EXPECT_EQ(p.tokens[0].text, in);
    EXPECT_FALSE(p.tokens[0].has_article) << in;
  }
}

TEST(NameTokensTest, AbdCompounds) {
  for (std::string in : {"abd al rahman", "abdul rahman", "abdurrahman", "abdelrahman",
                         "abd-al-rahman", "abd ar rahman", "abdalrahman"}) {
    EXPECT_EQ(Texts(NameTokens(in)), std::vector<std::string>{"abdrahman"}) << in;
  }
  for (std::string in : {"abdullah", "abd allah", "abdallah", "abd ullah"}) {
    EXPECT_EQ(Texts(NameTokens(in)), std::vector<std::string>{"abdallah"}) << in;
  }
  EXPECT_EQ(Texts(NameTokens("abdulaziz")), std::vector<std::string>{"abdaziz"});
  EXPECT_EQ(Texts(NameTokens("abdul aziz")), std::vector<std::string>{"abdaziz"});
  // The Latin form of Arabic عبد الرحمن.
  EXPECT_EQ(Texts(NameTokens("abd alrhmn")), std::vector<std::string>{"abdrhmn"});
  EXPECT_EQ(Texts(NameTokens("abdi")), std::vector<std::string>{"abdi"});
}

TEST(NameTokensTest, RelationsAndKinds) {
  ParsedName p = NameTokens("mohammed bin salman al saud");
  ASSERT_EQ(p.tokens.size(), 4u);
  EXPECT_EQ(p.tokens[0].text, "mohammed");
  EXPECT_EQ(p.tokens[0].kind, TokenKind::kGiven);
  EXPECT_EQ(p.tokens[1].text, "bin");
  EXPECT_EQ(p.tokens[1].kind, TokenKind::kRelation);
  EXPECT_EQ(p.tokens[2].text, "salman");
  EXPECT_EQ(p.tokens[2].kind, TokenKind::kPatronymic);
  EXPECT_EQ(p.tokens[3].text, "saud");
  EXPECT_EQ(p.tokens[3].kind, TokenKind::kFamilyUnknown);
  EXPECT_TRUE(p.tokens[3].has_article);
  EXPECT_EQ(p.tokens[3].surface, "al saud");

  ParsedName abu = NameTokens("abu bakr");
  ASSERT_EQ(abu.tokens.size(), 2u);
  EXPECT_EQ(abu.tokens[0].kind, TokenKind::kRelation);
  EXPECT_EQ(abu.tokens[1].kind, TokenKind::kGiven);
}

TEST(NameTokensTest, SlavicPatronymics) {
  ParsedName p = NameTokens("Ivan Ivanovich Petrov");
  ASSERT_EQ(p.tokens.size(), 3u);
  EXPECT_EQ(p.tokens[0].kind, TokenKind::kGiven);
  EXPECT_EQ(p.tokens[1].kind, TokenKind::kPatronymic);
  EXPECT_EQ(p.tokens[2].kind, TokenKind::kFamilyUnknown);
  for (std::string in : {"oleksandrovych", "andriyivna", "petrovna", "sergeyevich",
                         "mykolayovych", "fedorivna"}) {
    ParsedName q = NameTokens("x " + in);
    ASSERT_EQ(q.tokens.size(), 2u);
    EXPECT_EQ(q.tokens[1].kind, TokenKind::kPatronymic) << in;
  }
  EXPECT_EQ(NameTokens("x rabinovich").tokens[1].kind, TokenKind::kPatronymic);  // by rule
  EXPECT_EQ(NameTokens("x ivanov").tokens[1].kind, TokenKind::kFamilyUnknown);
}

TEST(NameTokensTest, EdgeCases) {
  EXPECT_TRUE(NameTokens("").tokens.empty());
  EXPECT_TRUE(NameTokens(" - ' ").tokens.empty());
  // A lone article or abd is kept as a token.
  EXPECT_EQ(Texts(NameTokens("al")), std::vector<std::string>{"al"});
  EXPECT_EQ(Texts(NameTokens("abd")), std::vector<std::string>{"abd"});
  EXPECT_EQ(Texts(NameTokens("O'Neil d'Arcy")), (std::vector<std::string>{"oneil", "darcy"}));
  EXPECT_EQ(Texts(NameTokens("x\xFFy")), std::vector<std::string>{"xy"});
  EXPECT_EQ(NameTokens("mohamed al hasan").tokens.size(), 2u);
}

}  // namespace
}  // namespace kinlink::text
