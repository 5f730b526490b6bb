# The CUDA switch. TERN_CUDA=AUTO enables CUDA when nvcc is found; ON requires it.
# Device code is compiled for sm_80 (A100) and sm_90 (H100/H200).
include(CheckLanguage)
set(TERN_WITH_CUDA OFF)
if(NOT TERN_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER)
    find_program(TERN_NVCC nvcc PATHS /usr/local/cuda/bin NO_CACHE)
    if(TERN_NVCC)
      set(CMAKE_CUDA_COMPILER ${TERN_NVCC})
    endif()
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(TERN_WITH_CUDA ON)
  elseif(TERN_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TERN_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()

if(TERN_WITH_CUDA)
  set(CMAKE_CUDA_ARCHITECTURES 80 90)
  set(CMAKE_CUDA_STANDARD 17)  # CMake 3.25 knows no C++20 flag for nvcc
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
  # NCCL ships beside the toolkit on our machines (lib/ and include/ of the CUDA root), or in
  # the system paths when installed from NVIDIA's packages.
  find_path(TERN_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} ${CUDAToolkit_LIBRARY_ROOT}/include)
  find_library(TERN_NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT}/lib
                                         ${CUDAToolkit_LIBRARY_ROOT}/lib64)
  if(NOT TERN_NCCL_INCLUDE_DIR OR NOT TERN_NCCL_LIBRARY)
    message(FATAL_ERROR "CUDA is enabled but NCCL (nccl.h, libnccl) was not found; set TERN_NCCL_INCLUDE_DIR and "
                        "TERN_NCCL_LIBRARY, or configure with -DTERN_CUDA=OFF")
  endif()
  add_library(tern_nccl INTERFACE)
  target_include_directories(tern_nccl SYSTEM INTERFACE ${TERN_NCCL_INCLUDE_DIR})
  target_link_libraries(tern_nccl INTERFACE ${TERN_NCCL_LIBRARY})
  message(STATUS "Tern: CUDA enabled (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, sm_80 and sm_90; NCCL ${TERN_NCCL_LIBRARY})")
else()
  message(STATUS "Tern: CUDA disabled")
endif()
