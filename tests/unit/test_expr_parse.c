/* test_expr_parse.c - lexer, parser and resolver errors with exact positions
 * and messages; distribution calls; constant expressions; "did you mean". */
#include "expr_util.h"

static void test_suggest(void)
{
    CHECK(ty_suggest_distance("troopz", "troops", 2) == 1);
    CHECK(ty_suggest_distance("nromal", "normal", 2) == 1);   /* transposition */
    CHECK(ty_suggest_distance("norml", "normal", 2) == 1);
    CHECK(ty_suggest_distance("abc", "xyz", 2) == 3);
    CHECK(ty_suggest_distance("", "ab", 5) == 2);
    const char *c[] = {"uniform", "normal", "lognormal", NULL, "pert"};
    CHECK_STR(ty_suggest("norml", c, 5), "normal");
    CHECK_STR(ty_suggest("lognorml", c, 5), "lognormal");
    CHECK_STR(ty_suggest("pret", c, 5), "pert");
    CHECK(ty_suggest("gamma", c, 5) == NULL);
    CHECK(ty_suggest("normal", c, 5) == NULL);
    const char *s[] = {"y", "xy"};
    CHECK_STR(ty_suggest("x", s, 1), "y");           /* one letter: distance 1 allowed */
    CHECK(ty_suggest("xyz", s, 1) == NULL);          /* up to 3 letters: not distance 2 */
    CHECK_STR(ty_suggest("xz", s, 2), "xy");
}

static void test_errors_names(void)
{
    EU_CHECK_ERR("troopz * 2", "2:5: unknown name 'troopz' [did you mean 'troops'?]");
    EU_CHECK_ERR("1 + resistanse", "2:9: unknown name 'resistanse' [did you mean 'resistance'?]");
    EU_CHECK_ERR("qqqq", "2:5: unknown name 'qqqq'");
    EU_CHECK_ERR("v + 1", "2:5: 'v' is used in its own definition (a cycle)");
    EU_CHECK_ERR("exp + 1", "2:5: 'exp' is a function; call it as exp(...)");
    EU_CHECK_ERR("sqr(x)", "2:5: unknown function 'sqr' [did you mean 'sqrt'?]");
    EU_CHECK_ERR("x(2)", "2:5: 'x' is not a function");
    EU_CHECK_ERR("2 * clamp(x, 1)", "2:9: 'clamp' takes 3 arguments, got 2");
    EU_CHECK_ERR("exp(x, y)", "2:5: 'exp' takes 1 argument, got 2");
    EU_CHECK_ERR("min(x)", "2:5: 'min' takes at least 2 arguments, got 1");
    EU_CHECK_ERR("pow(x)", "2:5: 'pow' takes 2 arguments, got 1");
}

static void test_errors_syntax(void)
{
    EU_CHECK_ERR("x $ 2", "2:7: unexpected character '$'");
    EU_CHECK_ERR("x && y", "2:7: unexpected '&&' [write 'and']");
    EU_CHECK_ERR("x ** 2", "2:7: unexpected '**' [write powers with '^', as in 'x^2']");
    EU_CHECK_ERR("!x", "2:5: unexpected character '!' [write negation as 'not']");
    EU_CHECK_ERR("2x", "2:5: malformed number '2x' [write multiplication with '*', as in '2*x']");
    EU_CHECK_ERR("1e+", "2:5: malformed number '1e'");
    EU_CHECK_ERR("(x + 1", "2:11: expected ')' to close the '(' at 2:5, found end of expression");
    EU_CHECK_ERR("x + 1)", "2:10: unexpected ')' (unbalanced parentheses)");
    EU_CHECK_ERR("x y", "2:7: unexpected 'y' after the end of the expression");
    EU_CHECK_ERR("", "2:5: empty expression");
    EU_CHECK_ERR("   ", "2:5: empty expression");
    EU_CHECK_ERR("x +", "2:8: expected an expression, found end of expression");
    EU_CHECK_ERR("x * / y", "2:9: expected an expression, found '/'");
    EU_CHECK_ERR("x ? y", "2:10: expected ':' of the '?' at 2:7, found end of expression");
    EU_CHECK_ERR("x < y < z", "2:11: comparisons cannot be chained [write 'a < b and b < c']");
    EU_CHECK_ERR("min(x, y", "2:13: expected ',' or ')' to close the '(' at 2:8, found end of expression");
    /* multi-line text: line and column advance */
    EU_CHECK_ERR("x +\n  1 +\n  $", "4:3: unexpected character '$'");
}

