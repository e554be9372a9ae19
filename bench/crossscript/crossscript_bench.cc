// Cross-script name-token retrieval: for each Arabic or Cyrillic token of a
// data set, rank ALL distinct Latin tokens of that set by a plaintext name
// similarity built from the text module's keys (Latin matching form,
// consonant skeleton, Double Metaphone) and report recall@1 and recall@10
// (any true Latin counterpart ranked in the top k), plus the false-positive
// rate on shuffled (query, wrong candidate) pairs at a threshold.
//
//   crossscript_bench [EVAL_DATA_DIR] [--queries N] [--seed S]
//                     [--threshold T] [--json PATH] [--sets a,b]
// EVAL_DATA_DIR defaults to ../shared/eval-data (relative to the current
// directory, meant to be the repository root).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "jaro_winkler.h"
#include "text/text.h"

namespace kinlink::bench {
namespace {

struct Options {
  std::string data_dir = "../shared/eval-data";
  std::size_t queries = 2000;
  std::uint64_t seed = 20240611;
  double threshold = 0.85;
  std::string json_path;
  std::size_t show_misses = 0;  // print up to this many misses to stderr (public data only)
  std::string sets = "wd-arabic,wd-russian,google-ar2en-train,google-ar2en-eval";
};

struct Keys {
  std::string compact;  // matching form, article split off, no spaces
  std::string skeleton;
  std::string loose;
  text::MetaphoneCodes dm;
};

// The core of a token for comparison: the parsed tokens' texts joined
// ("al-hasan" -> "hasan"), so that article conventions do not matter.
std::string Core(const std::string& latin) {
  std::string out;
  for (const text::Token& t : text::NameTokens(latin).tokens) out += t.text;
  return out;
}

std::string Loose(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case 'o': case 'w': c = 'u'; break;
      case 'e': case 'y': c = 'i'; break;
      case 'v': c = 'f'; break;
      case 'p': c = 'b'; break;
      case 'c': case 'q': c = 'k'; break;
      case 'j': c = 'g'; break;
      case 'z': c = 's'; break;
      default: break;
    }
    if (out.empty() || out.back() != c) out.push_back(c);
  }
  return out;
}

Keys MakeKeys(const std::string& latin) {
  Keys k;
  k.compact = Core(latin);
  k.skeleton = text::ConsonantSkeleton(k.compact);
  k.dm = text::DoubleMetaphone(k.compact);
  k.loose = Loose(k.compact);
  return k;
}

// The benchmark's similarity in [0, 1]: the best of Jaro-Winkler on the
// Latin forms and on the skeletons, plus bonuses for an equal skeleton and
// a shared phonetic code.
double Similarity(const Keys& q, const Keys& c) {
  const double jw_form = JaroWinkler(q.loose, c.loose);
  const double jw_skel = q.skeleton.empty() || c.skeleton.empty()
                             ? 0.0
                             : JaroWinkler(q.skeleton, c.skeleton);
  double s = 0.45 * jw_form + 0.35 * jw_skel;
  if (!q.skeleton.empty() && q.skeleton == c.skeleton) s += 0.12;
  if (text::PhoneticMatch(q.dm, c.dm)) s += 0.08;
  return s;
}

struct DataSet {
  std::string name;
  std::vector<std::string> latin;                        // distinct candidates
  std::map<std::string, std::set<std::uint32_t>> truth;  // native token -> latin ids
};

bool LoadPairs(const std::string& path, bool spaced_native, bool native_first, DataSet& ds) {
  std::ifstream in(path);
  if (!in) return false;
  std::unordered_map<std::string, std::uint32_t> latin_ids;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 2) continue;
    std::string latin = native_first ? cols[1] : cols[0];
    std::string native = native_first ? cols[0] : cols[1];
    if (spaced_native) native.erase(std::remove(native.begin(), native.end(), ' '), native.end());
    if (latin.empty() || native.empty()) continue;
    auto [it, fresh] = latin_ids.emplace(latin, static_cast<std::uint32_t>(ds.latin.size()));
    if (fresh) ds.latin.push_back(latin);
    ds.truth[native].insert(it->second);
  }
  return true;
}

struct Row {
  std::string name;
  std::size_t queries = 0;
  std::size_t candidates = 0;
  double r1 = 0, r10 = 0, fpr = 0, tpr = 0, seconds = 0;
};

