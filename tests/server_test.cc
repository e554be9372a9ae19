// Integration tests of the node server: a real server::Server on
// 127.0.0.1 (ephemeral port) over a real engine::Node on a temporary SQLite
// registry, driven with httplib::Client; and `kinlink serve` as a process.
#include "server/server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "auth/session.h"
#include "auth/totp.h"
#include "engine/node.h"
#include "engine/registry.h"
#include "tests/test_util.h"
#include "tests/tls_util.h"

namespace kinlink {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;
using testing::TempDir;

constexpr const char* kPassword = "correct horse battery staple";

// Personal data planted in records: none of it may reach the access log.
const std::vector<std::string> kCanaries = {"محمد الحسن",
                                            "Mohamad Alhasan",
                                            "Canary Lane",
                                            "+961 70 123 456",
                                            "mohamad.canary@example.org",
                                            "Canaryville",
                                            "Layla Canarytest",
                                            "Call me on Sunday",
                                            kPassword};

// ---- A client with a session.

struct Reply {
  int status = 0;
  Json body;
  std::string raw;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Session {
  std::string cookie;  // kl_session value
  std::string csrf;
  std::int64_t user_id = 0;
};

class Client {
 public:
  explicit Client(int port, bool tls = false) {
    if (tls) {
      auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
      c->enable_server_certificate_verification(false);
      http_ = std::move(c);
    } else {
      http_ = std::make_unique<httplib::ClientImpl>("127.0.0.1", port);
    }
    http_->set_read_timeout(60, 0);
  }

  Reply Call(const std::string& method, const std::string& path, const Session* s,
             const std::optional<Json>& body = std::nullopt, bool send_csrf = true,
             const std::string& csrf_override = "") {
    httplib::Headers h;
    if (s != nullptr && !s->cookie.empty()) h.emplace("Cookie", "kl_session=" + s->cookie);
    if (s != nullptr && send_csrf && method != "GET") {
      h.emplace("X-CSRF-Token", csrf_override.empty() ? s->csrf : csrf_override);
    }
    const std::string payload = body ? body->dump() : "";
    httplib::Result r = method == "GET" ? http_->Get(path.c_str(), h)
                        : method == "PATCH"
                            ? http_->Patch(path.c_str(), h, payload, "application/json")
                            : http_->Post(path.c_str(), h, payload, "application/json");
    Reply out;
    if (!r) {
      out.status = -1;
      return out;
    }
    out.status = r->status;
    out.raw = r->body;
    out.headers = r->headers;
    out.body = Json::parse(r->body, nullptr, false);
    return out;
  }

  Reply Get(const std::string& path, const Session* s = nullptr) { return Call("GET", path, s); }

  // POSTs `body` as it is, with `content_type` ("" = no Content-Type).
  Reply Upload(const std::string& path, const Session* s, const std::string& body,
               const std::string& content_type = "text/csv; charset=utf-8") {
    httplib::Headers h;
    if (s != nullptr && !s->cookie.empty()) h.emplace("Cookie", "kl_session=" + s->cookie);
    if (s != nullptr) h.emplace("X-CSRF-Token", s->csrf);
    httplib::Result r = http_->Post(path.c_str(), h, body, content_type.c_str());
    Reply out;
    if (!r) {
      out.status = -1;
      return out;
    }
    out.status = r->status;
    out.raw = r->body;
    out.headers = r->headers;
    out.body = Json::parse(r->body, nullptr, false);
    return out;
  }
  Reply Post(const std::string& path, const Session* s, const Json& body) {
    return Call("POST", path, s, body);
  }

  httplib::ClientImpl& raw() { return *http_; }

 private:
  std::unique_ptr<httplib::ClientImpl> http_;
};

std::string CookieValue(const std::string& set_cookie) {
  const std::string prefix = "kl_session=";
  if (set_cookie.rfind(prefix, 0) != 0) return "";
  return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
}

// ---- The fixture: a registry, a node, accounts in three offices, a server.

struct Account {
  std::string name;
  std::string office;
  auth::Role role;
  std::string totp_secret;  // raw bytes; "" without a second factor
};

class ServerTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t kIdleTimeout = 600;
  static constexpr std::size_t kMaxUpload = 256 * 1024;

  void SetUp() override {
    const std::string data = dir_ / "registry";
    const engine::KeySource key = engine::KeySource::KeyFile(dir_ / "key.hex");
    {
      auto created = engine::Registry::Create(data, key, engine::CreateOptions{}, "test");
      ASSERT_TRUE(created.ok()) << created.status().ToString();
    }
    engine::NodeOptions options;
    options.fast_password_hashing = true;
    options.idle_timeout_s = kIdleTimeout;
    auto node = engine::Node::Open(data, key, options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    now_ = static_cast<std::int64_t>(std::time(nullptr));

    AddAccount("root", "amman", auth::Role::kAdmin);
    AddAccount("omar", "amman", auth::Role::kOfficer);
    AddAccount("ana", "amman", auth::Role::kCaseworker);
    AddAccount("audra", "amman", auth::Role::kAuditor);
    AddAccount("bilal", "beirut", auth::Role::kOfficer);
    AddAccount("bea", "beirut", auth::Role::kCaseworker);
    AddAccount("carim", "cairo", auth::Role::kOfficer);

    server::ServerOptions so;
    so.port = 0;
    so.retention_interval_s = 0;
    so.max_body_bytes = 64 * 1024;
    so.max_upload_bytes = kMaxUpload;
    so.logins_per_minute = 0;  // tested on its own below
    so.clock = [this] { return now_.load(); };
    so.access_log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.emplace_back(line);
    };
    auto srv = server::Server::Create(*node_, so);
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    server_ = std::move(*srv);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<Client>(server_->port());
  }

  void TearDown() override {
    if (server_) server_->Stop();
    // Whatever a test did, the access log holds no personal data and no
    // credential.
    const std::string log = AccessLog();
    for (const std::string& canary : kCanaries) {
      EXPECT_THAT(log, Not(HasSubstr(canary)));
    }
    for (const auto& [name, s] : sessions_) {
      EXPECT_THAT(log, Not(HasSubstr(s.cookie)));
      EXPECT_THAT(log, Not(HasSubstr(s.csrf)));
    }
  }

  void AddAccount(const std::string& name, const std::string& office, auth::Role role) {
    engine::NewUser u;
    u.name = name;
    u.office = office;
    u.role = role;
    u.password = kPassword;
    auto added = node_->AddUserBootstrap(u, now_);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    Account a{name, office, role, ""};
    if (!added->totp_secret.empty()) {
      auto raw = auth::Base32Decode(added->totp_secret);
      ASSERT_TRUE(raw.ok());
      a.totp_secret = *raw;
    }
    accounts_[name] = a;
  }

  std::string AccessLog() {
    std::lock_guard<std::mutex> lock(log_mu_);
    std::string all;
    for (const std::string& l : log_) all += l + "\n";
    return all;
  }

