/* charset.c: charset labels (WHATWG mapping) and conversion to UTF-8.
 *
 * Mail in the wild labels windows-1252 text as ISO-8859-1 or US-ASCII and
 * GBK text as GB2312; decoding with the superset the WHATWG Encoding
 * Standard prescribes shows curly quotes, the euro sign and rarer
 * ideographs correctly where a strict decoder would drop them. */
#include "mime/charset.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <string.h>

#include "common/text.h"

struct charset_def {
	const char *name;
	/* iconv names to try, most capable first; NULL ends the list */
	const char *iconv[3];
};

enum {
	CS_UTF8,
	CS_1252,
	CS_GB18030,
	CS_SJIS,
	CS_ISO2022JP,
	CS_EUCJP,
	CS_EUCKR,
	CS_BIG5,
	CS_KOI8R,
	CS_KOI8U,
	CS_IBM866,
	CS_MAC,
	CS_MACCYR,
	CS_874,
	CS_UTF16LE,
	CS_UTF16BE,
	CS_UTF7,
	CS_ISO2022KR,
	CS_1250,
	CS_1251,
	CS_1253,
	CS_1254,
	CS_1255,
	CS_1256,
	CS_1257,
	CS_1258,
	CS_8859_2,
	CS_8859_3,
	CS_8859_4,
	CS_8859_5,
	CS_8859_6,
	CS_8859_7,
	CS_8859_8,
	CS_8859_10,
	CS_8859_13,
	CS_8859_14,
	CS_8859_15,
	CS_8859_16,
};

static const struct charset_def charset_defs[] = {
        [CS_UTF8] = {"UTF-8", {NULL}},
        [CS_1252] = {"windows-1252", {NULL}},
        [CS_GB18030] = {"GB18030", {"GB18030", NULL}},
        [CS_SJIS] = {"Shift_JIS", {"CP932", "SHIFT_JIS", NULL}},
        [CS_ISO2022JP] = {"ISO-2022-JP", {"ISO-2022-JP-2", "ISO-2022-JP"}},
        [CS_EUCJP] = {"EUC-JP", {"EUC-JP", NULL}},
        [CS_EUCKR] = {"EUC-KR", {"CP949", "EUC-KR", NULL}},
        [CS_BIG5] = {"Big5", {"BIG5-HKSCS", "BIG5", NULL}},
        [CS_KOI8R] = {"KOI8-R", {"KOI8-R", NULL}},
        [CS_KOI8U] = {"KOI8-U", {"KOI8-U", NULL}},
        [CS_IBM866] = {"IBM866", {"CP866", "IBM866", NULL}},
        [CS_MAC] = {"macintosh", {"MACINTOSH", NULL}},
        [CS_MACCYR] = {"x-mac-cyrillic", {"MAC-CYRILLIC", "MACCYRILLIC"}},
        [CS_874] = {"windows-874", {"CP874", "TIS-620", NULL}},
        [CS_UTF16LE] = {"UTF-16LE", {"UTF-16LE", NULL}},
        [CS_UTF16BE] = {"UTF-16BE", {"UTF-16BE", NULL}},
        [CS_UTF7] = {"UTF-7", {"UTF-7", NULL}},
        [CS_ISO2022KR] = {"ISO-2022-KR", {"ISO-2022-KR", NULL}},
        [CS_1250] = {"windows-1250", {"CP1250", NULL}},
        [CS_1251] = {"windows-1251", {"CP1251", NULL}},
        [CS_1253] = {"windows-1253", {"CP1253", NULL}},
        [CS_1254] = {"windows-1254", {"CP1254", NULL}},
        [CS_1255] = {"windows-1255", {"CP1255", NULL}},
        [CS_1256] = {"windows-1256", {"CP1256", NULL}},
        [CS_1257] = {"windows-1257", {"CP1257", NULL}},
        [CS_1258] = {"windows-1258", {"CP1258", NULL}},
        [CS_8859_2] = {"ISO-8859-2", {"ISO-8859-2", NULL}},
        [CS_8859_3] = {"ISO-8859-3", {"ISO-8859-3", NULL}},
        [CS_8859_4] = {"ISO-8859-4", {"ISO-8859-4", NULL}},
        [CS_8859_5] = {"ISO-8859-5", {"ISO-8859-5", NULL}},
        [CS_8859_6] = {"ISO-8859-6", {"ISO-8859-6", NULL}},
        [CS_8859_7] = {"ISO-8859-7", {"ISO-8859-7", NULL}},
        [CS_8859_8] = {"ISO-8859-8", {"ISO-8859-8", NULL}},
        [CS_8859_10] = {"ISO-8859-10", {"ISO-8859-10", NULL}},
        [CS_8859_13] = {"ISO-8859-13", {"ISO-8859-13", NULL}},
        [CS_8859_14] = {"ISO-8859-14", {"ISO-8859-14", NULL}},
        [CS_8859_15] = {"ISO-8859-15", {"ISO-8859-15", NULL}},
        [CS_8859_16] = {"ISO-8859-16", {"ISO-8859-16", NULL}},
};

