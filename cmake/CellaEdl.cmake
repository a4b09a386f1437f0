# SPDX-License-Identifier: MIT
# cella_edl(): runs cella-edger8r on an EDL file at build time. Used in-tree and, installed, through
# find_package(Cella) (cmake/CellaEnclave.cmake includes this file).
#
#   cella_edl(TARGET <name> EDL <file.edl> [SEARCH_PATHS <dir>...] [TRUSTED] [UNTRUSTED]
#             [DEFINES <NAME[=VALUE]>...] [PREPROCESS] [USE_PREFIX] [OPTIONS <extra cella-edger8r options>...])
#
# Generates <base>_t.{c,h} and/or <base>_u.{c,h} (<base> = the EDL file name without .edl) into
# ${CMAKE_CURRENT_BINARY_DIR}/<name>_edl/ and sets, in the caller's scope:
#   <name>_TRUSTED_SOURCES    the enclave-side .c (feed it to cella_add_enclave(... SOURCES))
#   <name>_UNTRUSTED_SOURCES  the host-side .c (add it to the host executable or library)
#   <name>_EDL_DIR            the directory holding the generated headers
# and creates two INTERFACE targets that carry that include directory: <name>_edl_t (for the enclave:
# cella_add_enclave(... LIBS <name>_edl_t)) and <name>_edl_u (for the host: target_link_libraries).
# Neither TRUSTED nor UNTRUSTED means both. Imported EDL files are tracked as dependencies.

set(_CELLA_EDL_MODULE_DIR ${CMAKE_CURRENT_LIST_DIR})

function(_cella_edl_tool out_cmd out_dep)
  if(TARGET cella-edger8r)
    set(${out_cmd} $<TARGET_FILE:cella-edger8r> PARENT_SCOPE)
    set(${out_dep} cella-edger8r PARENT_SCOPE)
    return()
  endif()
  if(NOT CELLA_EDGER8R_EXECUTABLE)
    find_program(CELLA_EDGER8R_EXECUTABLE cella-edger8r
                 HINTS ${_CELLA_EDL_MODULE_DIR}/../../../bin ${_CELLA_EDL_MODULE_DIR}/../../../../bin
                 NO_CACHE)
  endif()
  if(NOT CELLA_EDGER8R_EXECUTABLE)
    message(FATAL_ERROR "cella_edl: cella-edger8r not found (set CELLA_EDGER8R_EXECUTABLE)")
  endif()
  set(${out_cmd} ${CELLA_EDGER8R_EXECUTABLE} PARENT_SCOPE)
  set(${out_dep} ${CELLA_EDGER8R_EXECUTABLE} PARENT_SCOPE)
endfunction()

function(cella_edl)
  cmake_parse_arguments(E "TRUSTED;UNTRUSTED;PREPROCESS;USE_PREFIX" "TARGET;EDL" "SEARCH_PATHS;DEFINES;OPTIONS" ${ARGN})
  if(NOT E_TARGET OR NOT E_EDL)
    message(FATAL_ERROR "cella_edl: TARGET <name> and EDL <file.edl> are required")
  endif()
  if(E_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "cella_edl(${E_TARGET}): unexpected arguments: ${E_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT E_TRUSTED AND NOT E_UNTRUSTED)
    set(E_TRUSTED ON)
    set(E_UNTRUSTED ON)
  endif()
  get_filename_component(edl ${E_EDL} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  if(NOT EXISTS ${edl})
    message(FATAL_ERROR "cella_edl(${E_TARGET}): ${edl} does not exist")
  endif()
  get_filename_component(base ${edl} NAME)
  string(REGEX REPLACE "\\.edl$" "" base "${base}")
  string(MAKE_C_IDENTIFIER "${base}" base)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${E_TARGET}_edl)
  file(MAKE_DIRECTORY ${dir})

  set(args --trusted-dir ${dir} --untrusted-dir ${dir})
  foreach(p ${E_SEARCH_PATHS})
    get_filename_component(p ${p} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND args --search-path ${p})
  endforeach()
  foreach(d ${E_DEFINES})
    list(APPEND args -D ${d})
  endforeach()
  if(E_PREPROCESS)
    list(APPEND args --preprocess)
  endif()
  if(E_USE_PREFIX)
    list(APPEND args --use-prefix)
  endif()
  list(APPEND args ${E_OPTIONS})

  set(outputs)
  set(tsrc)
  set(usrc)
  if(E_TRUSTED AND NOT E_UNTRUSTED)
    list(APPEND args --trusted)
  elseif(E_UNTRUSTED AND NOT E_TRUSTED)
    list(APPEND args --untrusted)
  endif()
  if(E_TRUSTED)
    set(tsrc ${dir}/${base}_t.c)
    list(APPEND outputs ${dir}/${base}_t.h ${dir}/${base}_t.c)
  endif()
  if(E_UNTRUSTED)
    set(usrc ${dir}/${base}_u.c)
    list(APPEND outputs ${dir}/${base}_u.h ${dir}/${base}_u.c)
  endif()

  _cella_edl_tool(tool tooldep)
  set(depfile ${dir}/${base}.d)
  list(GET outputs 0 first)
  if(CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
    set(depargs DEPFILE ${depfile})
  else()
    set(depargs)
  endif()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${tool} ${args} --depfile ${depfile} ${edl}
    DEPENDS ${edl} ${tooldep}
    ${depargs}
    COMMENT "cella-edger8r ${base}.edl (${E_TARGET})" VERBATIM)
  add_custom_target(${E_TARGET}_edl_gen DEPENDS ${outputs})

  add_library(${E_TARGET}_edl_t INTERFACE)
  target_include_directories(${E_TARGET}_edl_t INTERFACE ${dir})
  add_dependencies(${E_TARGET}_edl_t ${E_TARGET}_edl_gen)
  add_library(${E_TARGET}_edl_u INTERFACE)
  target_include_directories(${E_TARGET}_edl_u INTERFACE ${dir})
  add_dependencies(${E_TARGET}_edl_u ${E_TARGET}_edl_gen)

  set(${E_TARGET}_TRUSTED_SOURCES ${tsrc} PARENT_SCOPE)
  set(${E_TARGET}_UNTRUSTED_SOURCES ${usrc} PARENT_SCOPE)
  set(${E_TARGET}_EDL_DIR ${dir} PARENT_SCOPE)
endfunction()
