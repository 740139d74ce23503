// Validating cells and values against an input's field type.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/internal/status_macros.h"
#include "lib/rules/internal/compile_error.h"
#include "lib/rules/internal/re2_options.h"
#include "re2/re2.h"

namespace retcon {
namespace rules_internal {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

namespace {

const char* KindName(InputKind kind) {
  switch (kind) {
    case InputKind::kInteger:
      return "an integer";
    case InputKind::kBool:
      return "a bool";
    case InputKind::kEnum:
      return "an enum";
    case InputKind::kString:
      return "a string";
    default:
      return "a message";
  }
}

std::string ValueKindName(const v1::Value& v) {
  switch (v.kind_case()) {
    case v1::Value::kStringValue:
      return "string_value";
    case v1::Value::kIntValue:
      return "int_value";
    case v1::Value::kBoolValue:
      return "bool_value";
    case v1::Value::kMoneyValue:
      return "money_value";
    case v1::Value::kEnumValue:
      return "enum_value";
    default:
      return "no value";
  }
}

absl::Status WrongValue(const char* expected, const v1::Value& v) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected ", expected, ", got ", ValueKindName(v)));
}

absl::StatusOr<int64_t> EnumNumber(const google::protobuf::EnumDescriptor* e,
                                   const v1::Value& v) {
  if (v.kind_case() != v1::Value::kEnumValue) {
    return WrongValue("an enum_value", v);
  }
  const auto* value = e->FindValueByName(v.enum_value());
  if (value == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown enum value '", v.enum_value(), "' of ", e->full_name()));
  }
  return value->number();
}

// "int32", "uint64", "sfixed32": the last field's declared type.
const char* FieldTypeName(const InputPath& input) {
  return input.chain.back()->type_name();
}

// Adds `v` to `cell` as a value of the input's type.
absl::Status AddValue(const v1::Value& v, const InputPath& input,
                      NormalCell& cell) {
  switch (input.kind) {
    case InputKind::kInteger:
      if (v.kind_case() != v1::Value::kIntValue) {
        return WrongValue("an int_value", v);
      }
      if (v.int_value() < input.min_value || v.int_value() > input.max_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("value ", v.int_value(), " does not fit ",
                         FieldTypeName(input), " field '", input.path, "'"));
      }
      cell.numbers.push_back(KeyOf(input, v.int_value()));
      return absl::OkStatus();
    case InputKind::kBool:
      if (v.kind_case() != v1::Value::kBoolValue) {
        return WrongValue("a bool_value", v);
      }
      cell.numbers.push_back(v.bool_value() ? 1 : 0);
      return absl::OkStatus();
    case InputKind::kEnum: {
      RETCON_ASSIGN_OR_RETURN(int64_t n, EnumNumber(input.enum_type, v));
      cell.numbers.push_back(n);
      return absl::OkStatus();
    }
    case InputKind::kString:
      if (v.kind_case() != v1::Value::kStringValue) {
        return WrongValue("a string_value", v);
      }
      cell.texts.push_back(v.string_value());
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          "a message input takes only any, is_missing and is_present");
  }
}

absl::Status AddValues(const v1::ValueList& list, const InputPath& input,
                       NormalCell& cell) {
  if (list.values().empty()) {
    return absl::InvalidArgumentError("an empty value list");
  }
  for (const v1::Value& v : list.values()) {
    RETCON_RETURN_IF_ERROR(AddValue(v, input, cell));
  }
  // Sorted and without repeats: the analysis counts listed values.
  absl::c_sort(cell.numbers);
  cell.numbers.erase(std::unique(cell.numbers.begin(), cell.numbers.end()),
                     cell.numbers.end());
  absl::c_sort(cell.texts);
  cell.texts.erase(std::unique(cell.texts.begin(), cell.texts.end()),
                   cell.texts.end());
  return absl::OkStatus();
}

// The compiled `pattern`, from `regexes` or compiled and checked now.
absl::StatusOr<std::shared_ptr<const RE2>> CompileRegex(
    const std::string& pattern, const CompileOptions& options,
    RegexCache& regexes) {
  auto cached = regexes.find(pattern);
  if (cached != regexes.end()) return cached->second;
  auto re =
      std::make_shared<const RE2>(pattern, RegexOptions(options.regex_max_mem));
  if (re->error_code() == RE2::ErrorPatternTooLarge) {
    return absl::InvalidArgumentError(
        absl::StrCat("regex program too large: ", re->error()));
  }
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad regex '", pattern, "': ", re->error()));
  }
  if (re->ProgramSize() > options.regex_max_program_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "regex program too large: ", re->ProgramSize(), " instructions (limit ",
        options.regex_max_program_size, ")"));
  }
  regexes.emplace(pattern, re);
  return re;
}

