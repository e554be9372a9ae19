// engine::Node, accounts: staff users, their offices, sign-in with a second
// factor, sessions (see node.h, "Accounts").
#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/password.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "engine/internal/codec.h"
#include "engine/node.h"

namespace kinlink::engine {

namespace {

constexpr std::size_t kMaxUserNameBytes = 64;
constexpr std::string_view kTotpIssuer = "Kinlink";
// A session's last use is written at most this often.
constexpr std::int64_t kTouchEverySeconds = 60;

bool ValidUserName(std::string_view name) {
  if (name.empty() || name.size() > kMaxUserNameBytes) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// The associated data that binds a sealed second-factor secret to its user.
std::string TotpAd(std::string_view user) { return "totp:" + std::string(user); }

// One message for every failed sign-in, whatever was wrong.
Status Unauthenticated() {
  return UnauthenticatedError("wrong user name, password or second-factor code");
}

}  // namespace

Result<NewUserResult> Node::AddUserLocked(std::string_view actor, const NewUser& user,
                                          std::int64_t now) {
  if (!ValidUserName(user.name)) {
    return InvalidArgumentError("a user name is 1 to 64 characters of a-z, 0-9, '.', '_', '-'");
  }
  KL_RETURN_IF_ERROR(auth::CheckPasswordPolicy(user.password));
  KL_ASSIGN_OR_RETURN(std::optional<store::UserRow> existing, reg_->store_->FindUser(user.name));
  if (existing) return AlreadyExistsError("the user " + user.name + " already exists");
  KL_ASSIGN_OR_RETURN(std::int64_t office_id, reg_->OfficeId(user.office, actor));
  store::UserRow row;
  row.name = user.name;
  row.office_id = office_id;
  row.role = static_cast<std::uint8_t>(user.role);
  KL_ASSIGN_OR_RETURN(row.password_hash,
                      auth::HashPassword(user.password, options_.fast_password_hashing
                                                            ? auth::PasswordStrength::kInteractive
                                                            : auth::PasswordStrength::kModerate));
  row.created_at = now;
  NewUserResult result;
  result.office_id = office_id;
  if (user.second_factor || auth::RequiresSecondFactor(user.role)) {
    crypto::SecretBytes secret = auth::GenerateTotpSecret();
    row.totp_sealed = crypto::Seal(reg_->record_wrap_key_, secret.view(), TotpAd(user.name));
    result.totp_secret = auth::Base32Encode(secret.view());
    KL_ASSIGN_OR_RETURN(result.totp_uri, auth::OtpauthUri(kTotpIssuer, user.name, secret.view()));
  }
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*reg_->store_));
  KL_ASSIGN_OR_RETURN(result.user_id, reg_->store_->InsertUser(row));
  KL_RETURN_IF_ERROR(AuditAs(actor, "user.add", "user:" + user.name,
                             nlohmann::json{{"role", auth::RoleName(user.role)},
                                            {"office_id", office_id},
                                            {"second_factor", !row.totp_sealed.empty()}}
                                 .dump()));
  KL_RETURN_IF_ERROR(txn.Commit());
  return result;
}

Result<NewUserResult> Node::AddUserBootstrap(const NewUser& user, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  return AddUserLocked(reg_->actor_, user, now);
}

Result<NewUserResult> Node::AddUser(const Principal& by, const NewUser& user, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(by, Action::kManageAccounts, std::nullopt));
  return AddUserLocked(by.user, user, now);
}

Result<std::vector<UserView>> Node::ListUsers(const Principal& by, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(by, Action::kManageAccounts, std::nullopt));
  std::vector<UserView> out;
  KL_RETURN_IF_ERROR(reg_->store_->ForEachUser([&](const store::UserRow& u) {
    UserView v;
    v.id = u.id;
    v.name = u.name;
    v.office = OfficeName(u.office_id);
    v.role = static_cast<auth::Role>(u.role);
    v.second_factor = !u.totp_sealed.empty();
    v.disabled = u.disabled;
    v.locked = now < auth::LockedUntil(static_cast<int>(std::min<std::int64_t>(u.failures, 1000)),
                                       u.last_failure_at, options_.lockout);
    out.push_back(std::move(v));
    return OkStatus();
  }));
  return out;
}

