// `kinlink serve` and `kinlink user add|list`: the node server and the
// accounts that use it. Passwords and TOTP secrets are credentials: a
// password is read from KINLINK_USER_PASSWORD or a no-echo prompt and never
// printed; a TOTP secret is printed once, when the account is made.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "crypto/crypto.h"
#include "engine/node.h"
#include "server/server.h"
#include "tools/kinlink/cli.h"
#include "tools/kinlink/commands.h"
#include "tools/kinlink/terminal.h"

namespace kinlink::cli {

namespace {

using json = nlohmann::ordered_json;

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

Result<std::unique_ptr<engine::Node>> OpenNode(const Options& o, engine::NodeOptions options) {
  KL_ASSIGN_OR_RETURN(engine::KeySource key, OpenKey(o));
  Result<std::unique_ptr<engine::Node>> node = engine::Node::Open(o.data, key, options);
  if (!node.ok() && node.status().code() == StatusCode::kUnauthenticated) {
    return node.status().WithContext("cannot open the registry in " + o.data);
  }
  return node;
}

// For commands the operator runs on the registry directly: the node's own
// actions (bootstrap accounts, retention) are audited as the operator.
engine::NodeOptions OperatorOptions() {
  engine::NodeOptions options;
  options.actor = CliActor();
  return options;
}

// The password of a new account: KINLINK_USER_PASSWORD, else asked twice
// on the terminal without echo.
Result<crypto::SecretBytes> NewPassword(const std::string& user) {
  if (const char* env = std::getenv("KINLINK_USER_PASSWORD"); env != nullptr && *env != '\0') {
    return crypto::SecretBytes::CopyOf(env);
  }
  Result<crypto::SecretBytes> p = PromptPassphrase("Password for " + user + ": ", true);
  if (!p.ok() && p.status().code() == StatusCode::kFailedPrecondition) {
    return FailedPreconditionError("no password: set KINLINK_USER_PASSWORD or run on a terminal");
  }
  return p;
}

}  // namespace

server::ServerOptions ServerOptionsFromFlags(const Options& o) {
  server::ServerOptions so;
  so.bind_address = o.listen;
  so.port = o.port;
  so.tls_cert_path = o.tls_cert;
  so.tls_key_path = o.tls_key;
  so.allow_remote = o.allow_remote;
  if (o.max_body > 0) so.max_body_bytes = static_cast<std::size_t>(o.max_body);
  if (o.max_upload > 0) so.max_upload_bytes = static_cast<std::size_t>(o.max_upload);
  if (o.max_header > 0) so.max_header_bytes = static_cast<std::size_t>(o.max_header);
  if (o.read_timeout > 0) so.read_timeout_s = o.read_timeout;
  if (o.write_timeout > 0) so.write_timeout_s = o.write_timeout;
  if (o.idle_timeout > 0) so.idle_timeout_s = o.idle_timeout;
  if (o.max_connections > 0) so.max_connections = o.max_connections;
  return so;
}

sigset_t BlockStopSignals() {
  // SIGINT and SIGTERM are taken by sigwait in ServeUntilStopped; every
  // thread started from here on inherits the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

int ServeUntilStopped(const Options& o, std::string_view what, const std::string& url, int port,
                      const sigset_t& stop_signals, const std::function<void()>& stop) {
  if (o.json) {
    std::cout << json{{"url", url}, {"port", port}}.dump() << std::endl;
  } else {
    std::printf("%.*s is serving on %s\n", static_cast<int>(what.size()), what.data(), url.c_str());
    std::fflush(stdout);
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "kinlink: %s received; finishing requests in flight and stopping\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  stop();
  return kExitOk;
}

int CmdServe(const Options& o) {
  server::ServerOptions so = ServerOptionsFromFlags(o);
  // Checked before the registry is opened: a bad flag should not cost a
  // passphrase prompt.
  if (Status valid = server::ValidateServerOptions(so); !valid.ok()) return Usage(valid.message());
  if (!o.hub_url.empty() && (o.api_key_file.empty() || o.linkage_key_file.empty())) {
    return Usage("--hub needs --api-key-file and --linkage-key-file");
  }
  const sigset_t stop_signals = BlockStopSignals();

  engine::NodeOptions node_options;
  if (o.session_idle > 0) node_options.idle_timeout_s = o.session_idle;
  Result<std::unique_ptr<engine::Node>> node = OpenNode(o, node_options);
  if (!node.ok()) return Fail(o, node.status());
  Result<std::unique_ptr<server::Server>> srv = server::Server::Create(**node, so);
  if (!srv.ok()) return Fail(o, srv.status());
  if (Status started = (*srv)->Start(); !started.ok()) return Fail(o, started);
  std::unique_ptr<PartnerSyncLoop> partner;
  if (!o.hub_url.empty()) {
    Result<std::unique_ptr<PartnerSyncLoop>> loop = PartnerSyncLoop::Start(o, **node);
    if (!loop.ok()) {
      (*srv)->Stop();
      return Fail(o, loop.status());
    }
    partner = std::move(*loop);
  }
  return ServeUntilStopped(o, "Kinlink", (*srv)->url(), (*srv)->port(), stop_signals,
                           [&srv, &partner] {
                             if (partner) partner->Stop();
                             (*srv)->Stop();
                           });
}

int CmdUserAdd(const Options& o) {
  Result<auth::Role> role = auth::ParseRole(o.role);
  if (!role.ok()) return Usage("--role: " + role.status().message());
  Result<std::unique_ptr<engine::Node>> node = OpenNode(o, OperatorOptions());
  if (!node.ok()) return Fail(o, node.status());
  Result<crypto::SecretBytes> password = NewPassword(o.user_name);
  if (!password.ok()) return Fail(o, password.status());
  engine::NewUser user;
  user.name = o.user_name;
  user.office = o.office;
  user.role = *role;
  user.password = std::string(password->view());
  user.second_factor = o.second_factor;
  Result<engine::NewUserResult> added = (*node)->AddUserBootstrap(user, Now());
  crypto::Wipe(user.password);
  if (!added.ok()) return Fail(o, added.status());
  const bool totp = !added->totp_secret.empty();
  if (o.json) {
    json j = {{"id", added->user_id},          {"user", o.user_name}, {"office", o.office},
              {"office_id", added->office_id}, {"role", o.role},      {"second_factor", totp}};
    if (totp) {
      j["totp_secret"] = added->totp_secret;
      j["totp_uri"] = added->totp_uri;
    }
    std::cout << j.dump() << "\n";
  } else {
    std::printf("Added %s %s in office %s.\n", o.role.c_str(), o.user_name.c_str(),
                o.office.c_str());
    if (totp) {
      std::printf(
          "Second factor (TOTP): enrol this secret in an authenticator app now; it is "
          "not shown again.\n  secret: %s\n  link:   %s\n",
          added->totp_secret.c_str(), added->totp_uri.c_str());
    }
  }
  crypto::Wipe(added->totp_secret);
  crypto::Wipe(added->totp_uri);
  return kExitOk;
}

int CmdUserList(const Options& o) {
  Result<std::unique_ptr<engine::Node>> node = OpenNode(o, OperatorOptions());
  if (!node.ok()) return Fail(o, node.status());
  // The operator holds the registry's key, and with it every power an
  // admin has; Node has no principal-free listing, so the CLI acts as an
  // admin of no office (the audit entry names the OS user).
  engine::Principal op;
  op.user = CliActor();
  op.role = auth::Role::kAdmin;
  Result<std::vector<engine::UserView>> users = (*node)->ListUsers(op, Now());
  if (!users.ok()) return Fail(o, users.status());
  if (o.json) {
    json list = json::array();
    for (const engine::UserView& u : *users) {
      list.push_back({{"id", u.id},
                      {"user", u.name},
                      {"office", u.office},
                      {"role", std::string(auth::RoleName(u.role))},
                      {"second_factor", u.second_factor},
                      {"disabled", u.disabled},
                      {"locked", u.locked}});
    }
    std::cout << json{{"users", std::move(list)}}.dump() << "\n";
    return kExitOk;
  }
  std::printf("%-5s %-20s %-11s %-20s %-4s %s\n", "ID", "USER", "ROLE", "OFFICE", "2FA", "STATE");
  for (const engine::UserView& u : *users) {
    std::printf("%-5lld %-20s %-11s %-20s %-4s %s\n", static_cast<long long>(u.id), u.name.c_str(),
                std::string(auth::RoleName(u.role)).c_str(), u.office.c_str(),
                u.second_factor ? "yes" : "no",
                u.disabled ? "disabled" : (u.locked ? "locked" : "active"));
  }
  std::printf("%zu user(s).\n", users->size());
  return kExitOk;
}

int CmdRetentionRun(const Options& o) {
  Result<std::unique_ptr<engine::Node>> node = OpenNode(o, OperatorOptions());
  if (!node.ok()) return Fail(o, node.status());
  Result<engine::RetentionReport> r = (*node)->RunRetention(Now());
  if (!r.ok()) return Fail(o, r.status());
  if (o.json) {
    std::cout << json{{"erased", r->shredded}, {"records", r->ids}}.dump() << "\n";
  } else {
    std::printf("Erased %lld record(s) past their review date.\n",
                static_cast<long long>(r->shredded));
  }
  return kExitOk;
}

}  // namespace kinlink::cli
