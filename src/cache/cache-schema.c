/* cache-schema.c: the cache's SQL schema as numbered migrations.
 *
 * PRAGMA user_version holds the number of the last migration applied. On
 * open, every missing migration runs, in order, inside one transaction
 * together with the new user_version: a file is either fully upgraded or
 * left as it was. A file whose version is newer than this program knows is
 * refused rather than touched. Migrations are never edited once released:
 * a change is a new migration.
 *
 * Conventions: UIDs, UIDVALIDITY and UIDNEXT are stored as integers
 * 0..4294967295; mod-sequences as integers 1..2^63-1 with NULL for
 * "unknown" (RFC 7162 §7, C-notes); flags in the canonical text form of
 * cache-flags.h; times in seconds since the epoch, UTC. */
#include "cache/cache-private.h"

#include <stddef.h>
#include <stdio.h>

/* Migration 1: the data model. */
static const char cache_migration_1[] =
        /* One row per mailbox of the last LIST. */
        "CREATE TABLE mailboxes ("
        " id INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL UNIQUE,"
        " raw_name TEXT,"
        " delimiter TEXT,"
        " attrs INTEGER NOT NULL DEFAULT 0,"
        " subscribed INTEGER NOT NULL DEFAULT 0,"
        " uidvalidity INTEGER NOT NULL DEFAULT 0"
        "  CHECK (uidvalidity BETWEEN 0 AND 4294967295),"
        " uidnext INTEGER NOT NULL DEFAULT 0"
        "  CHECK (uidnext BETWEEN 0 AND 4294967295),"
        " highestmodseq INTEGER CHECK (highestmodseq > 0),"
        " modseq_mode INTEGER NOT NULL DEFAULT 0,"
        " last_full_sync INTEGER NOT NULL DEFAULT 0,"
        " synced_uid INTEGER NOT NULL DEFAULT 0);"
        /* Messages: the key is (mailbox_id, uid); id is a stable rowid
         * for the full-text index and the body tables. */
        "CREATE TABLE messages ("
        " id INTEGER PRIMARY KEY,"
        " mailbox_id INTEGER NOT NULL"
        "  REFERENCES mailboxes(id) ON DELETE CASCADE,"
        " uid INTEGER NOT NULL CHECK (uid BETWEEN 1 AND 4294967295),"
        " modseq INTEGER CHECK (modseq > 0),"
        " flags TEXT NOT NULL DEFAULT '',"
        " internaldate INTEGER NOT NULL DEFAULT 0,"
        " size INTEGER NOT NULL DEFAULT 0,"
        " date INTEGER,"
        " from_addr TEXT, to_addr TEXT, cc_addr TEXT, subject TEXT,"
        " message_id TEXT, in_reply_to TEXT, refs TEXT,"
        " bodystructure TEXT,"
        " seen INTEGER GENERATED ALWAYS AS"
        "  (instr(' ' || flags || ' ', ' \\Seen ') > 0) VIRTUAL,"
        " sort_date INTEGER GENERATED ALWAYS AS"
        "  (coalesce(date, internaldate)) VIRTUAL,"
        " UNIQUE (mailbox_id, uid));"
        "CREATE INDEX messages_seen ON messages (mailbox_id, seen);"
        "CREATE INDEX messages_date ON messages (mailbox_id, sort_date, uid);"
        /* Body parts fetched so far (section as in BODY[section]). */
        "CREATE TABLE bodies ("
        " id INTEGER PRIMARY KEY,"
        " message_id INTEGER NOT NULL"
        "  REFERENCES messages(id) ON DELETE CASCADE,"
        " section TEXT NOT NULL,"
        " content BLOB NOT NULL,"
        " fetched INTEGER NOT NULL,"
        " UNIQUE (message_id, section));"
        /* The text extracted from a message's body for search; a row
         * means "text extracted". */
        "CREATE TABLE msg_text ("
        " message_id INTEGER PRIMARY KEY"
        "  REFERENCES messages(id) ON DELETE CASCADE,"
        " body TEXT NOT NULL);"
        /* Flag edits not yet confirmed by the server, keyed by
         * (mailbox, uidvalidity, uid) so a UIDVALIDITY change drops them
         * with one DELETE. id is the queue order. */
        "CREATE TABLE queue ("
        " id INTEGER PRIMARY KEY,"
        " mailbox_id INTEGER NOT NULL"
        "  REFERENCES mailboxes(id) ON DELETE CASCADE,"
        " uidvalidity INTEGER NOT NULL,"
        " uid INTEGER NOT NULL,"
        " add_flags TEXT NOT NULL DEFAULT '',"
        " remove_flags TEXT NOT NULL DEFAULT '',"
        " base_modseq INTEGER NOT NULL DEFAULT 0,"
        " created INTEGER NOT NULL,"
        " state INTEGER NOT NULL DEFAULT 0,"
        " rev INTEGER NOT NULL DEFAULT 0,"
        " UNIQUE (mailbox_id, uidvalidity, uid));";

