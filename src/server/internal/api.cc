#include "server/internal/api.h"

#include <charconv>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/roles.h"
#include "auth/session.h"
#include "common/limits.h"
#include "crypto/crypto.h"
#include "engine/node.h"
#include "engine/registry.h"
#include "record/record.h"
#include "server/internal/json_body.h"
#include "server/server.h"

namespace kinlink::server::internal {

// ---- Requests and replies. Outside the anonymous namespace: class Api
// (declared in api.h) holds them.

enum class Access {
  kPublic,   // no session
  kSession,  // a live session; CSRF token on every method but GET/HEAD
};

// What a route reads from the request body.
enum class Body {
  kNone,  // nothing (GET)
  kJson,  // one JSON object (application/json; an empty body reads as {})
  kCsv,   // an uploaded CSV file (text/csv, UTF-8), left in the request
};

struct Call {
  explicit Call(const httplib::Request& r) : req(r) {}
  const httplib::Request& req;
  std::int64_t now = 0;
  std::optional<engine::Principal> principal;  // set for Access::kSession
  Json body;                                   // the parsed body (routes that take one)
  std::int64_t id = 0;                         // the {id} of the path
  std::string name;                            // the {name} of the path
  std::string session_id;                      // the cookie (logout, login)
};

struct Reply {
  int status = 200;
  std::optional<Json> body;  // nullopt: no body (204)
  std::vector<std::string> cookies;
};

inline Reply Ok(Json body, int status = 200) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

inline Reply NoContent() {
  Reply r;
  r.status = 204;
  return r;
}

using Handler = std::function<Result<Reply>(Call&)>;

namespace {

using engine::Principal;

// Longest login name, password and TOTP code read from a login body (the
// engine applies its own, stricter rules).
constexpr std::size_t kMaxUserNameBytes = 64;
constexpr std::size_t kMaxPasswordBytes = limits::kMaxPassphraseBytes;
constexpr std::size_t kMaxTotpBytes = 16;
constexpr std::size_t kMaxOfficeBytes = 128;
constexpr std::size_t kMaxCodeBytes = 64;  // enum names: roles, states, reasons

// ---- Helpers.

std::string Cookie(std::string_view value, bool tls, bool clear) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) + "; Path=/";
  if (clear) c += "; Max-Age=0";
  c += "; HttpOnly; SameSite=Strict";
  if (tls) c += "; Secure";
  return c;
}

// The value of the kl_session cookie ("" when absent). Every Cookie header
// is read; the first kl_session wins.
std::string SessionCookieOf(const httplib::Request& req) {
  const std::size_t n = req.get_header_value_count("Cookie");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string value_of_header = req.get_header_value("Cookie", i);
    std::string_view header = value_of_header;
    while (!header.empty()) {
      std::size_t end = header.find(';');
      std::string_view part = header.substr(0, end);
      header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      const std::size_t eq = part.find('=');
      if (eq == std::string_view::npos || part.substr(0, eq) != kSessionCookie) continue;
      std::string_view value = part.substr(eq + 1);
      // A well-formed id has kSessionIdChars; anything much longer is not
      // copied (the engine rejects it anyway).
      if (value.size() > 2 * auth::kSessionIdChars) return "-";
      return std::string(value);
    }
  }
  return "";
}

// "17" or "KL-17" -> 17.
std::optional<std::int64_t> ParseId(std::string_view text) {
  if (std::optional<std::int64_t> id = engine::ParseRegistryId(text)) return id;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

bool IsUserName(std::string_view s) {
  if (s.empty() || s.size() > kMaxUserNameBytes) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A query parameter as an integer in [min, max]; `fallback` when absent.
Result<std::int64_t> QueryInt(const httplib::Request& req, const char* name, std::int64_t fallback,
                              std::int64_t min, std::int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return InvalidArgumentError(std::string("query parameter ") + name + " must be an integer " +
                                std::to_string(min) + ".." + std::to_string(max));
  }
  return v;
}

// OK for "text/csv", with at most a charset parameter of utf-8 or us-ascii
// (case-insensitive, quoted or not); else why not, naming what is expected
// and never quoting the header.
Status CheckCsvContentType(std::string_view value) {
  const Status expected =
      InvalidArgumentError("expected a CSV file: send the body with Content-Type text/csv (UTF-8)");
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  };
  std::size_t semi = value.find(';');
  if (lower(trim(value.substr(0, semi))) != "text/csv") return expected;
  while (semi != std::string_view::npos) {
    value.remove_prefix(semi + 1);
    semi = value.find(';');
    const std::string_view param = trim(value.substr(0, semi));
    if (param.empty()) continue;
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos || lower(trim(param.substr(0, eq))) != "charset") {
      return InvalidArgumentError(
          "expected a CSV file: Content-Type text/csv takes no parameter but charset");
    }
    std::string_view charset = trim(param.substr(eq + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
      charset = charset.substr(1, charset.size() - 2);
    }
    const std::string cs = lower(charset);
    if (cs != "utf-8" && cs != "utf8" && cs != "us-ascii") {
      return InvalidArgumentError("the CSV file must be UTF-8 (charset=utf-8)");
    }
  }
  return OkStatus();
}

