// kinlink: restoring family links — the command-line entry point.
#include <cstdio>
#include <exception>

#include "crypto/crypto.h"
#include "tools/kinlink/cli.h"

int main(int argc, char** argv) {
  // No core dumps: a dump would carry keys and decrypted records.
  kinlink::Status hardened = kinlink::crypto::HardenProcess();
  kinlink::Status ready = kinlink::crypto::Initialize();
  if (!hardened.ok() || !ready.ok()) {
    std::fprintf(stderr, "kinlink: %s\n",
                 (hardened.ok() ? ready : hardened).ToString().c_str());
    return kinlink::cli::kExitError;
  }
  try {
    return kinlink::cli::Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kinlink: internal error: %s\n", e.what());
    return kinlink::cli::kExitError;
  }
}
