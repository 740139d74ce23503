// Idempotency keys and fingerprints of postings.
//
// Every posting retcon plans carries a key: a UUIDv5 (RFC 9562, section 5.5)
// over retcon's fixed namespace and a canonical identity string of the
// business event, e.g. "retcon/v1/credit-note/returngo/RMA123/RF9". A
// connector in any language recomputes it with its standard UUID library:
//
//   python3 -c 'import uuid; print(uuid.uuid5(
//       uuid.UUID("6985cd8b-929e-5a0a-8e80-8bf1433643e6"),
//       "retcon/v1/credit-note/returngo/RMA123/RF9"))'
//
// The fingerprint is a UUIDv5 of the same namespace over a canonical content
// string: a replay of the same event with other content has the same key and
// another fingerprint. See docs/integration/idempotency.md for every
// canonical string and test vectors.
#ifndef RETCON_IDEMPOTENCY_H_
#define RETCON_IDEMPOTENCY_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace retcon {

// retcon's namespace UUID: uuid5(NAMESPACE_URL, "urn:retcon:v1").
inline constexpr absl::string_view kRetconNamespace =
    "6985cd8b-929e-5a0a-8e80-8bf1433643e6";

// A UUID as 16 bytes, network order.
using Uuid = std::array<uint8_t, 16>;

// The namespace above as bytes.
const Uuid& RetconNamespace();

// UUIDv5 of `name` (its bytes, as given) in `name_space`: SHA-1 of the
// namespace bytes then the name, first 16 bytes, version 5, RFC 4122
// variant. SHA-1 comes from OpenSSL's libcrypto.
Uuid Uuid5(const Uuid& name_space, absl::string_view name);

// Lower-case 8-4-4-4-12 text form ("6985cd8b-929e-5a0a-8e80-8bf1433643e6").
std::string FormatUuid(const Uuid& uuid);
// The same 36 characters written to `text` (no terminating NUL), for a
// caller that stores them without a temporary string.
void FormatUuid(const Uuid& uuid, char (&text)[36]);

// FormatUuid(Uuid5(RetconNamespace(), name)).
std::string RetconUuid(absl::string_view name);

// Percent-encodes one segment of a canonical string: bytes outside
// A-Z a-z 0-9 '-' '.' '_' '~' become "%XX" (upper-case hex), so that no
// segment can contain the '/' or '|' separators. The empty segment stays
// empty.
std::string EncodeSegment(absl::string_view segment);

// "retcon/v1/<kind>/<seg1>/<seg2>/...", every segment encoded with
// EncodeSegment. `kind` is a fixed word ("credit-note") and is not encoded.
std::string CanonicalIdentity(absl::string_view kind,
                              absl::Span<const absl::string_view> segments);

// Builds a canonical content string "v1|name=value|name=value...", values
// encoded with EncodeSegment, in the order they are added.
class ContentString {
 public:
  // Room for a typical posting's content (200-350 bytes) up front.
  ContentString() : text_("v1") { text_.reserve(512); }
  ContentString& Add(absl::string_view name, absl::string_view value);
  ContentString& Add(absl::string_view name, int64_t value);
  const std::string& text() const { return text_; }
  // The text, moved out (no copy); the builder is left unspecified.
  std::string TakeText() && { return std::move(text_); }
  // RetconUuid(text()).
  std::string Fingerprint() const;

 private:
  std::string text_;
};

}  // namespace retcon

#endif  // RETCON_IDEMPOTENCY_H_
