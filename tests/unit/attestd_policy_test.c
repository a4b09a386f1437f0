// SPDX-License-Identifier: MIT
/*
 * The MAA policy language of cella-attestd: the real default policies (and their x-ms-policy-hash), the documented
 * examples, every section/action rule, boolean combinations, 1.2 functions, syntax errors with line and column.
 * attestd_policy_test VECTORS_DIR
 */
#include "attestd_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"

static const char *vec;

static struct attestd_policy *compile_ok(const char *text)
{
	struct attestd_policy *p = NULL;
	char err[ATTESTD_ERR_BYTES];
	cella_result r = attestd_policy_compile(text, strlen(text), &p, err);
	if (r != CELLA_OK)
		cella_test_fail(__FILE__, __LINE__, "policy does not compile: %s\n%s", err, text);
	return p;
}

/* Compiles text expecting an error message containing `want` (e.g. "line 3, column 5"). */
static void compile_err(const char *text, const char *want)
{
	struct attestd_policy *p = NULL;
	char err[ATTESTD_ERR_BYTES];
	cella_result r = attestd_policy_compile(text, strlen(text), &p, err);
	if (r == CELLA_OK)
		cella_test_fail(__FILE__, __LINE__, "policy compiled but should not: %s", text);
	CT_RESULT(r, CELLA_ERR_BAD_FORMAT);
	if (!strstr(err, want))
		cella_test_fail(__FILE__, __LINE__, "error '%s' does not contain '%s'", err, want);
}

static void sgx_claims(struct attestd_claims *c, bool debug, int svn)
{
	attestd_claims_init(c);
	CT_RESULT(attestd_claims_add_bool(c, "x-ms-sgx-is-debuggable", debug), CELLA_OK);
	CT_RESULT(attestd_claims_add_str(c, "x-ms-sgx-mrsigner", "4aea5f9a0ed04b11f889aadfe6a1d376213a29a95a85ce7337ae6f7fece6610c"),
		  CELLA_OK);
	CT_RESULT(attestd_claims_add_str(c, "x-ms-sgx-mrenclave", "292a1f4b519e46627eb2478a3d9851405653c5b4b0a6925de843834d9216850e"),
		  CELLA_OK);
	CT_RESULT(attestd_claims_add_int(c, "x-ms-sgx-product-id", 1), CELLA_OK);
	CT_RESULT(attestd_claims_add_int(c, "x-ms-sgx-svn", svn), CELLA_OK);
	CT_RESULT(attestd_claims_add_str(c, "x-ms-attestation-type", "sgx"), CELLA_OK);
	CT_RESULT(attestd_claims_add_bool(c, "$is-debuggable", debug), CELLA_OK);
}

/* Runs text over SGX claims; returns the result, leaves out/props for inspection. */
static cella_result run(const char *text, bool debug, int svn, struct attestd_claims *out, struct attestd_claims *props,
			char err[ATTESTD_ERR_BYTES])
{
	struct attestd_claims in;
	struct attestd_policy *p = compile_ok(text);
	cella_result r;
	sgx_claims(&in, debug, svn);
	attestd_claims_init(out);
	attestd_claims_init(props);
	r = attestd_policy_evaluate(p, &in, out, props, err);
	attestd_claims_fini(&in);
	attestd_policy_free(p);
	return r;
}

static char *read_text(const char *name)
{
	char path[4096];
	size_t n;
	char *t;
	snprintf(path, sizeof(path), "%s/maa/%s", vec, name);
	t = (char *)cella_test_read_file(path, &n);
	t = realloc(t, n + 1);
	t[n] = 0;
	/* the vector files end with a newline the service's stored text does not have */
	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r'))
		t[--n] = 0;
	return t;
}

static void test_defaults(void)
{
	char hash[44], err[ATTESTD_ERR_BYTES];
	struct attestd_claims out, props;
	char *t11 = read_text("default_sgx_policy_v1.1_azuredefault.txt");
	char *t10 = read_text("default_sgx_policy_shared_2022.txt");
	const struct attestd_claim *c;

	/* the hash of the real token (token_sgx_runtimejson_shared_2022-11-17.jwt) */
	attestd_policy_hash(t11, strlen(t11), hash);
	CT_ASSERT(strcmp(hash, "ViVGS4BYl70X8eUrgryHg0TtbEk9WtIc6DtTBEFxaWc") == 0);

	CT_RESULT(run(t11, true, 1, &out, &props, err), CELLA_OK);
	CT_EQ(out.n, 6);
	CT_ASSERT((c = attestd_claims_find(&out, "is-debuggable")) && c->v.vt == ATTESTD_V_BOOLEAN && c->v.b);
	CT_ASSERT((c = attestd_claims_find(&out, "svn")) && c->v.vt == ATTESTD_V_INTEGER && c->v.i == 1);
	CT_ASSERT((c = attestd_claims_find(&out, "tee")) && strcmp(c->v.s, "sgx") == 0);
	CT_ASSERT((c = attestd_claims_find(&out, "sgx-mrenclave")) && strncmp(c->v.s, "292a1f4b", 8) == 0);
	CT_ASSERT(strcmp(attestd_claims_find(&out, "product-id")->issuer, "AttestationPolicy") == 0);
	CT_ASSERT((c = attestd_claims_find(&props, "x-ms-sgx-tcbidentifier")) && strcmp(c->v.s, "azuredefault") == 0);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);

	CT_RESULT(run(t10, false, 3, &out, &props, err), CELLA_OK);
	CT_EQ(out.n, 6);
	CT_EQ(props.n, 0);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	free(t10);
	free(t11);
	cella_test_pass("default policies and x-ms-policy-hash");
}

