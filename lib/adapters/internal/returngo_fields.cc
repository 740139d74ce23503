#include "lib/adapters/internal/returngo_fields.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "retcon/money.h"

namespace retcon {
namespace adapters_internal {
namespace {

// Lower case, letters and digits only: "Refund_To-Payment Method" and
// "refundToPaymentMethod" read alike.
std::string Normalized(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// The amount and currency keys of a ReturnGo money object, by preference.
struct MoneyKeys {
  absl::string_view amount;
  absl::string_view currency;
};

// The currency of a money object, by the same preference as ReadAmount; empty
// when it names none. When it names one, `*key` is set to the member it was
// read from (a string literal) and `*text` to that member's own text.
std::string CurrencyOf(const ReturnGoOptions& options, const JsonValue* money,
                       absl::string_view* key, absl::string_view* text) {
  const char* keys[2] = {"shopCurrency", "currency"};
  if (!options.shop_money) std::swap(keys[0], keys[1]);
  const char* amount_keys[2] = {"shopAmount", "amount"};
  if (!options.shop_money) std::swap(amount_keys[0], amount_keys[1]);
  for (int k = 0; k < 2; ++k) {
    if (Member(money, amount_keys[k]) == nullptr) continue;
    const JsonValue* currency = Member(money, keys[k]);
    if (currency != nullptr && currency->type() == JsonType::kString) {
      *key = keys[k];
      *text = currency->text();
      return absl::AsciiStrToUpper(
          absl::StripAsciiWhitespace(currency->text()));
    }
    return "";
  }
  return "";
}

}  // namespace

absl::StatusOr<v1::Resolution> ParseResolution(const JsonValue& value,
                                               const Path& path) {
  RETCON_ASSIGN_OR_RETURN(absl::string_view text, ReadText(value, path));
  const std::string key = Normalized(text);
  static constexpr std::pair<absl::string_view, v1::Resolution> kExact[] = {
      {"refundtopaymentmethod", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"refund", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"originalpaymentmethod", v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD},
      {"storecredit", v1::RESOLUTION_STORE_CREDIT},
      {"refundtostorecredit", v1::RESOLUTION_STORE_CREDIT},
      {"giftcard", v1::RESOLUTION_GIFT_CARD},
      {"refundtogiftcard", v1::RESOLUTION_GIFT_CARD},
      {"banktransfer", v1::RESOLUTION_BANK_TRANSFER},
      {"refundtobanktransfer", v1::RESOLUTION_BANK_TRANSFER},
      {"donate", v1::RESOLUTION_DONATE},
      {"donation", v1::RESOLUTION_DONATE},
  };
  for (const auto& [name, resolution] : kExact) {
    if (key == name) return resolution;
  }
  // Families: Exchange, ExchangeVariant, ExchangeProduct...; KeepItem,
  // KeepItemRefund, KeepItemStoreCredit...
  if (absl::StartsWith(key, "exchange")) return v1::RESOLUTION_EXCHANGE;
  if (absl::StartsWith(key, "keepitem")) return v1::RESOLUTION_KEEP_ITEM;
  return FieldError(
      path, absl::StrCat("unknown resolution \"", text,
                         "\" (expected RefundToPaymentMethod, StoreCredit, "
                         "GiftCard, BankTransfer, Exchange..., KeepItem... "
                         "or Donate)"));
}

absl::StatusOr<v1::ReturnStatus> ParseReturnStatus(const JsonValue& value,
                                                   const Path& path) {
  RETCON_ASSIGN_OR_RETURN(absl::string_view text, ReadText(value, path));
  const std::string key = Normalized(text);
  static constexpr std::pair<absl::string_view, v1::ReturnStatus> kStatuses[] =
      {{"pending", v1::RETURN_STATUS_PENDING},
       {"approved", v1::RETURN_STATUS_APPROVED},
       {"received", v1::RETURN_STATUS_RECEIVED},
       {"validated", v1::RETURN_STATUS_VALIDATED},
       {"done", v1::RETURN_STATUS_DONE},
       {"rejected", v1::RETURN_STATUS_REJECTED},
       {"canceled", v1::RETURN_STATUS_CANCELED},
       {"cancelled", v1::RETURN_STATUS_CANCELED}};
  for (const auto& [name, status] : kStatuses) {
    if (key == name) return status;
  }
  return FieldError(path,
                    absl::StrCat("unknown RMA status \"", text,
                                 "\" (expected Pending, Approved, Received, "
                                 "Validated, Done, Rejected or Canceled)"));
}

absl::StatusOr<v1::TransactionStatus> ParseTransactionStatus(
    const JsonValue& value, const Path& path) {
  RETCON_ASSIGN_OR_RETURN(absl::string_view text, ReadText(value, path));
  const std::string key = Normalized(text);
  static constexpr std::pair<absl::string_view, v1::TransactionStatus>
      kStatuses[] = {{"requested", v1::TRANSACTION_STATUS_REQUESTED},
                     {"pending", v1::TRANSACTION_STATUS_PENDING},
                     {"success", v1::TRANSACTION_STATUS_SUCCESS},
                     {"succeeded", v1::TRANSACTION_STATUS_SUCCESS},
                     {"failed", v1::TRANSACTION_STATUS_FAILED},
                     {"failure", v1::TRANSACTION_STATUS_FAILED},
                     {"canceled", v1::TRANSACTION_STATUS_CANCELED},
                     {"cancelled", v1::TRANSACTION_STATUS_CANCELED}};
  for (const auto& [name, status] : kStatuses) {
    if (key == name) return status;
  }
  return FieldError(path, absl::StrCat("unknown transaction status \"", text,
                                       "\" (expected Requested, Pending, "
                                       "Success, Failed or Canceled)"));
}

// A ReturnGo amount: an object {amount, currency, shopAmount, shopCurrency}
// (shop pair preferred when options.shop_money), or a bare decimal string or
// number in the RMA's currency.
absl::Status ReadAmount(const Reading& reading, const JsonValue& value,
                        const Path& path, v1::Money* money) {
  if (value.type() != JsonType::kObject) {
    if (reading.currency.empty()) {
      return FieldError(path,
                        "an amount without a currency, and the RMA states "
                        "none (items[].paidPrice.currency)");
    }
    return ReadMoney(value, path, reading.currency, path, money);
  }
  MoneyKeys order[2] = {{"shopAmount", "shopCurrency"}, {"amount", "currency"}};
  if (!reading.options.shop_money) std::swap(order[0], order[1]);
  for (const MoneyKeys& keys : order) {
    const JsonValue* amount = Member(&value, keys.amount);
    if (amount == nullptr) continue;
    const Path amount_path = path.Key(keys.amount);
    const Path currency_path = path.Key(keys.currency);
    const JsonValue* currency = Member(&value, keys.currency);
    std::string code = reading.currency;
    if (currency != nullptr) {
      RETCON_ASSIGN_OR_RETURN(absl::string_view text,
                              ReadText(*currency, currency_path));
      code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
      if (!code.empty() && !CurrencyExponent(code).ok()) {
        // Named as the RMA wrote it, like FindCurrency's error.
        return FieldError(
            currency_path,
            absl::StrCat(Quoted(text), " is not an ISO 4217 currency code"));
      }
    }
    if (code.empty()) return MissingField(currency_path);
    return ReadMoney(*amount, amount_path, code, currency_path, money);
  }
  return MissingField(path.Key(order[1].amount));
}

// The RMA's currency: that of the first item's paid price, else of the first
// transaction's amount; empty when it states none. Errors name where an
// unknown currency code was found.
absl::StatusOr<std::string> FindCurrency(const ReturnGoOptions& options,
                                         const JsonValue* items,
                                         const JsonValue* transactions,
                                         const Path& path) {
  std::string code;
  std::string where;  // Path of the currency member it came from.
  absl::string_view key;
  absl::string_view text;  // The currency member's text as the RMA has it.
  const Path items_path = path.Key("items");
  const Path transactions_path = path.Key("transactions");
  if (items != nullptr && items->is_array()) {
    for (size_t i = 0; i < items->size() && code.empty(); ++i) {
      code = CurrencyOf(options, Member(&items->element(i), "paidPrice"), &key,
                        &text);
      if (!code.empty())
        where = items_path.Index(i).Key("paidPrice").Key(key).ToString();
    }
  }
  if (transactions != nullptr && transactions->is_array()) {
    for (size_t i = 0; i < transactions->size() && code.empty(); ++i) {
      const JsonValue& t = transactions->element(i);
      const JsonValue* amount = Member(&t, "amount");
      code = CurrencyOf(options,
                        amount != nullptr && amount->is_object() ? amount : &t,
                        &key, &text);
      if (!code.empty()) {
        const Path t_path = transactions_path.Index(i);
        where = (amount != nullptr && amount->is_object() ? t_path.Key("amount")
                                                          : t_path)
                    .Key(key)
                    .ToString();
      }
    }
  }
  if (!code.empty() && !CurrencyExponent(code).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": ", Quoted(text), " is not an ISO 4217 currency code"));
  }
  return code;
}

}  // namespace adapters_internal
}  // namespace retcon
