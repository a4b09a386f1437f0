# SPDX-License-Identifier: MIT
# Installation: headers, libraries, tools, the monitor, pkg-config files and the CMake package, so that
# find_package(Cella) gives cella_add_enclave() and the Cella:: targets: cella_host (and _static), cella_enclave,
# cella_verify (DCAP verification), cella_attest (evidence verification and attested TLS, host) and
# cella_attest_enclave (the same inside an enclave); those three join the CellaAttestTargets export in their own
# directories (src/verify, src/attest), and the ONNX engine's cella_onnx and cella_onnx_enclave the CellaOnnxTargets
# export (src/onnx).
include(CMakePackageConfigHelpers)

install(DIRECTORY include/cella DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS cella_host cella_host_static cella_common EXPORT CellaTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS cella_enclave EXPORT CellaTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}/cella/enclave)
install(TARGETS cella-monitor RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/cella)
if(TARGET cella-sign)
  install(TARGETS cella-sign RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT CellaTargets NAMESPACE Cella:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Cella)
# The verification and attestation libraries apart: they need libcurl and libcjson, which a host-only user of
# find_package(Cella) should not have to install (CellaConfig includes them when those are found).
if(TARGET cella_verify)
  install(EXPORT CellaAttestTargets NAMESPACE Cella:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Cella)
endif()
# The ONNX engine: Cella::cella_onnx (hosts) and Cella::cella_onnx_enclave (enclaves, when musl was there to build it).
if(TARGET cella_onnx)
  install(EXPORT CellaOnnxTargets NAMESPACE Cella:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Cella)
endif()
install(FILES cmake/CellaEnclave.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Cella)
# The EDL compiler and cella_edl() (CellaEnclave.cmake includes CellaEdl.cmake from its own directory).
if(TARGET cella-edger8r)
  install(TARGETS cella-edger8r RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES cmake/CellaEdl.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Cella)
endif()

configure_package_config_file(cmake/CellaConfig.cmake.in ${CMAKE_BINARY_DIR}/CellaConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Cella
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/CellaConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/CellaConfig.cmake ${CMAKE_BINARY_DIR}/CellaConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Cella)

# The modules find the prefix from where they are (pkg-config's pcfiledir), so that an SDK installed with
# `cmake --install --prefix DIR`, or moved, still names its own headers and libraries.
file(RELATIVE_PATH CELLA_PC_PREFIX ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" CELLA_PC_PREFIX "${CELLA_PC_PREFIX}")
foreach(pc cella-host cella-enclave cella-verify cella-attest)
  configure_file(cmake/${pc}.pc.in ${CMAKE_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