// Beyond every field's range: larger magnitudes are held as this, which
// changes no comparison with a field's values.
constexpr absl::int128 kHugeBound = absl::int128(1) << 80;

// The tightest inclusive integer bound for an exact decimal bound `text`
// ("49.99" as a low bound is 50, as a high bound 49), in 128 bits; any
// number of digits (magnitudes beyond kHugeBound are held as kHugeBound).
absl::StatusOr<absl::int128> RangeBound(const std::string& text, bool is_low,
                                        bool inclusive) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  absl::string_view whole = parts[0];
  bool negative = absl::ConsumePrefix(&whole, "-");
  bool digits_ok = !whole.empty() && parts.size() <= 2 &&
                   absl::c_all_of(whole, absl::ascii_isdigit);
  bool fraction = false;
  if (parts.size() == 2) {
    digits_ok = digits_ok && !parts[1].empty() &&
                absl::c_all_of(parts[1], absl::ascii_isdigit);
    fraction = parts[1].find_first_not_of('0') != absl::string_view::npos;
  }
  if (!digits_ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("range bound '", text, "' is not an exact decimal"));
  }
  absl::int128 magnitude = 0;
  for (char digit : whole) {
    magnitude = std::min(magnitude * 10 + (digit - '0'), kHugeBound);
  }
  absl::int128 x = negative ? -magnitude : magnitude;
  if (fraction) {
    absl::int128 floor = negative ? x - 1 : x;
    return is_low ? floor + 1 : floor;
  }
  if (inclusive) return x;
  return is_low ? x + 1 : x - 1;
}

// The range as written: "[0, 10)", "(-inf, 5]".
std::string RangeText(const v1::Range& range) {
  return absl::StrCat(range.low().empty()     ? "(-inf"
                      : range.low_inclusive() ? "["
                                              : "(",
                      range.low(), ", ",
                      range.high().empty() ? "+inf)" : range.high(),
                      range.high().empty()     ? ""
                      : range.high_inclusive() ? "]"
                                               : ")");
}

std::string Int128Text(absl::int128 x) {
  if (x >= 0) return absl::StrCat(absl::Int128Low64(x));
  return absl::StrCat("-", absl::Int128Low64(-x));
}

// Bounds beyond the field's range are the same as its ends (an open end);
// a range holding no value is an error.
absl::Status NormalizeRange(const v1::Range& range, const InputPath& input,
                            NormalCell& cell) {
  absl::int128 low = -kHugeBound, high = kHugeBound;
  if (!range.low().empty()) {
    RETCON_ASSIGN_OR_RETURN(
        low, RangeBound(range.low(), true, range.low_inclusive()));
  }
  if (!range.high().empty()) {
    RETCON_ASSIGN_OR_RETURN(
        high, RangeBound(range.high(), false, range.high_inclusive()));
  }
  if (low > high) {
    return absl::InvalidArgumentError(
        absl::StrCat("the range ", RangeText(range), " contains no integer"));
  }
  low = std::max(low, input.min_value);
  high = std::min(high, input.max_value);
  if (low > high) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the range ", RangeText(range), " holds no value of ",
        FieldTypeName(input), " field '", input.path, "' (",
        Int128Text(input.min_value), " to ", Int128Text(input.max_value), ")"));
  }
  cell.low = KeyOf(input, low);
  cell.high = KeyOf(input, high);
  return absl::OkStatus();
}

absl::Status NotFor(const char* test, const char* needs,
                    const InputPath& input) {
  return absl::InvalidArgumentError(absl::StrCat(
      test, " needs ", needs, " input; this input is ", KindName(input.kind)));
}

// The values and keys of an integer field's type.
void SetIntegerRange(InputPath& in) {
  switch (in.cpp_type) {
    case FieldDescriptor::CPPTYPE_INT32:
      in.min_value = INT32_MIN;
      in.max_value = INT32_MAX;
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      in.min_value = 0;
      in.max_value = UINT32_MAX;
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      in.min_value = 0;
      in.max_value = UINT64_MAX;
      break;
    default:
      in.min_value = INT64_MIN;
      in.max_value = INT64_MAX;
  }
  in.min_key = KeyOf(in, in.min_value);
  in.max_key = KeyOf(in, in.max_value);
}

}  // namespace

