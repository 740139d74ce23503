// Reading a fact's fields through its generated class instead of protobuf
// reflection.
//
// The rules engine reads each input of a fact by reflection, which costs
// about a hundred instructions a field. A host that evaluates many facts of
// one generated type can list that type's accessors once; evaluations given
// the list read those fields through them (a few instructions each) and every
// other field by reflection, with the same results:
//
//   using F = v1::ReturnItemFact;
//   retcon::FieldAccessors item = retcon::FieldAccessors::For<F>();
//   RETURN_IF_ERROR(item.Add<&F::sku>(F::kSkuFieldNumber));
//   RETURN_IF_ERROR(item.Add<&F::days_since_order, &F::has_days_since_order>(
//       F::kDaysSinceOrderFieldNumber));
//   ...
//   rules->EvaluateEach(indexes, fact, item, results);
//
// Only top-level fields of these kinds: string, bool, int32, int64, uint32
// and enums. Add() refuses an accessor that does not read its field: a
// field number the type lacks, a type that is not the field's, a presence
// test missing or given for a field without presence, and (by probing a
// message of the type with distinct values in every field) a getter or
// presence test of another field. A refused accessor is not added, so an
// accessor can never change what a rule sees. (The probe cannot tell apart
// fields of an enum with fewer than two values; the other checks apply.)
#ifndef RETCON_FIELD_ACCESSORS_H_
#define RETCON_FIELD_ACCESSORS_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace retcon {

// One field's value as the rules engine matches it: integers, bools (0/1)
// and enum numbers in `number`; strings in `text`, viewing the fact. Not
// `present`: the field has presence and is unset.
struct FieldValue {
  bool present = false;
  int64_t number = 0;
  absl::string_view text;
};

// The accessors of one generated fact type, by field. Immutable once built;
// any number of threads may evaluate with it.
class FieldAccessors {
 public:
  using Read = FieldValue (*)(const google::protobuf::Message& fact);

  // An empty list for generated message class T.
  template <typename T>
  static FieldAccessors For() {
    static_assert(std::is_base_of_v<google::protobuf::Message, T>,
                  "T must be a generated message class");
    return FieldAccessors(&T::default_instance());
  }

  // Reads field `number` of T through `Get` (`&T::name`), for a field
  // without presence. InvalidArgument, and nothing added, when Get is not
  // T's, T has no such field, it has presence, its type is not Get's, or
  // Get reads another field.
  template <auto Get>
  absl::Status Add(int number) {
    using Traits = AccessorTraits<decltype(Get)>;
    return Register(Traits::Class::descriptor(), number, Traits::kType,
                    /*has_presence=*/false, &ReadPlain<Get>);
  }
  // The same for a field with presence (`optional`), `Has` its test
  // (`&T::has_name`): an unset field reads as missing. Also refused when
  // Has tests another field.
  template <auto Get, auto Has>
  absl::Status Add(int number) {
    using Traits = AccessorTraits<decltype(Get)>;
    static_assert(std::is_same_v<typename Traits::Class,
                                 typename AccessorTraits<decltype(Has)>::Class>,
                  "Get and Has must be accessors of one class");
    return Register(Traits::Class::descriptor(), number, Traits::kType,
                    /*has_presence=*/true, &ReadOptional<Get, Has>);
  }

  // The fact type.
  const google::protobuf::Descriptor* type() const { return type_; }
  // The accessor of the field at `field_index` in type(), or nullptr.
  // REQUIRES (to call it): a fact of the generated class of type(), not a
  // dynamic message of the same type; the rules engine checks this.
  Read reader(int field_index) const {
    return field_index >= 0 &&
                   static_cast<size_t>(field_index) < by_index_.size()
               ? by_index_[field_index]
               : nullptr;
  }

 private:
  using CppType = google::protobuf::FieldDescriptor::CppType;

  explicit FieldAccessors(const google::protobuf::Message* prototype);
  absl::Status Register(const google::protobuf::Descriptor* of, int number,
                        CppType type, bool has_presence, Read read);

  // The class and value kind of an accessor `const R& (C::*)() const` or
  // `R (C::*)() const`.
  template <typename F>
  struct AccessorTraits;
  template <typename C, typename R>
  struct AccessorTraits<R (C::*)() const> {
    using Class = C;
    using Value = std::remove_cv_t<std::remove_reference_t<R>>;
    static constexpr CppType kType =
        std::is_same_v<Value, std::string>
            ? google::protobuf::FieldDescriptor::CPPTYPE_STRING
        : std::is_same_v<Value, bool>
            ? google::protobuf::FieldDescriptor::CPPTYPE_BOOL
        : std::is_enum_v<Value>
            ? google::protobuf::FieldDescriptor::CPPTYPE_ENUM
        : std::is_same_v<Value, int32_t>
            ? google::protobuf::FieldDescriptor::CPPTYPE_INT32
        : std::is_same_v<Value, int64_t>
            ? google::protobuf::FieldDescriptor::CPPTYPE_INT64
        : std::is_same_v<Value, uint32_t>
            ? google::protobuf::FieldDescriptor::CPPTYPE_UINT32
            : google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE;
    static_assert(kType != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE,
                  "only string, bool, enum, int32, int64 and uint32 fields");
  };
  template <typename V>
  static FieldValue ValueOf(const V& value) {
    FieldValue v;
    v.present = true;
    if constexpr (std::is_same_v<V, std::string>) {
      v.text = value;
    } else {
      v.number = static_cast<int64_t>(value);
    }
    return v;
  }
  template <auto Get>
  static FieldValue ReadPlain(const google::protobuf::Message& fact) {
    using Class = typename AccessorTraits<decltype(Get)>::Class;
    return ValueOf((static_cast<const Class&>(fact).*Get)());
  }
  template <auto Get, auto Has>
  static FieldValue ReadOptional(const google::protobuf::Message& fact) {
    using Class = typename AccessorTraits<decltype(Get)>::Class;
    const Class& m = static_cast<const Class&>(fact);
    if (!(m.*Has)()) return FieldValue();
    return ValueOf((m.*Get)());
  }

  const google::protobuf::Message* prototype_;  // T's default instance.
  const google::protobuf::Descriptor* type_;
  std::vector<Read> by_index_;  // By field index; nullptr: by reflection.
};

}  // namespace retcon

#endif  // RETCON_FIELD_ACCESSORS_H_
