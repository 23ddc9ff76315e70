package talentloop

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Text is a string in 简体中文 (the default) and English.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// In returns the text in lang, falling back to the other language when that
// one is empty.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	if t.ZH != "" {
		return t.ZH
	}
	return t.EN
}

// IndustryChain is one of the five industry chains (产业链) the catalog is
// organised along.
type IndustryChain struct {
	Code        string `json:"code"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
	Programs    int    `json:"programs"` // published programs on this chain
}

// Chain codes.
var ChainCodes = []string{"it", "games", "visual-art", "sound", "live-streaming"}

// ValidChain reports whether code is one of the five chains.
func ValidChain(code string) bool {
	for _, c := range ChainCodes {
		if c == code {
			return true
		}
	}
	return false
}

// Skill is an entry of the skill taxonomy that ships with the repo.
type Skill struct {
	ID       string  `json:"id"`
	Name     Text    `json:"name"`
	Category string  `json:"category"`
	Chain    string  `json:"chain"`
	Levels   [5]Text `json:"levels"` // descriptors of levels 1–5
}

// SkillLevel is a skill at a level from 1 to 5.
type SkillLevel struct {
	SkillID string `json:"skill_id"`
	Level   int    `json:"level"`
	Name    Text   `json:"name,omitempty"` // filled when read
}

// Occupation is an occupation code, e.g. from 中华人民共和国职业分类大典 (2022).
type Occupation struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// Program states.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Program levels.
var ProgramLevels = []string{"beginner", "intermediate", "advanced"}

// Program is a 微专业 (micro-specialty): an ordered set of courses on one
// industry chain that leads to a certificate.
type Program struct {
	ID            int64        `json:"id"`
	Slug          string       `json:"slug"`
	Chain         string       `json:"chain"`
	Title         Text         `json:"title"`
	Summary       Text         `json:"summary"`
	PriceFen      int64        `json:"price_fen"`
	Currency      string       `json:"currency"`
	Level         string       `json:"level"`
	DurationWeeks int          `json:"duration_weeks"`
	Status        string       `json:"status"`
	Skills        []SkillLevel `json:"skills"`
	Occupations   []Occupation `json:"occupations"`
	Courses       []*Course    `json:"courses,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// Course is an ordered part of a program with lessons and real projects.
type Course struct {
	ID          int64               `json:"id"`
	ProgramID   int64               `json:"program_id"`
	Position    int                 `json:"position"`
	Title       Text                `json:"title"`
	Summary     Text                `json:"summary"`
	Required    bool                `json:"required"`
	Lessons     []*Lesson           `json:"lessons,omitempty"`
	Projects    []*Project          `json:"projects,omitempty"`
	Instructors []InstructorProfile `json:"instructors,omitempty"`
}

// Lesson is a Markdown lesson, optionally with a video.
type Lesson struct {
	ID       int64  `json:"id"`
	CourseID int64  `json:"course_id"`
	Position int    `json:"position"`
	Title    Text   `json:"title"`
	Body     Text   `json:"body"` // Markdown; sanitized when rendered
	VideoURL string `json:"video_url,omitempty"`
	Minutes  int    `json:"minutes"`
	Required bool   `json:"required"`
}

// Project is a real project (实战项目) taken from a partner company's work.
type Project struct {
	ID           int64        `json:"id"`
	CourseID     int64        `json:"course_id"`
	Position     int          `json:"position"`
	CompanyID    int64        `json:"company_id"`
	Company      Text         `json:"company"` // filled when read
	Title        Text         `json:"title"`
	RealWork     Text         `json:"real_work"` // the company work it mirrors
	Brief        Text         `json:"brief"`     // Markdown
	Deliverables Text         `json:"deliverables"`
	Level        int          `json:"level"`
	Skills       []SkillLevel `json:"skills"`
	Rubric       Rubric       `json:"rubric"`
	PassMark     int          `json:"pass_mark"`
	Required     bool         `json:"required"`
}

// Rubric is a grid of criteria × levels; each level is worth points.
type Rubric struct {
	Version  int         `json:"version"`
	Criteria []Criterion `json:"criteria"`
}

// Criterion is one row of a rubric.
type Criterion struct {
	Key         string        `json:"key"`
	Name        Text          `json:"name"`
	Description Text          `json:"description"`
	Levels      []RubricLevel `json:"levels"`
}

// RubricLevel is one cell of a rubric row.
type RubricLevel struct {
	Name   Text `json:"name"`
	Points int  `json:"points"`
}

// MaxPoints is the highest total a review can give.
func (r Rubric) MaxPoints() int {
	total := 0
	for _, c := range r.Criteria {
		best := 0
		for _, l := range c.Levels {
			best = max(best, l.Points)
		}
		total += best
	}
	return total
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

func validSlug(s string) bool { return slugRE.MatchString(s) }

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func checkText(f map[string]string, field string, t Text, required bool, maxRunes int) {
	switch {
	case required && strings.TrimSpace(t.ZH) == "":
		f[field+"_zh"] = "err.required"
	case utf8.RuneCountInString(t.ZH) > maxRunes:
		f[field+"_zh"] = "err.too_long"
	}
	if utf8.RuneCountInString(t.EN) > maxRunes {
		f[field+"_en"] = "err.too_long"
	}
}

func checkSkills(f map[string]string, skills []SkillLevel, known func(string) bool) {
	seen := map[string]bool{}
	for _, s := range skills {
		switch {
		case known != nil && !known(s.SkillID):
			f["skills"] = "err.unknown_skill"
		case s.Level < 1 || s.Level > 5:
			f["skills"] = "err.skill_level"
		case seen[s.SkillID]:
			f["skills"] = "err.duplicate_skill"
		}
		seen[s.SkillID] = true
	}
}

// Validate checks a program. known reports whether a skill id exists in the
// taxonomy; nil skips that check.
func (p *Program) Validate(known func(string) bool) error {
	f := map[string]string{}
	if !validSlug(p.Slug) {
		f["slug"] = "err.slug"
	}
	if !ValidChain(p.Chain) {
		f["chain"] = "err.chain"
	}
	checkText(f, "title", p.Title, true, 120)
	checkText(f, "summary", p.Summary, false, 2000)
	if p.PriceFen < 0 || p.PriceFen > 100_000_000 {
		f["price_fen"] = "err.price"
	}
	if p.Currency == "" {
		p.Currency = "CNY"
	}
	if p.Currency != "CNY" && p.Currency != "USD" {
		f["currency"] = "err.currency"
	}
	okLevel := false
	for _, l := range ProgramLevels {
		okLevel = okLevel || l == p.Level
	}
	if !okLevel {
		f["level"] = "err.level"
	}
	if p.DurationWeeks < 1 || p.DurationWeeks > 104 {
		f["duration_weeks"] = "err.duration"
	}
	if p.Status == "" {
		p.Status = StatusDraft
	}
	if p.Status != StatusDraft && p.Status != StatusPublished {
		f["status"] = "err.status"
	}
	checkSkills(f, p.Skills, known)
	for _, o := range p.Occupations {
		if !occupationRE.MatchString(o.Code) {
			f["occupations"] = "err.occupation"
		}
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// occupationRE matches codes of 职业分类大典 (e.g. 4-04-05-03) and ISCO-08
// (four digits) or O*NET-SOC (15-1254.00).
var occupationRE = regexp.MustCompile(`^(\d-\d{2}-\d{2}-\d{2}|\d{4}|\d{2}-\d{4}\.\d{2})$`)

// Validate checks a course.
func (c *Course) Validate() error {
	f := map[string]string{}
	checkText(f, "title", c.Title, true, 120)
	checkText(f, "summary", c.Summary, false, 2000)
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// Validate checks a lesson.
func (l *Lesson) Validate() error {
	f := map[string]string{}
	checkText(f, "title", l.Title, true, 120)
	checkText(f, "body", l.Body, false, 100_000)
	if l.VideoURL != "" && !validURL(l.VideoURL) {
		f["video_url"] = "err.url"
	}
	if l.Minutes < 0 || l.Minutes > 600 {
		f["minutes"] = "err.minutes"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// Validate checks a project and its rubric.
func (p *Project) Validate(known func(string) bool) error {
	f := map[string]string{}
	checkText(f, "title", p.Title, true, 120)
	checkText(f, "brief", p.Brief, true, 20_000)
	checkText(f, "real_work", p.RealWork, false, 2000)
	checkText(f, "deliverables", p.Deliverables, false, 5000)
	if p.CompanyID <= 0 {
		f["company_id"] = "err.required"
	}
	if p.Level < 1 || p.Level > 5 {
		f["level"] = "err.skill_level"
	}
	checkSkills(f, p.Skills, known)
	if err := p.Rubric.validate(); err != "" {
		f["rubric"] = err
	} else if p.PassMark < 1 || p.PassMark > p.Rubric.MaxPoints() {
		f["pass_mark"] = "err.pass_mark"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

func (r Rubric) validate() string {
	if len(r.Criteria) == 0 || len(r.Criteria) > 20 {
		return "err.rubric_criteria"
	}
	keys := map[string]bool{}
	for _, c := range r.Criteria {
		if strings.TrimSpace(c.Name.ZH) == "" || c.Key == "" || keys[c.Key] {
			return "err.rubric_criteria"
		}
		keys[c.Key] = true
		if len(c.Levels) < 2 || len(c.Levels) > 6 {
			return "err.rubric_levels"
		}
		for _, l := range c.Levels {
			if l.Points < 0 || l.Points > 100 || strings.TrimSpace(l.Name.ZH) == "" {
				return "err.rubric_levels"
			}
		}
	}
	return ""
}

// ProgramFilter selects programs.
type ProgramFilter struct {
	Chain         string
	Q             string // matched against titles and summaries, zh and en
	IncludeDrafts bool
	InstructorID  int64 // only programs with a course this instructor teaches
	Limit         int
	Offset        int
}

// Change is an entry of the audit trail shown to operators.
type Change struct {
	ID        int64     `json:"id"`
	ActorID   int64     `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"` // e.g. "program.create"
	Subject   string    `json:"subject"`
	At        time.Time `json:"at"`
}

// CatalogCounts summarises the catalog for operators.
type CatalogCounts struct {
	Programs  int `json:"programs"`
	Published int `json:"published"`
	Courses   int `json:"courses"`
	Lessons   int `json:"lessons"`
	Projects  int `json:"projects"`
	Skills    int `json:"skills"`
	Companies int `json:"companies"`
	Learners  int `json:"learners"`
}

// CatalogService manages chains, skills, programs, courses, lessons and
// projects. Methods that change things take the acting user's id for the
// audit trail; each change is one transaction.
type CatalogService interface {
	FindChains(ctx context.Context) ([]*IndustryChain, error)
	FindSkills(ctx context.Context) ([]*Skill, error)
	UpsertSkills(ctx context.Context, skills []*Skill) error

	FindPrograms(ctx context.Context, f ProgramFilter) ([]*Program, int, error)
	// FindProgramByID returns a program with its courses, lessons, projects
	// and instructors.
	FindProgramByID(ctx context.Context, id int64) (*Program, error)
	CreateProgram(ctx context.Context, actorID int64, p *Program) error
	UpdateProgram(ctx context.Context, actorID int64, p *Program) error

	FindCourseByID(ctx context.Context, id int64) (*Course, error)
	CreateCourse(ctx context.Context, actorID int64, c *Course) error
	UpdateCourse(ctx context.Context, actorID int64, c *Course) error
	SetCourseInstructors(ctx context.Context, actorID, courseID int64, userIDs []int64) error
	// IsCourseInstructor reports whether userID teaches courseID.
	IsCourseInstructor(ctx context.Context, courseID, userID int64) (bool, error)

	FindLessonByID(ctx context.Context, id int64) (*Lesson, error)
	CreateLesson(ctx context.Context, actorID int64, l *Lesson) error
	UpdateLesson(ctx context.Context, actorID int64, l *Lesson) error

	FindProjectByID(ctx context.Context, id int64) (*Project, error)
	FindProjects(ctx context.Context, companyID int64) ([]*Project, error)
	CreateProject(ctx context.Context, actorID int64, p *Project) error
	UpdateProject(ctx context.Context, actorID int64, p *Project) error

	Counts(ctx context.Context) (*CatalogCounts, error)
	RecentChanges(ctx context.Context, limit int) ([]*Change, error)
}