/* Migration 2: the full-text index, an external-content FTS5 table over a
 * view of the messages and their body text (so the text is stored once).
 * Triggers keep it current with messages; body text changes go through
 * cache_fts_set_text(). An upgraded file is indexed by 'rebuild'. */
static const char cache_migration_2[] =
        "CREATE VIEW msg_fts_src AS"
        " SELECT m.id AS id, m.from_addr AS \"from\", m.to_addr AS \"to\","
        "  m.cc_addr AS cc, m.subject AS subject, t.body AS body"
        " FROM messages m LEFT JOIN msg_text t ON t.message_id = m.id;"
        "CREATE VIRTUAL TABLE msg_fts USING fts5("
        " \"from\", \"to\", cc, subject, body,"
        " content = 'msg_fts_src', content_rowid = 'id',"
        " tokenize = 'unicode61 remove_diacritics 2');"
        "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN"
        " INSERT INTO msg_fts (rowid, \"from\", \"to\", cc, subject, body)"
        "  VALUES (new.id, new.from_addr, new.to_addr, new.cc_addr,"
        "   new.subject, NULL);"
        " END;"
        /* BEFORE: the body text (deleted by cascade) is still there. */
        "CREATE TRIGGER messages_fts_bd BEFORE DELETE ON messages BEGIN"
        " INSERT INTO msg_fts (msg_fts, rowid, \"from\", \"to\", cc,"
        "  subject, body)"
        "  VALUES ('delete', old.id, old.from_addr, old.to_addr,"
        "   old.cc_addr, old.subject,"
        "   (SELECT body FROM msg_text WHERE message_id = old.id));"
        " END;"
        "CREATE TRIGGER messages_fts_au"
        " AFTER UPDATE OF from_addr, to_addr, cc_addr, subject ON messages"
        " WHEN old.from_addr IS NOT new.from_addr"
        "  OR old.to_addr IS NOT new.to_addr"
        "  OR old.cc_addr IS NOT new.cc_addr"
        "  OR old.subject IS NOT new.subject BEGIN"
        " INSERT INTO msg_fts (msg_fts, rowid, \"from\", \"to\", cc,"
        "  subject, body)"
        "  VALUES ('delete', old.id, old.from_addr, old.to_addr,"
        "   old.cc_addr, old.subject,"
        "   (SELECT body FROM msg_text WHERE message_id = old.id));"
        " INSERT INTO msg_fts (rowid, \"from\", \"to\", cc, subject, body)"
        "  VALUES (new.id, new.from_addr, new.to_addr, new.cc_addr,"
        "   new.subject,"
        "   (SELECT body FROM msg_text WHERE message_id = new.id));"
        " END;"
        "INSERT INTO msg_fts (msg_fts) VALUES ('rebuild');";

/* Migration 3: which \Deleted flags petrel itself set, so that an
 * expunge removes only the user's own messages (UID EXPUNGE), never
 * those another device marked \Deleted (DESIGN.md). */
static const char cache_migration_3[] =
        "ALTER TABLE messages ADD COLUMN own_deleted INTEGER NOT NULL"
        " DEFAULT 0;";

/* Migration 4: the triggers no longer write to the FTS5 table row by row.
 * FTS5 writes its pending index data out at every savepoint, and an
 * INSERT with a trigger into a virtual table opens one per row: a sync of
 * 10,000 messages spent half its time there. The triggers now queue the
 * changes (with the values to index or to remove) in fts_todo, and
 * cache_fts_flush() applies them in order with one statement before each
 * commit. */
