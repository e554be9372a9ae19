// `kinlink hub` (the linkage hub's server), `hub node add|revoke|list`
// (its node accounts) and, on a node's side, `hub submit` and `hub pairs`
// (docs/pprl.md, "The hub"). An API key is a credential: printed once by
// `node add`, read by the node from a file, sent only in the
// Authorization header, never logged.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/crypto.h"
#include "formats/csv.h"
#include "hub/hub.h"
#include "pprl/pprl.h"
#include "server/hub_server.h"
#include "tools/kinlink/cli.h"
#include "tools/kinlink/commands.h"

namespace kinlink::cli {

namespace {

using json = nlohmann::ordered_json;

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

hub::HubOptions HubOptionsFor(const Options& o) {
  hub::HubOptions options;
  options.link.threshold = o.pprl_threshold;
  options.link.threads = o.threads;
  options.link.link.blocking.max_block_records = static_cast<std::uint64_t>(o.max_block);
  return options;
}

Result<std::unique_ptr<hub::Hub>> OpenHub(const Options& o, hub::HubOptions options) {
  if (o.data.empty()) return InvalidArgumentError("give the hub's directory with --data DIR");
  return hub::Hub::Open(o.data, std::move(options));
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

int CmdHub(const Options& o) {
  if (o.data.empty()) return Usage("give the hub's directory with --data DIR");
  server::ServerOptions so = ServerOptionsFromFlags(o);
  if (o.max_upload <= 0) so.max_upload_bytes = server::kDefaultHubMaxUploadBytes;
  if (Status valid = server::ValidateServerOptions(so); !valid.ok()) return Usage(valid.message());
  const sigset_t stop_signals = BlockStopSignals();

  hub::HubOptions options = HubOptionsFor(o);
  if (!o.schema_file.empty()) {
    Result<hub::PoolSpec> pool = hub::ReadPoolFile(o.schema_file);
    if (!pool.ok()) return Fail(o, pool.status());
    options.schema = pool->schema;
    options.key_check = pool->key_check;
  }
  Result<std::unique_ptr<hub::Hub>> h = OpenHub(o, std::move(options));
  if (!h.ok()) return Fail(o, h.status());
  Result<std::unique_ptr<server::HubServer>> srv = server::HubServer::Create(**h, so);
  if (!srv.ok()) return Fail(o, srv.status());
  if (Status started = (*srv)->Start(); !started.ok()) return Fail(o, started);
  return ServeUntilStopped(o, "Kinlink hub", (*srv)->url(), (*srv)->port(), stop_signals,
                           [&srv] { (*srv)->Stop(); });
}

int CmdHubNodeAdd(const Options& o) {
  Result<std::unique_ptr<hub::Hub>> h = OpenHub(o, {});
  if (!h.ok()) return Fail(o, h.status());
  Result<hub::NewNode> added = (*h)->AddNode(o.node_name, Now());
  if (!added.ok()) return Fail(o, added.status());
  if (o.json) {
    std::cout << json{{"id", added->node.id},
                      {"node", added->node.name},
                      {"api_key", added->api_key}}
                     .dump()
              << "\n";
  } else {
    std::printf(
        "Added node %s. Its API key, shown only now (give it to the node over a secure channel; "
        "the hub keeps only a keyed hash of it):\n%s\n",
        added->node.name.c_str(), added->api_key.c_str());
  }
  crypto::Wipe(added->api_key);
  return kExitOk;
}

int CmdHubNodeRevoke(const Options& o) {
  Result<std::unique_ptr<hub::Hub>> h = OpenHub(o, {});
  if (!h.ok()) return Fail(o, h.status());
  if (Status s = (*h)->RevokeNode(o.node_name); !s.ok()) return Fail(o, s);
  if (o.json) {
    std::cout << json{{"revoked", o.node_name}}.dump() << "\n";
  } else {
    std::printf(
        "Revoked node %s: its API key no longer works, and its records meet no new "
        "upload.\n",
        o.node_name.c_str());
  }
  return kExitOk;
}

int CmdHubNodeList(const Options& o) {
  Result<std::unique_ptr<hub::Hub>> h = OpenHub(o, {});
  if (!h.ok()) return Fail(o, h.status());
  Result<std::vector<hub::NodeInfo>> nodes = (*h)->ListNodes();
  if (!nodes.ok()) return Fail(o, nodes.status());
  if (o.json) {
    json list = json::array();
    for (const hub::NodeInfo& n : *nodes) {
      list.push_back({{"id", n.id},
                      {"node", n.name},
                      {"revoked", n.revoked},
                      {"records", n.records},
                      {"cursor", std::to_string(n.cursor)}});
    }
    std::cout << json{{"nodes", std::move(list)}}.dump() << "\n";
    return kExitOk;
  }
  std::printf("%-5s %-24s %-10s %-9s %s\n", "ID", "NODE", "RECORDS", "STATE", "CURSOR");
  for (const hub::NodeInfo& n : *nodes) {
    std::printf("%-5lld %-24s %-10lld %-9s %lld\n", static_cast<long long>(n.id), n.name.c_str(),
                static_cast<long long>(n.records), n.revoked ? "revoked" : "active",
                static_cast<long long>(n.cursor));
  }
  std::printf("%zu node(s).\n", nodes->size());
  return kExitOk;
}

int CmdHubSubmit(const Options& o) {
  Result<std::unique_ptr<server::HubClient>> client = HubClientFromFlags(o);
  if (!client.ok()) return Fail(o, client.status());
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return Fail(o, NotFoundError(o.file + ": cannot open"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Result<hub::UploadResult> r = (*client)->Upload(bytes.str());
  if (!r.ok()) return Fail(o, r.status().WithContext(o.file));
  if (o.json) {
    std::cout << json{{"records", r->records},
                      {"partners", r->partners},
                      {"partner_records", r->partner_records},
                      {"pairs", r->pairs}}
                     .dump()
              << "\n";
  } else {
    std::printf(
        "Uploaded %llu record(s) from %s; compared with %llu record(s) of %llu partner "
        "node(s): %llu new pair(s). Fetch them with `kinlink hub pairs`.\n",
        static_cast<unsigned long long>(r->records), o.file.c_str(),
        static_cast<unsigned long long>(r->partner_records),
        static_cast<unsigned long long>(r->partners), static_cast<unsigned long long>(r->pairs));
  }
  return kExitOk;
}

int CmdHubPairs(const Options& o) {
  Result<std::unique_ptr<server::HubClient>> client = HubClientFromFlags(o);
  if (!client.ok()) return Fail(o, client.status());
  std::optional<std::int64_t> after;
  if (!o.after.empty()) {
    char* end = nullptr;
    const long long v = std::strtoll(o.after.c_str(), &end, 10);
    if (end == o.after.c_str() || *end != '\0' || v < 0) {
      return Usage("--after must be a cursor printed by an earlier `hub pairs` (a number)");
    }
    after = v;
  }
  // ref -> source id, from encode's side files (they stay on the node).
  std::map<std::string, std::string> ids;
  for (const std::string& path : o.refs_files) {
    Result<std::unique_ptr<formats::CsvReader>> reader = formats::CsvReader::OpenFile(path);
    if (!reader.ok()) return Fail(o, reader.status());
    formats::CsvRow row;
    bool header = true;
    while (true) {
      Result<bool> more = (*reader)->Next(&row);
      if (!more.ok()) return Fail(o, more.status().WithContext(path));
      if (!*more) break;
      if (row.error || row.fields.size() != 2) {
        return Fail(o, InvalidArgumentError(path + ": line " + std::to_string(row.line) +
                                            " is not ref,id"));
      }
      if (header) {
        header = false;
        if (row.fields[0] == "ref" && row.fields[1] == "id") continue;
        return Fail(o, InvalidArgumentError(path + ": not a ref,id file from kinlink encode"));
      }
      ids[row.fields[0]] = row.fields[1];
    }
  }
  std::unique_ptr<std::ofstream> file;
  if (o.out != "-") {
    Result<std::unique_ptr<std::ofstream>> f = CreatePrivateFile(o.out);
    if (!f.ok()) return Fail(o, f.status());
    file = std::move(*f);
  }
  std::ostream& out = file ? *file : std::cout;
  formats::CsvWriter writer(out);
  std::vector<std::string> cells = {"own_ref"};
  if (!o.refs_files.empty()) cells.push_back("own_id");
  for (const char* c : {"partner_node", "partner_ref", "probability", "match_weight", "cursor"}) {
    cells.emplace_back(c);
  }
  writer.WriteRow(cells);
  std::uint64_t count = 0;
  std::uint64_t unknown_refs = 0;
  for (;;) {
    Result<hub::PairsPage> page = (*client)->Pairs(after, hub::kMaxPairsPage);
    if (!page.ok()) return Fail(o, page.status());
    for (const hub::DeliveredPair& p : page->pairs) {
      const std::string own = pprl::RefHex(p.own_ref);
      cells = {own};
      if (!o.refs_files.empty()) {
        auto it = ids.find(own);
        if (it == ids.end()) ++unknown_refs;
        cells.push_back(it == ids.end() ? "" : it->second);
      }
      cells.push_back(p.partner);
      cells.push_back(p.partner_ref);
      cells.push_back(Fixed(p.score, 6));
      cells.push_back(Fixed(p.weight, 3));
      cells.push_back(std::to_string(p.cursor));
      writer.WriteRow(cells);
      ++count;
    }
    after = page->next;
    if (!page->more || page->pairs.empty()) break;
  }
  out.flush();
  if (!out) return Fail(o, InternalError("writing " + o.out + " failed"));
  if (o.json) {
    std::cout << json{{"pairs", count},
                      {"next", std::to_string(after.value_or(0))},
                      {"out", o.out},
                      {"unknown_refs", unknown_refs}}
                     .dump()
              << "\n";
  } else {
    std::fprintf(stderr,
                 "%llu pair(s) involving your records -> %s. Next time ask with --after %s.\n",
                 static_cast<unsigned long long>(count), o.out.c_str(),
                 std::to_string(after.value_or(0)).c_str());
    if (unknown_refs > 0) {
      std::fprintf(stderr, "warning: %llu pair(s) name a record in none of the --refs files\n",
                   static_cast<unsigned long long>(unknown_refs));
    }
  }
  return kExitOk;
}

}  // namespace kinlink::cli
