// Postings already in the history: their ids, and what a plan does when it
// meets one again (drops it, or raises a REPLAY_CONFLICT).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/idempotency.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {

absl::StatusOr<Replay> CheckReplay(PlanContext& ctx, const v1::PostingId& id,
                                   v1::PostingKind kind,
                                   absl::string_view what) {
  if (ctx.posted.empty()) return Replay::kNew;  // A first plan: no hashing.
  auto it = ctx.posted.find(id.idempotency_key());
  if (it == ctx.posted.end()) return Replay::kNew;
  const v1::PostedKey& posted = *it->second;
  if (posted.fingerprint() == id.fingerprint()) {
    *ctx.plan.add_already_posted() = posted;
    return Replay::kDropped;
  }
  std::vector<Issue> issues(1);
  Issue& issue = issues[0];
  issue.code = v1::EXCEPTION_CODE_REPLAY_CONFLICT;
  issue.message = absl::StrCat(
      "The ", what, " (", id.identity(),
      ") was already posted, but the returns platform now sends it with "
      "different content. Nothing was posted again. Compare the posted "
      "document",
      posted.document_ref().empty() ? ""
                                    : absl::StrCat(" ", posted.document_ref()),
      " with the return and correct whichever is wrong by hand.");
  v1::ExceptionDetail detail;
  detail.set_field("fingerprint");
  detail.set_expected(posted.fingerprint());
  detail.set_actual(id.fingerprint());
  issue.details.push_back(detail);
  detail.set_field("idempotency_key");
  detail.set_expected(id.idempotency_key());
  detail.set_actual(id.idempotency_key());
  issue.details.push_back(detail);
  issue.owner = kind == v1::POSTING_KIND_CREDIT_NOTE ? v1::OWNER_FINANCE
                : kind == v1::POSTING_KIND_STOCK_MOVEMENT
                    ? v1::OWNER_OPERATIONS
                    : v1::OWNER_CUSTOMER_SERVICE;
  // The replayed posting is in no list of this plan, so the exception
  // parks nothing: it names the key in its details instead.
  RETCON_RETURN_IF_ERROR(RaiseIssues(ctx, issues, "").status());
  return Replay::kConflict;
}

void SetPostingId(std::string identity, const Uuid& fingerprint,
                  v1::PostingId* id) {
  // UUID text straight into the fields; the identity moved, not copied.
  // (set_x(const char*, size_t) of protobuf 3.21 copies a temporary string:
  // one allocation more.)
  char text[36];
  FormatUuid(Uuid5(RetconNamespace(), identity), text);
  id->mutable_idempotency_key()->assign(text, sizeof(text));
  FormatUuid(fingerprint, text);
  id->mutable_fingerprint()->assign(text, sizeof(text));
  id->set_identity(std::move(identity));
}

}  // namespace plan_internal
}  // namespace retcon
