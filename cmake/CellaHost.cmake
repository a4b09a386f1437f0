# SPDX-License-Identifier: MIT
# Flags for host-world targets (libraries, tools, services, host-side tests).
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Threads REQUIRED)

set(CELLA_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

# cella_host_target(<target>): hidden visibility, the public include dir, sanitizers when CELLA_SANITIZE.
function(cella_host_target t)
  target_include_directories(${t} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(${t} PROPERTIES C_VISIBILITY_PRESET hidden POSITION_INDEPENDENT_CODE ON)
  target_compile_definitions(${t} PRIVATE _GNU_SOURCE)
  if(CELLA_SANITIZE)
    target_compile_options(${t} PRIVATE ${CELLA_SANITIZE_FLAGS})
    target_link_options(${t} PRIVATE ${CELLA_SANITIZE_FLAGS})
  endif()
endfunction()
