// FieldAccessors: the checks that keep an accessor from changing what a
// rule sees.
#include "retcon/field_accessors.h"

#include "absl/strings/str_cat.h"

namespace retcon {

FieldAccessors::FieldAccessors(const google::protobuf::Descriptor* type)
    : type_(type), by_index_(type->field_count(), nullptr) {}

absl::Status FieldAccessors::Register(const google::protobuf::Descriptor* of,
                                      int number, CppType type,
                                      bool has_presence, Read read) {
  const std::string where =
      absl::StrCat("FieldAccessors for ", type_->full_name(), ": ");
  if (of != type_) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "the accessor is of ", of->full_name()));
  }
  const google::protobuf::FieldDescriptor* field =
      type_->FindFieldByNumber(number);
  if (field == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "there is no field ", number));
  }
  const std::string name =
      absl::StrCat("field ", number, " (", field->name(), ")");
  if (field->is_repeated() || field->cpp_type() != type) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, name, " is ", field->is_repeated() ? "repeated " : "",
        field->cpp_type_name(), ", the accessor reads ",
        google::protobuf::FieldDescriptor::CppTypeName(type)));
  }
  if (field->has_presence() != has_presence) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, name,
        field->has_presence() ? " has presence: give its has_ accessor too"
                              : " has no presence: give no has_ accessor"));
  }
  by_index_[field->index()] = read;
  return absl::OkStatus();
}

}  // namespace retcon
