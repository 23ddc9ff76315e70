package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"talentloop"
)

// courseState is what a learner has done of one course, computed from the
// stored facts (lessons marked done, projects passed), never from counters.
type courseState struct {
	id            int64
	title         talentloop.Text
	required      bool
	lessonsDone   map[int64]bool
	projectStatus map[int64]string
	requiredItems int
	doneItems     int
	complete      bool
}

type programState struct {
	title         talentloop.Text
	durationWeeks int
	courses       []*courseState
	progress      int // 0–100 over the required items of required courses
	complete      bool
}

// programState computes a learner's state in a program with q, which is a
// transaction when the caller is about to change the facts.
func (db *DB) programState(ctx context.Context, q queryer, userID, programID int64) (*programState, error) {
	st := &programState{}
	err := q.QueryRowContext(ctx, db.rebind(`SELECT title_zh, title_en, duration_weeks FROM programs WHERE id = ?`), programID).Scan(&st.title.ZH, &st.title.EN, &st.durationWeeks)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT id, title_zh, title_en, required FROM courses WHERE program_id = ? ORDER BY position, id`), programID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*courseState{}
	for rows.Next() {
		c := &courseState{lessonsDone: map[int64]bool{}, projectStatus: map[int64]string{}}
		if err := rows.Scan(&c.id, &c.title.ZH, &c.title.EN, &c.required); err != nil {
			rows.Close()
			return nil, err
		}
		st.courses = append(st.courses, c)
		byID[c.id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Required lessons, and whether each is done.
	rows, err = q.QueryContext(ctx, db.rebind(`SELECT l.course_id, l.id, l.required, lc.done_at IS NOT NULL FROM lessons l JOIN courses c ON c.id = l.course_id
		LEFT JOIN lesson_completions lc ON lc.lesson_id = l.id AND lc.user_id = ? WHERE c.program_id = ?`), userID, programID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var cid, lid int64
		var required, done bool
		if err := rows.Scan(&cid, &lid, &required, &done); err != nil {
			rows.Close()
			return nil, err
		}
		c := byID[cid]
		c.lessonsDone[lid] = done
		if required {
			c.requiredItems++
			if done {
				c.doneItems++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Projects and the status of the learner's newest submission.
	rows, err = q.QueryContext(ctx, db.rebind(`SELECT pr.course_id, pr.id, pr.required, COALESCE((SELECT s.status FROM submissions s WHERE s.project_id = pr.id AND s.user_id = ? ORDER BY s.version DESC LIMIT 1), '')
		FROM projects pr JOIN courses c ON c.id = pr.course_id WHERE c.program_id = ?`), userID, programID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var cid, pid int64
		var required bool
		var status string
		if err := rows.Scan(&cid, &pid, &required, &status); err != nil {
			rows.Close()
			return nil, err
		}
		c := byID[cid]
		c.projectStatus[pid] = status
		if required {
			c.requiredItems++
			if status == talentloop.SubmissionPassed {
				c.doneItems++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	total, done := 0, 0
	st.complete = len(st.courses) > 0
	for _, c := range st.courses {
		c.complete = c.doneItems == c.requiredItems
		if c.required {
			total += c.requiredItems
			done += c.doneItems
			st.complete = st.complete && c.complete
		}
	}
	if total > 0 {
		st.progress = done * 100 / total
	} else if st.complete {
		st.progress = 100
	}
	return st, nil
}

// recompute brings the stored completions of a learner in a program in line
// with the facts, inside the transaction that changed the facts: new
// completions are recorded, and completions whose facts were withdrawn (a
// review corrected to "revise") are reopened.
func (tx *Tx) recompute(ctx context.Context, userID, programID int64) error {
	db := tx.db
	st, err := db.programState(ctx, tx.tx, userID, programID)
	if err != nil {
		return err
	}
	now := db.now()
	for _, c := range st.courses {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM course_completions WHERE user_id = ? AND course_id = ?`, userID, c.id).Scan(&n); err != nil {
			return err
		}
		switch {
		case c.complete && n == 0:
			if _, err := tx.exec(ctx, `INSERT INTO course_completions (user_id, course_id, completed_at) VALUES (?, ?, ?)`, userID, c.id, now); err != nil {
				return err
			}
			if err := tx.notify(ctx, userID, talentloop.NotifyCompletion, map[string]string{"what": "course", "title": c.title.ZH, "title_en": c.title.EN},
				fmt.Sprintf("/courses/%d", c.id)); err != nil {
				return err
			}
		case !c.complete && n > 0:
			if _, err := tx.exec(ctx, `DELETE FROM course_completions WHERE user_id = ? AND course_id = ?`, userID, c.id); err != nil {
				return err
			}
		}
	}
	var completed int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM program_completions WHERE user_id = ? AND program_id = ?`, userID, programID).Scan(&completed); err != nil {
		return err
	}
	switch {
	case st.complete && completed == 0:
		var enrolmentID int64
		var paidAt sql.NullTime
		err := tx.queryRow(ctx, `SELECT e.id, o.paid_at FROM enrolments e JOIN orders o ON o.enrolment_id = e.id AND `+latestOrderSQL+` WHERE e.user_id = ? AND e.program_id = ?`,
			userID, programID).Scan(&enrolmentID, &paidAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // not enrolled: nothing to complete
		} else if err != nil {
			return err
		}
		start := now
		if paidAt.Valid {
			start = paidAt.Time
		}
		due := start.Add(time.Duration(st.durationWeeks) * 7 * 24 * time.Hour).UTC()
		if _, err := tx.exec(ctx, `INSERT INTO program_completions (user_id, program_id, enrolment_id, completed_at, due_at, on_time) VALUES (?, ?, ?, ?, ?, ?)`,
			userID, programID, enrolmentID, now, due, !now.After(due)); err != nil {
			return err
		}
		return tx.notify(ctx, userID, talentloop.NotifyCompletion, map[string]string{"what": "program", "title": st.title.ZH, "title_en": st.title.EN},
			fmt.Sprintf("/programs/%d", programID))
	case !st.complete && completed > 0:
		_, err := tx.exec(ctx, `DELETE FROM program_completions WHERE user_id = ? AND program_id = ?`, userID, programID)
		return err
	}
	return nil
}

// MarkLessonDone records that a learner finished a lesson of a program they
// have paid access to.
func (db *DB) MarkLessonDone(ctx context.Context, userID, lessonID int64) error {
	var programID int64
	err := db.queryRow(ctx, `SELECT c.program_id FROM lessons l JOIN courses c ON c.id = l.course_id WHERE l.id = ?`, lessonID).Scan(&programID)
	if errors.Is(err, sql.ErrNoRows) {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.lesson_not_found")
	} else if err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		ok, err := hasAccess(ctx, tx.tx, db, userID, programID)
		if err != nil {
			return err
		}
		if !ok {
			return talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_enrolled")
		}
		res, err := tx.exec(ctx, `INSERT INTO lesson_completions (user_id, lesson_id, done_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, userID, lessonID, db.now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already done
		}
		return tx.recompute(ctx, userID, programID)
	})
}

// CourseProgress returns what a learner has done of a course.
func (db *DB) CourseProgress(ctx context.Context, userID, courseID int64) (*talentloop.CourseProgress, error) {
	var programID int64
	err := db.queryRow(ctx, `SELECT program_id FROM courses WHERE id = ?`, courseID).Scan(&programID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.course_not_found")
	} else if err != nil {
		return nil, err
	}
	st, err := db.programState(ctx, db.read, userID, programID)
	if err != nil {
		return nil, err
	}
	for _, c := range st.courses {
		if c.id != courseID {
			continue
		}
		p := &talentloop.CourseProgress{CourseID: courseID, LessonsDone: c.lessonsDone, ProjectStatus: c.projectStatus, RequiredItems: c.requiredItems, DoneItems: c.doneItems}
		if c.requiredItems > 0 {
			p.Progress = c.doneItems * 100 / c.requiredItems
		}
		var at sql.NullTime
		err := db.queryRow(ctx, `SELECT completed_at FROM course_completions WHERE user_id = ? AND course_id = ?`, userID, courseID).Scan(&at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		p.Completed, p.CompletedAt = at.Valid, nullTime(at)
		return p, nil
	}
	return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.course_not_found")
}