Result<std::vector<OfficeView>> Node::ListOffices(const Principal& by) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(by, Action::kManageAccounts, std::nullopt));
  std::vector<OfficeView> out;
  std::map<std::int64_t, std::size_t> index;  // office id -> position in out
  KL_RETURN_IF_ERROR(reg_->store_->ForEachOffice([&](const store::OfficeRow& o) {
    index[o.id] = out.size();
    out.push_back({o.id, o.name, 0});
    return OkStatus();
  }));
  KL_RETURN_IF_ERROR(reg_->store_->ForEachUser([&](const store::UserRow& u) {
    if (auto it = index.find(u.office_id); it != index.end()) ++out[it->second].users;
    return OkStatus();
  }));
  return out;
}

Status Node::SetUserDisabled(const Principal& by, std::string_view name, bool disabled) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(by, Action::kManageAccounts, std::nullopt));
  KL_ASSIGN_OR_RETURN(std::optional<store::UserRow> user, reg_->store_->FindUser(name));
  if (!user) return NotFoundError("no user " + std::string(name));
  user->disabled = disabled;
  if (!disabled) user->failures = 0;  // enabling also lifts a lock
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*reg_->store_));
  KL_RETURN_IF_ERROR(reg_->store_->UpdateUser(*user));
  if (disabled) {
    KL_RETURN_IF_ERROR(
        reg_->store_->DeleteSessions(user->id, std::numeric_limits<std::int64_t>::max()).status());
  }
  KL_RETURN_IF_ERROR(AuditAs(by.user, disabled ? "user.disable" : "user.enable",
                             "user:" + user->name, "{}"));
  return txn.Commit();
}

Result<LoginResult> Node::Login(std::string_view name, std::string_view password,
                                std::string_view totp_code, std::int64_t now) {
  store::Store& st = *reg_->store_;
  // The password hash is checked outside the lock: it takes a large part
  // of a second and must not hold up everyone else's requests.
  std::optional<store::UserRow> before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ValidUserName(name)) {
      KL_ASSIGN_OR_RETURN(before, st.FindUser(name));
    }
  }
  const bool password_ok =
      auth::VerifyPassword(before ? std::string_view(before->password_hash)
                                  : std::string_view(dummy_hash_),
                           password);
  std::lock_guard<std::mutex> lock(mu_);
  if (!before) {
    // The typed name is not written: it may be a mistyped password.
    KL_RETURN_IF_ERROR(AuditAs("-", "login.failure", "user:?", R"({"reason":"unknown_user"})"));
    return Unauthenticated();
  }
  // Read again under the lock: another request may have counted a failure.
  KL_ASSIGN_OR_RETURN(std::optional<store::UserRow> found, st.GetUser(before->id));
  if (!found || found->password_hash != before->password_hash) return Unauthenticated();
  store::UserRow user = *found;
  auto fail = [&](std::string_view reason, bool count) -> Status {
    if (count) {
      user.failures += 1;
      user.last_failure_at = now;
      KL_RETURN_IF_ERROR(st.UpdateUser(user));
    }
    KL_RETURN_IF_ERROR(AuditAs(user.name, "login.failure", "user:" + user.name,
                               nlohmann::json{{"reason", reason}, {"failures", user.failures}}.dump()));
    return Unauthenticated();
  };
  if (user.disabled) return fail("disabled", false);
  const std::int64_t locked_until = auth::LockedUntil(
      static_cast<int>(std::min<std::int64_t>(user.failures, 1000)), user.last_failure_at,
      options_.lockout);
  if (now < locked_until) return fail("locked", false);
  if (!password_ok) return fail("password", true);
  std::int64_t step = user.totp_last_step;
  if (!user.totp_sealed.empty()) {
    KL_ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                        crypto::OpenSecret(reg_->record_wrap_key_, user.totp_sealed,
                                           TotpAd(user.name)));
    std::int64_t matched = 0;
    if (!auth::VerifyTotp(secret.view(), totp_code, now, 1, &matched)) {
      return fail("second_factor", true);
    }
    if (matched <= user.totp_last_step) return fail("second_factor_reused", true);
    step = matched;
  } else if (auth::RequiresSecondFactor(static_cast<auth::Role>(user.role))) {
    return fail("second_factor_missing", false);
  }
  user.failures = 0;
  user.totp_last_step = step;
  LoginResult result;
  result.session_id = auth::NewSessionId();
  KL_ASSIGN_OR_RETURN(std::string hash, auth::SessionIdHash(session_key_, result.session_id));
  store::SessionRow session;
  session.id_hash = hash;
  session.user_id = user.id;
  session.created_at = now;
  session.last_seen_at = now;
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(st));
  KL_RETURN_IF_ERROR(st.UpdateUser(user));
  // Sessions of anyone idle past the timeout go while we are here.
  KL_RETURN_IF_ERROR(st.DeleteSessions(0, now - options_.idle_timeout_s).status());
  KL_RETURN_IF_ERROR(st.InsertSession(session));
  KL_RETURN_IF_ERROR(AuditAs(user.name, "login", "user:" + user.name, "{}"));
  KL_RETURN_IF_ERROR(txn.Commit());
  result.principal.user_id = user.id;
  result.principal.user = user.name;
  result.principal.role = static_cast<auth::Role>(user.role);
  result.principal.office_id = user.office_id;
  result.principal.office = OfficeName(user.office_id);
  result.principal.csrf_token = CsrfFor(result.session_id);
  return result;
}

