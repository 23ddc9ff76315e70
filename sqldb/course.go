package sqldb

// Courses, lessons and real projects: the parts of a program.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"talentloop"
)

// FindCourseByID returns a course with its lessons, projects and instructors.
func (db *DB) FindCourseByID(ctx context.Context, id int64) (_ *talentloop.Course, err error) {
	defer wrapErr(&err, "FindCourseByID(%d)", id)
	c := &talentloop.Course{}
	err = db.queryRow(ctx, `SELECT id, program_id, position, title_zh, title_en, summary_zh, summary_en, required FROM courses WHERE id = ?`, id).
		Scan(&c.ID, &c.ProgramID, &c.Position, &c.Title.ZH, &c.Title.EN, &c.Summary.ZH, &c.Summary.EN, &c.Required)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.course_not_found")
	} else if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+lessonCols+` FROM lessons WHERE course_id = ? ORDER BY position, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c.Lessons = []*talentloop.Lesson{}
	for rows.Next() {
		l, err := scanLesson(rows)
		if err != nil {
			return nil, err
		}
		c.Lessons = append(c.Lessons, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	prows, err := db.query(ctx, `SELECT id FROM projects WHERE course_id = ? ORDER BY position, id`, id)
	if err != nil {
		return nil, err
	}
	var pids []int64
	for prows.Next() {
		var pid int64
		if err := prows.Scan(&pid); err != nil {
			prows.Close()
			return nil, err
		}
		pids = append(pids, pid)
	}
	prows.Close()
	c.Projects = []*talentloop.Project{}
	for _, pid := range pids {
		p, err := db.FindProjectByID(ctx, pid)
		if err != nil {
			return nil, err
		}
		c.Projects = append(c.Projects, p)
	}
	irows, err := db.query(ctx, instructorSelect+` JOIN course_instructors ci ON ci.user_id = u.id WHERE ci.course_id = ? ORDER BY u.id`, id)
	if err != nil {
		return nil, err
	}
	defer irows.Close()
	c.Instructors = []talentloop.InstructorProfile{}
	for irows.Next() {
		p, err := scanInstructor(irows)
		if err != nil {
			return nil, err
		}
		c.Instructors = append(c.Instructors, *p)
	}
	return c, irows.Err()
}

// nextPosition returns the position after the last child of parent.
func (tx *Tx) nextPosition(ctx context.Context, table, key string, parent int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM `+table+` WHERE `+key+` = ?`, parent).Scan(&n)
	return n, err
}

// CreateCourse adds a course at the end of its program (or at Position).
func (db *DB) CreateCourse(ctx context.Context, actorID int64, c *talentloop.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if c.Position <= 0 {
			pos, err := tx.nextPosition(ctx, "courses", "program_id", c.ProgramID)
			if err != nil {
				return err
			}
			c.Position = pos
		}
		now := db.now()
		id, err := tx.insert(ctx, `INSERT INTO courses (program_id, position, title_zh, title_en, summary_zh, summary_en, required, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ProgramID, c.Position, c.Title.ZH, c.Title.EN, c.Summary.ZH, c.Summary.EN, c.Required, now, now)
		if isForeignKey(err) {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
		} else if err != nil {
			return err
		}
		c.ID = id
		return tx.change(ctx, actorID, "course.create", c.Title.ZH)
	})
}

// UpdateCourse replaces a course's fields.
func (db *DB) UpdateCourse(ctx context.Context, actorID int64, c *talentloop.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		err := tx.execOne(ctx, "err.course_not_found", `UPDATE courses SET position = ?, title_zh = ?, title_en = ?, summary_zh = ?, summary_en = ?, required = ?, updated_at = ? WHERE id = ?`,
			c.Position, c.Title.ZH, c.Title.EN, c.Summary.ZH, c.Summary.EN, c.Required, db.now(), c.ID)
		if err != nil {
			return err
		}
		return tx.change(ctx, actorID, "course.update", c.Title.ZH)
	})
}

// SetCourseInstructors replaces who teaches a course; each must hold the
// instructor role.
func (db *DB) SetCourseInstructors(ctx context.Context, actorID, courseID int64, userIDs []int64) error {
	return db.withTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM courses WHERE id = ?`, courseID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.course_not_found")
		}
		if _, err := tx.exec(ctx, `DELETE FROM course_instructors WHERE course_id = ?`, courseID); err != nil {
			return err
		}
		for _, uid := range userIDs {
			var ok int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND role = 'instructor'`, uid).Scan(&ok); err != nil {
				return err
			}
			if ok == 0 {
				return talentloop.Invalid(map[string]string{"instructors": "err.not_instructor"})
			}
			if _, err := tx.exec(ctx, `INSERT INTO course_instructors (course_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, courseID, uid); err != nil {
				return err
			}
		}
		var title string
		if err := tx.queryRow(ctx, `SELECT title_zh FROM courses WHERE id = ?`, courseID).Scan(&title); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "course.instructors", title)
	})
}

