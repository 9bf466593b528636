/* i18n.h: gettext wiring. Mark user-visible strings with _() (translated
 * where used) or N_() (marked for extraction, translated later). */
#ifndef PETREL_I18N_H
#define PETREL_I18N_H

#include "config.h"

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#define textdomain(d) ((void)(d))
#define bindtextdomain(d, dir) ((void)(d), (void)(dir))
#define bind_textdomain_codeset(d, c) ((void)(d), (void)(c))
#endif
#define N_(s) (s)

#endif
