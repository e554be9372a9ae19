#include "server/internal/static_files.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <regex>
#include <set>
#include <string>

namespace kinlink::server::internal {
namespace {

// The UI's first load must stay under this many bytes on the wire
// (gzip-compressed, as the server sends it to a browser that accepts it).
constexpr std::size_t kFirstLoadBudgetBytes = 300 * 1024;

std::size_t GzipSize(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip stream, as cpp-httplib writes it.
  EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  const std::size_t n = z.total_out;
  deflateEnd(&z);
  return n;
}

TEST(StaticFilesTest, IndexAndEveryFileItLoadsAreEmbedded) {
  const EmbeddedFile* index = FindEmbeddedFile("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->path, "/index.html");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  const std::string html(index->data);
  std::regex ref(R"re((?:src|href)="(/[^"]*)")re");
  int refs = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), ref), end; it != end; ++it) {
    EXPECT_NE(FindEmbeddedFile((*it)[1].str()), nullptr) << (*it)[1].str();
    ++refs;
  }
  EXPECT_GE(refs, 3);
  EXPECT_EQ(FindEmbeddedFile("/nope.js"), nullptr);
  EXPECT_EQ(FindEmbeddedFile("/../CMakeLists.txt"), nullptr);
}

TEST(StaticFilesTest, FirstLoadStaysUnderTheWeightBudget) {
  // Everything embedded counts, whether the first page loads it or not.
  std::size_t raw = 0;
  std::size_t wire = 0;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    raw += f.data.size();
    wire += GzipSize(f.data);
  }
  std::printf("web UI: %zu files, %zu bytes, %zu bytes gzip (budget %zu)\n", EmbeddedFiles().size(),
              raw, wire, kFirstLoadBudgetBytes);
  EXPECT_LT(wire, kFirstLoadBudgetBytes);
  EXPECT_GT(wire, 0u);
}

TEST(StaticFilesTest, HtmlHasNoInlineScriptOrStyleThatThePolicyWouldBlock) {
  const std::string html(FindEmbeddedFile("/")->data);
  // Every <script> has a src; no style="" or on*="" attributes; no <style>.
  std::regex script(R"(<script\b[^>]*>)");
  for (std::sregex_iterator it(html.begin(), html.end(), script), end; it != end; ++it) {
    EXPECT_NE(it->str().find("src="), std::string::npos) << it->str();
  }
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+=)")));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\sstyle=)")));
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_NE(kUiContentSecurityPolicy.find("script-src 'self'"), std::string_view::npos);
  EXPECT_EQ(kUiContentSecurityPolicy.find("unsafe"), std::string_view::npos);
}

TEST(StaticFilesTest, ScriptsNeverParseHtmlStrings) {
  // Records are shown as text nodes only: no innerHTML, outerHTML,
  // insertAdjacentHTML, document.write or eval in the UI's scripts.
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (!f.path.ends_with(".js")) continue;
    for (const char* banned :
         {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"}) {
      EXPECT_EQ(f.data.find(banned), std::string_view::npos) << f.path << " uses " << banned;
    }
  }
}

TEST(StaticFilesTest, NothingLoadsFromAnotherHost) {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path.ends_with(".svg")) continue;  // its xmlns is a name, not a load
    EXPECT_EQ(f.data.find("http://"), std::string_view::npos) << f.path;
    EXPECT_EQ(f.data.find("https://"), std::string_view::npos) << f.path;
  }
}

TEST(StaticFilesTest, ETagsDifferPerFileAndAreStable) {
  std::set<std::string> tags;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    const std::string tag = ETagOf(f);
    EXPECT_EQ(tag, ETagOf(f));
    EXPECT_EQ(tag.front(), '"');
    EXPECT_EQ(tag.back(), '"');
    tags.insert(tag);
  }
  EXPECT_EQ(tags.size(), EmbeddedFiles().size());
}

}  // namespace
}  // namespace kinlink::server::internal
