# SPDX-License-Identifier: MIT
# Flags for host-world targets (libraries, tools, services, host-side tests).
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Threads REQUIRED)
# jansson writes and reads JSON in tools and services; libcella-verify parses Intel's documents with cJSON.
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET GLOBAL jansson)

# float-cast-overflow is not part of `undefined` (gcc and clang): a double converted to an integer type it does not
# fit, or a NaN converted, is undefined behaviour that data from a model, a policy or a peer can reach.
set(CELLA_SANITIZE_FLAGS -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
set(CELLA_TSAN_FLAGS -fsanitize=thread -fno-omit-frame-pointer)

# cella_host_target(<target> [NO_TSAN]): hidden visibility, the public include dir, sanitizers when CELLA_SANITIZE
# or CELLA_SANITIZE_THREAD (NO_TSAN: never ThreadSanitizer).
function(cella_host_target t)
  cmake_parse_arguments(A "NO_TSAN" "" "" ${ARGN})
  target_include_directories(${t} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(${t} PROPERTIES C_VISIBILITY_PRESET hidden POSITION_INDEPENDENT_CODE ON)
  target_compile_definitions(${t} PRIVATE _GNU_SOURCE)
  if(CELLA_SANITIZE)
    target_compile_options(${t} PRIVATE ${CELLA_SANITIZE_FLAGS})
    target_link_options(${t} PRIVATE ${CELLA_SANITIZE_FLAGS})
  elseif(CELLA_SANITIZE_THREAD AND NOT A_NO_TSAN)
    target_compile_options(${t} PRIVATE ${CELLA_TSAN_FLAGS})
    target_link_options(${t} PRIVATE ${CELLA_TSAN_FLAGS})
  endif()
endfunction()
