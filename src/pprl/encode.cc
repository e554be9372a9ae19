// EncodeDataset: records → .kle, in chunks, each chunk extracted by all
// workers and then written in order (the file is streamed, never held
// whole in memory).
#include <sodium.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "linkage/encoded_io.h"
#include "pprl/pprl.h"
#include "text/transliterator.h"

namespace kinlink::pprl {

namespace {

double ProcessCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Random bytes and uniform numbers for one run: a ChaCha20 key stream
// under a key from the system's generator (one system call per run; the
// system's generator itself is read 256 bytes per call).
class RunRandom {
 public:
  RunRandom() { crypto_stream_chacha20_ietf_keygen(key_.data()); }
  RunRandom(const RunRandom&) = delete;
  RunRandom& operator=(const RunRandom&) = delete;
  ~RunRandom() { sodium_memzero(key_.data(), key_.size()); }

  // Fills [p, p + n) with random bytes. Each call takes a new nonce, so no
  // part of the stream is used twice.
  void Fill(void* p, std::size_t n) {
    std::array<unsigned char, crypto_stream_chacha20_ietf_NONCEBYTES> nonce{};
    std::memcpy(nonce.data(), &nonces_, sizeof nonces_);
    ++nonces_;
    crypto_stream_chacha20_ietf(static_cast<unsigned char*>(p), n, nonce.data(), key_.data());
  }

  // Uniform in [0, bound); bound > 0. Lemire's multiply-and-reject, so no
  // modulo bias.
  std::uint64_t Below(std::uint64_t bound) {
    Wide m = static_cast<Wide>(Next()) * bound;
    if (static_cast<std::uint64_t>(m) < bound) {
      const std::uint64_t reject_below = (0 - bound) % bound;
      while (static_cast<std::uint64_t>(m) < reject_below) m = static_cast<Wide>(Next()) * bound;
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

 private:
  __extension__ using Wide = unsigned __int128;  // g++: an extension under -Wpedantic
  std::uint64_t Next() {
    if (next_ == block_.size()) {
      Fill(block_.data(), block_.size() * sizeof block_[0]);
      next_ = 0;
    }
    return block_[next_++];
  }
  std::array<unsigned char, crypto_stream_chacha20_ietf_KEYBYTES> key_{};
  std::uint64_t nonces_ = 0;
  std::array<std::uint64_t, 4096> block_{};
  std::size_t next_ = block_.size();
};

// Whether every value of every record is plain ASCII (text::IsPlainAscii).
bool AllPlainAscii(const linkage::Dataset& data) {
  for (const record::Record& r : data.records) {
    for (std::size_t f = 0; f < record::kFieldCount; ++f) {
      if (!text::IsPlainAscii(r.Get(static_cast<record::Field>(f)))) return false;
    }
  }
  return true;
}

int Workers(int requested) {
  if (requested > 0) return std::min(requested, 64);
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
}

}  // namespace

linkage::BloomHardening DefaultHardening() {
  linkage::BloomHardening h;
  h.salt = linkage::BloomSalt::kNone;
  h.xor_fold = true;
  return h;
}

std::string RefHex(const RecordRef& ref) {
  return crypto::ToHex(std::string_view(reinterpret_cast<const char*>(ref.data()), ref.size()));
}

Result<EncodeStats> EncodeDataset(const linkage::Dataset& data,
                                  const crypto::SecretBytes& linkage_key,
                                  const EncodeOptions& options, std::ostream& out,
                                  std::vector<RefIndex>* refs) {
  const auto started = std::chrono::steady_clock::now();
  const double cpu_started = ProcessCpuSeconds();
  const std::size_t chunk_records = std::max<std::size_t>(1, options.chunk_records);
  const std::size_t n = data.records.size();
  if (n == 0) return InvalidArgumentError("nothing to encode: the input has no usable records");
  if (n > kMaxKleRecords) {
    return InvalidArgumentError("over " + std::to_string(kMaxKleRecords) + " records");
  }
  if (linkage_key.size() != crypto::kKeyBytes) {
    return InvalidArgumentError("the linkage key must be 32 bytes");
  }
  if (options.refs != nullptr && options.refs->size() != n) {
    return InvalidArgumentError("EncodeOptions::refs must have one reference per record");
  }
  const crypto::SecretBytes key = ExtractionKey(linkage_key);
  linkage::ExtractorOptions xo;
  xo.mode = linkage::Mode::kEncoded;
  xo.key = &key;
  xo.variants = options.variants;
  xo.hardening = options.schema.hardening;
  xo.record_bloom = true;
  // Plain-ASCII input (FEBRL, most Latin-script lists) never needs an ICU
  // transform, so the transliterator is made only if a value does.
  xo.lazy_transliterator = AllPlainAscii(data);

  // A random order: the file must not reveal the input's (often sorted
  // by name or date) order.
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  auto random = std::make_unique<RunRandom>();
  for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[random->Below(i + 1)]);

