#include "auth/roles.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kinlink::auth {
namespace {

TEST(RolesTest, NamesRoundTrip) {
  std::set<std::string_view> names;
  for (Role role : kAllRoles) {
    Result<Role> parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
    names.insert(RoleName(role));
  }
  EXPECT_EQ(names.size(), kAllRoles.size());
  EXPECT_EQ(RoleName(Role::kAdmin), "admin");
  EXPECT_EQ(RoleName(Role::kOfficer), "officer");
  EXPECT_EQ(RoleName(Role::kCaseworker), "caseworker");
  EXPECT_EQ(RoleName(Role::kAuditor), "auditor");
}

TEST(RolesTest, ParseIsExact) {
  for (const char* bad :
       {"", "Admin", "ADMIN", " admin", "admin ", "root", "case worker", "unknown"}) {
    SCOPED_TRACE(bad);
    Result<Role> r = ParseRole(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(ParseRole(std::string("admin\0", 6)).ok());
}

TEST(RolesTest, SecondFactor) {
  EXPECT_TRUE(RequiresSecondFactor(Role::kAdmin));
  EXPECT_TRUE(RequiresSecondFactor(Role::kOfficer));
  EXPECT_FALSE(RequiresSecondFactor(Role::kCaseworker));
  EXPECT_FALSE(RequiresSecondFactor(Role::kAuditor));
  // A value outside the enum (bad data cast in) asks for more, not less.
  EXPECT_TRUE(RequiresSecondFactor(static_cast<Role>(42)));
}

}  // namespace
}  // namespace kinlink::auth
