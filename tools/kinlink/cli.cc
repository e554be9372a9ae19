#include "tools/kinlink/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>

#include "server/server.h"
#include "tools/kinlink/commands.h"

namespace kinlink::cli {

int ExitCodeFor(const Status& status) { return status.ok() ? kExitOk : kExitError; }

namespace {

constexpr const char* kFooter =
    "Exit codes: 0 success; 1 error (nothing changed); 2 usage error; 3 done but some "
    "input rows were rejected.\nThe passphrase comes from --passphrase-file, "
    "KINLINK_PASSPHRASE, or a no-echo prompt; --key-file (or KINLINK_KEY_FILE) uses a key "
    "file instead.";

void AddData(CLI::App* cmd, Options& o) {
  cmd->add_option("--data", o.data, "Registry directory (default: $KINLINK_DATA)")
      ->envname("KINLINK_DATA");
}

void AddKey(CLI::App* cmd, Options& o) {
  cmd->add_option("--passphrase-file", o.passphrase_file,
                  "Read the passphrase from this file (first line)");
  cmd->add_option("--key-file", o.key_file,
                  "Use a key file (64 hex characters, mode 0600, outside --data) instead of a "
                  "passphrase")
      ->envname("KINLINK_KEY_FILE");
}

void AddJson(CLI::App* cmd, Options& o) {
  cmd->add_flag("--json", o.json, "Print a machine-readable JSON summary on stdout");
}

void AddKind(CLI::App* cmd, Options& o, bool required) {
  auto* opt = cmd->add_option("--kind", o.kind, "Record kind: request or person")
                  ->check(CLI::IsMember({"request", "person"}));
  if (required) opt->required();
}

void AddMatchOptions(CLI::App* cmd, Options& o) {
  cmd->add_option("--map", o.map, "Mapping file (TOML) for a non-canonical header");
  cmd->add_option("--threshold", o.threshold, "Match probability from which a pair is reported")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--plaintext", o.plaintext,
                "Compare plaintext with string metrics instead of keyed encodings");
  cmd->add_option("--variants", o.variants,
                  "Name-variant table (default: the one shipped in data/name_variants; "
                  "'none' to use none)");
  cmd->add_option("--max-block", o.max_block,
                  "Blocks with more records than this are skipped, with a warning")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{10'000'000}));
  cmd->add_option("--out", o.out, "Output CSV file (- for stdout)")->required();
  AddJson(cmd, o);
}

}  // namespace

