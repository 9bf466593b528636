/* error.c: error records and their exit statuses. */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>

int pt_error_set(struct pt_error *err, enum pt_ecode code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void pt_error_clear(struct pt_error *err)
{
	if (err != NULL) {
		err->code = PT_E_NONE;
		err->msg[0] = '\0';
	}
}

int pt_error_exit_status(enum pt_ecode code)
{
	switch (code) {
	case PT_E_NONE:
		return 0;
	case PT_E_USAGE:
		return 64;
	case PT_E_DATA:
		return 65;
	case PT_E_NOTFOUND:
		return 66;
	case PT_E_CONN:
	case PT_E_MBOX:
		return 69;
	case PT_E_CONFLICT:
		return 75;
	case PT_E_PROTO:
	case PT_E_MSG:
		return 76;
	case PT_E_AUTH:
	case PT_E_TLS:
		return 77;
	case PT_E_CONFIG:
		return 78;
	case PT_E_CACHE:
	case PT_E_INTERNAL:
		return 70;
	}
	return 70;
}
