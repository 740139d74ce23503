// UUIDv5 keys and fingerprints over canonical strings (RFC 9562, 5.5).
#include "retcon/idempotency.h"

// The SHA1_* functions are deprecated in OpenSSL 3.0; see Sha1Digest. An
// OpenSSL built without deprecated APIs gets EVP instead.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/plan/internal/content_fingerprint.h"

namespace retcon {
namespace {

constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

// A wrong key would post a return twice, so a libcrypto failure stops the
// process instead of returning one.
[[noreturn]] void DieOnCryptoFailure(const char* what) {
  std::fprintf(stderr, "retcon: OpenSSL SHA-1 failed in %s\n", what);
  std::abort();
}

// SHA-1 of `prefix` then `name`, fed incrementally so that no name, however
// long, is copied. plan_internal::Sha1 uses libcrypto's SHA-1 functions
// rather than EVP: in OpenSSL 3.0 every EVP_DigestInit_ex2 on a reused
// context frees and allocates the provider's digest state, and EVP adds a
// dispatch per call; a plan hashes six short strings, where that was 30-40
// ns of each ~120-240 ns digest. Same SHA-1 code underneath (deprecated in
// 3.0, not removed). An OpenSSL without them gets EVP, slower but correct.
void Sha1Digest(const Uuid& prefix, absl::string_view name,
                unsigned char (&out)[SHA_DIGEST_LENGTH]) {
  plan_internal::Sha1 sha;
  sha.Update(prefix.data(), prefix.size());
  sha.Update(name.data(), name.size());
  sha.Final(out);
}

#if defined(OPENSSL_NO_DEPRECATED_3_0)
// The SHA-1 digest for EVP, fetched once (never freed).
const EVP_MD* Sha1Md() {
  static const EVP_MD* const kSha1 = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    if (md == nullptr) DieOnCryptoFailure("EVP_MD_fetch");
    return md;
  }();
  return kSha1;
}
#endif

// The UUIDv5 of a SHA-1 digest: its first 16 bytes, version 5, RFC 4122
// variant.
Uuid UuidOfDigest(const unsigned char (&digest)[SHA_DIGEST_LENGTH]) {
  Uuid uuid;
  for (size_t i = 0; i < uuid.size(); ++i) uuid[i] = digest[i];
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x50);  // Version 5.
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);  // RFC variant.
  return uuid;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses the 8-4-4-4-12 form of a constant known to be well formed.
Uuid ParseUuidConstant(absl::string_view text) {
  Uuid uuid{};
  size_t byte = 0;
  for (size_t i = 0; i + 1 < text.size() && byte < uuid.size();) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    uuid[byte++] =
        static_cast<uint8_t>(HexValue(text[i]) << 4 | HexValue(text[i + 1]));
    i += 2;
  }
  return uuid;
}

// A-Z a-z 0-9 '-' '.' '_' '~', as a table: segments are scanned byte by
// byte on every posting.
struct UnreservedTable {
  bool byte[256] = {};
  constexpr UnreservedTable() {
    for (int c = 0; c < 256; ++c) {
      byte[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                c == '~';
    }
  }
};
constexpr UnreservedTable kUnreserved;

bool IsUnreserved(unsigned char c) { return kUnreserved.byte[c]; }

// Bytes `segment` takes once encoded.
size_t EncodedSize(absl::string_view segment) {
  size_t size = segment.size();
  for (char c : segment) {
    if (!IsUnreserved(static_cast<unsigned char>(c))) size += 2;
  }
  return size;
}

// Writes `segment` encoded at `out` (EncodedSize(segment) bytes); returns
// the end.
char* EncodeTo(absl::string_view segment, size_t encoded_size, char* out) {
  if (encoded_size == segment.size()) {  // Ids and SKUs, mostly.
    if (!segment.empty()) std::memcpy(out, segment.data(), segment.size());
    return out + segment.size();
  }
  for (char ch : segment) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      *out++ = ch;
    } else {
      *out++ = '%';
      *out++ = kHexUpper[c >> 4];
      *out++ = kHexUpper[c & 0x0f];
    }
  }
  return out;
}

void AppendEncodedSegment(absl::string_view segment, std::string* out) {
  const size_t size = EncodedSize(segment);
  const size_t at = out->size();
  out->resize(at + size);
  EncodeTo(segment, size, &(*out)[at]);
}

// memcpy for a field name (mostly 2-16 bytes), in two overlapping moves
// rather than a call into libc: a plan writes some 35 fields.
void CopyShort(char* out, const void* from, size_t size) {
  const char* in = static_cast<const char*>(from);
  if (size >= 8 && size <= 16) {
    uint64_t head, tail;
    std::memcpy(&head, in, 8);
    std::memcpy(&tail, in + size - 8, 8);
    std::memcpy(out, &head, 8);
    std::memcpy(out + size - 8, &tail, 8);
  } else if (size >= 4 && size < 8) {
    uint32_t head, tail;
    std::memcpy(&head, in, 4);
    std::memcpy(&tail, in + size - 4, 4);
    std::memcpy(out, &head, 4);
    std::memcpy(out + size - 4, &tail, 4);
  } else if (size < 4) {
    for (size_t i = 0; i < size; ++i) out[i] = in[i];
  } else {
    std::memcpy(out, in, size);
  }
}

