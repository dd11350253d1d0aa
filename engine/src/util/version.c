/* version.c - the version string compiled into the library. */
#include "tyche/version.h"

const char *ty_version(void) { return TY_VERSION_STRING; }