static void test_documented_examples(void)
{
	char err[ATTESTD_ERR_BYTES];
	struct attestd_claims out, props;
	static const char sample[] =
		"version= 1.0;\nauthorizationrules\n{\n       [ type==\"x-ms-sgx-is-debuggable\", value==false ]\n"
		"        && [ type==\"x-ms-sgx-product-id\", value==1 ]\n        && [ type==\"x-ms-sgx-svn\", value>= 0 ]\n"
		"        && [ type==\"x-ms-sgx-mrsigner\", value==\"4aea5f9a0ed04b11f889aadfe6a1d376213a29a95a85ce7337ae6f7fece6610c\"]\n"
		"    => permit();\n};\nissuancerules {\nc:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"custom-name\", value=c.value);\n};";
	static const char rotation[] =
		"version= 1.0;\nauthorizationrules\n{\n[ type==\"x-ms-sgx-is-debuggable\", value==false]&&\n"
		"[ type==\"x-ms-sgx-mrsigner\", value==\"mrsigner1\"] => permit();\n[ type==\"x-ms-sgx-is-debuggable\", value==false ]&&\n"
		"[ type==\"x-ms-sgx-mrsigner\", value==\"4aea5f9a0ed04b11f889aadfe6a1d376213a29a95a85ce7337ae6f7fece6610c\"] => permit();\n};";
	static const char legacy[] =
		"version=1.0;authorizationrules {c:[type==\"$is-debuggable\"] && [value==true] => deny();=> permit();};"
		"issuancerules {    c:[type==\"$is-debuggable\"] => issue(type=\"NotDebuggable\", value=c.value);};";
	static const char custom_tcb[] =
		"version = 1.1; configurationrules { => issueproperty ( type = \"x-ms-sgx-tcbidentifier\", value = \"11\" ); }; "
		"authorizationrules { => permit(); }; Issuancerules { c:[type==\"x-ms-sgx-svn\"] => issue(type=\"svn\", value=c.value); };";

	CT_RESULT(run(sample, false, 2, &out, &props, err), CELLA_OK);
	CT_ASSERT(attestd_claims_find(&out, "custom-name"));
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(sample, true, 2, &out, &props, err), CELLA_ERR_POLICY); /* debuggable: no rule permits */
	CT_ASSERT(strstr(err, "no authorization rule"));
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(rotation, false, 2, &out, &props, err), CELLA_OK);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(legacy, true, 2, &out, &props, err), CELLA_ERR_POLICY);
	CT_ASSERT(strstr(err, "line 1"));
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(legacy, false, 2, &out, &props, err), CELLA_OK);
	CT_ASSERT(attestd_claims_find(&out, "NotDebuggable"));
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(custom_tcb, false, 2, &out, &props, err), CELLA_OK);
	CT_ASSERT(strcmp(attestd_claims_find(&props, "x-ms-sgx-tcbidentifier")->v.s, "11") == 0);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	cella_test_pass("documented examples");
}

static void test_semantics(void)
{
	char err[ATTESTD_ERR_BYTES];
	struct attestd_claims out, props;
	/* integer comparisons, ||, parentheses, add() feeding later rules, issue(claim=c), valueType conversion */
	static const char p1[] =
		"version=1.0;authorizationrules{\n"
		"  ([type==\"x-ms-sgx-svn\", value > 5] || [type==\"x-ms-sgx-svn\", value == 2]) => add(type=\"ok\", value=true);\n"
		"  [type==\"ok\", value==true, issuer==\"AttestationPolicy\"] => permit();\n};\n"
		"issuancerules{ c:[type==\"x-ms-sgx-svn\"] => issue(claim=c);\n"
		"  => issue(type=\"n\", value=\"42\", valueType=\"Integer\");\n"
		"  c:[type==\"x-ms-sgx-product-id\", valueType==\"Integer\"] => issue(type=\"pid-type\", value=c.valueType);\n};";
	/* every authorization rule runs: a deny() after a permit() still denies (deny overrides), and an add() after
	 * a permit() is there for the issuance rules */
	static const char p2[] = "version=1.0;authorizationrules{=> permit(); [type==\"x-ms-sgx-svn\", value<=1] => deny(); "
				 "c:[type==\"x-ms-sgx-svn\"] => add(type=\"seen\", value=c.value);};"
				 "issuancerules{c:[type==\"seen\"] => issue(type=\"seen\", value=c.value);};";
	/* 1.2: absence and functions */
	static const char p3[] =
		"version=1.2;authorizationrules{ ![type==\"no-such-claim\"] && c:[type==\"x-ms-attestation-type\"] => permit(); };"
		"issuancerules{ c:[type==\"x-ms-attestation-type\"] => issue(type=\"a\", value=AppendString(c.value, \"-x\"));"
		" c:[type==\"x-ms-sgx-is-debuggable\"] => issue(type=\"nd\", value=NegateBool(c.value));"
		" => issue(type=\"j\", value=JsonToClaimValue(JmesPath(\"{\\\"a\\\":{\\\"b\\\":[1,7]}}\", \"a.b[1]\")));"
		" => issue(type=\"s\", value=IsSubsetOf(\"[1,2]\", \"[3,2,1]\"));"
		" => issue(type=\"o\", value=ContainsOnlyValue(\"[true,true]\", true)); };";
	const struct attestd_claim *c;

	CT_RESULT(run(p1, false, 2, &out, &props, err), CELLA_OK);
	CT_ASSERT((c = attestd_claims_find(&out, "x-ms-sgx-svn")) && c->v.i == 2);
	CT_ASSERT((c = attestd_claims_find(&out, "n")) && c->v.vt == ATTESTD_V_INTEGER && c->v.i == 42);
	CT_ASSERT((c = attestd_claims_find(&out, "pid-type")) && strcmp(c->v.s, "Integer") == 0);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(p1, false, 3, &out, &props, err), CELLA_ERR_POLICY);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(p1, false, 9, &out, &props, err), CELLA_OK);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(p2, false, 1, &out, &props, err), CELLA_ERR_POLICY);
	CT_ASSERT(strstr(err, "denied by the policy's authorization rule at line 1"));
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(p2, false, 2, &out, &props, err), CELLA_OK);
	CT_ASSERT((c = attestd_claims_find(&out, "seen")) && c->v.vt == ATTESTD_V_INTEGER && c->v.i == 2);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run(p3, true, 2, &out, &props, err), CELLA_OK);
	CT_ASSERT((c = attestd_claims_find(&out, "a")) && strcmp(c->v.s, "sgx-x") == 0);
	CT_ASSERT((c = attestd_claims_find(&out, "nd")) && c->v.vt == ATTESTD_V_BOOLEAN && !c->v.b);
	CT_ASSERT((c = attestd_claims_find(&out, "j")) && c->v.vt == ATTESTD_V_INTEGER && c->v.i == 7);
	CT_ASSERT((c = attestd_claims_find(&out, "s")) && c->v.b);
	CT_ASSERT((c = attestd_claims_find(&out, "o")) && c->v.b);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	{
		/* JsonToClaimValue: a fraction, an object or an array is an error (MAA: an error, or for a primitive
		 * array a set of claims this engine cannot make), never a silently skipped deny(); null is no value */
		static const char *const bad[] = {"1.5", "{}", "[\\\"revoked\\\",\\\"ok\\\"]", "[[1]]"};
		static const char *const what[] = {"fraction", "object", "array", "array"};
		char pol[512];
		for (size_t i = 0; i < 4; i++) {
			snprintf(pol, sizeof(pol),
				 "version=1.2;authorizationrules{=> add(type=\"ids\", value=JsonToClaimValue(\"%s\"));"
				 " [type==\"ids\", value==\"revoked\"] => deny(); => permit();};",
				 bad[i]);
			CT_RESULT(run(pol, false, 2, &out, &props, err), CELLA_ERR_BAD_FORMAT);
			if (!strstr(err, what[i]) || !strstr(err, "JsonToClaimValue"))
				cella_test_fail(__FILE__, __LINE__, "error for %s: %s", bad[i], err);
			attestd_claims_fini(&out);
			attestd_claims_fini(&props);
		}
		CT_RESULT(run("version=1.2;authorizationrules{=> add(type=\"n\", value=JsonToClaimValue(\"null\"));"
			      " [type==\"n\"] => deny(); => permit();};",
			      false, 2, &out, &props, err),
			  CELLA_OK);
		attestd_claims_fini(&out);
		attestd_claims_fini(&props);
	}
	cella_test_pass("semantics: ||, (), add, claim=, valueType, every authorization rule runs, deny overrides, 1.2 functions and !");
}

