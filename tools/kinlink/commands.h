// Handlers of the kinlink subcommands; each returns an exit code.
#ifndef KINLINK_TOOLS_KINLINK_COMMANDS_H_
#define KINLINK_TOOLS_KINLINK_COMMANDS_H_

#include <signal.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/crypto.h"
#include "server/hub_client.h"
#include "server/server.h"
#include "text/name_variants.h"

namespace kinlink::engine {
class KeySource;
class Registry;
}  // namespace kinlink::engine

namespace kinlink::cli {

// Options shared by the subcommands (each subcommand uses what it needs).
struct Options {
  std::string data;             // --data / KINLINK_DATA
  std::string passphrase_file;  // --passphrase-file
  std::string key_file;         // --key-file / KINLINK_KEY_FILE
  bool json = false;

  // init / rekey
  std::string kdf = "moderate";
  std::string new_passphrase_file;
  std::string new_key_file;

  // import
  std::string kind;
  std::string file;
  std::string map;
  std::string rejects;
  std::string default_status;

  // show / erase
  std::string id;
  bool yes = false;

  // list
  std::string status;
  std::string since;
  std::string until;
  std::int64_t limit = 0;

  // export / generate
  std::string out;
  bool registry_ids = false;
  std::int64_t count = 1000;
  std::uint64_t seed = 20261128;

  // version
  bool deps = false;

  // link / dedupe
  std::string right;
  std::string map_right;
  std::string pairs_out;
  std::string variants;
  double threshold = 0.99;
  int top = 0;
  bool plaintext = false;
  bool explain = false;
  std::int64_t max_block = 300;

  // encode / pprl-link / pprl-info / linkage-key (pprl_commands.cc)
  std::string linkage_key_file;
  std::string refs_out;
  std::string salt = "none";
  std::string xor_fold = "on";
  int threads = 0;
  std::string pprl_mode = "fs";
  double pprl_threshold = -1;  // negative: the mode's default
  bool one_to_one = false;

  // search (query terms: personal data, never logged)
  std::string name;
  std::string given;
  std::string family;
  std::string father;
  std::string born;
  std::string age;
  std::string sex;
  std::string place;

  // serve (0 for a limit or timeout: the server's default)
  std::string listen = "127.0.0.1";
  int port = 8080;
  std::string tls_cert;
  std::string tls_key;
  bool allow_remote = false;
  std::uint64_t max_body = 0;
  std::uint64_t max_upload = 0;
  std::uint64_t max_header = 0;
  std::int64_t read_timeout = 0;
  std::int64_t write_timeout = 0;
  std::int64_t idle_timeout = 0;
  int max_connections = 0;
  std::int64_t session_idle = 0;

  // user add; import --office (and --retention days)
  std::string user_name;
  std::string office;
  std::int64_t retention_days = 0;
  std::string role;
  bool second_factor = false;

