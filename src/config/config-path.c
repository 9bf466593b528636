/* config-path.c: the file system paths of the configuration: the home
 * directory, the XDG base directories, and '~' in path values. */
#include "config/config-private.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

char *config_path_home(void)
{
	const char *h = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (h != NULL && h[0] != '\0')
		return xstrdup(h);
	/* getpwuid_r: the sync thread may load a configuration too. */
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) != 0 ||
	    res == NULL || pw.pw_dir == NULL || pw.pw_dir[0] == '\0')
		return NULL;
	return xstrdup(pw.pw_dir);
}

char *config_path_xdg(const char *var, const char *home, const char *fallback)
{
	const char *v = getenv(var);

	/* The XDG base directory spec: a relative value is invalid and is
	 * ignored, like an empty one. */
	if (v != NULL && v[0] == '/')
		return xstrdup(v);
	if (home == NULL)
		return NULL;
	return xasprintf("%s/%s", home, fallback);
}

int config_path_expand(const char *path, const char *home, char **out_r,
                       const struct config_where *w, struct pt_error *err)
{
	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/')) {
		*out_r = xstrdup(path);
		return 0;
	}
	if (home == NULL)
		return config_error_at(err, w->file, w->line,
		                       _("cannot expand '~': no home directory "
		                         "(set HOME)"));
	*out_r = xasprintf("%s%s", home, path + 1);
	return 0;
}

char *config_path_abbrev(const char *path, const char *home)
{
	size_t n = home != NULL ? strlen(home) : 0;

	while (n > 1 && home[n - 1] == '/')
		n--;
	if (n <= 1 || strncmp(path, home, n) != 0 || path[n] != '/')
		return xstrdup(path);
	return xasprintf("~%s", path + n);
}