  // The access log once it holds `text`: a request's line is written after
  // its response is sent, so a client may read the answer first. Gives up
  // after 5 s (then the assertion on its result fails).
  std::string AccessLogWith(const std::string& text) {
    for (int i = 0; i < 500; ++i) {
      std::string log = AccessLog();
      if (log.find(text) != std::string::npos) return log;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return AccessLog();
  }

  // Each login with a second factor moves the clock to the next TOTP step:
  // a code is accepted once.
  Reply LoginReply(const std::string& name, const std::string& password,
                   std::optional<std::string> code = std::nullopt) {
    Json body = {{"user", name}, {"password", password}};
    auto account = accounts_.find(name);
    if (account != accounts_.end() && !account->second.totp_secret.empty() && !code) {
      now_ += 30;
      code = auth::TotpCode(account->second.totp_secret, now_);
    }
    if (code) body["totp"] = *code;
    return client_->Post("/api/v1/login", nullptr, body);
  }

  Session Login(const std::string& name) {
    Reply r = LoginReply(name, kPassword);
    EXPECT_EQ(r.status, 200) << name << ": " << r.raw;
    Session s;
    s.cookie = CookieValue(r.Header("Set-Cookie"));
    s.csrf = r.body.value("csrf_token", "");
    s.user_id = r.body["user"].value("id", 0);
    sessions_[name] = s;
    return s;
  }

  // A tracing request of the Amman office, in Arabic script, and a found
  // person registered by the Beirut office, in Latin script.
  std::int64_t RegisterRequest(const Session& s) {
    Json fields = {{"id", "R-1"},
                   {"full_name", "محمد الحسن"},
                   {"given_name", "محمد"},
                   {"family_name", "الحسن"},
                   {"father_name", "خالد"},
                   {"sex", "m"},
                   {"birth_date", "1987-03"},
                   {"birth_place", "حمص"},
                   {"country", "SY"},
                   {"enquirer_name", "Layla Canarytest"},
                   {"enquirer_phone", "+963 900 000 001"},
                   {"relationship", "mother"}};
    Reply r = client_->Post("/api/v1/records", &s, {{"kind", "request"}, {"fields", fields}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("id", 0);
  }

  std::int64_t RegisterPerson(const Session& s) {
    Json fields = {{"id", "P-1"},
                   {"full_name", "Mohamad Alhasan"},
                   {"given_name", "Mohamad"},
                   {"family_name", "Alhasan"},
                   {"father_name", "Khaled"},
                   {"sex", "m"},
                   {"birth_date", "1987-03-12"},
                   {"birth_place", "Homs"},
                   {"address", "12 Canary Lane"},
                   {"locality", "Canaryville"},
                   {"country", "LB"},
                   {"phone", "+961 70 123 456"},
                   {"email", "mohamad.canary@example.org"},
                   {"status", "safe"}};
    Reply r = client_->Post("/api/v1/records", &s, {{"kind", "person"}, {"fields", fields}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("id", 0);
  }

  // The match between request and person, as `s` lists it.
  std::int64_t MatchOf(const Session& s, std::int64_t request_id, std::int64_t person_id) {
    Reply r = client_->Get("/api/v1/matches", &s);
    EXPECT_EQ(r.status, 200) << r.raw;
    for (const Json& m : r.body["matches"]) {
      if (m["request"]["id"] == request_id && m["person"]["id"] == person_id) return m["id"];
    }
    return 0;
  }

  TempDir dir_;
  std::unique_ptr<engine::Node> node_;
  std::atomic<std::int64_t> now_{0};
  std::map<std::string, Account> accounts_;
  std::map<std::string, Session> sessions_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<Client> client_;
};

// ---- Transport.

TEST_F(ServerTest, HealthzNeedsNoSessionAndEveryResponseHasSecurityHeaders) {
  for (const std::string& path :
       {std::string("/healthz"), std::string("/api/v1/me"), std::string("/no/such/Canaryville")}) {
    Reply r = client_->Get(path);
    EXPECT_EQ(r.Header("Cache-Control"), "no-store") << path;
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer") << path;
    EXPECT_THAT(r.Header("Content-Security-Policy"), HasSubstr("default-src 'none'")) << path;
    EXPECT_THAT(r.Header("Content-Type"), HasSubstr("application/json")) << path;
  }
  Reply health = client_->Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body["status"], "ok");
  Reply none = client_->Get("/no/such/Canaryville");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(client_->Get("/api/v1/me").status, 401);
  // The unmatched path is logged as its shape, never its words.
  EXPECT_THAT(AccessLogWith(R"("path":"/{x}/{x}/{x}")"), HasSubstr(R"("path":"/{x}/{x}/{x}")"));
}

TEST_F(ServerTest, ServesTheWebUiWithItsPolicyAndRevalidation) {
  httplib::Result page = client_->raw().Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(page->body, HasSubstr("<script type=\"module\" src=\"/app.js\">"));
  // The page's own policy: scripts and styles from this origin only.
  const std::string csp = page->get_header_value("Content-Security-Policy");
  EXPECT_THAT(csp, HasSubstr("script-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(page->get_header_value_count("Content-Security-Policy"), 1u);
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(page->get_header_value_count("Cache-Control"), 1u);
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");

  // A script, compressed for a browser that accepts it; a second request
  // with its ETag gets 304 and no body.
  httplib::Result js = client_->raw().Get("/app.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_THAT(js->get_header_value("Content-Type"), HasSubstr("text/javascript"));
  EXPECT_EQ(js->get_header_value("Content-Encoding"), "gzip");
  const std::string etag = js->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  httplib::Result again = client_->raw().Get("/app.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  httplib::Result changed = client_->raw().Get("/app.js", {{"If-None-Match", "\"other\""}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);

  // Only the embedded files: no directory, no source tree, no traversal.
  for (const char* path : {"/index.html/", "/web/app.js", "/../CMakeLists.txt", "/app.js.map"}) {
    httplib::Result r = client_->raw().Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
  // The access log names the file, as a route.
  EXPECT_THAT(AccessLogWith(R"("path":"/app.js")"), HasSubstr(R"("status":304)"));
}

TEST_F(ServerTest, LoginSetsAStrictHttpOnlyCookieAndReturnsTheCsrfToken) {
  Reply r = LoginReply("ana", kPassword);
  ASSERT_EQ(r.status, 200) << r.raw;
  const std::string cookie = r.Header("Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("Path=/"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain HTTP on loopback
  Session s{CookieValue(cookie), r.body["csrf_token"], 0};
  EXPECT_EQ(s.cookie.size(), auth::kSessionIdChars);
  EXPECT_EQ(r.body["user"]["role"], "caseworker");
  EXPECT_EQ(r.body["user"]["office"], "amman");
  sessions_["ana"] = s;
  Reply me = client_->Get("/api/v1/me", &s);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["user"]["name"], "ana");
  EXPECT_EQ(me.body["csrf_token"], s.csrf);
  // The access log names the user by id only.
  EXPECT_THAT(AccessLogWith(R"("path":"/api/v1/me","status":200)"),
              HasSubstr(R"("path":"/api/v1/me","status":200)"));
  EXPECT_THAT(AccessLog(), Not(HasSubstr("ana")));
}

TEST_F(ServerTest, SecondFactorIsRequiredAndAWrongCodeIsDenied) {
  const std::string secret = accounts_.at("omar").totp_secret;
  now_ += 30;
  const std::string right = auth::TotpCode(secret, now_);
  std::string wrong = right;
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);
  Reply bad = LoginReply("omar", kPassword, wrong);
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.body["error"]["code"], "UNAUTHENTICATED");
  EXPECT_TRUE(bad.Header("Set-Cookie").empty());
  EXPECT_EQ(LoginReply("omar", kPassword, "").status, 401);  // no code at all
  Reply good = LoginReply("omar", kPassword, right);
  EXPECT_EQ(good.status, 200) << good.raw;
  // The same code is accepted once.
  EXPECT_EQ(LoginReply("omar", kPassword, right).status, 401);
  // The messages do not tell which part was wrong.
  EXPECT_EQ(bad.body["error"]["message"],
            LoginReply("nobody", kPassword, "123456").body["error"]["message"]);
}

TEST_F(ServerTest, RepeatedFailuresLockTheAccountEvenForTheRightPassword) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(LoginReply("ana", "wrong password " + std::to_string(i)).status, 401);
  Reply locked = LoginReply("ana", kPassword);
  EXPECT_EQ(locked.status, 401);
  EXPECT_TRUE(locked.Header("Set-Cookie").empty());
  // The lock has a backoff, not forever.
  now_ += 31;
  EXPECT_EQ(LoginReply("ana", kPassword).status, 200);
}

TEST_F(ServerTest, StateChangingCallsNeedTheSessionsCsrfToken) {
  Session ana = Login("ana");
  Session bea = Login("bea");
  const Json body = {{"kind", "request"}, {"fields", {{"full_name", "Test Person"}}}};
  Reply missing = client_->Call("POST", "/api/v1/records", &ana, body, false);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.body["error"]["code"], "PERMISSION_DENIED");
  EXPECT_EQ(client_->Call("POST", "/api/v1/records", &ana, body, true, "x").status, 403);
  // Another session's token is not this one's.
  EXPECT_EQ(client_->Call("POST", "/api/v1/records", &ana, body, true, bea.csrf).status, 403);
  EXPECT_EQ(client_->Call("POST", "/api/v1/logout", &ana, Json::object(), false).status, 403);
  EXPECT_EQ(client_->Call("POST", "/api/v1/records", &ana, body).status, 201);
  // Logout ends the session and clears the cookie.
  Reply out = client_->Call("POST", "/api/v1/logout", &ana, Json::object());
  EXPECT_EQ(out.status, 204);
  EXPECT_THAT(out.Header("Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(client_->Get("/api/v1/me", &ana).status, 401);
}

TEST_F(ServerTest, IdleSessionsExpire) {
  Session ana = Login("ana");
  now_ += kIdleTimeout - 1;
  EXPECT_EQ(client_->Get("/api/v1/me", &ana).status, 200);  // touched
  now_ += kIdleTimeout + 1;
  Reply expired = client_->Get("/api/v1/me", &ana);
  EXPECT_EQ(expired.status, 401);
  EXPECT_THAT(expired.Header("Set-Cookie"), HasSubstr("Max-Age=0"));
  Session forged{std::string(auth::kSessionIdChars, 'A'), "x", 0};
  EXPECT_EQ(client_->Get("/api/v1/me", &forged).status, 401);
  Session junk{"not a session; id=\"1\"", "x", 0};
  EXPECT_EQ(client_->Get("/api/v1/me", &junk).status, 401);
}

TEST_F(ServerTest, RequestLimits) {
  Session ana = Login("ana");
  // Body over max_body_bytes (64 KiB here).
  const Json big = {{"kind", "request"}, {"fields", {{"notes", std::string(70 * 1024, 'x')}}}};
  Reply too_big = client_->Post("/api/v1/records", &ana, big);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.body["error"]["code"], "INVALID_ARGUMENT");
  // Nesting deeper than kMaxJsonDepth.
  std::string deep = R"({"kind":"request","fields":)";
  for (int i = 0; i < 20; ++i) deep += "[";
  for (int i = 0; i < 20; ++i) deep += "]";
  deep += "}";
  httplib::Headers h = {{"Cookie", "kl_session=" + ana.cookie}, {"X-CSRF-Token", ana.csrf}};
  auto r = client_->raw().Post("/api/v1/records", h, deep, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("kMaxJsonDepth"));
  // Not JSON, wrong content type, wrong member types.
  r = client_->raw().Post("/api/v1/records", h, "{not json", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = client_->raw().Post("/api/v1/records", h, "kind=request",
                          "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(
      client_->Post("/api/v1/records", &ana, {{"kind", "request"}, {"fields", {{"full_name", 7}}}})
          .status,
      400);
  EXPECT_EQ(
      client_
          ->Post("/api/v1/records", &ana, {{"kind", "request"}, {"fields", {{"shoe_size", "44"}}}})
          .status,
      400);
  EXPECT_EQ(client_->Post("/api/v1/records", &ana, {{"kind", "request"}, {"extra", 1}}).status,
            400);
  // Headers over max_header_bytes.
  httplib::Headers fat = {{"X-Padding", std::string(4000, 'p')},
                          {"X-More", std::string(4500, 'q')}};
  r = client_->raw().Get("/healthz", fat);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  // An id that is not one.
  EXPECT_EQ(client_->Get("/api/v1/records/Canaryville", &ana).status, 404);
  // Query parameters out of range.
  EXPECT_EQ(client_->Get("/api/v1/audit?limit=100000", &ana).status, 400);
  EXPECT_EQ(client_->Get("/api/v1/matches?status=Canaryville", &ana).status, 400);
}

TEST_F(ServerTest, PostWithoutContentLengthIsRefusedAtOnce) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string req = "POST /api/v1/logout HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  char buf[2048];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  ASSERT_GT(n, 12);
  EXPECT_EQ(std::string(buf, 12), "HTTP/1.1 411");
}

// ---- Requests the client library would refuse to send, over a raw socket.

// What came back on one raw connection: the responses, parsed by their
// Content-Length.
struct RawReply {
  std::string bytes;    // everything the server sent
  bool closed = false;  // the server closed the connection (not our timeout)

  struct Response {
    int status = 0;
    std::string head;
    std::string body;
  };
  std::vector<Response> Parse() const {
    std::vector<Response> out;
    std::size_t pos = 0;
    while (bytes.compare(pos, 9, "HTTP/1.1 ") == 0) {
      const std::size_t head_end = bytes.find("\r\n\r\n", pos);
      if (head_end == std::string::npos) break;
      Response r;
      r.status = std::atoi(bytes.substr(pos + 9, 3).c_str());
      r.head = bytes.substr(pos, head_end - pos);
      std::size_t length = 0;
      const std::size_t cl = r.head.find("Content-Length: ");
      if (cl != std::string::npos) length = std::stoul(r.head.substr(cl + 16));
      r.body = bytes.substr(head_end + 4, length);
      pos = head_end + 4 + length;
      out.push_back(std::move(r));
    }
    return out;
  }
  int Status() const {
    auto r = Parse();
    return r.empty() ? 0 : r[0].status;
  }
  int Responses() const { return static_cast<int>(Parse().size()); }
  Json Body() const {
    auto r = Parse();
    if (r.empty()) return Json::object();
    Json body = Json::parse(r[0].body, nullptr, false);
    return body.is_discarded() ? Json::object() : body;
  }
};

// Sends `first`, then (after a pause, as a separate segment) `second`, and
// reads until the server closes the connection or `wait_ms` pass without
// data.
RawReply RawExchange(int port, const std::string& first, const std::string& second = "",
                     int wait_ms = 3000) {
  RawReply out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return out;
  timeval tv{wait_ms / 1000, (wait_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  // The server may close while we still send: a failed send is an answer.
  ::send(fd, first.data(), first.size(), MSG_NOSIGNAL);
  if (!second.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::send(fd, second.data(), second.size(), MSG_NOSIGNAL);
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      out.bytes.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    out.closed = n == 0 || (n < 0 && errno == ECONNRESET);
    break;
  }
  ::close(fd);
  return out;
}

TEST_F(ServerTest, PathTraversalNeverReachesTheFileSystem) {
  Session ana = Login("ana");
  for (const std::string& target :
       {std::string("/../../etc/passwd"), std::string("/api/v1/../../etc/passwd"),
        std::string("/%2e%2e/%2e%2e/etc/passwd"),
        std::string("/api/v1/records/..%2f..%2fetc%2fpasswd"),
        std::string("/api/v1/records/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
        std::string("/..%5c..%5cetc%5cpasswd"), std::string("/healthz/../../../etc/passwd")}) {
    RawReply r = RawExchange(server_->port(), "GET " + target +
                                                  " HTTP/1.1\r\nHost: x\r\nCookie: kl_session=" +
                                                  ana.cookie + "\r\nConnection: close\r\n\r\n");
    EXPECT_THAT(r.Status(), ::testing::AnyOf(400, 404)) << target << "\n" << r.bytes;
    EXPECT_THAT(r.bytes, Not(HasSubstr("root:"))) << target;
    EXPECT_TRUE(r.Body()["error"]["code"].is_string()) << target << "\n" << r.bytes;
  }
}

// Each request below is malformed in a way that lets a lenient parser (or
// a proxy in front that parses differently) see a second request in it: a
// POST /logout of ana's session, smuggled in the first request's body or
// headers. Every one is refused (400, or 411 for a bare Transfer-Encoding)
// with a JSON error and the connection closed; the smuggled logout never
// runs, whether it arrives with the first request or in a later segment.
TEST_F(ServerTest, HeaderInjectionAndAmbiguousFramingAreRefusedAndNeverExecuted) {
  using namespace std::string_literals;
  Session ana = Login("ana");
  const std::string auth = "Cookie: kl_session=" + ana.cookie + "\r\nX-CSRF-Token: " + ana.csrf +
                           "\r\nContent-Type: application/json\r\n";
  const std::string smuggled =
      "POST /api/v1/logout HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 2\r\n\r\n{}";
  const std::string n = std::to_string(smuggled.size());
  const std::string search = "POST /api/v1/search HTTP/1.1\r\nHost: x\r\n" + auth;
  const std::string me = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n" + auth;
  struct Case {
    std::string name;
    std::string head;  // the request up to (and including) the empty line
    std::string body;  // sent with the head; `smuggled` follows
    int status;
  };
  const std::vector<Case> cases = {
      {"bare LF inside a header value",
       me + "X-Note: Canaryville\nContent-Length: " + n + "\r\n\r\n", "", 400},
      {"bare CR inside a header value", me + "X-Note: a\rContent-Length: " + n + "\r\n\r\n", "",
       400},
      {"obs-fold continuation line", me + "X-Note: a\r\n Content-Length: " + n + "\r\n\r\n", "",
       400},
      {"obs-fold with a tab", me + "X-Note: a\r\n\tmore\r\n\r\n", "", 400},
      {"a header line without a colon", me + "Content-Length " + n + "\r\n\r\n", "", 400},
      {"whitespace before the colon",
       search + "Content-Length : 2\r\nContent-Length: " + n + "\r\n\r\n", "", 400},
      {"two different Content-Lengths",
       search + "Content-Length: 2\r\nContent-Length: " + n + "\r\n\r\n", "{}", 400},
      {"Content-Length and chunked",
       search + "Content-Length: " + std::to_string(5 + smuggled.size()) +
           "\r\nTransfer-Encoding: chunked\r\n\r\n",
       "0\r\n\r\n", 400},
      {"chunked alone", search + "Transfer-Encoding: chunked\r\n\r\n", "0\r\n\r\n", 411},
      {"a Content-Length that is not a number", search + "Content-Length: 2x\r\n\r\n", "{}", 400},
      {"a negative Content-Length", search + "Content-Length: -1\r\n\r\n", "", 400},
      {"NUL in the request line",
       "GET /healthz\0/../api/v1/logout HTTP/1.1\r\nHost: x\r\n"s + auth + "\r\n", "", 400},
      {"NUL in a header value", me + "X-Note: a\0b\r\n\r\n"s, "", 400},
      {"two Host headers", "GET /api/v1/me HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + auth + "\r\n", "",
       400},
      {"HTTP/1.1 without Host", "GET /api/v1/me HTTP/1.1\r\n" + auth + "\r\n", "", 400},
      {"a compressed body", search + "Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\n", "{}",
       415},
  };
  for (const Case& c : cases) {
    for (bool split : {false, true}) {
      SCOPED_TRACE(c.name + (split ? " (smuggled request in a later segment)" : ""));
      RawReply r = split ? RawExchange(server_->port(), c.head + c.body, smuggled)
                         : RawExchange(server_->port(), c.head + c.body + smuggled);
      // Refused, or closed without an answer; never a 2xx.
      EXPECT_TRUE(r.Status() == c.status || (r.Status() == 0 && r.closed)) << r.bytes;
      if (r.Status() != 0) {
        EXPECT_EQ(r.Body()["error"]["code"], "INVALID_ARGUMENT") << r.bytes;
        EXPECT_TRUE(r.Body()["error"]["message"].is_string()) << r.bytes;
        EXPECT_THAT(r.bytes, HasSubstr("X-Content-Type-Options: nosniff"));
      }
      EXPECT_EQ(r.Responses(), r.Status() == 0 ? 0 : 1) << r.bytes;
      EXPECT_TRUE(r.closed) << "the server kept the connection open";
      ASSERT_EQ(client_->Get("/api/v1/me", &ana).status, 200) << "the smuggled logout ran";
    }
  }

  // A GET's body is not read by the HTTP library: it is not the next
  // request either.
  RawReply get = RawExchange(
      server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + n + "\r\n\r\n",
      smuggled);
  EXPECT_EQ(get.Status(), 200);
  EXPECT_EQ(get.Responses(), 1) << get.bytes;
  EXPECT_TRUE(get.closed);
  EXPECT_EQ(client_->Get("/api/v1/me", &ana).status, 200);

  // Well-formed pipelined requests on one connection are all answered.
  const std::string health = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  RawReply pipelined = RawExchange(server_->port(), health + health +
                                                        "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                                        "Connection: close\r\n\r\n");
  EXPECT_EQ(pipelined.Responses(), 3) << pipelined.bytes;
  EXPECT_TRUE(pipelined.closed);

  // The server keeps serving: health, and an authenticated call that
  // changes state.
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  Reply found = client_->Post("/api/v1/search", &ana, {{"fields", {{"full_name", "Test Person"}}}});
  EXPECT_EQ(found.status, 200) << found.raw;
  EXPECT_EQ(client_
                ->Post("/api/v1/records", &ana,
                       {{"kind", "request"}, {"fields", {{"full_name", "Test Person"}}}})
                .status,
            201);
  // Refusals are logged by shape: no header value, no target words.
  EXPECT_THAT(AccessLogWith(R"("path":"/api/v1/me","status":400)"),
              HasSubstr(R"("path":"/api/v1/me","status":400)"));
}

// ---- The workflow, and what the enquirer may be told.

TEST_F(ServerTest, WorkflowFromRequestToReunificationDisclosesOnlyWhatWasAllowed) {
  Session ana = Login("ana");      // caseworker, Amman: holds the request
  Session omar = Login("omar");    // officer, Amman
  Session bea = Login("bea");      // caseworker, Beirut: holds the person
  Session bilal = Login("bilal");  // officer, Beirut

  const std::int64_t request_id = RegisterRequest(ana);
  const std::int64_t person_id = RegisterPerson(bea);
  ASSERT_GT(request_id, 0);
  ASSERT_GT(person_id, 0);

  // The match is found across scripts and offices.
  const std::int64_t match_id = MatchOf(ana, request_id, person_id);
  ASSERT_GT(match_id, 0) << client_->Get("/api/v1/matches", &ana).raw;
  const std::string match_path = "/api/v1/matches/" + std::to_string(match_id);

  // Amman sees its request, not Beirut's person.
  Reply seen = client_->Get(match_path, &ana);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(seen.body["status"], "potential");
  EXPECT_TRUE(seen.body["request"]["visible"]);
  EXPECT_EQ(seen.body["request"]["fields"]["full_name"], "محمد الحسن");
  EXPECT_FALSE(seen.body["person"]["visible"]);
  EXPECT_EQ(seen.body["person"]["office"], "beirut");
  EXPECT_FALSE(seen.body["person"].contains("fields"));
  // Beirut sees its person, without whereabouts or contact.
  Reply theirs = client_->Get(match_path, &bea);
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.body["person"]["fields"]["full_name"], "Mohamad Alhasan");
  for (const char* hidden : {"address", "locality", "phone", "email", "status", "country"}) {
    EXPECT_FALSE(theirs.body["person"]["fields"].contains(hidden)) << hidden;
  }
  for (const std::string& body : {seen.raw, theirs.raw}) {
    for (const char* c : {"Canary Lane", "Canaryville", "+961 70 123 456", "mohamad.canary"}) {
      EXPECT_THAT(body, Not(HasSubstr(c)));
    }
  }
  EXPECT_GT(seen.body["explanation"]["fields"].size(), 0u);

  // Caseworker proposes; a caseworker may not decide; the officer of the
  // request's office confirms.
  EXPECT_EQ(client_->Post(match_path + "/propose", &ana, Json::object()).status, 204);
  EXPECT_EQ(client_->Post(match_path + "/propose", &ana, Json::object()).status, 409);
  EXPECT_EQ(client_->Post(match_path + "/decision", &ana, {{"decision", "confirm"}}).status, 403);
  EXPECT_EQ(client_->Post(match_path + "/decision", &bilal, {{"decision", "confirm"}}).status, 403);
  EXPECT_EQ(client_->Post(match_path + "/decision", &omar, {{"decision", "maybe"}}).status, 400);
  EXPECT_EQ(client_->Post(match_path + "/decision", &omar, {{"decision", "confirm"}}).status, 204);
  EXPECT_EQ(client_->Get(match_path, &ana).body["status"], "confirmed");

  const std::string view_path = "/api/v1/cases/" + std::to_string(request_id) + "/enquirer-view";
  auto expect_no_contact = [&](const Reply& v) {
    for (const char* c :
         {"Canary Lane", "Canaryville", "+961 70 123 456", "mohamad.canary", "LB"}) {
      EXPECT_THAT(v.raw, Not(HasSubstr(c))) << v.raw;
    }
  };

  // Before the found person's decision: nothing about them.
  Reply before = client_->Get(view_path, &ana);
  ASSERT_EQ(before.status, 200) << before.raw;
  EXPECT_EQ(before.body["outcome"], "searching");
  EXPECT_EQ(before.body["state"], "match_confirmed");
  EXPECT_TRUE(before.body["contact"].empty());
  EXPECT_FALSE(before.body.contains("message"));
  expect_no_contact(before);

  // The decision is the person's office's to record.
  const std::string disclosure = match_path + "/disclosure";
  EXPECT_EQ(client_->Post(disclosure, &omar, {{"decision", "contact"}}).status, 403);
  EXPECT_EQ(client_->Post(disclosure, &bea, {{"decision", "contact"}}).status, 403);
  EXPECT_EQ(client_->Post(disclosure, &bilal, {{"decision", "everything"}}).status, 400);
  EXPECT_EQ(client_->Post(disclosure, &bilal, {{"decision", "contact"}, {"withhold", {"address"}}})
                .status,
            400);

  // Alive and well: only that.
  EXPECT_EQ(client_->Post(disclosure, &bilal, {{"decision", "alive_and_well"}}).status, 204);
  Reply alive = client_->Get(view_path, &ana);
  ASSERT_EQ(alive.status, 200);
  EXPECT_EQ(alive.body["outcome"], "alive_and_well");
  EXPECT_EQ(alive.body["state"], "disclosure_recorded");
  EXPECT_TRUE(alive.body["contact"].empty());
  expect_no_contact(alive);

  // Nothing may be said.
  EXPECT_EQ(client_->Post(disclosure, &bilal, {{"decision", "nothing"}}).status, 204);
  Reply nothing = client_->Get(view_path, &ana);
  EXPECT_EQ(nothing.body["outcome"], "nothing");
  expect_no_contact(nothing);

  // A message, and nothing else.
  EXPECT_EQ(
      client_->Post(disclosure, &bilal, {{"decision", "message"}, {"message", "Call me on Sunday"}})
          .status,
      204);
  Reply message = client_->Get(view_path, &ana);
  EXPECT_EQ(message.body["outcome"], "message");
  EXPECT_EQ(message.body["message"], "Call me on Sunday");
  EXPECT_TRUE(message.body["contact"].empty());
  expect_no_contact(message);

  // Contact, withholding whereabouts and e-mail: the phone only.
  EXPECT_EQ(client_
                ->Post(disclosure, &bilal,
                       {{"decision", "contact"}, {"withhold", {"whereabouts", "email"}}})
                .status,
            204);
  Reply phone_only = client_->Get(view_path, &ana);
  EXPECT_EQ(phone_only.body["outcome"], "contact");
  EXPECT_EQ(phone_only.body["contact"]["phone"], "+961 70 123 456");
  EXPECT_FALSE(phone_only.body["contact"].contains("email"));
  EXPECT_FALSE(phone_only.body["contact"].contains("address"));
  EXPECT_THAT(phone_only.raw, Not(HasSubstr("Canary Lane")));
  EXPECT_THAT(phone_only.raw, Not(HasSubstr("mohamad.canary")));

  // Contact, withholding the phone: e-mail and whereabouts, no phone.
  EXPECT_EQ(
      client_->Post(disclosure, &bilal, {{"decision", "contact"}, {"withhold", {"phone"}}}).status,
      204);
  Reply contact = client_->Get(view_path, &ana);
  ASSERT_EQ(contact.status, 200);
  EXPECT_EQ(contact.body["outcome"], "contact");
  EXPECT_EQ(contact.body["contact"]["email"], "mohamad.canary@example.org");
  EXPECT_EQ(contact.body["contact"]["address"], "12 Canary Lane");
  EXPECT_FALSE(contact.body["contact"].contains("phone"));
  EXPECT_THAT(contact.raw, Not(HasSubstr("+961 70 123 456")));
  // Notes and status are never part of it.
  EXPECT_FALSE(contact.body["contact"].contains("status"));

  // The enquirer view is the request office's: Beirut and Cairo may not.
  EXPECT_EQ(client_->Get(view_path, &bea).status, 403);
  Session carim = Login("carim");
  EXPECT_EQ(client_->Get(view_path, &carim).status, 403);
  EXPECT_EQ(client_->Get(match_path, &carim).status, 404);

  // The case moves on: informed, then reunited; not backwards.
  const std::string state_path = "/api/v1/cases/" + std::to_string(request_id) + "/state";
  EXPECT_EQ(client_->Post(state_path, &ana, {{"state", "reunited"}}).status, 409);
  EXPECT_EQ(client_->Post(state_path, &bea, {{"state", "enquirer_informed"}}).status, 403);
  EXPECT_EQ(client_->Post(state_path, &ana, {{"state", "enquirer_informed"}}).status, 204);
  EXPECT_EQ(client_->Post(state_path, &ana, {{"state", "reunited"}}).status, 204);
  EXPECT_EQ(client_->Post(state_path, &ana, {{"state", "closed"}}).status, 409);
  Reply done = client_->Get("/api/v1/cases/" + std::to_string(request_id), &ana);
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.body["state"], "reunited");
  std::vector<std::string> actions;
  for (const Json& e : done.body["timeline"]) actions.push_back(e["action"]);
  EXPECT_THAT(actions, ::testing::IsSupersetOf(
                           {"match.propose", "match.confirm", "disclosure.record", "case.state"}));
  EXPECT_THAT(done.raw, Not(HasSubstr("Canary")));
  // The KL-n form of an id works too.
  EXPECT_EQ(client_->Get("/api/v1/cases/KL-" + std::to_string(request_id), &ana).status, 200);

  // The auditor sees the chain intact, with the whole story in it.
  Session audra = Login("audra");
  Reply verify = client_->Get("/api/v1/audit/verify", &audra);
  ASSERT_EQ(verify.status, 200);
  EXPECT_TRUE(verify.body["ok"]);
  Reply audit = client_->Get("/api/v1/audit?after=0&limit=1000", &audra);
  ASSERT_EQ(audit.status, 200);
  EXPECT_GT(audit.body["entries"].size(), 10u);
  EXPECT_THAT(audit.raw, Not(HasSubstr("Canary")));
  EXPECT_THAT(audit.raw, Not(HasSubstr("محمد")));
}

TEST_F(ServerTest, SearchShowsOtherOfficesRecordsWithoutNames) {
  Session ana = Login("ana");
  Session bea = Login("bea");
  RegisterRequest(ana);
  const std::int64_t person_id = RegisterPerson(bea);
  Reply r = client_->Post(
      "/api/v1/search", &ana,
      {{"fields", {{"full_name", "Mohamad Alhasan"}, {"birth_date", "1987"}}}, {"kind", "person"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  bool found = false;
  for (const Json& h : r.body["results"]) {
    if (h["id"] != person_id) continue;
    found = true;
    EXPECT_EQ(h["name"], "");
    EXPECT_EQ(h["held_by"], "beirut");
  }
  EXPECT_TRUE(found) << r.raw;
  Reply mine = client_->Post("/api/v1/search", &bea,
                             {{"fields", {{"full_name", "Mohamad Alhasan"}}}, {"kind", "person"}});
  ASSERT_EQ(mine.status, 200);
  ASSERT_FALSE(mine.body["results"].empty());
  EXPECT_EQ(mine.body["results"][0]["name"], "Mohamad Alhasan");
  EXPECT_EQ(client_->Post("/api/v1/search", &ana, {{"fields", Json::object()}, {"top", 0}}).status,
            400);
}

TEST_F(ServerTest, AdminManagesAccounts) {
  Session root = Login("root");
  Reply list = client_->Get("/api/v1/users", &root);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["users"].size(), accounts_.size());
  for (const Json& u : list.body["users"]) {
    EXPECT_FALSE(u.contains("password_hash"));
    EXPECT_FALSE(u.contains("totp_secret"));
  }
  Reply added = client_->Post("/api/v1/users", &root,
                              {{"name", "dina"},
                               {"office", "amman"},
                               {"role", "officer"},
                               {"password", "another long passphrase"}});
  ASSERT_EQ(added.status, 201) << added.raw;
  EXPECT_TRUE(added.body["second_factor"]);
  EXPECT_THAT(added.body.value("totp_uri", ""), HasSubstr("otpauth://totp/"));
  EXPECT_EQ(client_
                ->Post("/api/v1/users", &root,
                       {{"name", "dina"},
                        {"office", "amman"},
                        {"role", "officer"},
                        {"password", "another long passphrase"}})
                .status,
            409);
  Session ana = Login("ana");
  Reply disabled = client_->Call("PATCH", "/api/v1/users/ana", &root, Json{{"disabled", true}});
  EXPECT_EQ(disabled.status, 200) << disabled.raw;
  EXPECT_EQ(client_->Get("/api/v1/me", &ana).status, 401);  // its sessions end
  EXPECT_EQ(LoginReply("ana", kPassword).status, 401);
  EXPECT_EQ(client_->Call("PATCH", "/api/v1/users/ana", &root, Json{{"disabled", false}}).status,
            200);
  EXPECT_EQ(LoginReply("ana", kPassword).status, 200);
  EXPECT_THAT(AccessLog(), Not(HasSubstr("another long passphrase")));
  EXPECT_THAT(AccessLogWith(R"("path":"/api/v1/users/{name}")"),
              HasSubstr(R"("path":"/api/v1/users/{name}")"));
}

// ---- Every endpoint x every kind of caller.

TEST_F(ServerTest, EndpointRoleMatrix) {
  // A session that will be idle too long by the time it is used.
  Session expired = Login("ana");
  now_ += kIdleTimeout + 1;

  std::map<std::string, Session> who;
  for (const char* name : {"root", "omar", "ana", "audra", "bilal", "carim"})
    who[name] = Login(name);
  who["bea"] = Login("bea");

  // The records and the match the calls are about: request in Amman,
  // person in Beirut (Cairo is unrelated).
  const std::int64_t request_id = RegisterRequest(who["ana"]);
  const std::int64_t person_id = RegisterPerson(who["bea"]);
  const std::int64_t match_id = MatchOf(who["ana"], request_id, person_id);
  ASSERT_GT(match_id, 0);
  const std::string r = std::to_string(request_id);
  const std::string m = std::to_string(match_id);
  who.erase("bea");
  who["none"] = Session{};
  who["expired"] = expired;

  struct Row {
    std::string method;
    std::string path;
    Json body;
    // admin, officer, caseworker, auditor, other office's officer holding
    // the person (Beirut), unrelated office's officer (Cairo).
    int admin, officer, caseworker, auditor, beirut, cairo;
  };
  // Calls that would change state are given a body that fails validation
  // after the authorisation check, so the table can run in any order:
  // "allowed" shows as 400/404/409, "denied" as 403.
  const Json bad_record = {{"kind", "request"}, {"fields", Json::object()}};
  const Json bad_user = {
      {"name", "Not Valid!"}, {"office", "x"}, {"role", "caseworker"}, {"password", "x"}};
  const Json bad_reject = {{"decision", "reject"}, {"reason", "no such reason"}};
  const std::vector<Row> table = {
      {"GET", "/api/v1/me", {}, 200, 200, 200, 200, 200, 200},
      {"GET", "/api/v1/users", {}, 200, 403, 403, 403, 403, 403},
      {"GET", "/api/v1/offices", {}, 200, 403, 403, 403, 403, 403},
      {"POST", "/api/v1/users", bad_user, 400, 403, 403, 403, 403, 403},
      {"PATCH", "/api/v1/users/nobody", Json{{"disabled", true}}, 404, 403, 403, 403, 403, 403},
      {"POST", "/api/v1/records", bad_record, 403, 400, 400, 403, 400, 400},
      {"GET", "/api/v1/records/" + r, {}, 403, 200, 200, 403, 403, 403},
      {"POST", "/api/v1/search", Json{{"fields", Json::object()}}, 403, 400, 400, 403, 400, 400},
      {"GET", "/api/v1/matches", {}, 403, 200, 200, 403, 200, 200},
      {"GET", "/api/v1/matches?status=potential", {}, 403, 200, 200, 403, 200, 200},
      {"GET", "/api/v1/matches/" + m, {}, 403, 200, 200, 403, 200, 404},
      {"POST", "/api/v1/matches/999999/propose", Json::object(), 403, 404, 404, 403, 404, 404},
      {"POST", "/api/v1/matches/" + m + "/decision", bad_reject, 403, 400, 403, 403, 403, 403},
      {"POST", "/api/v1/matches/" + m + "/disclosure", Json{{"decision", "contact"}}, 403, 403, 403,
       403, 409, 403},
      {"GET", "/api/v1/cases", {}, 403, 200, 200, 403, 200, 200},
      {"GET", "/api/v1/cases?limit=200", {}, 403, 200, 200, 403, 200, 200},
      {"GET", "/api/v1/cases/" + r, {}, 403, 200, 200, 403, 403, 403},
      {"GET", "/api/v1/cases/" + r + "/enquirer-view", {}, 403, 200, 200, 403, 403, 403},
      {"POST", "/api/v1/cases/" + r + "/state", Json{{"state", "reunited"}}, 403, 409, 409, 403,
       403, 403},
      {"GET", "/api/v1/audit?limit=5", {}, 403, 403, 403, 200, 403, 403},
      {"GET", "/api/v1/audit/verify", {}, 403, 403, 403, 200, 403, 403},
      {"POST", "/api/v1/retention/run", Json::object(), 200, 403, 403, 403, 403, 403},
  };
  for (const Row& row : table) {
    const std::map<std::string, int> expected = {{"root", row.admin},     {"omar", row.officer},
                                                 {"ana", row.caseworker}, {"audra", row.auditor},
                                                 {"bilal", row.beirut},   {"carim", row.cairo},
                                                 {"none", 401},           {"expired", 401}};
    for (const auto& [caller, status] : expected) {
      const Session& s = who.at(caller);
      const std::optional<Json> body =
          row.method == "GET" ? std::nullopt : std::optional<Json>(row.body);
      Reply reply = client_->Call(row.method, row.path, &s, body);
      EXPECT_EQ(reply.status, status)
          << row.method << " " << row.path << " as " << caller << ": " << reply.raw;
      if (reply.status >= 400) {
        EXPECT_TRUE(reply.body.contains("error")) << row.path << " " << caller;
      }
    }
  }
  // No call above disclosed the found person's whereabouts to Amman.
  Reply view = client_->Get("/api/v1/cases/" + r + "/enquirer-view", &who["ana"]);
  EXPECT_EQ(view.body["outcome"], "searching");
}

// ---- Lists uploaded as CSV, the caseload, offices, name frequency.

// Every file under `dir`, relative, sorted.
std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A list of found persons from the Beirut office: one is the person the
// Amman request looks for.
const std::string kPersonsCsv =
    "id,full_name,given_name,family_name,father_name,sex,birth_date,birth_place,locality,"
    "soc_sec_id\n"
    "P-1,Mohamad Alhasan,Mohamad,Alhasan,Khaled,m,1987-03-12,Homs,Canaryville,111\n"
    "P-2,Layla Canarytest,Layla,Canarytest,,f,1987-02-30,Hama,Canaryville,222\n"
    "P-3,Nour Salem,Nour,Salem,,f,1990,Hama,,333\n";

TEST_F(ServerTest, ImportStoresAnUploadedCsvInTheCallersOfficeAndItsMatchesAppear) {
  Session ana = Login("ana");
  Session bea = Login("bea");
  const std::int64_t request_id = RegisterRequest(ana);
  ASSERT_GT(request_id, 0);
  const std::vector<std::string> files_before = FilesUnder(dir_.path());

  // A dry run: everything checked, nothing stored.
  Reply dry = client_->Upload("/api/v1/imports?kind=person&dry_run=true", &bea, kPersonsCsv);
  ASSERT_EQ(dry.status, 200) << dry.raw;
  EXPECT_EQ(dry.body["dry_run"], true);
  EXPECT_EQ(dry.body["kind"], "person");
  EXPECT_EQ(dry.body["rows"], 3);
  EXPECT_EQ(dry.body["accepted"], 2);
  EXPECT_EQ(dry.body["rejected"], 1);
  EXPECT_FALSE(dry.body.contains("first_id"));
  EXPECT_FALSE(dry.body.contains("potential_matches"));
  EXPECT_TRUE(client_->Get("/api/v1/matches", &ana).body["matches"].empty());

  Reply stored = client_->Upload("/api/v1/imports?kind=person", &bea, kPersonsCsv);
  ASSERT_EQ(stored.status, 201) << stored.raw;
  const Json& b = stored.body;
  EXPECT_EQ(b["dry_run"], false);
  EXPECT_EQ(b["rows"], 3);
  EXPECT_EQ(b["accepted"], 2);
  EXPECT_EQ(b["rejected"], 1);
  EXPECT_EQ(b["first_id"], "KL-" + std::to_string(request_id + 1));
  EXPECT_EQ(b["last_id"], "KL-" + std::to_string(request_id + 2));
  EXPECT_EQ(b["potential_matches"], 1);
  // What each column fills; the unknown one fills nothing and warns.
  ASSERT_EQ(b["columns"].size(), 10u);
  EXPECT_EQ(b["columns"][0], (Json{{"column", 1}, {"name", "id"}, {"field", "id"}}));
  EXPECT_EQ(b["columns"][6],
            (Json{{"column", 7}, {"name", "birth_date"}, {"field", "birth_date"}}));
  EXPECT_EQ(b["columns"][9], (Json{{"column", 10}, {"name", "soc_sec_id"}, {"field", nullptr}}));
  ASSERT_EQ(b["warnings"].size(), 1u);
  EXPECT_THAT(b["warnings"][0].get<std::string>(), HasSubstr("column 10 (soc_sec_id)"));
  // The reject says where and why, never the value.
  ASSERT_EQ(b["rejects"].size(), 1u);
  EXPECT_EQ(b["rejects"][0]["line"], 3);
  EXPECT_EQ(b["rejects"][0]["column"], 7);
  EXPECT_EQ(b["rejects"][0]["column_name"], "birth_date");
  EXPECT_THAT(b["rejects"][0]["reason"].get<std::string>(), Not(HasSubstr("1987-02-30")));
  EXPECT_THAT(stored.raw, Not(HasSubstr("Canary")));

  // The records are Beirut's, and the Amman request's match is in the queue.
  const std::int64_t first = request_id + 1;
  EXPECT_EQ(client_->Get("/api/v1/records/" + std::to_string(first), &bea).status, 200);
  EXPECT_EQ(client_->Get("/api/v1/records/" + std::to_string(first), &ana).status, 403);
  const std::int64_t match_id = MatchOf(ana, request_id, first);
  EXPECT_GT(match_id, 0);
  Reply match = client_->Get("/api/v1/matches/" + std::to_string(match_id), &ana);
  EXPECT_EQ(match.body["person"]["office"], "beirut");

  // Nothing of the upload was written to a file: no new file (no rejects
  // file), and no file holds a value of it in plaintext.
  EXPECT_EQ(FilesUnder(dir_.path()), files_before);
  EXPECT_TRUE(testing::FilesContaining(dir_.path(), "Canaryville").empty());
  EXPECT_TRUE(testing::FilesContaining(dir_.path(), "Canarytest").empty());
  // The access log has the route, not the query string.
  const std::string log = AccessLogWith(R"("path":"/api/v1/imports","status":201)");
  EXPECT_THAT(log, HasSubstr(R"("method":"POST","path":"/api/v1/imports","status":201)"));
  EXPECT_THAT(log, Not(HasSubstr("kind=")));
}

TEST_F(ServerTest, ImportRefusesWhatIsNotACanonicalCsvWithPreciseErrors) {
  Session ana = Login("ana");
  const std::string csv = "full_name,birth_date\nNour Salem,1990\n";
  const std::string dry = "/api/v1/imports?kind=request&dry_run=true";
  auto message = [](const Reply& r) { return r.body["error"].value("message", ""); };

  // The content type: a CSV file, UTF-8.
  Reply json = client_->Upload(dry, &ana, R"({"full_name":"x"})", "application/json");
  EXPECT_EQ(json.status, 415);
  EXPECT_THAT(message(json), HasSubstr("CSV file"));
  EXPECT_THAT(message(json), HasSubstr("text/csv"));
  EXPECT_EQ(client_->Upload(dry, &ana, csv, "text/plain").status, 415);
  EXPECT_EQ(client_->Upload(dry, &ana, csv, "text/csvx").status, 415);
  EXPECT_EQ(client_->Upload(dry, &ana, csv, "").status, 415);
  Reply latin = client_->Upload(dry, &ana, csv, "text/csv; charset=iso-8859-1");
  EXPECT_EQ(latin.status, 415);
  EXPECT_THAT(message(latin), HasSubstr("UTF-8"));
  EXPECT_EQ(client_->Upload(dry, &ana, csv, "text/csv; header=present").status, 415);
  for (const char* ok : {"text/csv", "text/csv; charset=utf-8", "Text/CSV;charset=\"UTF-8\"",
                         "text/csv ; charset=us-ascii"}) {
    Reply r = client_->Upload(dry, &ana, csv, ok);
    EXPECT_EQ(r.status, 200) << ok << ": " << r.raw;
    EXPECT_EQ(r.body["accepted"], 1) << ok;
  }

  // The body and the query.
  Reply empty = client_->Upload(dry, &ana, "");
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(message(empty), HasSubstr("empty"));
  Reply no_kind = client_->Upload("/api/v1/imports", &ana, csv);
  EXPECT_EQ(no_kind.status, 400);
  EXPECT_THAT(message(no_kind), HasSubstr("kind"));
  EXPECT_EQ(client_->Upload("/api/v1/imports?kind=Canaryville", &ana, csv).status, 400);
  EXPECT_EQ(client_->Upload("/api/v1/imports?kind=person&kind=request", &ana, csv).status, 400);
  Reply maybe = client_->Upload("/api/v1/imports?kind=person&dry_run=maybe", &ana, csv);
  EXPECT_EQ(maybe.status, 400);
  EXPECT_THAT(message(maybe), HasSubstr("dry_run"));

  // Whole-file errors, with the reason.
  Reply no_name = client_->Upload(dry, &ana, "id,birth_date\n1,1990\n");
  EXPECT_EQ(no_name.status, 400);
  EXPECT_THAT(message(no_name), HasSubstr("no name column"));
  Reply twice = client_->Upload(dry, &ana, "full_name,full_name\nA,B\n");
  EXPECT_EQ(twice.status, 400);
  EXPECT_THAT(message(twice), HasSubstr("repeats column 1"));
  EXPECT_EQ(client_->Upload(dry, &ana, "\n").status, 400);

  // Caseworkers and officers only; the CSRF token like every POST.
  for (const char* name : {"root", "audra"}) {
    Session s = Login(name);
    Reply denied = client_->Upload(dry, &s, csv);
    EXPECT_EQ(denied.status, 403) << name;
    EXPECT_EQ(denied.body["error"]["code"], "PERMISSION_DENIED");
  }
  Session omar = Login("omar");
  EXPECT_EQ(client_->Upload(dry, &omar, csv).status, 200);
  Session no_token = ana;
  no_token.csrf = "x";
  EXPECT_EQ(client_->Upload(dry, &no_token, csv).status, 403);
  EXPECT_EQ(client_->Upload(dry, nullptr, csv).status, 401);
  // Nothing was stored by any of these.
  EXPECT_TRUE(client_->Get("/api/v1/cases", &ana).body["cases"].empty());
}

TEST_F(ServerTest, TheUploadLimitAppliesToImportsOnlyAndJsonRoutesKeepTheBodyLimit) {
  Session ana = Login("ana");
  // A CSV over max_body_bytes (64 KiB) but under max_upload_bytes (256 KiB).
  std::string csv = "full_name,notes\n";
  int rows = 0;
  while (csv.size() < 100 * 1024) {
    csv += "Sought Person" + std::to_string(rows++) + "," + std::string(90, 'n') + "\n";
  }
  Reply accepted = client_->Upload("/api/v1/imports?kind=request&dry_run=true", &ana, csv);
  ASSERT_EQ(accepted.status, 200) << accepted.raw;
  EXPECT_EQ(accepted.body["accepted"], rows);

  // The same size as JSON, to a JSON route: 413, before the body is read.
  const Json big = {{"kind", "request"}, {"fields", {{"notes", std::string(100 * 1024, 'x')}}}};
  Reply json = client_->Post("/api/v1/records", &ana, big);
  EXPECT_EQ(json.status, 413);
  EXPECT_THAT(json.body["error"].value("message", ""), HasSubstr("--max-body"));
  // ... also to the upload route's path under another method or spelling.
  RawReply other_path =
      RawExchange(server_->port(),
                  "POST /api/v1/imports/?kind=request HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                      std::to_string(100 * 1024) + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(other_path.Status(), 413) << other_path.bytes;
  RawReply patch = RawExchange(server_->port(),
                               "PATCH /api/v1/imports HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                   std::to_string(100 * 1024) + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(patch.Status(), 413) << patch.bytes;

  // Over max_upload_bytes: 413 naming the upload limit, before the body is read.
  while (csv.size() <= kMaxUpload) {
    csv += "Sought Person" + std::to_string(rows++) + "," + std::string(90, 'n') + "\n";
  }
  Reply too_big = client_->Upload("/api/v1/imports?kind=request&dry_run=true", &ana, csv);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.body["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(too_big.body["error"].value("message", ""), HasSubstr("--max-upload"));
}

TEST_F(ServerTest, CaseloadListsTheOfficesRequestsWithNamesAndMatchCounts) {
  Session ana = Login("ana");
  Session bea = Login("bea");
  const std::int64_t request_id = RegisterRequest(ana);
  const std::int64_t person_id = RegisterPerson(bea);
  ASSERT_GT(MatchOf(ana, request_id, person_id), 0);
  Reply other = client_->Post("/api/v1/records", &ana,
                              {{"kind", "request"}, {"fields", {{"full_name", "Nour Salem"}}}});
  ASSERT_EQ(other.status, 201);

  Reply r = client_->Get("/api/v1/cases", &ana);
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body["cases"].size(), 2u);
  const Json& newest = r.body["cases"][0];
  EXPECT_EQ(newest["request_id"], other.body["id"]);
  EXPECT_EQ(newest["name"], "Nour Salem");
  const Json& c = r.body["cases"][1];
  EXPECT_EQ(c["request_id"], request_id);
  EXPECT_EQ(c["registry_id"], "KL-" + std::to_string(request_id));
  EXPECT_EQ(c["name"], "محمد الحسن");
  EXPECT_EQ(c["state"], "open");
  EXPECT_EQ(c["created_at"].get<std::int64_t>() > 0, true);
  EXPECT_EQ(c["matches"],
            (Json{{"potential", 1}, {"proposed", 0}, {"confirmed", 0}, {"rejected", 0}}));

  Reply one = client_->Get("/api/v1/cases?limit=1", &ana);
  ASSERT_EQ(one.status, 200);
  ASSERT_EQ(one.body["cases"].size(), 1u);
  EXPECT_EQ(one.body["cases"][0]["request_id"], other.body["id"]);
  for (const char* bad : {"0", "201", "x", "-1"}) {
    Reply refused = client_->Get(std::string("/api/v1/cases?limit=") + bad, &ana);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_THAT(refused.body["error"].value("message", ""), HasSubstr("1..200"));
  }
  // Beirut holds the person, not the request: its caseload is empty.
  Session bilal = Login("bilal");
  Reply theirs = client_->Get("/api/v1/cases", &bilal);
  ASSERT_EQ(theirs.status, 200);
  EXPECT_TRUE(theirs.body["cases"].empty());
}

TEST_F(ServerTest, AdminsListOfficesWithTheirAccountCounts) {
  Session root = Login("root");
  Reply r = client_->Get("/api/v1/offices", &root);
  ASSERT_EQ(r.status, 200) << r.raw;
  std::map<std::string, std::int64_t> users;
  for (const Json& o : r.body["offices"]) {
    EXPECT_GT(o["id"].get<std::int64_t>(), 0);
    users[o["name"]] = o["users"];
  }
  EXPECT_EQ(users,
            (std::map<std::string, std::int64_t>{{"amman", 4}, {"beirut", 2}, {"cairo", 1}}));
}

TEST_F(ServerTest, MatchDetailCarriesTheRequestsNameFrequencyAndTheListDoesNot) {
  Session ana = Login("ana");
  Session bea = Login("bea");
  const std::int64_t request_id = RegisterRequest(ana);  // محمد الحسن, in Arabic script
  const std::int64_t person_id = RegisterPerson(bea);    // Mohamad Alhasan
  // Another Muhammad in Latin script, of a third office.
  Session carim = Login("carim");
  ASSERT_EQ(client_
                ->Post("/api/v1/records", &carim,
                       {{"kind", "person"},
                        {"fields", {{"given_name", "Muhammad"}, {"family_name", "Haddad"}}}})
                .status,
            201);
  const std::int64_t match_id = MatchOf(ana, request_id, person_id);
  ASSERT_GT(match_id, 0);

  Reply d = client_->Get("/api/v1/matches/" + std::to_string(match_id), &ana);
  ASSERT_EQ(d.status, 200) << d.raw;
  // The request, the person and the other Muhammad share the given name's
  // skeleton; the request and the person the family name's.
  EXPECT_EQ(d.body["name_frequency"], (Json{{"given_name", 3}, {"family_name", 2}}));
  Reply list = client_->Get("/api/v1/matches", &ana);
  ASSERT_EQ(list.status, 200);
  ASSERT_FALSE(list.body["matches"].empty());
  for (const Json& m : list.body["matches"]) EXPECT_FALSE(m.contains("name_frequency"));
}

// ---- TLS.

TEST_F(ServerTest, TlsServerSetsSecureCookiesAndHsts) {
  testing::WriteSelfSignedCert(dir_ / "cert.pem", dir_ / "key.pem");
  server::ServerOptions so;
  so.retention_interval_s = 0;
  so.tls_cert_path = dir_ / "cert.pem";
  so.tls_key_path = dir_ / "key.pem";
  so.clock = [this] { return now_.load(); };
  so.access_log = [](std::string_view) {};
  auto srv = server::Server::Create(*node_, so);
  ASSERT_TRUE(srv.ok()) << srv.status().ToString();
  ASSERT_TRUE((*srv)->Start().ok());
  EXPECT_EQ((*srv)->url().rfind("https://127.0.0.1:", 0), 0u);
  Client tls((*srv)->port(), true);
  Reply login = tls.Post("/api/v1/login", nullptr, {{"user", "ana"}, {"password", kPassword}});
  ASSERT_EQ(login.status, 200) << login.raw;
  EXPECT_THAT(login.Header("Set-Cookie"), HasSubstr("; Secure"));
  EXPECT_THAT(login.Header("Strict-Transport-Security"), HasSubstr("max-age="));
  (*srv)->Stop();

  // Bad TLS files are refused at Create.
  server::ServerOptions broken = so;
  broken.tls_key_path = dir_ / "cert.pem";
  EXPECT_EQ(server::Server::Create(*node_, broken).status().code(), StatusCode::kInvalidArgument);
  broken.tls_key_path = dir_ / "missing.pem";
  EXPECT_EQ(server::Server::Create(*node_, broken).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ServerTest, PlainHttpIsRefusedOffLoopbackAndStopIsGraceful) {
  server::ServerOptions so;
  so.bind_address = "0.0.0.0";
  EXPECT_EQ(server::Server::Create(*node_, so).status().code(), StatusCode::kFailedPrecondition);

  // Stop with requests in flight: every one started gets its answer.
  Session ana = Login("ana");
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      Client c(server_->port());
      for (int k = 0; k < 5; ++k) {
        Reply r = c.Get("/api/v1/me", &ana);
        if (r.status == 200) ++answered;
        if (r.status == -1) break;  // refused: the server has stopped
        EXPECT_EQ(r.status, 200);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  server_->Stop();
  for (std::thread& t : clients) t.join();
  server_->Stop();  // idempotent
  EXPECT_EQ(client_->Get("/healthz").status, -1);
  EXPECT_FALSE(server_->Start().ok());
}

TEST_F(ServerTest, SignInAttemptsAreLimitedPerAddress) {
  server::ServerOptions so;
  so.retention_interval_s = 0;
  so.logins_per_minute = 3;
  so.clock = [this] { return now_.load(); };
  so.access_log = [](std::string_view) {};
  auto srv = server::Server::Create(*node_, so);
  ASSERT_TRUE(srv.ok());
  ASSERT_TRUE((*srv)->Start().ok());
  Client c((*srv)->port());
  now_ = (now_ / 60) * 60;  // the start of a minute
  const Json wrong = {{"user", "ana"}, {"password", "not it"}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.Post("/api/v1/login", nullptr, wrong).status, 401);
  Reply limited = c.Post("/api/v1/login", nullptr, {{"user", "ana"}, {"password", kPassword}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["error"]["code"], "RESOURCE_EXHAUSTED");
  now_ += 60;
  EXPECT_EQ(c.Post("/api/v1/login", nullptr, {{"user", "ana"}, {"password", kPassword}}).status,
            200);
}

TEST_F(ServerTest, RetentionRunsOnItsOwnAndLogsCountsOnly) {
  std::mutex mu;
  std::vector<std::string> lines;
  server::ServerOptions so;
  so.retention_interval_s = 3600;
  so.clock = [this] { return now_.load(); };
  so.access_log = [&](std::string_view l) {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(l);
  };
  auto srv = server::Server::Create(*node_, so);
  ASSERT_TRUE(srv.ok());
  ASSERT_TRUE((*srv)->Start().ok());
  (*srv)->Stop();  // the first run happens at start; Stop waits for it
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines[0], HasSubstr(R"("event":"retention","shredded":0)"));
}

// ---- `kinlink serve` as a process.

class ServeProcessTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env() {
    return {{"KINLINK_DATA", data_.empty() ? dir_ / "registry" : data_},
            {"KINLINK_KEY_FILE", dir_ / "key.hex"}};
  }

  // Starts `kinlink serve --port 0` with Env(), stdout and stderr to files
  // (out, err, with `tag` appended); false when it does not come up.
  bool Serve(testing::KinlinkProcess& server, const std::string& tag = "") {
    return server.Start({"serve", "--port", "0"}, dir_ / ("out" + tag), dir_ / ("err" + tag),
                        "Kinlink", Env());
  }

  TempDir dir_;
  std::string data_;  // a postgresql:// URI instead of DIR/registry
};

TEST_F(ServeProcessTest, UserAddThenServeAnswersAndExitsCleanlyOnSigterm) {
  auto env = Env();
  ASSERT_EQ(testing::RunKinlink({"init"}, env).exit_code, 0);
  env["KINLINK_USER_PASSWORD"] = kPassword;
  testing::RunResult added = testing::RunKinlink(
      {"user", "add", "omar", "--office", "amman", "--role", "officer", "--json"}, env);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  Json user = Json::parse(added.out, nullptr, false);
  ASSERT_TRUE(user.is_object()) << added.out;
  EXPECT_EQ(user["role"], "officer");
  EXPECT_TRUE(user["second_factor"]);
  EXPECT_THAT(user.value("totp_uri", ""), HasSubstr("otpauth://totp/Kinlink:omar?secret="));
  EXPECT_THAT(added.out + added.err, Not(HasSubstr(kPassword)));
  testing::RunResult plain =
      testing::RunKinlink({"user", "add", "ana", "--office", "amman", "--role", "caseworker"}, env);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, HasSubstr("Added caseworker ana in office amman."));
  EXPECT_THAT(plain.out, Not(HasSubstr("otpauth")));
  // Without a password source and without a terminal, it fails at once.
  env.erase("KINLINK_USER_PASSWORD");
  EXPECT_EQ(testing::RunKinlink({"user", "add", "x", "--office", "a", "--role", "caseworker"}, env)
                .exit_code,
            1);
  testing::RunResult listed = testing::RunKinlink({"user", "list", "--json"}, env);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(Json::parse(listed.out)["users"].size(), 2u);
  // Usage errors are caught before the registry is opened.
  EXPECT_EQ(testing::RunKinlink({"serve", "--listen", "0.0.0.0"}, env).exit_code, 2);
  EXPECT_EQ(testing::RunKinlink({"serve", "--tls-cert", "c.pem"}, env).exit_code, 2);

  testing::KinlinkProcess server;
  ASSERT_TRUE(Serve(server)) << ReadFile(dir_ / "err");
  Client client(server.port());
  EXPECT_EQ(client.Get("/healthz").status, 200);
  auto secret = auth::Base32Decode(user["totp_secret"].get<std::string>());
  ASSERT_TRUE(secret.ok());
  Reply login = client.Post("/api/v1/login", nullptr,
                            {{"user", "omar"},
                             {"password", kPassword},
                             {"totp", auth::TotpCode(*secret, std::time(nullptr))}});
  EXPECT_EQ(login.status, 200) << login.raw;

  EXPECT_EQ(server.Stop(), 0);  // SIGTERM: a clean exit
  const std::string err = ReadFile(dir_ / "err");
  EXPECT_THAT(err, HasSubstr(R"("path":"/healthz","status":200)"));
  EXPECT_THAT(err, HasSubstr("SIGTERM received"));
  EXPECT_THAT(err, Not(HasSubstr(kPassword)));
  EXPECT_THAT(err, Not(HasSubstr("omar")));
}

// Lists imported on the command line with --office reach that office's
// staff through the server (the demo's path); `retention run` erases
// nothing before the review date.
TEST_F(ServeProcessTest, ImportedListsBelongToTheirOfficeAndRetentionRuns) {
  auto env = Env();
  ASSERT_EQ(testing::RunKinlink({"init"}, env).exit_code, 0);
  const std::string demo = std::string(KL_SOURCE_DIR) + "/data/demo/";
  ASSERT_EQ(testing::RunKinlink({"import", "--kind", "person", "--office", "homs", "--retention",
                                 "30", demo + "persons.csv"},
                                env)
                .exit_code,
            0);
  testing::RunResult req = testing::RunKinlink(
      {"import", "--kind", "request", "--office", "homs", demo + "requests.csv", "--json"}, env);
  ASSERT_EQ(req.exit_code, 0) << req.err;
  EXPECT_GT(Json::parse(req.out)["potential_matches"].get<int>(), 0) << req.out;
  env["KINLINK_USER_PASSWORD"] = kPassword;
  ASSERT_EQ(
      testing::RunKinlink({"user", "add", "ana", "--office", "homs", "--role", "caseworker"}, env)
          .exit_code,
      0);
  ASSERT_EQ(
      testing::RunKinlink({"user", "add", "ivan", "--office", "kyiv", "--role", "caseworker"}, env)
          .exit_code,
      0);
  testing::RunResult retention = testing::RunKinlink({"retention", "run", "--json"}, env);
  ASSERT_EQ(retention.exit_code, 0) << retention.err;
  EXPECT_EQ(Json::parse(retention.out)["erased"], 0);

  testing::KinlinkProcess server;
  ASSERT_TRUE(Serve(server)) << ReadFile(dir_ / "err");
  Client client(server.port());
  auto login = [&](const std::string& name) {
    Reply r = client.Post("/api/v1/login", nullptr, {{"user", name}, {"password", kPassword}});
    EXPECT_EQ(r.status, 200) << r.raw;
    return Session{CookieValue(r.Header("Set-Cookie")), r.body.value("csrf_token", ""), 0};
  };
  Session ana = login("ana");
  Reply mine = client.Get("/api/v1/matches", &ana);
  ASSERT_EQ(mine.status, 200) << mine.raw;
  EXPECT_FALSE(mine.body["matches"].empty());
  Session ivan = login("ivan");
  Reply theirs = client.Get("/api/v1/matches", &ivan);
  ASSERT_EQ(theirs.status, 200) << theirs.raw;
  EXPECT_TRUE(theirs.body["matches"].empty());

  EXPECT_EQ(server.Stop(), 0);
  // The operator's own actions carry the operator's name in the log.
  testing::RunResult log = testing::RunKinlink({"audit", "log", "--json"}, env);
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr(R"("action":"user.add")"));
  EXPECT_THAT(log.out, Not(HasSubstr(R"("actor":"kinlink-serve","action":"user.add")")));
}

// Two `kinlink serve` processes on one PostgreSQL registry: a session made
// on one works on the other, and both confirming different matches of one
// request at the same moment loses neither. Needs KINLINK_TEST_PG
// (scripts/test.sh starts a throwaway server); KINLINK_SKIP_PG=1 skips.
TEST_F(ServeProcessTest, TwoServersOnOnePostgresDatabaseLoseNoUpdate) {
  const char* pg = std::getenv("KINLINK_TEST_PG");
  if (pg == nullptr || *pg == '\0') {
    if (const char* skip = std::getenv("KINLINK_SKIP_PG"); skip && std::string(skip) == "1") {
      GTEST_SKIP() << "KINLINK_SKIP_PG=1";
    }
    FAIL() << "KINLINK_TEST_PG is not set (scripts/test.sh starts a server)";
  }
  // A fresh database on that server, as a URI for --data.
  std::map<std::string, std::string> conn;
  {
    std::istringstream in(pg);
    std::string part;
    while (in >> part) {
      const auto eq = part.find('=');
      if (eq != std::string::npos) conn[part.substr(0, eq)] = part.substr(eq + 1);
    }
  }
  const std::string db = "kl_serve_" + std::to_string(::getpid());
  const std::string admin = "postgresql://" + conn["user"] + "@" + conn["host"] + ":" +
                            conn["port"] + "/" + conn["dbname"];
  ASSERT_EQ(std::system(("psql -q '" + admin + "' -c 'DROP DATABASE IF EXISTS " + db +
                         "' -c 'CREATE DATABASE " + db + "' >/dev/null")
                            .c_str()),
            0);
  data_ = "postgresql://" + conn["user"] + "@" + conn["host"] + ":" + conn["port"] + "/" + db;
  auto env = Env();
  ASSERT_EQ(testing::RunKinlink({"init"}, env).exit_code, 0);
  const std::string demo = std::string(KL_SOURCE_DIR) + "/data/demo/";
  env["KINLINK_USER_PASSWORD"] = kPassword;
  ASSERT_EQ(
      testing::RunKinlink({"user", "add", "ana", "--office", "homs", "--role", "caseworker"}, env)
          .exit_code,
      0);
  testing::RunResult o1 = testing::RunKinlink(
      {"user", "add", "omar", "--office", "homs", "--role", "officer", "--json"}, env);
  testing::RunResult o2 = testing::RunKinlink(
      {"user", "add", "hala", "--office", "homs", "--role", "officer", "--json"}, env);
  ASSERT_EQ(o1.exit_code, 0) << o1.err;
  ASSERT_EQ(o2.exit_code, 0) << o2.err;

  testing::KinlinkProcess first, second;
  ASSERT_TRUE(Serve(first, "1")) << ReadFile(dir_ / "err1");
  ASSERT_TRUE(Serve(second, "2")) << ReadFile(dir_ / "err2");
  Client c1(first.port());
  Client c2(second.port());
  auto login = [&](Client& c, const std::string& name, const testing::RunResult* added) {
    Json body = {{"user", name}, {"password", kPassword}};
    if (added != nullptr) {
      auto secret = auth::Base32Decode(
          Json::parse(added->out)["totp_secret"].get<std::string>());
      body["totp"] = auth::TotpCode(*secret, std::time(nullptr));
    }
    Reply r = c.Post("/api/v1/login", nullptr, body);
    EXPECT_EQ(r.status, 200) << r.raw;
    return Session{CookieValue(r.Header("Set-Cookie")), r.body.value("csrf_token", ""), 0};
  };
  // A session from server 1 is good on server 2.
  Session ana = login(c1, "ana", nullptr);
  EXPECT_EQ(c2.Get("/api/v1/me", &ana).status, 200);

  // One request and two persons who both match it, registered through
  // both servers.
  Json person = {{"given_name", "Oleksandr"}, {"family_name", "Kovalenko"},
                 {"birth_date", "1979-05-02"}};
  person["id"] = "H-1";
  ASSERT_EQ(c1.Post("/api/v1/records", &ana, {{"kind", "person"}, {"fields", person}}).status, 201);
  person["id"] = "H-2";
  ASSERT_EQ(c2.Post("/api/v1/records", &ana, {{"kind", "person"}, {"fields", person}}).status, 201);
  Json request = {{"id", "R-1"}, {"given_name", "Олександр"}, {"family_name", "Коваленко"},
                  {"birth_date", "1979"}};
  ASSERT_EQ(c1.Post("/api/v1/records", &ana, {{"kind", "request"}, {"fields", request}}).status,
            201);
  Reply queue = c2.Get("/api/v1/matches", &ana);
  ASSERT_EQ(queue.status, 200) << queue.raw;
  ASSERT_EQ(queue.body["matches"].size(), 2u) << queue.raw;
  const std::int64_t m1 = queue.body["matches"][0]["id"].get<std::int64_t>();
  const std::int64_t m2 = queue.body["matches"][1]["id"].get<std::int64_t>();

  // Two officers, one on each server, confirm at the same moment.
  Session omar = login(c1, "omar", &o1);
  Session hala = login(c2, "hala", &o2);
  Reply r1, r2;
  std::thread t1([&] {
    r1 = c1.Post("/api/v1/matches/" + std::to_string(m1) + "/decision", &omar,
                 {{"decision", "confirm"}});
  });
  std::thread t2([&] {
    r2 = c2.Post("/api/v1/matches/" + std::to_string(m2) + "/decision", &hala,
                 {{"decision", "confirm"}});
  });
  t1.join();
  t2.join();
  EXPECT_EQ(r1.status, 204) << r1.raw;
  EXPECT_EQ(r2.status, 204) << r2.raw;
  for (std::int64_t m : {m1, m2}) {
    Reply seen = c1.Get("/api/v1/matches/" + std::to_string(m), &ana);
    ASSERT_EQ(seen.status, 200) << seen.raw;
    EXPECT_EQ(seen.body["status"], "confirmed") << seen.raw;
  }

  EXPECT_EQ(first.Stop(), 0);
  EXPECT_EQ(second.Stop(), 0);
  EXPECT_EQ(testing::RunKinlink({"audit", "verify"}, env).exit_code, 0);
  std::system(("psql -q '" + admin + "' -c 'DROP DATABASE IF EXISTS " + db + "' >/dev/null").c_str());
}

}  // namespace
}  // namespace kinlink
