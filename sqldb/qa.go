package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"talentloop"
)

const questionSelect = `SELECT q.id, q.course_id, c.title_zh, c.title_en, COALESCE(q.project_id, 0), q.user_id, u.name, q.title, q.body, COALESCE(q.accepted_answer_id, 0),
	q.first_answer_at, q.first_instructor_answer_at, q.created_at, (SELECT COUNT(*) FROM answers a WHERE a.question_id = q.id)
	FROM questions q JOIN courses c ON c.id = q.course_id JOIN users u ON u.id = q.user_id`

func (db *DB) scanQuestions(ctx context.Context, q string, args ...any) ([]*talentloop.Question, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := db.now()
	var out []*talentloop.Question
	for rows.Next() {
		qu := &talentloop.Question{}
		var first, firstInstructor sql.NullTime
		if err := rows.Scan(&qu.ID, &qu.CourseID, &qu.Course.ZH, &qu.Course.EN, &qu.ProjectID, &qu.UserID, &qu.UserName, &qu.Title, &qu.Body, &qu.AcceptedAnswerID,
			&first, &firstInstructor, &qu.CreatedAt, &qu.AnswerCount); err != nil {
			return nil, err
		}
		qu.FirstAnswerAt = nullTime(first)
		qu.Overdue = !firstInstructor.Valid && now.Sub(qu.CreatedAt) > db.QuestionOverdue
		out = append(out, qu)
	}
	return out, rows.Err()
}

// canJoinCourse: the course's instructors and learners with paid access may
// ask and answer.
func (db *DB) canJoinCourse(ctx context.Context, userID, courseID int64) (instructor bool, err error) {
	if instructor, err = db.IsCourseInstructor(ctx, courseID, userID); err != nil || instructor {
		return instructor, err
	}
	var programID int64
	if err := db.queryRow(ctx, `SELECT program_id FROM courses WHERE id = ?`, courseID).Scan(&programID); errors.Is(err, sql.ErrNoRows) {
		return false, talentloop.Errorf(talentloop.ENOTFOUND, "err.course_not_found")
	} else if err != nil {
		return false, err
	}
	ok, err := db.HasAccess(ctx, userID, programID)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_enrolled")
	}
	return false, nil
}

// AskQuestion opens a thread on a course or one of its projects and tells
// the course's instructors.
func (db *DB) AskQuestion(ctx context.Context, userID, courseID, projectID int64, title, body string) (*talentloop.Question, error) {
	if err := talentloop.ValidateQuestion(title, body); err != nil {
		return nil, err
	}
	if _, err := db.canJoinCourse(ctx, userID, courseID); err != nil {
		return nil, err
	}
	var project any
	if projectID > 0 {
		var n int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM projects WHERE id = ? AND course_id = ?`, projectID, courseID).Scan(&n); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, talentloop.Invalid(map[string]string{"project_id": "err.project_not_in_course"})
		}
		project = projectID
	}
	var id int64
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insert(ctx, `INSERT INTO questions (course_id, project_id, user_id, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			courseID, project, userID, strings.TrimSpace(title), strings.TrimSpace(body), db.now())
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT user_id FROM course_instructors WHERE course_id = ?`, courseID)
		if err != nil {
			return err
		}
		var instructors []int64
		for rows.Next() {
			var uid int64
			rows.Scan(&uid)
			instructors = append(instructors, uid)
		}
		rows.Close()
		for _, uid := range instructors {
			if err := tx.notify(ctx, uid, talentloop.NotifyQuestion, map[string]string{"question": strings.TrimSpace(title)}, fmt.Sprintf("/questions/%d", id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindQuestionByID(ctx, id)
}

// FindQuestions lists a course's questions, newest first.
func (db *DB) FindQuestions(ctx context.Context, courseID int64) ([]*talentloop.Question, error) {
	return db.scanQuestions(ctx, questionSelect+` WHERE q.course_id = ? ORDER BY q.id DESC`, courseID)
}

// FindQuestionByID returns a thread with its answers.
func (db *DB) FindQuestionByID(ctx context.Context, id int64) (*talentloop.Question, error) {
	out, err := db.scanQuestions(ctx, questionSelect+` WHERE q.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.question_not_found")
	}
	q := out[0]
	rows, err := db.query(ctx, `SELECT a.id, a.question_id, a.user_id, u.name, a.by_instructor, a.body, a.created_at FROM answers a JOIN users u ON u.id = a.user_id WHERE a.question_id = ? ORDER BY a.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		a := &talentloop.Answer{}
		if err := rows.Scan(&a.ID, &a.QuestionID, &a.UserID, &a.UserName, &a.ByInstructor, &a.Body, &a.CreatedAt); err != nil {
			return nil, err
		}
		q.Answers = append(q.Answers, a)
	}
	return q, rows.Err()
}

// AnswerQuestion adds an answer; the first instructor answer stops the clock
// of the instructor's answer time.
func (db *DB) AnswerQuestion(ctx context.Context, userID, questionID int64, body string) (*talentloop.Answer, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, talentloop.Invalid(map[string]string{"body": "err.required"})
	}
	if len([]rune(body)) > 20_000 {
		return nil, talentloop.Invalid(map[string]string{"body": "err.too_long"})
	}
	q, err := db.FindQuestionByID(ctx, questionID)
	if err != nil {
		return nil, err
	}
	byInstructor, err := db.canJoinCourse(ctx, userID, q.CourseID)
	if err != nil {
		return nil, err
	}
	a := &talentloop.Answer{QuestionID: questionID, UserID: userID, ByInstructor: byInstructor, Body: body}
	err = db.withTx(ctx, func(tx *Tx) error {
		now := db.now()
		a.CreatedAt = now
		id, err := tx.insert(ctx, `INSERT INTO answers (question_id, user_id, body, by_instructor, created_at) VALUES (?, ?, ?, ?, ?)`, questionID, userID, body, byInstructor, now)
		if err != nil {
			return err
		}
		a.ID = id
		if _, err := tx.exec(ctx, `UPDATE questions SET first_answer_at = ? WHERE id = ? AND first_answer_at IS NULL`, now, questionID); err != nil {
			return err
		}
		if byInstructor {
			if _, err := tx.exec(ctx, `UPDATE questions SET first_instructor_answer_at = ?, first_instructor_id = ? WHERE id = ? AND first_instructor_answer_at IS NULL`, now, userID, questionID); err != nil {
				return err
			}
		}
		if userID != q.UserID {
			return tx.notify(ctx, q.UserID, talentloop.NotifyAnswer, map[string]string{"question": q.Title}, fmt.Sprintf("/questions/%d", questionID))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AcceptAnswer marks the answer that solved the question; the asker or an
// instructor of the course may do it.
func (db *DB) AcceptAnswer(ctx context.Context, userID, questionID, answerID int64) error {
	q, err := db.FindQuestionByID(ctx, questionID)
	if err != nil {
		return err
	}
	if q.UserID != userID {
		ok, err := db.IsCourseInstructor(ctx, q.CourseID, userID)
		if err != nil {
			return err
		}
		if !ok {
			return talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_your_question")
		}
	}
	found := false
	for _, a := range q.Answers {
		found = found || a.ID == answerID
	}
	if !found {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.answer_not_found")
	}
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE questions SET accepted_answer_id = ? WHERE id = ?`, answerID, questionID)
		return err
	})
}

