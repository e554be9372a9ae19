// Terminal helpers for the kinlink command: secrets from files, the
// environment or a no-echo prompt, and a progress bar on stderr.
#ifndef KINLINK_TOOLS_KINLINK_TERMINAL_H_
#define KINLINK_TOOLS_KINLINK_TERMINAL_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "crypto/crypto.h"

namespace kinlink::cli {

// Reads a passphrase file: its bytes less one final line end.
// INVALID_ARGUMENT when empty or over kMaxPassphraseBytes.
Result<crypto::SecretBytes> ReadPassphraseFile(const std::string& path);

// Asks on the controlling terminal without echo. `confirm`: asks twice and
// fails when the answers differ. FAILED_PRECONDITION when there is no
// terminal.
Result<crypto::SecretBytes> PromptPassphrase(const std::string& prompt, bool confirm);

// Asks a yes/no question on the terminal; false when there is none.
bool Confirm(const std::string& question);

bool StderrIsTerminal();

// A one-line progress bar on stderr, drawn only when stderr is a terminal,
// at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void Update(std::uint64_t done, std::uint64_t total, std::uint64_t items);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace kinlink::cli

#endif  // KINLINK_TOOLS_KINLINK_TERMINAL_H_
