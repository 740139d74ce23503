# Generates C++ for proto/retcon/v1/*.proto into the build tree and adds it
# to a target. Generated headers are installed as retcon/v1/*.pb.h.
set(RETCON_PROTO_DIR ${PROJECT_SOURCE_DIR}/proto)
set(RETCON_PROTO_FILES
  ${RETCON_PROTO_DIR}/retcon/v1/money.proto
  ${RETCON_PROTO_DIR}/retcon/v1/order.proto
  ${RETCON_PROTO_DIR}/retcon/v1/return.proto
  ${RETCON_PROTO_DIR}/retcon/v1/catalog.proto
  ${RETCON_PROTO_DIR}/retcon/v1/history.proto
  ${RETCON_PROTO_DIR}/retcon/v1/plan.proto
  ${RETCON_PROTO_DIR}/retcon/v1/rules.proto
  ${RETCON_PROTO_DIR}/retcon/v1/facts.proto
  ${RETCON_PROTO_DIR}/retcon/v1/reconcile.proto
)
set(RETCON_PROTO_OUT ${PROJECT_BINARY_DIR}/gen)

# protoc runs once per .proto with the proto/ root as import path, so the
# output mirrors the package path: gen/retcon/v1/money.pb.h.
function(retcon_add_protos target)
  set(generated)
  foreach(proto ${RETCON_PROTO_FILES})
    file(RELATIVE_PATH rel ${RETCON_PROTO_DIR} ${proto})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(outputs ${RETCON_PROTO_OUT}/${stem}.pb.h ${RETCON_PROTO_OUT}/${stem}.pb.cc)
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${RETCON_PROTO_OUT}
      COMMAND protobuf::protoc
        --proto_path=${RETCON_PROTO_DIR}
        --cpp_out=${RETCON_PROTO_OUT}
        ${proto}
      DEPENDS ${proto} protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND generated ${outputs})
  endforeach()
  target_sources(${target} PRIVATE ${generated})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${RETCON_PROTO_OUT}>)
endfunction()