absl::StatusOr<NormalCell> NormalizeCell(const v1::Cell& cell,
                                         const InputPath& input,
                                         const CompileOptions& options,
                                         RegexCache& regexes) {
  NormalCell out;
  switch (cell.test_case()) {
    case v1::Cell::kAny:
      out.kind = NormalCell::kAny;
      break;
    case v1::Cell::kIsMissing:
      out.kind = NormalCell::kMissing;
      break;
    case v1::Cell::kIsPresent:
      out.kind = NormalCell::kPresent;
      break;
    case v1::Cell::kEquals:
      out.kind = NormalCell::kIn;
      RETCON_RETURN_IF_ERROR(AddValue(cell.equals(), input, out));
      break;
    case v1::Cell::kOneOf:
      out.kind = NormalCell::kIn;
      RETCON_RETURN_IF_ERROR(AddValues(cell.one_of(), input, out));
      break;
    case v1::Cell::kNotOneOf:
      out.kind = NormalCell::kNotIn;
      RETCON_RETURN_IF_ERROR(AddValues(cell.not_one_of(), input, out));
      break;
    case v1::Cell::kRegex: {
      if (input.kind != InputKind::kString) {
        return NotFor("regex", "a string", input);
      }
      out.kind = NormalCell::kRegex;
      out.regex = cell.regex();
      RETCON_ASSIGN_OR_RETURN(out.re,
                              CompileRegex(out.regex, options, regexes));
      break;
    }
    case v1::Cell::kRange:
      if (input.kind != InputKind::kInteger) {
        return NotFor("range", "an integer", input);
      }
      out.kind = NormalCell::kRange;
      RETCON_RETURN_IF_ERROR(NormalizeRange(cell.range(), input, out));
      break;
    default:
      return absl::InvalidArgumentError(
          "the cell has no test (write `any {}` to accept anything)");
  }
  return out;
}

absl::Status CheckOutputValue(const v1::Value& v, const v1::Output& output,
                              const google::protobuf::DescriptorPool& pool) {
  switch (output.type()) {
    case v1::Output::STRING:
      if (v.has_string_value()) return absl::OkStatus();
      return WrongValue("a string_value", v);
    case v1::Output::INTEGER:
      if (v.has_int_value()) return absl::OkStatus();
      return WrongValue("an int_value", v);
    case v1::Output::BOOL:
      if (v.has_bool_value()) return absl::OkStatus();
      return WrongValue("a bool_value", v);
    case v1::Output::MONEY:
      if (v.has_money_value()) return absl::OkStatus();
      return WrongValue("a money_value", v);
    case v1::Output::ENUM: {
      const auto* e = pool.FindEnumTypeByName(output.enum_type());
      if (e == nullptr) return absl::InternalError("enum type not checked");
      return EnumNumber(e, v).status();
    }
    default:
      return absl::InvalidArgumentError("the output has no type");
  }
}

absl::StatusOr<InputPath> ResolveInputPath(absl::string_view path,
                                           const Descriptor* type) {
  InputPath in;
  in.path = std::string(path);
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    if (type == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", in.chain.back()->name(), "' is not a message"));
    }
    const FieldDescriptor* f = type->FindFieldByName(std::string(name));
    if (f == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown field '", name, "' in ", type->full_name()));
    }
    if (f->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat("repeated field '", name, "' cannot be an input"));
    }
    in.chain.push_back(f);
    type = f->message_type();
  }
  const FieldDescriptor* last = in.chain.back();
  in.cpp_type = last->cpp_type();
  in.has_presence = last->has_presence();
  switch (last->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      in.kind = InputKind::kBool;
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      in.kind = InputKind::kEnum;
      in.enum_type = last->enum_type();
      // protobuf 3.21 has no EnumDescriptor::is_closed(): an enum is open
      // when both it and the field are proto3.
      in.open_enum = last->file()->syntax() ==
                         google::protobuf::FileDescriptor::SYNTAX_PROTO3 &&
                     in.enum_type->file()->syntax() ==
                         google::protobuf::FileDescriptor::SYNTAX_PROTO3;
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      in.kind = InputKind::kString;
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      in.kind = InputKind::kMessage;
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::InvalidArgumentError(
          "float and double fields cannot be inputs (rules test exact values)");
    default:
      in.kind = InputKind::kInteger;
      SetIntegerRange(in);
  }
  return in;
}

}  // namespace rules_internal
}  // namespace retcon
