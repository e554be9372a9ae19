#include "auth/roles.h"

namespace kinlink::auth {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kOfficer:
      return "officer";
    case Role::kCaseworker:
      return "caseworker";
    case Role::kAuditor:
      return "auditor";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role role : kAllRoles) {
    if (name == RoleName(role)) return role;
  }
  return InvalidArgumentError("unknown role (expected admin, officer, caseworker or auditor)");
}

bool RequiresSecondFactor(Role role) {
  switch (role) {
    case Role::kAdmin:
    case Role::kOfficer:
      return true;
    case Role::kCaseworker:
    case Role::kAuditor:
      return false;
  }
  // An out-of-range value (a cast from bad data): ask for more, not less.
  return true;
}

}  // namespace kinlink::auth