static void test_errors(void)
{
	compile_err("", "line 1, column 1: a policy starts with");
	compile_err("version=2.0;authorizationrules{=>permit();};", "unsupported policy version 2.0");
	compile_err("version=1.0;\nauthorizationrules{\n  => permit()\n};", "line 4, column 1: expected ';' after the rule");
	compile_err("version=1.0;authorizationrules{=> permit();};\nissuancerules{\n c:[type==\"a\"] => issue(type=\"b\", value=d.value);};",
		    "line 3, column 41: unknown identifier 'd'");
	compile_err("version=1.0;configurationrules{=> issueproperty(type=\"a\", value=1);};authorizationrules{=>permit();};",
		    "configurationrules needs policy version 1.1");
	compile_err("version=1.1;authorizationrules{=> issue(type=\"a\", value=1);};", "issue() is allowed in issuancerules only");
	compile_err("version=1.1;authorizationrules{=>permit();};issuancerules{=> permit();};", "authorizationrules only");
	compile_err("version=1.0;issuancerules{};", "no authorizationrules section");
	compile_err("version=1.0;issuancerules{};authorizationrules{=>permit();};", "sections must come in the order");
	compile_err("version=1.0;authorizationrules{[type==\"a\", value<\"x\"] => permit();};", "compares integers only");
	compile_err("version=1.0;authorizationrules{![type==\"a\"] => permit();};", "needs policy version 1.2");
	compile_err("version=1.1;authorizationrules{=> permit(NegateBool(true));};", "permit and deny take no arguments");
	compile_err("version=1.1;authorizationrules{=>permit();};issuancerules{=> issue(type=\"a\", value=Foo(1));};",
		    "unknown function 'Foo'");
	compile_err("version=1.0;authorizationrules{[type==\"unterminated] => permit();};", "unterminated string");
	compile_err("version=1.0;authorizationrules{[type=\xe2\x80\x9c" "a\xe2\x80\x9d] => permit();};", "non-ASCII");
	compile_err("version=1.0;authorizationrules{[type==\"a\", value==99999999999999999999] => permit();};",
		    "integer out of range");
	{
		/* deep nesting is refused, not a stack overflow */
		char deep[4096] = "version=1.0;authorizationrules{";
		for (int i = 0; i < 200; i++)
			strcat(deep, "(");
		strcat(deep, "[type==\"a\"]");
		compile_err(deep, "nested too deeply");
	}
	{
		/* long && and || chains: evaluation recursed once per operand, and 40,000 of them (a 480 KB draft
		 * policy anyone may send) overflowed a worker's stack; 256 operands compile, more do not */
		static const char *const ops[] = {" && ", " || "};
		for (int o = 0; o < 2; o++) {
			size_t cap = 64 + 100000 * 16;
			char *t = malloc(cap), *w = t;
			struct attestd_policy *pol;
			w += sprintf(w, "version=1.0;authorizationrules{[type==\"a\"]");
			for (int i = 1; i < 255; i++)
				w += sprintf(w, "%s[type==\"a\"]", ops[o]);
			strcpy(w, " => permit();};");
			pol = compile_ok(t);
			attestd_policy_free(pol);
			w = t + strlen("version=1.0;authorizationrules{[type==\"a\"]");
			for (int i = 1; i < 100000; i++)
				w += sprintf(w, "%s[type==\"a\"]", ops[o]);
			strcpy(w, " => permit();};");
			compile_err(t, "more than 256 conditions joined by && and || in one rule");
			free(t);
		}
	}
	cella_test_pass("syntax and semantic errors with line and column");
}

static void test_bounds(void)
{
	/* a rule binding many identifiers over many claims hits the work bound instead of running for ages */
	static const char p[] = "version=1.0;authorizationrules{=>permit();};issuancerules{"
				"a:[type==\"x\"] && b:[type==\"x\"] && c:[type==\"x\"] && d:[type==\"x\"] => issue(type=\"y\", value=1);};";
	struct attestd_claims in, out, props;
	struct attestd_policy *pol = compile_ok(p);
	char err[ATTESTD_ERR_BYTES];
	attestd_claims_init(&in);
	attestd_claims_init(&out);
	attestd_claims_init(&props);
	for (int i = 0; i < 60; i++)
		CT_RESULT(attestd_claims_add_int(&in, "x", i), CELLA_OK);
	CT_RESULT(attestd_policy_evaluate(pol, &in, &out, &props, err), CELLA_ERR_TOO_LARGE);
	attestd_claims_fini(&in);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	attestd_policy_free(pol);
	cella_test_pass("evaluation work bound");
}

/* A JmesPath name over 255 bytes is one name: "A...A" (255) then "B" as one 256-byte name used to be read as two
 * path segments, finding {"A...A": {"B": 5}}; it is not there (null, and JsonToClaimValue of null adds nothing). */
