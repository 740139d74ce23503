// Enum names and values by name, for the planner's hot path. The generated
// X_Name / X_Parse fetch the descriptor (a call_once) and look the value up
// in the descriptor pool's symbol table on every call; each Plan() writes
// enum names into content strings and parses enum outputs of the rules, so
// the lookups showed in the profile. These tables are built once per enum
// type from the same descriptor and give the same answers.
#ifndef RETCON_LIB_PLAN_INTERNAL_ENUM_NAMES_H_
#define RETCON_LIB_PLAN_INTERNAL_ENUM_NAMES_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace retcon {
namespace plan_internal {

// Thread-safe: immutable once built (the build is a function-local static).
template <typename E>
class EnumNames {
 public:
  static const EnumNames& Get() {
    static const EnumNames* const kTable = new EnumNames();
    return *kTable;
  }

  // As E_Name(value): the value's name, "" for a number E does not define.
  const std::string& Name(E value) const {
    const int number = static_cast<int>(value);
    if (number >= 0 && static_cast<size_t>(number) < by_number_.size() &&
        by_number_[number] != nullptr) {
      return *by_number_[number];
    }
    // Negative or sparse numbers: the descriptor's own lookup.
    const google::protobuf::EnumValueDescriptor* d =
        descriptor_->FindValueByNumber(number);
    return d == nullptr ? empty_ : d->name();
  }

  // As E_Parse(name, value): false, `value` untouched, for an unknown name.
  bool Parse(absl::string_view name, E* value) const {
    for (const auto& [text, number] : by_name_) {
      if (text == name) {
        *value = static_cast<E>(number);
        return true;
      }
    }
    return false;
  }

 private:
  EnumNames() : descriptor_(google::protobuf::GetEnumDescriptor<E>()) {
    // Dense tables for the small, mostly contiguous enums of retcon.v1.
    constexpr int kMaxDense = 256;
    for (int i = 0; i < descriptor_->value_count(); ++i) {
      const google::protobuf::EnumValueDescriptor* v = descriptor_->value(i);
      by_name_.emplace_back(v->name(), v->number());
      const int number = v->number();
      if (number < 0 || number >= kMaxDense) continue;
      if (static_cast<size_t>(number) >= by_number_.size()) {
        by_number_.resize(number + 1, nullptr);
      }
      // The first value of a number wins, as in FindValueByNumber.
      if (by_number_[number] == nullptr) by_number_[number] = &v->name();
    }
  }

  const google::protobuf::EnumDescriptor* const descriptor_;
  std::vector<const std::string*> by_number_;  // Names in the pool.
  std::vector<std::pair<absl::string_view, int>> by_name_;
  const std::string empty_;
};

template <typename E>
const std::string& EnumName(E value) {
  return EnumNames<E>::Get().Name(value);
}

template <typename E>
bool ParseEnum(absl::string_view name, E* value) {
  return EnumNames<E>::Get().Parse(name, value);
}

}  // namespace plan_internal
}  // namespace retcon

#endif  // RETCON_LIB_PLAN_INTERNAL_ENUM_NAMES_H_