Row Evaluate(const DataSet& ds, const Options& opt, text::Transliterator& tr) {
  const auto t0 = std::chrono::steady_clock::now();
  Row row;
  row.name = ds.name;
  row.candidates = ds.latin.size();
  std::vector<Keys> cand;
  cand.reserve(ds.latin.size());
  for (const std::string& l : ds.latin) cand.push_back(MakeKeys(tr.ToLatin(l)));
  std::vector<const std::pair<const std::string, std::set<std::uint32_t>>*> all;
  for (const auto& e : ds.truth) all.push_back(&e);
  std::mt19937_64 rng(opt.seed);
  // Fisher-Yates with explicit modulo: the same sample on every platform.
  for (std::size_t i = all.size(); i > 1; --i) std::swap(all[i - 1], all[rng() % i]);
  all.resize(std::min(all.size(), opt.queries));
  std::size_t hit1 = 0, hit10 = 0, fp = 0, tp = 0;
  std::size_t misses_shown = 0;
  auto truth0 = [](const auto* q) { return *q->second.begin(); };
  for (const auto* q : all) {
    const Keys qk = MakeKeys(tr.ToLatin(q->first));
    std::vector<std::pair<double, std::uint32_t>> top;  // best 10, descending
    for (std::uint32_t c = 0; c < cand.size(); ++c) {
      const double s = Similarity(qk, cand[c]);
      if (top.size() == 10 && s <= top.back().first) continue;
      auto pos = std::upper_bound(top.begin(), top.end(), std::make_pair(s, c),
                                  [](const auto& a, const auto& b) { return a.first > b.first; });
      top.insert(pos, {s, c});
      if (top.size() > 10) top.pop_back();
    }
    bool in10 = false;
    for (const auto& [s, c] : top) in10 = in10 || q->second.count(c) > 0;
    hit10 += in10;
    if (!in10 && opt.show_misses > 0 && misses_shown < opt.show_misses) {
      ++misses_shown;
      std::fprintf(stderr, "miss %s -> %s [%s] truth %s [%s] top1 %s [%s]\n", q->first.c_str(),
                   qk.compact.c_str(), qk.skeleton.c_str(), cand[truth0(q)].compact.c_str(),
                   cand[truth0(q)].skeleton.c_str(),
                   top.empty() ? "" : cand[top[0].second].compact.c_str(),
                   top.empty() ? "" : cand[top[0].second].skeleton.c_str());
    }
    hit1 += !top.empty() && q->second.count(top[0].second) > 0;
    // One true pair and one shuffled (wrong) pair per query.
    const std::uint32_t truth = *q->second.begin();
    tp += Similarity(qk, cand[truth]) >= opt.threshold;
    std::uint32_t wrong = static_cast<std::uint32_t>(rng() % cand.size());
    while (q->second.count(wrong)) wrong = static_cast<std::uint32_t>(rng() % cand.size());
    fp += Similarity(qk, cand[wrong]) >= opt.threshold;
  }
  row.queries = all.size();
  const double n = std::max<std::size_t>(1, row.queries);
  row.r1 = hit1 / n;
  row.r10 = hit10 / n;
  row.fpr = fp / n;
  row.tpr = tp / n;
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return row;
}

int Main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--queries") {
      opt.queries = std::stoul(next());
    } else if (a == "--seed") {
      opt.seed = std::stoull(next());
    } else if (a == "--threshold") {
      opt.threshold = std::stod(next());
    } else if (a == "--json") {
      opt.json_path = next();
    } else if (a == "--misses") {
      opt.show_misses = std::stoul(next());
    } else if (a == "--sets") {
      opt.sets = next();
    } else if (!a.empty() && a[0] != '-') {
      opt.data_dir = a;
    } else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  auto tr_or = text::Transliterator::Create();
  if (!tr_or.ok()) {
    std::cerr << tr_or.status().ToString() << "\n";
    return 1;
  }
  auto& tr = **tr_or;
  struct Spec {
    std::string name, file;
    bool spaced, native_first;
  };
  const std::vector<Spec> specs = {
      {"wd-arabic", "wikidata-translit-coling2018/wd_arabic_80", true, false},
      {"wd-russian", "wikidata-translit-coling2018/wd_russian_80", true, false},
      {"google-ar2en-train", "google-transliteration-ar2en/ar2en-train.txt", false, true},
      {"google-ar2en-eval", "google-transliteration-ar2en/ar2en-eval.txt", false, true},
  };
  std::vector<Row> rows;
  for (const Spec& s : specs) {
    if (("," + opt.sets + ",").find("," + s.name + ",") == std::string::npos) continue;
    DataSet ds;
    ds.name = s.name;
    if (!LoadPairs(opt.data_dir + "/" + s.file, s.spaced, s.native_first, ds)) {
      std::cerr << "skipping " << s.name << ": cannot read " << s.file << "\n";
      continue;
    }
    rows.push_back(Evaluate(ds, opt, tr));
    const Row& r = rows.back();
    std::printf("%-20s %8zu %10zu %8.3f %8.3f %8.4f %8.3f %8.1f\n", r.name.c_str(), r.queries,
                r.candidates, r.r1, r.r10, r.fpr, r.tpr, r.seconds);
    std::fflush(stdout);
  }
  std::printf("%-20s %8s %10s %8s %8s %8s %8s %8s\n", "set", "queries", "candidates", "r@1",
              "r@10", "FPR", "TPR", "seconds");
  for (const Row& r : rows) {
    std::printf("%-20s %8zu %10zu %8.3f %8.3f %8.4f %8.3f %8.1f\n", r.name.c_str(), r.queries,
                r.candidates, r.r1, r.r10, r.fpr, r.tpr, r.seconds);
  }
  std::printf("threshold %.2f (FPR: shuffled pairs scoring >= threshold; TPR: true pairs), seed %llu\n",
              opt.threshold, static_cast<unsigned long long>(opt.seed));
  if (!opt.json_path.empty()) {
    std::ofstream js(opt.json_path);
    js << "{\"threshold\":" << opt.threshold << ",\"seed\":" << opt.seed << ",\"sets\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      js << (i ? "," : "") << "{\"name\":\"" << r.name << "\",\"queries\":" << r.queries
         << ",\"candidates\":" << r.candidates << ",\"recall_at_1\":" << r.r1
         << ",\"recall_at_10\":" << r.r10 << ",\"fpr\":" << r.fpr << ",\"tpr\":" << r.tpr
         << ",\"seconds\":" << r.seconds << "}";
    }
    js << "]}\n";
  }
  return 0;
}

}  // namespace
}  // namespace kinlink::bench

int main(int argc, char** argv) { return kinlink::bench::Main(argc, argv); }
