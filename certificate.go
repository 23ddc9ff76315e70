package talentloop

import (
	"context"
	"encoding/json"
	"time"
)

// Certificate states. Expired is computed from ValidUntil, never stored.
const (
	CertValid     = "valid"
	CertSuspended = "suspended"
	CertRevoked   = "revoked"
	CertExpired   = "expired"
)

// CertificationRule says when a learner earns a program's certificate
// (微专业认证): every required course complete, and the scores of the
// passed projects over the bars.
type CertificationRule struct {
	ProgramID         int64     `json:"program_id"`
	MinProjectPercent int       `json:"min_project_percent"` // each required project's review total, % of its maximum
	MinAveragePercent int       `json:"min_average_percent"` // the average over required projects
	ValidityMonths    int       `json:"validity_months"`     // 0: no expiry
	AutoIssue         bool      `json:"auto_issue"`          // issue as soon as a learner qualifies
	UpdatedAt         time.Time `json:"updated_at,omitempty"`
}

// Validate checks a rule.
func (r *CertificationRule) Validate() error {
	f := map[string]string{}
	if r.MinProjectPercent < 0 || r.MinProjectPercent > 100 {
		f["min_project_percent"] = "err.percent"
	}
	if r.MinAveragePercent < 0 || r.MinAveragePercent > 100 {
		f["min_average_percent"] = "err.percent"
	}
	if r.ValidityMonths < 0 || r.ValidityMonths > 120 {
		f["validity_months"] = "err.validity"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// ProjectScore is a learner's standing review on one of a program's projects.
type ProjectScore struct {
	ProjectID int64     `json:"project_id"`
	Project   Text      `json:"project"`
	Company   Text      `json:"company"`
	Required  bool      `json:"required"`
	Passed    bool      `json:"passed"`
	Total     int       `json:"total"`
	Max       int       `json:"max"`
	Percent   int       `json:"percent"`
	Reviewer  string    `json:"reviewer"`
	ReviewID  int64     `json:"review_id"`
	At        time.Time `json:"at"`
}

// Eligibility says whether a learner meets a program's rule, and if not why.
type Eligibility struct {
	Eligible  bool           `json:"eligible"`
	Completed bool           `json:"completed"`
	Average   int            `json:"average_percent"`
	Scores    []ProjectScore `json:"scores"`
	Unmet     []string       `json:"unmet,omitempty"` // message keys
}

// Certificate is an issued credential bound to one learner for one program.
type Certificate struct {
	ID              string          `json:"id"`
	UserID          int64           `json:"learner_id"`
	HolderName      string          `json:"holder_name"`
	HolderEmail     string          `json:"-"`
	ProgramID       int64           `json:"program_id"`
	Program         Text            `json:"program"`
	IssuerDID       string          `json:"issuer"`
	Status          string          `json:"status"`
	IssuedAt        time.Time       `json:"issued_at"`
	ValidUntil      *time.Time      `json:"valid_until,omitempty"`
	RevokedAt       *time.Time      `json:"revoked_at,omitempty"`
	SuspendedAt     *time.Time      `json:"suspended_at,omitempty"`
	Reason          string          `json:"reason,omitempty"`
	RevocationList  string          `json:"-"`
	RevocationIndex int             `json:"-"`
	SuspensionList  string          `json:"-"`
	SuspensionIndex int             `json:"-"`
	InResume        bool            `json:"in_resume"`
	Credential      json.RawMessage `json:"-"`
}

// EffectiveStatus is the status with expiry applied at now.
func (c *Certificate) EffectiveStatus(now time.Time) string {
	if c.Status == CertValid && c.ValidUntil != nil && now.After(*c.ValidUntil) {
		return CertExpired
	}
	return c.Status
}

// CertificateFilter selects certificates.
type CertificateFilter struct {
	ProgramID int64
	UserID    int64
	Status    string
	Limit     int
	Offset    int
}

// StatusListRecord is a stored Bitstring Status List.
type StatusListRecord struct {
	ID        string // the URL path key, e.g. "r-3f2a…"
	URL       string
	Purpose   string
	IssuerDID string
	Data      []byte // credential.StatusList binary form
	Version   int64  // bumps at every change
}

// Resume is a learner's public profile for employers.
type Resume struct {
	UserID    int64     `json:"-"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Headline  string    `json:"headline"`
	Summary   string    `json:"summary"`
	City      string    `json:"city"`
	Shared    bool      `json:"shared"`
	ShareSlug string    `json:"share_slug,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BatchJob is long work with progress, kept in the database so every app
// server can show it.
type BatchJob struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Subject    string     `json:"subject"`
	Total      int        `json:"total"`
	Done       int        `json:"done"`
	Failed     int        `json:"failed"`
	Status     string     `json:"status"` // running, finished, failed
	Message    string     `json:"message,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// CertificateStore keeps certificates, rules, status lists, resumes and
// batch jobs.
type CertificateStore interface {
	FindRule(ctx context.Context, programID int64) (*CertificationRule, error) // a default when none was saved
	SaveRule(ctx context.Context, actorID int64, r *CertificationRule) error
	ProgramScores(ctx context.Context, userID, programID int64) ([]ProjectScore, bool, error) // scores, program completed

	// CompletedWithoutCertificate lists (user, program) pairs that completed
	// a program and hold no certificate for it; programID 0 means all.
	CompletedWithoutCertificate(ctx context.Context, programID int64) ([][2]int64, error)

	// AllocateStatus hands out a random index of the current list of a
	// purpose for an issuer, creating lists as needed.
	AllocateStatus(ctx context.Context, purpose, issuerDID string, newList func() (*StatusListRecord, error)) (listID string, index int, err error)
	FindStatusList(ctx context.Context, id string) (*StatusListRecord, error)

	// CreateCertificate stores a signed certificate; a second one for the
	// same learner and program is ECONFLICT.
	CreateCertificate(ctx context.Context, actorID int64, c *Certificate) error
	FindCertificateByID(ctx context.Context, id string) (*Certificate, error)
	FindCertificate(ctx context.Context, userID, programID int64) (*Certificate, error)
	FindCertificates(ctx context.Context, f CertificateFilter) ([]*Certificate, int, error)
	// SetCertificateStatus moves a certificate to valid, suspended or
	// revoked and flips its status-list bits in the same transaction.
	SetCertificateStatus(ctx context.Context, actorID int64, id, status, reason string) (*Certificate, error)
	SetInResume(ctx context.Context, userID int64, id string, in bool) error

	FindResume(ctx context.Context, userID int64) (*Resume, error)
	FindResumeBySlug(ctx context.Context, slug string) (*Resume, error)
	SaveResume(ctx context.Context, r *Resume) error

	StartJob(ctx context.Context, kind, subject string, total int) (*BatchJob, error)
	UpdateJob(ctx context.Context, id int64, done, failed int, status, message string) error
	FindJob(ctx context.Context, id int64) (*BatchJob, error)
}

// VerifyCheck is one check of a credential verification, for display.
type VerifyCheck struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"` // passed, failed, skipped
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// VerifyResult is the outcome of verifying a credential JSON.
type VerifyResult struct {
	Verified  bool          `json:"verified"`
	Revoked   bool          `json:"revoked"`
	Suspended bool          `json:"suspended"`
	Issuer    string        `json:"issuer,omitempty"`
	Name      string        `json:"name,omitempty"`
	Checks    []VerifyCheck `json:"checks"`
}

// CertificateService issues, verifies and manages certificates.
type CertificateService interface {
	Eligibility(ctx context.Context, userID, programID int64) (*Eligibility, error)
	// Issue issues the certificate of a qualified learner; an existing one
	// is returned with created false.
	Issue(ctx context.Context, actorID, userID, programID int64) (c *Certificate, created bool, err error)
	// IssueEligible issues every missing certificate that is due (one
	// program, or all with programID 0), reporting progress.
	IssueEligible(ctx context.Context, actorID, programID int64, progress func(done, total int)) (issued int, err error)
	Revoke(ctx context.Context, actorID int64, id, reason string) (*Certificate, error)
	Suspend(ctx context.Context, actorID int64, id, reason string) (*Certificate, error)
	Unsuspend(ctx context.Context, actorID int64, id, reason string) (*Certificate, error)
	Verify(ctx context.Context, raw []byte) (*VerifyResult, error)
	StatusListCredential(ctx context.Context, id string) ([]byte, error)
	DIDDocument() (json.RawMessage, bool) // false when the issuer is not did:web
	IssuerDID() string
	MatchHolder(c *Certificate, email string) bool
}