int Run(int argc, char** argv) {
  Options o;
  CLI::App app{
      "Kinlink: finds people separated by conflict, disaster and migration by matching "
      "tracing requests against registered persons, keeping their data encrypted at rest.",
      "kinlink"};
  app.footer(kFooter);
  app.require_subcommand(1);
  std::function<int()> action;

  auto* init = app.add_subcommand("init", "Create a new, empty registry");
  AddData(init, o);
  AddKey(init, o);
  AddJson(init, o);
  init->add_option("--kdf", o.kdf, "Argon2id cost for the passphrase: moderate or sensitive")
      ->check(CLI::IsMember({"moderate", "sensitive"}));
  init->callback([&] { action = [&] { return CmdInit(o); }; });

  auto* imp = app.add_subcommand("import", "Import a CSV file into the registry (one transaction)");
  AddData(imp, o);
  AddKey(imp, o);
  AddJson(imp, o);
  AddKind(imp, o, true);
  imp->add_option("FILE", o.file, "CSV file (UTF-8; canonical header or --map)")->required();
  imp->add_option("--map", o.map, "Mapping file (TOML) for a non-canonical header");
  imp->add_option("--rejects", o.rejects,
                  "Where to report rejected rows (default: FILE.rejects.csv)");
  imp->add_option("--status", o.default_status,
                  "Status for persons whose row has none: safe, in_hospital, detained, "
                  "deceased, unknown");
  imp->add_option("--office", o.office,
                  "The office that holds the records (created when new; the server shows "
                  "records to their office's staff only)");
  imp->add_option("--retention", o.retention_days,
                  "Review date of the records, in days from now (`retention run` erases them "
                  "after it; default: none)")
      ->check(CLI::Range(1, 36500));
  imp->callback([&] { action = [&] { return CmdImport(o); }; });

  auto* show = app.add_subcommand("show", "Decrypt and show one record (audited)");
  AddData(show, o);
  AddKey(show, o);
  AddJson(show, o);
  AddKind(show, o, false);
  show->add_option("ID", o.id, "The record's id from its source file, or its registry id KL-n")
      ->required();
  show->callback([&] { action = [&] { return CmdShow(o); }; });

  auto* list = app.add_subcommand("list", "List records, decrypted (audited)");
  AddData(list, o);
  AddKey(list, o);
  AddJson(list, o);
  AddKind(list, o, false);
  list->add_option("--status", o.status, "Only persons with this status");
  list->add_option("--since", o.since, "Only records registered on or after this date (YYYY-MM-DD)");
  list->add_option("--until", o.until, "Only records registered on or before this date");
  list->add_option("--limit", o.limit, "At most this many records")->check(CLI::NonNegativeNumber);
  list->callback([&] { action = [&] { return CmdList(o); }; });

  auto* exp = app.add_subcommand("export", "Export records as CSV, decrypted (audited)");
  AddData(exp, o);
  AddKey(exp, o);
  AddJson(exp, o);
  AddKind(exp, o, false);
  exp->add_option("--out", o.out, "Output CSV file (created with mode 0600; - for stdout)")
      ->required();
  exp->add_flag("--registry-ids", o.registry_ids, "Add a first column with the registry id");
  exp->callback([&] { action = [&] { return CmdExport(o); }; });

  auto* erase = app.add_subcommand("erase", "Erase a record for good (crypto-shred)");
  AddData(erase, o);
  AddKey(erase, o);
  AddJson(erase, o);
  AddKind(erase, o, false);
  erase->add_option("ID", o.id, "The record's source id or registry id KL-n")->required();
  erase->add_flag("--yes", o.yes, "Do not ask for confirmation on a terminal");
  erase->callback([&] { action = [&] { return CmdErase(o); }; });

  auto* rekey = app.add_subcommand("rekey", "Change the passphrase (or key file) of the registry");
  AddData(rekey, o);
  AddKey(rekey, o);
  AddJson(rekey, o);
  rekey->add_option("--new-passphrase-file", o.new_passphrase_file,
                    "Read the new passphrase from this file (else KINLINK_NEW_PASSPHRASE, "
                    "else a prompt)");
  rekey->add_option("--new-key-file", o.new_key_file,
                    "Switch to this key file (created if missing) instead of a passphrase");
  rekey->add_option("--kdf", o.kdf, "Argon2id cost for the new passphrase")
      ->check(CLI::IsMember({"moderate", "sensitive"}));
  rekey->callback([&] { action = [&] { return CmdRekey(o); }; });

  auto* audit = app.add_subcommand("audit", "Check or read the audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Verify the hash chain of the audit log");
  AddData(verify, o);
  AddKey(verify, o);
  AddJson(verify, o);
  verify->callback([&] { action = [&] { return CmdAuditVerify(o); }; });
  auto* log = audit->add_subcommand("log", "Print the audit log");
  AddData(log, o);
  AddKey(log, o);
  AddJson(log, o);
  log->callback([&] { action = [&] { return CmdAuditLog(o); }; });

  auto* version = app.add_subcommand("version", "Print the version");
  version->add_flag("--deps", o.deps, "Also list the libraries in use and their versions");
  AddJson(version, o);
  version->callback([&] { action = [&] { return CmdVersion(o); }; });

  auto* gen = app.add_subcommand(
      "generate", "Write invented (synthetic) records as canonical CSV, for demos and tests");
  AddKind(gen, o, false);
  gen->add_option("--count", o.count, "Number of records")->check(CLI::Range(1, 50'000'000));
  gen->add_option("--seed", o.seed, "Random seed (same seed, same records)");
  gen->add_option("--out", o.out, "Output CSV file (- for stdout)")->required();
  gen->callback([&] { action = [&] { return CmdGenerate(o); }; });

  auto* link = app.add_subcommand(
      "link", "Find the records of RIGHT that describe the same people as records of LEFT");
  link->add_option("LEFT", o.file, "CSV file (canonical header or --map)")->required();
  link->add_option("RIGHT", o.right, "CSV file (canonical header, --map or --map-right)")
      ->required();
  AddMatchOptions(link, o);
  link->add_option("--map-right", o.map_right, "Mapping file for RIGHT when it differs from --map");
  link->add_option("--top", o.top, "Report the K best candidates per LEFT record instead of "
                                    "the pairs over the threshold")
      ->check(CLI::Range(0, 1000));
  link->add_flag("--explain", o.explain,
                 "Add a JSON column with each field's level and weight");
  link->callback([&] { action = [&] { return CmdLink(o); }; });

  auto* dedupe = app.add_subcommand("dedupe", "Group the records of FILE that describe the same person");
  dedupe->add_option("FILE", o.file, "CSV file (canonical header or --map)")->required();
  AddMatchOptions(dedupe, o);
  dedupe->add_option("--pairs", o.pairs_out,
                     "Also write the scored pairs (left_id,right_id,probability,match_weight)");
  dedupe->callback([&] { action = [&] { return CmdDedupe(o); }; });

  auto* search = app.add_subcommand(
      "search", "Rank the registry's records against a description (keyed encodings; audited)");
  AddData(search, o);
  AddKey(search, o);
  AddJson(search, o);
  AddKind(search, o, false);
  search->add_option("--name", o.name, "Full name, as written (any script)");
  search->add_option("--given", o.given, "Given name");
  search->add_option("--family", o.family, "Family name");
  search->add_option("--father", o.father, "Father's name");
  search->add_option("--born", o.born, "Birth date: YYYY, YYYY-MM or YYYY-MM-DD");
  search->add_option("--age", o.age, "Age today: N or N-M");
  search->add_option("--sex", o.sex, "Sex: f, m, x or u");
  search->add_option("--place", o.place, "Birth place or locality");
  search->add_option("--top", o.top, "Number of candidates (default 10)")->check(CLI::Range(1, 1000));
  search->callback([&] { action = [&] { return CmdSearch(o); }; });

  auto* matches = app.add_subcommand("matches", "The review queue of potential matches (audited)");
  AddData(matches, o);
  AddKey(matches, o);
  AddJson(matches, o);
  matches->add_option("--status", o.status, "Only matches in this state")
      ->check(CLI::IsMember({"potential", "confirmed", "rejected"}));
  matches->callback([&] { action = [&] { return CmdMatches(o); }; });

  auto* serve = app.add_subcommand(
      "serve", "Serve the registry's JSON API (/api/v1) over HTTP(S) until SIGINT or SIGTERM");
  AddData(serve, o);
  AddKey(serve, o);
  AddJson(serve, o);
  serve->add_option("--listen", o.listen,
                    "Address to listen on (default 127.0.0.1; plain HTTP only on loopback "
                    "unless --allow-remote)");
  serve->add_option("--port", o.port, "TCP port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--tls-cert", o.tls_cert, "TLS certificate chain (PEM); needs --tls-key");
  serve->add_option("--tls-key", o.tls_key, "TLS private key (PEM); needs --tls-cert");
  serve->add_flag("--allow-remote", o.allow_remote,
                  "Allow plain HTTP on a non-loopback address (behind a TLS proxy only)");
  serve->add_option("--max-body", o.max_body, "Largest request body in bytes (default 1 MiB)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{64} << 20));
  serve
      ->add_option("--max-upload", o.max_upload,
                   "Largest uploaded CSV (POST /api/v1/imports) in bytes (default 8 MiB)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{server::kMaxMaxUploadBytes}));
  serve->add_option("--max-header", o.max_header,
                    "Largest request line and headers in bytes (default 8 KiB)")
      ->check(CLI::Range(std::uint64_t{256}, std::uint64_t{1} << 20));
  serve->add_option("--read-timeout", o.read_timeout, "Seconds a request may stall (default 10)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
  serve->add_option("--write-timeout", o.write_timeout,
                    "Seconds a response may stall (default 10)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
  serve->add_option("--idle-timeout", o.idle_timeout,
                    "Seconds an idle keep-alive connection stays open (default 5)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
  serve->add_option("--max-connections", o.max_connections,
                    "Connections served at once (default 16)")
      ->check(CLI::Range(1, 1024));
  // Partner linkage (serve --hub, hub sync): the hub, this node's API key,
  // the linkage key and the encoding schema shared with the partners.
  auto add_partner_flags = [&o](CLI::App* cmd, bool hub_required) {
    auto* url = cmd->add_option(
        "--hub", o.hub_url,
        "Linkage hub URL: send this node's new records to it as keyed encodings and store "
        "the pairs it finds as partner matches");
    if (hub_required) url->required();
    cmd->add_option("--api-key-file", o.api_key_file,
                    "File holding this node's hub API key (from `kinlink hub node add`)");
    cmd->add_option("--ca-cert", o.ca_cert, "CA certificates (PEM) to trust for an https hub");
    cmd->add_option("--linkage-key-file", o.linkage_key_file,
                    "The linkage key shared with the partner organisations (never the hub)");
    cmd->add_option("--salt", o.salt, "Encoding schema, as kinlink encode: none or birth-year")
        ->check(CLI::IsMember({"none", "birth-year"}));
    cmd->add_option("--xor-fold", o.xor_fold, "Encoding schema, as kinlink encode: on or off")
        ->check(CLI::IsMember({"on", "off"}));
    cmd->add_option("--variants", o.variants,
                    "Name-variant table, as kinlink encode (default: the shipped one)");
    cmd->add_option("--hub-batch", o.hub_batch,
                    "Records per uploaded batch (default 5000)")
        ->check(CLI::Range(std::int64_t{1}, engine::kMaxHubBatchRecords));
  };
  add_partner_flags(serve, false);
  serve->add_option("--hub-interval", o.hub_interval,
                    "Seconds between exchanges with the hub (default 300)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));
  serve->add_option("--session-idle", o.session_idle,
                    "Seconds after which an unused session ends (default 900)")
      ->check(CLI::Range(std::int64_t{60}, std::int64_t{86400}));
  serve->callback([&] { action = [&] { return CmdServe(o); }; });

  auto* user = app.add_subcommand("user", "Manage the staff accounts of the node server");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand(
      "add", "Add a staff account (password from KINLINK_USER_PASSWORD or a prompt)");
  AddData(user_add, o);
  AddKey(user_add, o);
  AddJson(user_add, o);
  user_add->add_option("NAME", o.user_name, "Login name: 1-64 of a-z 0-9 . _ -")->required();
  user_add->add_option("--office", o.office, "The office (created when new)")->required();
  user_add->add_option("--role", o.role, "admin, officer, caseworker or auditor")
      ->required()
      ->check(CLI::IsMember({"admin", "officer", "caseworker", "auditor"}));
  user_add->add_flag("--second-factor", o.second_factor,
                     "Give a caseworker or auditor a TOTP second factor (admins and officers "
                     "always get one)");
  user_add->callback([&] { action = [&] { return CmdUserAdd(o); }; });
  auto* user_list = user->add_subcommand("list", "List the staff accounts");
  AddData(user_list, o);
  AddKey(user_list, o);
  AddJson(user_list, o);
  user_list->callback([&] { action = [&] { return CmdUserList(o); }; });

  auto* retention = app.add_subcommand("retention", "Records past their review date");
  retention->require_subcommand(1);
  auto* retention_run = retention->add_subcommand(
      "run", "Erase (crypto-shred) every record past its review date (audited)");
  AddData(retention_run, o);
  AddKey(retention_run, o);
  AddJson(retention_run, o);
  retention_run->callback([&] { action = [&] { return CmdRetentionRun(o); }; });

  // Cross-organisation linkage (docs/pprl.md).
  auto* lkey = app.add_subcommand("linkage-key", "Linkage keys shared by partner organisations");
  lkey->require_subcommand(1);
  auto* lkey_new = lkey->add_subcommand(
      "new", "Create a random linkage key file (64 hex characters, mode 0600; never overwrites)");
  lkey_new->add_option("FILE", o.linkage_key_file, "Key file to create")->required();
  AddJson(lkey_new, o);
  lkey_new->callback([&] { action = [&] { return CmdLinkageKeyNew(o); }; });

  auto* encode = app.add_subcommand(
      "encode",
      "Encode a CSV under a linkage key into an encodings file (.kle) for a partner or hub");
  encode->add_option("FILE", o.file, "CSV file (canonical header or --map)")->required();
  encode->add_option("--map", o.map, "Mapping file (TOML) for a non-canonical header");
  encode
      ->add_option("--linkage-key-file", o.linkage_key_file,
                   "The linkage key shared with the partner (kinlink linkage-key new)")
      ->required();
  encode->add_option("--out", o.out, "Encodings file to write (.kle)")->required();
  encode->add_option("--refs-out", o.refs_out,
                     "Where the record references' source ids go (default: OUT.refs.csv, mode "
                     "0600; keep it, never send it)");
  encode
      ->add_option("--salt", o.salt,
                   "Salt every filter with a stable attribute: none or birth-year")
      ->check(CLI::IsMember({"none", "birth-year"}));
  encode->add_option("--xor-fold", o.xor_fold, "Fold every filter in half (on by default)")
      ->check(CLI::IsMember({"on", "off"}));
  encode->add_option("--variants", o.variants,
                     "Name-variant table (default: the shipped one; 'none' for none); both "
                     "partners need the same");
  encode->add_option("--threads", o.threads, "Worker threads (default: one per core)")
      ->check(CLI::Range(1, 64));
  AddJson(encode, o);
  encode->callback([&] { action = [&] { return CmdEncode(o); }; });

  auto* plink = app.add_subcommand(
      "pprl-link",
      "Find the pairs of two encodings files that describe the same person (no key needed)");
  plink->add_option("LEFT", o.file, "Encodings file (.kle)")->required();
  plink->add_option("RIGHT", o.right, "Encodings file (.kle) of the same schema and key")
      ->required();
  plink
      ->add_option("--mode", o.pprl_mode,
                   "fs: Fellegi-Sunter over the encoded fields (default); dice: whole-record "
                   "filter Dice")
      ->check(CLI::IsMember({"fs", "dice"}));
  plink
      ->add_option("--threshold", o.pprl_threshold,
                   "Report pairs from this score: probability (fs, default 0.99) or Dice (dice, "
                   "default 0.60 for XOR-folded filters, 0.70 otherwise)")
      ->check(CLI::Range(0.0, 1.0));
  plink->add_option("--top", o.top, "Report the K best candidates per LEFT record instead")
      ->check(CLI::Range(0, 1000));
  plink->add_flag("--one-to-one", o.one_to_one,
                  "Keep each record in at most one pair (greedy, best score first)");
  plink
      ->add_option("--max-block", o.max_block,
                   "Blocks with more records than this are skipped, with a warning")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{10'000'000}));
  plink->add_option("--linkage-key-file", o.linkage_key_file,
                    "Also check both files against this key (a partner; a hub has none)");
  plink->add_option("--threads", o.threads, "Worker threads (default: one per core)")
      ->check(CLI::Range(1, 64));
  plink->add_option("--out", o.out, "Output CSV file (- for stdout)")->required();
  AddJson(plink, o);
  plink->callback([&] { action = [&] { return CmdPprlLink(o); }; });

  auto* pinfo = app.add_subcommand(
      "pprl-info", "Check an encodings file (.kle) and print its schema and record count");
  pinfo->add_option("FILE", o.file, "Encodings file (.kle)")->required();
  pinfo->add_option("--linkage-key-file", o.linkage_key_file,
                    "Also check that it was encoded under this key");
  AddJson(pinfo, o);
  pinfo->callback([&] { action = [&] { return CmdPprlInfo(o); }; });

  // The linkage hub and a node's side of it (docs/pprl.md, "The hub").
  auto* hub = app.add_subcommand(
      "hub",
      "Serve the linkage hub (--data DIR) until SIGINT or SIGTERM: nodes upload encodings, "
      "each gets the pairs involving its records; or manage and use one (subcommands)");
  hub->require_subcommand(0, 1);
  hub->add_option("--data", o.data, "The hub's directory (created when new; holds hub.db)");
  AddJson(hub, o);
  hub->add_option("--listen", o.listen,
                  "Address to listen on (default 127.0.0.1; plain HTTP only on loopback "
                  "unless --allow-remote)");
  hub->add_option("--port", o.port, "TCP port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  hub->add_option("--tls-cert", o.tls_cert, "TLS certificate chain (PEM); needs --tls-key");
  hub->add_option("--tls-key", o.tls_key, "TLS private key (PEM); needs --tls-cert");
  hub->add_flag("--allow-remote", o.allow_remote,
                "Allow plain HTTP on a non-loopback address (behind a TLS proxy only)");
  hub->add_option("--max-upload", o.max_upload,
                  "Largest uploaded encodings file in bytes (default 64 MiB)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{server::kMaxMaxUploadBytes}));
  hub->add_option("--max-header", o.max_header,
                  "Largest request line and headers in bytes (default 8 KiB)")
      ->check(CLI::Range(std::uint64_t{256}, std::uint64_t{1} << 20));
  hub->add_option("--read-timeout", o.read_timeout, "Seconds a request may stall (default 10)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
  hub->add_option("--write-timeout", o.write_timeout, "Seconds a response may stall (default 10)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
  hub->add_option("--idle-timeout", o.idle_timeout,
                  "Seconds an idle keep-alive connection stays open (default 5)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
  hub->add_option("--max-connections", o.max_connections, "Connections served at once (default 16)")
      ->check(CLI::Range(1, 1024));
  hub->add_option("--schema", o.schema_file,
                  "Pin the pool: a .kle file's schema and key-check value, or the key=value "
                  "schema lines pprl-info prints (default: the first upload's)");
  hub->add_option("--threshold", o.pprl_threshold,
                  "Store pairs from this match probability (default 0.99, as pprl-link)")
      ->check(CLI::Range(0.0, 1.0));
  hub->add_option("--max-block", o.max_block,
                  "Blocks with more records than this are skipped (default 300, as pprl-link)")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{10'000'000}));
  hub->add_option("--threads", o.threads, "Worker threads of a linkage (default: one per core)")
      ->check(CLI::Range(1, 64));
  hub->callback([&, hub] {
    if (hub->get_subcommands().empty()) action = [&] { return CmdHub(o); };
  });

  auto* hub_node = hub->add_subcommand("node", "The hub's node accounts");
  hub_node->require_subcommand(1);
  auto* hub_node_add = hub_node->add_subcommand(
      "add", "Add a node account and print its API key (once; the hub keeps a keyed hash)");
  hub_node_add->add_option("NAME", o.node_name, "Node name: 1-64 of a-z 0-9 . _ -")->required();
  hub_node_add->add_option("--data", o.data, "The hub's directory");
  AddJson(hub_node_add, o);
  hub_node_add->callback([&] { action = [&] { return CmdHubNodeAdd(o); }; });
  auto* hub_node_revoke = hub_node->add_subcommand(
      "revoke", "Revoke a node: its API key stops working; its records meet no new upload");
  hub_node_revoke->add_option("NAME", o.node_name, "Node name")->required();
  hub_node_revoke->add_option("--data", o.data, "The hub's directory");
  AddJson(hub_node_revoke, o);
  hub_node_revoke->callback([&] { action = [&] { return CmdHubNodeRevoke(o); }; });
  auto* hub_node_list = hub_node->add_subcommand("list", "List the node accounts");
  hub_node_list->add_option("--data", o.data, "The hub's directory");
  AddJson(hub_node_list, o);
  hub_node_list->callback([&] { action = [&] { return CmdHubNodeList(o); }; });

  auto add_hub_client = [&o](CLI::App* cmd) {
    cmd->add_option("--hub", o.hub_url, "The hub's URL, e.g. https://hub.example.org:8443")
        ->required();
    cmd->add_option("--api-key-file", o.api_key_file,
                    "File holding this node's API key (from `kinlink hub node add`)")
        ->required();
    cmd->add_option("--ca-cert", o.ca_cert, "CA certificates (PEM) to trust for an https hub");
  };
  auto* hub_submit = hub->add_subcommand(
      "submit", "Upload an encodings file (.kle) of this node's records to the hub");
  hub_submit->add_option("FILE", o.file, "Encodings file (kinlink encode)")->required();
  add_hub_client(hub_submit);
  AddJson(hub_submit, o);
  hub_submit->callback([&] { action = [&] { return CmdHubSubmit(o); }; });
  auto* hub_pairs = hub->add_subcommand(
      "pairs", "Fetch the pairs the hub found involving this node's records, as CSV");
  add_hub_client(hub_pairs);
  hub_pairs->add_option("--after", o.after,
                        "Only pairs after this cursor (default: after the last one acknowledged)");
  hub_pairs
      ->add_option("--refs", o.refs_files,
                   "encode's ref,id side file(s): adds each own record's source id")
      ->expected(1, 1000);
  hub_pairs->add_option("--out", o.out, "Output CSV file (- for stdout)")->required();
  AddJson(hub_pairs, o);
  hub_pairs->callback([&] { action = [&] { return CmdHubPairs(o); }; });
  auto* hub_sync = hub->add_subcommand(
      "sync",
      "One exchange of a node's registry with its hub: send the new records' encodings, store "
      "the new pairs as partner matches (what serve --hub does every few minutes)");
  AddData(hub_sync, o);
  AddKey(hub_sync, o);
  AddJson(hub_sync, o);
  add_partner_flags(hub_sync, true);
  hub_sync->callback([&] { action = [&] { return CmdHubSync(o); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (!action) return kExitUsage;
  return action();
}

}  // namespace kinlink::cli
