// auth/roles: the staff roles of a Kinlink node and which of them must use
// a second factor. What each role may do (role x office x action) is
// decided in engine, not here.
//
// Roles are stored and exchanged by name ("admin", ...), never by the
// enum's numeric value.
//
// Thread-safety: pure functions; thread-safe.
//
//   KL_ASSIGN_OR_RETURN(auth::Role role, auth::ParseRole(row.role));
//   if (auth::RequiresSecondFactor(role) && !row.totp_enrolled) { ... }
#ifndef KINLINK_AUTH_ROLES_H_
#define KINLINK_AUTH_ROLES_H_

#include <array>
#include <string_view>

#include "common/result.h"

namespace kinlink::auth {

enum class Role { kAdmin, kOfficer, kCaseworker, kAuditor };

inline constexpr std::array<Role, 4> kAllRoles = {Role::kAdmin, Role::kOfficer, Role::kCaseworker,
                                                  Role::kAuditor};

// "admin", "officer", "caseworker", "auditor".
std::string_view RoleName(Role role);

// The role named exactly (lower case) as RoleName writes it.
// INVALID_ARGUMENT otherwise, listing the valid names (the text given is
// not echoed: it may come from a request).
Result<Role> ParseRole(std::string_view name);

// True for kAdmin and kOfficer: they must pass TOTP at every login.
bool RequiresSecondFactor(Role role);

}  // namespace kinlink::auth

#endif  // KINLINK_AUTH_ROLES_H_
