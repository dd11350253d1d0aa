/* tyche.h - the whole public API of libtyche: include this one header. */
#ifndef TYCHE_H
#define TYCHE_H

#include "common.h"
#include "version.h"
#include "diag.h"
#include "rng.h"
#include "dist.h"
#include "expr.h"
#include "scenario.h"
#include "batch.h"
#include "suggest.h"
#include "results.h"
#include "run.h"
#include "sens.h"
#include "io.h"
#include "export.h"
#include "par.h"
#include "embed.h"

#endif