static void test_jmespath_long_name(void)
{
	char a[256], pol[2048], err[ATTESTD_ERR_BYTES];
	struct attestd_claims out, props;
	memset(a, 'A', 255);
	a[255] = 0;
	snprintf(pol, sizeof(pol),
		 "version=1.2;authorizationrules{=> permit();};issuancerules{"
		 "=> issue(type=\"long\", value=JsonToClaimValue(JmesPath(\"{\\\"%s\\\":{\\\"B\\\":5}}\", \"%sB\")));"
		 "=> issue(type=\"short\", value=JsonToClaimValue(JmesPath(\"{\\\"%s\\\":{\\\"B\\\":5}}\", \"%s.B\")));};",
		 a, a, a, a);
	CT_RESULT(run(pol, false, 2, &out, &props, err), CELLA_OK);
	CT_ASSERT(attestd_claims_find(&out, "long") == NULL);
	CT_ASSERT(attestd_claims_find(&out, "short") != NULL); /* the control: the real path finds it */
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	cella_test_pass("JmesPath: a name over 255 bytes has no value (not two path segments)");
}

/* JMESPath as the specification has it: projections, filters, pipes, functions, literals; a missing path is JSON
 * null (MAA's JmesPath always gives JSON text); what the engine does not do is refused by name. */
static void test_jmespath(void)
{
	static const char doc[] = "{\"a\":{\"b\":[1,2,3]},\"people\":[{\"name\":\"x\",\"age\":30},{\"name\":\"y\","
				  "\"age\":20}],\"sample\":\"attestation-service\",\"pid\":7,\"o\":{\"k1\":1,\"k2\":2}}";
	static const char *const ok[][2] = {
		{"a.b[1]", "2"},
		{"a.b[-1]", "3"},
		{"a.b[0:2]", "[1,2]"},
		{"a.b[::-1]", "[3,2,1]"},
		{"a.b[5]", "null"},
		{"missing", "null"},
		{"missing.deeper[0]", "null"},
		{"people[*].name", "[\"x\",\"y\"]"},
		{"people[?age > `25`].name", "[\"x\"]"},
		{"people[?name=='y'] | [0].age", "20"},
		{"people[*].[name, age]", "[[\"x\",30],[\"y\",20]]"},
		{"people[].age | max(@)", "30"},
		{"length(@)", "5"},
		{"keys(o)", "[\"k1\",\"k2\"]"},
		{"o.*", "[1,2]"},
		{"sample == 'attestation-service'", "true"},
		{"pid == `7`", "true"},
		{"pid == `7.0`", "true"},
		{"{n: sample, p: pid}", "{\"n\":\"attestation-service\",\"p\":7}"},
		{"[sample, pid]", "[\"attestation-service\",7]"},
		{"a.b[] | sum(@)", "6"},
		{"\"a\".b[0]", "1"},
		{"!contains(a.b, `5`)", "true"},
		{"length(people) > `1` && 'yes'", "\"yes\""},
		{"missing || 'default'", "\"default\""},
		{"type(a)", "\"object\""},
		{"join(',', people[*].name)", "\"x,y\""},
		{"sort(`[3,1,2]`)", "[1,2,3]"},
		{"starts_with(sample, 'att')", "true"},
		{"to_string(pid)", "\"7\""},
		{"not_null(missing, pid)", "7"},
		{"a.b[*] | [0]", "1"},
		{"reverse('abc')", "\"cba\""},
		{"@.pid", "7"},
		{"people[?age < `0`]", "[]"},
		{"sample.nope", "null"},
		/* `.*` takes what follows at a dot's binding power, as jmespath.py does: the projection is x.c and y.c,
		 * and .d applies to that list (null), not within each */
		{"`{\"x\":{\"c\":{\"d\":1}},\"y\":{\"c\":{\"d\":2}}}`.*.c.d", "null"},
		{"`{\"x\":{\"c\":{\"d\":1}},\"y\":{\"c\":{\"d\":2}}}`.*.c", "[{\"d\":1},{\"d\":2}]"},
		{"people | [ * ].name", "[\"x\",\"y\"]"}, /* spaces inside [*] still make a projection */
		/* the result is the query's own literal (or a part of it): it outlives the query */
		{"`[1,{\"a\":[2]}]`", "[1,{\"a\":[2]}]"},
		{"`{\"a\":{\"b\":[true,\"s\"]}}`.a.b", "[true,\"s\"]"},
		{"merge(`{\"k1\":0,\"z\":[1]}`, o)", "{\"k1\":1,\"z\":[1],\"k2\":2}"},
	};
	static const char *const bad[][2] = {
		{"a[?", "expected"},
		{"length(", "expected"},
		{"a..b", "after '.'"},
		{"sort_by(people, &age)", "sort_by() is not supported"},
		{"people[*].age | map(&x, @)", "map() is not supported"},
		{"nope(@)", "unknown function nope()"},
		{"`{bad`", "literal is not JSON"},
		{"length(@, @)", "length() takes 1 argument, not 2"},
		{"a.b[1:2:0]", "step cannot be 0"},
		{"'unterminated", "unterminated raw string"},
		{"a ~ b", "unexpected character '~'"},
	};
	static const char *const type_err[][2] = {
		{"length(pid)", "length() argument 1 must be a string, an array or an object, not number"},
		{"sum(people)", "sum() argument 1 must be an array of numbers"},
		{"abs('x')", "abs() argument 1 must be a number, not string"},
		{"keys(a.b)", "keys() argument 1 must be an object, not array"},
	};
	char err[ATTESTD_ERR_BYTES];
	json_t *d = json_loads(doc, 0, NULL), *res;
	long steps;
	size_t off;
	CT_ASSERT(d);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *txt;
		struct attestd_jmes *c = NULL;
		long once;
		steps = 0;
		CT_RESULT(attestd_jmes_check(ok[i][0], strlen(ok[i][0]), &off, err), CELLA_OK);
		if (attestd_jmes_eval(ok[i][0], strlen(ok[i][0]), d, &steps, 200000, &res, err) != CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "%s: %s", ok[i][0], err);
		txt = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
		if (strcmp(txt, ok[i][1]) != 0)
			cella_test_fail(__FILE__, __LINE__, "%s gave %s, expected %s", ok[i][0], txt, ok[i][1]);
		free(txt);
		json_decref(res);
		/* compiled once, run three times: the same result and the same work each time (literals included) */
		once = steps;
		CT_RESULT(attestd_jmes_compile(ok[i][0], strlen(ok[i][0]), &c, &off, err), CELLA_OK);
		for (int k = 0; k < 3; k++) {
			steps = 0;
			if (attestd_jmes_run(c, d, &steps, 200000, &res, err) != CELLA_OK)
				cella_test_fail(__FILE__, __LINE__, "%s compiled, run %d: %s", ok[i][0], k, err);
			txt = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
			if (strcmp(txt, ok[i][1]) != 0 || steps != once)
				cella_test_fail(__FILE__, __LINE__, "%s compiled, run %d gave %s in %ld steps, expected %s in %ld",
						ok[i][0], k, txt, steps, ok[i][1], once);
			free(txt);
			json_decref(res);
		}
		attestd_jmes_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct attestd_jmes *c = NULL;
		size_t coff = 99;
		CT_RESULT(attestd_jmes_check(bad[i][0], strlen(bad[i][0]), &off, err), CELLA_ERR_BAD_FORMAT);
		if (!strstr(err, bad[i][1]))
			cella_test_fail(__FILE__, __LINE__, "%s: error '%s' lacks '%s'", bad[i][0], err, bad[i][1]);
		/* compiling says the same, at the same place, and makes nothing */
		CT_RESULT(attestd_jmes_compile(bad[i][0], strlen(bad[i][0]), &c, &coff, err), CELLA_ERR_BAD_FORMAT);
		CT_ASSERT(c == NULL && coff == off && strstr(err, bad[i][1]));
		steps = 0;
		CT_RESULT(attestd_jmes_eval(bad[i][0], strlen(bad[i][0]), d, &steps, 200000, &res, err),
			  CELLA_ERR_BAD_FORMAT);
	}
	for (size_t i = 0; i < sizeof(type_err) / sizeof(type_err[0]); i++) {
		struct attestd_jmes *c = NULL;
		steps = 0;
		CT_RESULT(attestd_jmes_eval(type_err[i][0], strlen(type_err[i][0]), d, &steps, 200000, &res, err),
			  CELLA_ERR_INVALID_ARG);
		if (!strstr(err, type_err[i][1]))
			cella_test_fail(__FILE__, __LINE__, "%s: error '%s' lacks '%s'", type_err[i][0], err,
					type_err[i][1]);
		CT_RESULT(attestd_jmes_compile(type_err[i][0], strlen(type_err[i][0]), &c, &off, err), CELLA_OK);
		steps = 0;
		CT_RESULT(attestd_jmes_run(c, d, &steps, 200000, &res, err), CELLA_ERR_INVALID_ARG);
		CT_ASSERT(res == NULL && strstr(err, type_err[i][1]));
		attestd_jmes_free(c);
	}
	{
		/* results share structure: doubling @ twenty times is charged for the million leaves it would print */
		char q[512] = "@";
		for (int i = 0; i < 20; i++)
			strcat(q, " | [@, @]");
		steps = 0;
		CT_RESULT(attestd_jmes_eval(q, strlen(q), d, &steps, 200000, &res, err), CELLA_ERR_TOO_LARGE);
	}
	{
		/* functions that read a long string are charged for it: 100 to_number() or length() calls on a 300 KB
		 * string cost two steps each before, and a draft policy of a few such rules held a worker for a minute */
		static const char *const fns[] = {"to_number", "length", "starts_with"};
		size_t big = 300000;
		char *txt = malloc(big + 16), *q = malloc(100 * 32 + 4);
		json_t *bd;
		CT_ASSERT(txt && q);
		memcpy(txt, "{\"s\":\"", 6);
		memset(txt + 6, '7', big);
		memcpy(txt + 6 + big, "\"}", 3);
		CT_ASSERT((bd = json_loads(txt, 0, NULL)) != NULL);
		for (size_t f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
			size_t k = 0;
			q[k++] = '[';
			for (int i = 0; i < 100; i++)
				k += (size_t)sprintf(q + k, "%s%s(s%s)", i ? "," : "", fns[f],
						     strcmp(fns[f], "starts_with") ? "" : ",'8'");
			q[k++] = ']';
			steps = 0;
			if (attestd_jmes_eval(q, k, bd, &steps, 200000, &res, err) != CELLA_ERR_TOO_LARGE)
				cella_test_fail(__FILE__, __LINE__, "100 x %s() over 300 KB: not refused as too much work",
						fns[f]);
		}
		json_decref(bd);
		free(txt);
		free(q);
	}
	json_decref(d);
	cella_test_pass("JmesPath: projections, filters, pipes, functions, literals; null for a missing path");
}

