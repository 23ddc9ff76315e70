package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"talentloop"
)

// FindChains lists the five industry chains with their published program counts.
func (db *DB) FindChains(ctx context.Context) ([]*talentloop.IndustryChain, error) {
	rows, err := db.query(ctx, `SELECT c.code, c.name_zh, c.name_en, c.description_zh, c.description_en,
		(SELECT COUNT(*) FROM programs p WHERE p.chain = c.code AND p.status = 'published')
		FROM industry_chains c ORDER BY c.position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.IndustryChain
	for rows.Next() {
		c := &talentloop.IndustryChain{}
		if err := rows.Scan(&c.Code, &c.Name.ZH, &c.Name.EN, &c.Description.ZH, &c.Description.EN, &c.Programs); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindSkills lists the taxonomy.
func (db *DB) FindSkills(ctx context.Context) ([]*talentloop.Skill, error) {
	rows, err := db.query(ctx, `SELECT id, name_zh, name_en, category, chain, levels_json FROM skills ORDER BY chain, category, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.Skill
	for rows.Next() {
		s := &talentloop.Skill{}
		var levels string
		if err := rows.Scan(&s.ID, &s.Name.ZH, &s.Name.EN, &s.Category, &s.Chain, &levels); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(levels), &s.Levels); err != nil {
			return nil, fmt.Errorf("skill %s: %w", s.ID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpsertSkills writes taxonomy entries, replacing those with the same id.
func (db *DB) UpsertSkills(ctx context.Context, skills []*talentloop.Skill) error {
	return db.withTx(ctx, func(tx *Tx) error {
		for _, s := range skills {
			if !talentloop.ValidChain(s.Chain) || s.ID == "" || s.Name.ZH == "" {
				return talentloop.Errorf(talentloop.EINVALID, "err.skill_invalid", s.ID)
			}
			levels, _ := json.Marshal(s.Levels)
			if _, err := tx.exec(ctx, `INSERT INTO skills (id, name_zh, name_en, category, chain, levels_json) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, category = excluded.category, chain = excluded.chain, levels_json = excluded.levels_json`,
				s.ID, s.Name.ZH, s.Name.EN, s.Category, s.Chain, string(levels)); err != nil {
				return err
			}
		}
		return nil
	})
}

// skillExists returns a validator over the stored taxonomy.
func (db *DB) skillExists(ctx context.Context) (func(string) bool, error) {
	skills, err := db.FindSkills(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(skills))
	for _, s := range skills {
		known[s.ID] = true
	}
	return func(id string) bool { return known[id] }, nil
}

const programCols = `p.id, p.slug, p.chain, p.title_zh, p.title_en, p.summary_zh, p.summary_en, p.price_fen, p.currency, p.level, p.duration_weeks, p.status, p.occupations_json, p.created_at, p.updated_at`

func scanProgram(row interface{ Scan(...any) error }) (*talentloop.Program, error) {
	p := &talentloop.Program{}
	var occ string
	err := row.Scan(&p.ID, &p.Slug, &p.Chain, &p.Title.ZH, &p.Title.EN, &p.Summary.ZH, &p.Summary.EN, &p.PriceFen, &p.Currency, &p.Level, &p.DurationWeeks, &p.Status, &occ, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
	} else if err != nil {
		return nil, err
	}
	p.Occupations = []talentloop.Occupation{}
	if err := json.Unmarshal([]byte(occ), &p.Occupations); err != nil {
		return nil, fmt.Errorf("program %d occupations: %w", p.ID, err)
	}
	return p, nil
}

// FindPrograms lists programs by chain and search text, newest last by
// chain order; drafts only when asked.
func (db *DB) FindPrograms(ctx context.Context, f talentloop.ProgramFilter) (_ []*talentloop.Program, total int, err error) {
	defer wrapErr(&err, "FindPrograms")
	where, args := []string{"1=1"}, []any{}
	if !f.IncludeDrafts {
		where = append(where, `p.status = 'published'`)
	}
	if f.Chain != "" {
		where = append(where, `p.chain = ?`)
		args = append(args, f.Chain)
	}
	if f.InstructorID > 0 {
		where = append(where, `EXISTS (SELECT 1 FROM courses c JOIN course_instructors ci ON ci.course_id = c.id WHERE c.program_id = p.id AND ci.user_id = ?)`)
		args = append(args, f.InstructorID)
	}
	// Each word must appear in a title or summary, in either language.
	for _, word := range strings.Fields(strings.ToLower(f.Q)) {
		w := "%" + likeEscape(word) + "%"
		where = append(where, `(lower(p.title_zh) LIKE ? ESCAPE '\' OR lower(p.title_en) LIKE ? ESCAPE '\' OR lower(p.summary_zh) LIKE ? ESCAPE '\' OR lower(p.summary_en) LIKE ? ESCAPE '\')`)
		args = append(args, w, w, w, w)
	}
	w := strings.Join(where, " AND ")
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM programs p WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := db.query(ctx, `SELECT `+programCols+` FROM programs p JOIN industry_chains ch ON ch.code = p.chain WHERE `+w+
		` ORDER BY ch.position, p.id LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*talentloop.Program
	byID := map[int64]*talentloop.Program{}
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			return nil, 0, err
		}
		p.Skills = []talentloop.SkillLevel{}
		out = append(out, p)
		byID[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if len(out) > 0 {
		ids := make([]string, len(out))
		for i, p := range out {
			ids[i] = fmt.Sprint(p.ID)
		}
		srows, err := db.query(ctx, `SELECT ps.program_id, ps.skill_id, ps.level, s.name_zh, s.name_en FROM program_skills ps JOIN skills s ON s.id = ps.skill_id
			WHERE ps.program_id IN (`+strings.Join(ids, ",")+`) ORDER BY ps.program_id, ps.level DESC, ps.skill_id`)
		if err != nil {
			return nil, 0, err
		}
		defer srows.Close()
		for srows.Next() {
			var pid int64
			var s talentloop.SkillLevel
			if err := srows.Scan(&pid, &s.SkillID, &s.Level, &s.Name.ZH, &s.Name.EN); err != nil {
				return nil, 0, err
			}
			byID[pid].Skills = append(byID[pid].Skills, s)
		}
		if err := srows.Err(); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func (db *DB) skillLevels(ctx context.Context, table, key string, id int64) ([]talentloop.SkillLevel, error) {
	rows, err := db.query(ctx, `SELECT x.skill_id, x.level, s.name_zh, s.name_en FROM `+table+` x JOIN skills s ON s.id = x.skill_id WHERE x.`+key+` = ? ORDER BY x.level DESC, x.skill_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []talentloop.SkillLevel{}
	for rows.Next() {
		var s talentloop.SkillLevel
		if err := rows.Scan(&s.SkillID, &s.Level, &s.Name.ZH, &s.Name.EN); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindProgramByID returns a program with its courses, lessons, projects and
// instructors.
func (db *DB) FindProgramByID(ctx context.Context, id int64) (_ *talentloop.Program, err error) {
	defer wrapErr(&err, "FindProgramByID(%d)", id)
	p, err := scanProgram(db.queryRow(ctx, `SELECT `+programCols+` FROM programs p WHERE p.id = ?`, id))
	if err != nil {
		return nil, err
	}
	if p.Skills, err = db.skillLevels(ctx, "program_skills", "program_id", id); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id FROM courses WHERE program_id = ? ORDER BY position, id`, id)
	if err != nil {
		return nil, err
	}
	var courseIDs []int64
	for rows.Next() {
		var cid int64
		if err := rows.Scan(&cid); err != nil {
			rows.Close()
			return nil, err
		}
		courseIDs = append(courseIDs, cid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p.Courses = []*talentloop.Course{}
	for _, cid := range courseIDs {
		c, err := db.FindCourseByID(ctx, cid)
		if err != nil {
			return nil, err
		}
		p.Courses = append(p.Courses, c)
	}
	return p, nil
}

func programArgs(p *talentloop.Program) []any {
	occ, _ := json.Marshal(p.Occupations)
	if p.Occupations == nil {
		occ = []byte("[]")
	}
	return []any{p.Slug, p.Chain, p.Title.ZH, p.Title.EN, p.Summary.ZH, p.Summary.EN, p.PriceFen, p.Currency, p.Level, p.DurationWeeks, p.Status, string(occ)}
}

func (tx *Tx) setSkills(ctx context.Context, table, key string, id int64, skills []talentloop.SkillLevel) error {
	if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE `+key+` = ?`, id); err != nil {
		return err
	}
	for _, s := range skills {
		if _, err := tx.exec(ctx, `INSERT INTO `+table+` (`+key+`, skill_id, level) VALUES (?, ?, ?)`, id, s.SkillID, s.Level); err != nil {
			return err
		}
	}
	return nil
}

// CreateProgram validates and stores a new program with its skills.
func (db *DB) CreateProgram(ctx context.Context, actorID int64, p *talentloop.Program) error {
	known, err := db.skillExists(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(known); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		now := db.now()
		id, err := tx.insert(ctx, `INSERT INTO programs (slug, chain, title_zh, title_en, summary_zh, summary_en, price_fen, currency, level, duration_weeks, status, occupations_json, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(programArgs(p), now, now)...)
		if isUnique(err) {
			return &talentloop.Error{Code: talentloop.ECONFLICT, Message: "err.slug_taken", Fields: map[string]string{"slug": "err.slug_taken"}}
		} else if err != nil {
			return err
		}
		p.ID, p.CreatedAt, p.UpdatedAt = id, now, now
		if err := tx.setSkills(ctx, "program_skills", "program_id", id, p.Skills); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "program.create", p.Title.ZH)
	})
}

// UpdateProgram replaces a program's fields and skills.
func (db *DB) UpdateProgram(ctx context.Context, actorID int64, p *talentloop.Program) error {
	known, err := db.skillExists(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(known); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		now := db.now()
		res, err := tx.exec(ctx, `UPDATE programs SET slug = ?, chain = ?, title_zh = ?, title_en = ?, summary_zh = ?, summary_en = ?, price_fen = ?, currency = ?, level = ?, duration_weeks = ?, status = ?, occupations_json = ?, updated_at = ?
			WHERE id = ?`, append(programArgs(p), now, p.ID)...)
		if isUnique(err) {
			return &talentloop.Error{Code: talentloop.ECONFLICT, Message: "err.slug_taken", Fields: map[string]string{"slug": "err.slug_taken"}}
		} else if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
		}
		p.UpdatedAt = now
		if err := tx.setSkills(ctx, "program_skills", "program_id", p.ID, p.Skills); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "program.update", p.Title.ZH)
	})
}

// Counts summarises the catalog for the operator dashboard.
func (db *DB) Counts(ctx context.Context) (*talentloop.CatalogCounts, error) {
	c := &talentloop.CatalogCounts{}
	err := db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM programs),
		(SELECT COUNT(*) FROM programs WHERE status = 'published'),
		(SELECT COUNT(*) FROM courses),
		(SELECT COUNT(*) FROM lessons),
		(SELECT COUNT(*) FROM projects),
		(SELECT COUNT(*) FROM skills),
		(SELECT COUNT(*) FROM companies),
		(SELECT COUNT(*) FROM user_roles WHERE role = 'learner')`).
		Scan(&c.Programs, &c.Published, &c.Courses, &c.Lessons, &c.Projects, &c.Skills, &c.Companies, &c.Learners)
	return c, err
}

// RecentChanges returns the newest audit-trail entries.
func (db *DB) RecentChanges(ctx context.Context, limit int) ([]*talentloop.Change, error) {
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	rows, err := db.query(ctx, `SELECT ch.id, COALESCE(ch.actor_id, 0), COALESCE(u.name, ''), ch.action, ch.subject, ch.at FROM changes ch LEFT JOIN users u ON u.id = ch.actor_id ORDER BY ch.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.Change
	for rows.Next() {
		c := &talentloop.Change{}
		if err := rows.Scan(&c.ID, &c.ActorID, &c.ActorName, &c.Action, &c.Subject, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
