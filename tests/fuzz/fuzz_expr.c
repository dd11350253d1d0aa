/* fuzz_expr.c - the expression compiler and VM, and the distribution-call
 * parser, on arbitrary bytes.
 *
 * The input is lines. A first line `rules` selects the rules model (else
 * logit). Up to four lines define derived values a, b, c, d in order, the
 * rest (up to eight) outcomes o0, o1, ... (`otherwise` alone is the rules
 * catch-all); with one line only, it is a derived value. Names available:
 * the factors x, y, z, t, u, and the derived values. A program that
 * compiles runs over a block of 300 samples (more than one 256-sample chunk)
 * whose factor values include 0, -0, +-1, +-inf, NaN, huge and tiny
 * numbers; outputs are checked for shape (probabilities in [0, 1] summing
 * to 1 where finite, rules 0/1 with one winner). Every line is also given
 * to ty_call_parse and ty_expr_const. */
#include "fuzz_util.h"
#include "tyche/expr.h"

#include <math.h>

#define NF 5
#define MAXD 4
#define MAXO 8
#define N 300

static const char *const factor_names[NF] = {"x", "y", "z", "t", "u"};
static const char *const derived_names[MAXD] = {"a", "b", "c", "d"};
static const char *const outcome_names[MAXO] = {"o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7"};

static double cols[NF][N];

static void fill_columns(void)
{
    static const double special[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, 1e308,
                                     -1e308, 5e-324, 0.5, 2.0, 1e-300, 40000, 3.0, -2.5};
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int f = 0; f < NF; f++)
        for (int i = 0; i < N; i++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            /* every special value on every factor, then a spread of ordinary ones */
            cols[f][i] = (i + f) % 3 == 0 ? special[(i / 3 + f) % 16]
                                          : ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 20;
        }
}

static void run_program(const ty_program *p, size_t nd, size_t no, ty_outcome_model model)
{
    static double dcol[MAXD][N], ocol[MAXO][N];
    const double *fin[NF];
    double *dout[MAXD], *oout[MAXO];
    for (int f = 0; f < NF; f++) fin[f] = cols[f];
    for (size_t d = 0; d < MAXD; d++) dout[d] = dcol[d];
    for (size_t k = 0; k < MAXO; k++) oout[k] = ocol[k];
    ty_vm_scratch *s = ty_vm_scratch_new(p);
    if (!s) return;
    size_t bad = (size_t)-1;
    ty_status st = ty_program_run(p, s, N, fin, dout, oout, &bad);
    /* A fault is a sample that matches no rule, or a score or condition that
     * is not finite (either model): TY_ERR_INVALID at a sample in range. */
    if (st != TY_OK && (st != TY_ERR_INVALID || bad >= N)) abort();
    /* Rules: outputs are fully written for the chunks before the one that
     * failed. Logit: nothing is promised of a failed run's outputs. */
    size_t done = st == TY_OK ? N : model == TY_OUTCOME_RULES ? bad / 256 * 256 : 0;
    for (size_t i = 0; i < done && no > 0; i++) {
        double sum = 0;
        int finite = 1, winners = 0;
        for (size_t k = 0; k < no; k++) {
            double v = ocol[k][i];
            if (model == TY_OUTCOME_RULES) {
                if (v != 0 && v != 1) abort();
                winners += v == 1;
            } else if (!isnan(v) && (v < 0 || v > 1)) abort();
            if (!isfinite(v)) finite = 0;
            sum += v;
        }
        if (model == TY_OUTCOME_RULES && winners != 1) abort();
        if (model == TY_OUTCOME_LOGIT && finite && fabs(sum - 1) > 1e-9) abort();
    }
    (void)nd;
    ty_vm_scratch_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) { fill_columns(); init = 1; }
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    char *lines[MAXD + MAXO + 1];
    size_t nl = 0;
    for (char *p = text; nl < MAXD + MAXO + 1;) {
        lines[nl++] = p;
        char *nlp = strchr(p, '\n');
        if (!nlp) break;
        *nlp = '\0';
        p = nlp + 1;
    }
    size_t first = 0;
    ty_outcome_model model = TY_OUTCOME_LOGIT;
    if (nl > 1 && strcmp(lines[0], "rules") == 0) { model = TY_OUTCOME_RULES; first = 1; }

    ty_expr_def defs[MAXD + MAXO];
    size_t nd = 0, no = 0, count = nl - first;
    size_t want_d = count <= 1 ? count : count - 1 < MAXD ? count - 1 : MAXD;
    for (size_t i = first; i < nl; i++) {
        int line = (int)i + 1;
        int is_d = nd < want_d;
        if (!is_d && no == MAXO) break;
        ty_expr_def *d = &defs[nd + no];
        d->name = is_d ? derived_names[nd] : outcome_names[no];
        d->name_pos = (ty_pos){"fuzz.yaml", line, 1};
        d->text = !is_d && strcmp(lines[i], "otherwise") == 0 ? NULL : lines[i];
        d->pos = (ty_pos){"fuzz.yaml", line, 5};
        if (is_d) nd++; else no++;
    }
    ty_program_spec spec = {factor_names, NULL, NF, defs, nd, model, defs + nd, no};
    ty_diag *diag = ty_diag_new(20);
    ty_program *p = NULL;
    ty_status st = ty_program_new(&spec, &p, diag);
    if ((st == TY_OK) != (p != NULL)) abort();
    if (st != TY_OK && st != TY_ERR_NOMEM && ty_diag_errors(diag) == 0) abort();
    if (p) {
        if (ty_program_nderived(p) != nd || ty_program_noutcomes(p) != no) abort();
        char listing[256];
        ty_program_disasm(p, listing, sizeof listing);
        run_program(p, nd, no, model);
    }
    ty_program_free(p);

    for (size_t i = first; i < nl; i++) {
        ty_pos pos = {"fuzz.yaml", (int)i + 1, 1};
        ty_call *call = NULL;
        st = ty_call_parse(lines[i], &pos, &call, diag);
        if ((st == TY_OK) != (call != NULL)) abort();
        ty_call_free(call);
        double v;
        (void)ty_expr_const(lines[i], &pos, &v, diag);
    }
    ty_diag_free(diag);
    free(text);
    return 0;
}