// A query parameter given at most once; nullopt when absent.
Result<std::optional<std::string>> QueryParam(const httplib::Request& req, const char* name) {
  const std::size_t n = req.get_param_value_count(name);
  if (n == 0) return std::optional<std::string>();
  if (n > 1) return InvalidArgumentError(std::string("query parameter ") + name + " is repeated");
  return std::optional<std::string>(req.get_param_value(name));
}

// ---- JSON views of the engine's types. Only what the Node returned.

Json PrincipalJson(const Principal& p) {
  return Json{{"id", p.user_id},
              {"name", p.user},
              {"role", std::string(auth::RoleName(p.role))},
              {"office", p.office},
              {"office_id", p.office_id}};
}

Json FieldsJson(const record::Record& r) {
  Json fields = Json::object();
  for (const record::FieldInfo& info : record::FieldCatalogue()) {
    if (r.Has(info.field)) fields[std::string(info.name)] = r.Get(info.field);
  }
  return fields;
}

Result<record::Record> RecordFromJson(const Json& fields, record::Kind kind) {
  if (!fields.is_object())
    return InvalidArgumentError("request body: \"fields\" must be an object");
  if (fields.size() > record::kFieldCount) {
    return InvalidArgumentError("request body: \"fields\" has more members than there are fields");
  }
  record::Record r(kind);
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    std::optional<record::Field> f = record::FieldByName(it.key());
    if (!f) {
      return InvalidArgumentError(
          "request body: \"fields\" holds a name that is not a field "
          "(see the field names of docs/formats.md)");
    }
    if (it->is_null()) continue;
    if (!it->is_string()) {
      return InvalidArgumentError("request body: field " + std::string(record::FieldName(*f)) +
                                  " must be a string");
    }
    const std::string& value = it->get_ref<const std::string&>();
    if (value.size() > limits::kMaxFieldBytes) {
      return InvalidArgumentError("request body: field " + std::string(record::FieldName(*f)) +
                                  " is over kMaxFieldBytes");
    }
    r.Set(*f, value);
  }
  return r;
}

Json RegistryIdJson(std::int64_t id) { return engine::FormatRegistryId(id); }

Json RecordViewJson(const engine::RecordView& v) {
  return Json{{"id", v.registry_id},
              {"registry_id", RegistryIdJson(v.registry_id)},
              {"kind", std::string(record::KindName(v.record.kind()))},
              {"created_at", v.created_at},
              {"updated_at", v.updated_at},
              {"version", v.version},
              {"fields", FieldsJson(v.record)}};
}

Json ExplanationJson(const score::Explanation& e) {
  return Json::parse(engine::ExplanationJson(e), nullptr, false);
}

Json MatchSideJson(const engine::MatchSide& s) {
  if (s.partner) {
    // Held by a partner organisation: no record here, only its name.
    return Json{{"id", nullptr},
                {"registry_id", nullptr},
                {"office", s.office},
                {"visible", false},
                {"partner", true}};
  }
  Json j{{"id", s.registry_id},
         {"registry_id", RegistryIdJson(s.registry_id)},
         {"office", s.office},
         {"visible", s.visible}};
  if (s.visible) j["fields"] = FieldsJson(s.record);
  return j;
}

Json MatchJson(const engine::MatchDetail& d) {
  Json j{{"id", d.match.id},
         {"status", d.status},
         {"probability", d.match.probability},
         {"weight", d.match.weight},
         {"created_at", d.match.created_at},
         {"request", MatchSideJson(d.request)},
         {"person", MatchSideJson(d.person)},
         {"explanation", Json::parse(d.explanation, nullptr, false)},
         {"has_disclosure", d.has_disclosure}};
  if (d.match.proposed_by != 0) j["proposed_by"] = d.match.proposed_by;
  if (d.match.decided_by != 0) {
    j["decided_by"] = d.match.decided_by;
    j["decided_at"] = d.match.decided_at;
  }
  if (!d.match.reason.empty()) j["reason"] = d.match.reason;
  if (d.match.is_partner()) {
    j["partner"] = Json{{"organisation", d.match.partner}, {"pair_ref", d.match.partner_ref}};
  }
  return j;
}

Json NameFrequencyJson(const engine::NameFrequency& f) {
  Json j = Json::object();
  if (f.given_name) j["given_name"] = *f.given_name;
  if (f.family_name) j["family_name"] = *f.family_name;
  return j;
}