/* A policy on a JmesPath value: a missing path is the string "null" (a deny() testing for it fires, as in MAA), a
 * query outside the engine fails the compile with line and column, and any function that cannot make its value
 * fails the evaluation naming the function, never "no value" (a deny() on it used to be skipped: permitted). */
static void test_function_failures(void)
{
	char err[ATTESTD_ERR_BYTES];
	struct attestd_claims out, props;
	static const char *const fail_at_run[][2] = {
		{"=> add(type=\"r\", value=JmesPath(\"{}\", AppendString(\"a[\", \"?\")));",
		 "JmesPath at line 1, column 55: JmesPath: query column 4: unexpected end of query"},
		{"c:[type==\"x-ms-sgx-svn\"] => add(type=\"r\", value=JmesPath(\"{}\", AppendString(\"length(\", \"a)\")));",
		 "JmesPath at line 1, column 80: JmesPath: length() argument 1 must be a string, an array or an object, not null"},
		{"=> add(type=\"r\", value=JsonToClaimValue(AppendString(\"{\", \"bad\")));",
		 "JsonToClaimValue at line 1, column 55: argument 1 is not JSON"},
		{"c:[type==\"x-ms-sgx-svn\"] => add(type=\"r\", value=AppendString(\"a\", c.value));",
		 "AppendString at line 1, column 80: argument 2 must be a string, not an integer"},
		{"c:[type==\"x-ms-sgx-mrsigner\"] => add(type=\"r\", value=NegateBool(c.value));",
		 "NegateBool at line 1, column 85: argument 1 must be a boolean, not a string"},
		{"c:[type==\"x-ms-sgx-mrsigner\"] => add(type=\"r\", value=IsSubsetOf(c.value, \"[]\"));",
		 "IsSubsetOf at line 1, column 85: argument 1 is not JSON"},
		{"=> add(type=\"r\", value=NegateBool(JsonToClaimValue(\"null\")));",
		 "NegateBool at line 1, column 55: argument 1 has no value"},
	};
	static const char *const fail_at_compile[][2] = {
		{"=> add(type=\"r\", value=JmesPath(\"{}\", \"a[?b\"));", "line 1, column 70: JmesPath query, column 5: expected ']', found end of query"},
		{"=> add(type=\"r\", value=JmesPath(\"{}\", \"sort_by(@, &a)\"));", "sort_by() is not supported"},
		{"=> add(type=\"r\", value=JmesPath(\"{x\", \"a\"));", "JmesPath argument 1 is not JSON"},
		{"=> add(type=\"r\", value=JsonToClaimValue(\"{bad\"));", "JsonToClaimValue argument 1 is not JSON"},
		{"=> add(type=\"r\", value=AppendString(\"a\", 1));", "AppendString argument 2 must be a string, not an integer"},
		{"=> add(type=\"r\", value=NegateBool(\"true\"));", "NegateBool argument 1 must be a boolean, not a string"},
		{"=> add(type=\"r\", value=IsSubsetOf(\"{}\", \"[]\"));", "IsSubsetOf argument 1 must be a JSON array"},
	};
	char pol[1024];
	/* the audit's reproducer: a missing path is "null", so the deny() fires */
	CT_RESULT(run("version=1.2;authorizationrules{=> add(type=\"dbg\", value=JmesPath(\"{\\\"sample\\\":1}\", "
		      "\"debug\")); [type==\"dbg\", value==\"null\"] => deny(); => permit();};",
		      false, 2, &out, &props, err),
		  CELLA_ERR_POLICY);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	/* and the pieces MAA's samples use now evaluate */
	CT_RESULT(run("version=1.2;authorizationrules{=> add(type=\"n\", value=JsonToClaimValue(JmesPath("
		      "\"{\\\"a\\\":[{\\\"k\\\":\\\"b\\\"},{\\\"k\\\":\\\"c\\\"}]}\", \"a[?k=='b'] | length(@)\")));"
		      " [type==\"n\", value==1] => permit();};",
		      false, 2, &out, &props, err),
		  CELLA_OK);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	for (size_t i = 0; i < sizeof(fail_at_run) / sizeof(fail_at_run[0]); i++) {
		snprintf(pol, sizeof(pol), "version=1.2;authorizationrules{%s [type==\"r\"] => deny(); => permit();};",
			 fail_at_run[i][0]);
		CT_RESULT(run(pol, false, 2, &out, &props, err), CELLA_ERR_BAD_FORMAT);
		if (!strstr(err, fail_at_run[i][1]))
			cella_test_fail(__FILE__, __LINE__, "%s: error '%s' lacks '%s'", fail_at_run[i][0], err,
					fail_at_run[i][1]);
		attestd_claims_fini(&out);
		attestd_claims_fini(&props);
	}
	for (size_t i = 0; i < sizeof(fail_at_compile) / sizeof(fail_at_compile[0]); i++) {
		snprintf(pol, sizeof(pol), "version=1.2;authorizationrules{%s => permit();};", fail_at_compile[i][0]);
		compile_err(pol, fail_at_compile[i][1]);
	}
	cella_test_pass("policy functions: \"null\" for a missing JmesPath path; failures fail the request, named");
}

