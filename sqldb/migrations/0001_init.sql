-- The foundation: accounts, roles, companies, auth state shared by every app
-- server, the skill taxonomy and the catalog.

CREATE TABLE app_settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE companies (
	id             {{pk}},
	slug           TEXT NOT NULL UNIQUE,
	name_zh        TEXT NOT NULL,
	name_en        TEXT NOT NULL DEFAULT '',
	description_zh TEXT NOT NULL DEFAULT '',
	description_en TEXT NOT NULL DEFAULT '',
	website        TEXT NOT NULL DEFAULT '',
	city           TEXT NOT NULL DEFAULT '',
	created_at     {{ts}} NOT NULL
);

CREATE TABLE users (
	id            {{pk}},
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	lang          TEXT NOT NULL DEFAULT 'zh',
	password_hash TEXT NOT NULL,
	company_id    BIGINT REFERENCES companies (id),
	demo          BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    {{ts}} NOT NULL,
	updated_at    {{ts}} NOT NULL
);

CREATE TABLE user_roles (
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT NOT NULL,
	granted_by BIGINT,
	granted_at {{ts}} NOT NULL,
	PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role, user_id);

CREATE TABLE instructor_profiles (
	user_id  BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	title_zh TEXT NOT NULL DEFAULT '',
	title_en TEXT NOT NULL DEFAULT '',
	bio_zh   TEXT NOT NULL DEFAULT '',
	bio_en   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sessions (
	token_hash   TEXT PRIMARY KEY,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf         TEXT NOT NULL,
	created_at   {{ts}} NOT NULL,
	expires_at   {{ts}} NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id           {{pk}},
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	prefix       TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   {{ts}} NOT NULL,
	last_used_at {{ts}},
	revoked_at   {{ts}}
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE rate_limits (
	key          TEXT PRIMARY KEY,
	window_start {{ts}} NOT NULL,
	hits         INTEGER NOT NULL
);

CREATE TABLE industry_chains (
	code           TEXT PRIMARY KEY,
	position       INTEGER NOT NULL,
	name_zh        TEXT NOT NULL,
	name_en        TEXT NOT NULL,
	description_zh TEXT NOT NULL,
	description_en TEXT NOT NULL
);
INSERT INTO industry_chains (code, position, name_zh, name_en, description_zh, description_en) VALUES
	('it', 1, 'IT', 'IT', '前端、全栈、数据与测试：互联网企业一线岗位所需的工程技能。', 'Front-end, full-stack, data and testing: the engineering skills internet companies hire for.'),
	('games', 2, '游戏', 'Games', '游戏原画、3D 美术与关卡：来自游戏工作室的真实项目。', 'Concept art, 3D art and level design, learned on real projects from game studios.'),
	('visual-art', 3, '视觉美术', 'Visual art', '商业插画、UI/UX 与短视频：可以接单变现的视觉技能。', 'Commercial illustration, UI/UX and short video: visual skills that earn side income.'),
	('sound', 4, '声音', 'Sound', '影视配音、游戏配音与音频后期：声音行业的真实订单。', 'Film and game dubbing and audio post-production, on real orders from the sound industry.'),
	('live-streaming', 5, '直播', 'Live streaming', '直播运营与电商主播：面向直播电商的新职业。', 'Live-stream operations and e-commerce hosting: new occupations of live commerce.');

CREATE TABLE skills (
	id          TEXT PRIMARY KEY,
	name_zh     TEXT NOT NULL,
	name_en     TEXT NOT NULL,
	category    TEXT NOT NULL,
	chain       TEXT NOT NULL REFERENCES industry_chains (code),
	levels_json TEXT NOT NULL
);

CREATE TABLE programs (
	id               {{pk}},
	slug             TEXT NOT NULL UNIQUE,
	chain            TEXT NOT NULL REFERENCES industry_chains (code),
	title_zh         TEXT NOT NULL,
	title_en         TEXT NOT NULL DEFAULT '',
	summary_zh       TEXT NOT NULL DEFAULT '',
	summary_en       TEXT NOT NULL DEFAULT '',
	price_fen        BIGINT NOT NULL CHECK (price_fen >= 0),
	currency         TEXT NOT NULL,
	level            TEXT NOT NULL,
	duration_weeks   INTEGER NOT NULL,
	status           TEXT NOT NULL,
	occupations_json TEXT NOT NULL DEFAULT '[]',
	created_at       {{ts}} NOT NULL,
	updated_at       {{ts}} NOT NULL
);
CREATE INDEX programs_chain ON programs (chain, status);

CREATE TABLE program_skills (
	program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
	skill_id   TEXT NOT NULL REFERENCES skills (id),
	level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	PRIMARY KEY (program_id, skill_id)
);

CREATE TABLE courses (
	id         {{pk}},
	program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	title_zh   TEXT NOT NULL,
	title_en   TEXT NOT NULL DEFAULT '',
	summary_zh TEXT NOT NULL DEFAULT '',
	summary_en TEXT NOT NULL DEFAULT '',
	required   BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX courses_program ON courses (program_id, position);

CREATE TABLE course_instructors (
	course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (course_id, user_id)
);
CREATE INDEX course_instructors_user ON course_instructors (user_id);

CREATE TABLE lessons (
	id         {{pk}},
	course_id  BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	title_zh   TEXT NOT NULL,
	title_en   TEXT NOT NULL DEFAULT '',
	body_zh    TEXT NOT NULL DEFAULT '',
	body_en    TEXT NOT NULL DEFAULT '',
	video_url  TEXT NOT NULL DEFAULT '',
	minutes    INTEGER NOT NULL DEFAULT 0,
	required   BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX lessons_course ON lessons (course_id, position);

CREATE TABLE projects (
	id              {{pk}},
	course_id       BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	position        INTEGER NOT NULL,
	company_id      BIGINT NOT NULL REFERENCES companies (id),
	title_zh        TEXT NOT NULL,
	title_en        TEXT NOT NULL DEFAULT '',
	real_work_zh    TEXT NOT NULL DEFAULT '',
	real_work_en    TEXT NOT NULL DEFAULT '',
	brief_zh        TEXT NOT NULL,
	brief_en        TEXT NOT NULL DEFAULT '',
	deliverables_zh TEXT NOT NULL DEFAULT '',
	deliverables_en TEXT NOT NULL DEFAULT '',
	level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	pass_mark       INTEGER NOT NULL,
	required        BOOLEAN NOT NULL DEFAULT TRUE,
	rubric_version  INTEGER NOT NULL,
	created_at      {{ts}} NOT NULL,
	updated_at      {{ts}} NOT NULL
);
CREATE INDEX projects_course ON projects (course_id, position);
CREATE INDEX projects_company ON projects (company_id);

CREATE TABLE project_skills (
	project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	skill_id   TEXT NOT NULL REFERENCES skills (id),
	level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	PRIMARY KEY (project_id, skill_id)
);

-- Rubrics are versioned: a review records the version it used, and a rubric
-- that has been used is never edited in place.
CREATE TABLE rubrics (
	project_id    BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	version       INTEGER NOT NULL,
	criteria_json TEXT NOT NULL,
	created_at    {{ts}} NOT NULL,
	PRIMARY KEY (project_id, version)
);

CREATE TABLE changes (
	id       {{pk}},
	actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
	action   TEXT NOT NULL,
	subject  TEXT NOT NULL,
	at       {{ts}} NOT NULL
);
CREATE INDEX changes_at ON changes (at);