  // hub (hub_commands.cc): the hub's directory is --data, never KINLINK_DATA
  std::string hub_url;                  // submit / pairs: --hub URL
  std::string api_key_file;             // submit / pairs
  std::string ca_cert;                  // submit / pairs: CA bundle for an https hub
  std::string after;                    // pairs: --after CURSOR
  std::vector<std::string> refs_files;  // pairs: encode's ref -> id side files
  std::string schema_file;              // hub: --schema FILE
  std::string node_name;                // hub node add|revoke NAME
  // serve --hub / hub sync (partner_commands.cc): seconds between rounds
  // and records per uploaded batch.
  std::int64_t hub_interval = 300;
  std::int64_t hub_batch = 0;  // 0: engine::kDefaultHubBatchRecords
};

// Prints an error on stderr (and as JSON on stdout with --json); returns
// the exit code for it.
int Fail(const Options& o, const kinlink::Status& status);
// Prints a usage error; returns kExitUsage.
int Usage(const std::string& message);
// Opens the registry of --data with the key from --key-file, --passphrase-file,
// KINLINK_PASSPHRASE or a prompt; the actor is "cli:" + the OS user.
Result<std::unique_ptr<engine::Registry>> OpenRegistry(const Options& o);
// The key OpenRegistry uses (for commands that open the registry through
// engine::Node), and its actor ("cli:" + the OS user).
Result<engine::KeySource> OpenKey(const Options& o);
std::string CliActor();
// Creates or truncates `path` with mode 0600 (outputs name people) and
// opens it for writing; refuses to follow a symlink.
Result<std::unique_ptr<std::ofstream>> CreatePrivateFile(const std::string& path);

int CmdInit(const Options& o);
int CmdImport(const Options& o);
int CmdShow(const Options& o);
int CmdList(const Options& o);
int CmdExport(const Options& o);
int CmdErase(const Options& o);
int CmdRekey(const Options& o);
int CmdAuditVerify(const Options& o);
int CmdAuditLog(const Options& o);
int CmdVersion(const Options& o);
int CmdGenerate(const Options& o);
int CmdLink(const Options& o);
int CmdDedupe(const Options& o);
int CmdSearch(const Options& o);         // registry_commands.cc
int CmdMatches(const Options& o);        // registry_commands.cc
int CmdServe(const Options& o);          // server_commands.cc
int CmdUserAdd(const Options& o);        // server_commands.cc
int CmdUserList(const Options& o);       // server_commands.cc
int CmdRetentionRun(const Options& o);   // server_commands.cc
int CmdLinkageKeyNew(const Options& o);  // pprl_commands.cc
int CmdEncode(const Options& o);         // pprl_commands.cc
int CmdPprlLink(const Options& o);       // pprl_commands.cc
int CmdPprlInfo(const Options& o);       // pprl_commands.cc
int CmdHub(const Options& o);            // hub_commands.cc
int CmdHubNodeAdd(const Options& o);     // hub_commands.cc
int CmdHubNodeRevoke(const Options& o);  // hub_commands.cc
int CmdHubNodeList(const Options& o);    // hub_commands.cc
int CmdHubSubmit(const Options& o);      // hub_commands.cc
int CmdHubPairs(const Options& o);       // hub_commands.cc
int CmdHubSync(const Options& o);        // partner_commands.cc

// What `serve` and `hub` share (server_commands.cc): the transport flags
// (--listen, --port, TLS, limits, timeouts) as server options, and running
// a started server until SIGINT or SIGTERM. Call BlockStopSignals before
// any thread starts, so that no thread is interrupted.
server::ServerOptions ServerOptionsFromFlags(const Options& o);
sigset_t BlockStopSignals();
// Prints "<what> is serving on URL" (or {"url","port"} with --json), waits
// for a stop signal, then calls `stop`.
int ServeUntilStopped(const Options& o, std::string_view what, const std::string& url, int port,
                      const sigset_t& stop_signals, const std::function<void()>& stop);

// What `encode`, `serve --hub` and `hub sync` share (pprl_commands.cc):
// the name-variant table of --variants (FILE, 'none', or the shipped one)
// with the schema's name for it, and the linkage key of --linkage-key-file.
Status LoadVariantsFor(const Options& o, std::optional<text::NameVariants>* table,
                       std::string* schema_name);
Result<crypto::SecretBytes> LinkageKey(const Options& o);
// A node's hub client from --hub, --api-key-file and --ca-cert
// (partner_commands.cc).
Result<std::unique_ptr<server::HubClient>> HubClientFromFlags(const Options& o);

// Partner linkage of `kinlink serve --hub` (partner_commands.cc): turned on
// with the flags' linkage key and schema, then a thread runs
// server::PartnerSync every --hub-interval seconds (and once at start)
// until Stop. Each round's counts, or its error, go to stderr; nothing
// about records does.
class PartnerSyncLoop {
 public:
  static Result<std::unique_ptr<PartnerSyncLoop>> Start(const Options& o, engine::Node& node);
  ~PartnerSyncLoop();
  void Stop();

 private:
  struct Impl;
  explicit PartnerSyncLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kinlink::cli

#endif  // KINLINK_TOOLS_KINLINK_COMMANDS_H_