/* A value compared with a literal of another type is an error, not a mismatch: [type=="x-ms-sgx-is-debuggable",
 * value!="false"] was true for an enclave whose value IS false, and permitted it. Refused when the policy compiles
 * where the claim's type is fixed, at run time otherwise; a condition scanning every claim ([value==true]) still
 * just skips claims of other types. valueType="Integer" of a string that is not one is an error too (it kept the
 * string). */
static void test_types(void)
{
	char err[ATTESTD_ERR_BYTES];
	struct attestd_claims out, props;
	static const char *const at_compile[][2] = {
		{"[type==\"x-ms-sgx-is-debuggable\", value!=\"false\"] => permit();",
		 "column 72: claim x-ms-sgx-is-debuggable is a boolean: comparing it with a string is an error"},
		{"[type==\"x-ms-sgx-svn\", value==\"0\"] => permit();",
		 "claim x-ms-sgx-svn is an integer: comparing it with a string is an error"},
		{"[value==1, type==\"x-ms-sgx-mrsigner\"] => permit();",
		 "claim x-ms-sgx-mrsigner is a string: comparing it with an integer is an error"},
		{"[type==\"x-ms-sgx-product-id\", value==NegateBool(true)] => permit();",
		 "claim x-ms-sgx-product-id is an integer: comparing it with a boolean is an error"},
		{"[type==\"x-ms-sgx-svn\", value<AppendString(\"5\", \"\")] => permit();",
		 "claim x-ms-sgx-svn is an integer: comparing it with a string is an error"},
		{"=> add(type=\"n\", value=\"99999999999999999999\", valueType=\"Integer\"); => permit();",
		 "the value is not a 64-bit integer as a whole"},
		{"=> add(type=\"n\", value=\" 7\", valueType=\"Integer\"); => permit();",
		 "the value is not a 64-bit integer as a whole"},
		{"=> add(type=\"n\", value=\"yes\", valueType=\"Boolean\"); => permit();", "the value is not \"true\" or \"false\""},
		{"=> add(type=\"n\", value=1, valueType=\"Boolean\"); => permit();", "the value is an Integer, valueType says Boolean"},
		{"=> add(type=\"n\", value=\"1\", valueType=\"Float\"); => permit();",
		 "valueType must be \"String\", \"Integer\" or \"Boolean\""},
	};
	static const char *const at_run[][2] = {
		{"[type==\"x-ms-sgx-is-debuggable\", value!=JsonToClaimValue(\"\\\"false\\\"\")] => permit();",
		 "line 1, column 72: claim x-ms-sgx-is-debuggable is a Boolean, compared with a String"},
		{"=> add(type=\"custom\", value=1); [type==\"custom\", value==\"1\"] => deny(); => permit();",
		 "claim custom is an Integer, compared with a String"},
		{"=> add(type=\"custom\", value=1); [type==\"custom\", value!=\"1\"] => permit();",
		 "claim custom is an Integer, compared with a String"},
		{"=> add(type=\"custom\", value=1); [type==\"custom\", value<JsonToClaimValue(\"\\\"5\\\"\")] => permit();",
		 "claim custom is an Integer, compared with a String"},
		{"=> add(type=\"custom\", value=\"a\"); [type==\"custom\", value<5] => deny(); => permit();",
		 "claim custom is a String, compared with an Integer"},
		{"c:[type==\"x-ms-sgx-mrsigner\"] => add(type=\"n\", value=c.value, valueType=\"Integer\");"
		 " [type==\"n\", value==0] => deny(); => permit();",
		 "rule at line 1: valueType=\"Integer\": the value is not a 64-bit integer as a whole"},
		{"c:[type==\"x-ms-sgx-svn\"] => add(type=\"n\", value=c.value, valueType=\"Boolean\"); => permit();",
		 "valueType=\"Boolean\": the value is an Integer"},
	};
	char pol[1024];
	for (size_t i = 0; i < sizeof(at_compile) / sizeof(at_compile[0]); i++) {
		snprintf(pol, sizeof(pol), "version=1.2;authorizationrules{%s};", at_compile[i][0]);
		compile_err(pol, at_compile[i][1]);
	}
	for (size_t i = 0; i < sizeof(at_run) / sizeof(at_run[0]); i++) {
		snprintf(pol, sizeof(pol), "version=1.2;authorizationrules{%s};", at_run[i][0]);
		CT_RESULT(run(pol, false, 2, &out, &props, err), CELLA_ERR_BAD_FORMAT);
		if (!strstr(err, at_run[i][1]))
			cella_test_fail(__FILE__, __LINE__, "%s: error '%s' lacks '%s'", at_run[i][0], err, at_run[i][1]);
		attestd_claims_fini(&out);
		attestd_claims_fini(&props);
	}
	/* the same types compare as before, and a scan over every claim skips the other types */
	CT_RESULT(run("version=1.2;authorizationrules{[type==\"x-ms-sgx-is-debuggable\", value!=false] => deny();"
		      " [value==2] && [value==\"sgx\"] => permit();};",
		      false, 2, &out, &props, err),
		  CELLA_OK);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	CT_RESULT(run("version=1.2;authorizationrules{=> add(type=\"n\", value=\"-5\", valueType=\"integer\");"
		      " [type==\"n\", value < 0] => permit();};",
		      false, 2, &out, &props, err),
		  CELLA_OK);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	cella_test_pass("types: a comparison of two types and an impossible valueType are errors, not false");
}