// IsCourseInstructor reports whether a user teaches a course.
func (db *DB) IsCourseInstructor(ctx context.Context, courseID, userID int64) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM course_instructors WHERE course_id = ? AND user_id = ?`, courseID, userID).Scan(&n)
	return n > 0, err
}

const lessonCols = `id, course_id, position, title_zh, title_en, body_zh, body_en, video_url, minutes, required`

func scanLesson(row interface{ Scan(...any) error }) (*talentloop.Lesson, error) {
	l := &talentloop.Lesson{}
	err := row.Scan(&l.ID, &l.CourseID, &l.Position, &l.Title.ZH, &l.Title.EN, &l.Body.ZH, &l.Body.EN, &l.VideoURL, &l.Minutes, &l.Required)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.lesson_not_found")
	}
	return l, err
}

// FindLessonByID returns a lesson or ENOTFOUND.
func (db *DB) FindLessonByID(ctx context.Context, id int64) (*talentloop.Lesson, error) {
	return scanLesson(db.queryRow(ctx, `SELECT `+lessonCols+` FROM lessons WHERE id = ?`, id))
}

// CreateLesson adds a lesson at the end of its course (or at Position).
func (db *DB) CreateLesson(ctx context.Context, actorID int64, l *talentloop.Lesson) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if l.Position <= 0 {
			pos, err := tx.nextPosition(ctx, "lessons", "course_id", l.CourseID)
			if err != nil {
				return err
			}
			l.Position = pos
		}
		now := db.now()
		id, err := tx.insert(ctx, `INSERT INTO lessons (course_id, position, title_zh, title_en, body_zh, body_en, video_url, minutes, required, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			l.CourseID, l.Position, l.Title.ZH, l.Title.EN, l.Body.ZH, l.Body.EN, l.VideoURL, l.Minutes, l.Required, now, now)
		if isForeignKey(err) {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.course_not_found")
		} else if err != nil {
			return err
		}
		l.ID = id
		return tx.change(ctx, actorID, "lesson.create", l.Title.ZH)
	})
}

// UpdateLesson replaces a lesson's fields.
func (db *DB) UpdateLesson(ctx context.Context, actorID int64, l *talentloop.Lesson) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		err := tx.execOne(ctx, "err.lesson_not_found", `UPDATE lessons SET position = ?, title_zh = ?, title_en = ?, body_zh = ?, body_en = ?, video_url = ?, minutes = ?, required = ?, updated_at = ? WHERE id = ?`,
			l.Position, l.Title.ZH, l.Title.EN, l.Body.ZH, l.Body.EN, l.VideoURL, l.Minutes, l.Required, db.now(), l.ID)
		if err != nil {
			return err
		}
		return tx.change(ctx, actorID, "lesson.update", l.Title.ZH)
	})
}

const projectCols = `p.id, p.course_id, p.position, p.company_id, c.name_zh, c.name_en, p.title_zh, p.title_en, p.real_work_zh, p.real_work_en, p.brief_zh, p.brief_en,
	p.deliverables_zh, p.deliverables_en, p.level, p.pass_mark, p.required, p.rubric_version, r.criteria_json`

const projectFrom = ` FROM projects p JOIN companies c ON c.id = p.company_id JOIN rubrics r ON r.project_id = p.id AND r.version = p.rubric_version`

func scanProject(row interface{ Scan(...any) error }) (*talentloop.Project, error) {
	p := &talentloop.Project{}
	var criteria string
	err := row.Scan(&p.ID, &p.CourseID, &p.Position, &p.CompanyID, &p.Company.ZH, &p.Company.EN, &p.Title.ZH, &p.Title.EN, &p.RealWork.ZH, &p.RealWork.EN,
		&p.Brief.ZH, &p.Brief.EN, &p.Deliverables.ZH, &p.Deliverables.EN, &p.Level, &p.PassMark, &p.Required, &p.Rubric.Version, &criteria)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.project_not_found")
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(criteria), &p.Rubric.Criteria); err != nil {
		return nil, fmt.Errorf("project %d rubric: %w", p.ID, err)
	}
	return p, nil
}

