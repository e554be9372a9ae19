// `kinlink hub` (the linkage hub's server), `hub node add|revoke|list`
// (its node accounts) and, on a node's side, `hub submit` and `hub pairs`
// (docs/pprl.md, "The hub"). An API key is a credential: printed once by
// `node add`, read by the node from a file, sent only in the
// Authorization header, never logged.
#include <httplib.h>
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

// The API key: the first line of the file, without surrounding blanks.
Result<std::string> ReadApiKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read the API key file " + path);
  std::string line;
  std::getline(in, line);
  const std::size_t begin = line.find_first_not_of(" \t\r");
  const std::size_t end = line.find_last_not_of(" \t\r");
  if (begin == std::string::npos)
    return InvalidArgumentError("the API key file " + path + " is empty");
  std::string key = line.substr(begin, end - begin + 1);
  crypto::Wipe(line);
  return key;
}

// A client of the hub at `url` ("http://host:port" or "https://...").
Result<std::unique_ptr<httplib::Client>> HubClient(const Options& o) {
  if (o.hub_url.rfind("http://", 0) != 0 && o.hub_url.rfind("https://", 0) != 0) {
    return InvalidArgumentError("--hub must be an http:// or https:// URL");
  }
  std::string base = o.hub_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto client = std::make_unique<httplib::Client>(base);
  if (!client->is_valid()) return InvalidArgumentError("--hub: not a usable URL");
  if (!o.ca_cert.empty()) client->set_ca_cert_path(o.ca_cert.c_str());
  client->set_connection_timeout(10, 0);
  client->set_read_timeout(600, 0);  // an upload is linked before the answer
  client->set_write_timeout(60, 0);
  return client;
}

// The hub's error as a Status (its code and message), or a transport error.
Status HubError(const httplib::Result& r, const std::string& what) {
  if (!r) {
    return UnavailableError(what + ": cannot reach the hub (" + httplib::to_string(r.error()) +
                            ")");
  }
  const json body = json::parse(r->body, nullptr, false);
  std::string message = "HTTP " + std::to_string(r->status);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    message += ": " + body["error"].value("message", std::string());
  }
  const StatusCode code = r->status == 401   ? StatusCode::kUnauthenticated
                          : r->status == 409 ? StatusCode::kFailedPrecondition
                          : r->status >= 500 ? StatusCode::kUnavailable
                                             : StatusCode::kInvalidArgument;
  return Status(code, what + " refused by the hub: " + message);
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
  Result<std::string> key = ReadApiKey(o.api_key_file);
  if (!key.ok()) return Fail(o, key.status());
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return Fail(o, NotFoundError(o.file + ": cannot open"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Result<std::unique_ptr<httplib::Client>> client = HubClient(o);
  if (!client.ok()) return Fail(o, client.status());
  httplib::Headers headers = {{"Authorization", "Bearer " + *key}};
  crypto::Wipe(*key);
  httplib::Result r = (*client)->Post(std::string(server::kHubUploadPath), headers, bytes.str(),
                                      "application/octet-stream");
  if (!r || r->status != 201) return Fail(o, HubError(r, "the upload of " + o.file));
  const json body = json::parse(r->body, nullptr, false);
  if (!body.is_object()) return Fail(o, InternalError("the hub's answer is not JSON"));
  if (o.json) {
    std::cout << body.dump() << "\n";
  } else {
    std::printf(
        "Uploaded %lld record(s) from %s; compared with %lld record(s) of %lld partner "
        "node(s): %lld new pair(s). Fetch them with `kinlink hub pairs`.\n",
        static_cast<long long>(body.value("records", 0)), o.file.c_str(),
        static_cast<long long>(body.value("partner_records", 0)),
        static_cast<long long>(body.value("partners", 0)),
        static_cast<long long>(body.value("pairs", 0)));
  }
  return kExitOk;
}

int CmdHubPairs(const Options& o) {
  Result<std::string> key = ReadApiKey(o.api_key_file);
  if (!key.ok()) return Fail(o, key.status());
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
  Result<std::unique_ptr<httplib::Client>> client = HubClient(o);
  if (!client.ok()) return Fail(o, client.status());
  httplib::Headers headers = {{"Authorization", "Bearer " + *key}};
  crypto::Wipe(*key);

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
  std::string after = o.after;
  std::uint64_t count = 0;
  std::uint64_t unknown_refs = 0;
  for (;;) {
    std::string path =
        std::string(server::kHubPairsPath) + "?limit=" + std::to_string(hub::kMaxPairsPage);
    if (!after.empty()) path += "&after=" + httplib::detail::encode_query_param(after);
    httplib::Result r = (*client)->Get(path, headers);
    if (!r || r->status != 200) return Fail(o, HubError(r, "reading pairs"));
    const json body = json::parse(r->body, nullptr, false);
    if (!body.is_object() || !body.contains("pairs") || !body["pairs"].is_array() ||
        !body.contains("next") || !body["next"].is_string()) {
      return Fail(o, InternalError("the hub's answer is not the expected JSON"));
    }
    for (const json& p : body["pairs"]) {
      const std::string own = p.value("own_ref", "");
      cells = {own};
      if (!o.refs_files.empty()) {
        auto it = ids.find(own);
        if (it == ids.end()) ++unknown_refs;
        cells.push_back(it == ids.end() ? "" : it->second);
      }
      cells.push_back(p.value("partner_node", ""));
      cells.push_back(p.value("partner_ref", ""));
      cells.push_back(Fixed(p.value("score", 0.0), 6));
      cells.push_back(Fixed(p.value("match_weight", 0.0), 3));
      cells.push_back(p.value("cursor", ""));
      writer.WriteRow(cells);
      ++count;
    }
    after = body["next"].get<std::string>();
    if (!body.value("more", false)) break;
  }
  out.flush();
  if (!out) return Fail(o, InternalError("writing " + o.out + " failed"));
  if (o.json) {
    std::cout << json{{"pairs", count},
                      {"next", after},
                      {"out", o.out},
                      {"unknown_refs", unknown_refs}}
                     .dump()
              << "\n";
  } else {
    std::fprintf(stderr,
                 "%llu pair(s) involving your records -> %s. Next time ask with --after %s.\n",
                 static_cast<unsigned long long>(count), o.out.c_str(), after.c_str());
    if (unknown_refs > 0) {
      std::fprintf(stderr, "warning: %llu pair(s) name a record in none of the --refs files\n",
                   static_cast<unsigned long long>(unknown_refs));
    }
  }
  return kExitOk;
}

}  // namespace kinlink::cli