/* Strings and expressions count too: a chain of rules doubling a string stops at the value limit (it once took
 * gigabytes), and an expression of many nodes over a small join stops at the work bound. */
static void test_value_bounds(void)
{
	char *p = malloc(8192), *q;
	size_t k = 0;
	struct attestd_claims in, out, props;
	struct attestd_policy *pol;
	char err[ATTESTD_ERR_BYTES];
	CT_ASSERT(p);
	k += (size_t)snprintf(p + k, 8192 - k, "version=1.2;authorizationrules{=> add(type=\"s0\", value=\"0123456789abcdef\");");
	for (int i = 0; i < 30; i++)
		k += (size_t)snprintf(p + k, 8192 - k,
				      "c:[type==\"s%d\"] => add(type=\"s%d\", value=AppendString(c.value, c.value));", i,
				      i + 1);
	snprintf(p + k, 8192 - k, "=> permit();};");
	pol = compile_ok(p);
	attestd_claims_init(&in);
	attestd_claims_init(&out);
	attestd_claims_init(&props);
	CT_RESULT(attestd_policy_evaluate(pol, &in, &out, &props, err), CELLA_ERR_TOO_LARGE);
	CT_ASSERT(strstr(err, "65536-byte limit") != NULL);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	attestd_policy_free(pol);

	/* 20 claims, a three-way join (8,000 bindings), and a comparison with a 40-deep expression in each */
	k = (size_t)snprintf(p, 8192, "version=1.2;authorizationrules{a:[type==\"x\"] && b:[type==\"x\"] && "
				      "c:[type==\"x\", value==");
	for (int i = 0; i < 40; i++)
		k += (size_t)snprintf(p + k, 8192 - k, "AppendString(");
	k += (size_t)snprintf(p + k, 8192 - k, "a.value");
	for (int i = 0; i < 40; i++)
		k += (size_t)snprintf(p + k, 8192 - k, ", b.value)");
	snprintf(p + k, 8192 - k, "] => permit();};");
	q = p;
	pol = compile_ok(q);
	for (int i = 0; i < 20; i++)
		CT_RESULT(attestd_claims_add_str(&in, "x", "v"), CELLA_OK);
	attestd_claims_init(&out);
	attestd_claims_init(&props);
	CT_RESULT(attestd_policy_evaluate(pol, &in, &out, &props, err), CELLA_ERR_TOO_LARGE);
	CT_ASSERT(strstr(err, "work bound") != NULL);
	attestd_claims_fini(&in);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	attestd_policy_free(pol);
	free(p);
	cella_test_pass("policy strings are bounded (64 KiB) and every expression node counts toward the work bound");
}

/* A JSON argument parsed once is kept for the rest of the evaluation (a claim's value queried by several rules):
 * ten claims whose texts have one length and differ in one byte, each queried by two rules, then the first again
 * after the memo is full. Each answer must be its own claim's, whichever were kept. */
static void test_json_memo(void)
{
	static const char pad[] = "0123456789012345678901234567890123456789012345678901234567890123";
	char *text = malloc(16384), val[160], type[16];
	size_t n = 0;
	struct attestd_claims in, out, props;
	struct attestd_policy *p;
	char err[ATTESTD_ERR_BYTES];
	attestd_claims_init(&in);
	attestd_claims_init(&out);
	attestd_claims_init(&props);
	n += (size_t)snprintf(text + n, 16384 - n, "version=1.2;authorizationrules{=> permit();};issuancerules{\n");
	for (int i = 0; i < 10; i++) {
		n += (size_t)snprintf(text + n, 16384 - n,
				      " c:[type==\"rt%d\"] => issue(type=\"a%d\", value=JsonToClaimValue(JmesPath(c.value, "
				      "\"region\")));\n c:[type==\"rt%d\"] => issue(type=\"b%d\", value=JmesPath(c.value, "
				      "\"[region, length(pad)]\"));\n",
				      i, i, i, i);
		snprintf(type, sizeof(type), "rt%d", i);
		snprintf(val, sizeof(val), "{\"region\":\"r%d\",\"pad\":\"%s\"}", i, pad);
		CT_RESULT(attestd_claims_add_str(&in, type, val), CELLA_OK);
	}
	snprintf(text + n, 16384 - n, " c:[type==\"rt0\"] => issue(type=\"z\", value=JsonToClaimValue(JmesPath("
				       "c.value, \"region\")));\n};");
	p = compile_ok(text);
	CT_RESULT(attestd_policy_evaluate(p, &in, &out, &props, err), CELLA_OK);
	CT_EQ(out.n, 21u);
	for (int i = 0; i < 20; i++) {
		const struct attestd_claim *c;
		char want[32];
		snprintf(type, sizeof(type), "%c%d", i < 10 ? 'a' : 'b', i % 10);
		snprintf(want, sizeof(want), i < 10 ? "r%d" : "[\"r%d\",64]", i % 10);
		c = attestd_claims_find(&out, type);
		CT_ASSERT(c && c->v.vt == ATTESTD_V_STRING);
		if (strcmp(c->v.s, want) != 0)
			cella_test_fail(__FILE__, __LINE__, "claim %s is %s, expected %s", type, c->v.s, want);
	}
	CT_ASSERT(attestd_claims_find(&out, "z") && !strcmp(attestd_claims_find(&out, "z")->v.s, "r0"));
	attestd_claims_fini(&in);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	attestd_policy_free(p);
	free(text);
	cella_test_pass("a JSON argument parsed once per evaluation: ten claims of one length, each answered as its own");
}

