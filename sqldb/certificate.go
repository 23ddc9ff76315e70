package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"talentloop"
	"talentloop/credential"
)

var _ talentloop.CertificateStore = (*DB)(nil)

// DefaultRule applies to a program whose operators saved none: every
// required course complete, each required project at 60% or more.
func DefaultRule(programID int64) *talentloop.CertificationRule {
	return &talentloop.CertificationRule{ProgramID: programID, MinProjectPercent: 60, MinAveragePercent: 0, AutoIssue: true}
}

// FindRule returns a program's certification rule.
func (db *DB) FindRule(ctx context.Context, programID int64) (*talentloop.CertificationRule, error) {
	r := &talentloop.CertificationRule{ProgramID: programID}
	err := db.queryRow(ctx, `SELECT min_project_percent, min_average_percent, validity_months, auto_issue, updated_at FROM certification_rules WHERE program_id = ?`, programID).
		Scan(&r.MinProjectPercent, &r.MinAveragePercent, &r.ValidityMonths, &r.AutoIssue, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM programs WHERE id = ?`, programID).Scan(&n); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
		}
		return DefaultRule(programID), nil
	}
	return r, err
}

// SaveRule stores a program's rule.
func (db *DB) SaveRule(ctx context.Context, actorID int64, r *talentloop.CertificationRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		now := db.now()
		_, err := tx.exec(ctx, `INSERT INTO certification_rules (program_id, min_project_percent, min_average_percent, validity_months, auto_issue, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (program_id) DO UPDATE SET min_project_percent = excluded.min_project_percent, min_average_percent = excluded.min_average_percent,
			validity_months = excluded.validity_months, auto_issue = excluded.auto_issue, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			r.ProgramID, r.MinProjectPercent, r.MinAveragePercent, r.ValidityMonths, r.AutoIssue, nullID(actorID), now)
		if isForeignKey(err) {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
		} else if err != nil {
			return err
		}
		r.UpdatedAt = now
		var title string
		if err := tx.queryRow(ctx, `SELECT title_zh FROM programs WHERE id = ?`, r.ProgramID).Scan(&title); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "program.rule", title)
	})
}

func nullID(id int64) any {
	if id > 0 {
		return id
	}
	return nil
}

