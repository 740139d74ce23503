#include "examples/retcon/feed.h"

#include <cerrno>
#include <cstring>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "examples/retcon/documents.h"
#include "google/protobuf/util/json_util.h"

namespace retcon {
namespace cli {
namespace {

bool IsBlank(absl::string_view text) {
  return absl::StripAsciiWhitespace(text).empty();
}

// Where an element of a JSON array is, for messages.
std::string ElementWhere(absl::string_view path, int64_t line, int64_t index) {
  return absl::StrCat(path, ":", line, " (element [", index, "])");
}

// "<root>.<path>", or "<path>" when `root` is empty.
absl::Status Located(const FeedRecord& record, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(record.where, ": ", status.message()));
}

absl::string_view KindName(PayloadKind kind) {
  switch (kind) {
    case PayloadKind::kReturnGoRma:
      return "a ReturnGo RMA";
    case PayloadKind::kShopifyOrder:
      return "a Shopify order";
    case PayloadKind::kRetconReturn:
      return "a retcon.v1.ReturnRequest";
    case PayloadKind::kRetconSalesOrder:
      return "a retcon.v1.SalesOrder";
    case PayloadKind::kUnknown:
      break;
  }
  return "of unknown shape";
}

// A record that is plainly of another kind than the file's: say so rather
// than report the first field the parser trips on.
absl::Status CheckShape(const FeedRecord& record, PayloadKind expected) {
  // Only the first bytes decide; the full parse follows anyway.
  const PayloadKind seen = DetectPayloadKind(record.text);
  if (seen == PayloadKind::kUnknown || seen == expected) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      record.where, ": the record looks like ", KindName(seen),
      " but this file is read as records of ", KindName(expected).substr(2),
      " (see the --format flags in --help)"));
}

// Why `record` is of no kind that a feed of `noun`s holds: of another kind,
// not JSON, not an object, or none of `kinds`.
absl::Status Unrecognised(const FeedRecord& record, absl::string_view noun,
                          absl::string_view kinds, absl::string_view flag) {
  std::string reason;
  if (const PayloadKind seen = DetectPayloadKind(record.text);
      seen != PayloadKind::kUnknown) {
    reason = absl::StrCat("it looks like ", KindName(seen));
  } else {
    // The adapters' JSON reader says what is wrong with the text itself
    // ("$: not valid JSON at offset 7: ...", "$: expected an object, got
    // array"); a payload that is merely of no known shape passes it.
    const absl::Status json = ReturnRequestFromReturnGo(record.text).status();
    absl::string_view m = json.message();
    if (absl::ConsumePrefix(&m, "$: ") ||
        absl::StrContains(m, "not valid JSON")) {
      reason = std::string(m);
    }
  }
  if (reason.empty()) reason = absl::StrCat("neither ", kinds);
  return absl::InvalidArgumentError(absl::StrCat(record.where,
                                                 ": not a recognisable ", noun,
                                                 ": ", reason, "; see ", flag));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FeedReader>> FeedReader::Open(
    const std::string& path) {
  std::unique_ptr<FeedReader> feed(new FeedReader);
  feed->path_ = path;
  feed->in_.open(path, std::ios::binary);
  if (!feed->in_) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  feed->in_.seekg(0, std::ios::end);
  feed->size_ = static_cast<int64_t>(feed->in_.tellg());
  feed->in_.seekg(0, std::ios::beg);
  // The first non-blank character tells an array from NDJSON.
  char c = 0;
  while (feed->in_.get(c) &&
         absl::ascii_isspace(static_cast<unsigned char>(c))) {
  }
  feed->in_.clear();
  feed->in_.seekg(0, std::ios::beg);
  if (c == '[') {
    feed->array_ = true;
    std::ostringstream content;
    content << feed->in_.rdbuf();
    feed->whole_ = content.str();
    feed->pos_ = feed->whole_.find('[') + 1;
    feed->line_ = 1;
    for (size_t i = 0; i < feed->pos_; ++i) {
      if (feed->whole_[i] == '\n') ++feed->line_;
    }
  }
  return feed;
}

bool FeedReader::Next(FeedRecord* record) {
  return array_ ? NextElement(record) : NextLine(record);
}

bool FeedReader::NextLine(FeedRecord* record) {
  std::string& line = record->text;
  while (std::getline(in_, line)) {
    ++line_;
    bytes_read_ += static_cast<int64_t>(line.size()) + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (IsBlank(line)) continue;
    record->line = line_;
    record->index = -1;
    record->where = absl::StrCat(path_, ":", line_);
    return true;
  }
  if (in_.bad())
    error_ = absl::DataLossError(absl::StrCat(path_, ": read error"));
  bytes_read_ = size_;
  return false;
}

bool FeedReader::NextElement(FeedRecord* record) {
  const std::string& s = whole_;
  auto skip_space = [&] {
    while (pos_ < s.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(s[pos_]))) {
      if (s[pos_] == '\n') ++line_;
      ++pos_;
    }
  };
  skip_space();
  if (pos_ < s.size() && s[pos_] == ',' && index_ > 0) {
    ++pos_;
    skip_space();
  }
  if (pos_ < s.size() && s[pos_] == ']') {
    ++pos_;
    skip_space();
    if (pos_ < s.size()) {
      error_ = absl::InvalidArgumentError(absl::StrCat(
          path_, ":", line_, ": malformed JSON: text after the array's ']'"));
    }
    bytes_read_ = size_;
    return false;
  }
  if (pos_ >= s.size()) {
    error_ = absl::InvalidArgumentError(absl::StrCat(
        path_, ":", line_, ": malformed JSON: the array has no ']'"));
    bytes_read_ = size_;
    return false;
  }
  // One element: up to the ',' or ']' at depth 0, outside strings.
  const size_t start = pos_;
  const int64_t start_line = line_;
  int depth = 0;
  bool in_string = false;
  for (; pos_ < s.size(); ++pos_) {
    const char c = s[pos_];
    if (c == '\n') ++line_;
    if (in_string) {
      if (c == '\\') {
        ++pos_;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) break;
      --depth;
    } else if (c == ',' && depth == 0) {
      break;
    }
  }
  if (pos_ >= s.size()) {
    error_ = absl::InvalidArgumentError(absl::StrCat(
        ElementWhere(path_, start_line, index_),
        ": malformed JSON: the element or the array is not closed"));
    bytes_read_ = size_;
    return false;
  }
  record->text.assign(s, start, pos_ - start);
  record->line = start_line;
  record->index = index_;
  record->where = ElementWhere(path_, start_line, index_);
  ++index_;
  bytes_read_ = static_cast<int64_t>(pos_);
  return true;
}

