#include "server/internal/http_framing.h"

#include <gtest/gtest.h>

#include <string>

namespace kinlink::server::internal {
namespace {

using namespace std::string_literals;

constexpr std::size_t kMaxBody = 1024;

// The status a head gets: 0 when accepted.
int StatusOf(const std::string& head) {
  std::optional<HeadRefusal> r = CheckRequestHead(head, kMaxBody);
  return r ? r->http_status : 0;
}

TEST(HttpFramingTest, AcceptsPlainRequests) {
  EXPECT_EQ(StatusOf("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
  EXPECT_EQ(StatusOf("GET /healthz HTTP/1.0\r\n\r\n"), 0);  // no Host needed
  EXPECT_EQ(StatusOf("POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"
                     "Content-Type: application/json\r\nContent-Length: 12\r\n"
                     "X-Empty:\r\nX-Tab:\tv\t\r\nCookie: a=b; kl_session=c\r\n\r\n"),
            0);
  EXPECT_EQ(StatusOf("GET /x HTTP/1.1\r\nhost: x\r\nX-Utf8: \xc3\xa9\r\n\r\n"), 0);
  EXPECT_EQ(StatusOf("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n"
                     "Content-Encoding: identity\r\n\r\n"),
            0);
}

TEST(HttpFramingTest, RefusesMalformedRequestLines) {
  EXPECT_EQ(StatusOf("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"s), 400);
  EXPECT_EQ(StatusOf("GET  /a HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1 x\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("G(T /a HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/2.0\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a\r\nHost: x\r\n\r\n"), 400);
}

TEST(HttpFramingTest, RefusesStrayLineEndsFoldingAndBadNames) {
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\nX-B: b\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\rX-B: b\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nGarbage\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\n: a\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"s), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\x7f\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: x\r\n"), 400);  // no end
}

TEST(HttpFramingTest, RefusesAmbiguousFraming) {
  const std::string post = "POST /a HTTP/1.1\r\nHost: x\r\n";
  EXPECT_EQ(StatusOf(post + "Content-Length: 2\r\nContent-Length: 5\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf(post + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf(post + "Content-Length: 2, 2\r\n\r\n"), 400);
  for (const char* bad : {"-1", "+2", "2x", "0x2", "%32", "", "1 2"}) {
    EXPECT_EQ(StatusOf(post + "Content-Length: " + bad + "\r\n\r\n"), 400) << bad;
  }
  EXPECT_EQ(StatusOf(post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf(post + "Transfer-Encoding: chunked\r\n\r\n"), 411);
  EXPECT_EQ(StatusOf(post + "Content-Length: 1025\r\n\r\n"), 413);
  EXPECT_EQ(StatusOf(post + "Content-Length: 99999999999999999999\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf(post + "Content-Length: 9\r\nContent-Encoding: gzip\r\n\r\n"), 415);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\n\r\n"), 400);                        // no Host
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);  // two
}

TEST(HttpFramingTest, TooLargeNamesTheOptionThatSetsTheLimit) {
  const std::string head = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n";
  std::optional<HeadRefusal> body = CheckRequestHead(head, 10);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->http_status, 413);
  EXPECT_EQ(body->message, "request body over 10 bytes (--max-body)");
  std::optional<HeadRefusal> upload = CheckRequestHead(head, 10, nullptr, "--max-upload");
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->message, "request body over 10 bytes (--max-upload)");
  std::uint64_t length = 0;
  EXPECT_FALSE(CheckRequestHead(head, 11, &length, "--max-upload"));
  EXPECT_EQ(length, 11u);
}

TEST(HttpFramingTest, MessagesNeverQuoteTheRequest) {
  std::optional<HeadRefusal> r =
      CheckRequestHead("GET /a HTTP/1.1\r\nHost: x\r\nX-Canary: Canaryville\nX: y\r\n\r\n", 10);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.find("Canary"), std::string::npos);
  EXPECT_EQ(r->code, StatusCode::kInvalidArgument);
}

TEST(HttpFramingTest, SplitRequestLine) {
  RequestLineParts p = SplitRequestLine("POST /api/v1/login?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.target, "/api/v1/login?x=1");
  EXPECT_TRUE(SplitRequestLine("GET /a b HTTP/1.1\r\n").method.empty());
  EXPECT_TRUE(SplitRequestLine("").target.empty());
}

}  // namespace
}  // namespace kinlink::server::internal