static void test_errors_limits(void)
{
    char deep[200];
    size_t n = 0;
    for (int i = 0; i < 70; i++) deep[n++] = '(';
    deep[n++] = 'x';
    for (int i = 0; i < 70; i++) deep[n++] = ')';
    deep[n] = '\0';
    /* the outer expression is level 1; the token after the 64th (, level 65, fails */
    EU_CHECK_ERR(deep, "2:69: expression nested too deeply (the limit is 64 levels)");
    char ok[200];
    n = 0;
    for (int i = 0; i < 63; i++) ok[n++] = '(';
    ok[n++] = 'x';
    for (int i = 0; i < 63; i++) ok[n++] = ')';
    ok[n] = '\0';
    CHECK(eu_eval(ok, 3, 0, 0) == 3);
    char *unary = malloc(100);
    memset(unary, '-', 80);
    unary[80] = 'x';
    unary[81] = '\0';
    EU_CHECK_ERR(unary, "2:68: expression nested too deeply (the limit is 64 levels)");
    free(unary);
    char *lng = malloc(TY_EXPR_MAX_LEN + 10);
    memset(lng, ' ', TY_EXPR_MAX_LEN + 1);
    lng[0] = 'x';
    lng[TY_EXPR_MAX_LEN + 1] = '\0';
    EU_CHECK_ERR(lng, "2:5: expression too long (4097 characters; the limit is 4096)");
    lng[TY_EXPR_MAX_LEN] = '\0';
    CHECK(eu_eval(lng, 7, 0, 0) == 7);
    /* a long flat sum is fine: depth does not grow with it */
    n = 0;
    lng[n++] = 'x';
    while (n + 4 < TY_EXPR_MAX_LEN) { lng[n++] = '+'; lng[n++] = '1'; }
    lng[n] = '\0';
    CHECK(eu_eval(lng, 0.5, 0, 0) == 0.5 + (double)((n - 1) / 2));
    free(lng);
    /* limit status */
    ty_expr_def d = {"v", {0}, deep, {"t.yaml", 1, 1}};
    ty_program_spec spec = {eu_factors, NULL, EU_NF, &d, 1, TY_OUTCOME_LOGIT, NULL, 0};
    ty_program *p;
    ty_diag *diag = ty_diag_new(10);
    CHECK(ty_program_new(&spec, &p, diag) == TY_ERR_LIMIT);
    ty_diag_free(diag);
}

/* Every error of a scenario is reported, each at its own position. */
static void test_errors_all_reported(void)
{
    const char *factors[] = {"troops", "resistance", "troops"};
    ty_pos fpos[] = {{"s.yaml", 5, 3}, {"s.yaml", 6, 3}, {"s.yaml", 7, 3}};
    ty_expr_def derived[] = {
        {"a", {"s.yaml", 10, 3}, "troopz + later", {"s.yaml", 10, 6}},
        {"later", {"s.yaml", 11, 3}, "a + (1", {"s.yaml", 11, 10}},
        {"pi", {"s.yaml", 12, 3}, "1", {"s.yaml", 12, 7}},
        {"a", {"s.yaml", 13, 3}, "2", {"s.yaml", 13, 6}},
        {"b", {"s.yaml", 14, 3}, "squeeze", {"s.yaml", 14, 6}},
    };
    ty_expr_def outcomes[] = {
        {"squeeze", {"s.yaml", 20, 3}, "a + sqrt(1, 2)", {"s.yaml", 20, 13}},
        {"other", {"s.yaml", 21, 3}, NULL, {0}},
    };
    ty_program_spec spec = {factors, fpos, 3, derived, 5, TY_OUTCOME_LOGIT, outcomes, 2};
    ty_program *p = NULL;
    ty_diag *diag = ty_diag_new(50);
    CHECK(ty_program_new(&spec, &p, diag) == TY_ERR_INVALID);
    CHECK(p == NULL);
    const char *want[] = {
        "7:3: 'troops' is defined twice [the first definition is at 5:3]",
        "12:3: 'pi' is a built-in function, constant or keyword and cannot be redefined",
        "13:3: 'a' is defined twice [the first definition is at 10:3]",
        "21:3: outcome 'other' has no score",
        "10:6: unknown name 'troopz' [did you mean 'troops'?]",
        "10:15: 'later' is defined later; a derived value may use only factors and earlier derived values",
        "11:16: expected ')' to close the '(' at 11:14, found end of expression",
        "14:6: 'squeeze' is an outcome, not a value; outcomes cannot be used in expressions",
        "20:17: 'sqrt' takes 1 argument, got 2",
    };
    size_t nwant = sizeof want / sizeof want[0];
    CHECK(ty_diag_count(diag) == nwant);
    char buf[512];
    for (size_t i = 0; i < nwant; i++) CHECK_STR(eu_fmt(diag, i, buf, sizeof buf), want[i]);
    ty_diag_free(diag);
}

