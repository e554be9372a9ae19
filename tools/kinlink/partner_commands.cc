// A node's side of cross-organisation linkage: `kinlink serve --hub` (a
// thread that exchanges with the hub every few minutes) and `kinlink hub
// sync` (one round, e.g. from cron). See docs/pprl.md, "A node and its
// hub". The API key and the linkage key are credentials: read from files,
// never printed or logged.
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/node.h"
#include "pprl/pprl.h"
#include "server/hub_client.h"
#include "tools/kinlink/cli.h"
#include "tools/kinlink/commands.h"

namespace kinlink::cli {

namespace {

using json = nlohmann::ordered_json;

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// The API key: the first line of the file, without surrounding blanks.
Result<crypto::SecretBytes> ReadApiKey(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("give this node's API key with --api-key-file");
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read the API key file " + path);
  std::string line;
  std::getline(in, line);
  const std::size_t begin = line.find_first_not_of(" \t\r");
  const std::size_t end = line.find_last_not_of(" \t\r");
  if (begin == std::string::npos) {
    crypto::Wipe(line);
    return InvalidArgumentError("the API key file " + path + " is empty");
  }
  crypto::SecretBytes key = crypto::SecretBytes::CopyOf(
      std::string_view(line).substr(begin, end - begin + 1));
  crypto::Wipe(line);
  return key;
}

// Everything partner linkage needs from the flags, held for the node's
// lifetime (the node keeps a pointer to the name-variant table).
struct PartnerSetup {
  std::optional<text::NameVariants> variants;
  std::unique_ptr<server::HubClient> client;
};

Result<std::unique_ptr<PartnerSetup>> SetUpPartnerLinkage(const Options& o, engine::Node& node) {
  if (o.linkage_key_file.empty()) {
    return InvalidArgumentError("partner linkage needs the linkage key: --linkage-key-file");
  }
  auto setup = std::make_unique<PartnerSetup>();
  engine::PartnerLinkOptions po;
  KL_ASSIGN_OR_RETURN(po.linkage_key, LinkageKey(o));
  KL_RETURN_IF_ERROR(LoadVariantsFor(o, &setup->variants, &po.schema.name_variants));
  po.variants = setup->variants ? &*setup->variants : nullptr;
  KL_ASSIGN_OR_RETURN(po.schema.hardening.salt, pprl::ParseSalt(o.salt));
  po.schema.hardening.xor_fold = o.xor_fold == "on";
  if (o.hub_batch > 0) po.batch_records = o.hub_batch;
  KL_RETURN_IF_ERROR(node.EnablePartnerLinkage(std::move(po)));
  KL_ASSIGN_OR_RETURN(setup->client, HubClientFromFlags(o));
  return setup;
}

std::string ReportLine(const server::PartnerSyncReport& r) {
  return "sent " + std::to_string(r.records_sent) + " record(s) in " +
         std::to_string(r.batches) + " batch(es); read " + std::to_string(r.pairs) +
         " pair(s), stored " + std::to_string(r.matches_stored) + " partner match(es)" +
         (r.unknown_pairs > 0 ? ", " + std::to_string(r.unknown_pairs) +
                                    " naming no record here (erased)"
                              : "");
}

}  // namespace

Result<std::unique_ptr<server::HubClient>> HubClientFromFlags(const Options& o) {
  if (o.hub_url.empty()) return InvalidArgumentError("give the hub's URL with --hub");
  server::HubClientOptions co;
  co.url = o.hub_url;
  KL_ASSIGN_OR_RETURN(co.api_key, ReadApiKey(o.api_key_file));
  co.ca_cert = o.ca_cert;
  return server::HubClient::Create(std::move(co));
}

struct PartnerSyncLoop::Impl {
  std::unique_ptr<PartnerSetup> setup;
  engine::Node* node = nullptr;
  std::int64_t interval_s = 300;
  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  void Run() {
    for (;;) {
      Result<server::PartnerSyncReport> r = server::PartnerSync(*node, *setup->client, Now());
      if (r.ok()) {
        if (r->records_sent > 0 || r->pairs > 0) {
          std::fprintf(stderr, "kinlink: hub: %s\n", ReportLine(*r).c_str());
        }
      } else {
        // Messages name batches, counts and the hub's reply: no record data.
        std::fprintf(stderr, "kinlink: hub: %s (trying again in %lld s)\n",
                     r.status().ToString().c_str(), static_cast<long long>(interval_s));
      }
      std::unique_lock<std::mutex> lock(mu);
      if (wake.wait_for(lock, std::chrono::seconds(interval_s), [&] { return stopping; })) return;
    }
  }
};

PartnerSyncLoop::PartnerSyncLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PartnerSyncLoop::~PartnerSyncLoop() { Stop(); }

Result<std::unique_ptr<PartnerSyncLoop>> PartnerSyncLoop::Start(const Options& o,
                                                                engine::Node& node) {
  auto impl = std::make_unique<Impl>();
  KL_ASSIGN_OR_RETURN(impl->setup, SetUpPartnerLinkage(o, node));
  impl->node = &node;
  impl->interval_s = o.hub_interval;
  std::unique_ptr<PartnerSyncLoop> loop(new PartnerSyncLoop(std::move(impl)));
  Impl* raw = loop->impl_.get();
  raw->thread = std::thread([raw] { raw->Run(); });
  return loop;
}

void PartnerSyncLoop::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

int CmdHubSync(const Options& o) {
  engine::NodeOptions options;
  options.actor = CliActor();
  Result<engine::KeySource> key = OpenKey(o);
  if (!key.ok()) return Fail(o, key.status());
  Result<std::unique_ptr<engine::Node>> node = engine::Node::Open(o.data, *key, options);
  if (!node.ok()) return Fail(o, node.status());
  Result<std::unique_ptr<PartnerSetup>> setup = SetUpPartnerLinkage(o, **node);
  if (!setup.ok()) return Fail(o, setup.status());
  Result<server::PartnerSyncReport> r = server::PartnerSync(**node, *(*setup)->client, Now());
  if (!r.ok()) return Fail(o, r.status());
  if (o.json) {
    std::cout << json{{"batches", r->batches},
                      {"records_sent", r->records_sent},
                      {"pairs", r->pairs},
                      {"matches_stored", r->matches_stored},
                      {"unknown_pairs", r->unknown_pairs}}
                     .dump()
              << "\n";
  } else {
    std::printf("Hub: %s.\n", ReportLine(*r).c_str());
  }
  return kExitOk;
}

}  // namespace kinlink::cli
