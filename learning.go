package talentloop

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Order statuses: pending → paid → refunded, or pending → cancelled.
const (
	OrderPending   = "pending"
	OrderPaid      = "paid"
	OrderRefunded  = "refunded"
	OrderCancelled = "cancelled"
)

// Order records what a learner pays for an enrolment, in fen.
type Order struct {
	ID          int64        `json:"id"`
	EnrolmentID int64        `json:"enrolment_id"`
	UserID      int64        `json:"user_id"`
	UserName    string       `json:"user_name,omitempty"`
	UserEmail   string       `json:"user_email,omitempty"`
	ProgramID   int64        `json:"program_id"`
	Program     Text         `json:"program"`
	AmountFen   int64        `json:"amount_fen"`
	Currency    string       `json:"currency"`
	Provider    string       `json:"provider"`
	Status      string       `json:"status"`
	Reference   string       `json:"reference,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	PaidAt      *time.Time   `json:"paid_at,omitempty"`
	RefundedAt  *time.Time   `json:"refunded_at,omitempty"`
	CancelledAt *time.Time   `json:"cancelled_at,omitempty"`
	Events      []OrderEvent `json:"events,omitempty"`
}

// OrderEvent is one change of an order's status.
type OrderEvent struct {
	Status    string    `json:"status"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	Reference string    `json:"reference,omitempty"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// PaymentProvider decides how an order gets paid. The free provider pays
// zero-priced orders at once; the manual provider leaves an order pending
// until an operator confirms an offline payment with a reference.
type PaymentProvider interface {
	Name() string
	// PaidAtOnce reports whether a new order of this amount is paid when
	// it is placed.
	PaidAtOnce(amountFen int64) bool
}

type freeProvider struct{}

func (freeProvider) Name() string                 { return "free" }
func (freeProvider) PaidAtOnce(amount int64) bool { return amount == 0 }

type manualProvider struct{}

func (manualProvider) Name() string                 { return "manual" }
func (manualProvider) PaidAtOnce(amount int64) bool { return false }

// ProviderFor picks the payment provider of a price: free for 0, manual
// (offline payment confirmed by an operator) otherwise.
func ProviderFor(amountFen int64) PaymentProvider {
	if amountFen == 0 {
		return freeProvider{}
	}
	return manualProvider{}
}

// Employment statuses for income reports.
var EmploymentStatuses = []string{"employed", "self_employed", "freelance", "unemployed", "student", "other", "unspecified"}

// IncomeReport is a learner's statement of monthly income, the baseline for
// measuring outcomes. Reports are history: a change adds one.
type IncomeReport struct {
	ID               int64     `json:"id"`
	MonthlyIncomeFen *int64    `json:"monthly_income_fen"` // nil: not given
	Employment       string    `json:"employment"`
	Source           string    `json:"source"` // "enrolment", "profile", "survey"
	ReportedAt       time.Time `json:"reported_at"`
}

// Validate checks a report.
func (r *IncomeReport) Validate() error {
	f := map[string]string{}
	if r.MonthlyIncomeFen != nil && (*r.MonthlyIncomeFen < 0 || *r.MonthlyIncomeFen > 100_000_000_00) {
		f["monthly_income"] = "err.income"
	}
	ok := false
	for _, s := range EmploymentStatuses {
		ok = ok || s == r.Employment
	}
	if !ok {
		f["employment"] = "err.employment"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// Enrolment is a learner's place in a program. It gives access while its
// order is paid.
type Enrolment struct {
	ID          int64      `json:"id"`
	UserID      int64      `json:"user_id"`
	ProgramID   int64      `json:"program_id"`
	Program     Text       `json:"program"`
	Chain       string     `json:"chain"`
	Order       *Order     `json:"order"`
	Active      bool       `json:"active"`   // the order is paid
	Progress    int        `json:"progress"` // 0–100, from stored facts
	Completed   bool       `json:"completed"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	DueAt       *time.Time `json:"due_at,omitempty"` // paid_at + the program's duration
	OnTime      *bool      `json:"on_time,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// CourseProgress is what a learner has done of one course.
type CourseProgress struct {
	CourseID      int64            `json:"course_id"`
	LessonsDone   map[int64]bool   `json:"lessons_done"`
	ProjectStatus map[int64]string `json:"project_status"` // "", submitted, passed, revise
	RequiredItems int              `json:"required_items"`
	DoneItems     int              `json:"done_items"`
	Progress      int              `json:"progress"`
	Completed     bool             `json:"completed"`
	CompletedAt   *time.Time       `json:"completed_at,omitempty"`
}

// Submission states.
const (
	SubmissionSubmitted = "submitted"
	SubmissionPassed    = "passed"
	SubmissionRevise    = "revise"
)

// Submission is one version of a learner's work on a real project.
type Submission struct {
	ID             int64      `json:"id"`
	ProjectID      int64      `json:"project_id"`
	Project        Text       `json:"project"`
	CourseID       int64      `json:"course_id"`
	UserID         int64      `json:"user_id"`
	UserName       string     `json:"user_name,omitempty"`
	Version        int        `json:"version"`
	Body           string     `json:"body"`
	RepoURL        string     `json:"repo_url,omitempty"`
	DemoURL        string     `json:"demo_url,omitempty"`
	Status         string     `json:"status"`
	Files          []FileInfo `json:"files"`
	Review         *Review    `json:"review,omitempty"`
	IdempotencyKey string     `json:"-"`
	CreatedAt      time.Time  `json:"created_at"`
	Waiting        string     `json:"waiting,omitempty"` // how long it has waited, for the queue
}

// FileInfo describes a stored file; the bytes are fetched separately.
type FileInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Upload is a file a learner submits.
type Upload struct {
	Name        string
	ContentType string
	Data        []byte
}

// AllowedUploadTypes lists the content types a submission may carry, by
// extension: documents, images, audio, video, archives and code.
var AllowedUploadTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".psd": "image/vnd.adobe.photoshop", ".svg": "image/svg+xml", ".mp3": "audio/mpeg", ".wav": "audio/wav", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
	".mp4": "video/mp4", ".mov": "video/quicktime", ".zip": "application/zip", ".txt": "text/plain", ".md": "text/markdown",
	".csv": "text/csv", ".json": "application/json", ".py": "text/x-python", ".js": "text/javascript", ".ts": "text/plain", ".html": "text/html",
	".css": "text/css", ".sql": "text/plain", ".go": "text/plain", ".java": "text/plain", ".ipynb": "application/json", ".yaml": "text/plain", ".yml": "text/plain", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

// SubmissionInput is what a learner sends.
type SubmissionInput struct {
	ProjectID      int64
	Body           string
	RepoURL        string
	DemoURL        string
	Files          []Upload
	IdempotencyKey string
}

// Validate checks a submission against the file size limit.
func (in *SubmissionInput) Validate(maxFileBytes int64) error {
	f := map[string]string{}
	in.Body, in.RepoURL, in.DemoURL = strings.TrimSpace(in.Body), strings.TrimSpace(in.RepoURL), strings.TrimSpace(in.DemoURL)
	if in.Body == "" && in.RepoURL == "" && in.DemoURL == "" && len(in.Files) == 0 {
		f["body"] = "err.submission_empty"
	}
	if utf8.RuneCountInString(in.Body) > 50_000 {
		f["body"] = "err.too_long"
	}
	for field, u := range map[string]string{"repo_url": in.RepoURL, "demo_url": in.DemoURL} {
		if u != "" && !validURL(u) {
			f[field] = "err.url"
		}
	}
	if len(in.Files) > 10 {
		f["files"] = "err.too_many_files"
	}
	for _, file := range in.Files {
		if int64(len(file.Data)) > maxFileBytes {
			return &Error{Code: ETOOLARGE, Message: "err.file_too_large", Args: []any{file.Name, maxFileBytes / (1 << 20)}, Fields: map[string]string{"files": "err.file_too_large"}}
		}
		if len(file.Data) == 0 {
			f["files"] = "err.file_empty"
		}
		if _, ok := UploadType(file.Name); !ok {
			return &Error{Code: EINVALID, Message: "err.file_type", Args: []any{file.Name}, Fields: map[string]string{"files": "err.file_type_field"}}
		}
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// UploadType returns the content type of an allowed file name.
func UploadType(name string) (string, bool) {
	i := strings.LastIndex(name, ".")
	if i < 0 {
		return "", false
	}
	ct, ok := AllowedUploadTypes[strings.ToLower(name[i:])]
	return ct, ok
}

// Review results.
const (
	ReviewPassed = "passed"
	ReviewRevise = "revise"
)

// Review is an instructor's rubric assessment of a submission.
type Review struct {
	ID            int64     `json:"id"`
	SubmissionID  int64     `json:"submission_id"`
	ReviewerID    int64     `json:"reviewer_id"`
	ReviewerName  string    `json:"reviewer_name"`
	RubricVersion int       `json:"rubric_version"`
	Scores        []Score   `json:"scores"`
	Total         int       `json:"total"`
	MaxPoints     int       `json:"max_points"`
	PassMark      int       `json:"pass_mark"`
	Result        string    `json:"result"`
	Comment       string    `json:"comment"`
	CreatedAt     time.Time `json:"created_at"`
}

// Score is the level given on one rubric criterion.
type Score struct {
	CriterionKey string `json:"criterion_key"`
	Level        int    `json:"level"` // index into the criterion's levels
	Points       int    `json:"points"`
	Comment      string `json:"comment,omitempty"`
}

// ScoreReview checks that scores cover every criterion of rubric exactly
// once at an existing level, and returns the scored copy and the total.
func ScoreReview(r Rubric, scores []Score) ([]Score, int, error) {
	byKey := map[string]Score{}
	for _, s := range scores {
		if _, dup := byKey[s.CriterionKey]; dup {
			return nil, 0, Invalid(map[string]string{"scores": "err.score_duplicate"})
		}
		byKey[s.CriterionKey] = s
	}
	out := make([]Score, 0, len(r.Criteria))
	total := 0
	for _, c := range r.Criteria {
		s, ok := byKey[c.Key]
		if !ok {
			return nil, 0, &Error{Code: EINVALID, Message: "err.score_missing", Args: []any{c.Name.ZH}, Fields: map[string]string{"scores": "err.score_missing_field"}}
		}
		if s.Level < 0 || s.Level >= len(c.Levels) {
			return nil, 0, Invalid(map[string]string{"scores": "err.score_level"})
		}
		if utf8.RuneCountInString(s.Comment) > 5000 {
			return nil, 0, Invalid(map[string]string{"scores": "err.too_long"})
		}
		s.Points = c.Levels[s.Level].Points
		total += s.Points
		out = append(out, s)
		delete(byKey, c.Key)
	}
	if len(byKey) > 0 {
		return nil, 0, Invalid(map[string]string{"scores": "err.score_unknown"})
	}
	return out, total, nil
}

// SkillRecord is a learner's verified level of one skill with its evidence.
type SkillRecord struct {
	SkillID  string          `json:"skill_id"`
	Name     Text            `json:"name"`
	Level    int             `json:"level"`
	Evidence []SkillEvidence `json:"evidence"`
}

// SkillEvidence is a passed review that proves a skill at a level.
type SkillEvidence struct {
	Level     int       `json:"level"`
	ProjectID int64     `json:"project_id"`
	Project   Text      `json:"project"`
	ReviewID  int64     `json:"review_id"`
	Company   Text      `json:"company"`
	At        time.Time `json:"at"`
}

// Question is a learner's question on a course or one of its projects.
type Question struct {
	ID               int64      `json:"id"`
	CourseID         int64      `json:"course_id"`
	Course           Text       `json:"course"`
	ProjectID        int64      `json:"project_id,omitempty"`
	UserID           int64      `json:"user_id"`
	UserName         string     `json:"user_name"`
	Title            string     `json:"title"`
	Body             string     `json:"body"` // Markdown
	AcceptedAnswerID int64      `json:"accepted_answer_id,omitempty"`
	Answers          []*Answer  `json:"answers,omitempty"`
	AnswerCount      int        `json:"answer_count"`
	FirstAnswerAt    *time.Time `json:"first_answer_at,omitempty"`
	Overdue          bool       `json:"overdue"` // unanswered by an instructor past the limit
	CreatedAt        time.Time  `json:"created_at"`
}

// Answer is a reply in a question thread.
type Answer struct {
	ID           int64     `json:"id"`
	QuestionID   int64     `json:"question_id"`
	UserID       int64     `json:"user_id"`
	UserName     string    `json:"user_name"`
	ByInstructor bool      `json:"by_instructor"`
	Body         string    `json:"body"`
	CreatedAt    time.Time `json:"created_at"`
}

// ValidateQuestion checks a new question.
func ValidateQuestion(title, body string) error {
	f := map[string]string{}
	if t := strings.TrimSpace(title); t == "" {
		f["title"] = "err.required"
	} else if utf8.RuneCountInString(t) > 200 {
		f["title"] = "err.too_long"
	}
	if b := strings.TrimSpace(body); b == "" {
		f["body"] = "err.required"
	} else if utf8.RuneCountInString(b) > 20_000 {
		f["body"] = "err.too_long"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// AnswerStats is an instructor's service level over a window.
type AnswerStats struct {
	InstructorID  int64   `json:"instructor_id"`
	Name          string  `json:"name"`
	OpenQuestions int     `json:"open_questions"` // on their courses, no instructor answer yet
	Overdue       int     `json:"overdue"`        // open past the limit
	Answered      int     `json:"answered"`       // first instructor answers by them in the window
	MedianHours   float64 `json:"median_hours"`
	P90Hours      float64 `json:"p90_hours"`
	WindowDays    int     `json:"window_days"`
}

// Notification kinds.
const (
	NotifyReview      = "review"
	NotifyAnswer      = "answer"
	NotifyOrderPaid   = "order_paid"
	NotifyCompletion  = "completion"
	NotifyQuestion    = "question"
	NotifyCertificate = "certificate"
	// NotifyRefund tells a learner their order was refunded (access ended).
	NotifyRefund = "order_refunded"
	// NotifyCertStatus tells a holder their certificate was suspended,
	// reinstated or revoked.
	NotifyCertStatus = "certificate_status"
)

// Notification is an in-app message; the same event may also be mailed.
type Notification struct {
	ID        int64             `json:"id"`
	Kind      string            `json:"kind"`
	Params    map[string]string `json:"params"`
	Link      string            `json:"link"`
	Read      bool              `json:"read"`
	CreatedAt time.Time         `json:"created_at"`
}

// OrderFilter selects orders for operators.
type OrderFilter struct {
	Status    string
	ProgramID int64
	Q         string // learner name or email
	Limit     int
	Offset    int
}

// LearningService runs enrolment, progress, submissions, reviews, Q&A,
// completion and notifications. Every change is one transaction.
type LearningService interface {
	// Enrol places the learner in a published program with an order; a
	// second call returns the existing enrolment. income may be nil.
	Enrol(ctx context.Context, userID, programID int64, income *IncomeReport) (*Enrolment, bool, error)
	FindEnrolments(ctx context.Context, userID int64) ([]*Enrolment, error)
	FindEnrolment(ctx context.Context, userID, programID int64) (*Enrolment, error)
	// HasAccess reports whether the learner has a paid enrolment in the program.
	HasAccess(ctx context.Context, userID, programID int64) (bool, error)

	FindOrders(ctx context.Context, f OrderFilter) ([]*Order, int, error)
	FindOrderByID(ctx context.Context, id int64) (*Order, error)
	MarkOrderPaid(ctx context.Context, actorID, orderID int64, reference string) (*Order, error)
	RefundOrder(ctx context.Context, actorID, orderID int64, note string) (*Order, error)
	CancelOrder(ctx context.Context, actorID, orderID int64) (*Order, error)

	AddIncomeReport(ctx context.Context, userID int64, r *IncomeReport) error
	FindIncomeReports(ctx context.Context, userID int64) ([]*IncomeReport, error)

	MarkLessonDone(ctx context.Context, userID, lessonID int64) error
	CourseProgress(ctx context.Context, userID, courseID int64) (*CourseProgress, error)

	Submit(ctx context.Context, userID int64, in *SubmissionInput, maxFileBytes int64) (*Submission, error)
	FindSubmissionByID(ctx context.Context, id int64) (*Submission, error)
	FindSubmissions(ctx context.Context, userID, projectID int64) ([]*Submission, error)
	FindFile(ctx context.Context, fileID int64) (*FileInfo, int64, []byte, error) // info, submission id, bytes
	ReviewQueue(ctx context.Context, instructorID int64) ([]*Submission, error)
	ReviewSubmission(ctx context.Context, reviewerID, submissionID int64, scores []Score, comment string) (*Review, error)

	SkillProfile(ctx context.Context, userID int64) ([]*SkillRecord, error)

	AskQuestion(ctx context.Context, userID, courseID, projectID int64, title, body string) (*Question, error)
	FindQuestions(ctx context.Context, courseID int64) ([]*Question, error)
	FindQuestionByID(ctx context.Context, id int64) (*Question, error)
	AnswerQuestion(ctx context.Context, userID, questionID int64, body string) (*Answer, error)
	AcceptAnswer(ctx context.Context, userID, questionID, answerID int64) error
	AnswerStats(ctx context.Context, instructorID int64, windowDays int) (*AnswerStats, error)
	OverdueQuestions(ctx context.Context, courseID int64) ([]*Question, error)

	FindNotifications(ctx context.Context, userID int64, limit int) ([]*Notification, int, error) // with unread count
	UnreadCount(ctx context.Context, userID int64) (int, error)
	MarkNotificationsRead(ctx context.Context, userID int64) error
}

// OutboxMessage is an email waiting to be sent, written in the same
// transaction as the event it tells of.
type OutboxMessage struct {
	ID        int64             `json:"id"`
	To        string            `json:"to"`
	Lang      string            `json:"lang"`
	Kind      string            `json:"kind"`
	Params    map[string]string `json:"params"`
	Attempts  int               `json:"attempts"`
	CreatedAt time.Time         `json:"created_at"`
}

// OutboxStore is the durable queue behind outgoing mail. Claim leases due
// messages so that concurrent senders (several app servers) never take the
// same one; a message whose lease lapses (its sender died) is due again.
type OutboxStore interface {
	ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]*OutboxMessage, error)
	MarkOutboxSent(ctx context.Context, id int64) error
	// MarkOutboxFailed records a failed attempt; after maxAttempts the
	// message is given up ("failed") and kept for operators to see.
	MarkOutboxFailed(ctx context.Context, id int64, reason string, retryAt time.Time, maxAttempts int) error
	OutboxCounts(ctx context.Context) (map[string]int, error) // by status
}
