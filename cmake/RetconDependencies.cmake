# Finds retcon's dependencies, all from Debian packages (scripts/install-deps.sh).
# Kept in step with cmake/retconConfig.cmake.in, which repeats them for users.
find_package(absl REQUIRED)
find_package(Protobuf REQUIRED)
if(NOT TARGET protobuf::libprotobuf OR NOT Protobuf_PROTOC_EXECUTABLE)
  message(FATAL_ERROR "retcon needs libprotobuf-dev and protobuf-compiler")
endif()
# Debian's libre2-dev ships only a pkg-config file.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# libcrypto (libssl-dev): SHA-1 for UUIDv5 idempotency keys only.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
