package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"talentloop"
)

// sniffOK checks that a file's bytes look like what its name says, for the
// types whose contents have a signature.
func sniffOK(name string, data []byte) bool {
	detected := http.DetectContentType(data)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		return strings.HasPrefix(detected, "image/")
	case ".pdf":
		return detected == "application/pdf"
	case ".zip", ".docx", ".xlsx", ".pptx":
		return detected == "application/zip"
	case ".mp3":
		return detected == "audio/mpeg" || strings.HasPrefix(string(data), "ID3")
	case ".wav":
		return detected == "audio/wave"
	case ".txt", ".md", ".csv", ".json", ".py", ".js", ".ts", ".html", ".css", ".sql", ".go", ".java", ".ipynb", ".yaml", ".yml":
		return strings.HasPrefix(detected, "text/") || detected == "application/json"
	}
	return true
}

// projectContext is what submission and review rules need of a project.
type projectContext struct {
	projectID, courseID, programID int64
	title, course                  talentloop.Text
}

func (db *DB) projectContext(ctx context.Context, projectID int64) (*projectContext, error) {
	pc := &projectContext{projectID: projectID}
	err := db.queryRow(ctx, `SELECT pr.course_id, c.program_id, pr.title_zh, pr.title_en, c.title_zh, c.title_en FROM projects pr JOIN courses c ON c.id = pr.course_id WHERE pr.id = ?`, projectID).
		Scan(&pc.courseID, &pc.programID, &pc.title.ZH, &pc.title.EN, &pc.course.ZH, &pc.course.EN)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.project_not_found")
	}
	return pc, err
}