/* Labels after normalization (lower case; no space, quote, '-', '_', '.',
 * ':'). From the WHATWG Encoding Standard, plus UTF-7 and ISO-2022-KR,
 * which mail still uses. */
static const struct {
	const char *label;
	int cs;
} charset_labels[] = {
        {"utf8", CS_UTF8},
        {"unicode11utf8", CS_UTF8},
        {"unicode20utf8", CS_UTF8},
        {"xunicode20utf8", CS_UTF8},
        {"ascii", CS_1252},
        {"usascii", CS_1252},
        {"us", CS_1252},
        {"ansix341968", CS_1252},
        {"iso646us", CS_1252},
        {"csascii", CS_1252},
        {"iso88591", CS_1252},
        {"iso885911987", CS_1252},
        {"latin1", CS_1252},
        {"l1", CS_1252},
        {"isoir100", CS_1252},
        {"csisolatin1", CS_1252},
        {"cp819", CS_1252},
        {"ibm819", CS_1252},
        {"cp1252", CS_1252},
        {"windows1252", CS_1252},
        {"xcp1252", CS_1252},
        {"gb2312", CS_GB18030},
        {"gb231280", CS_GB18030},
        {"csgb2312", CS_GB18030},
        {"csgb231280", CS_GB18030},
        {"gbk", CS_GB18030},
        {"xgbk", CS_GB18030},
        {"gb18030", CS_GB18030},
        {"cp936", CS_GB18030},
        {"ms936", CS_GB18030},
        {"windows936", CS_GB18030},
        {"chinese", CS_GB18030},
        {"isoir58", CS_GB18030},
        {"euccn", CS_GB18030},
        {"shiftjis", CS_SJIS},
        {"sjis", CS_SJIS},
        {"xsjis", CS_SJIS},
        {"mskanji", CS_SJIS},
        {"windows31j", CS_SJIS},
        {"csshiftjis", CS_SJIS},
        {"ms932", CS_SJIS},
        {"cp932", CS_SJIS},
        {"iso2022jp", CS_ISO2022JP},
        {"csiso2022jp", CS_ISO2022JP},
        {"eucjp", CS_EUCJP},
        {"xeucjp", CS_EUCJP},
        {"cseucpkdfmtjapanese", CS_EUCJP},
        {"euckr", CS_EUCKR},
        {"cseuckr", CS_EUCKR},
        {"ksc5601", CS_EUCKR},
        {"ksc56011987", CS_EUCKR},
        {"ksc56011989", CS_EUCKR},
        {"isoir149", CS_EUCKR},
        {"korean", CS_EUCKR},
        {"windows949", CS_EUCKR},
        {"cp949", CS_EUCKR},
        {"big5", CS_BIG5},
        {"big5hkscs", CS_BIG5},
        {"cnbig5", CS_BIG5},
        {"csbig5", CS_BIG5},
        {"xxbig5", CS_BIG5},
        {"cp950", CS_BIG5},
        {"koi8r", CS_KOI8R},
        {"koi8", CS_KOI8R},
        {"koi", CS_KOI8R},
        {"cskoi8r", CS_KOI8R},
        {"koi8u", CS_KOI8U},
        {"koi8ru", CS_KOI8U},
        {"ibm866", CS_IBM866},
        {"cp866", CS_IBM866},
        {"866", CS_IBM866},
        {"csibm866", CS_IBM866},
        {"macintosh", CS_MAC},
        {"mac", CS_MAC},
        {"xmacroman", CS_MAC},
        {"csmacintosh", CS_MAC},
        {"xmaccyrillic", CS_MACCYR},
        {"xmacukrainian", CS_MACCYR},
        {"windows874", CS_874},
        {"dos874", CS_874},
        {"tis620", CS_874},
        {"iso885911", CS_874},
        {"utf16", CS_UTF16LE},
        {"utf16le", CS_UTF16LE},
        {"utf16be", CS_UTF16BE},
        {"utf7", CS_UTF7},
        {"unicode11utf7", CS_UTF7},
        {"iso2022kr", CS_ISO2022KR},
        {"csiso2022kr", CS_ISO2022KR},
        {"windows1250", CS_1250},
        {"cp1250", CS_1250},
        {"xcp1250", CS_1250},
        {"windows1251", CS_1251},
        {"cp1251", CS_1251},
        {"xcp1251", CS_1251},
        {"windows1253", CS_1253},
        {"cp1253", CS_1253},
        {"xcp1253", CS_1253},
        {"windows1254", CS_1254},
        {"cp1254", CS_1254},
        {"xcp1254", CS_1254},
        {"iso88599", CS_1254},
        {"latin5", CS_1254},
        {"l5", CS_1254},
        {"windows1255", CS_1255},
        {"cp1255", CS_1255},
        {"xcp1255", CS_1255},
        {"windows1256", CS_1256},
        {"cp1256", CS_1256},
        {"xcp1256", CS_1256},
        {"windows1257", CS_1257},
        {"cp1257", CS_1257},
        {"xcp1257", CS_1257},
        {"windows1258", CS_1258},
        {"cp1258", CS_1258},
        {"xcp1258", CS_1258},
        {"iso88592", CS_8859_2},
        {"latin2", CS_8859_2},
        {"l2", CS_8859_2},
        {"iso88593", CS_8859_3},
        {"latin3", CS_8859_3},
        {"l3", CS_8859_3},
        {"iso88594", CS_8859_4},
        {"latin4", CS_8859_4},
        {"l4", CS_8859_4},
        {"iso88595", CS_8859_5},
        {"cyrillic", CS_8859_5},
        {"iso88596", CS_8859_6},
        {"arabic", CS_8859_6},
        {"iso88597", CS_8859_7},
        {"greek", CS_8859_7},
        {"iso88598", CS_8859_8},
        {"iso88598i", CS_8859_8},
        {"hebrew", CS_8859_8},
        {"iso885910", CS_8859_10},
        {"latin6", CS_8859_10},
        {"l6", CS_8859_10},
        {"iso885913", CS_8859_13},
        {"iso885914", CS_8859_14},
        {"iso885915", CS_8859_15},
        {"latin9", CS_8859_15},
        {"l9", CS_8859_15},
        {"iso885916", CS_8859_16},
};

