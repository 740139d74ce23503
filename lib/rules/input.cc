// Reading one input of a fact through its field descriptor chain.
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/rules/internal/compiled_decision.h"

namespace retcon {
namespace rules_internal {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

InputValue ReadScalar(const Reflection& reflection, const Message& m,
                      const FieldDescriptor* f, std::string& scratch) {
  const Reflection* r = &reflection;
  InputValue v;
  v.present = true;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      v.number = r->GetInt32(m, f);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      v.number = r->GetInt64(m, f);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      v.number = r->GetUInt32(m, f);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      v.number = static_cast<int64_t>(r->GetUInt64(m, f));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      v.number = r->GetBool(m, f) ? 1 : 0;
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      v.number = r->GetEnumValue(m, f);
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      v.text = r->GetStringReference(m, f, &scratch);
      break;
    default:  // A message: presence only.
      break;
  }
  return v;
}

}  // namespace

InputValue ReadInput(const InputPath& in, const Message& fact, bool generated,
                     std::string& scratch) {
  const Message* m = &fact;
  const size_t last = in.chain.size() - 1;
  for (size_t i = 0;; ++i) {
    const Reflection* r = generated ? in.reflections[i] : m->GetReflection();
    const FieldDescriptor* f = in.chain[i];
    if (i == last) {
      if (f->has_presence() && !r->HasField(*m, f)) return InputValue{};
      return ReadScalar(*r, *m, f, scratch);
    }
    if (!r->HasField(*m, f)) return InputValue{};
    m = &r->GetMessage(*m, f);
  }
}

void CacheReflections(const google::protobuf::Descriptor* fact_type,
                      InputPath& in) {
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  if (fact_type->file()->pool() !=
      google::protobuf::DescriptorPool::generated_pool()) {
    return;
  }
  const google::protobuf::Descriptor* type = fact_type;
  for (const FieldDescriptor* f : in.chain) {
    const Message* prototype = factory->GetPrototype(type);
    if (prototype == nullptr) {
      in.reflections.clear();
      return;
    }
    in.reflections.push_back(prototype->GetReflection());
    type = f->message_type();
  }
}

std::string RenderInput(const InputPath& in, const InputValue& value) {
  if (!value.present) return "<missing>";
  switch (in.kind) {
    case InputKind::kBool:
      return value.number != 0 ? "true" : "false";
    case InputKind::kEnum: {
      const auto* e =
          in.enum_type->FindValueByNumber(static_cast<int>(value.number));
      return e != nullptr ? e->name() : absl::StrCat(value.number);
    }
    case InputKind::kString:
      return absl::StrCat("\"", value.text, "\"");
    case InputKind::kMessage:
      return "<present>";
    default:
      return absl::StrCat(value.number);
  }
}

}  // namespace rules_internal
}  // namespace retcon
