# SPDX-License-Identifier: MIT
# Attested TLS: certificates, BearSSL and OpenSSL callbacks, the in-enclave TLS server (label: integration).
if(TARGET cella_attest AND TARGET cella_attest_enclave)
  set(TL ${CMAKE_CURRENT_SOURCE_DIR}/integration/tls)
  cella_add_enclave(test_tls_enclave SOURCES ${TL}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 2 PRODUCT_ID 5
                    DEBUG LIBS cella_attest_enclave)
  target_include_directories(test_tls_enclave PRIVATE ${TL})
  cella_unit_test(tls_test SOURCES ${TL}/tls_test.c LIBS cella_host cella_attest OpenSSL::SSL OpenSSL::Crypto
                  Threads::Threads LABELS integration ARGS $<TARGET_FILE:test_tls_enclave>
                  ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-tls)
  target_include_directories(tls_test PRIVATE ${TL})
  set_tests_properties(tls_test PROPERTIES TIMEOUT 120)
  add_dependencies(tls_test test_tls_enclave)
endif()
