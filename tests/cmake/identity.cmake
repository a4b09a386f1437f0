# SPDX-License-Identifier: MIT
# Reports, keys and evidence on the sandbox backend (label: integration).
set(I ${CMAKE_CURRENT_SOURCE_DIR}/integration/identity)
cella_add_enclave(test_identity_a SOURCES ${I}/enclave.c TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7 DEBUG)
cella_add_enclave(test_identity_b SOURCES ${I}/enclave.c TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7 DEBUG)
target_compile_definitions(test_identity_b PRIVATE CELLA_TEST_VARIANT)
foreach(t test_identity_a test_identity_b)
  target_include_directories(${t} PRIVATE ${I})
endforeach()
cella_unit_test(identity_test SOURCES ${I}/identity_test.c LIBS cella_host_static OpenSSL::Crypto LABELS integration
                ARGS $<TARGET_FILE:test_identity_a> $<TARGET_FILE:test_identity_b>
                ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-identity)
target_include_directories(identity_test PRIVATE ${I})
add_dependencies(identity_test test_identity_a test_identity_b)
