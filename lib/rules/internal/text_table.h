// An immutable map from short strings to row bitsets, built for the lookups
// of one evaluation: one cheap hash of the key (no per-call seeding, two
// word loads for keys up to 16 bytes), then usually a single slot to check.
// absl::flat_hash_map costs several times as much on these keys.
#ifndef RETCON_LIB_RULES_INTERNAL_TEXT_TABLE_H_
#define RETCON_LIB_RULES_INTERNAL_TEXT_TABLE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace retcon {
namespace rules_internal {

class TextTable {
 public:
  // Entries with distinct keys; each value must outlive the table.
  void Build(std::vector<std::pair<std::string, const uint64_t*>> entries);

  // The value stored for `key`, or nullptr.
  const uint64_t* Find(absl::string_view key) const {
    if (slots_.empty()) return nullptr;
    for (uint64_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.value == nullptr) return nullptr;
      if (Equal(slot.key, key)) return slot.value;
    }
  }

  bool empty() const { return size_ == 0; }

 private:
  struct Slot {
    std::string key;
    const uint64_t* value = nullptr;  // nullptr: an empty slot
  };
  // Collisions cost only probes within clusters fixed at Build time (a
  // lookup stops at the first empty slot), so input values cannot make a
  // lookup slower than the table's longest cluster.
  static uint64_t Hash(absl::string_view key) {
    const char* p = key.data();
    const size_t n = key.size();
    uint64_t a = 0;
    uint64_t b = 0;
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
      for (size_t i = 8; i + 8 < n; i += 8) a = Mix(a, Load64(p + i));
    } else if (n >= 4) {
      uint32_t x;
      uint32_t y;
      std::memcpy(&x, p, 4);
      std::memcpy(&y, p + n - 4, 4);
      a = x;
      b = y;
    } else if (n > 0) {
      a = static_cast<uint8_t>(p[0]) |
          static_cast<uint64_t>(static_cast<uint8_t>(p[n / 2])) << 8 |
          static_cast<uint64_t>(static_cast<uint8_t>(p[n - 1])) << 16;
    }
    return Mix(a, b ^ n);
  }
  // a == b, without a library call for keys of up to 16 bytes.
  static bool Equal(absl::string_view a, absl::string_view b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    if (n > 16) return std::memcmp(a.data(), b.data(), n) == 0;
    if (n >= 8) {
      return Load64(a.data()) == Load64(b.data()) &&
             Load64(a.data() + n - 8) == Load64(b.data() + n - 8);
    }
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  static uint64_t Load64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  static uint64_t Mix(uint64_t a, uint64_t b) {
    uint64_t h = (a ^ 0x9e3779b97f4a7c15u) * 0xbf58476d1ce4e5b9u;
    h = (h ^ (h >> 31) ^ b) * 0x94d049bb133111ebu;
    return h ^ (h >> 29);
  }

  std::vector<Slot> slots_;  // Open addressing, at most half full.
  uint64_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_TEXT_TABLE_H_
