// Produces the default matching model a registry uses until it has its own
// (data/models/default.json): invented records from synth::Generator with
// noisy duplicates, deduplicated by linkage::Dedupe in encoded mode under a
// random key (u from random pairs, m and λ by EM), then model->ToJson().
//
//   build/bench/search/make_default_model [--count N] [--seed S] OUT.json
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "linkage/linker.h"
#include "synth/synth.h"

int main(int argc, char** argv) {
  using namespace kinlink;
  long long count = 20'000;
  unsigned long long seed = 20261128;
  std::string out;
  bool defaults = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--count") && i + 1 < argc) {
      count = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--defaults")) {
      // The untrained model (score::FellegiSunterModel::Create defaults).
      defaults = true;
    } else if (out.empty() && argv[i][0] != '-') {
      out = argv[i];
    } else {
      std::fprintf(stderr, "usage: make_default_model [--count N] [--seed S] OUT.json\n");
      return 2;
    }
  }
  if (out.empty() || count < 100) {
    std::fprintf(stderr, "usage: make_default_model [--count N>=100] [--seed S] OUT.json\n");
    return 2;
  }
  if (defaults) {
    Result<score::FellegiSunterModel> model =
        score::FellegiSunterModel::Create(linkage::MakeComparisonSpec());
    if (!model.ok()) return 1;
    std::ofstream(out, std::ios::binary | std::ios::trunc) << model->ToJson() << "\n";
    return 0;
  }
  synth::Options options;
  options.seed = seed;
  options.duplicate_rate = 0.2;
  synth::Generator gen(options);
  linkage::Dataset data;
  for (long long i = 0; i < count; ++i) {
    data.records.push_back(gen.Next());
    data.ids.push_back(data.records.back().Get(record::Field::kId));
  }
  linkage::LinkOptions link;
  link.mode = linkage::Mode::kEncoded;
  link.seed = seed;
  Result<linkage::LinkResult> result = linkage::Dedupe(data, link);
  if (!result.ok() || !result->model) {
    std::fprintf(stderr, "make_default_model: %s\n",
                 result.ok() ? "no model" : result.status().ToString().c_str());
    return 1;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << result->model->ToJson() << "\n";
  if (!file) {
    std::fprintf(stderr, "make_default_model: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("records %lld, candidates %llu, EM iterations %d (converged %d), lambda %.6f\n",
              count, static_cast<unsigned long long>(result->stats.candidates),
              result->stats.em_iterations, result->stats.em_converged ? 1 : 0,
              result->stats.lambda);
  return 0;
}
