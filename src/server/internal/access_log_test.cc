#include "server/internal/access_log.h"

#include <gtest/gtest.h>

namespace kinlink::server::internal {
namespace {

TEST(AccessLogTest, RoutePatternHidesIdsAndFreeText) {
  EXPECT_EQ(RoutePatternOf("/api/v1/records/17"), "/api/v1/records/{id}");
  EXPECT_EQ(RoutePatternOf("/api/v1/records/KL-17?x=Canary"), "/api/v1/records/{id}");
  EXPECT_EQ(RoutePatternOf("/api/v1/Canary%20Name/records"), "/api/v1/{x}/records");
  EXPECT_EQ(RoutePatternOf(""), "/");
  EXPECT_EQ(RoutePatternOf("//healthz//"), "/healthz");
  std::string many;
  for (int i = 0; i < 40; ++i) many += "/users";
  EXPECT_EQ(RoutePatternOf(many).substr(RoutePatternOf(many).size() - 4), "/...");
}

TEST(AccessLogTest, LineHasTheFieldsAndNothingElse) {
  AccessEntry e;
  e.time = 0;
  e.method = "GET";
  e.path = "/api/v1/records/{id}";
  e.status = 200;
  e.ms = 1.26;
  e.user_id = 7;
  EXPECT_EQ(FormatAccessLine(e),
            R"({"time":"1970-01-01T00:00:00Z","method":"GET","path":"/api/v1/records/{id}",)"
            R"("status":200,"ms":1.3,"user":7})");
  e.user_id = 0;
  e.method = "get me";
  e.error = "INTERNAL";
  const std::string line = FormatAccessLine(e);
  EXPECT_NE(line.find(R"("method":"OTHER")"), std::string::npos);
  EXPECT_NE(line.find(R"("user":"-")"), std::string::npos);
  EXPECT_NE(line.find(R"("error":"INTERNAL")"), std::string::npos);
}

}  // namespace
}  // namespace kinlink::server::internal