Result<Principal> Node::Authenticate(std::string_view session_id, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!auth::IsWellFormedSessionId(session_id)) return UnauthenticatedError("no valid session");
  store::Store& st = *reg_->store_;
  KL_ASSIGN_OR_RETURN(std::string hash, auth::SessionIdHash(session_key_, session_id));
  KL_ASSIGN_OR_RETURN(std::optional<store::SessionRow> session, st.GetSession(hash));
  if (!session) return UnauthenticatedError("no valid session");
  if (now - session->last_seen_at > options_.idle_timeout_s ||
      now - session->created_at > options_.absolute_timeout_s) {
    KL_RETURN_IF_ERROR(st.DeleteSession(hash));
    return UnauthenticatedError("the session has expired; log in again");
  }
  KL_ASSIGN_OR_RETURN(std::optional<store::UserRow> user, st.GetUser(session->user_id));
  if (!user || user->disabled) {
    KL_RETURN_IF_ERROR(st.DeleteSession(hash));
    return UnauthenticatedError("no valid session");
  }
  // One write a minute per session at most, not one per request: the idle
  // timeout is then exact to within that minute.
  if (now - session->last_seen_at >= kTouchEverySeconds) {
    KL_RETURN_IF_ERROR(st.TouchSession(hash, now));
  }
  Principal p;
  p.user_id = user->id;
  p.user = user->name;
  p.role = static_cast<auth::Role>(user->role);
  p.office_id = user->office_id;
  p.office = OfficeName(user->office_id);
  p.csrf_token = CsrfFor(session_id);
  return p;
}

Status Node::Logout(std::string_view session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!auth::IsWellFormedSessionId(session_id)) return OkStatus();
  KL_ASSIGN_OR_RETURN(std::string hash, auth::SessionIdHash(session_key_, session_id));
  KL_ASSIGN_OR_RETURN(std::optional<store::SessionRow> session, reg_->store_->GetSession(hash));
  if (!session) return OkStatus();
  KL_RETURN_IF_ERROR(reg_->store_->DeleteSession(hash));
  KL_ASSIGN_OR_RETURN(std::optional<store::UserRow> user, reg_->store_->GetUser(session->user_id));
  return AuditAs(user ? user->name : "-", "logout", "user:" + (user ? user->name : "?"), "{}");
}

}  // namespace kinlink::engine