/* One compiled policy evaluated by several threads at once, as the service's workers evaluate a stored policy: its
 * literal JSON arguments and its queries' literals are compiled once and shared, and every evaluation gets the same
 * claims. Under ThreadSanitizer (-DCELLA_SANITIZE_THREAD=ON) this is the check that sharing them is not a race
 * (a json_incref of a shared literal from two threads was one). */
static const char shared_policy[] =
	"version=1.2;authorizationrules{\n"
	" c:[type==\"x-ms-runtime\"] => add(type=\"rsa\", value=JsonToClaimValue(JmesPath(c.value, "
	"\"length(keys[?kty == `\\\"RSA\\\"` && e == `\\\"AQAB\\\"`])\")));\n"
	" [type==\"rsa\", value==0] => deny();\n"
	" c:[type==\"x-ms-sgx-is-debuggable\", value==false] => permit();\n};\n"
	"issuancerules{\n"
	" c:[type==\"x-ms-runtime\"] => issue(type=\"kid\", value=JsonToClaimValue(JmesPath(c.value, "
	"\"keys[?kty == `\\\"RSA\\\"`] | [0].kid\")));\n"
	" c:[type==\"x-ms-runtime\"] => issue(type=\"region\", value=JsonToClaimValue(JmesPath(c.value, "
	"\"contains(`[\\\"eastus\\\",\\\"westeurope\\\"]`, region)\")));\n"
	" c:[type==\"x-ms-runtime\"] => issue(type=\"features\", value=JmesPath(c.value, "
	"\"merge(`{\\\"audit\\\":false,\\\"debug\\\":false}`, features)\"));\n"
	" => issue(type=\"lit\", value=JmesPath(\"{\\\"t\\\":[1,{\\\"u\\\":\\\"v\\\"}]}\", \"[t, `[2,{\\\"w\\\":null}]`]\"));\n"
	" => issue(type=\"tier\", value=JsonToClaimValue(JmesPath(\"{\\\"tier\\\":\\\"prod\\\"}\", \"tier\")));\n"
	" => issue(type=\"sub\", value=IsSubsetOf(\"[1,2]\", \"[3,2,1]\"));\n"
	" => issue(type=\"only\", value=ContainsOnlyValue(\"[\\\"a\\\",\\\"a\\\"]\", \"a\"));\n"
	" => issue(type=\"n\", value=JsonToClaimValue(\"42\"));\n};";

static const char shared_runtime[] =
	"{\"keys\":[{\"kid\":\"EcKey\",\"kty\":\"EC\"},{\"kid\":\"RsaKey\",\"kty\":\"RSA\",\"e\":\"AQAB\"}],"
	"\"region\":\"westeurope\",\"features\":{\"audit\":true}}";

/* Evaluates the shared policy once; 0 when every claim is what it should be, else the number of the first wrong. */
static int shared_once(const struct attestd_policy *p)
{
	static const char *const want[][2] = {
		{"kid", "\"RsaKey\""},
		{"region", "true"},
		{"features", "\"{\\\"audit\\\":true,\\\"debug\\\":false}\""},
		{"lit", "\"[[1,{\\\"u\\\":\\\"v\\\"}],[2,{\\\"w\\\":null}]]\""},
		{"tier", "\"prod\""},
		{"sub", "true"},
		{"only", "true"},
		{"n", "42"},
	};
	struct attestd_claims in, out, props;
	char err[ATTESTD_ERR_BYTES];
	int bad = 0;
	attestd_claims_init(&in);
	attestd_claims_init(&out);
	attestd_claims_init(&props);
	if (attestd_claims_add_bool(&in, "x-ms-sgx-is-debuggable", false) != CELLA_OK ||
	    attestd_claims_add_str(&in, "x-ms-runtime", shared_runtime) != CELLA_OK ||
	    attestd_policy_evaluate(p, &in, &out, &props, err) != CELLA_OK || out.n != 8)
		bad = 99;
	for (size_t i = 0; !bad && i < sizeof(want) / sizeof(want[0]); i++) {
		const struct attestd_claim *c = attestd_claims_find(&out, want[i][0]);
		json_t *j = c ? attestd_value_json(&c->v) : NULL;
		char *txt = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		if (!txt || strcmp(txt, want[i][1]) != 0)
			bad = (int)i + 1;
		free(txt);
		json_decref(j);
	}
	attestd_claims_fini(&in);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	return bad;
}

struct shared_arg {
	const struct attestd_policy *p;
	int bad;
};

static void *shared_thread(void *v)
{
	struct shared_arg *a = v;
	for (int i = 0; i < 200 && !a->bad; i++)
		a->bad = shared_once(a->p);
	return NULL;
}

static void test_shared_policy_threads(void)
{
	struct attestd_policy *p = compile_ok(shared_policy);
	struct shared_arg a[8];
	pthread_t t[8];
	CT_EQ(shared_once(p), 0);
	CT_EQ(shared_once(p), 0); /* the second evaluation sees the literals the first used, unchanged */
	for (int i = 0; i < 8; i++) {
		a[i].p = p;
		a[i].bad = 0;
		CT_ASSERT(pthread_create(&t[i], NULL, shared_thread, &a[i]) == 0);
	}
	for (int i = 0; i < 8; i++) {
		CT_ASSERT(pthread_join(t[i], NULL) == 0);
		CT_EQ(a[i].bad, 0);
	}
	attestd_policy_free(p);
	cella_test_pass("one compiled policy (literal JSON, queries with literals) evaluated by 8 threads at once");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		cella_test_fail(__FILE__, __LINE__, "usage: attestd_policy_test VECTORS_DIR");
	vec = argv[1];
	test_defaults();
	test_documented_examples();
	test_semantics();
	test_errors();
	test_bounds();
	test_value_bounds();
	test_jmespath_long_name();
	test_jmespath();
	test_function_failures();
	test_types();
	test_json_memo();
	test_shared_policy_threads();
	return 0;
}
