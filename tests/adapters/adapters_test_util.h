// Helpers shared by the adapters' tests: fixtures from tests/testdata/adapters.
#ifndef RETCON_TESTS_ADAPTERS_ADAPTERS_TEST_UTIL_H_
#define RETCON_TESTS_ADAPTERS_ADAPTERS_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace retcon {

// The text of tests/testdata/adapters/<name>.
inline std::string ReadFixture(const std::string& name) {
  const std::string path = std::string(RETCON_ADAPTERS_TESTDATA) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace retcon

#endif  // RETCON_TESTS_ADAPTERS_ADAPTERS_TEST_UTIL_H_