// Submit stores a new version of a learner's work. The same idempotency key
// returns the submission it made the first time.
func (db *DB) Submit(ctx context.Context, userID int64, in *talentloop.SubmissionInput, maxFileBytes int64) (_ *talentloop.Submission, err error) {
	defer wrapErr(&err, "Submit(user %d, project %d)", userID, in.ProjectID)
	pc, err := db.projectContext(ctx, in.ProjectID)
	if err != nil {
		return nil, err
	}
	if in.IdempotencyKey != "" {
		var id int64
		err := db.queryRow(ctx, `SELECT id FROM submissions WHERE user_id = ? AND idempotency_key = ?`, userID, in.IdempotencyKey).Scan(&id)
		if err == nil {
			return db.FindSubmissionByID(ctx, id)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if err := in.Validate(maxFileBytes); err != nil {
		return nil, err
	}
	for _, f := range in.Files {
		if !sniffOK(f.Name, f.Data) {
			return nil, &talentloop.Error{Code: talentloop.EINVALID, Message: "err.file_mismatch", Args: []any{f.Name}, Fields: map[string]string{"files": "err.file_type_field"}}
		}
	}
	var id int64
	err = db.withTx(ctx, func(tx *Tx) error {
		ok, err := hasAccess(ctx, tx.tx, db, userID, pc.programID)
		if err != nil {
			return err
		}
		if !ok {
			return talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_enrolled")
		}
		var last int
		var lastStatus string
		err = tx.queryRow(ctx, `SELECT version, status FROM submissions WHERE project_id = ? AND user_id = ? ORDER BY version DESC LIMIT 1`, in.ProjectID, userID).Scan(&last, &lastStatus)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch lastStatus {
		case talentloop.SubmissionSubmitted:
			return talentloop.Errorf(talentloop.ECONFLICT, "err.awaiting_review")
		case talentloop.SubmissionPassed:
			return talentloop.Errorf(talentloop.ECONFLICT, "err.already_passed")
		}
		var key any
		if in.IdempotencyKey != "" {
			key = in.IdempotencyKey
		}
		id, err = tx.insert(ctx, `INSERT INTO submissions (project_id, user_id, version, body, repo_url, demo_url, status, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.ProjectID, userID, last+1, in.Body, in.RepoURL, in.DemoURL, talentloop.SubmissionSubmitted, key, db.now())
		if err != nil {
			return err
		}
		for _, f := range in.Files {
			ct, _ := talentloop.UploadType(f.Name)
			sum := sha256.Sum256(f.Data)
			if _, err := tx.exec(ctx, `INSERT INTO submission_files (submission_id, name, content_type, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?)`,
				id, filepath.Base(f.Name), ct, len(f.Data), hex.EncodeToString(sum[:]), f.Data); err != nil {
				return err
			}
		}
		return nil
	})
	if isUnique(err) && in.IdempotencyKey != "" {
		// A concurrent double post with the same key: return the winner.
		var winner int64
		if db.queryRow(ctx, `SELECT id FROM submissions WHERE user_id = ? AND idempotency_key = ?`, userID, in.IdempotencyKey).Scan(&winner) == nil {
			return db.FindSubmissionByID(ctx, winner)
		}
	}
	if err != nil {
		return nil, err
	}
	return db.FindSubmissionByID(ctx, id)
}

const submissionSelect = `SELECT s.id, s.project_id, pr.title_zh, pr.title_en, pr.course_id, s.user_id, u.name, s.version, s.body, s.repo_url, s.demo_url, s.status, s.created_at
	FROM submissions s JOIN projects pr ON pr.id = s.project_id JOIN users u ON u.id = s.user_id`

func (db *DB) scanSubmissions(ctx context.Context, q string, args ...any) ([]*talentloop.Submission, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.Submission
	for rows.Next() {
		s := &talentloop.Submission{Files: []talentloop.FileInfo{}}
		if err := rows.Scan(&s.ID, &s.ProjectID, &s.Project.ZH, &s.Project.EN, &s.CourseID, &s.UserID, &s.UserName, &s.Version, &s.Body, &s.RepoURL, &s.DemoURL, &s.Status, &s.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, s := range out {
		frows, err := db.query(ctx, `SELECT id, name, content_type, size, sha256 FROM submission_files WHERE submission_id = ? ORDER BY id`, s.ID)
		if err != nil {
			return nil, err
		}
		for frows.Next() {
			var f talentloop.FileInfo
			if err := frows.Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256); err != nil {
				frows.Close()
				return nil, err
			}
			s.Files = append(s.Files, f)
		}
		frows.Close()
		if s.Review, err = db.currentReview(ctx, s.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// currentReview returns the review in force (not superseded), or nil.
func (db *DB) currentReview(ctx context.Context, submissionID int64) (*talentloop.Review, error) {
	r := &talentloop.Review{}
	err := db.queryRow(ctx, `SELECT r.id, r.submission_id, r.reviewer_id, u.name, r.rubric_version, r.total, r.max_points, r.pass_mark, r.result, r.comment, r.created_at
		FROM reviews r JOIN users u ON u.id = r.reviewer_id WHERE r.submission_id = ? AND r.superseded_at IS NULL ORDER BY r.id DESC LIMIT 1`, submissionID).
		Scan(&r.ID, &r.SubmissionID, &r.ReviewerID, &r.ReviewerName, &r.RubricVersion, &r.Total, &r.MaxPoints, &r.PassMark, &r.Result, &r.Comment, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT criterion_key, level_index, points, comment FROM review_scores WHERE review_id = ?`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s talentloop.Score
		if err := rows.Scan(&s.CriterionKey, &s.Level, &s.Points, &s.Comment); err != nil {
			return nil, err
		}
		r.Scores = append(r.Scores, s)
	}
	return r, rows.Err()
}

// FindSubmissionByID returns a submission with its files and review.
func (db *DB) FindSubmissionByID(ctx context.Context, id int64) (*talentloop.Submission, error) {
	out, err := db.scanSubmissions(ctx, submissionSelect+` WHERE s.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.submission_not_found")
	}
	return out[0], nil
}

// FindSubmissions lists a learner's versions for a project, newest first.
func (db *DB) FindSubmissions(ctx context.Context, userID, projectID int64) ([]*talentloop.Submission, error) {
	return db.scanSubmissions(ctx, submissionSelect+` WHERE s.user_id = ? AND s.project_id = ? ORDER BY s.version DESC`, userID, projectID)
}

// FindFile returns a stored file and the submission it belongs to.
func (db *DB) FindFile(ctx context.Context, fileID int64) (*talentloop.FileInfo, int64, []byte, error) {
	f := &talentloop.FileInfo{}
	var sid int64
	var data []byte
	err := db.queryRow(ctx, `SELECT id, submission_id, name, content_type, size, sha256, data FROM submission_files WHERE id = ?`, fileID).
		Scan(&f.ID, &sid, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.file_not_found")
	}
	return f, sid, data, err
}

// ReviewQueue lists submissions awaiting review in the instructor's
// courses, oldest first, with how long each has waited.
func (db *DB) ReviewQueue(ctx context.Context, instructorID int64) ([]*talentloop.Submission, error) {
	out, err := db.scanSubmissions(ctx, submissionSelect+` JOIN course_instructors ci ON ci.course_id = pr.course_id AND ci.user_id = ?
		WHERE s.status = 'submitted' ORDER BY s.created_at, s.id`, instructorID)
	if err != nil {
		return nil, err
	}
	now := db.now()
	for _, s := range out {
		s.Waiting = waited(now.Sub(s.CreatedAt))
	}
	return out, nil
}

// waited formats a waiting time as days and hours.
func waited(d time.Duration) string {
	h := int(d.Hours())
	if h < 1 {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	if h < 48 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dd%dh", h/24, h%24)
}

// ReviewSubmission scores the newest version of a learner's work on every
// rubric criterion. A review of an already reviewed submission corrects it:
// the earlier review is superseded, skill evidence is withdrawn or added, and
// completions follow, all in one transaction.
func (db *DB) ReviewSubmission(ctx context.Context, reviewerID, submissionID int64, scores []talentloop.Score, comment string) (_ *talentloop.Review, err error) {
	defer wrapErr(&err, "ReviewSubmission(%d)", submissionID)
	sub, err := db.FindSubmissionByID(ctx, submissionID)
	if err != nil {
		return nil, err
	}
	project, err := db.FindProjectByID(ctx, sub.ProjectID)
	if err != nil {
		return nil, err
	}
	pc, err := db.projectContext(ctx, sub.ProjectID)
	if err != nil {
		return nil, err
	}
	if ok, err := db.IsCourseInstructor(ctx, pc.courseID, reviewerID); err != nil {
		return nil, err
	} else if !ok {
		return nil, talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_your_course")
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > 10_000 {
		return nil, talentloop.Invalid(map[string]string{"comment": "err.too_long"})
	}
	scored, total, err := talentloop.ScoreReview(project.Rubric, scores)
	if err != nil {
		return nil, err
	}
	result := talentloop.ReviewRevise
	if total >= project.PassMark {
		result = talentloop.ReviewPassed
	}
	var reviewID int64
	err = db.withTx(ctx, func(tx *Tx) error {
		var latest int
		if err := tx.queryRow(ctx, `SELECT MAX(version) FROM submissions WHERE project_id = ? AND user_id = ?`, sub.ProjectID, sub.UserID).Scan(&latest); err != nil {
			return err
		}
		if latest != sub.Version {
			return talentloop.Errorf(talentloop.ECONFLICT, "err.not_latest_version")
		}
		now := db.now()
		// A correction supersedes the review in force and withdraws what it proved.
		if _, err := tx.exec(ctx, `UPDATE skill_evidence SET withdrawn_at = ? WHERE withdrawn_at IS NULL AND review_id IN (SELECT id FROM reviews WHERE submission_id = ? AND superseded_at IS NULL)`, now, submissionID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE reviews SET superseded_at = ? WHERE submission_id = ? AND superseded_at IS NULL`, now, submissionID); err != nil {
			return err
		}
		reviewID, err = tx.insert(ctx, `INSERT INTO reviews (submission_id, reviewer_id, rubric_version, total, max_points, pass_mark, result, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			submissionID, reviewerID, project.Rubric.Version, total, project.Rubric.MaxPoints(), project.PassMark, result, comment, now)
		if err != nil {
			return err
		}
		for _, s := range scored {
			if _, err := tx.exec(ctx, `INSERT INTO review_scores (review_id, criterion_key, level_index, points, comment) VALUES (?, ?, ?, ?, ?)`,
				reviewID, s.CriterionKey, s.Level, s.Points, strings.TrimSpace(s.Comment)); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE submissions SET status = ? WHERE id = ?`, result, submissionID); err != nil {
			return err
		}
		if result == talentloop.ReviewPassed {
			for _, sk := range project.Skills {
				if _, err := tx.exec(ctx, `INSERT INTO skill_evidence (user_id, skill_id, level, project_id, review_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
					sub.UserID, sk.SkillID, sk.Level, sub.ProjectID, reviewID, now); err != nil {
					return err
				}
			}
		}
		if err := tx.notify(ctx, sub.UserID, talentloop.NotifyReview, map[string]string{"project": pc.title.ZH, "project_en": pc.title.EN, "result": result,
			"total": fmt.Sprint(total), "max": fmt.Sprint(project.Rubric.MaxPoints())}, fmt.Sprintf("/projects/%d", sub.ProjectID)); err != nil {
			return err
		}
		return tx.recompute(ctx, sub.UserID, pc.programID)
	})
	if err != nil {
		return nil, err
	}
	return db.currentReview(ctx, submissionID)
}

// SkillProfile returns a learner's verified skills: the highest level proved
// by a review in force, with every piece of evidence.
func (db *DB) SkillProfile(ctx context.Context, userID int64) ([]*talentloop.SkillRecord, error) {
	rows, err := db.query(ctx, `SELECT se.skill_id, s.name_zh, s.name_en, se.level, se.project_id, pr.title_zh, pr.title_en, se.review_id, c.name_zh, c.name_en, se.created_at
		FROM skill_evidence se JOIN skills s ON s.id = se.skill_id JOIN projects pr ON pr.id = se.project_id JOIN companies c ON c.id = pr.company_id
		WHERE se.user_id = ? AND se.withdrawn_at IS NULL ORDER BY se.skill_id, se.level DESC, se.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.SkillRecord
	byID := map[string]*talentloop.SkillRecord{}
	for rows.Next() {
		var id string
		var name talentloop.Text
		var ev talentloop.SkillEvidence
		if err := rows.Scan(&id, &name.ZH, &name.EN, &ev.Level, &ev.ProjectID, &ev.Project.ZH, &ev.Project.EN, &ev.ReviewID, &ev.Company.ZH, &ev.Company.EN, &ev.At); err != nil {
			return nil, err
		}
		rec := byID[id]
		if rec == nil {
			rec = &talentloop.SkillRecord{SkillID: id, Name: name}
			byID[id] = rec
			out = append(out, rec)
		}
		rec.Level = max(rec.Level, ev.Level)
		rec.Evidence = append(rec.Evidence, ev)
	}
	return out, rows.Err()
}
