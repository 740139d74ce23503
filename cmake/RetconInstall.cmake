# Install rules: library, public headers, generated proto headers and .proto
# sources, CMake package files and a pkg-config file.
include(CMakePackageConfigHelpers)

set(RETCON_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/retcon)

install(TARGETS retcon EXPORT retconTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/retcon DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${RETCON_PROTO_OUT}/retcon DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.pb.h")
install(FILES ${RETCON_PROTO_FILES}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/retcon/v1)

install(EXPORT retconTargets
  NAMESPACE retcon::
  DESTINATION ${RETCON_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/retconConfig.cmake.in
  ${PROJECT_BINARY_DIR}/retconConfig.cmake
  INSTALL_DESTINATION ${RETCON_CMAKE_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/retconConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/retconConfig.cmake
  ${PROJECT_BINARY_DIR}/retconConfigVersion.cmake
  DESTINATION ${RETCON_CMAKE_DIR})

# The .pc file finds the prefix relative to itself, so the tree works
# wherever `cmake --install --prefix` puts it.
set(RETCON_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${RETCON_PKGCONFIG_DIR}")
  set(RETCON_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH RETCON_PC_UP "/root/${RETCON_PKGCONFIG_DIR}" "/root")
  set(RETCON_PC_PREFIX "\${pcfiledir}/${RETCON_PC_UP}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/retcon.pc.in
  ${PROJECT_BINARY_DIR}/retcon.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/retcon.pc
  DESTINATION ${RETCON_PKGCONFIG_DIR})