/* windows-1252 0x80-0x9F; the five unassigned bytes map to the C1
 * controls of the same value, as in WHATWG's index (text_sanitize drops
 * them on output). */
static const uint16_t charset_1252_high[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

#define CHARSET_CACHE_SLOTS 8

static struct {
	const struct charset_def *def;
	iconv_t cd;
	bool busy;
} charset_cache[CHARSET_CACHE_SLOTS];
static pthread_mutex_t charset_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void charset_normalize(const char *label, char *out, size_t size)
{
	size_t n = 0;

	for (; *label != '\0' && n + 1 < size; label++) {
		char c = *label;

		if (strchr(" \t\r\n\"'-_.:", c) != NULL)
			continue;
		out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	out[n] = '\0';
}

static const struct charset_def *charset_lookup(const char *label)
{
	char norm[64];
	size_t i;

	if (label == NULL || strlen(label) >= sizeof(norm))
		return NULL;
	charset_normalize(label, norm, sizeof(norm));
	for (i = 0; i < sizeof(charset_labels) / sizeof(charset_labels[0]); i++)
		if (strcmp(norm, charset_labels[i].label) == 0)
			return &charset_defs[charset_labels[i].cs];
	return NULL;
}

const char *charset_canonical(const char *label)
{
	const struct charset_def *def = charset_lookup(label);

	return def != NULL ? def->name : NULL;
}

static void charset_from_utf8(const char *in, size_t len, struct buf *out)
{
	size_t i = 0, n;
	uint32_t cp;

	buf_reserve(out, len);
	out->data[out->len] = '\0'; /* buf_reserve does not terminate */
	while (i < len) {
		n = text_utf8_decode(in + i, len - i, &cp);
		if (cp == TEXT_REPLACEMENT && n == 1)
			text_utf8_encode(cp, out);
		else
			buf_add(out, in + i, n);
		i += n;
	}
}

static void charset_from_1252(const char *in, size_t len, struct buf *out)
{
	size_t i;

	buf_reserve(out, len);
	out->data[out->len] = '\0'; /* buf_reserve does not terminate */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x80)
			buf_addch(out, (char)c);
		else if (c < 0xA0)
			text_utf8_encode(charset_1252_high[c - 0x80], out);
		else
			text_utf8_encode(c, out);
	}
}

static void charset_from_unknown(const char *in, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)in[i] < 0x80)
			buf_addch(out, in[i]);
		else
			text_utf8_encode(TEXT_REPLACEMENT, out);
	}
}