// Writes `segment` encoded at `out`, which has room for 3 bytes per byte of
// it, in one pass; returns the end.
char* EncodeInto(absl::string_view segment, char* out) {
  const unsigned char* in =
      reinterpret_cast<const unsigned char*>(segment.data());
  const unsigned char* const end = in + segment.size();
  for (;;) {
    // Four unreserved bytes at a time, copied as a word: ids and SKUs,
    // mostly, have no byte to encode.
    while (end - in >= 4 && IsUnreserved(in[0]) & IsUnreserved(in[1]) &
                                IsUnreserved(in[2]) & IsUnreserved(in[3])) {
      std::memcpy(out, in, 4);
      in += 4;
      out += 4;
    }
    if (in == end) return out;
    const unsigned char c = *in++;
    if (IsUnreserved(c)) {
      *out++ = static_cast<char>(c);
    } else {
      out[0] = '%';
      out[1] = kHexUpper[c >> 4];
      out[2] = kHexUpper[c & 0x0f];
      out += 3;
    }
  }
}

// Fields and identities this long or shorter (at worst, every byte
// encoded) are built on the stack and appended at once: a plan builds
// dozens, and growing the string first (resize) zero-fills it and scans
// each value twice.
constexpr size_t kStackField = 256;

// Bytes WriteField may take (every byte of `value` encoded, at worst).
size_t FieldRoom(absl::string_view name, absl::string_view value) {
  return 2 + name.size() + 3 * value.size();
}

// Writes `prefix`, `name`, `separator` and `value` encoded at `out`, which
// has room for FieldRoom(name, value) bytes; returns the end.
char* WriteField(char prefix, absl::string_view name, char separator,
                 absl::string_view value, char* out) {
  *out++ = prefix;
  CopyShort(out, name.data(), name.size());
  out += name.size();
  *out++ = separator;
  return EncodeInto(value, out);
}

// Appends `prefix`, `name`, `separator` and `value` encoded.
void AppendField(char prefix, absl::string_view name, char separator,
                 absl::string_view value, std::string* out) {
  if (FieldRoom(name, value) <= kStackField) {
    char field[kStackField];
    const char* end = WriteField(prefix, name, separator, value, field);
    out->append(field, end - field);
    return;
  }
  const size_t size = EncodedSize(value);
  const size_t at = out->size();
  out->resize(at + 2 + name.size() + size);
  char* p = &(*out)[at];
  *p++ = prefix;
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  *p++ = separator;
  EncodeTo(value, size, p);
}

}  // namespace

const Uuid& RetconNamespace() {
  static const Uuid kNamespace = ParseUuidConstant(kRetconNamespace);
  return kNamespace;
}

Uuid Uuid5(const Uuid& name_space, absl::string_view name) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  Sha1Digest(name_space, name, digest);
  return UuidOfDigest(digest);
}

// Each byte's two lower-case hex digits: six UUIDs are written per plan.
struct HexPairTable {
  char pair[256][2] = {};
  constexpr HexPairTable() {
    for (int b = 0; b < 256; ++b) {
      pair[b][0] = kHexLower[b >> 4];
      pair[b][1] = kHexLower[b & 0x0f];
    }
  }
};
constexpr HexPairTable kHexPairs;

void FormatUuid(const Uuid& uuid, char (&text)[36]) {
  // Bytes 0-3, 4-5, 6-7, 8-9, 10-15, dash-separated; written out, without
  // a loop: six UUIDs per plan.
  auto hex = [&](size_t i, size_t at) {
    std::memcpy(text + at, kHexPairs.pair[uuid[i]], 2);
  };
  hex(0, 0);
  hex(1, 2);
  hex(2, 4);
  hex(3, 6);
  hex(4, 9);
  hex(5, 11);
  hex(6, 14);
  hex(7, 16);
  hex(8, 19);
  hex(9, 21);
  hex(10, 24);
  hex(11, 26);
  hex(12, 28);
  hex(13, 30);
  hex(14, 32);
  hex(15, 34);
  text[8] = text[13] = text[18] = text[23] = '-';
}

std::string FormatUuid(const Uuid& uuid) {
  char text[36];
  FormatUuid(uuid, text);
  return std::string(text, sizeof(text));
}

std::string RetconUuid(absl::string_view name) {
  return FormatUuid(Uuid5(RetconNamespace(), name));
}

std::string EncodeSegment(absl::string_view segment) {
  std::string encoded;
  AppendEncodedSegment(segment, &encoded);
  return encoded;
}

