// Reading one input of a fact through its field descriptor chain.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/rules/internal/compiled_decision.h"

namespace retcon {
namespace rules_internal {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

InputValue ReadScalar(const Reflection& reflection, const Message& m,
                      const InputPath& in, std::string& scratch) {
  const Reflection* r = &reflection;
  const FieldDescriptor* f = in.chain.back();
  InputValue v;
  v.present = true;
  switch (in.cpp_type) {
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
      v.number = KeyOfUnsigned64(r->GetUInt64(m, f));
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

// The reflection of generated message type `type`, or nullptr when it is
// not generated (dynamic pools) or not linked.
const Reflection* GeneratedReflection(
    const google::protobuf::Descriptor* type) {
  if (type->file()->pool() !=
      google::protobuf::DescriptorPool::generated_pool()) {
    return nullptr;
  }
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  return prototype == nullptr ? nullptr : prototype->GetReflection();
}

// The step reading `field` from the message of step `parent`, added if new.
int StepFor(std::vector<MessageStep>& steps, int parent,
            const FieldDescriptor* field) {
  for (size_t s = 0; s < steps.size(); ++s) {
    if (steps[s].parent == parent && steps[s].field == field) {
      return static_cast<int>(s);
    }
  }
  steps.push_back(MessageStep{parent, field, nullptr});
  return static_cast<int>(steps.size()) - 1;
}

}  // namespace

void PlanReads(CompiledDecision& d) {
  d.message_steps.clear();
  for (InputPath& in : d.inputs) {
    int holder = -1;
    for (size_t i = 0; i + 1 < in.chain.size(); ++i) {
      holder = StepFor(d.message_steps, holder, in.chain[i]);
    }
    in.holder = holder;
  }
  // Reflections, when every message type on the way is generated.
  auto holder_type = [&](int step) {
    return step < 0 ? d.fact_type : d.message_steps[step].field->message_type();
  };
  d.generated_reflection = GeneratedReflection(d.fact_type);
  bool generated = d.generated_reflection != nullptr;
  for (MessageStep& step : d.message_steps) {
    step.reflection = GeneratedReflection(holder_type(step.parent));
    generated = generated && step.reflection != nullptr;
  }
  for (InputPath& in : d.inputs) {
    in.reflection = GeneratedReflection(holder_type(in.holder));
    generated = generated && in.reflection != nullptr;
  }
  if (!generated) d.generated_reflection = nullptr;
}

namespace {

const InputValue* Find(const ReadFields& read, const FieldDescriptor* field) {
  for (const auto& [f, value] : read.values) {
    if (f == field) return &value;
  }
  return nullptr;
}

}  // namespace

void ReadInputs(const CompiledDecision& d, const Message& fact, bool generated,
                InputValue* values, const Message** held, std::string* scratch,
                ReadFields* read, const FieldAccessors* accessors) {
  // The message of each step, or nullptr when it (or a parent) is unset.
  for (size_t s = 0; s < d.message_steps.size(); ++s) {
    const MessageStep& step = d.message_steps[s];
    const Message* parent = step.parent < 0 ? &fact : held[step.parent];
    held[s] = nullptr;
    if (parent == nullptr) continue;
    const Reflection* r = generated ? step.reflection : parent->GetReflection();
    if (r->HasField(*parent, step.field)) {
      held[s] = &r->GetMessage(*parent, step.field);
    }
  }
  // Only top-level fields of generated facts are shared: their values view
  // the fact itself (or are numbers), never a scratch string.
  const bool share = read != nullptr && generated;
  // Accessors apply to a fact of the generated class of their type.
  const FieldAccessors* direct =
      generated && accessors != nullptr && accessors->type() == d.fact_type
          ? accessors
          : nullptr;
  for (size_t c = 0; c < d.inputs.size(); ++c) {
    const InputPath& in = d.inputs[c];
    if (direct != nullptr && in.holder < 0) {
      if (FieldAccessors::Read get = direct->reader(in.chain.back()->index())) {
        values[c] = get(fact);
        continue;
      }
    }
    const bool top = share && in.holder < 0;
    if (top) {
      if (const InputValue* seen = Find(*read, in.chain.back())) {
        values[c] = *seen;
        continue;
      }
    }
    const Message* m = in.holder < 0 ? &fact : held[in.holder];
    values[c] = InputValue{};
    if (m == nullptr) continue;
    const Reflection* r = generated ? in.reflection : m->GetReflection();
    if (!in.has_presence || r->HasField(*m, in.chain.back())) {
      values[c] = ReadScalar(*r, *m, in, scratch[c]);
    }
    if (top && (values[c].text.empty() ||
                values[c].text.data() != scratch[c].data())) {
      read->values.emplace_back(in.chain.back(), values[c]);
    }
  }
}

int64_t KeyOf(const InputPath& in, absl::int128 value) {
  if (in.cpp_type == FieldDescriptor::CPPTYPE_UINT64) {
    return KeyOfUnsigned64(static_cast<uint64_t>(value));
  }
  return static_cast<int64_t>(value);
}

absl::int128 ValueOfKey(const InputPath& in, int64_t key) {
  if (in.cpp_type == FieldDescriptor::CPPTYPE_UINT64) {
    return static_cast<uint64_t>(key) ^ (uint64_t{1} << 63);
  }
  return key;
}

std::string NumberText(const InputPath& in, int64_t key) {
  if (in.cpp_type == FieldDescriptor::CPPTYPE_UINT64) {
    return absl::StrCat(static_cast<uint64_t>(key) ^ (uint64_t{1} << 63));
  }
  return absl::StrCat(key);
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
      return NumberText(in, value.number);
  }
}

}  // namespace rules_internal
}  // namespace retcon
