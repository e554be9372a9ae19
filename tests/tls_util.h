// TLS helpers for the tests that start servers over HTTPS.
#ifndef KINLINK_TESTS_TLS_UTIL_H_
#define KINLINK_TESTS_TLS_UTIL_H_

#include <string>

namespace kinlink::testing {

// A self-signed certificate for 127.0.0.1 (P-256, one hour), written as
// PEM files. Fails the calling test when OpenSSL refuses.
void WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path);

}  // namespace kinlink::testing

#endif  // KINLINK_TESTS_TLS_UTIL_H_
