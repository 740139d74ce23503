#include "lib/rules/internal/text_table.h"

#include <string>
#include <utility>
#include <vector>

namespace retcon {
namespace rules_internal {

void TextTable::Build(
    std::vector<std::pair<std::string, const uint64_t*>> entries) {
  size_ = entries.size();
  size_t capacity = 4;
  while (capacity < 2 * entries.size()) capacity *= 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (auto& [key, value] : entries) {
    uint64_t i = Hash(key) & mask_;
    while (slots_[i].value != nullptr) i = (i + 1) & mask_;
    slots_[i].key = std::move(key);
    slots_[i].value = value;
  }
}

}  // namespace rules_internal
}  // namespace retcon
