# SPDX-License-Identifier: MIT
# Tests of the ONNX engine (src/onnx, tools/onnx).
set(CELLA_ONNX_TESTDATA /usr/share/libonnx-testdata/data CACHE PATH "libonnx-testdata root")
set(onnx_dir ${CMAKE_CURRENT_SOURCE_DIR}/onnx)

cella_unit_test(onnx_engine_test SOURCES unit/onnx_engine_test.c LIBS cella_onnx
                ENV CELLA_ONNX_TESTDATA=${CELLA_ONNX_TESTDATA})
target_include_directories(onnx_engine_test PRIVATE ${CMAKE_BINARY_DIR}/src/onnx/gen)
add_dependencies(onnx_engine_test cella_onnx_proto)  # the test builds models with the generated protobuf-c code
cella_unit_test(onnx_ops_test SOURCES unit/onnx_ops_test.c LIBS cella_onnx)
target_include_directories(onnx_ops_test PRIVATE ${CMAKE_BINARY_DIR}/src/onnx/gen)
add_dependencies(onnx_ops_test cella_onnx_proto)  # models built with the generated protobuf-c code
cella_unit_test(onnx_gemm_test SOURCES unit/onnx_gemm_test.c LIBS cella_onnx)
target_include_directories(onnx_gemm_test PRIVATE ${CMAKE_SOURCE_DIR}/src/onnx)
cella_unit_test(onnx_dw_test SOURCES unit/onnx_dw_test.c LIBS cella_onnx)
target_include_directories(onnx_dw_test PRIVATE ${CMAKE_SOURCE_DIR}/src/onnx)

# Conformance over Debian's libonnx-testdata; fails if a suite drops below the committed floor.
add_test(NAME onnx_conformance
         COMMAND cella-onnx conformance ${CELLA_ONNX_TESTDATA} --floor ${onnx_dir}/conformance-floor.txt
                 --known ${onnx_dir}/conformance-known.txt
                 --table ${CMAKE_BINARY_DIR}/onnx-conformance.md --failures ${CMAKE_BINARY_DIR}/onnx-conformance-failures.txt)
set_tests_properties(onnx_conformance PROPERTIES LABELS "conformance" TIMEOUT 300)

# cella-onnx run's option parsing: every malformed option refused with exit 2 and its name; a real model runs.
add_test(NAME onnx_cli COMMAND sh ${onnx_dir}/cli_test.sh $<TARGET_FILE:cella-onnx> ${CELLA_ONNX_TESTDATA}
                               ${CMAKE_CURRENT_BINARY_DIR}
                               "$<$<TARGET_EXISTS:cella-onnx-bench>:$<TARGET_FILE:cella-onnx-bench>>")
set_tests_properties(onnx_cli PROPERTIES LABELS "unit" TIMEOUT 60)

# The engine core built for the enclave world (musl, static-pie), run natively: results identical to glibc.
add_executable(onnx_smoke_glibc ${onnx_dir}/musl_smoke.c)
cella_host_target(onnx_smoke_glibc)
target_link_libraries(onnx_smoke_glibc PRIVATE cella_onnx)
if(TARGET cella_onnx_musl)
  # src/common/result.c stands in for the enclave runtime's copy of cella_common
  add_library(onnx_smoke_musl_obj OBJECT ${onnx_dir}/musl_smoke.c ${CMAKE_SOURCE_DIR}/src/common/result.c)
  target_compile_options(onnx_smoke_musl_obj PRIVATE ${CELLA_ONNX_MUSL_FLAGS})
  target_include_directories(onnx_smoke_musl_obj PRIVATE ${CMAKE_SOURCE_DIR}/include)
  set(musl_smoke ${CMAKE_BINARY_DIR}/bin/onnx_smoke_musl)
  add_custom_command(
    OUTPUT ${musl_smoke}
    COMMAND ${CMAKE_C_COMPILER} -static-pie -nostdlib -o ${musl_smoke} ${CELLA_ONNX_MUSL_LINK}
            $<TARGET_OBJECTS:onnx_smoke_musl_obj> $<TARGET_FILE:cella_onnx_musl> ${CELLA_ONNX_MUSL_LIBS}
    DEPENDS onnx_smoke_musl_obj cella_onnx_musl $<TARGET_OBJECTS:onnx_smoke_musl_obj>
    COMMAND_EXPAND_LISTS
    COMMENT "Linking musl static-pie onnx_smoke_musl")
  add_custom_target(onnx_smoke_musl ALL DEPENDS ${musl_smoke})
  add_test(NAME onnx_musl_smoke COMMAND sh ${onnx_dir}/musl_smoke.sh $<TARGET_FILE:onnx_smoke_glibc> ${musl_smoke}
           ${CELLA_ONNX_TESTDATA})
  set_tests_properties(onnx_musl_smoke PROPERTIES LABELS "unit" TIMEOUT 120)
endif()

# Real models against onnxruntime-node (npm, fetched under the build tree at test time).
add_test(NAME onnx_models COMMAND sh ${onnx_dir}/model_compare.sh $<TARGET_FILE:cella-onnx> ${CMAKE_BINARY_DIR}/npm
         ${onnx_dir})
set_tests_properties(onnx_models PROPERTIES LABELS "model" TIMEOUT 900 SKIP_RETURN_CODE 77)

# libFuzzer over the loader (clang -fsanitize=fuzzer,address,undefined), 60 s; label fuzz.
add_test(NAME onnx_fuzz_load
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/onnx/run_fuzz.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}
                 ${CMAKE_BINARY_DIR}/src/onnx/gen ${CELLA_PROTOBUF_C_STATIC} ${CELLA_ONNX_TESTDATA})
set_tests_properties(onnx_fuzz_load PROPERTIES LABELS "fuzz" TIMEOUT 600)