Json ImportJson(const engine::ImportSummary& s, record::Kind kind, bool dry_run) {
  Json columns = Json::array();
  for (const formats::ColumnUse& c : s.columns) {
    columns.push_back(
        Json{{"column", c.column},
             {"name", c.name},
             {"field", c.field ? Json(std::string(record::FieldName(*c.field))) : Json(nullptr)}});
  }
  Json warnings = Json::array();
  for (const std::string& w : s.warnings) warnings.push_back(w);
  // The reasons name positions and rules, never values (formats::RowIssue).
  Json rejects = Json::array();
  for (const formats::RowIssue& issue : s.issues) {
    rejects.push_back(
        Json{{"line", issue.line},
             {"column", issue.column > 0 ? Json(issue.column) : Json(nullptr)},
             {"column_name", issue.column_name.empty() ? Json(nullptr) : Json(issue.column_name)},
             {"reason", issue.reason}});
  }
  Json j{{"dry_run", dry_run},
         {"kind", std::string(record::KindName(kind))},
         {"rows", s.rows},
         {"accepted", s.accepted},
         {"rejected", s.rejected},
         {"columns", std::move(columns)},
         {"warnings", std::move(warnings)},
         {"rejects", std::move(rejects)}};
  if (!dry_run) {
    j["potential_matches"] = s.potential_matches;
    if (s.accepted > 0) {
      j["first_id"] = RegistryIdJson(s.first_id);
      j["last_id"] = RegistryIdJson(s.last_id);
    }
    if (!s.index_status.ok()) {
      // Stored, but matching failed part-way; the message stays in the node.
      j["warnings"].push_back(
          "the records are stored but not all are matched yet: the review queue completes it");
    }
  }
  return j;
}

Json UserJson(const engine::UserView& u) {
  return Json{{"id", u.id},
              {"name", u.name},
              {"office", u.office},
              {"role", std::string(auth::RoleName(u.role))},
              {"second_factor", u.second_factor},
              {"disabled", u.disabled},
              {"locked", u.locked}};
}

}  // namespace

// Sign-in attempts per client address in fixed one-minute windows. Bounded
// memory: when the table is full, windows that have ended are dropped, and
// if none has, the new address is refused (a flood of addresses is itself
// what the limit is for).
class LoginLimiter {
 public:
  static constexpr std::size_t kMaxAddresses = 10000;

  explicit LoginLimiter(int per_minute) : per_minute_(per_minute) {}

  bool Allow(const std::string& address, std::int64_t now) {
    if (per_minute_ <= 0) return true;
    const std::int64_t window = now / 60;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = counts_.find(address);
    if (it == counts_.end()) {
      if (counts_.size() >= kMaxAddresses) {
        std::erase_if(counts_, [&](const auto& kv) { return kv.second.window != window; });
        if (counts_.size() >= kMaxAddresses) return false;
      }
      it = counts_.emplace(address, Count{window, 0}).first;
    }
    if (it->second.window != window) it->second = Count{window, 0};
    return ++it->second.attempts <= per_minute_;
  }

 private:
  struct Count {
    std::int64_t window = 0;
    int attempts = 0;
  };
  const int per_minute_;
  std::mutex mu_;
  std::unordered_map<std::string, Count> counts_;
};

// ---- The router.

class Api {
 public:
  Api(httplib::Server& http, ApiConfig config)
      : http_(http), config_(std::move(config)), logins_(config_.logins_per_minute) {}

  // `pattern` is the path as documented, with {id} (a registry or match id:
  // "17" or "KL-17") or {name} (a login name) for one segment; it is also
  // what the access log writes.
  void Add(std::string_view method, const std::string& pattern, Access access, Body body,
           Handler handler) {
    std::string regex;
    for (std::size_t i = 0; i < pattern.size();) {
      if (pattern.compare(i, 4, "{id}") == 0) {
        regex += "([^/]+)";
        i += 4;
      } else if (pattern.compare(i, 6, "{name}") == 0) {
        regex += "([^/]+)";
        i += 6;
      } else {
        const char c = pattern[i++];
        if (c == '.' || c == '-') regex += '\\';
        regex += c;
      }
    }
    const bool has_id = pattern.find("{id}") != std::string::npos;
    const bool has_name = pattern.find("{name}") != std::string::npos;
    auto wrapped = [this, pattern, access, body, has_id, has_name, handler = std::move(handler)](
                       const httplib::Request& req, httplib::Response& res) {
      Serve(req, res, pattern, access, body, has_id, has_name, handler);
    };
    if (method == "GET") {
      http_.Get(regex, wrapped);
    } else if (method == "POST") {
      http_.Post(regex, wrapped);
    } else if (method == "PATCH") {
      http_.Patch(regex, wrapped);
    }
  }

  void RegisterAll();

 private:
  engine::Node& node() { return *config_.node; }

