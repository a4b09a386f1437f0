# SPDX-License-Identifier: MIT
# Pieces of the enclave runtime (src/enclave/) that need no enclave, compiled for the host and run as unit tests.
# The page allocator over a stand-in for the heap region.
cella_unit_test(heap_test SOURCES unit/heap_test.c ${CMAKE_SOURCE_DIR}/src/enclave/heap.c LIBS cella_common)
target_include_directories(heap_test PRIVATE ${CMAKE_SOURCE_DIR}/src/enclave ${CMAKE_SOURCE_DIR}/src/common)
