# SPDX-License-Identifier: MIT
# Tests of the image parser, layout, measurement, SIGSTRUCT, cella-sign and the shared window header check.
add_library(cella_sign_testelf STATIC ${CMAKE_CURRENT_SOURCE_DIR}/unit/sign_testelf.c)
cella_host_target(cella_sign_testelf)
target_link_libraries(cella_sign_testelf PUBLIC cella_testlib)

cella_unit_test(image_test SOURCES unit/image_test.c LIBS cella_common cella_sign_testelf)
cella_unit_test(layout_test SOURCES unit/layout_test.c LIBS cella_common cella_sign_testelf)
cella_unit_test(measure_test SOURCES unit/measure_test.c LIBS cella_common cella_sign_testelf)

# Keys for the signing tests, generated at build time with the openssl command line (never committed).
set(CELLA_SIGN_KEYS ${CMAKE_CURRENT_BINARY_DIR}/sign-keys)
find_program(CELLA_OPENSSL openssl REQUIRED)
set(_keys)
foreach(spec "key3072e3:3072:3" "key2048e3:2048:3" "key4096e3:4096:3" "key3072e65537:3072:65537")
  string(REPLACE ":" ";" spec "${spec}")
  list(GET spec 0 name)
  list(GET spec 1 bits)
  list(GET spec 2 exp)
  add_custom_command(OUTPUT ${CELLA_SIGN_KEYS}/${name}.pem
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CELLA_SIGN_KEYS}
    COMMAND ${CELLA_OPENSSL} genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${bits}
            -pkeyopt rsa_keygen_pubexp:${exp} -out ${CELLA_SIGN_KEYS}/${name}.pem
    COMMENT "test key ${name}" VERBATIM)
  list(APPEND _keys ${CELLA_SIGN_KEYS}/${name}.pem)
endforeach()
add_custom_command(OUTPUT ${CELLA_SIGN_KEYS}/key3072e3.pub.pem
  COMMAND ${CELLA_OPENSSL} pkey -in ${CELLA_SIGN_KEYS}/key3072e3.pem -pubout -out ${CELLA_SIGN_KEYS}/key3072e3.pub.pem
  DEPENDS ${CELLA_SIGN_KEYS}/key3072e3.pem VERBATIM)
add_custom_command(OUTPUT ${CELLA_SIGN_KEYS}/keyec.pem
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CELLA_SIGN_KEYS}
  COMMAND ${CELLA_OPENSSL} genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${CELLA_SIGN_KEYS}/keyec.pem
  VERBATIM)
list(APPEND _keys ${CELLA_SIGN_KEYS}/key3072e3.pub.pem ${CELLA_SIGN_KEYS}/keyec.pem)
add_custom_target(cella_sign_testkeys ALL DEPENDS ${_keys})

cella_unit_test(sigstruct_test SOURCES unit/sigstruct_test.c LIBS cella_common cella_sign_testelf
                ARGS ${CELLA_SIGN_KEYS})
add_dependencies(sigstruct_test cella_sign_testkeys)

cella_unit_test(sign_test SOURCES unit/sign_test.c LIBS cella_signtool cella_sign_testelf
                ARGS $<TARGET_FILE:cella-sign> ${CELLA_OPENSSL} ${CELLA_SIGN_KEYS})
add_dependencies(sign_test cella_sign_testkeys cella-sign)

# A production enclave signed by the build (cella_add_enclave SIGN), loaded through the sandbox loader: needs the
# enclave runtime and the host library, which -DCELLA_DEV_AREA=sign does not build.
if(TARGET cella_enclave AND TARGET cella_host_static)
  set(SG ${CMAKE_CURRENT_SOURCE_DIR}/integration/signed)
  cella_add_enclave(test_signed_enclave SOURCES ${SG}/enclave.c TCS 1 PRODUCT_ID 42 SECURITY_VERSION 5
                    SIGN KEY ${CELLA_SIGN_KEYS}/key3072e3.pem)
  cella_unit_test(signed_test SOURCES ${SG}/signed_test.c LIBS cella_host_static OpenSSL::Crypto LABELS integration
                  ARGS ${CMAKE_CURRENT_BINARY_DIR}/test_signed_enclave.signed $<TARGET_FILE:test_signed_enclave>
                       ${CELLA_SIGN_KEYS}/key3072e3.pem ${CMAKE_CURRENT_BINARY_DIR}
                  ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-signed)
  add_dependencies(signed_test test_signed_enclave_signed)
endif()

# The shared window's header check (src/common/window.c), used by the enclave at boot and the host after building it.
cella_unit_test(window_test SOURCES unit/window_test.c LIBS cella_common)

# Little-endian helpers and civil dates (src/common/bytes.h), shared by the enclave runtime and both verifiers.
cella_unit_test(bytes_test SOURCES unit/bytes_test.c LIBS cella_common)

# Files written whole or not at all (src/common/file.h), for the collateral cache, the tools and the services.
cella_unit_test(file_test SOURCES unit/file_test.c LIBS cella_common)

# Numbers on command lines and in configuration parsed whole (src/common/parse.h).
cella_unit_test(parse_test SOURCES unit/parse_test.c LIBS cella_common)
