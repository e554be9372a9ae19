// The kinlink command line: parsing, dispatch to the engine, output.
#ifndef KINLINK_TOOLS_KINLINK_CLI_H_
#define KINLINK_TOOLS_KINLINK_CLI_H_

#include "common/status.h"

namespace kinlink::cli {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;     // failed; nothing changed
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitRejects = 3;   // done, but some input rows were rejected

// The one mapping from a Status to an exit code.
int ExitCodeFor(const Status& status);

int Run(int argc, char** argv);

}  // namespace kinlink::cli

#endif  // KINLINK_TOOLS_KINLINK_CLI_H_
