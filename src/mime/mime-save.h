/* mime-save.h: saving attachments without letting a message choose where.
 *
 * A file name from a message is hostile input: it may hold directories,
 * "..", control characters, bidi overrides or a leading dot that hides
 * the file. mime_safe_filename() reduces it to a plain, visible name, and
 * mime_save_attachment() creates the file only inside the given directory
 * and never overwrites anything (O_CREAT|O_EXCL|O_NOFOLLOW; a numeric
 * suffix is added instead: name-1.ext, name-2.ext, ...). Reentrant. */
#ifndef PETREL_MIME_SAVE_H
#define PETREL_MIME_SAVE_H

#include "common/buf.h"
#include "common/error.h"
#include "mime/mime-render.h"

/* Longest name written, in bytes (the extension is kept when cutting). */
#define MIME_MAX_FILENAME 200
/* Suffixes tried before giving up. */
#define MIME_MAX_SUFFIX 9999

/* Append a safe file name for name (UTF-8 or raw bytes, may be NULL) to
 * out: valid UTF-8 without control or bidi characters, only the part after
 * the last '/' or '\', no leading dots or white space, at most
 * MIME_MAX_FILENAME bytes, never empty ("attachment"). */
void mime_safe_filename(const char *name, struct buf *out);
/* Write the decoded attachment into directory dir under the safe form of
 * its name. On success returns 0 and *path_r is the path written (caller
 * frees); on failure -1 with err set (PT_E_DATA: dir unusable or the file
 * could not be written) and nothing left behind. The file is mode 0600
 * (before umask). */
int mime_save_attachment(const struct mime_attachment *att, const char *dir,
                         char **path_r, struct pt_error *err);

#endif
