-- Certificates (微专业认证): rules per program, issued credentials bound to
-- their holders, Bitstring Status Lists, resumes and batch jobs.

CREATE TABLE certification_rules (
	program_id          BIGINT PRIMARY KEY REFERENCES programs (id) ON DELETE CASCADE,
	min_project_percent INTEGER NOT NULL,
	min_average_percent INTEGER NOT NULL,
	validity_months     INTEGER NOT NULL,
	auto_issue          BOOLEAN NOT NULL,
	updated_by          BIGINT REFERENCES users (id),
	updated_at          {{ts}} NOT NULL
);

CREATE TABLE status_lists (
	id         TEXT PRIMARY KEY,
	url        TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	issuer_did TEXT NOT NULL,
	data       {{blob}} NOT NULL,
	in_use     INTEGER NOT NULL,
	capacity   INTEGER NOT NULL,
	version    BIGINT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX status_lists_current ON status_lists (purpose, issuer_did, created_at);

CREATE TABLE certificates (
	id               TEXT PRIMARY KEY,
	user_id          BIGINT NOT NULL REFERENCES users (id),
	program_id       BIGINT NOT NULL REFERENCES programs (id),
	holder_name      TEXT NOT NULL,
	issuer_did       TEXT NOT NULL,
	status           TEXT NOT NULL,
	issued_at        {{ts}} NOT NULL,
	valid_until      {{ts}},
	revoked_at       {{ts}},
	suspended_at     {{ts}},
	reason           TEXT NOT NULL DEFAULT '',
	revocation_list  TEXT NOT NULL REFERENCES status_lists (id),
	revocation_index INTEGER NOT NULL,
	suspension_list  TEXT NOT NULL REFERENCES status_lists (id),
	suspension_index INTEGER NOT NULL,
	in_resume        BOOLEAN NOT NULL DEFAULT TRUE,
	credential_json  TEXT NOT NULL,
	issued_by        BIGINT REFERENCES users (id),
	UNIQUE (user_id, program_id),
	UNIQUE (revocation_list, revocation_index),
	UNIQUE (suspension_list, suspension_index)
);
CREATE INDEX certificates_program ON certificates (program_id, status);

-- Every status change of a certificate, with who made it and why.
CREATE TABLE certificate_events (
	id             {{pk}},
	certificate_id TEXT NOT NULL REFERENCES certificates (id),
	status         TEXT NOT NULL,
	reason         TEXT NOT NULL DEFAULT '',
	actor_id       BIGINT REFERENCES users (id),
	at             {{ts}} NOT NULL
);

CREATE TABLE resumes (
	user_id    BIGINT PRIMARY KEY REFERENCES users (id),
	headline   TEXT NOT NULL DEFAULT '',
	summary    TEXT NOT NULL DEFAULT '',
	city       TEXT NOT NULL DEFAULT '',
	shared     BOOLEAN NOT NULL DEFAULT FALSE,
	share_slug TEXT UNIQUE,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE batch_jobs (
	id          {{pk}},
	kind        TEXT NOT NULL,
	subject     TEXT NOT NULL,
	total       INTEGER NOT NULL,
	done        INTEGER NOT NULL DEFAULT 0,
	failed      INTEGER NOT NULL DEFAULT 0,
	status      TEXT NOT NULL,
	message     TEXT NOT NULL DEFAULT '',
	started_at  {{ts}} NOT NULL,
	finished_at {{ts}}
);