// ProgramScores returns the learner's standing review on every project of
// the program's required courses, and whether the program is completed.
func (db *DB) ProgramScores(ctx context.Context, userID, programID int64) ([]talentloop.ProjectScore, bool, error) {
	rows, err := db.query(ctx, `SELECT pr.id, pr.title_zh, pr.title_en, co.name_zh, co.name_en, pr.required AND c.required,
		COALESCE(r.id, 0), COALESCE(r.total, 0), COALESCE(r.max_points, 0), COALESCE(r.result, ''), COALESCE(u.name, ''), r.created_at
		FROM projects pr JOIN courses c ON c.id = pr.course_id JOIN companies co ON co.id = pr.company_id
		LEFT JOIN submissions s ON s.project_id = pr.id AND s.user_id = ? AND s.version = (SELECT MAX(s2.version) FROM submissions s2 WHERE s2.project_id = pr.id AND s2.user_id = ?)
		LEFT JOIN reviews r ON r.submission_id = s.id AND r.superseded_at IS NULL
		LEFT JOIN users u ON u.id = r.reviewer_id
		WHERE c.program_id = ? ORDER BY c.position, pr.position, pr.id`, userID, userID, programID)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []talentloop.ProjectScore
	for rows.Next() {
		var s talentloop.ProjectScore
		var result string
		var at sql.NullTime
		if err := rows.Scan(&s.ProjectID, &s.Project.ZH, &s.Project.EN, &s.Company.ZH, &s.Company.EN, &s.Required, &s.ReviewID, &s.Total, &s.Max, &result, &s.Reviewer, &at); err != nil {
			return nil, false, err
		}
		s.Passed = result == talentloop.ReviewPassed
		if s.Max > 0 {
			s.Percent = s.Total * 100 / s.Max
		}
		if at.Valid {
			s.At = at.Time
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	var n int
	err = db.queryRow(ctx, `SELECT COUNT(*) FROM program_completions WHERE user_id = ? AND program_id = ?`, userID, programID).Scan(&n)
	return out, n > 0, err
}

// CompletedWithoutCertificate lists completions that hold no certificate.
func (db *DB) CompletedWithoutCertificate(ctx context.Context, programID int64) ([][2]int64, error) {
	q := `SELECT pc.user_id, pc.program_id FROM program_completions pc
		WHERE NOT EXISTS (SELECT 1 FROM certificates c WHERE c.user_id = pc.user_id AND c.program_id = pc.program_id)`
	args := []any{}
	if programID > 0 {
		q += ` AND pc.program_id = ?`
		args = append(args, programID)
	}
	rows, err := db.query(ctx, q+` ORDER BY pc.completed_at, pc.user_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// forUpdate locks selected rows on PostgreSQL; SQLite's one writer needs none.
func (db *DB) forUpdate() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// AllocateStatus hands out a random free index of the issuer's current list
// for the purpose. A list is retired at three quarters full, so indexes stay
// spread out; a new one comes from newList.
func (db *DB) AllocateStatus(ctx context.Context, purpose, issuerDID string, newList func() (*talentloop.StatusListRecord, error)) (string, int, error) {
	var listID string
	var index int
	err := db.withTx(ctx, func(tx *Tx) error {
		var data []byte
		err := tx.queryRow(ctx, `SELECT id, data FROM status_lists WHERE purpose = ? AND issuer_did = ? AND in_use * 4 < capacity * 3
			ORDER BY created_at DESC, id LIMIT 1`+db.forUpdate(), purpose, issuerDID).Scan(&listID, &data)
		if errors.Is(err, sql.ErrNoRows) {
			rec, err := newList()
			if err != nil {
				return err
			}
			var l credential.StatusList
			if err := l.UnmarshalBinary(rec.Data); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO status_lists (id, url, purpose, issuer_did, data, in_use, capacity, version, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, 1, ?)`,
				rec.ID, rec.URL, purpose, issuerDID, rec.Data, l.Len(), db.now()); err != nil {
				return err
			}
			listID, data = rec.ID, rec.Data
		} else if err != nil {
			return err
		}
		var l credential.StatusList
		if err := l.UnmarshalBinary(data); err != nil {
			return fmt.Errorf("status list %s: %w", listID, err)
		}
		i, err := l.Allocate(nil)
		if err != nil {
			return err
		}
		index = i
		out, err := l.MarshalBinary()
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE status_lists SET data = ?, in_use = ?, version = version + 1 WHERE id = ?`, out, l.InUse(), listID)
		return err
	})
	return listID, index, err
}

// FindStatusList returns a stored list.
func (db *DB) FindStatusList(ctx context.Context, id string) (*talentloop.StatusListRecord, error) {
	r := &talentloop.StatusListRecord{}
	err := db.queryRow(ctx, `SELECT id, url, purpose, issuer_did, data, version FROM status_lists WHERE id = ?`, id).Scan(&r.ID, &r.URL, &r.Purpose, &r.IssuerDID, &r.Data, &r.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.status_list_not_found")
	}
	return r, err
}

// NewCertificateID returns a random, unguessable certificate id.
func NewCertificateID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateCertificate stores a signed certificate.
func (db *DB) CreateCertificate(ctx context.Context, actorID int64, c *talentloop.Certificate) error {
	return db.withTx(ctx, func(tx *Tx) error {
		var until any
		if c.ValidUntil != nil {
			until = *c.ValidUntil
		}
		_, err := tx.exec(ctx, `INSERT INTO certificates (id, user_id, program_id, holder_name, issuer_did, status, issued_at, valid_until, revocation_list, revocation_index,
			suspension_list, suspension_index, in_resume, credential_json, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.UserID, c.ProgramID, c.HolderName, c.IssuerDID, talentloop.CertValid, c.IssuedAt, until, c.RevocationList, c.RevocationIndex,
			c.SuspensionList, c.SuspensionIndex, true, string(c.Credential), nullID(actorID))
		if isUnique(err) {
			return talentloop.Errorf(talentloop.ECONFLICT, "err.certificate_exists")
		} else if err != nil {
			return err
		}
		c.Status, c.InResume = talentloop.CertValid, true
		if _, err := tx.exec(ctx, `INSERT INTO certificate_events (certificate_id, status, actor_id, at) VALUES (?, ?, ?, ?)`, c.ID, talentloop.CertValid, nullID(actorID), c.IssuedAt); err != nil {
			return err
		}
		if err := tx.notify(ctx, c.UserID, talentloop.NotifyCertificate, map[string]string{"program": c.Program.ZH, "program_en": c.Program.EN}, "/learn/certificates"); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "certificate.issue", c.HolderName+" · "+c.Program.ZH)
	})
}

