/* version.c - the version string compiled into the library, and the
 * instruction-set path its hot loops run on (util/cpu.h). */
#include "tyche/version.h"
#include "util/cpu.h"

const char *ty_version(void) { return TY_VERSION_STRING; }

const char *ty_version_isa(void) { return cpu_isa_name(cpu_isa()); }

const char *ty_version_isa_error(void) { return cpu_isa_error(); }