void charset_raw_to_utf8(const char *in, size_t len, struct buf *out)
{
	if (text_utf8_valid(in, len))
		buf_add(out, in, len);
	else
		charset_from_1252(in, len, out);
}

static iconv_t charset_cache_get(const struct charset_def *def)
{
	iconv_t cd = (iconv_t)-1;
	size_t i;

	pthread_mutex_lock(&charset_cache_lock);
	for (i = 0; i < CHARSET_CACHE_SLOTS; i++) {
		if (charset_cache[i].def == def && !charset_cache[i].busy) {
			charset_cache[i].busy = true;
			cd = charset_cache[i].cd;
			break;
		}
	}
	pthread_mutex_unlock(&charset_cache_lock);
	for (i = 0; cd == (iconv_t)-1 && i < 3 && def->iconv[i] != NULL; i++)
		cd = iconv_open("UTF-8", def->iconv[i]);
	return cd;
}

/* Give a descriptor back: keep it in its slot or a free one, else close
 * it. */
static void charset_cache_put(const struct charset_def *def, iconv_t cd)
{
	size_t i, free_slot = CHARSET_CACHE_SLOTS;

	pthread_mutex_lock(&charset_cache_lock);
	for (i = 0; i < CHARSET_CACHE_SLOTS; i++) {
		if (charset_cache[i].def != NULL && charset_cache[i].cd == cd) {
			charset_cache[i].busy = false;
			pthread_mutex_unlock(&charset_cache_lock);
			return;
		}
		if (charset_cache[i].def == NULL &&
		    free_slot == CHARSET_CACHE_SLOTS)
			free_slot = i;
	}
	if (free_slot < CHARSET_CACHE_SLOTS) {
		charset_cache[free_slot].def = def;
		charset_cache[free_slot].cd = cd;
		charset_cache[free_slot].busy = false;
		cd = (iconv_t)-1;
	}
	pthread_mutex_unlock(&charset_cache_lock);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
}

void charset_cache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&charset_cache_lock);
	for (i = 0; i < CHARSET_CACHE_SLOTS; i++) {
		if (charset_cache[i].def != NULL && !charset_cache[i].busy) {
			iconv_close(charset_cache[i].cd);
			charset_cache[i].def = NULL;
		}
	}
	pthread_mutex_unlock(&charset_cache_lock);
}

/* One iconv() step into out's spare room. Returns false when conversion
 * is over (done, or a truncated sequence at the end). */
static bool charset_iconv_step(iconv_t cd, char **ip, size_t *il,
                               struct buf *out)
{
	char *op;
	size_t ol, r;

	buf_reserve(out, *il * 2 + 16);
	op = out->data + out->len;
	ol = out->cap - out->len - 1;
	r = iconv(cd, ip, il, &op, &ol);
	out->len = (size_t)(op - out->data);
	out->data[out->len] = '\0';
	if (r != (size_t)-1)
		return false;
	if (errno == E2BIG) {
		buf_reserve(out, out->cap);
		return true;
	}
	text_utf8_encode(TEXT_REPLACEMENT, out);
	if (errno != EILSEQ)
		return false; /* EINVAL: incomplete sequence at the end */
	(*ip)++;
	(*il)--;
	return true;
}

static int charset_iconv(const struct charset_def *def, const char *in,
                         size_t len, struct buf *out)
{
	iconv_t cd = charset_cache_get(def);
	char *ip = (char *)in;
	size_t il = len, ol;
	char *op;

	if (cd == (iconv_t)-1) {
		charset_from_unknown(in, len, out);
		return -1;
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	while (il > 0 && charset_iconv_step(cd, &ip, &il, out))
		;
	/* Return a stateful encoding to its initial state. */
	buf_reserve(out, 16);
	op = out->data + out->len;
	ol = out->cap - out->len - 1;
	iconv(cd, NULL, NULL, &op, &ol);
	out->len = (size_t)(op - out->data);
	out->data[out->len] = '\0';
	charset_cache_put(def, cd);
	return 0;
}

int charset_to_utf8(const char *label, const char *in, size_t len,
                    struct buf *out)
{
	const struct charset_def *def;

	if (label == NULL || *label == '\0') {
		charset_raw_to_utf8(in, len, out);
		return 0;
	}
	def = charset_lookup(label);
	if (def == NULL) {
		charset_from_unknown(in, len, out);
		return -1;
	}
	if (def == &charset_defs[CS_UTF8])
		charset_from_utf8(in, len, out);
	else if (def == &charset_defs[CS_1252])
		charset_from_1252(in, len, out);
	else
		return charset_iconv(def, in, len, out);
	return 0;
}
