# SPDX-License-Identifier: GPL-3.0-or-later
# Writes OUT (mig_version.h) from IN with the current git revision; run at every build by the
# migsim_version target, it rewrites the file only when the revision changed.
set(MIGSIM_GIT_REVISION "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SRC}/.git")
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
    WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rev)
    set(MIGSIM_GIT_REVISION "${rev}")
  endif()
endif()
configure_file(${IN} ${OUT}.new @ONLY)
file(READ ${OUT}.new new)
if(EXISTS ${OUT})
  file(READ ${OUT} old)
else()
  set(old "")
endif()
if(NOT "${new}" STREQUAL "${old}")
  file(RENAME ${OUT}.new ${OUT})
else()
  file(REMOVE ${OUT}.new)
endif()
