#include "tests/test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "formats/csv.h"

extern char** environ;

namespace kinlink::testing {

namespace fs = std::filesystem;

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (kv.rfind("KINLINK_", 0) == 0) continue;  // tests say what they want
    env.push_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

// Starts argv[0] with stdin, stdout and stderr from/to files; the pid, or
// -1.
pid_t SpawnBackground(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      const std::string& in_path, const std::string& out_path,
                      const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
          const std::string& in_path, const std::string& out_path, const std::string& err_path) {
  const pid_t pid = SpawnBackground(argv, env, in_path, out_path, err_path);
  if (pid < 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

RunResult RunKinlink(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env,
                     const std::string& stdin_text) {
  TempDir io;
  WriteFile(io / "in", stdin_text);
  std::vector<std::string> argv = {KINLINK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r;
  r.exit_code = Spawn(argv, Environment(env), io / "in", io / "out", io / "err");
  r.out = Slurp(io / "out");
  r.err = Slurp(io / "err");
  return r;
}

KinlinkProcess::~KinlinkProcess() { Stop(); }

bool KinlinkProcess::Start(const std::vector<std::string>& args, const std::string& out_path,
                           const std::string& err_path, std::string_view serving,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {KINLINK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  out_path_ = out_path;
  pid_ = SpawnBackground(argv, Environment(env), "/dev/null", out_path, err_path);
  if (pid_ < 0) return false;
  const std::string prefix = std::string(serving) + " is serving on ";
  for (int i = 0; i < 600; ++i) {
    const std::string out = Slurp(out_path);
    const std::size_t at = out.find(prefix);
    const std::size_t end = at == std::string::npos ? at : out.find('\n', at);
    if (end != std::string::npos) {
      url_ = out.substr(at + prefix.size(), end - at - prefix.size());
      port_ = std::atoi(url_.substr(url_.rfind(':') + 1).c_str());
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    ::usleep(50 * 1000);
  }
  return false;
}

int KinlinkProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TempDir::TempDir() {
  std::string base = fs::temp_directory_path().string() + "/kinlink-test-XXXXXX";
  std::vector<char> buf(base.begin(), base.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) std::abort();
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) { return Slurp(path); }

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = Slurp(entry.path().string());
    if (bytes.find(needle) != std::string::npos) hits.push_back(entry.path().string());
  }
  return hits;
}

namespace {

std::u32string Decode(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string Utf16(const std::string& utf8, bool little) {
  std::string out;
  auto put = [&](char16_t u) {
    char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    out.push_back(little ? lo : hi);
    out.push_back(little ? hi : lo);
  };
  for (char32_t cp : Decode(utf8)) {
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(static_cast<char16_t>(0xD800 + (cp >> 10)));
      put(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      put(static_cast<char16_t>(cp));
    }
  }
  return out;
}

}  // namespace

std::string Utf16Le(const std::string& utf8) { return Utf16(utf8, true); }
std::string Utf16Be(const std::string& utf8) { return Utf16(utf8, false); }

int Sqlite3Shell(const std::string& db, const std::string& sql, std::string* output) {
  TempDir io;
  WriteFile(io / "in", "");
  std::vector<std::string> argv = {"/usr/bin/sqlite3", db, sql};
  int rc = Spawn(argv, Environment({}), io / "in", io / "out", io / "err");
  if (output != nullptr) *output = Slurp(io / "out") + Slurp(io / "err");
  return rc;
}

std::vector<std::vector<std::string>> ParseCsvFile(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  auto reader = formats::CsvReader::OpenFile(path);
  if (!reader.ok()) return rows;
  formats::CsvRow row;
  while (true) {
    Result<bool> more = (*reader)->Next(&row);
    if (!more.ok() || !*more) break;
    rows.push_back(row.fields);
  }
  return rows;
}

}  // namespace kinlink::testing
