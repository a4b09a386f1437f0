# SPDX-License-Identifier: MIT
# Sealing on the sandbox backend (label: integration).
set(S ${CMAKE_CURRENT_SOURCE_DIR}/integration/seal)
cella_add_enclave(test_seal_a SOURCES ${S}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7 DEBUG)
cella_add_enclave(test_seal_variant SOURCES ${S}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7 DEBUG)
cella_add_enclave(test_seal_svn4 SOURCES ${S}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 4 PRODUCT_ID 7 DEBUG)
cella_add_enclave(test_seal_prod8 SOURCES ${S}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 3 PRODUCT_ID 8 DEBUG)
target_compile_definitions(test_seal_variant PRIVATE CELLA_TEST_VARIANT=1)
foreach(t test_seal_a test_seal_variant test_seal_svn4 test_seal_prod8)
  target_include_directories(${t} PRIVATE ${S})
endforeach()
cella_unit_test(seal_test SOURCES ${S}/seal_test.c LIBS cella_host_static LABELS integration
                ARGS $<TARGET_FILE:test_seal_a> $<TARGET_FILE:test_seal_variant> $<TARGET_FILE:test_seal_svn4>
                     $<TARGET_FILE:test_seal_prod8>
                ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-seal)
target_include_directories(seal_test PRIVATE ${S})
add_dependencies(seal_test test_seal_a test_seal_variant test_seal_svn4 test_seal_prod8)

# The data-sealing sample: round trip before saving, a new process, another enclave, a changed blob
if(TARGET data-sealing_host)
  add_test(NAME data_sealing_sample
           COMMAND sh ${S}/data_sealing_sample_test.sh $<TARGET_FILE:data-sealing_host>
                   $<TARGET_FILE:data-sealing_enclave> $<TARGET_FILE:data-sealing_enclave_other>
                   ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(data_sealing_sample PROPERTIES LABELS integration TIMEOUT 60)
endif()