// AnswerStats measures an instructor's answer times: over the questions of
// the last windowDays that they answered first among instructors, the median
// and 90th percentile (nearest rank) of the time to that answer; and the
// questions on their courses still waiting for any instructor.
func (db *DB) AnswerStats(ctx context.Context, instructorID int64, windowDays int) (*talentloop.AnswerStats, error) {
	if windowDays <= 0 {
		windowDays = 30
	}
	st := &talentloop.AnswerStats{InstructorID: instructorID, WindowDays: windowDays}
	if err := db.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, instructorID).Scan(&st.Name); errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.instructor_not_found")
	} else if err != nil {
		return nil, err
	}
	now := db.now()
	rows, err := db.query(ctx, `SELECT created_at, first_instructor_answer_at FROM questions WHERE first_instructor_id = ? AND created_at >= ?`, instructorID, now.Add(-time.Duration(windowDays)*24*time.Hour))
	if err != nil {
		return nil, err
	}
	var hours []float64
	for rows.Next() {
		var asked, answered time.Time
		if err := rows.Scan(&asked, &answered); err != nil {
			rows.Close()
			return nil, err
		}
		hours = append(hours, answered.Sub(asked).Hours())
	}
	rows.Close()
	st.Answered = len(hours)
	st.MedianHours, st.P90Hours = nearestRank(hours, 0.5), nearestRank(hours, 0.9)
	err = db.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN q.created_at < ? THEN 1 ELSE 0 END), 0) FROM questions q
		JOIN course_instructors ci ON ci.course_id = q.course_id AND ci.user_id = ? WHERE q.first_instructor_answer_at IS NULL`, now.Add(-db.QuestionOverdue), instructorID).
		Scan(&st.OpenQuestions, &st.Overdue)
	return st, err
}

// nearestRank returns the p-quantile of xs by the nearest-rank method, or 0.
func nearestRank(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return math.Round(s[max(i, 0)]*10) / 10
}

// OverdueQuestions lists questions no instructor has answered within the
// limit, of one course or (courseID 0) of all.
func (db *DB) OverdueQuestions(ctx context.Context, courseID int64) ([]*talentloop.Question, error) {
	q, args := questionSelect+` WHERE q.first_instructor_answer_at IS NULL AND q.created_at < ?`, []any{db.now().Add(-db.QuestionOverdue)}
	if courseID > 0 {
		q += ` AND q.course_id = ?`
		args = append(args, courseID)
	}
	return db.scanQuestions(ctx, q+` ORDER BY q.created_at`, args...)
}