bool ParseFeedFormat(absl::string_view text, FeedFormat* format) {
  if (text == "auto")
    *format = FeedFormat::kAuto;
  else if (text == "retcon")
    *format = FeedFormat::kRetcon;
  else if (text == "returngo")
    *format = FeedFormat::kReturnGo;
  else if (text == "shopify")
    *format = FeedFormat::kShopify;
  else
    return false;
  return true;
}

bool ParseReturnGoLines(absl::string_view text, ReturnGoOptions* options) {
  if (text == "unit") {
    options->line_per_unit = true;
  } else if (text == "grouped") {
    options->line_per_unit = false;
  } else {
    return false;
  }
  return true;
}

absl::string_view ReturnGoLinesName(const ReturnGoOptions& options) {
  return options.line_per_unit ? "unit" : "grouped";
}

PayloadKind ReturnKindFor(FeedFormat format, PayloadKind detected) {
  switch (format) {
    case FeedFormat::kRetcon:
      return PayloadKind::kRetconReturn;
    case FeedFormat::kReturnGo:
    case FeedFormat::kShopify:
      return PayloadKind::kReturnGoRma;
    case FeedFormat::kAuto:
      break;
  }
  return detected == PayloadKind::kRetconReturn ||
                 detected == PayloadKind::kReturnGoRma
             ? detected
             : PayloadKind::kUnknown;
}

PayloadKind OrderKindFor(FeedFormat format, PayloadKind detected) {
  switch (format) {
    case FeedFormat::kRetcon:
      return PayloadKind::kRetconSalesOrder;
    case FeedFormat::kReturnGo:
    case FeedFormat::kShopify:
      return PayloadKind::kShopifyOrder;
    case FeedFormat::kAuto:
      break;
  }
  return detected == PayloadKind::kRetconSalesOrder ||
                 detected == PayloadKind::kShopifyOrder
             ? detected
             : PayloadKind::kUnknown;
}

PayloadKind DetectReturnsKind(FeedReader& feed, FeedFormat format) {
  PayloadKind kind = ReturnKindFor(format, PayloadKind::kUnknown);
  FeedRecord record;
  while (kind == PayloadKind::kUnknown && feed.Next(&record)) {
    kind = ReturnKindFor(format, DetectPayloadKind(record.text));
  }
  return kind;
}

absl::Status ParseReturnRecord(const FeedRecord& record, PayloadKind kind,
                               v1::ReturnRequest* ret,
                               const ReturnGoOptions& returngo) {
  if (kind == PayloadKind::kReturnGoRma) {
    absl::StatusOr<v1::ReturnRequest> parsed =
        ReturnRequestFromReturnGo(record.text, returngo);
    if (!parsed.ok()) {
      absl::Status shape = CheckShape(record, kind);
      return shape.ok() ? Located(record, parsed.status()) : shape;
    }
    *ret = *std::move(parsed);
    return absl::OkStatus();
  }
  ret->Clear();
  absl::Status status = ParseJsonRecord(record, "return", ret);
  if (!status.ok()) {
    absl::Status shape = CheckShape(record, kind);
    return shape.ok() ? status : shape;
  }
  return status;
}

absl::Status ParseOrderRecord(const FeedRecord& record, PayloadKind kind,
                              v1::SalesOrder* order) {
  if (kind == PayloadKind::kShopifyOrder) {
    absl::StatusOr<v1::SalesOrder> parsed = SalesOrderFromShopify(record.text);
    if (!parsed.ok()) {
      absl::Status shape = CheckShape(record, kind);
      return shape.ok() ? Located(record, parsed.status()) : shape;
    }
    *order = *std::move(parsed);
    return absl::OkStatus();
  }
  order->Clear();
  absl::Status status = ParseJsonRecord(record, "order", order);
  if (!status.ok()) {
    absl::Status shape = CheckShape(record, kind);
    return shape.ok() ? status : shape;
  }
  return status;
}

absl::Status ParseJsonRecord(const FeedRecord& record, absl::string_view root,
                             google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(record.text,
                                                            message, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      record.where, ": ",
      DescribeJsonError(
          absl::string_view(status.message().data(), status.message().size()),
          root, /*snippet=*/false)));
}

absl::Status UnrecognisedReturn(const FeedRecord& record) {
  return Unrecognised(record, "return",
                      "a retcon.v1.ReturnRequest (return_id and lines) nor a "
                      "ReturnGo RMA (rmaSummary, or items[] with "
                      "shopLineItemId)",
                      "--returns-format");
}

absl::Status UnrecognisedOrder(const FeedRecord& record) {
  return Unrecognised(record, "order",
                      "a retcon.v1.SalesOrder (order_id and lines) nor a "
                      "Shopify order (line_items)",
                      "--orders-format");
}

}  // namespace cli
}  // namespace retcon
