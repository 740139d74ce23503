// The components of an order's bundle lines: which components a line is
// made of (the order's own list, else the catalog's), their allocation
// weights, and each component's share of the line's paid figures.
#include "lib/apportion/internal/bundle_components.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/figures.h"
#include "lib/internal/status_macros.h"

namespace retcon {
namespace apportion_internal {
namespace {

using google::protobuf::RepeatedPtrField;

const v1::BundleDefinition* FindBundle(const v1::Catalog* catalog,
                                       absl::string_view sku) {
  if (catalog == nullptr) return nullptr;
  for (const v1::BundleDefinition& bundle : catalog->bundles()) {
    if (bundle.bundle_sku() == sku) return &bundle;
  }
  return nullptr;
}

const v1::BundleComponentDefinition* FindComponent(
    const v1::BundleDefinition& bundle, absl::string_view sku) {
  for (const auto& component : bundle.components()) {
    if (component.sku() == sku) return &component;
  }
  return nullptr;
}

// Position of `item` in `field`, for error paths. REQUIRES: it is there.
template <typename T>
int IndexOf(const RepeatedPtrField<T>& field, const T* item) {
  int i = 0;
  while (i < field.size() && &field[i] != item) ++i;
  return i;
}

// Allocation weights from the catalog: fixed weights when all are set, else
// list price x quantity.
absl::Status CatalogWeights(const v1::BundleDefinition& bundle,
                            ComponentSpecs& specs, PathFn owner,
                            PathFn bundle_path) {
  bool all_fixed = true, all_priced = true;
  absl::string_view currency;
  for (const ComponentSpec& spec : specs) {
    const auto* def = FindComponent(bundle, spec.sku);
    if (def == nullptr) {
      return FieldError(absl::StrCat(owner(), ".components"),
                        absl::StrCat("component '", spec.sku,
                                     "' is not in the catalog's bundle '",
                                     bundle.bundle_sku(), "'"));
    }
    all_fixed &= def->weight() > 0;
    all_priced &= def->has_list_price() && def->list_price().minor_units() >= 0;
    if (all_priced && !all_fixed) {
      // Weights from prices in two currencies would be meaningless.
      const std::string& code = def->list_price().currency_code();
      if (currency.empty()) currency = code;
      if (code != currency) {
        return FieldError(
            absl::StrCat(bundle_path(), ".components[",
                         IndexOf(bundle.components(), def), "].list_price"),
            absl::StrCat("is in ", code, " but another component's is in ",
                         currency));
      }
    }
  }
  if (!all_fixed && !all_priced) {
    return FieldError(
        absl::StrCat(bundle_path(), ".components"),
        absl::StrCat("bundle '", bundle.bundle_sku(),
                     "' has no allocation weights: give every component an "
                     "allocated_price in the order, or a weight or list_price "
                     "in the catalog"));
  }
  absl::int128 weight_sum = 0;
  for (ComponentSpec& spec : specs) {
    const auto* def = FindComponent(bundle, spec.sku);
    absl::int128 weight =
        all_fixed
            ? absl::int128(def->weight())
            : absl::int128(def->list_price().minor_units()) * spec.per_bundle;
    if (weight > std::numeric_limits<int64_t>::max()) {
      return FieldError(owner(), "bundle weight overflows int64");
    }
    spec.weight = static_cast<int64_t>(weight);
    weight_sum += weight;
  }
  if (weight_sum == 0 || weight_sum > std::numeric_limits<int64_t>::max()) {
    return FieldError(
        absl::StrCat(bundle_path(), ".components"),
        absl::StrCat("the list prices of bundle '", bundle.bundle_sku(),
                     weight_sum == 0 ? "' are all zero: nothing to split by"
                                     : "' overflow int64"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadComponents(const v1::SalesOrderLine& line,
                            const ApportionOptions& options,
                            absl::string_view currency, PathFn owner,
                            ComponentSpecs& specs) {
  specs.clear();
  const v1::BundleDefinition* bundle = FindBundle(options.catalog, line.sku());
  const auto catalog_path = [&] {
    return absl::StrCat("catalog.bundles[",
                        IndexOf(options.catalog->bundles(), bundle), "]");
  };
  // Where the component list came from, for error paths.
  const auto list_path = [&]() -> std::string {
    return line.components_size() > 0 ? owner() : catalog_path();
  };
  if (line.components_size() == 0) {
    if (bundle == nullptr) return absl::OkStatus();
    for (const auto& def : bundle->components()) {
      specs.push_back(ComponentSpec{def.sku(), def.quantity(), 0});
    }
  }
  specs.reserve(specs.size() + line.components_size());
  bool all_allocated = line.components_size() > 0;
  absl::int128 allocated_sum = 0;
  for (int c = 0; c < line.components_size(); ++c) {
    const v1::BundleComponent& component = line.components(c);
    const auto path = [&] {
      return absl::StrCat(owner(), ".components[", c, "]");
    };
    if (component.sku().empty()) {
      return FieldError(absl::StrCat(path(), ".sku"), "must not be empty");
    }
    specs.push_back(ComponentSpec{component.sku(), component.quantity(), 0});
    if (component.has_allocated_price()) {
      RETCON_ASSIGN_OR_RETURN(
          specs.back().weight,
          ReadNonNegative(component.allocated_price(), currency, [&] {
            return absl::StrCat(path(), ".allocated_price");
          }));
      allocated_sum += specs.back().weight;
    } else {
      all_allocated = false;
    }
  }
  for (size_t c = 0; c < specs.size(); ++c) {
    const auto path = [&] {
      return absl::StrCat(list_path(), ".components[", c, "]");
    };
    if (specs[c].per_bundle <= 0 || specs[c].per_bundle > kMaxUnits) {
      return FieldError(absl::StrCat(path(), ".quantity"),
                        absl::StrCat("must be between 1 and ", kMaxUnits,
                                     ", got ", specs[c].per_bundle));
    }
    for (size_t d = 0; d < c; ++d) {
      if (specs[d].sku == specs[c].sku) {
        return FieldError(
            absl::StrCat(path(), ".sku"),
            absl::StrCat("component '", specs[c].sku, "' is listed twice"));
      }
    }
  }
  if (all_allocated && allocated_sum > 0) return absl::OkStatus();
  if (bundle == nullptr) {
    return FieldError(
        absl::StrCat(owner(), ".components"),
        absl::StrCat("bundle '", line.sku(),
                     "' has no allocation weights: give every component an "
                     "allocated_price, or define the bundle in the catalog"));
  }
  return CatalogWeights(*bundle, specs, owner, catalog_path);
}

void AddComponents(const PaidLine& line, const ComponentSpecs& specs,
                   std::vector<PaidLine>& components) {
  const size_t first = components.size();
  components.reserve(first + specs.size());  // One allocation per bundle.
  components.resize(first + specs.size());
  absl::InlinedVector<int64_t, 4> weights(specs.size());
  absl::InlinedVector<Figures*, 4> parts(specs.size());
  for (size_t c = 0; c < specs.size(); ++c) {
    PaidLine& component = components[first + c];
    component.line_index = line.line_index;
    component.component_index = static_cast<int>(c);
    component.sku = specs[c].sku;
    component.units = line.units * specs[c].per_bundle;
    component.paid.taxes = line.paid.taxes;  // the rates; amounts are split
    weights[c] = specs[c].weight;
    parts[c] = &component.paid;
  }
  apportion_internal::SplitFigures(line.paid, weights, absl::MakeSpan(parts));
}

}  // namespace apportion_internal
}  // namespace retcon