static const char cache_migration_4[] =
        "CREATE TABLE fts_todo ("
        " seq INTEGER PRIMARY KEY,"
        " op TEXT NOT NULL," /* 'i' add, 'd' remove */
        " id INTEGER NOT NULL,"
        " f TEXT, t TEXT, c TEXT, s TEXT, b TEXT);"
        "DROP TRIGGER messages_fts_ai;"
        "DROP TRIGGER messages_fts_bd;"
        "DROP TRIGGER messages_fts_au;"
        "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN"
        " INSERT INTO fts_todo (op, id, f, t, c, s, b)"
        "  VALUES ('i', new.id, new.from_addr, new.to_addr, new.cc_addr,"
        "   new.subject, NULL);"
        " END;"
        "CREATE TRIGGER messages_fts_bd BEFORE DELETE ON messages BEGIN"
        " INSERT INTO fts_todo (op, id, f, t, c, s, b)"
        "  VALUES ('d', old.id, old.from_addr, old.to_addr, old.cc_addr,"
        "   old.subject,"
        "   (SELECT body FROM msg_text WHERE message_id = old.id));"
        " END;"
        "CREATE TRIGGER messages_fts_au"
        " AFTER UPDATE OF from_addr, to_addr, cc_addr, subject ON messages"
        " WHEN old.from_addr IS NOT new.from_addr"
        "  OR old.to_addr IS NOT new.to_addr"
        "  OR old.cc_addr IS NOT new.cc_addr"
        "  OR old.subject IS NOT new.subject BEGIN"
        " INSERT INTO fts_todo (op, id, f, t, c, s, b)"
        "  VALUES ('d', old.id, old.from_addr, old.to_addr, old.cc_addr,"
        "   old.subject,"
        "   (SELECT body FROM msg_text WHERE message_id = old.id));"
        " INSERT INTO fts_todo (op, id, f, t, c, s, b)"
        "  VALUES ('i', new.id, new.from_addr, new.to_addr, new.cc_addr,"
        "   new.subject,"
        "   (SELECT body FROM msg_text WHERE message_id = new.id));"
        " END;";

/* Migration 5: queue ids are never reused (AUTOINCREMENT). The sync
 * engine confirms an edit by (id, rev); with a reused id, a row queued
 * again after the user cancelled the first one while its STORE was on the
 * way could be taken for the confirmed one and removed. */
static const char cache_migration_5[] =
        "CREATE TABLE queue_new ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " mailbox_id INTEGER NOT NULL"
        "  REFERENCES mailboxes(id) ON DELETE CASCADE,"
        " uidvalidity INTEGER NOT NULL,"
        " uid INTEGER NOT NULL,"
        " add_flags TEXT NOT NULL DEFAULT '',"
        " remove_flags TEXT NOT NULL DEFAULT '',"
        " base_modseq INTEGER NOT NULL DEFAULT 0,"
        " created INTEGER NOT NULL,"
        " state INTEGER NOT NULL DEFAULT 0,"
        " rev INTEGER NOT NULL DEFAULT 0,"
        " UNIQUE (mailbox_id, uidvalidity, uid));"
        "INSERT INTO queue_new SELECT id, mailbox_id, uidvalidity, uid,"
        " add_flags, remove_flags, base_modseq, created, state, rev"
        " FROM queue;"
        "DROP TABLE queue;"
        "ALTER TABLE queue_new RENAME TO queue;";

/* Migration 6: the thread order (cache-thread.c). thread_pos numbers a
 * mailbox's messages in thread order, highest first (so that a new
 * thread on top leaves the other rows' numbers as they were); thread_depth
 * and thread_tree give the tree drawing. Any change that can move a
 * message in its thread (a message added or removed, a changed id, date
 * or reference) marks the mailbox thread_dirty, and the next thread read
 * recomputes the order in a write transaction. */
