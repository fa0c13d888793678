// Numbered schema migrations, run in order by migrate() with search_path set to the store's
// schema, so they name tables without a schema. `weft_migrations` records which have run. Never
// edit a migration that has shipped: add the next one.
export const MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE instances (
		iid             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		workflow        text     NOT NULL,
		id              text     NOT NULL,
		status          text     NOT NULL,
		params          bytea    NOT NULL,
		output          bytea,
		error           text,
		created_at      bigint   NOT NULL,
		started_at      bigint,
		ended_at        bigint,
		updated_at      bigint   NOT NULL,
		generation      integer  NOT NULL DEFAULT 0,
		-- Bumped by every claim and every management write; every write for an activation is
		-- conditional on it (fencing).
		epoch           bigint   NOT NULL DEFAULT 0,
		-- When the instance is next due (ms since the epoch): a queued or woken instance (now), a
		-- timer, or the expiry of the lease that holds it, so a dead holder's instances fall due by
		-- themselves. NULL once terminal or paused.
		wake_at         bigint,
		-- 0: woken (timer, event, resume, lease expiry); 1: new. Woken instances are claimed first.
		prio            smallint NOT NULL DEFAULT 1,
		-- Bumped by sendEvent, resume and restart: "something happened since you were claimed".
		-- Event seqs are the signal value that delivered them.
		signal          bigint   NOT NULL DEFAULT 0,
		pause_requested boolean  NOT NULL DEFAULT false,
		paused_at       bigint,
		UNIQUE (workflow, id)
	);
	CREATE INDEX instances_due ON instances (workflow, prio, wake_at) WHERE wake_at IS NOT NULL;
	CREATE INDEX instances_by_created ON instances (workflow, created_at, id);
	CREATE INDEX instances_by_status ON instances (workflow, status, created_at, id);
	CREATE TABLE journal (
		iid        bigint  NOT NULL,
		generation integer NOT NULL,
		seq        bigint  NOT NULL,
		at         bigint  NOT NULL,
		kind       text    NOT NULL,
		key        text,
		data       bytea   NOT NULL,
		PRIMARY KEY (iid, generation, seq)
	);
	CREATE TABLE events (
		iid     bigint NOT NULL,
		seq     bigint NOT NULL,
		type    text   NOT NULL,
		at      bigint NOT NULL,
		payload bytea  NOT NULL,
		PRIMARY KEY (iid, seq)
	);
	`,
	// 2: the version of the workflow code that created each instance, and listing by it; the
	// parent that started an instance as its child (told when it ends), and its children.
	`
	ALTER TABLE instances ADD COLUMN version text;
	CREATE INDEX instances_by_version ON instances (workflow, version, created_at, id) WHERE version IS NOT NULL;
	ALTER TABLE instances ADD COLUMN parent_workflow text;
	ALTER TABLE instances ADD COLUMN parent_id text;
	CREATE INDEX instances_by_parent ON instances (parent_workflow, parent_id) WHERE parent_id IS NOT NULL;
	`,
	// 3: roles one process holds at a time for a while (the alert notifier), and the finishes of
	// every process per workflow and second (errorRate alerts); see docs/observability.md#alerts.
	`
	CREATE TABLE roles (
		role       text   PRIMARY KEY,
		holder     text   NOT NULL,
		expires_at bigint NOT NULL
	);
	CREATE TABLE finish_counts (
		workflow text    NOT NULL,
		second   bigint  NOT NULL,
		complete integer NOT NULL,
		errored  integer NOT NULL,
		PRIMARY KEY (workflow, second)
	);
	`,
];
