// FieldAccessors: the checks that keep an accessor from changing what a
// rule sees.
#include "retcon/field_accessors.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

namespace retcon {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Sets `field` of `m` to its first or `second` probe value; false when the
// field cannot be probed (repeated and floating-point fields, enums of fewer
// than two values, and messages, which are only made present).
bool SetProbe(Message& m, const FieldDescriptor* field, bool second) {
  const google::protobuf::Reflection* r = m.GetReflection();
  if (field->is_repeated()) return false;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      r->MutableMessage(&m, field);
      return false;
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(&m, field, second ? "probe-b" : "probe-a");
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      r->SetBool(&m, field, second);
      return true;
    case FieldDescriptor::CPPTYPE_INT32:
      r->SetInt32(&m, field, second ? 2 : 1);
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      r->SetInt64(&m, field, second ? 2 : 1);
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      r->SetUInt32(&m, field, second ? 2 : 1);
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->SetUInt64(&m, field, second ? 2 : 1);
      return true;
    case FieldDescriptor::CPPTYPE_ENUM:
      if (field->enum_type()->value_count() < 2) return false;
      r->SetEnumValue(&m, field,
                      field->enum_type()->value(second ? 1 : 0)->number());
      return true;
    default:
      return false;
  }
}

// Whether `got` is the probe value SetProbe gave `field`.
bool IsProbe(const FieldValue& got, const FieldDescriptor* field, bool second) {
  if (!got.present) return false;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return got.text == (second ? "probe-b" : "probe-a");
    case FieldDescriptor::CPPTYPE_BOOL:
      return got.number == (second ? 1 : 0);
    case FieldDescriptor::CPPTYPE_ENUM:
      return got.number == field->enum_type()->value(second ? 1 : 0)->number();
    default:
      return got.number == (second ? 2 : 1);
  }
}

}  // namespace

FieldAccessors::FieldAccessors(const google::protobuf::Message* prototype)
    : prototype_(prototype),
      type_(prototype->GetDescriptor()),
      by_index_(type_->field_count(), nullptr) {}

absl::Status FieldAccessors::Register(const google::protobuf::Descriptor* of,
                                      int number, CppType type,
                                      bool has_presence, Read read) {
  const std::string where =
      absl::StrCat("FieldAccessors for ", type_->full_name(), ": ");
  if (of != type_) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "the accessor is of ", of->full_name()));
  }
  const FieldDescriptor* field = type_->FindFieldByNumber(number);
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
        FieldDescriptor::CppTypeName(type)));
  }
  if (field->has_presence() != has_presence) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, name,
        field->has_presence() ? " has presence: give its has_ accessor too"
                              : " has no presence: give no has_ accessor"));
  }
  // Probes: every other field holds one value and this field another, so an
  // accessor of some other field reads the wrong one; set last, so that
  // oneof siblings do not clear it. With presence, the field left unset
  // (the others set) must read as missing.
  for (const bool second : {false, true}) {
    std::unique_ptr<Message> probe(prototype_->New());
    for (int i = 0; i < type_->field_count(); ++i) {
      if (type_->field(i) != field) SetProbe(*probe, type_->field(i), !second);
    }
    if (!SetProbe(*probe, field, second)) break;
    if (!IsProbe(read(*probe), field, second)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "the accessor given for ", name,
                       " reads another field (or tests another's presence)"));
    }
  }
  if (has_presence) {
    std::unique_ptr<Message> probe(prototype_->New());
    for (int i = 0; i < type_->field_count(); ++i) {
      if (type_->field(i) != field) SetProbe(*probe, type_->field(i), false);
    }
    if (read(*probe).present) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "the presence test given for ", name, " is another field's"));
    }
  }
  by_index_[field->index()] = read;
  return absl::OkStatus();
}

}  // namespace retcon