  void Serve(const httplib::Request& req, httplib::Response& res, const std::string& pattern,
             Access access, Body body_kind, bool has_id, bool has_name, const Handler& handler) {
    RequestState& state = CurrentRequest();
    state.route = pattern;
    Call call(req);
    call.now = config_.clock();
    call.session_id = SessionCookieOf(req);

    if (access == Access::kSession) {
      if (call.session_id.empty()) {
        WriteError(res, 401, StatusCode::kUnauthenticated, "sign in first");
        return;
      }
      Result<Principal> p = node().Authenticate(call.session_id, call.now);
      if (!p.ok()) {
        if (p.status().code() == StatusCode::kUnauthenticated) {
          // A dead session: tell the browser to forget it.
          res.set_header("Set-Cookie", Cookie("", config_.tls, true));
          WriteError(res, 401, StatusCode::kUnauthenticated,
                     "the session has ended or is not valid; sign in again");
        } else {
          WriteStatus(res, p.status());
        }
        return;
      }
      state.user_id = p->user_id;
      if (req.method != "GET" && req.method != "HEAD") {
        const std::string token = req.get_header_value(std::string(kCsrfHeader).c_str());
        if (!auth::TokensEqual(token, p->csrf_token)) {
          WriteError(res, 403, StatusCode::kPermissionDenied,
                     "missing or wrong CSRF token (send the one from login in X-CSRF-Token)");
          return;
        }
      }
      call.principal = std::move(*p);
    }

    if (has_id) {
      std::optional<std::int64_t> id = ParseId(req.matches[1].str());
      if (!id) {
        WriteError(res, 404, StatusCode::kNotFound, "no such id");
        return;
      }
      call.id = *id;
    }
    if (has_name) {
      call.name = req.matches[1].str();
      if (!IsUserName(call.name)) {
        WriteError(res, 404, StatusCode::kNotFound, "no such user");
        return;
      }
    }

    if (body_kind == Body::kJson) {
      if (req.body.size() > config_.max_body_bytes) {
        WriteError(
            res, 413, StatusCode::kInvalidArgument,
            "request body over " + std::to_string(config_.max_body_bytes) + " bytes (--max-body)");
        return;
      }
      if (!req.body.empty()) {
        const std::string type = req.get_header_value("Content-Type");
        if (type.rfind("application/json", 0) != 0) {
          WriteError(res, 415, StatusCode::kInvalidArgument,
                     "request body must be application/json");
          return;
        }
      }
      Result<Json> body = ParseJsonObject(req.body, kMaxJsonDepth);
      if (!body.ok()) {
        WriteStatus(res, body.status());
        return;
      }
      call.body = std::move(*body);
    } else if (body_kind == Body::kCsv) {
      if (req.body.size() > config_.max_upload_bytes) {
        WriteError(res, 413, StatusCode::kInvalidArgument,
                   "request body over " + std::to_string(config_.max_upload_bytes) +
                       " bytes (--max-upload)");
        return;
      }
      if (req.body.empty()) {
        WriteError(res, 400, StatusCode::kInvalidArgument,
                   "the request body is empty: send the CSV file (text/csv) as the body");
        return;
      }
      if (Status type = CheckCsvContentType(req.get_header_value("Content-Type")); !type.ok()) {
        WriteError(res, 415, StatusCode::kInvalidArgument, type.message());
        return;
      }
    }

    Result<Reply> reply = handler(call);
    if (!reply.ok()) {
      WriteStatus(res, reply.status());
      return;
    }
    for (const std::string& c : reply->cookies) res.set_header("Set-Cookie", c);
    if (reply->body) {
      WriteJson(res, reply->status, *reply->body);
    } else {
      res.status = reply->status;
    }
  }

  // ---- Handlers.

