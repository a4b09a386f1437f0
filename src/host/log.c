// SPDX-License-Identifier: MIT
/* Logging through the application's callback; by default warnings and errors go to stderr. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *level_name(enum cella_log_level l)
{
	switch (l) {
	case CELLA_LOG_ERROR:
		return "error";
	case CELLA_LOG_WARNING:
		return "warning";
	case CELLA_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void cella_log_default(const struct cella_enclave_settings *s, int *level)
{
	const char *env = secure_getenv("CELLA_LOG_LEVEL"); /* not a setuid program's caller's to choose */
	(void)s;
	*level = CELLA_LOG_WARNING;
	if (env && env[0] >= '0' && env[0] <= '4' && env[1] == 0)
		*level = env[0] - '0';
}

void cella_log(const struct cella_enclave *e, enum cella_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int lvl = CELLA_LOG_WARNING;

	if (e && e->s.log == NULL)
		lvl = e->log_level;
	else if (!e)
		cella_log_default(NULL, &lvl);
	if (e && e->s.log == NULL && (int)level > lvl)
		return;
	if (!e && (int)level > lvl)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e && e->s.log)
		e->s.log(e->s.log_ctx, level, msg);
	else
		fprintf(stderr, "cella: %s: %s\n", level_name(level), msg);
}