std::string CanonicalIdentity(absl::string_view kind,
                              absl::Span<const absl::string_view> segments) {
  constexpr absl::string_view kPrefix = "retcon/v1/";
  size_t worst = kPrefix.size() + kind.size();
  for (absl::string_view segment : segments) worst += 1 + 3 * segment.size();
  if (worst <= kStackField) {
    char text[kStackField];
    char* p = text;
    std::memcpy(p, kPrefix.data(), kPrefix.size());
    p += kPrefix.size();
    std::memcpy(p, kind.data(), kind.size());
    p += kind.size();
    for (absl::string_view segment : segments) {
      *p++ = '/';
      p = EncodeInto(segment, p);
    }
    return std::string(text, p - text);
  }
  size_t size = kPrefix.size() + kind.size();
  for (absl::string_view segment : segments) size += 1 + segment.size();
  std::string identity;
  identity.reserve(size);
  identity.append(kPrefix.data(), kPrefix.size());
  identity.append(kind.data(), kind.size());
  for (absl::string_view segment : segments) {
    const size_t encoded = EncodedSize(segment);
    const size_t at = identity.size();
    identity.resize(at + 1 + encoded);
    identity[at] = '/';
    EncodeTo(segment, encoded, &identity[at + 1]);
  }
  return identity;
}

ContentString& ContentString::Add(absl::string_view name,
                                  absl::string_view value) {
  AppendField('|', name, '=', value, &text_);
  return *this;
}

ContentString& ContentString::Add(absl::string_view name, int64_t value) {
  // Decimal digits and '-' are unreserved: nothing to encode.
  const absl::AlphaNum digits(value);
  AppendField('|', name, '=', digits.Piece(), &text_);
  return *this;
}

std::string ContentString::Fingerprint() const { return RetconUuid(text_); }

namespace plan_internal {

#if !defined(OPENSSL_NO_DEPRECATED_3_0)
Sha1::Sha1() {
  if (SHA1_Init(&ctx_) != 1) DieOnCryptoFailure("SHA1_Init");
}

Sha1::~Sha1() = default;

void Sha1::Update(const void* data, size_t size) {
  if (SHA1_Update(&ctx_, data, size) != 1) DieOnCryptoFailure("SHA1_Update");
}

void Sha1::Final(unsigned char (&digest)[SHA_DIGEST_LENGTH]) {
  if (SHA1_Final(digest, &ctx_) != 1) DieOnCryptoFailure("SHA1_Final");
}
#else
Sha1::Sha1() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) DieOnCryptoFailure("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex2(ctx_, Sha1Md(), nullptr) != 1) {
    DieOnCryptoFailure("EVP_DigestInit_ex2");
  }
}

Sha1::~Sha1() { EVP_MD_CTX_free(ctx_); }

void Sha1::Update(const void* data, size_t size) {
  if (EVP_DigestUpdate(ctx_, data, size) != 1) {
    DieOnCryptoFailure("EVP_DigestUpdate");
  }
}

void Sha1::Final(unsigned char (&digest)[SHA_DIGEST_LENGTH]) {
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx_, digest, &size) != 1 ||
      size != SHA_DIGEST_LENGTH) {
    DieOnCryptoFailure("EVP_DigestFinal_ex");
  }
}
#endif

ContentFingerprint::ContentFingerprint() {
  const Uuid& name_space = RetconNamespace();
  sha_.Update(name_space.data(), name_space.size());
  buffer_[0] = 'v';
  buffer_[1] = '1';
  size_ = 2;
}

ContentFingerprint& ContentFingerprint::Add(absl::string_view name,
                                            absl::string_view value) {
  const size_t room = FieldRoom(name, value);
  if (size_ + room > kBufferSize) {
    Flush();
    if (room > kBufferSize) {
      AddLong(name, value);
      return *this;
    }
  }
  size_ = WriteField('|', name, '=', value, buffer_ + size_) - buffer_;
  return *this;
}

ContentFingerprint& ContentFingerprint::Add(absl::string_view name,
                                            int64_t value) {
  // Decimal digits and '-' are unreserved: nothing to encode.
  const absl::AlphaNum digits(value);
  return Add(name, digits.Piece());
}

Uuid ContentFingerprint::Finish() {
  Flush();
  unsigned char digest[SHA_DIGEST_LENGTH];
  sha_.Final(digest);
  return UuidOfDigest(digest);
}

void ContentFingerprint::Flush() {
  sha_.Update(buffer_, size_);
  size_ = 0;
}

void ContentFingerprint::AddLong(absl::string_view name,
                                 absl::string_view value) {
  // The buffer is empty (Add flushed it).
  const char prefix = '|', separator = '=';
  sha_.Update(&prefix, 1);
  sha_.Update(name.data(), name.size());
  sha_.Update(&separator, 1);
  constexpr size_t kChunk = kBufferSize / 3;  // Encoded, fits the buffer.
  for (size_t at = 0; at < value.size(); at += kChunk) {
    size_ = EncodeInto(value.substr(at, kChunk), buffer_) - buffer_;
    Flush();
  }
}

}  // namespace plan_internal

}  // namespace retcon
