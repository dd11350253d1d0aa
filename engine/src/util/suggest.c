/* suggest.c - edit distance and "did you mean" candidates. */
#include "tyche/suggest.h"

#include <string.h>

int ty_suggest_distance(const char *a, const char *b, int max_dist)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 255 || lb > 255) return max_dist + 1;
    size_t diff = la > lb ? la - lb : lb - la;
    if (diff > (size_t)max_dist) return max_dist + 1;
    /* three rows of the optimal-string-alignment table */
    int rows[3][256];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = prev[j - 1] + cost;
            if (prev[j] + 1 < v) v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best) best = v;
        }
        if (best > max_dist) return max_dist + 1;
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *ty_suggest(const char *word, const char *const *candidates, size_t n)
{
    int limit = strlen(word) <= 3 ? 1 : 2;
    const char *best = NULL;
    int best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i]) continue;
        int d = ty_suggest_distance(word, candidates[i], limit);
        if (d == 0) return NULL;
        if (d < best_d) { best_d = d; best = candidates[i]; }
    }
    return best;
}