const certCols = `c.id, c.user_id, c.holder_name, u.email, c.program_id, p.title_zh, p.title_en, c.issuer_did, c.status, c.issued_at, c.valid_until, c.revoked_at, c.suspended_at, c.reason,
	c.revocation_list, c.revocation_index, c.suspension_list, c.suspension_index, c.in_resume, c.credential_json`

const certFrom = ` FROM certificates c JOIN users u ON u.id = c.user_id JOIN programs p ON p.id = c.program_id`

func scanCertificate(row interface{ Scan(...any) error }) (*talentloop.Certificate, error) {
	c := &talentloop.Certificate{}
	var until, revoked, suspended sql.NullTime
	var cred string
	err := row.Scan(&c.ID, &c.UserID, &c.HolderName, &c.HolderEmail, &c.ProgramID, &c.Program.ZH, &c.Program.EN, &c.IssuerDID, &c.Status, &c.IssuedAt, &until, &revoked, &suspended, &c.Reason,
		&c.RevocationList, &c.RevocationIndex, &c.SuspensionList, &c.SuspensionIndex, &c.InResume, &cred)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.certificate_not_found")
	} else if err != nil {
		return nil, err
	}
	c.ValidUntil, c.RevokedAt, c.SuspendedAt = nullTime(until), nullTime(revoked), nullTime(suspended)
	c.Credential = []byte(cred)
	return c, nil
}

// FindCertificateByID returns a certificate or ENOTFOUND.
func (db *DB) FindCertificateByID(ctx context.Context, id string) (*talentloop.Certificate, error) {
	return scanCertificate(db.queryRow(ctx, `SELECT `+certCols+certFrom+` WHERE c.id = ?`, id))
}

// FindCertificate returns a learner's certificate for a program.
func (db *DB) FindCertificate(ctx context.Context, userID, programID int64) (*talentloop.Certificate, error) {
	return scanCertificate(db.queryRow(ctx, `SELECT `+certCols+certFrom+` WHERE c.user_id = ? AND c.program_id = ?`, userID, programID))
}

