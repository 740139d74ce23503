#include "examples/retcon/reconcile_inputs.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "examples/retcon/return_paths.h"
#include "google/protobuf/util/message_differencer.h"
#include "retcon/reconcile.h"

namespace retcon {
namespace cli {
namespace {

// What the returns at `path` are read as, told as `retcon plan` tells it
// (DetectReturnsKind): kUnknown when no record is recognisable. Errors: the
// file cannot be read; its first recognisable record is of the other kind
// than an explicit `format` (reading on would leave every return out and
// report their documents as gaps).
absl::StatusOr<PayloadKind> ReturnsKindOf(const std::string& path,
                                          FeedFormat format) {
  absl::StatusOr<std::unique_ptr<FeedReader>> probe = FeedReader::Open(path);
  if (!probe.ok()) return probe.status();
  const PayloadKind seen = DetectReturnsKind(**probe, FeedFormat::kAuto);
  const PayloadKind kind = ReturnKindFor(format, seen);
  if (seen != PayloadKind::kUnknown && kind != seen) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": the file holds ",
        seen == PayloadKind::kReturnGoRma ? "ReturnGo RMAs"
                                          : "retcon.v1.ReturnRequests",
        " (told from its first recognisable record) but --returns-format "
        "says ",
        kind == PayloadKind::kReturnGoRma ? "returngo" : "retcon"));
  }
  return kind;
}

// The warning for refunds[`index`] of `ret`, refund `id` again, first at
// refunds[`first`].
std::string RepeatedRefund(absl::string_view where, PayloadKind kind,
                           const v1::ReturnRequest& ret, absl::string_view id,
                           int index, int first) {
  std::string at = absl::StrCat("refunds[", first, "]");
  if (kind == PayloadKind::kReturnGoRma) at = ReturnGoSourceOf(ret, at);
  const absl::Status repeat = absl::InvalidArgumentError(absl::StrCat(
      "refunds[", index, "].refund_id: \"", id, "\" is listed before, at ", at,
      "; only the first entry is reconciled, as retcon plan uses only the "
      "first"));
  return std::string(AboutReturn(where, kind, ret, repeat).message());
}

// `message` of a check of the return with its refunds at indexes `kept` of
// the record: "refunds[k]..." names refunds[kept[k]] instead.
std::string RenumberRefund(absl::string_view message,
                           const std::vector<int>& kept) {
  absl::string_view rest = message;
  size_t k = 0;
  const size_t close = rest.find(']');
  if (!absl::ConsumePrefix(&rest, "refunds[") ||
      close == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(8, close - 8), &k) || k >= kept.size()) {
    return std::string(message);
  }
  return absl::StrCat("refunds[", kept[k], message.substr(close));
}

std::pair<int64_t, int32_t> UpdatedAt(const v1::ReturnRequest& r) {
  return {r.updated_at().seconds(), r.updated_at().nanos()};
}

}  // namespace

void ReconcileInputs::Skip(absl::string_view message, Places* input) {
  err_ << "retcon reconcile: " << message << " (skipped)\n";
  ++skipped_;
  ++input->skipped;
}

void ReconcileInputs::Warn(absl::string_view message) {
  err_ << "retcon reconcile: " << message << " (warning)\n";
  ++warnings_;
}

absl::Status ReconcileInputs::ReadReturns(const std::string& path,
                                          FeedFormat format,
                                          const ReturnGoOptions& returngo) {
  absl::StatusOr<PayloadKind> kind = ReturnsKindOf(path, format);
  if (!kind.ok()) return kind.status();
  absl::StatusOr<std::unique_ptr<FeedReader>> feed = FeedReader::Open(path);
  if (!feed.ok()) return feed.status();
  int64_t records = 0, read = 0;
  FeedRecord record;
  while ((*feed)->Next(&record)) {
    ++records;
    if (*kind == PayloadKind::kUnknown) {
      Skip(UnrecognisedReturn(record).message(), &returns_places_);
    } else if (AddReturn(record, *kind, returngo)) {
      ++read;
    }
  }
  // A broken array (an element never closed) is reported like a bad
  // record, as `retcon plan` does; what came before it is kept.
  if (!(*feed)->error().ok()) {
    Skip((*feed)->error().message(), &returns_places_);
    ++records;
  }
  if (records > 0 && read == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ",
        records == 1 ? "its only record could not"
                     : absl::StrCat("none of its ", records, " records could"),
        " be read as a valid return (see above); no report is written, as "
        "it would show every ERP document as a gap"));
  }
  return absl::OkStatus();
}

