// The linkage hub end to end: a real `kinlink hub` process on 127.0.0.1
// and three nodes that encode overlapping synthetic registries under one
// linkage key, register, upload and fetch their pairs with the real
// binary. Each node gets exactly the pairs involving its records — the
// pairs `kinlink pprl-link` finds between each two files —, later uploads
// bring only new pairs, and neither the hub's files nor its logs hold a
// name planted in the registries. Bad input (another schema, a truncated
// file, a wrong linkage key, revoked and unknown API keys, an oversized
// upload) is refused with a clear status and message.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "formats/csv.h"
#include "tests/test_util.h"
#include "tests/tls_util.h"

extern char** environ;

namespace kinlink::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

// Names planted in the registries: they must never reach the hub.
const char* const kCanaryRows[] = {
    // node a only
    "K-CANARY-A,Zaphrinel Quorvandt,Zaphrinel,Quorvandt,Ostrivel,,,,f,1981-04-17,,,Velmoranth,,"
    "Velmoranth,,,Narvossa,,,,,,safe",
    // node b only
    "K-CANARY-B,Thessaly Brombequist,Thessaly,Brombequist,Ulvanor,,,,m,1975-11-02,,,Karthuvel,,"
    "Karthuvel,,,Narvossa,,,,,,safe",
    // node c only
    "K-CANARY-C,Ywendolin Scarpathorne,Ywendolin,Scarpathorne,Dravimund,,,,f,1990-06-30,,,"
    "Pellomarr,,Pellomarr,,,Narvossa,,,,,,unknown",
    // nodes a and b both hold this person
    "K-CANARY-AB,Xylbrandt Umequorre,Xylbrandt,Umequorre,Fennimar,,,,m,1968-01-09,,,Osterquill,,"
    "Osterquill,,,Narvossa,,,,,,safe",
};
const char* const kCanaryWords[] = {
    "Zaphrinel",   "Quorvandt", "Velmoranth",  "Thessaly Brombequist",
    "Brombequist", "Karthuvel", "Ywendolin",   "Scarpathorne",
    "Pellomarr",   "Xylbrandt", "Umequorre",   "Osterquill",
    "zaphrinel",   "quorvandt", "brombequist", "scarpathorne",
    "xylbrandt",   "umequorre", "K-CANARY-A",  "K-CANARY-B",
    "K-CANARY-C",  "Ostrivel",  "Dravimund",   "Fennimar"};

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

class HubProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RunResult k = RunKinlink({"linkage-key", "new", dir_ / "link.key"});
    ASSERT_EQ(k.exit_code, 0) << k.err;
    RunResult g =
        RunKinlink({"generate", "--count", "700", "--seed", "31", "--out", dir_ / "all.csv"});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    rows_ = ParseCsvFile(dir_ / "all.csv");
    ASSERT_EQ(rows_.size(), 701u);
  }

  // A CSV of the generated rows in the ranges [from, to), and extra raw lines.
  void WriteCsv(const std::string& path, const std::vector<std::pair<int, int>>& ranges,
                const std::vector<std::string>& extra = {}) {
    std::ofstream out(path, std::ios::binary);
    formats::CsvWriter writer(out);
    writer.WriteRow(rows_[0]);
    for (auto [from, to] : ranges) {
      for (int i = from; i < to; ++i) writer.WriteRow(rows_[static_cast<std::size_t>(i) + 1]);
    }
    out.flush();
    for (const std::string& line : extra) out << line << "\r\n";
  }

  RunResult Encode(const std::string& csv, const std::string& kle,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"encode", csv, "--linkage-key-file", dir_ / "link.key",
                                     "--out",  kle, "--threads",          "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKinlink(args);
  }

  // Starts `kinlink hub --data DIR/hub --port 0 ARGS`; its stdout and
  // stderr (the access log) go to files. Returns the port.
  int StartHub(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"hub", "--data", dir_ / "hub", "--port", "0", "--threads",
                                     "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    if (!hub_.Start(args, dir_ / "hub.out", dir_ / "hub.err", "Kinlink hub")) return -1;
    url_ = hub_.url();
    return hub_.port();
  }

  // `kinlink hub node add NAME`; its key goes to DIR/NAME.apikey.
  void AddNode(const std::string& name) {
    RunResult r = RunKinlink({"hub", "node", "add", name, "--data", dir_ / "hub", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json j = Json::parse(r.out);
    const std::string key = j["api_key"];
    EXPECT_EQ(key.size(), 68u);
    WriteFile(dir_ / (name + ".apikey"), key + "\n");
  }

  RunResult Submit(const std::string& node, const std::string& kle) {
    return RunKinlink({"hub", "submit", kle, "--hub", url_, "--api-key-file",
                       dir_ / (node + ".apikey"), "--json"});
  }

  // `kinlink hub pairs` for a node: rows of own_ref, own_id, partner_node,
  // partner_ref, probability, match_weight, cursor; `next` gets the cursor.
  std::vector<std::vector<std::string>> Pairs(const std::string& node, const std::string& after,
                                              const std::vector<std::string>& refs,
                                              std::string* next) {
    std::vector<std::string> args = {"hub",
                                     "pairs",
                                     "--hub",
                                     url_,
                                     "--api-key-file",
                                     dir_ / (node + ".apikey"),
                                     "--out",
                                     dir_ / (node + ".pairs.csv"),
                                     "--json"};
    if (!after.empty()) {
      args.push_back("--after");
      args.push_back(after);
    }
    for (const std::string& r : refs) {
      args.push_back("--refs");
      args.push_back(r);
    }
    RunResult r = RunKinlink(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out;
    if (j.is_object()) {
      *next = j.value("next", "");
      EXPECT_EQ(j.value("unknown_refs", -1), 0);
    }
    std::vector<std::vector<std::string>> rows = ParseCsvFile(dir_ / (node + ".pairs.csv"));
    EXPECT_FALSE(rows.empty());
    if (!rows.empty()) {
      EXPECT_EQ(rows[0],
                (std::vector<std::string>{"own_ref", "own_id", "partner_node", "partner_ref",
                                          "probability", "match_weight", "cursor"}));
      rows.erase(rows.begin());
    }
    return rows;
  }

  // The pairs `kinlink pprl-link LEFT RIGHT` finds, as (left node:ref,
  // right node:ref, probability rounded).
  using Pair = std::tuple<std::string, std::string, std::string>;
  std::set<Pair> Expected(const std::string& left_node, const std::string& left,
                          const std::string& right_node, const std::string& right) {
    RunResult r = RunKinlink({"pprl-link", left, right, "--out", dir_ / "expected.csv"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<Pair> out;
    std::vector<std::vector<std::string>> rows = ParseCsvFile(dir_ / "expected.csv");
    for (std::size_t i = 1; i < rows.size(); ++i) {
      out.emplace(left_node + ":" + rows[i][0], right_node + ":" + rows[i][1],
                  Fixed(std::stod(rows[i][2])));
    }
    return out;
  }

  // Joins what the nodes received on the pair reference, into the same
  // shape as Expected (the uploader on the left). `received` maps node →
  // its rows; `uploader_first` orders a pair's two sides.
  std::set<Pair> Received(const std::map<std::string, std::vector<std::vector<std::string>>>& got,
                          const std::map<std::string, int>& upload_order) {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_ref;
    std::map<std::string, std::string> prob;
    for (const auto& [node, rows] : got) {
      for (const auto& row : rows) {
        by_ref[row[3]].emplace_back(node, row[0]);
        prob[row[3]] = Fixed(std::stod(row[4]));
      }
    }
    std::set<Pair> out;
    for (auto& [ref, sides] : by_ref) {
      EXPECT_EQ(sides.size(), 2u) << "pair " << ref << " reached " << sides.size() << " node(s)";
      if (sides.size() != 2) continue;
      // The later uploader is the left side (its upload was linked
      // against the partner's records).
      if (upload_order.at(sides[0].first) < upload_order.at(sides[1].first)) {
        std::swap(sides[0], sides[1]);
      }
      out.emplace(sides[0].first + ":" + sides[0].second, sides[1].first + ":" + sides[1].second,
                  prob[ref]);
    }
    return out;
  }

  void ExpectNoCanaries() {
    // The scan finds them where they are (the nodes' CSVs).
    EXPECT_THAT(FilesContaining(dir_.path(), "Zaphrinel"), Not(::testing::IsEmpty()));
    EXPECT_GT(ReadFile(dir_ / "hub/hub.db").size() + ReadFile(dir_ / "hub/hub.db-wal").size(),
              200'000u);
    for (const char* word : kCanaryWords) {
      EXPECT_THAT(FilesContaining(dir_ / "hub", word), ::testing::IsEmpty()) << word;
      for (const char* log : {"hub.out", "hub.err"}) {
        EXPECT_THAT(ReadFile(dir_ / log), Not(HasSubstr(word))) << log << " " << word;
      }
    }
  }

  TempDir dir_;
  std::vector<std::vector<std::string>> rows_;
  KinlinkProcess hub_;
  std::string url_;
};

std::map<std::string, std::string> RefIds(const std::string& path) {
  std::map<std::string, std::string> m;
  std::vector<std::vector<std::string>> rows = ParseCsvFile(path);
  for (std::size_t i = 1; i < rows.size(); ++i) m[rows[i][0]] = rows[i][1];
  return m;
}

TEST_F(HubProcessTest, ThreeNodesGetExactlyTheirPairsAndTheHubHoldsNoName) {
  // a: 0-199; b: 120-319 (shares 80 with a); c: 280-479 and 0-29 (40 with
  // b, 30 with a); later c2: 480-559, 60-89 (a) and 200-219 (b). A canary
  // in each node, one person held by both a and b.
  WriteCsv(dir_ / "a.csv", {{0, 200}}, {kCanaryRows[0], kCanaryRows[3]});
  WriteCsv(dir_ / "b.csv", {{120, 320}}, {kCanaryRows[1], kCanaryRows[3]});
  WriteCsv(dir_ / "c.csv", {{280, 480}, {0, 30}}, {kCanaryRows[2]});
  WriteCsv(dir_ / "c2.csv", {{480, 560}, {60, 90}, {200, 220}});
  for (const char* n : {"a", "b", "c", "c2"}) {
    RunResult e = Encode(dir_ / (std::string(n) + ".csv"), dir_ / (std::string(n) + ".kle"));
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }

  const int port = StartHub();
  ASSERT_GT(port, 0) << ReadFile(dir_ / "hub.err");
  EXPECT_EQ(url_, "http://127.0.0.1:" + std::to_string(port));
  for (const char* n : {"a", "b", "c"}) AddNode(n);
  RunResult listed = RunKinlink({"hub", "node", "list", "--data", dir_ / "hub", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(Json::parse(listed.out)["nodes"].size(), 3u);

  // Uploads in order a, b, c: each is linked with the nodes before it.
  std::map<std::string, int> order = {{"a", 0}, {"b", 1}, {"c", 2}};
  std::set<Pair> expected;
  const auto add = [&expected](const std::set<Pair>& s) { expected.insert(s.begin(), s.end()); };
  RunResult up = Submit("a", dir_ / "a.kle");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(Json::parse(up.out)["pairs"], 0);
  EXPECT_EQ(Json::parse(up.out)["records"], 202);
  up = Submit("b", dir_ / "b.kle");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::set<Pair> ba = Expected("b", dir_ / "b.kle", "a", dir_ / "a.kle");
  EXPECT_EQ(Json::parse(up.out)["pairs"], ba.size());
  add(ba);
  up = Submit("c", dir_ / "c.kle");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::set<Pair> ca = Expected("c", dir_ / "c.kle", "a", dir_ / "a.kle");
  const std::set<Pair> cb = Expected("c", dir_ / "c.kle", "b", dir_ / "b.kle");
  EXPECT_EQ(Json::parse(up.out)["pairs"], ca.size() + cb.size());
  EXPECT_EQ(Json::parse(up.out)["partners"], 2);
  add(ca);
  add(cb);

  std::map<std::string, std::vector<std::vector<std::string>>> got;
  std::map<std::string, std::string> next;
  const std::map<std::string, std::vector<std::string>> refs = {
      {"a", {dir_ / "a.kle.refs.csv"}},
      {"b", {dir_ / "b.kle.refs.csv"}},
      {"c", {dir_ / "c.kle.refs.csv", dir_ / "c2.kle.refs.csv"}}};
  for (const char* n : {"a", "b", "c"}) got[n] = Pairs(n, "0", refs.at(n), &next[n]);
  // Each node received only pairs of its own records, as many as the
  // pairs of pprl-link that involve it; joined on the pair reference they
  // are exactly pprl-link's pairs, with its probabilities.
  for (const auto& [node, rows] : got) {
    std::size_t involving = 0;
    for (const Pair& p : expected) {
      if (std::get<0>(p).rfind(node + ":", 0) == 0 || std::get<1>(p).rfind(node + ":", 0) == 0) {
        ++involving;
      }
    }
    EXPECT_EQ(rows.size(), involving) << node;
    const auto own = RefIds(refs.at(node)[0]);
    for (const auto& row : rows) {
      EXPECT_TRUE(own.count(row[0])) << node << " got a record that is not its own";
      EXPECT_NE(row[2], node);
      EXPECT_EQ(row[1], own.count(row[0]) ? own.at(row[0]) : "?");
    }
  }
  EXPECT_EQ(Received(got, order), expected);

  // The planted overlap is found: the shared ids, pair by pair.
  std::map<std::string, std::set<std::string>> shared;  // "a-b" → ids both hold
  std::map<std::string, std::string> pair_ids;          // pair ref → id at the first side
  std::set<std::pair<std::string, std::string>> found;  // (nodes, id) when both sides agree
  for (const auto& [node, rows] : got) {
    for (const auto& row : rows) {
      auto [it, fresh] = pair_ids.emplace(row[3], row[1]);
      if (!fresh && it->second == row[1]) {
        std::string nodes = std::min(node, row[2]) + "-" + std::max(node, row[2]);
        found.emplace(nodes, row[1]);
      }
    }
  }
  auto count_found = [&found](const std::string& nodes) {
    std::size_t n = 0;
    for (const auto& f : found) n += f.first == nodes;
    return n;
  };
  EXPECT_GE(count_found("a-b"), 78u);  // 80 shared rows + the shared canary
  EXPECT_GE(count_found("b-c"), 38u);  // 40
  EXPECT_GE(count_found("a-c"), 29u);  // 30
  EXPECT_TRUE(found.count({"a-b", "K-CANARY-AB"}));

  // Later, c uploads more records: every node gets only the new pairs.
  up = Submit("c", dir_ / "c2.kle");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::set<Pair> c2a = Expected("c", dir_ / "c2.kle", "a", dir_ / "a.kle");
  const std::set<Pair> c2b = Expected("c", dir_ / "c2.kle", "b", dir_ / "b.kle");
  EXPECT_EQ(Json::parse(up.out)["pairs"], c2a.size() + c2b.size());
  EXPECT_GE(c2a.size(), 29u);
  EXPECT_GE(c2b.size(), 19u);
  std::set<Pair> fresh = c2a;
  fresh.insert(c2b.begin(), c2b.end());
  std::map<std::string, std::vector<std::vector<std::string>>> later;
  std::map<std::string, std::string> later_next;
  for (const char* n : {"a", "b", "c"}) later[n] = Pairs(n, next[n], refs.at(n), &later_next[n]);
  EXPECT_EQ(later["a"].size(), c2a.size());
  EXPECT_EQ(later["b"].size(), c2b.size());
  EXPECT_EQ(later["c"].size(), c2a.size() + c2b.size());
  EXPECT_EQ(Received(later, order), fresh);
  // Asking with --after acknowledged the earlier pairs: without it, the
  // hub starts from the node's delivery cursor.
  std::string again_next;
  EXPECT_EQ(Pairs("a", "", refs.at("a"), &again_next).size(), c2a.size());
  EXPECT_EQ(again_next, later_next["a"]);

  // Nothing the nodes hold in plaintext reached the hub: not in its
  // database (and WAL), not in its output or access log.
  EXPECT_EQ(hub_.Stop(), 0);
  ExpectNoCanaries();
  const std::string log = ReadFile(dir_ / "hub.err");
  EXPECT_THAT(log, HasSubstr(R"("path":"/hub/v1/encodings","status":201)"));
  EXPECT_THAT(log, HasSubstr(R"("path":"/hub/v1/pairs","status":200)"));
  // No API key, record reference or cursor in the log.
  EXPECT_THAT(log, Not(HasSubstr("klh_")));
  EXPECT_THAT(log, Not(HasSubstr("after=")));
  for (const auto& row : got["a"]) {
    EXPECT_THAT(log, Not(HasSubstr(row[0])));
    EXPECT_THAT(log, Not(HasSubstr(row[3])));
  }
  // No key file or API key in the hub's directory either.
  const std::string link_key = ReadFile(dir_ / "link.key").substr(0, 64);
  EXPECT_THAT(FilesContaining(dir_ / "hub", link_key), ::testing::IsEmpty());
  for (const char* n : {"a", "b", "c"}) {
    const std::string key = ReadFile(dir_ / (std::string(n) + ".apikey")).substr(4, 64);
    EXPECT_THAT(FilesContaining(dir_ / "hub", key), ::testing::IsEmpty()) << n;
  }
}

// The node side: two registries (a tracing office with requests, a hospital
// with persons) exchange through the hub with `kinlink hub sync` and
// `kinlink serve --hub`; each stores the pairs as partner matches that
// name the other organisation and the pair's shared reference.
TEST_F(HubProcessTest, NodesExchangeThroughTheHubAndStorePartnerMatches) {
  // Requests: rows 0-249 and the person a and b both hold; persons: rows
  // 150-399 and the same person. 100 + 1 people are in both.
  WriteCsv(dir_ / "requests.csv", {{0, 250}}, {kCanaryRows[0], kCanaryRows[3]});
  WriteCsv(dir_ / "persons.csv", {{150, 400}}, {kCanaryRows[3]});
  {
    // A request has no person status: blank that column.
    std::vector<std::vector<std::string>> rows = ParseCsvFile(dir_ / "requests.csv");
    const auto at = std::find(rows[0].begin(), rows[0].end(), "status") - rows[0].begin();
    std::ofstream out(dir_ / "requests.csv", std::ios::binary | std::ios::trunc);
    formats::CsvWriter writer(out);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i > 0) rows[i][static_cast<std::size_t>(at)].clear();
      writer.WriteRow(rows[i]);
    }
  }
  ASSERT_GT(StartHub(), 0) << ReadFile(dir_ / "hub.err");
  AddNode("amman");
  AddNode("beirut");
  const std::map<std::string, std::string> amman = {{"KINLINK_DATA", dir_ / "amman"},
                                                   {"KINLINK_KEY_FILE", dir_ / "amman.key"}};
  const std::map<std::string, std::string> beirut = {{"KINLINK_DATA", dir_ / "beirut"},
                                                    {"KINLINK_KEY_FILE", dir_ / "beirut.key"}};
  for (const auto* env : {&amman, &beirut}) ASSERT_EQ(RunKinlink({"init"}, *env).exit_code, 0);
  RunResult imp = RunKinlink({"import", "--kind", "request", "--office", "amman-tracing",
                              dir_ / "requests.csv"},
                             amman);
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  imp = RunKinlink(
      {"import", "--kind", "person", "--office", "beirut-hospital", dir_ / "persons.csv"}, beirut);
  ASSERT_EQ(imp.exit_code, 0) << imp.err;

  auto sync = [&](const std::string& node, const std::map<std::string, std::string>& env) {
    RunResult r = RunKinlink({"hub", "sync", "--hub", url_, "--api-key-file",
                              dir_ / (node + ".apikey"), "--linkage-key-file", dir_ / "link.key",
                              "--json"},
                             env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out;
    return j;
  };
  // Refused before anything is sent: serve --hub without keys; an
  // unknown API key.
  RunResult bad = RunKinlink({"serve", "--port", "0", "--hub", url_}, amman);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--hub needs --api-key-file and --linkage-key-file"));
  WriteFile(dir_ / "stranger.apikey", "klh_" + std::string(64, '0') + "\n");
  bad = RunKinlink({"hub", "sync", "--hub", url_, "--api-key-file", dir_ / "stranger.apikey",
                    "--linkage-key-file", dir_ / "link.key"},
                   amman);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("unknown or revoked API key"));

  Json a1 = sync("amman", amman);
  EXPECT_EQ(a1["records_sent"], 252) << "the refused round left them unsent";
  EXPECT_EQ(a1["pairs"], 0);
  // Another linkage key: the hub's key check refuses the batch, which
  // stays unsent (it is not marked done).
  ASSERT_EQ(RunKinlink({"linkage-key", "new", dir_ / "other.key"}).exit_code, 0);
  bad = RunKinlink({"hub", "sync", "--hub", url_, "--api-key-file", dir_ / "beirut.apikey",
                    "--linkage-key-file", dir_ / "other.key"},
                   beirut);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("refused by the hub"));
  EXPECT_THAT(bad.err, HasSubstr("linkage key"));
  Json b1 = sync("beirut", beirut);
  EXPECT_EQ(b1["records_sent"], 251);
  const int pairs = b1["pairs"];
  EXPECT_EQ(b1["matches_stored"], pairs);
  Json a2 = sync("amman", amman);
  EXPECT_EQ(a2["records_sent"], 0) << "nothing is sent twice";
  EXPECT_EQ(a2["pairs"], pairs);
  EXPECT_EQ(a2["matches_stored"], pairs);
  EXPECT_EQ(sync("amman", amman)["pairs"], 0) << "nothing is delivered twice";

  // Both registries hold the pairs as partner matches under shared
  // references: the request here, the person "held by partner".
  auto matches = [&](const std::map<std::string, std::string>& env) {
    RunResult r = RunKinlink({"matches", "--json"}, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, Json> by_ref;
    Json j = Json::parse(r.out, nullptr, false);
    if (!j.is_object()) return by_ref;
    for (const Json& m : j["matches"]) by_ref[m["partner"]["pair_ref"]] = m;
    return by_ref;
  };
  const std::map<std::string, Json> at_amman = matches(amman);
  const std::map<std::string, Json> at_beirut = matches(beirut);
  ASSERT_EQ(at_amman.size(), static_cast<std::size_t>(pairs));
  ASSERT_EQ(at_beirut.size(), static_cast<std::size_t>(pairs));
  int same_id = 0;
  bool canary = false;
  for (const auto& [ref, m] : at_amman) {
    ASSERT_EQ(at_beirut.count(ref), 1u) << ref;
    const Json& other = at_beirut.at(ref);
    EXPECT_EQ(m["partner"]["organisation"], "beirut");
    EXPECT_EQ(m["person"]["partner"], "beirut");
    EXPECT_EQ(other["request"]["partner"], "amman");
    EXPECT_EQ(m["status"], "potential");
    EXPECT_NEAR(m["probability"].get<double>(), other["probability"].get<double>(), 1e-9);
    if (m["request"]["id"] == other["person"]["id"]) ++same_id;
    if (m["request"]["name"] == "Xylbrandt Umequorre") canary = true;
  }
  EXPECT_TRUE(canary) << "the person both hold is found";
  EXPECT_GE(same_id, 95) << "of the 101 people both hold";
  // The generator also writes people twice under other ids: a few pairs
  // join those.
  EXPECT_LE(pairs - same_id, 10);

  // `kinlink serve --hub` does the same on its own: a new person at
  // beirut (a copy of request row 20) goes out, and amman gets the pair.
  WriteCsv(dir_ / "late.csv", {{20, 21}});
  imp = RunKinlink(
      {"import", "--kind", "person", "--office", "beirut-hospital", dir_ / "late.csv"}, beirut);
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  {
    KinlinkProcess serve;
    ASSERT_TRUE(serve.Start({"serve", "--port", "0", "--hub", url_, "--api-key-file",
                             dir_ / "beirut.apikey", "--linkage-key-file", dir_ / "link.key",
                             "--hub-interval", "1"},
                            dir_ / "serve.out", dir_ / "serve.err", "Kinlink", beirut))
        << ReadFile(dir_ / "serve.err");
    std::string log;
    for (int i = 0; i < 300 && log.find("sent 1 record(s)") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      log = ReadFile(dir_ / "serve.err");
    }
    EXPECT_THAT(log, HasSubstr("kinlink: hub: sent 1 record(s) in 1 batch(es)")) << log;
    EXPECT_EQ(serve.Stop(), 0);
    for (const char* word : kCanaryWords) EXPECT_THAT(log, Not(HasSubstr(word))) << word;
  }
  Json a3 = sync("amman", amman);
  EXPECT_GE(a3["pairs"].get<int>(), 1);
  EXPECT_EQ(matches(amman).size(), static_cast<std::size_t>(pairs + a3["pairs"].get<int>()));

  // The hub holds no name of either registry.
  EXPECT_EQ(hub_.Stop(), 0);
  for (const char* word : kCanaryWords) {
    EXPECT_THAT(FilesContaining(dir_ / "hub", word), ::testing::IsEmpty()) << word;
    EXPECT_THAT(ReadFile(dir_ / "hub.err"), Not(HasSubstr(word))) << word;
  }
}

// A raw client of the hub, to assert statuses and messages.
struct HubReply {
  int status = -1;
  Json body;
  std::string message() const {
    return body.is_object() && body.contains("error") ? body["error"].value("message", "") : "";
  }
};

HubReply Upload(int port, const std::string& key, const std::string& bytes,
                const std::string& type = "application/octet-stream") {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  httplib::Headers h;
  if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
  httplib::Result r = c.Post("/hub/v1/encodings", h, bytes, type.c_str());
  HubReply out;
  if (!r) return out;
  out.status = r->status;
  out.body = Json::parse(r->body, nullptr, false);
  return out;
}

TEST_F(HubProcessTest, BadInputIsRefusedWithAClearError) {
  WriteCsv(dir_ / "small.csv", {{0, 30}});
  WriteCsv(dir_ / "more.csv", {{30, 60}});
  WriteCsv(dir_ / "big.csv", {{60, 460}});
  ASSERT_EQ(Encode(dir_ / "small.csv", dir_ / "small.kle").exit_code, 0);
  ASSERT_EQ(Encode(dir_ / "more.csv", dir_ / "more.kle").exit_code, 0);
  ASSERT_EQ(Encode(dir_ / "big.csv", dir_ / "big.kle").exit_code, 0);
  ASSERT_EQ(Encode(dir_ / "more.csv", dir_ / "unfolded.kle", {"--xor-fold", "off"}).exit_code, 0);
  ASSERT_EQ(RunKinlink({"linkage-key", "new", dir_ / "other.key"}).exit_code, 0);
  ASSERT_EQ(RunKinlink({"encode", dir_ / "more.csv", "--linkage-key-file", dir_ / "other.key",
                        "--out", dir_ / "otherkey.kle"})
                .exit_code,
            0);
  const std::string big = ReadFile(dir_ / "big.kle");
  const std::string small = ReadFile(dir_ / "small.kle");
  ASSERT_GT(big.size(), 100000u);
  ASSERT_LT(ReadFile(dir_ / "more.kle").size(), 100000u);

  const int port = StartHub({"--max-upload", "100000"});
  ASSERT_GT(port, 0) << ReadFile(dir_ / "hub.err");
  for (const char* n : {"a", "b", "gone"}) AddNode(n);
  const std::string a = ReadFile(dir_ / "a.apikey").substr(0, 68);
  const std::string gone = ReadFile(dir_ / "gone.apikey").substr(0, 68);
  RunResult first = Submit("a", dir_ / "small.kle");
  ASSERT_EQ(first.exit_code, 0) << first.err;

  // Another schema.
  HubReply r = Upload(port, a, ReadFile(dir_ / "unfolded.kle"));
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.message(), HasSubstr("schema mismatch: encoding schemas differ: xor_fold is on in "
                                     "the hub's pool but off in this upload"));
  // Through the command: the same message, exit code 1.
  RunResult cli = Submit("b", dir_ / "unfolded.kle");
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_THAT(cli.err, HasSubstr("refused by the hub: HTTP 409: schema mismatch"));
  // A truncated file; a file that is not one.
  const std::string more = ReadFile(dir_ / "more.kle");
  r = Upload(port, a, more.substr(0, more.size() - 40));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message(), HasSubstr("the encodings file is refused: encodings file is truncated"));
  r = Upload(port, a, "id,full_name\n1,x\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message(), HasSubstr("not a Kinlink encodings (.kle) file"));
  // A wrong linkage key (the key-check value differs).
  r = Upload(port, a, ReadFile(dir_ / "otherkey.kle"));
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.message(), HasSubstr("wrong linkage key"));
  // The same records again.
  r = Upload(port, a, small);
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.message(), HasSubstr("repeats records the node uploaded before"));
  // Not sent as a file.
  r = Upload(port, a, more, "text/csv");
  EXPECT_EQ(r.status, 415);
  // Over the upload limit: 413 before the body is read.
  r = Upload(port, a, big);
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.message(), HasSubstr("100000"));

  // Unknown, malformed, missing and revoked keys: 401, one message.
  RunResult revoked = RunKinlink({"hub", "node", "revoke", "gone", "--data", dir_ / "hub"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  for (const std::string& key : {gone, std::string("klh_") + std::string(64, '0'),
                                 std::string("not-a-key"), std::string()}) {
    r = Upload(port, key, more);
    EXPECT_EQ(r.status, 401) << key;
    EXPECT_EQ(r.message(), "unknown or revoked API key") << key;
    httplib::Client c("127.0.0.1", port);
    httplib::Headers h;
    if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
    httplib::Result g = c.Get("/hub/v1/pairs?after=0", h);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->status, 401);
    EXPECT_EQ(Json::parse(g->body)["error"]["message"], "unknown or revoked API key");
    EXPECT_EQ(g->get_header_value("WWW-Authenticate"), "Bearer");
  }
  cli = Submit("gone", dir_ / "more.kle");
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_THAT(cli.err, HasSubstr("HTTP 401: unknown or revoked API key"));
  // A bad cursor.
  httplib::Client c("127.0.0.1", port);
  for (const char* query :
       {"after=-1", "after=99999999999999999999", "after=1x", "limit=0", "limit=10001", "name=x"}) {
    httplib::Result g =
        c.Get(std::string("/hub/v1/pairs?") + query, {{"Authorization", "Bearer " + a}});
    ASSERT_TRUE(g);
    EXPECT_EQ(g->status, 400) << query;
  }
  // Nothing refused was stored: b still links with a's 30 records only.
  RunResult ok = Submit("b", dir_ / "more.kle");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(Json::parse(ok.out)["partner_records"], 30);
}

// Over TLS, a node trusts the hub's certificate through --ca-cert; without
// it the upload fails before any byte of the file is sent.
TEST_F(HubProcessTest, NodesReachATlsHubThroughTheirCaCertificate) {
  WriteSelfSignedCert(dir_ / "cert.pem", dir_ / "key.pem");
  WriteCsv(dir_ / "a.csv", {{0, 40}});
  WriteCsv(dir_ / "b.csv", {{20, 60}});
  ASSERT_EQ(Encode(dir_ / "a.csv", dir_ / "a.kle").exit_code, 0);
  ASSERT_EQ(Encode(dir_ / "b.csv", dir_ / "b.kle").exit_code, 0);
  const int port = StartHub({"--tls-cert", dir_ / "cert.pem", "--tls-key", dir_ / "key.pem"});
  ASSERT_GT(port, 0) << ReadFile(dir_ / "hub.err");
  EXPECT_EQ(url_, "https://127.0.0.1:" + std::to_string(port));
  AddNode("a");
  AddNode("b");
  RunResult untrusted = Submit("a", dir_ / "a.kle");
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr("cannot reach the hub"));
  for (const char* n : {"a", "b"}) {
    RunResult r = RunKinlink({"hub", "submit", dir_ / (std::string(n) + ".kle"), "--hub", url_,
                              "--api-key-file", dir_ / (std::string(n) + ".apikey"), "--ca-cert",
                              dir_ / "cert.pem", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  RunResult pairs = RunKinlink({"hub", "pairs", "--hub", url_, "--api-key-file", dir_ / "a.apikey",
                                "--ca-cert", dir_ / "cert.pem", "--refs", dir_ / "a.kle.refs.csv",
                                "--out", dir_ / "a.pairs.csv"});
  ASSERT_EQ(pairs.exit_code, 0) << pairs.err;
  std::set<std::string> ids;
  for (const auto& row : ParseCsvFile(dir_ / "a.pairs.csv")) ids.insert(row[1]);
  ids.erase("own_id");
  EXPECT_GE(ids.size(), 20u);  // the 20 records both hold
}

}  // namespace
}  // namespace kinlink::testing
