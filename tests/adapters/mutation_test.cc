// Seeded random mutations of the adapters' fixtures (truncated, flipped,
// inserted, deleted and repeated bytes): every call must return, with a
// result or an InvalidArgument naming a path, never crash or hang. The seed
// is printed on failure; RETCON_MUTATION_SEED=<n> replays it.
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "retcon/adapters.h"
#include "tests/adapters/adapters_test_util.h"

namespace retcon {
namespace {

constexpr const char* kFixtures[] = {"returngo_rma_multi_unit_done.json",
                                     "returngo_rma_partial_refund.json",
                                     "returngo_rma_exchange_uneven.json",
                                     "returngo_rma_jpy_store_credit.json",
                                     "returngo_rma_pending_minimal.json",
                                     "shopify_order_uk_taxes_included.json",
                                     "shopify_order_us_taxes_excluded.json",
                                     "shopify_order_eur_zero_rated.json",
                                     "shopify_order_jpy.json",
                                     "shopify_order_presentment_eur.json"};

uint64_t Seed() {
  if (const char* env = std::getenv("RETCON_MUTATION_SEED")) {
    return std::strtoull(env, nullptr, 10);
  }
  return 20261128;
}

// One random edit of `text`.
void Mutate(std::mt19937_64& rng, std::string& text) {
  if (text.empty()) return;
  const auto pos = [&] { return rng() % text.size(); };
  // Bytes that matter to JSON and to the adapters' readers.
  static constexpr char kInteresting[] = "{}[]\",:0123456789.-eE\\u \x80\xff";
  switch (rng() % 8) {
    case 0:  // Truncate.
      text.resize(pos());
      break;
    case 1:  // Flip bits.
      text[pos()] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 2:  // Replace with an interesting byte.
      text[pos()] = kInteresting[rng() % (sizeof(kInteresting) - 1)];
      break;
    case 3:  // Insert one.
      text.insert(pos(), 1, kInteresting[rng() % (sizeof(kInteresting) - 1)]);
      break;
    case 4: {  // Delete a range.
      size_t at = pos();
      text.erase(at, rng() % 16);
      break;
    }
    case 5: {  // Repeat a range.
      size_t at = pos();
      text.insert(at, text.substr(at, rng() % 32));
      break;
    }
    default: {  // Give a member another value of another type, keeping the
                // JSON valid: `"k": V` -> `"k": X, "zzN": V`.
      static constexpr const char* kValues[] = {"null",  "true",
                                                "0",     "1",
                                                "-1",    "2.5",
                                                "1e999", "\"\"",
                                                "\"x\"", "\"12.345\"",
                                                "[]",    "[1]",
                                                "{}",    "{\"amount\": \"1\"}"};
      size_t at = text.find(':', pos());
      if (at == std::string::npos) break;
      static int serial = 0;
      text.insert(at + 1,
                  std::string(" ") +
                      kValues[rng() % (sizeof(kValues) / sizeof(kValues[0]))] +
                      ", \"zz" + std::to_string(serial++) + "\":");
      break;
    }
  }
}

void ExpectWellFormedError(const absl::Status& status) {
  if (status.ok()) return;
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  // "<path>: <reason>".
  EXPECT_NE(status.message().find(": "), absl::string_view::npos) << status;
}

void ExpectConsistent(const v1::ReturnRequest& ret) {
  absl::flat_hash_set<std::string> ids;
  for (const v1::ReturnLine& line : ret.lines()) {
    EXPECT_GT(line.quantity(), 0);
    EXPECT_FALSE(line.order_line_id().empty());
    EXPECT_TRUE(ids.insert(line.return_line_id()).second)
        << line.return_line_id();
  }
  for (const v1::RefundTransaction& refund : ret.refunds()) {
    EXPECT_GE(refund.amount().minor_units(), 0);
    for (const std::string& id : refund.return_line_ids()) {
      EXPECT_TRUE(ids.contains(id)) << id;
    }
  }
}

TEST(AdaptersMutationTest, NeverCrashesOnMutatedFixtures) {
  const uint64_t seed = Seed();
  SCOPED_TRACE(testing::Message() << "RETCON_MUTATION_SEED=" << seed);
  std::mt19937_64 rng(seed);
  constexpr int kRounds = 4000;  // Per fixture.
  int accepted = 0, rejected = 0;
  for (const char* fixture : kFixtures) {
    const std::string original = ReadFixture(fixture);
    for (int round = 0; round < kRounds; ++round) {
      std::string text = original;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits; ++e) Mutate(rng, text);
      absl::StatusOr<v1::ReturnRequest> ret = ReturnRequestFromReturnGo(text);
      absl::StatusOr<v1::SalesOrder> order = SalesOrderFromShopify(text);
      DetectPayloadKind(text);
      ExpectWellFormedError(ret.status());
      ExpectWellFormedError(order.status());
      if (ret.ok()) ExpectConsistent(*ret);
      (ret.ok() || order.ok() ? accepted : rejected) += 1;
      if (HasFailure()) {
        ADD_FAILURE() << fixture << " round " << round << " input:\n" << text;
        return;
      }
    }
  }
  // The mutations must exercise both outcomes.
  EXPECT_GT(accepted, 100);
  EXPECT_GT(rejected, 100);
}

}  // namespace
}  // namespace retcon