bool ReconcileInputs::AddReturn(const FeedRecord& record, PayloadKind kind,
                                const ReturnGoOptions& returngo) {
  v1::ReturnRequest ret;
  if (absl::Status s = ParseReturnRecord(record, kind, &ret, returngo);
      !s.ok()) {
    Skip(s.message(), &returns_places_);
    return false;
  }
  v1::ReturnRequest as_read = ret;
  const std::vector<int> kept = DropRepeatedRefunds(record, kind, &ret);
  if (absl::Status s = ValidateReturnForReconcile(ret); !s.ok()) {
    // Named as read: refunds[i] of the record (transactions[i] of an RMA),
    // not of what is left once repeated refunds are dropped.
    s = absl::Status(s.code(), RenumberRefund(s.message(), kept));
    Skip(AboutReturn(record.where, kind, as_read, s).message(),
         &returns_places_);
    return false;  // Not reconciled: as good as unreadable.
  }
  KeepLatest(record, std::move(ret));
  return true;
}

std::vector<int> ReconcileInputs::DropRepeatedRefunds(const FeedRecord& record,
                                                      PayloadKind kind,
                                                      v1::ReturnRequest* ret) {
  auto* refunds = ret->mutable_refunds();
  absl::flat_hash_map<std::string, int> first_of;  // refund_id -> index.
  std::vector<int> kept;
  for (int i = 0; i < refunds->size(); ++i) {
    const std::string& id = refunds->Get(i).refund_id();
    auto [first, added] = first_of.try_emplace(id, i);
    if (!added && !id.empty()) {
      Warn(RepeatedRefund(record.where, kind, *ret, id, i, first->second));
      continue;
    }
    const int at = static_cast<int>(kept.size());
    if (at != i) refunds->SwapElements(at, i);
    kept.push_back(i);
  }
  while (refunds->size() > static_cast<int>(kept.size())) {
    refunds->RemoveLast();
  }
  return kept;
}

void ReconcileInputs::KeepLatest(const FeedRecord& record,
                                 v1::ReturnRequest ret) {
  std::vector<std::string>& where = returns_places_.where;
  auto [it, added] =
      return_index_.try_emplace(ret.return_id(), returns_.size());
  if (added) {
    returns_.push_back(std::move(ret));
    where.push_back(record.where);
    return;
  }
  v1::ReturnRequest& kept = returns_[it->second];
  const bool later = UpdatedAt(ret) >= UpdatedAt(kept);
  err_ << "retcon reconcile: " << record.where << ": return \""
       << ret.return_id() << "\" also at " << where[it->second]
       << "; reconciling the "
       << (later ? "state given here" : "state given there")
       << " (latest updated_at, then last in the file)\n";
  if (UpdatedAt(ret) == UpdatedAt(kept) &&
      !google::protobuf::util::MessageDifferencer::Equals(ret, kept)) {
    // Nothing tells which of two different states is the current one.
    ++warnings_;
    err_ << "retcon reconcile: warning: " << record.where << ": return \""
         << ret.return_id() << "\" differs from the one at "
         << where[it->second] << " but has the same updated_at"
         << (ret.has_updated_at() ? "" : " (none)")
         << "; the last in the file is reconciled: check that it is the "
            "current state\n";
  }
  if (later) {
    kept = std::move(ret);
    where[it->second] = record.where;
  }
}

template <typename Record>
absl::Status ReconcileInputs::ReadRecords(
    const std::string& path, absl::Status (*validate)(const Record&),
    std::vector<Record>* out, Places* places) {
  absl::StatusOr<std::unique_ptr<FeedReader>> feed = FeedReader::Open(path);
  if (!feed.ok()) return feed.status();
  FeedRecord record;
  while ((*feed)->Next(&record)) {
    Record parsed;
    absl::Status s = ParseJsonRecord(record, "", &parsed);
    if (s.ok()) {
      s = validate(parsed);
      if (!s.ok()) {
        s = absl::Status(s.code(),
                         absl::StrCat(record.where, ": ", s.message()));
      }
    }
    if (!s.ok()) {
      Skip(s.message(), places);
      continue;
    }
    out->push_back(std::move(parsed));
    places->where.push_back(record.where);
  }
  if (!(*feed)->error().ok()) Skip((*feed)->error().message(), places);
  return absl::OkStatus();
}

absl::Status ReconcileInputs::ReadErp(const std::string& path) {
  return ReadRecords(path, &ValidateErpDocument, &erp_, &erp_places_);
}

absl::Status ReconcileInputs::ReadPayouts(const std::string& path) {
  return ReadRecords(path, &ValidateGatewayRefund, &payouts_, &payout_places_);
}

std::string ReconcileInputs::Locate(absl::string_view message) const {
  for (const Places* f : {&returns_places_, &erp_places_, &payout_places_}) {
    absl::string_view rest = message;
    size_t index = 0;
    if (!absl::ConsumePrefix(&rest, f->name) ||
        !absl::ConsumePrefix(&rest, "[")) {
      continue;
    }
    const size_t close = rest.find("].");
    if (close == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, close), &index) ||
        index >= f->where.size()) {
      continue;
    }
    return absl::StrCat(f->where[index], ": ", rest.substr(close + 2));
  }
  return std::string(message);
}

}  // namespace cli
}  // namespace retcon