// FindProjectByID returns a project with its skills and current rubric.
func (db *DB) FindProjectByID(ctx context.Context, id int64) (*talentloop.Project, error) {
	p, err := scanProject(db.queryRow(ctx, `SELECT `+projectCols+projectFrom+` WHERE p.id = ?`, id))
	if err != nil {
		return nil, err
	}
	p.Skills, err = db.skillLevels(ctx, "project_skills", "project_id", id)
	return p, err
}

// FindProjects lists projects, of one company when companyID > 0.
func (db *DB) FindProjects(ctx context.Context, companyID int64) ([]*talentloop.Project, error) {
	q, args := `SELECT `+projectCols+projectFrom, []any{}
	if companyID > 0 {
		q += ` WHERE p.company_id = ?`
		args = append(args, companyID)
	}
	rows, err := db.query(ctx, q+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, p := range out {
		if p.Skills, err = db.skillLevels(ctx, "project_skills", "project_id", p.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateProject stores a project with its skills and rubric version 1.
func (db *DB) CreateProject(ctx context.Context, actorID int64, p *talentloop.Project) error {
	known, err := db.skillExists(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(known); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if p.Position <= 0 {
			pos, err := tx.nextPosition(ctx, "projects", "course_id", p.CourseID)
			if err != nil {
				return err
			}
			p.Position = pos
		}
		now := db.now()
		p.Rubric.Version = 1
		id, err := tx.insert(ctx, `INSERT INTO projects (course_id, position, company_id, title_zh, title_en, real_work_zh, real_work_en, brief_zh, brief_en, deliverables_zh, deliverables_en, level, pass_mark, required, rubric_version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.CourseID, p.Position, p.CompanyID, p.Title.ZH, p.Title.EN, p.RealWork.ZH, p.RealWork.EN, p.Brief.ZH, p.Brief.EN, p.Deliverables.ZH, p.Deliverables.EN,
			p.Level, p.PassMark, p.Required, 1, now, now)
		if isForeignKey(err) {
			return talentloop.Invalid(map[string]string{"course_id": "err.course_not_found", "company_id": "err.unknown_company"})
		} else if err != nil {
			return err
		}
		p.ID = id
		criteria, _ := json.Marshal(p.Rubric.Criteria)
		if _, err := tx.exec(ctx, `INSERT INTO rubrics (project_id, version, criteria_json, created_at) VALUES (?, 1, ?, ?)`, id, string(criteria), now); err != nil {
			return err
		}
		if err := tx.setSkills(ctx, "project_skills", "project_id", id, p.Skills); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "project.create", p.Title.ZH)
	})
}

// UpdateProject replaces a project's fields. A changed rubric becomes a new
// version, so reviews keep the rubric they were made with.
func (db *DB) UpdateProject(ctx context.Context, actorID int64, p *talentloop.Project) error {
	known, err := db.skillExists(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(known); err != nil {
		return err
	}
	criteria, _ := json.Marshal(p.Rubric.Criteria)
	return db.withTx(ctx, func(tx *Tx) error {
		var version int
		var current string
		err := tx.queryRow(ctx, `SELECT p.rubric_version, r.criteria_json FROM projects p JOIN rubrics r ON r.project_id = p.id AND r.version = p.rubric_version WHERE p.id = ?`, p.ID).Scan(&version, &current)
		if errors.Is(err, sql.ErrNoRows) {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.project_not_found")
		} else if err != nil {
			return err
		}
		now := db.now()
		if current != string(criteria) {
			version++
			if _, err := tx.exec(ctx, `INSERT INTO rubrics (project_id, version, criteria_json, created_at) VALUES (?, ?, ?, ?)`, p.ID, version, string(criteria), now); err != nil {
				return err
			}
		}
		p.Rubric.Version = version
		_, err = tx.exec(ctx, `UPDATE projects SET position = ?, company_id = ?, title_zh = ?, title_en = ?, real_work_zh = ?, real_work_en = ?, brief_zh = ?, brief_en = ?, deliverables_zh = ?, deliverables_en = ?,
			level = ?, pass_mark = ?, required = ?, rubric_version = ?, updated_at = ? WHERE id = ?`,
			p.Position, p.CompanyID, p.Title.ZH, p.Title.EN, p.RealWork.ZH, p.RealWork.EN, p.Brief.ZH, p.Brief.EN, p.Deliverables.ZH, p.Deliverables.EN,
			p.Level, p.PassMark, p.Required, version, now, p.ID)
		if isForeignKey(err) {
			return talentloop.Invalid(map[string]string{"company_id": "err.unknown_company"})
		} else if err != nil {
			return err
		}
		if err := tx.setSkills(ctx, "project_skills", "project_id", p.ID, p.Skills); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "project.update", fmt.Sprintf("%s · v%d", p.Title.ZH, version))
	})
}
