// Shopify order JSON (REST Admin API) -> retcon.v1.SalesOrder. The mapping
// is in docs/integration/adapters.md.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/adapters/internal/fields.h"
#include "lib/adapters/internal/json.h"
#include "lib/internal/status_macros.h"
#include "retcon/adapters.h"
#include "retcon/money.h"

namespace retcon {
namespace {

using adapters_internal::ExpectType;
using adapters_internal::FieldError;
using adapters_internal::JsonDocument;
using adapters_internal::JsonType;
using adapters_internal::JsonValue;
using adapters_internal::Member;
using adapters_internal::MissingField;
using adapters_internal::Path;
using adapters_internal::Quoted;
using adapters_internal::ReadBool;
using adapters_internal::ReadFractionAsPercent;
using adapters_internal::ReadInteger;
using adapters_internal::ReadMoney;
using adapters_internal::ReadShopifyId;
using adapters_internal::ReadText;
using adapters_internal::ReadTimestamp;
using adapters_internal::RequiredMember;

// State shared while one order is read.
struct Reading {
  const ShopifyOptions& options;
  std::string currency;       // The order's currency (shop or presentment).
  bool set_required = false;  // The plain amounts are in another currency.
  // Per discount_applications[] entry: its level, and what lines and
  // shipping lines were allocated of it.
  std::vector<v1::DiscountLevel> levels;
  std::vector<int64_t> allocated;
  std::vector<bool> referenced;
};

// An amount given plainly (`plain_key`, in the shop's currency) and as a
// money set (`set_key`: {shop_money, presentment_money}, each {amount,
// currency_code}); the set is preferred.
absl::Status ReadAmount(const Reading& reading, const JsonValue& object,
                        absl::string_view plain_key, absl::string_view set_key,
                        const Path& path, v1::Money* money) {
  const absl::string_view side =
      reading.options.presentment_money ? "presentment_money" : "shop_money";
  const Path set_path = path.Key(set_key);
  if (const JsonValue* set = Member(&object, set_key)) {
    RETCON_RETURN_IF_ERROR(ExpectType(*set, JsonType::kObject, set_path));
    if (const JsonValue* m = Member(set, side)) {
      const Path m_path = set_path.Key(side);
      RETCON_RETURN_IF_ERROR(ExpectType(*m, JsonType::kObject, m_path));
      RETCON_ASSIGN_OR_RETURN(const JsonValue* amount,
                              RequiredMember(*m, "amount", m_path));
      const Path currency_path = m_path.Key("currency_code");
      if (const JsonValue* c = Member(m, "currency_code")) {
        RETCON_ASSIGN_OR_RETURN(absl::string_view code,
                                ReadText(*c, currency_path));
        if (absl::AsciiStrToUpper(code) != reading.currency) {
          return FieldError(
              currency_path,
              absl::StrCat("\"", code, "\" is not the order's currency \"",
                           reading.currency, "\""));
        }
      }
      return ReadMoney(*amount, m_path.Key("amount"), reading.currency,
                       currency_path, money);
    }
  }
  if (reading.set_required) return MissingField(set_path.Key(side));
  const JsonValue* amount = Member(&object, plain_key);
  if (amount == nullptr) return MissingField(path.Key(plain_key));
  return ReadMoney(*amount, path.Key(plain_key), reading.currency,
                   Path().Key("currency"), money);
}

// Copies an optional text member into `field`.
absl::Status CopyText(const JsonValue& object, absl::string_view key,
                      const Path& path, std::string* field) {
  const JsonValue* v = Member(&object, key);
  if (v == nullptr) return absl::OkStatus();
  RETCON_ASSIGN_OR_RETURN(absl::string_view text, ReadText(*v, path.Key(key)));
  *field = std::string(text);
  return absl::OkStatus();
}

// Shopify's target_selection and allocation_method as retcon's level: a
// discount "across" "all" line items is an order-level code; "entitled" or
// "explicit" targets, or a value given "each"/"one" item, are line
// promotions; a discount on shipping lines is LINE (of the shipping line).
absl::StatusOr<v1::DiscountLevel> LevelOf(const JsonValue& app,
                                          const Path& path) {
  std::string target, method, type;
  RETCON_RETURN_IF_ERROR(CopyText(app, "target_selection", path, &target));
  RETCON_RETURN_IF_ERROR(CopyText(app, "allocation_method", path, &method));
  RETCON_RETURN_IF_ERROR(CopyText(app, "target_type", path, &type));
  if (type == "shipping_line") return v1::DISCOUNT_LEVEL_LINE;
  if (target == "all" && (method == "across" || method.empty())) {
    return v1::DISCOUNT_LEVEL_ORDER;
  }
  return v1::DISCOUNT_LEVEL_LINE;
}

absl::Status ReadApplications(Reading& reading, const JsonValue& order,
                              const Path& path, v1::SalesOrder* out) {
  const JsonValue* apps = Member(&order, "discount_applications");
  if (apps == nullptr) return absl::OkStatus();
  const Path apps_path = path.Key("discount_applications");
  RETCON_RETURN_IF_ERROR(ExpectType(*apps, JsonType::kArray, apps_path));
  for (size_t a = 0; a < apps->size(); ++a) {
    const JsonValue& app = apps->element(a);
    const Path app_path = apps_path.Index(a);
    RETCON_RETURN_IF_ERROR(ExpectType(app, JsonType::kObject, app_path));
    v1::DiscountApplication* d = out->add_discounts();
    d->set_application_id(absl::StrCat(a));
    RETCON_RETURN_IF_ERROR(CopyText(app, "code", app_path, d->mutable_code()));
    RETCON_RETURN_IF_ERROR(
        CopyText(app, "title", app_path, d->mutable_title()));
    if (d->title().empty()) {
      RETCON_RETURN_IF_ERROR(
          CopyText(app, "description", app_path, d->mutable_title()));
    }
    RETCON_ASSIGN_OR_RETURN(v1::DiscountLevel level, LevelOf(app, app_path));
    d->set_level(level);
    reading.levels.push_back(level);
  }
  reading.allocated.assign(reading.levels.size(), 0);
  reading.referenced.assign(reading.levels.size(), false);
  return absl::OkStatus();
}

template <typename Allocations>
absl::Status ReadAllocations(Reading& reading, const JsonValue& owner,
                             const Path& path, Allocations* out) {
  const JsonValue* allocs = Member(&owner, "discount_allocations");
  if (allocs == nullptr) return absl::OkStatus();
  const Path allocs_path = path.Key("discount_allocations");
  RETCON_RETURN_IF_ERROR(ExpectType(*allocs, JsonType::kArray, allocs_path));
  for (size_t j = 0; j < allocs->size(); ++j) {
    const JsonValue& alloc = allocs->element(j);
    const Path alloc_path = allocs_path.Index(j);
    RETCON_RETURN_IF_ERROR(ExpectType(alloc, JsonType::kObject, alloc_path));
    v1::DiscountAllocation* d = out->Add();
    RETCON_RETURN_IF_ERROR(ReadAmount(reading, alloc, "amount", "amount_set",
                                      alloc_path, d->mutable_amount()));
    const JsonValue* index = Member(&alloc, "discount_application_index");
    if (index == nullptr) continue;  // A discount recorded only on the line.
    const Path index_path = alloc_path.Key("discount_application_index");
    RETCON_ASSIGN_OR_RETURN(int64_t a, ReadInteger(*index, index_path));
    if (a < 0 || a >= static_cast<int64_t>(reading.levels.size())) {
      return FieldError(index_path,
                        absl::StrCat(a,
                                     " is not an index of "
                                     "discount_applications (",
                                     reading.levels.size(), " of them)"));
    }
    d->set_application_id(absl::StrCat(a));
    d->set_level(reading.levels[a]);
    if (reading.allocated[a] >
        std::numeric_limits<int64_t>::max() - d->amount().minor_units()) {
      return FieldError(alloc_path, "allocations overflow int64");
    }
    reading.allocated[a] += d->amount().minor_units();
    reading.referenced[a] = true;
  }
  return absl::OkStatus();
}

template <typename TaxLines>
absl::Status ReadTaxLines(const Reading& reading, const JsonValue& owner,
                          const Path& path, TaxLines* out) {
  const JsonValue* taxes = Member(&owner, "tax_lines");
  if (taxes == nullptr) return absl::OkStatus();
  const Path taxes_path = path.Key("tax_lines");
  RETCON_RETURN_IF_ERROR(ExpectType(*taxes, JsonType::kArray, taxes_path));
  for (size_t t = 0; t < taxes->size(); ++t) {
    const JsonValue& tax = taxes->element(t);
    const Path tax_path = taxes_path.Index(t);
    RETCON_RETURN_IF_ERROR(ExpectType(tax, JsonType::kObject, tax_path));
    v1::TaxLine* line = out->Add();
    RETCON_ASSIGN_OR_RETURN(const JsonValue* rate,
                            RequiredMember(tax, "rate", tax_path));
    RETCON_ASSIGN_OR_RETURN(*line->mutable_rate(),
                            ReadFractionAsPercent(*rate, tax_path.Key("rate")));
    if (Member(&tax, "price") != nullptr ||
        Member(&tax, "price_set") != nullptr) {
      RETCON_RETURN_IF_ERROR(ReadAmount(reading, tax, "price", "price_set",
                                        tax_path, line->mutable_amount()));
    }
    RETCON_RETURN_IF_ERROR(
        CopyText(tax, "title", tax_path, line->mutable_title()));
  }
  return absl::OkStatus();
}

absl::Status ReadLine(Reading& reading, const JsonValue& item, const Path& path,
                      v1::SalesOrderLine* line) {
  RETCON_RETURN_IF_ERROR(ExpectType(item, JsonType::kObject, path));
  RETCON_ASSIGN_OR_RETURN(const JsonValue* id,
                          RequiredMember(item, "id", path));
  RETCON_ASSIGN_OR_RETURN(*line->mutable_line_id(),
                          ReadShopifyId(*id, path.Key("id")));
  RETCON_ASSIGN_OR_RETURN(const JsonValue* quantity,
                          RequiredMember(item, "quantity", path));
  RETCON_ASSIGN_OR_RETURN(int64_t units,
                          ReadInteger(*quantity, path.Key("quantity")));
  if (units <= 0) {
    return FieldError(path.Key("quantity"),
                      absl::StrCat(units, " units; must be > 0"));
  }
  line->set_quantity(units);
  RETCON_RETURN_IF_ERROR(CopyText(item, "sku", path, line->mutable_sku()));
  RETCON_RETURN_IF_ERROR(
      CopyText(item, "name", path, line->mutable_product_name()));
  if (line->product_name().empty()) {
    RETCON_RETURN_IF_ERROR(
        CopyText(item, "title", path, line->mutable_product_name()));
  }
  if (const JsonValue* v = Member(&item, "variant_id")) {
    RETCON_ASSIGN_OR_RETURN(*line->mutable_variant_id(),
                            ReadShopifyId(*v, path.Key("variant_id")));
  }
  RETCON_RETURN_IF_ERROR(ReadAmount(reading, item, "price", "price_set", path,
                                    line->mutable_unit_price()));
  RETCON_RETURN_IF_ERROR(ReadAllocations(reading, item, path,
                                         line->mutable_discount_allocations()));
  return ReadTaxLines(reading, item, path, line->mutable_tax_lines());
}

absl::Status ReadShipping(Reading& reading, const JsonValue& item,
                          const Path& path, v1::ShippingLine* line) {
  RETCON_RETURN_IF_ERROR(ExpectType(item, JsonType::kObject, path));
  RETCON_ASSIGN_OR_RETURN(const JsonValue* id,
                          RequiredMember(item, "id", path));
  RETCON_ASSIGN_OR_RETURN(*line->mutable_shipping_id(),
                          ReadShopifyId(*id, path.Key("id")));
  RETCON_RETURN_IF_ERROR(CopyText(item, "title", path, line->mutable_title()));
  RETCON_RETURN_IF_ERROR(ReadAmount(reading, item, "price", "price_set", path,
                                    line->mutable_price()));
  RETCON_RETURN_IF_ERROR(ReadAllocations(reading, item, path,
                                         line->mutable_discount_allocations()));
  return ReadTaxLines(reading, item, path, line->mutable_tax_lines());
}

absl::Status ReadAddress(const JsonValue& order, absl::string_view key,
                         const Path& order_path, v1::Address* out) {
  const JsonValue* a = Member(&order, key);
  const Path path = order_path.Key(key);
  RETCON_RETURN_IF_ERROR(ExpectType(*a, JsonType::kObject, path));
  RETCON_RETURN_IF_ERROR(CopyText(*a, "name", path, out->mutable_name()));
  if (out->name().empty()) {
    std::string first, last;
    RETCON_RETURN_IF_ERROR(CopyText(*a, "first_name", path, &first));
    RETCON_RETURN_IF_ERROR(CopyText(*a, "last_name", path, &last));
    out->set_name(first.empty() || last.empty()
                      ? first + last
                      : absl::StrCat(first, " ", last));
  }
  RETCON_RETURN_IF_ERROR(CopyText(*a, "company", path, out->mutable_company()));
  RETCON_RETURN_IF_ERROR(CopyText(*a, "address1", path, out->mutable_line1()));
  RETCON_RETURN_IF_ERROR(CopyText(*a, "address2", path, out->mutable_line2()));
  RETCON_RETURN_IF_ERROR(CopyText(*a, "city", path, out->mutable_city()));
  RETCON_RETURN_IF_ERROR(CopyText(*a, "province", path, out->mutable_region()));
  if (out->region().empty()) {
    RETCON_RETURN_IF_ERROR(
        CopyText(*a, "province_code", path, out->mutable_region()));
  }
  RETCON_RETURN_IF_ERROR(CopyText(*a, "zip", path, out->mutable_postal_code()));
  RETCON_RETURN_IF_ERROR(
      CopyText(*a, "country_code", path, out->mutable_country_code()));
  return CopyText(*a, "phone", path, out->mutable_phone());
}

absl::Status ReadCustomer(const JsonValue& order, const Path& path,
                          v1::Customer* out) {
  if (const JsonValue* c = Member(&order, "customer")) {
    const Path cpath = path.Key("customer");
    RETCON_RETURN_IF_ERROR(ExpectType(*c, JsonType::kObject, cpath));
    if (const JsonValue* id = Member(c, "id")) {
      RETCON_ASSIGN_OR_RETURN(*out->mutable_customer_id(),
                              ReadShopifyId(*id, cpath.Key("id")));
    }
    RETCON_RETURN_IF_ERROR(CopyText(*c, "email", cpath, out->mutable_email()));
    RETCON_RETURN_IF_ERROR(
        CopyText(*c, "first_name", cpath, out->mutable_first_name()));
    RETCON_RETURN_IF_ERROR(
        CopyText(*c, "last_name", cpath, out->mutable_last_name()));
    RETCON_RETURN_IF_ERROR(CopyText(*c, "phone", cpath, out->mutable_phone()));
  }
  for (absl::string_view key : {"email", "contact_email"}) {
    if (out->email().empty()) {
      RETCON_RETURN_IF_ERROR(CopyText(order, key, path, out->mutable_email()));
    }
  }
  if (out->phone().empty()) {
    RETCON_RETURN_IF_ERROR(
        CopyText(order, "phone", path, out->mutable_phone()));
  }
  return absl::OkStatus();
}

absl::Status ReadHeader(Reading& reading, const JsonValue& order,
                        const Path& path, v1::SalesOrder* out) {
  RETCON_ASSIGN_OR_RETURN(const JsonValue* id,
                          RequiredMember(order, "id", path));
  RETCON_ASSIGN_OR_RETURN(*out->mutable_order_id(),
                          ReadShopifyId(*id, path.Key("id")));
  for (absl::string_view key : {"name", "order_number"}) {
    if (const JsonValue* v = Member(&order, key)) {
      RETCON_ASSIGN_OR_RETURN(absl::string_view name,
                              ReadText(*v, path.Key(key)));
      out->set_order_number(std::string(name));
      break;
    }
  }
  std::string shop, presentment;
  const JsonValue* currency = Member(&order, "currency");
  if (currency == nullptr) return MissingField(path.Key("currency"));
  RETCON_RETURN_IF_ERROR(CopyText(order, "currency", path, &shop));
  RETCON_RETURN_IF_ERROR(
      CopyText(order, "presentment_currency", path, &presentment));
  const bool use_presentment =
      reading.options.presentment_money && !presentment.empty();
  const std::string& stated = use_presentment ? presentment : shop;
  reading.currency = absl::AsciiStrToUpper(stated);
  reading.set_required =
      use_presentment && reading.currency != absl::AsciiStrToUpper(shop);
  if (!CurrencyExponent(reading.currency).ok()) {
    return FieldError(
        path.Key(use_presentment ? "presentment_currency" : "currency"),
        absl::StrCat(Quoted(stated), " is not an ISO 4217 currency code"));
  }
  out->set_currency_code(reading.currency);
  if (const JsonValue* v = Member(&order, "taxes_included")) {
    RETCON_ASSIGN_OR_RETURN(bool included,
                            ReadBool(*v, path.Key("taxes_included")));
    out->set_prices_include_tax(included);
  }
  for (absl::string_view key : {"processed_at", "created_at"}) {
    if (const JsonValue* v = Member(&order, key)) {
      RETCON_ASSIGN_OR_RETURN(*out->mutable_placed_at(),
                              ReadTimestamp(*v, path.Key(key)));
      break;
    }
  }
  out->set_order_type(reading.options.order_type);
  out->set_channel(reading.options.channel);
  // Sections the order lacks stay unset.
  v1::Customer customer;
  RETCON_RETURN_IF_ERROR(ReadCustomer(order, path, &customer));
  if (customer.ByteSizeLong() > 0) *out->mutable_customer() = customer;
  for (absl::string_view key : {"billing_address", "shipping_address"}) {
    if (Member(&order, key) == nullptr) continue;
    RETCON_RETURN_IF_ERROR(ReadAddress(order, key, path,
                                       key == "billing_address"
                                           ? out->mutable_billing_address()
                                           : out->mutable_shipping_address()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::SalesOrder> SalesOrderFromShopify(
    absl::string_view order_json, const ShopifyOptions& options) {
  RETCON_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::Parse(order_json));
  const Path root;
  RETCON_RETURN_IF_ERROR(ExpectType(doc.root(), JsonType::kObject, root));
  const JsonValue* order = &doc.root();
  const Path wrapped_path = root.Key("order");
  const Path* path = &root;
  if (const JsonValue* inner = Member(order, "order");
      inner != nullptr && Member(order, "line_items") == nullptr) {
    RETCON_RETURN_IF_ERROR(ExpectType(*inner, JsonType::kObject, wrapped_path));
    order = inner;
    path = &wrapped_path;
  }
  v1::SalesOrder out;
  out.set_source(options.source);
  Reading reading{options, "", false, {}, {}, {}};
  RETCON_RETURN_IF_ERROR(ReadHeader(reading, *order, *path, &out));
  RETCON_RETURN_IF_ERROR(ReadApplications(reading, *order, *path, &out));
  const Path items_path = path->Key("line_items");
  const JsonValue* items = Member(order, "line_items");
  if (items == nullptr) return MissingField(items_path);
  RETCON_RETURN_IF_ERROR(ExpectType(*items, JsonType::kArray, items_path));
  for (size_t i = 0; i < items->size(); ++i) {
    RETCON_RETURN_IF_ERROR(ReadLine(reading, items->element(i),
                                    items_path.Index(i), out.add_lines()));
  }
  if (const JsonValue* shipping = Member(order, "shipping_lines")) {
    const Path shipping_path = path->Key("shipping_lines");
    RETCON_RETURN_IF_ERROR(
        ExpectType(*shipping, JsonType::kArray, shipping_path));
    for (size_t s = 0; s < shipping->size(); ++s) {
      RETCON_RETURN_IF_ERROR(ReadShipping(reading, shipping->element(s),
                                          shipping_path.Index(s),
                                          out.add_shipping_lines()));
    }
  }
  // An application's amount is what was allocated of it; one nothing was
  // allocated of is left without an amount (retcon then ignores it).
  for (size_t a = 0; a < reading.levels.size(); ++a) {
    if (!reading.referenced[a]) continue;
    v1::Money* amount = out.mutable_discounts(a)->mutable_amount();
    amount->set_currency_code(reading.currency);
    amount->set_minor_units(reading.allocated[a]);
  }
  return out;
}

}  // namespace retcon