// FindCertificates lists certificates, newest first. Status "expired" means
// valid but past valid_until.
func (db *DB) FindCertificates(ctx context.Context, f talentloop.CertificateFilter) (_ []*talentloop.Certificate, total int, err error) {
	defer wrapErr(&err, "FindCertificates")
	where, args := []string{"1=1"}, []any{}
	if f.ProgramID > 0 {
		where = append(where, `c.program_id = ?`)
		args = append(args, f.ProgramID)
	}
	if f.UserID > 0 {
		where = append(where, `c.user_id = ?`)
		args = append(args, f.UserID)
	}
	switch f.Status {
	case "":
	case talentloop.CertExpired:
		where = append(where, `c.status = 'valid' AND c.valid_until IS NOT NULL AND c.valid_until < ?`)
		args = append(args, db.now())
	case talentloop.CertValid:
		where = append(where, `c.status = 'valid' AND (c.valid_until IS NULL OR c.valid_until >= ?)`)
		args = append(args, db.now())
	case talentloop.CertSuspended, talentloop.CertRevoked:
		where = append(where, `c.status = ?`)
		args = append(args, f.Status)
	default:
		return nil, 0, talentloop.Invalid(map[string]string{"status": "err.status"})
	}
	w := strings.Join(where, " AND ")
	if err := db.queryRow(ctx, `SELECT COUNT(*)`+certFrom+` WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	rows, err := db.query(ctx, `SELECT `+certCols+certFrom+` WHERE `+w+` ORDER BY c.issued_at DESC, c.id LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*talentloop.Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// SetCertificateStatus changes a certificate's status and its status-list
// bits together. Revoking a revoked certificate is harmless; a revocation
// is final.
func (db *DB) SetCertificateStatus(ctx context.Context, actorID int64, id, status, reason string) (*talentloop.Certificate, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 500 {
		return nil, talentloop.Invalid(map[string]string{"reason": "err.too_long"})
	}
	if (status == talentloop.CertRevoked || status == talentloop.CertSuspended) && reason == "" {
		return nil, talentloop.Invalid(map[string]string{"reason": "err.reason_required"})
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		c, err := scanCertificate(tx.queryRow(ctx, `SELECT `+certCols+certFrom+` WHERE c.id = ?`+db.forUpdate(), id))
		if err != nil {
			return err
		}
		if c.Status == status {
			return nil // already so: nothing changes
		}
		if c.Status == talentloop.CertRevoked {
			return talentloop.Errorf(talentloop.ECONFLICT, "err.certificate_revoked_final")
		}
		if status == talentloop.CertValid && c.Status != talentloop.CertSuspended {
			return talentloop.Errorf(talentloop.ECONFLICT, "err.certificate_not_suspended")
		}
		now := db.now()
		switch status {
		case talentloop.CertRevoked:
			if err := tx.flipStatus(ctx, c.RevocationList, c.RevocationIndex, true); err != nil {
				return err
			}
			if c.Status == talentloop.CertSuspended {
				if err := tx.flipStatus(ctx, c.SuspensionList, c.SuspensionIndex, false); err != nil {
					return err
				}
			}
			_, err = tx.exec(ctx, `UPDATE certificates SET status = ?, revoked_at = ?, reason = ? WHERE id = ?`, status, now, reason, id)
		case talentloop.CertSuspended:
			if err := tx.flipStatus(ctx, c.SuspensionList, c.SuspensionIndex, true); err != nil {
				return err
			}
			_, err = tx.exec(ctx, `UPDATE certificates SET status = ?, suspended_at = ?, reason = ? WHERE id = ?`, status, now, reason, id)
		case talentloop.CertValid:
			if err := tx.flipStatus(ctx, c.SuspensionList, c.SuspensionIndex, false); err != nil {
				return err
			}
			_, err = tx.exec(ctx, `UPDATE certificates SET status = ?, suspended_at = NULL, reason = '' WHERE id = ?`, status, id)
		default:
			return talentloop.Invalid(map[string]string{"status": "err.status"})
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO certificate_events (certificate_id, status, reason, actor_id, at) VALUES (?, ?, ?, ?, ?)`, id, status, reason, nullID(actorID), now); err != nil {
			return err
		}
		if err := tx.notify(ctx, c.UserID, talentloop.NotifyCertStatus, map[string]string{"program": c.Program.ZH, "program_en": c.Program.EN, "status": status, "reason": reason},
			"/credentials/"+id); err != nil {
			return err
		}
		return tx.change(ctx, actorID, "certificate."+status, strings.TrimSuffix(c.HolderName+" · "+c.Program.ZH+" · "+reason, " · "))
	})
	if err != nil {
		return nil, err
	}
	return db.FindCertificateByID(ctx, id)
}

// flipStatus sets or clears one bit of a stored status list.
func (tx *Tx) flipStatus(ctx context.Context, listID string, index int, on bool) error {
	var data []byte
	if err := tx.queryRow(ctx, `SELECT data FROM status_lists WHERE id = ?`+tx.db.forUpdate(), listID).Scan(&data); err != nil {
		return fmt.Errorf("status list %s: %w", listID, err)
	}
	var l credential.StatusList
	if err := l.UnmarshalBinary(data); err != nil {
		return err
	}
	if err := l.Set(index, on); err != nil {
		return err
	}
	out, err := l.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE status_lists SET data = ?, version = version + 1 WHERE id = ?`, out, listID)
	return err
}

// SetInResume shows or hides one of the learner's own certificates on
// their resume.
func (db *DB) SetInResume(ctx context.Context, userID int64, id string, in bool) error {
	return db.withTx(ctx, func(tx *Tx) error {
		return tx.execOne(ctx, "err.certificate_not_found", `UPDATE certificates SET in_resume = ? WHERE id = ? AND user_id = ?`, in, id, userID)
	})
}

// FindResume returns a learner's resume (an empty one if never saved).
func (db *DB) FindResume(ctx context.Context, userID int64) (*talentloop.Resume, error) {
	u, err := db.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	r := &talentloop.Resume{UserID: userID, Name: u.Name, Email: u.Email}
	var slug sql.NullString
	err = db.queryRow(ctx, `SELECT headline, summary, city, shared, share_slug, updated_at FROM resumes WHERE user_id = ?`, userID).
		Scan(&r.Headline, &r.Summary, &r.City, &r.Shared, &slug, &r.UpdatedAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	r.ShareSlug = slug.String
	return r, nil
}

// FindResumeBySlug returns a shared resume by its public link.
func (db *DB) FindResumeBySlug(ctx context.Context, slug string) (*talentloop.Resume, error) {
	var userID int64
	err := db.queryRow(ctx, `SELECT user_id FROM resumes WHERE share_slug = ? AND shared = ?`, slug, true).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.resume_not_found")
	} else if err != nil {
		return nil, err
	}
	return db.FindResume(ctx, userID)
}

// SaveResume writes a resume; sharing it gives it a random public link
// that stays the same when sharing is switched off and on.
func (db *DB) SaveResume(ctx context.Context, r *talentloop.Resume) error {
	r.Headline, r.Summary, r.City = strings.TrimSpace(r.Headline), strings.TrimSpace(r.Summary), strings.TrimSpace(r.City)
	f := map[string]string{}
	if len([]rune(r.Headline)) > 120 {
		f["headline"] = "err.too_long"
	}
	if len([]rune(r.Summary)) > 3000 {
		f["summary"] = "err.too_long"
	}
	if len([]rune(r.City)) > 60 {
		f["city"] = "err.too_long"
	}
	if len(f) > 0 {
		return talentloop.Invalid(f)
	}
	return db.withTx(ctx, func(tx *Tx) error {
		var slug sql.NullString
		err := tx.queryRow(ctx, `SELECT share_slug FROM resumes WHERE user_id = ?`, r.UserID).Scan(&slug)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if !slug.Valid && r.Shared {
			b := make([]byte, 8)
			rand.Read(b)
			slug = sql.NullString{String: hex.EncodeToString(b), Valid: true}
		}
		r.ShareSlug, r.UpdatedAt = slug.String, db.now()
		var s any
		if slug.Valid {
			s = slug.String
		}
		_, err = tx.exec(ctx, `INSERT INTO resumes (user_id, headline, summary, city, shared, share_slug, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET headline = excluded.headline, summary = excluded.summary, city = excluded.city, shared = excluded.shared,
			share_slug = excluded.share_slug, updated_at = excluded.updated_at`, r.UserID, r.Headline, r.Summary, r.City, r.Shared, s, r.UpdatedAt)
		return err
	})
}

// StartJob records the start of a batch job.
func (db *DB) StartJob(ctx context.Context, kind, subject string, total int) (*talentloop.BatchJob, error) {
	j := &talentloop.BatchJob{Kind: kind, Subject: subject, Total: total, Status: "running", StartedAt: db.now()}
	err := db.withTx(ctx, func(tx *Tx) error {
		id, err := tx.insert(ctx, `INSERT INTO batch_jobs (kind, subject, total, status, started_at) VALUES (?, ?, ?, ?, ?)`, kind, subject, total, j.Status, j.StartedAt)
		j.ID = id
		return err
	})
	return j, err
}

// UpdateJob records progress; a finished or failed status ends the job.
func (db *DB) UpdateJob(ctx context.Context, id int64, done, failed int, status, message string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		var finished any
		if status != "running" {
			finished = db.now()
		}
		_, err := tx.exec(ctx, `UPDATE batch_jobs SET done = ?, failed = ?, status = ?, message = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ?`,
			done, failed, status, message, finished, id)
		return err
	})
}

// FindJob returns a batch job.
func (db *DB) FindJob(ctx context.Context, id int64) (*talentloop.BatchJob, error) {
	j := &talentloop.BatchJob{}
	var finished sql.NullTime
	err := db.queryRow(ctx, `SELECT id, kind, subject, total, done, failed, status, message, started_at, finished_at FROM batch_jobs WHERE id = ?`, id).
		Scan(&j.ID, &j.Kind, &j.Subject, &j.Total, &j.Done, &j.Failed, &j.Status, &j.Message, &j.StartedAt, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.job_not_found")
	}
	j.FinishedAt = nullTime(finished)
	return j, err
}
