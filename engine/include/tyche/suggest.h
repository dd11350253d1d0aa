/* suggest.h - "did you mean" hints: the closest candidate to a misspelt word
 * by edit distance. Used for unknown names, functions, distributions and
 * keys. Pure functions, no state. */
#ifndef TYCHE_SUGGEST_H
#define TYCHE_SUGGEST_H

#include <stddef.h>

/* Optimal-string-alignment distance between a and b: insertions, deletions,
 * substitutions and transpositions of adjacent characters each cost 1
 * ("troopz" -> "troops" is 1, "nromal" -> "normal" is 1). Case-sensitive.
 * Returns a value above max_dist (not necessarily the distance) as soon as
 * the distance is known to exceed max_dist; words longer than 255 characters
 * are never close to anything. */
int ty_suggest_distance(const char *a, const char *b, int max_dist);

/* Returns the candidate closest to word within distance 2 (distance 1 for
 * words of 3 characters or fewer, so that 'x' does not suggest 'y'), the
 * first listed one on a tie, or NULL when none is that close or word itself
 * is among the candidates. NULL entries of candidates are skipped. The
 * result points into candidates. */
const char *ty_suggest(const char *word, const char *const *candidates, size_t n);

#endif
