# The test-only fact message of the rules tests and benchmark
# (tests/rules/rules_test_fact.proto) as the library target
# retcon_rules_test_fact. Included from tests/ and bench/; defined once.
if(NOT TARGET retcon_rules_test_fact)
  set(rules_fact_out ${PROJECT_BINARY_DIR}/gen_test)
  add_custom_command(
    OUTPUT ${rules_fact_out}/tests/rules/rules_test_fact.pb.h
           ${rules_fact_out}/tests/rules/rules_test_fact.pb.cc
    COMMAND ${CMAKE_COMMAND} -E make_directory ${rules_fact_out}
    COMMAND protobuf::protoc --proto_path=${PROJECT_SOURCE_DIR}
      --cpp_out=${rules_fact_out} ${PROJECT_SOURCE_DIR}/tests/rules/rules_test_fact.proto
    DEPENDS ${PROJECT_SOURCE_DIR}/tests/rules/rules_test_fact.proto protobuf::protoc
    VERBATIM)
  add_library(retcon_rules_test_fact STATIC
    ${rules_fact_out}/tests/rules/rules_test_fact.pb.cc)
  target_include_directories(retcon_rules_test_fact PUBLIC ${rules_fact_out})
  target_link_libraries(retcon_rules_test_fact PUBLIC protobuf::libprotobuf)
endif()
