/* version.h - the library's version, one place. */
#ifndef TYCHE_VERSION_H
#define TYCHE_VERSION_H

#define TY_VERSION_MAJOR 0
#define TY_VERSION_MINOR 1
#define TY_VERSION_PATCH 0
#define TY_VERSION_STRING "0.1.0"

/* Returns TY_VERSION_STRING as compiled into the library. */
const char *ty_version(void);

#endif
