// Name parsing for matching: splits a matching-form name ("mohamed al hasan
// bin ali") into tokens and marks articles, relation words, abd-compounds
// and Slavic patronymics, so that spelling conventions ("al-hasan",
// "alhasan", "el hassan") give the same core tokens. A matching aid, not
// linguistics: the rules are small and listed here.
//
//  * Input: the output of Transliterator::ToLatin or AsciiMatchingForm
//    ([a-z0-9 ]); anything else is first passed through AsciiMatchingForm.
//  * Articles al el ul ad ar as ash at az (a separate word, or attached
//    with a hyphen, which the matching form has turned into a space) are
//    not tokens of their own: the next token gets has_article = true.
//    Attached without a separator ("alhasan", "elhassan") the article is
//    split off when the rest has at least 4 letters and starts with a
//    consonant, except for a short list of Western names (Albert, Alfred,
//    Alfonso, Elmer, ...). The token keeps `surface` (as written).
//  * abd abdu abdel abdul abdal abdel- (+ article) + name -> one compound
//    token "abd" + name: "abd al rahman", "abdul rahman", "abdurrahman",
//    "abdelrahman" -> "abdrahman"; Allah in any spelling (allah, ullah,
//    llah, lah) gives "abdallah". kind = kGiven at the start, else family.
//  * bin ibn bint ben abu abou bent: kRelation tokens; the token after
//    bin/ibn/bint/ben/bent is kPatronymic (the father's name).
//  * Slavic patronymics (-ovich -evich -ovych -evych -yevych -ievich -ovna
//    -evna -ivna -yivna -ovitch): kPatronymic.
//  * The first remaining token is kGiven, the others kFamilyUnknown.
//
// Thread-safety: pure function.
#ifndef KINLINK_TEXT_NAME_PARSE_H_
#define KINLINK_TEXT_NAME_PARSE_H_

#include <string>
#include <string_view>
#include <vector>

namespace kinlink::text {

enum class TokenKind {
  kGiven,
  kPatronymic,
  kParticle,  // reserved for particles kept as tokens (none today besides relations)
  kRelation,  // bin, ibn, bint, ben, abu, abou, bent
  kFamilyUnknown,
};

struct Token {
  std::string text;     // core form used for matching ("hasan", "abdrahman")
  std::string surface;  // as written in the input ("alhasan")
  TokenKind kind = TokenKind::kFamilyUnknown;
  bool has_article = false;  // an al-/el-/... article preceded or was attached
  friend bool operator==(const Token&, const Token&) = default;
};

struct ParsedName {
  std::vector<Token> tokens;
};

// Parses a Latin matching-form name. Empty input gives no tokens.
ParsedName NameTokens(std::string_view latin_form);

}  // namespace kinlink::text

#endif  // KINLINK_TEXT_NAME_PARSE_H_