  Result<Reply> Login(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {"user", "password", "totp"}));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> user,
                        GetString(c.body, "user", true, kMaxUserNameBytes));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> password,
                        GetString(c.body, "password", true, kMaxPasswordBytes));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> totp,
                        GetString(c.body, "totp", false, kMaxTotpBytes));
    if (!logins_.Allow(c.req.remote_addr, c.now)) {
      return ResourceExhaustedError("too many sign-in attempts from this address; wait a minute");
    }
    Result<engine::LoginResult> login = node().Login(*user, *password, totp.value_or(""), c.now);
    crypto::Wipe(*password);
    if (totp) crypto::Wipe(*totp);
    crypto::Wipe(c.body["password"].get_ref<std::string&>());
    if (!login.ok()) return login.status();
    CurrentRequest().user_id = login->principal.user_id;
    // A session this browser still held ends with the new sign-in.
    if (!c.session_id.empty() && c.session_id != login->session_id) {
      node().Logout(c.session_id).IgnoreError();
    }
    Reply r = Ok(Json{{"user", PrincipalJson(login->principal)},
                      {"csrf_token", login->principal.csrf_token}});
    r.cookies.push_back(Cookie(login->session_id, config_.tls, false));
    crypto::Wipe(login->session_id);
    return r;
  }

  Result<Reply> Logout(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {}));
    KL_RETURN_IF_ERROR(node().Logout(c.session_id));
    Reply r = NoContent();
    r.cookies.push_back(Cookie("", config_.tls, true));
    return r;
  }

  Result<Reply> Me(Call& c) {
    return Ok(Json{{"user", PrincipalJson(*c.principal)}, {"csrf_token", c.principal->csrf_token}});
  }

  Result<Reply> ListUsers(Call& c) {
    KL_ASSIGN_OR_RETURN(std::vector<engine::UserView> users, node().ListUsers(*c.principal, c.now));
    Json list = Json::array();
    for (const engine::UserView& u : users) list.push_back(UserJson(u));
    return Ok(Json{{"users", std::move(list)}});
  }

  Result<Reply> AddUser(Call& c) {
    KL_RETURN_IF_ERROR(
        CheckMembers(c.body, {"name", "office", "role", "password", "second_factor"}));
    engine::NewUser u;
    KL_ASSIGN_OR_RETURN(std::optional<std::string> name,
                        GetString(c.body, "name", true, kMaxUserNameBytes));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> office,
                        GetString(c.body, "office", true, kMaxOfficeBytes));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> role,
                        GetString(c.body, "role", true, kMaxCodeBytes));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> password,
                        GetString(c.body, "password", true, kMaxPasswordBytes));
    KL_ASSIGN_OR_RETURN(std::optional<bool> second, GetBool(c.body, "second_factor", false));
    KL_ASSIGN_OR_RETURN(u.role, auth::ParseRole(*role));
    u.name = std::move(*name);
    u.office = std::move(*office);
    u.password = std::move(*password);
    u.second_factor = second.value_or(false);
    Result<engine::NewUserResult> added = node().AddUser(*c.principal, u, c.now);
    crypto::Wipe(u.password);
    if (!added.ok()) return added.status();
    Json j{{"id", added->user_id},
           {"name", u.name},
           {"office", u.office},
           {"office_id", added->office_id},
           {"role", std::string(auth::RoleName(u.role))},
           {"second_factor", !added->totp_secret.empty()}};
    if (!added->totp_secret.empty()) {
      j["totp_secret"] = added->totp_secret;
      j["totp_uri"] = added->totp_uri;
    }
    crypto::Wipe(added->totp_secret);
    crypto::Wipe(added->totp_uri);
    return Ok(std::move(j), 201);
  }

  Result<Reply> ListOffices(Call& c) {
    KL_ASSIGN_OR_RETURN(std::vector<engine::OfficeView> offices, node().ListOffices(*c.principal));
    Json list = Json::array();
    for (const engine::OfficeView& o : offices) {
      list.push_back(Json{{"id", o.id}, {"name", o.name}, {"users", o.users}});
    }
    return Ok(Json{{"offices", std::move(list)}});
  }

  Result<Reply> PatchUser(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {"disabled"}));
    KL_ASSIGN_OR_RETURN(std::optional<bool> disabled, GetBool(c.body, "disabled", true));
    KL_RETURN_IF_ERROR(node().SetUserDisabled(*c.principal, c.name, *disabled));
    return Ok(Json{{"name", c.name}, {"disabled", *disabled}});
  }

  Result<Reply> Register(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {"kind", "fields"}));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> kind_name,
                        GetString(c.body, "kind", true, kMaxCodeBytes));
    Result<record::Kind> kind = record::ParseKind(*kind_name);
    if (!kind.ok()) return InvalidArgumentError("request body: \"kind\" must be request or person");
    auto fields = c.body.find("fields");
    if (fields == c.body.end()) return InvalidArgumentError("request body: \"fields\" is required");
    KL_ASSIGN_OR_RETURN(record::Record rec, RecordFromJson(*fields, *kind));
    KL_ASSIGN_OR_RETURN(std::int64_t id,
                        node().Register(*c.principal, *kind, std::move(rec), c.now));
    return Ok(Json{{"id", id}, {"registry_id", RegistryIdJson(id)}}, 201);
  }

  // The body is the CSV itself (checked by Serve: text/csv, not empty,
  // within max_upload_bytes); it is read in memory and never written.
  Result<Reply> Import(Call& c) {
    KL_ASSIGN_OR_RETURN(std::optional<std::string> kind_name, QueryParam(c.req, "kind"));
    if (!kind_name) {
      return InvalidArgumentError("query parameter kind is required: person or request");
    }
    Result<record::Kind> kind = record::ParseKind(*kind_name);
    if (!kind.ok()) return InvalidArgumentError("query parameter kind must be person or request");
    KL_ASSIGN_OR_RETURN(std::optional<std::string> dry_run_text, QueryParam(c.req, "dry_run"));
    bool dry_run = false;
    if (dry_run_text) {
      if (*dry_run_text == "true") {
        dry_run = true;
      } else if (*dry_run_text != "false") {
        return InvalidArgumentError("query parameter dry_run must be true or false");
      }
    }
    KL_ASSIGN_OR_RETURN(engine::ImportSummary s,
                        node().ImportCsv(*c.principal, *kind, c.req.body, dry_run, c.now));
    return Ok(ImportJson(s, *kind, dry_run), dry_run ? 200 : 201);
  }

  Result<Reply> ShowRecord(Call& c) {
    KL_ASSIGN_OR_RETURN(engine::RecordView v, node().Show(*c.principal, c.id, c.now));
    return Ok(RecordViewJson(v));
  }

  Result<Reply> Search(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {"fields", "kind", "top"}));
    engine::SearchQuery q;
    auto fields = c.body.find("fields");
    if (fields == c.body.end()) return InvalidArgumentError("request body: \"fields\" is required");
    // The query is a description, not a stored record; the CLI's search
    // gives it the request kind too.
    KL_ASSIGN_OR_RETURN(q.record, RecordFromJson(*fields, record::Kind::kRequest));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> kind,
                        GetString(c.body, "kind", false, kMaxCodeBytes));
    if (kind) {
      Result<record::Kind> k = record::ParseKind(*kind);
      if (!k.ok()) return InvalidArgumentError("request body: \"kind\" must be request or person");
      q.kind = *k;
    }
    KL_ASSIGN_OR_RETURN(std::optional<std::int64_t> top, GetInt(c.body, "top", false, 1, 1000));
    q.top = static_cast<int>(top.value_or(10));
    KL_ASSIGN_OR_RETURN(std::vector<engine::SearchHit> hits, node().Search(*c.principal, q, c.now));
    Json results = Json::array();
    for (const engine::SearchHit& h : hits) {
      results.push_back(Json{{"id", h.registry_id},
                             {"registry_id", RegistryIdJson(h.registry_id)},
                             {"kind", std::string(record::KindName(h.kind))},
                             {"probability", h.probability},
                             {"weight", h.weight},
                             {"source_id", h.source_id},
                             {"name", h.name},
                             {"held_by", h.held_by},
                             {"explanation", ExplanationJson(h.explanation)}});
    }
    return Ok(Json{{"results", std::move(results)}});
  }

  Result<Reply> ListMatches(Call& c) {
    std::optional<store::MatchStatus> status;
    if (c.req.has_param("status")) {
      status = engine::ParseMatchStatus(c.req.get_param_value("status"));
      if (!status) {
        return InvalidArgumentError(
            "query parameter status must be potential, proposed, confirmed or rejected");
      }
    }
    KL_ASSIGN_OR_RETURN(std::vector<engine::MatchDetail> matches,
                        node().ListMatches(*c.principal, status, c.now));
    Json list = Json::array();
    for (const engine::MatchDetail& d : matches) list.push_back(MatchJson(d));
    return Ok(Json{{"matches", std::move(list)}});
  }

  Result<Reply> GetMatch(Call& c) {
    KL_ASSIGN_OR_RETURN(engine::MatchDetail d, node().GetMatch(*c.principal, c.id, c.now));
    Json j = MatchJson(d);
    j["name_frequency"] = NameFrequencyJson(d.name_frequency);
    return Ok(std::move(j));
  }

  Result<Reply> Propose(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {}));
    KL_RETURN_IF_ERROR(node().ProposeMatch(*c.principal, c.id, c.now));
    return NoContent();
  }

  Result<Reply> Decide(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {"decision", "reason"}));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> decision,
                        GetString(c.body, "decision", true, kMaxCodeBytes));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> reason,
                        GetString(c.body, "reason", false, kMaxCodeBytes));
    bool confirm = false;
    if (*decision == "confirm") {
      confirm = true;
    } else if (*decision != "reject") {
      return InvalidArgumentError("request body: \"decision\" must be confirm or reject");
    }
    KL_RETURN_IF_ERROR(node().DecideMatch(*c.principal, c.id, confirm, reason.value_or(""), c.now));
    return NoContent();
  }

  Result<Reply> Disclose(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {"decision", "withhold", "message"}));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> decision,
                        GetString(c.body, "decision", true, kMaxCodeBytes));
    engine::DisclosureInput d;
    std::optional<engine::DisclosureDecision> parsed = engine::ParseDisclosureDecision(*decision);
    if (!parsed) {
      return InvalidArgumentError(
          "request body: \"decision\" must be nothing, alive_and_well, message or contact");
    }
    d.decision = *parsed;
    auto withhold = c.body.find("withhold");
    if (withhold != c.body.end() && !withhold->is_null()) {
      if (!withhold->is_array() || withhold->size() > 3) {
        return InvalidArgumentError(
            "request body: \"withhold\" must be a list of whereabouts, phone, email");
      }
      for (const Json& item : *withhold) {
        const std::string* s = item.is_string() ? &item.get_ref<const std::string&>() : nullptr;
        if (s != nullptr && *s == "whereabouts") {
          d.withhold |= engine::kWithholdWhereabouts;
        } else if (s != nullptr && *s == "phone") {
          d.withhold |= engine::kWithholdPhone;
        } else if (s != nullptr && *s == "email") {
          d.withhold |= engine::kWithholdEmail;
        } else {
          return InvalidArgumentError(
              "request body: \"withhold\" must be a list of whereabouts, phone, email");
        }
      }
    }
    KL_ASSIGN_OR_RETURN(std::optional<std::string> message,
                        GetString(c.body, "message", false, engine::kMaxDisclosureMessageBytes));
    d.message = message.value_or("");
    Status s = node().RecordDisclosure(*c.principal, c.id, d, c.now);
    crypto::Wipe(d.message);
    KL_RETURN_IF_ERROR(s);
    return NoContent();
  }

  Result<Reply> ListCases(Call& c) {
    KL_ASSIGN_OR_RETURN(std::int64_t limit, QueryInt(c.req, "limit", engine::kDefaultCaseloadLimit,
                                                     1, engine::kMaxCaseloadLimit));
    KL_ASSIGN_OR_RETURN(std::vector<engine::CaseSummary> cases,
                        node().ListCases(*c.principal, limit, c.now));
    Json list = Json::array();
    for (const engine::CaseSummary& s : cases) {
      list.push_back(Json{{"request_id", s.request_id},
                          {"registry_id", RegistryIdJson(s.request_id)},
                          {"name", s.name},
                          {"state", std::string(engine::CaseStateName(s.state))},
                          {"created_at", s.created_at},
                          {"matches",
                           {{"potential", s.potential},
                            {"proposed", s.proposed},
                            {"confirmed", s.confirmed},
                            {"rejected", s.rejected}}}});
    }
    return Ok(Json{{"cases", std::move(list)}});
  }

  Result<Reply> GetCase(Call& c) {
    KL_ASSIGN_OR_RETURN(engine::CaseView v, node().GetCase(*c.principal, c.id));
    Json timeline = Json::array();
    for (const engine::CaseEvent& e : v.timeline) {
      timeline.push_back(
          Json{{"time", e.time}, {"actor", e.actor}, {"action", e.action}, {"detail", e.detail}});
    }
    return Ok(Json{{"request_id", v.request_id},
                   {"registry_id", RegistryIdJson(v.request_id)},
                   {"state", std::string(engine::CaseStateName(v.state))},
                   {"timeline", std::move(timeline)}});
  }

  Result<Reply> EnquirerView(Call& c) {
    KL_ASSIGN_OR_RETURN(engine::EnquirerView v, node().GetEnquirerView(*c.principal, c.id, c.now));
    Json contact = Json::object();
    for (const auto& [field, value] : v.contact) contact[field] = value;
    Json j{{"request_id", v.request_id},
           {"registry_id", RegistryIdJson(v.request_id)},
           {"state", std::string(engine::CaseStateName(v.state))},
           {"outcome", v.outcome}};
    if (!v.message.empty()) j["message"] = v.message;
    j["contact"] = std::move(contact);
    return Ok(std::move(j));
  }

  Result<Reply> UpdateCase(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {"state"}));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> state,
                        GetString(c.body, "state", true, kMaxCodeBytes));
    std::optional<engine::CaseState> to = engine::ParseCaseState(*state);
    if (!to) return InvalidArgumentError("request body: \"state\" is not a case state");
    KL_RETURN_IF_ERROR(node().UpdateCase(*c.principal, c.id, *to, c.now));
    return NoContent();
  }

  Result<Reply> ReadAudit(Call& c) {
    KL_ASSIGN_OR_RETURN(std::int64_t after,
                        QueryInt(c.req, "after", 0, 0, std::numeric_limits<std::int64_t>::max()));
    KL_ASSIGN_OR_RETURN(std::int64_t limit,
                        QueryInt(c.req, "limit", kDefaultAuditPage, 1, kMaxAuditPage));
    Json entries = Json::array();
    std::int64_t last = after;
    KL_RETURN_IF_ERROR(
        node().ReadAudit(*c.principal, after, limit, [&](const store::AuditRow& row) -> Status {
          entries.push_back(Json{{"seq", row.seq},
                                 {"time", row.time},
                                 {"actor", row.actor},
                                 {"action", row.action},
                                 {"target", row.target},
                                 {"detail", row.detail}});
          last = row.seq;
          return OkStatus();
        }));
    return Ok(Json{{"entries", std::move(entries)}, {"next_after", last}});
  }

  Result<Reply> VerifyAudit(Call& c) {
    KL_ASSIGN_OR_RETURN(store::AuditVerifyReport r, node().VerifyAudit(*c.principal));
    return Ok(Json{{"ok", r.ok},
                   {"entries", r.entries},
                   {"first_bad_seq", r.first_bad_seq},
                   {"problem", r.problem}});
  }

  Result<Reply> RunRetention(Call& c) {
    KL_RETURN_IF_ERROR(CheckMembers(c.body, {}));
    // Node::RunRetention takes no principal (the CLI runs it as the
    // operator); the one check still decides who may start it here.
    KL_RETURN_IF_ERROR(
        engine::Authorize(*c.principal, engine::Action::kRunRetention, std::nullopt));
    KL_ASSIGN_OR_RETURN(engine::RetentionReport r, node().RunRetention(c.now));
    Json ids = Json::array();
    for (std::int64_t id : r.ids) ids.push_back(RegistryIdJson(id));
    return Ok(Json{{"shredded", r.shredded}, {"ids", std::move(ids)}});
  }

  httplib::Server& http_;
  ApiConfig config_;
  LoginLimiter logins_;
};

