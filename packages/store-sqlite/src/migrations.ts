// Numbered schema migrations, applied in order inside one transaction; PRAGMA user_version
// records how many have run. Never edit a migration that has shipped: add the next one.
export const MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE instances (
		iid             INTEGER PRIMARY KEY,
		workflow        TEXT    NOT NULL,
		id              TEXT    NOT NULL,
		status          TEXT    NOT NULL,
		params          BLOB    NOT NULL,
		output          BLOB,
		error           TEXT,
		created_at      INTEGER NOT NULL,
		started_at      INTEGER,
		ended_at        INTEGER,
		updated_at      INTEGER NOT NULL,
		generation      INTEGER NOT NULL DEFAULT 0,
		epoch           INTEGER NOT NULL DEFAULT 0,
		-- When the instance is next due: a queued or woken instance (now), a timer, or the expiry
		-- of the lease that holds it (so a crashed holder's instances fall due by themselves).
		-- NULL once terminal or paused.
		wake_at         INTEGER,
		-- 0: woken (timer, event, resume, lease expiry); 1: new. Woken instances are claimed first.
		prio            INTEGER NOT NULL DEFAULT 1,
		signal          INTEGER NOT NULL DEFAULT 0,
		pause_requested INTEGER NOT NULL DEFAULT 0,
		paused_at       INTEGER,
		UNIQUE (workflow, id)
	);
	CREATE INDEX instances_due ON instances (workflow, prio, wake_at) WHERE wake_at IS NOT NULL;
	CREATE INDEX instances_by_created ON instances (workflow, created_at, id);
	CREATE INDEX instances_by_status ON instances (workflow, status, created_at, id);
	CREATE TABLE journal (
		iid        INTEGER NOT NULL,
		generation INTEGER NOT NULL,
		seq        INTEGER NOT NULL,
		at         INTEGER NOT NULL,
		kind       TEXT    NOT NULL,
		key        TEXT,
		data       BLOB    NOT NULL,
		PRIMARY KEY (iid, generation, seq)
	) WITHOUT ROWID;
	CREATE TABLE events (
		iid     INTEGER NOT NULL,
		seq     INTEGER NOT NULL,
		type    TEXT    NOT NULL,
		at      INTEGER NOT NULL,
		payload BLOB    NOT NULL,
		PRIMARY KEY (iid, seq)
	) WITHOUT ROWID;
	`,
	// 2: the version of the workflow code that created each instance, and listing by it; the
	// parent that started an instance as its child (told when it ends), and its children.
	`
	ALTER TABLE instances ADD COLUMN version TEXT;
	CREATE INDEX instances_by_version ON instances (workflow, version, created_at, id) WHERE version IS NOT NULL;
	ALTER TABLE instances ADD COLUMN parent_workflow TEXT;
	ALTER TABLE instances ADD COLUMN parent_id TEXT;
	CREATE INDEX instances_by_parent ON instances (parent_workflow, parent_id) WHERE parent_id IS NOT NULL;
	`,
];