static void test_call_parse(void)
{
    ty_pos pos = {"s.yaml", 4, 11};
    ty_diag *diag = ty_diag_new(20);
    ty_call *c = NULL;
    CHECK(ty_call_parse("normal(40000, 8000)", &pos, &c, diag) == TY_OK);
    CHECK_STR(c->callee, "normal");
    CHECK(c->callee_pos.line == 4 && c->callee_pos.col == 11);
    CHECK(c->nargs == 2 && !c->args[0].name && c->args[0].value == 40000);
    CHECK(c->args[1].value == 8000 && c->args[1].pos.col == 25);
    ty_call_free(c);

    CHECK(ty_call_parse("normal(mean=40000, sd=0.2 * 4e4)", &pos, &c, diag) == TY_OK);
    CHECK(c->nargs == 2);
    CHECK_STR(c->args[0].name, "mean");
    CHECK_STR(c->args[1].name, "sd");
    CHECK(c->args[1].value == 0.2 * 4e4);
    CHECK(c->args[1].pos.col == 30 && c->args[1].value_pos.col == 33);
    ty_call_free(c);

    CHECK(ty_call_parse("discrete([1, 2, 3], [0.2, 0.5, 0.3])", &pos, &c, diag) == TY_OK);
    CHECK(c->nargs == 2 && c->args[0].is_list && c->args[0].nvalues == 3);
    CHECK(c->args[0].values[2] == 3 && c->args[1].values[1] == 0.5);
    ty_call_free(c);

    CHECK(ty_call_parse("pert(0.4, 0.6, 0.9)", &pos, &c, diag) == TY_OK);
    CHECK(c->nargs == 3 && c->args[2].value == 0.9);
    ty_call_free(c);

    CHECK(ty_call_parse("constant(-sqrt(4) * pi)", &pos, &c, diag) == TY_OK);
    CHECK(c->nargs == 1 && c->args[0].value == -2 * 3.14159265358979323846);
    ty_call_free(c);

    CHECK(ty_call_parse("uniform()", &pos, &c, diag) == TY_OK && c->nargs == 0);
    ty_call_free(c);
    CHECK(ty_diag_count(diag) == 0);

    /* errors, all of them */
    CHECK(ty_call_parse("normal(troops, sd=x * 2, 3, sd=1)", &pos, &c, diag) == TY_ERR_INVALID);
    CHECK(c == NULL);
    char buf[512];
    CHECK_STR(eu_fmt(diag, 0, buf, sizeof buf),
              "4:18: 'troops' is not a constant: only numbers, pi, e, operators and functions are allowed here");
    CHECK_STR(eu_fmt(diag, 1, buf, sizeof buf),
              "4:29: 'x' is not a constant: only numbers, pi, e, operators and functions are allowed here");
    CHECK_STR(eu_fmt(diag, 2, buf, sizeof buf), "4:36: positional argument after a named one");
    CHECK_STR(eu_fmt(diag, 3, buf, sizeof buf), "4:39: argument 'sd' given twice");
    CHECK(ty_diag_count(diag) == 4);
    ty_diag_free(diag);

    struct { const char *text, *want; } bad[] = {
        {"normal", "4:17: expected '(' after 'normal', found end of text"},
        {"normal(0", "4:19: expected ',' or ')' to close the '(' at 4:17, found end of text"},
        {"normal(0, 1) x", "4:24: unexpected 'x' after the end of the distribution"},
        {"discrete([1, 2, [0.5])", "4:27: expected an expression, found '['"},
        {"discrete([1 2])", "4:23: expected ',' or ']' in the list opened at 4:20, found '2'"},
        {"(1)", "4:11: expected a distribution such as normal(0, 1), found '('"},
        {"", "4:11: expected a distribution such as normal(0, 1), found end of text"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        diag = ty_diag_new(20);
        CHECK(ty_call_parse(bad[i].text, &pos, &c, diag) == TY_ERR_INVALID && !c);
        CHECK_STR(eu_fmt(diag, 0, buf, sizeof buf), bad[i].want);
        ty_diag_free(diag);
    }
}

/* Nested calls: a call or a list of calls as an argument, positions kept
 * inside; expression functions stay expressions; errors inside a nested
 * call at their place; the nesting limit. */
static void test_call_nested(void)
{
    ty_pos pos = {"s.yaml", 4, 11};
    ty_diag *diag = ty_diag_new(20);
    ty_call *c = NULL;
    /* col 11: mixture, 19: [, 20: normal, 34: truncate, 43: gamma, 64: [ */
    CHECK(ty_call_parse("mixture([normal(0, 1), truncate(gamma(2, 1), 0, 5)], [exp(0), 2])", &pos, &c, diag)
          == TY_OK);
    CHECK(ty_diag_count(diag) == 0);
    if (c) {
        CHECK(c->nargs == 2 && c->args[0].is_list && c->args[0].nvalues == 2 && c->args[0].calls);
        const ty_call *n = c->args[0].calls[0], *t = c->args[0].calls[1];
        CHECK_STR(n->callee, "normal");
        CHECK(n->callee_pos.col == 20 && n->nargs == 2 && n->args[1].value == 1);
        CHECK_STR(t->callee, "truncate");
        CHECK(t->callee_pos.col == 34 && t->nargs == 3 && t->args[0].call && !t->args[0].is_list);
        CHECK_STR(t->args[0].call->callee, "gamma");
        CHECK(t->args[0].call->callee_pos.col == 43 && t->args[2].value == 5);
        CHECK(isnan(t->args[0].value));
        CHECK(!c->args[1].calls && c->args[1].values[0] == 1 && c->args[1].values[1] == 2);
    }
    ty_call_free(c);
    /* a list mixing numbers and calls keeps both, NaN and NULL where each is not */
    CHECK(ty_call_parse("f([1, g(2)])", &pos, &c, diag) == TY_OK);
    if (c) CHECK(c->args[0].calls && !c->args[0].calls[0] && c->args[0].calls[1] && c->args[0].values[0] == 1);
    ty_call_free(c);
    /* an error inside a nested call, at its position */
    CHECK(ty_call_parse("mixture([normal(x, 1)])", &pos, &c, diag) == TY_ERR_INVALID && !c);
    char buf[512];
    CHECK_STR(eu_fmt(diag, 0, buf, sizeof buf),
              "4:27: 'x' is not a constant: only numbers, pi, e, operators and functions are allowed here");
    ty_diag_free(diag);
    diag = ty_diag_new(20);
    CHECK(ty_call_parse("mixture([normal(0, 1) gamma(2, 1)])", &pos, &c, diag) == TY_ERR_INVALID && !c);
    CHECK_STR(eu_fmt(diag, 0, buf, sizeof buf), "4:33: expected ',' or ']' in the list opened at 4:19, found 'gamma'");
    ty_diag_free(diag);
    /* TY_CALL_MAX_NEST levels parse, one more is a limit */
    char text[512] = "", tail[128] = "";
    for (int i = 0; i <= TY_CALL_MAX_NEST; i++) { strcat(text, "m("); strcat(tail, ")"); }
    strcat(text, "1");
    strcat(text, tail);
    diag = ty_diag_new(20);
    CHECK(ty_call_parse(text, &pos, &c, diag) == TY_OK);
    ty_call_free(c);
    memmove(text + 2, text, strlen(text) + 1);
    memcpy(text, "m(", 2);
    strcat(text, ")");
    CHECK(ty_call_parse(text, &pos, &c, diag) == TY_ERR_LIMIT && !c);
    CHECK(strstr(eu_fmt(diag, 0, buf, sizeof buf), "calls nested more than 16 deep") != NULL);
    ty_diag_free(diag);
}

static void test_const_expr(void)
{
    ty_pos pos = {"s.yaml", 1, 1};
    double v = 0;
    ty_diag *diag = ty_diag_new(5);
    CHECK(ty_expr_const("4e4", &pos, &v, diag) == TY_OK && v == 40000);
    CHECK(ty_expr_const(".5 * 2^3", &pos, &v, diag) == TY_OK && v == 4);
    CHECK(ty_expr_const("max(1, 7, 3) > 6 ? e : pi", &pos, &v, diag) == TY_OK &&
          v == 2.71828182845904523536);
    CHECK(ty_expr_const("x + 1", &pos, &v, diag) == TY_ERR_INVALID);
    ty_diag_free(diag);
}

TEST_MAIN(test_suggest, test_errors_names, test_errors_syntax, test_errors_limits,
          test_errors_all_reported, test_call_parse, test_call_nested, test_const_expr)
