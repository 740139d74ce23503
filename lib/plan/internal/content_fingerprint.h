// The fingerprint of a posting's canonical content, hashed as its fields are
// added. A plan outputs only the fingerprint of each content string, never
// its text, so the planner streams the fields into SHA-1 through a fixed
// buffer instead of building a ContentString: no allocation, one pass.
//
//   ContentFingerprint content;
//   content.Add("kind", "stock-movement").Add("quantity", int64_t{2});
//   Uuid fingerprint = content.Finish();
//
// The result is, byte for byte, ContentString with the same Add calls, then
// Uuid5(RetconNamespace(), text()). Implemented in lib/plan/idempotency.cc,
// beside ContentString, with which it shares the field encoding.
#ifndef RETCON_LIB_PLAN_INTERNAL_CONTENT_FINGERPRINT_H_
#define RETCON_LIB_PLAN_INTERNAL_CONTENT_FINGERPRINT_H_

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "retcon/idempotency.h"

namespace retcon {
namespace plan_internal {

// Incremental SHA-1 from libcrypto: the SHA1_* functions where OpenSSL has
// them (see Sha1Digest in idempotency.cc for why not EVP), else EVP with a
// context of its own. Dies on a libcrypto failure, as Uuid5 does.
// Thread-compatible.
class Sha1 {
 public:
  Sha1();
  ~Sha1();
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  void Update(const void* data, size_t size);
  // REQUIRES: called once, last.
  void Final(unsigned char (&digest)[SHA_DIGEST_LENGTH]);

 private:
#if !defined(OPENSSL_NO_DEPRECATED_3_0)
  SHA_CTX ctx_;
#else
  EVP_MD_CTX* const ctx_;  // Owned.
#endif
};

// Thread-compatible.
class ContentFingerprint {
 public:
  ContentFingerprint();
  ContentFingerprint(const ContentFingerprint&) = delete;
  ContentFingerprint& operator=(const ContentFingerprint&) = delete;

  ContentFingerprint& Add(absl::string_view name, absl::string_view value);
  ContentFingerprint& Add(absl::string_view name, int64_t value);
  // REQUIRES: called once, after the last Add.
  Uuid Finish();

 private:
  // Room for a typical posting's whole content (200-350 bytes): hashed at
  // once by Finish.
  static constexpr size_t kBufferSize = 512;

  // Hashes the buffered bytes and empties the buffer.
  void Flush();
  // Add for a field that may not fit the buffer even when empty.
  void AddLong(absl::string_view name, absl::string_view value);

  Sha1 sha_;
  size_t size_ = 0;  // Bytes in buffer_.
  char buffer_[kBufferSize];
};

}  // namespace plan_internal
}  // namespace retcon

#endif  // RETCON_LIB_PLAN_INTERNAL_CONTENT_FINGERPRINT_H_
