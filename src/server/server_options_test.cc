#include <gtest/gtest.h>

#include "server/server.h"

namespace kinlink::server {
namespace {

TEST(ServerOptionsTest, DefaultsAreValidAndLoopback) {
  ServerOptions o;
  EXPECT_TRUE(ValidateServerOptions(o).ok());
  EXPECT_EQ(o.bind_address, "127.0.0.1");
  EXPECT_EQ(o.max_body_bytes, kDefaultMaxBodyBytes);
  EXPECT_EQ(o.max_upload_bytes, kDefaultMaxUploadBytes);
}

TEST(ServerOptionsTest, UploadLimitIsPositiveAndBounded) {
  ServerOptions o;
  o.max_upload_bytes = 0;
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kInvalidArgument);
  o.max_upload_bytes = kMaxMaxUploadBytes + 1;
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kInvalidArgument);
  o.max_upload_bytes = kMaxMaxUploadBytes;
  EXPECT_TRUE(ValidateServerOptions(o).ok());
  // Smaller than the body limit is allowed: each applies to its own routes.
  o.max_upload_bytes = 1;
  EXPECT_TRUE(ValidateServerOptions(o).ok());
}

TEST(ServerOptionsTest, PlainHttpOnlyOnLoopbackUnlessAllowed) {
  ServerOptions o;
  o.bind_address = "0.0.0.0";
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kFailedPrecondition);
  o.allow_remote = true;
  EXPECT_TRUE(ValidateServerOptions(o).ok());
  o.allow_remote = false;
  o.tls_cert_path = "cert.pem";
  o.tls_key_path = "key.pem";
  EXPECT_TRUE(ValidateServerOptions(o).ok());
}

TEST(ServerOptionsTest, RefusesHalfTlsAndZeroLimits) {
  ServerOptions o;
  o.tls_cert_path = "cert.pem";
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kInvalidArgument);
  o = ServerOptions();
  o.max_body_bytes = 0;
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kInvalidArgument);
  o = ServerOptions();
  o.max_connections = 0;
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kInvalidArgument);
  o = ServerOptions();
  o.port = 70000;
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kInvalidArgument);
  o = ServerOptions();
  o.read_timeout_s = 0;
  EXPECT_EQ(ValidateServerOptions(o).code(), StatusCode::kInvalidArgument);
}

TEST(ServerOptionsTest, Loopback) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.8.9.1"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("example.org"));
}

TEST(ServerOptionsTest, StatusMapping) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500);
}

}  // namespace
}  // namespace kinlink::server
