#include "store/internal/registry_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace kinlink::store::internal {
namespace {

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

Status ErrnoError(int err, std::string_view operation) {
  std::string message(operation);
  message += ": ";
  message += std::strerror(err);  // names the failure, never file contents
  switch (err) {
    case EEXIST:
      return AlreadyExistsError(message);
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
      return ResourceExhaustedError(message);
    default:
      return InternalError(message);
  }
}

Status CreateRegistryFile(const std::string& path) {
  // A leftover log beside a new file would be replayed into it.
  if (PathExists(path + "-wal") || PathExists(path + "-shm")) {
    return AlreadyExistsError("create registry: a write-ahead log of an earlier file exists");
  }
  // Created here, exclusively and owner-only, before SQLite writes a byte;
  // SQLite gives its -wal and -shm files the same mode.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoError(errno, "create registry");
  int chmod_rc = ::fchmod(fd, 0600);
  int chmod_errno = errno;
  ::close(fd);
  if (chmod_rc != 0) {
    ::unlink(path.c_str());
    return ErrnoError(chmod_errno, "create registry: set file mode");
  }
  return OkStatus();
}

Status CheckRegistryFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(errno, "open registry");
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError("open registry: not a regular file");
  return OkStatus();
}

void RemoveRegistryFiles(const std::string& path) {
  ::unlink(path.c_str());
  ::unlink((path + "-wal").c_str());
  ::unlink((path + "-shm").c_str());
}

}  // namespace kinlink::store::internal
