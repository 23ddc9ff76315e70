-- The learning loop: enrolments and orders, income baselines, lesson
-- progress, submissions with files, rubric reviews, skill evidence,
-- completions, questions and answers, notifications and the mail outbox.

CREATE TABLE enrolments (
	id         {{pk}},
	user_id    BIGINT NOT NULL REFERENCES users (id),
	program_id BIGINT NOT NULL REFERENCES programs (id),
	created_at {{ts}} NOT NULL,
	UNIQUE (user_id, program_id)
);
CREATE INDEX enrolments_program ON enrolments (program_id);

CREATE TABLE orders (
	id           {{pk}},
	enrolment_id BIGINT NOT NULL REFERENCES enrolments (id),
	user_id      BIGINT NOT NULL REFERENCES users (id),
	program_id   BIGINT NOT NULL REFERENCES programs (id),
	amount_fen   BIGINT NOT NULL CHECK (amount_fen >= 0),
	currency     TEXT NOT NULL,
	provider     TEXT NOT NULL,
	status       TEXT NOT NULL,
	reference    TEXT NOT NULL DEFAULT '',
	created_at   {{ts}} NOT NULL,
	paid_at      {{ts}},
	refunded_at  {{ts}},
	cancelled_at {{ts}},
	updated_at   {{ts}} NOT NULL
);
CREATE INDEX orders_enrolment ON orders (enrolment_id);
CREATE INDEX orders_status ON orders (status, created_at);