void Api::RegisterAll() {
  using A = Access;
  auto bind = [this](Result<Reply> (Api::*fn)(Call&)) {
    return [this, fn](Call& c) { return (this->*fn)(c); };
  };
  Add("GET", "/healthz", A::kPublic, Body::kNone, [](Call&) -> Result<Reply> {
    return Ok(Json{{"status", "ok"}});
  });
  Add("POST", "/api/v1/login", A::kPublic, Body::kJson, bind(&Api::Login));
  Add("POST", "/api/v1/logout", A::kSession, Body::kJson, bind(&Api::Logout));
  Add("GET", "/api/v1/me", A::kSession, Body::kNone, bind(&Api::Me));
  Add("GET", "/api/v1/users", A::kSession, Body::kNone, bind(&Api::ListUsers));
  Add("POST", "/api/v1/users", A::kSession, Body::kJson, bind(&Api::AddUser));
  Add("PATCH", "/api/v1/users/{name}", A::kSession, Body::kJson, bind(&Api::PatchUser));
  Add("GET", "/api/v1/offices", A::kSession, Body::kNone, bind(&Api::ListOffices));
  Add("POST", "/api/v1/records", A::kSession, Body::kJson, bind(&Api::Register));
  Add("GET", "/api/v1/records/{id}", A::kSession, Body::kNone, bind(&Api::ShowRecord));
  Add("POST", std::string(kUploadPath), A::kSession, Body::kCsv, bind(&Api::Import));
  Add("POST", "/api/v1/search", A::kSession, Body::kJson, bind(&Api::Search));
  Add("GET", "/api/v1/matches", A::kSession, Body::kNone, bind(&Api::ListMatches));
  Add("GET", "/api/v1/matches/{id}", A::kSession, Body::kNone, bind(&Api::GetMatch));
  Add("POST", "/api/v1/matches/{id}/propose", A::kSession, Body::kJson, bind(&Api::Propose));
  Add("POST", "/api/v1/matches/{id}/decision", A::kSession, Body::kJson, bind(&Api::Decide));
  Add("POST", "/api/v1/matches/{id}/disclosure", A::kSession, Body::kJson, bind(&Api::Disclose));
  Add("GET", "/api/v1/cases", A::kSession, Body::kNone, bind(&Api::ListCases));
  Add("GET", "/api/v1/cases/{id}", A::kSession, Body::kNone, bind(&Api::GetCase));
  Add("GET", "/api/v1/cases/{id}/enquirer-view", A::kSession, Body::kNone,
      bind(&Api::EnquirerView));
  Add("POST", "/api/v1/cases/{id}/state", A::kSession, Body::kJson, bind(&Api::UpdateCase));
  Add("GET", "/api/v1/audit", A::kSession, Body::kNone, bind(&Api::ReadAudit));
  Add("GET", "/api/v1/audit/verify", A::kSession, Body::kNone, bind(&Api::VerifyAudit));
  Add("POST", "/api/v1/retention/run", A::kSession, Body::kJson, bind(&Api::RunRetention));
}

RequestState& CurrentRequest() {
  thread_local RequestState state;
  return state;
}

void WriteError(httplib::Response& res, int http_status, StatusCode code,
                const std::string& message) {
  WriteJson(res, http_status,
            Json{{"error", {{"code", std::string(StatusCodeName(code))}, {"message", message}}}});
}

void WriteJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(Dump(body), "application/json; charset=utf-8");
}

void WriteStatus(httplib::Response& res, const Status& status) {
  const int http = HttpStatusFor(status.code());
  if (http >= 500) {
    // The message of an internal failure stays out of the response; the
    // code goes to the access log.
    CurrentRequest().error = std::string(StatusCodeName(status.code()));
    WriteError(res, http, status.code(), "internal error");
    return;
  }
  WriteError(res, http, status.code(), status.message());
}

void ApiDeleter::operator()(Api* api) const { delete api; }

ApiHandle RegisterRoutes(httplib::Server& http, const ApiConfig& config) {
  ApiHandle api(new Api(http, config));
  api->RegisterAll();
  return api;
}

}  // namespace kinlink::server::internal
