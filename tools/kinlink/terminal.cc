#include "tools/kinlink/terminal.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "common/limits.h"

namespace kinlink::cli {

namespace {

void StripLineEnd(std::string& s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
}

// Reads one line from the terminal `fd` with echo off.
Result<std::string> ReadHidden(int fd, const std::string& prompt) {
  if (::write(fd, prompt.data(), prompt.size()) < 0) {
    return FailedPreconditionError("cannot write to the terminal");
  }
  termios old_mode{};
  const bool have_mode = ::tcgetattr(fd, &old_mode) == 0;
  if (have_mode) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSANOW, &quiet);
  }
  std::string line;
  char c;
  while (line.size() <= limits::kMaxPassphraseBytes && ::read(fd, &c, 1) == 1 && c != '\n') {
    line.push_back(c);
  }
  if (have_mode) ::tcsetattr(fd, TCSANOW, &old_mode);
  if (::write(fd, "\n", 1) < 0) {
    // The newline is cosmetic.
  }
  StripLineEnd(line);
  return line;
}

}  // namespace

Result<crypto::SecretBytes> ReadPassphraseFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read the passphrase file " + path);
  std::string text;
  text.resize(limits::kMaxPassphraseBytes + 3);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  StripLineEnd(text);
  crypto::SecretBytes secret = crypto::SecretBytes::CopyOf(text);
  crypto::Wipe(text);
  if (secret.empty()) return InvalidArgumentError("the passphrase file " + path + " is empty");
  if (secret.size() > limits::kMaxPassphraseBytes) {
    return InvalidArgumentError("the passphrase file " + path + " is over " +
                                std::to_string(limits::kMaxPassphraseBytes) +
                                " bytes (kMaxPassphraseBytes)");
  }
  return secret;
}

Result<crypto::SecretBytes> PromptPassphrase(const std::string& prompt, bool confirm) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return FailedPreconditionError(
        "no passphrase: set KINLINK_PASSPHRASE, use --passphrase-file, or run on a terminal");
  }
  Result<std::string> first = ReadHidden(fd, prompt);
  if (!first.ok()) {
    ::close(fd);
    return first.status();
  }
  if (confirm) {
    Result<std::string> second = ReadHidden(fd, "Repeat it: ");
    if (!second.ok() || *second != *first) {
      ::close(fd);
      if (second.ok()) crypto::Wipe(*second);
      crypto::Wipe(*first);
      return InvalidArgumentError("the two passphrases differ");
    }
    crypto::Wipe(*second);
  }
  ::close(fd);
  crypto::SecretBytes secret = crypto::SecretBytes::CopyOf(*first);
  crypto::Wipe(*first);
  if (secret.empty()) return InvalidArgumentError("the passphrase is empty");
  return secret;
}

bool Confirm(const std::string& question) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  std::string prompt = question + " [y/N] ";
  bool yes = false;
  if (::write(fd, prompt.data(), prompt.size()) >= 0) {
    char buf[16] = {};
    ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
    yes = n > 0 && (buf[0] == 'y' || buf[0] == 'Y');
  }
  ::close(fd);
  return yes;
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      enabled_(StderrIsTerminal()),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(std::uint64_t done, std::uint64_t total, std::uint64_t items) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%s [%s] %3d%%  %llu rows  %.0f rows/s ", label_.c_str(), bar.c_str(),
               static_cast<int>(frac * 100), static_cast<unsigned long long>(items),
               secs > 0 ? static_cast<double>(items) / secs : 0.0);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace kinlink::cli