static const char cache_migration_6[] =
        "ALTER TABLE messages ADD COLUMN thread_pos INTEGER;"
        "ALTER TABLE messages ADD COLUMN thread_depth INTEGER NOT NULL"
        " DEFAULT 0;"
        "ALTER TABLE messages ADD COLUMN thread_tree TEXT;"
        "ALTER TABLE mailboxes ADD COLUMN thread_dirty INTEGER NOT NULL"
        " DEFAULT 1;"
        "CREATE INDEX messages_thread ON messages (mailbox_id, thread_pos);"
        "CREATE TRIGGER messages_thread_ai AFTER INSERT ON messages BEGIN"
        " UPDATE mailboxes SET thread_dirty = 1"
        "  WHERE id = new.mailbox_id AND thread_dirty = 0;"
        " END;"
        "CREATE TRIGGER messages_thread_ad AFTER DELETE ON messages BEGIN"
        " UPDATE mailboxes SET thread_dirty = 1"
        "  WHERE id = old.mailbox_id AND thread_dirty = 0;"
        " END;"
        "CREATE TRIGGER messages_thread_au AFTER UPDATE OF message_id,"
        " in_reply_to, refs, date, internaldate ON messages"
        " WHEN old.message_id IS NOT new.message_id"
        "  OR old.in_reply_to IS NOT new.in_reply_to"
        "  OR old.refs IS NOT new.refs OR old.date IS NOT new.date"
        "  OR old.internaldate IS NOT new.internaldate BEGIN"
        " UPDATE mailboxes SET thread_dirty = 1"
        "  WHERE id = new.mailbox_id AND thread_dirty = 0;"
        " END;";

static const char *const cache_migrations[CACHE_SCHEMA_VERSION + 1] = {
        NULL,
        cache_migration_1,
        cache_migration_2,
        cache_migration_3,
        cache_migration_4,
        cache_migration_5,
        cache_migration_6,
};

const char *cache_schema_migration_sql(int v)
{
	if (v < 1 || v > CACHE_SCHEMA_VERSION)
		return NULL;
	return cache_migrations[v];
}

static int cache_schema_read_version(struct cache *c, int *v_r,
                                     struct pt_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return cache_sqlerr(c, err, "schema version");
	rc = cache_step(c, st, "schema version", err);
	if (rc == 1)
		*v_r = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc == 0)
		return pt_error_set(err, PT_E_CACHE,
		                    "cache: no schema version");
	return rc < 0 ? -1 : 0;
}

static int cache_schema_check_newer(struct cache *c, int v,
                                    struct pt_error *err)
{
	if (v <= CACHE_SCHEMA_VERSION && v >= 0)
		return 0;
	return pt_error_set(err, PT_E_CACHE,
	                    "cache %s has schema version %d, newer than this "
	                    "petrel understands (%d); use a newer petrel or "
	                    "remove the cache",
	                    c->path, v, CACHE_SCHEMA_VERSION);
}

/* Apply migrations v+1..latest and the new user_version; the caller holds
 * the transaction. */
static int cache_schema_apply(struct cache *c, int v, struct pt_error *err)
{
	char pragma[64];

	for (v = v + 1; v <= CACHE_SCHEMA_VERSION; v++)
		if (cache_exec(c, cache_migrations[v], err) < 0)
			return -1;
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d",
	         CACHE_SCHEMA_VERSION);
	return cache_exec(c, pragma, err);
}

int cache_schema_migrate(struct cache *c, struct pt_error *err)
{
	int v, from, rc;

	if (cache_schema_read_version(c, &v, err) < 0 ||
	    cache_schema_check_newer(c, v, err) < 0)
		return -1;
	if (v == CACHE_SCHEMA_VERSION)
		return 0;
	if (cache_exec(c, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	/* Another process may have upgraded the file meanwhile. */
	rc = cache_schema_read_version(c, &from, err);
	if (rc == 0)
		rc = cache_schema_check_newer(c, from, err);
	if (rc == 0 && from < CACHE_SCHEMA_VERSION) {
		rc = cache_schema_apply(c, from, err);
		if (rc < 0)
			pt_error_set(
			        err, PT_E_CACHE,
			        "cannot upgrade cache %s from schema %d to "
			        "%d: %s",
			        c->path, from, CACHE_SCHEMA_VERSION,
			        sqlite3_errmsg(c->db));
	}
	if (rc == 0)
		rc = cache_exec(c, "COMMIT", err);
	if (rc < 0)
		cache_rollback(c);
	return rc;
}