  const int workers = std::min<int>(Workers(options.threads), static_cast<int>((n + 1023) / 1024));
  // The first extractor compiles the ICU transforms; the others clone them.
  std::vector<std::unique_ptr<linkage::FeatureExtractor>> extractors;
  KL_ASSIGN_OR_RETURN(std::unique_ptr<linkage::FeatureExtractor> first,
                      linkage::FeatureExtractor::Create(xo));
  extractors.push_back(std::move(first));
  for (int w = 1; w < workers; ++w) {
    KL_ASSIGN_OR_RETURN(std::unique_ptr<linkage::FeatureExtractor> x, extractors[0]->Clone());
    extractors.push_back(std::move(x));
  }

  KleWriter writer(out, options.schema, KeyCheck(linkage_key), n);
  struct Encoded {
    std::string blob;
    linkage::BlockingKeyRow keys;
    match::BloomFilter filter;
  };
  // Two chunk buffers: the workers extract chunk c into one while this
  // thread writes chunk c - 1 from the other, so writing (serial) overlaps
  // extraction (parallel).
  std::vector<Encoded> buffers[2];
  buffers[0].resize(std::min(n, chunk_records));
  buffers[1].resize(std::min(n, chunk_records));
  auto extract = [&](std::size_t begin, std::vector<Encoded>* chunk) {
    const std::size_t len = std::min(n, begin + chunk_records) - begin;
    auto work = [&, begin, len, chunk](int w) {
      linkage::Features f;
      const std::size_t per = (len + static_cast<std::size_t>(workers) - 1) / workers;
      const std::size_t lo = std::min(len, per * static_cast<std::size_t>(w));
      const std::size_t hi = std::min(len, lo + per);
      for (std::size_t i = lo; i < hi; ++i) {
        Encoded& e = (*chunk)[i];
        extractors[static_cast<std::size_t>(w)]->Extract(data.records[order[begin + i]], &f,
                                                         &e.keys, &e.filter);
        linkage::SerializeEncoded(f, &e.blob);
      }
    };
    std::vector<std::thread> threads;
    for (int w = 1; w < workers; ++w) threads.emplace_back(work, w);
    work(0);
    for (std::thread& t : threads) t.join();
  };
  static_assert(sizeof(RecordRef) == kKleRefBytes);  // a vector of them is one byte run
  std::vector<RecordRef> fresh_refs;  // a chunk's new references, drawn in one call
  auto write = [&](std::size_t begin, const std::vector<Encoded>& chunk) -> Status {
    const std::size_t len = std::min(n, begin + chunk_records) - begin;
    if (options.refs == nullptr) {
      fresh_refs.resize(len);
      random->Fill(fresh_refs.data(), len * sizeof(RecordRef));
    }
    for (std::size_t i = 0; i < len; ++i) {
      RefIndex ri;
      ri.index = order[begin + i];
      ri.ref = options.refs != nullptr ? (*options.refs)[ri.index] : fresh_refs[i];
      KL_RETURN_IF_ERROR(
          writer.AddSerialized(ri.ref, chunk[i].blob, chunk[i].keys, chunk[i].filter));
      if (refs != nullptr) refs->push_back(ri);
    }
    if (options.progress) options.progress(begin + len, n);
    return OkStatus();
  };
  extract(0, &buffers[0]);
  for (std::size_t begin = 0, c = 0; begin < n; begin += chunk_records, ++c) {
    const std::size_t next = begin + chunk_records;
    std::thread ahead;
    if (next < n) ahead = std::thread(extract, next, &buffers[(c + 1) % 2]);
    Status written = write(begin, buffers[c % 2]);
    if (ahead.joinable()) ahead.join();
    KL_RETURN_IF_ERROR(written);
  }
  KL_RETURN_IF_ERROR(writer.Finish());
  EncodeStats stats;
  stats.records = n;
  stats.threads = workers;
  stats.cpu_seconds_encode = ProcessCpuSeconds() - cpu_started;
  stats.seconds_encode =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

}  // namespace kinlink::pprl
