# install.cmake - what `cmake --install BUILD --prefix P` puts where, and the
# Debian package `make package` builds from it (CPack). docs/install.md is
# the user's page for all of this.
#
#   P/bin/tyche, P/bin/tyche-plot
#   P/lib/libtyche.so.0.1.0 (soname libtyche.so.0), libtyche.so, libtyche.a
#   P/include/tyche/*.h                    the public headers: the C API's reference
#   P/lib/pkgconfig/tyche.pc               pkg-config --cflags --libs tyche
#   P/lib/cmake/tyche/                     find_package(tyche) -> tyche::tyche
#   P/lib/python3.X/dist-packages/tyche/   the Python package (where Debian's python3 looks)
#   P/share/man/man1/tyche.1, P/share/bash-completion/completions/tyche
#   P/share/tyche/scenarios/, P/share/doc/tyche/
# (lib is lib/<multiarch> when the prefix is /usr, as Debian lays it out.)

include(CMakePackageConfigHelpers)

set(TYCHE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tyche)

# The Python package's folder: Debian's python3 reads /usr/lib/python3/dist-packages
# for the system's packages and PREFIX/lib/python3.X/dist-packages for others
# (/usr/local among them).
if(NOT DEFINED TYCHE_PYTHON_DIR)
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(_py_dir lib/python3/dist-packages)
  else()
    execute_process(COMMAND /usr/bin/python3 -c "import sys; print('%d.%d' % sys.version_info[:2])"
                    OUTPUT_VARIABLE _py_ver OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(NOT _py_ver)
      set(_py_ver 3)
    endif()
    set(_py_dir lib/python${_py_ver}/dist-packages)
  endif()
  set(TYCHE_PYTHON_DIR ${_py_dir} CACHE STRING
      "Where cmake --install puts the Python package tyche, relative to the prefix")
endif()

install(TARGETS tyche_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS tyche_shared EXPORT tycheTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev)
install(TARGETS tyche ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY engine/include/tyche DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
        FILES_MATCHING PATTERN "*.h")
install(PROGRAMS plots/tyche-plot DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(FILES docs/man/tyche.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
install(FILES scripts/completion/tyche.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME tyche COMPONENT runtime)
install(DIRECTORY scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tyche/scenarios COMPONENT runtime)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime
        PATTERN "man" EXCLUDE)

# The Python package, and beside it where the library is (relative, so an
# installed tree can be moved or unpacked into a scratch root).
install(DIRECTORY python/tyche DESTINATION ${TYCHE_PYTHON_DIR} COMPONENT runtime
        PATTERN "__pycache__" EXCLUDE PATTERN "_install.py" EXCLUDE)
file(RELATIVE_PATH _py_to_lib /_/${TYCHE_PYTHON_DIR}/tyche /_/${CMAKE_INSTALL_LIBDIR})
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/python/_install.py CONTENT
"# Written by cmake --install: where libtyche.so is, from this folder.
LIBDIR_RELATIVE = \"${_py_to_lib}\"
")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/python/_install.py DESTINATION ${TYCHE_PYTHON_DIR}/tyche
        COMPONENT runtime)

# pkg-config: the shared library by default; --static adds what libtyche.a needs.
set(TYCHE_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(TYCHE_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
set(TYCHE_PC_LIBS_PRIVATE "-lyaml ${HDF5_HL_LIBRARIES} ${HDF5_C_LIBRARIES} ${OpenMP_C_FLAGS} -lm")
list(FILTER TYCHE_PC_LIBS_PRIVATE EXCLUDE REGEX "^$")
string(REPLACE ";" " " TYCHE_PC_LIBS_PRIVATE "${TYCHE_PC_LIBS_PRIVATE}")
# The prefix is the one given to cmake --install, not the configured one.
configure_file(cmake/tyche.pc.in ${CMAKE_CURRENT_BINARY_DIR}/tyche.pc.in @ONLY)
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  file(READ \"${CMAKE_CURRENT_BINARY_DIR}/tyche.pc.in\" pc)
  string(REGEX REPLACE \"prefix=[^\\n]*\" \"prefix=\${prefix}\" pc \"\${pc}\")
  file(WRITE \"${CMAKE_CURRENT_BINARY_DIR}/tyche.pc\" \"\${pc}\")
" COMPONENT dev)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tyche.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT dev)

# CMake: find_package(tyche) -> tyche::tyche, the shared library.
install(EXPORT tycheTargets NAMESPACE tyche:: DESTINATION ${TYCHE_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/tycheConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/tycheConfig.cmake
                              INSTALL_DESTINATION ${TYCHE_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tycheConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tycheConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/tycheConfigVersion.cmake
        DESTINATION ${TYCHE_CMAKE_DIR} COMPONENT dev)

# The Debian package (make package: the `package` preset, portable, prefix
# /usr). Shared-library dependencies come from dpkg-shlibdeps; the Python
# ones, which it cannot see, are listed.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tyche)
set(CPACK_PACKAGE_VENDOR "tyche developers")
set(CPACK_PACKAGE_CONTACT "tyche developers <tyche@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"scenario-forecasting Monte Carlo engine
 tyche turns an analyst's argument (uncertain factors, derived quantities,
 mutually exclusive outcomes) into outcome probabilities with honest
 uncertainty, in parallel and reproducibly, and writes one HDF5 file per run.
 This package holds the tyche command, libtyche (shared and static, with its
 headers, pkg-config and CMake files), the tyche-plot chart script, the
 Python package tyche, the manual page and the example scenarios.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3, python3-numpy, python3-h5py, python3-matplotlib, python3-yaml, python3-pandas")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3-xarray, python3-h5netcdf")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libhdf5-dev, libyaml-dev, pkg-config")
set(CPACK_STRIP_FILES ON)
include(CPack)