-- Every change of an order's status, who made it and when.
CREATE TABLE order_events (
	id        {{pk}},
	order_id  BIGINT NOT NULL REFERENCES orders (id),
	status    TEXT NOT NULL,
	actor_id  BIGINT REFERENCES users (id),
	reference TEXT NOT NULL DEFAULT '',
	note      TEXT NOT NULL DEFAULT '',
	at        {{ts}} NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Income reports are history: a change adds a row.
CREATE TABLE income_reports (
	id                 {{pk}},
	user_id            BIGINT NOT NULL REFERENCES users (id),
	monthly_income_fen BIGINT CHECK (monthly_income_fen >= 0),
	employment         TEXT NOT NULL,
	source             TEXT NOT NULL,
	enrolment_id       BIGINT REFERENCES enrolments (id),
	reported_at        {{ts}} NOT NULL
);
CREATE INDEX income_reports_user ON income_reports (user_id, reported_at);

CREATE TABLE lesson_completions (
	user_id   BIGINT NOT NULL REFERENCES users (id),
	lesson_id BIGINT NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	done_at   {{ts}} NOT NULL,
	PRIMARY KEY (user_id, lesson_id)
);

CREATE TABLE submissions (
	id              {{pk}},
	project_id      BIGINT NOT NULL REFERENCES projects (id),
	user_id         BIGINT NOT NULL REFERENCES users (id),
	version         INTEGER NOT NULL,
	body            TEXT NOT NULL DEFAULT '',
	repo_url        TEXT NOT NULL DEFAULT '',
	demo_url        TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	idempotency_key TEXT,
	created_at      {{ts}} NOT NULL,
	UNIQUE (project_id, user_id, version),
	UNIQUE (user_id, idempotency_key)
);
CREATE INDEX submissions_status ON submissions (status, created_at);

CREATE TABLE submission_files (
	id            {{pk}},
	submission_id BIGINT NOT NULL REFERENCES submissions (id),
	name          TEXT NOT NULL,
	content_type  TEXT NOT NULL,
	size          BIGINT NOT NULL,
	sha256        TEXT NOT NULL,
	data          {{blob}} NOT NULL
);
CREATE INDEX submission_files_submission ON submission_files (submission_id);

-- A review scores every criterion of the rubric version it used. A later
-- review of the same submission supersedes the earlier one (a correction).
CREATE TABLE reviews (
	id             {{pk}},
	submission_id  BIGINT NOT NULL REFERENCES submissions (id),
	reviewer_id    BIGINT NOT NULL REFERENCES users (id),
	rubric_version INTEGER NOT NULL,
	total          INTEGER NOT NULL,
	max_points     INTEGER NOT NULL,
	pass_mark      INTEGER NOT NULL,
	result         TEXT NOT NULL,
	comment        TEXT NOT NULL DEFAULT '',
	created_at     {{ts}} NOT NULL,
	superseded_at  {{ts}}
);
CREATE INDEX reviews_submission ON reviews (submission_id, id);

CREATE TABLE review_scores (
	review_id     BIGINT NOT NULL REFERENCES reviews (id),
	criterion_key TEXT NOT NULL,
	level_index   INTEGER NOT NULL,
	points        INTEGER NOT NULL,
	comment       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (review_id, criterion_key)
);

-- What a passed review proves. Evidence is withdrawn, not deleted, when a
-- review is corrected.
CREATE TABLE skill_evidence (
	id           {{pk}},
	user_id      BIGINT NOT NULL REFERENCES users (id),
	skill_id     TEXT NOT NULL REFERENCES skills (id),
	level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	project_id   BIGINT NOT NULL REFERENCES projects (id),
	review_id    BIGINT NOT NULL REFERENCES reviews (id),
	created_at   {{ts}} NOT NULL,
	withdrawn_at {{ts}}
);
CREATE INDEX skill_evidence_user ON skill_evidence (user_id, skill_id);

CREATE TABLE course_completions (
	user_id      BIGINT NOT NULL REFERENCES users (id),
	course_id    BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	completed_at {{ts}} NOT NULL,
	PRIMARY KEY (user_id, course_id)
);

CREATE TABLE program_completions (
	user_id      BIGINT NOT NULL REFERENCES users (id),
	program_id   BIGINT NOT NULL REFERENCES programs (id),
	enrolment_id BIGINT NOT NULL REFERENCES enrolments (id),
	completed_at {{ts}} NOT NULL,
	due_at       {{ts}} NOT NULL,
	on_time      BOOLEAN NOT NULL,
	PRIMARY KEY (user_id, program_id)
);

CREATE TABLE questions (
	id                 {{pk}},
	course_id          BIGINT NOT NULL REFERENCES courses (id),
	project_id         BIGINT REFERENCES projects (id),
	user_id            BIGINT NOT NULL REFERENCES users (id),
	title              TEXT NOT NULL,
	body               TEXT NOT NULL,
	accepted_answer_id BIGINT,
	first_answer_at    {{ts}},
	first_instructor_answer_at {{ts}},
	first_instructor_id BIGINT REFERENCES users (id),
	created_at         {{ts}} NOT NULL
);
CREATE INDEX questions_course ON questions (course_id, created_at);

CREATE TABLE answers (
	id          {{pk}},
	question_id BIGINT NOT NULL REFERENCES questions (id),
	user_id     BIGINT NOT NULL REFERENCES users (id),
	body        TEXT NOT NULL,
	by_instructor BOOLEAN NOT NULL,
	created_at  {{ts}} NOT NULL
);
CREATE INDEX answers_question ON answers (question_id, id);

CREATE TABLE notifications (
	id          {{pk}},
	user_id     BIGINT NOT NULL REFERENCES users (id),
	kind        TEXT NOT NULL,
	params_json TEXT NOT NULL,
	link        TEXT NOT NULL,
	read_at     {{ts}},
	created_at  {{ts}} NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

-- Mail to send, written in the same transaction as the event, so no message
-- is lost: a sender job leases rows, sends, and marks them. Delivery is at
-- least once (a crash between the SMTP acceptance and the mark resends with
-- the same Message-ID).
CREATE TABLE outbox (
	id              {{pk}},
	notification_id BIGINT REFERENCES notifications (id),
	to_email        TEXT NOT NULL,
	lang            TEXT NOT NULL,
	kind            TEXT NOT NULL,
	params_json     TEXT NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{ts}} NOT NULL,
	locked_until    {{ts}},
	last_error      TEXT NOT NULL DEFAULT '',
	sent_at         {{ts}},
	created_at      {{ts}} NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
