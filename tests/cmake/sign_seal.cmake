# SPDX-License-Identifier: MIT
# Checklist K3: debug vs production sealing for one signer (needs the signing keys of sign.cmake).
set(SD ${CMAKE_CURRENT_SOURCE_DIR}/integration/seal)
cella_add_enclave(test_seal_production SOURCES ${SD}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7
                  SIGN KEY ${CELLA_SIGN_KEYS}/key3072e3.pem)
cella_add_enclave(test_seal_debug_signed SOURCES ${SD}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7
                  DEBUG SIGN KEY ${CELLA_SIGN_KEYS}/key3072e3.pem)
foreach(t test_seal_production test_seal_debug_signed)
  target_include_directories(${t} PRIVATE ${SD})
endforeach()
cella_unit_test(seal_debug_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/seal_debug/seal_debug_test.c
                LIBS cella_host_static LABELS integration
                ARGS ${CMAKE_CURRENT_BINARY_DIR}/test_seal_production.signed
                     ${CMAKE_CURRENT_BINARY_DIR}/test_seal_debug_signed.signed
                ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-seal-debug)
target_include_directories(seal_debug_test PRIVATE ${SD})
add_dependencies(seal_debug_test test_seal_production_signed test_seal_debug_signed_signed)

# KSS: two products of one signer that differ only in ISVEXTPRODID do not share seal keys.
set(SK ${CMAKE_CURRENT_SOURCE_DIR}/integration/seal_kss)
foreach(p a b)
  cella_add_enclave(test_seal_kss_${p} SOURCES ${SD}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7
                    SIGN KEY ${CELLA_SIGN_KEYS}/key3072e3.pem CONFIG ${SK}/${p}.cfg)
  target_include_directories(test_seal_kss_${p} PRIVATE ${SD})
endforeach()
cella_unit_test(seal_kss_test SOURCES ${SK}/seal_kss_test.c LIBS cella_host_static LABELS integration
                ARGS ${CMAKE_CURRENT_BINARY_DIR}/test_seal_kss_a.signed ${CMAKE_CURRENT_BINARY_DIR}/test_seal_kss_b.signed
                ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-seal-kss)
target_include_directories(seal_kss_test PRIVATE ${SD})
add_dependencies(seal_kss_test test_seal_kss_a_signed test_seal_kss_b_signed)
