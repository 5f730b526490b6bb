# oneDNN (Debian libdnnl-dev). Its own dnnl-config.cmake insists on OpenCL, which the CPU
# build does not use, so the library and header are found directly.
find_path(TERN_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.h REQUIRED)
find_library(TERN_DNNL_LIBRARY dnnl REQUIRED)
add_library(DNNL::dnnl UNKNOWN IMPORTED)
set_target_properties(DNNL::dnnl PROPERTIES IMPORTED_LOCATION ${TERN_DNNL_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${TERN_DNNL_INCLUDE_DIR})
