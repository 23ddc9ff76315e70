package demo

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"talentloop"
)

// The demo catalog is kept as JSON under data/: the partner companies, the
// staff (role accounts and instructors) and one file per program with its
// courses, lessons and real projects.
//
//go:embed data/companies.json data/people.json data/programs/*.json
var dataFS embed.FS

// Content is the parsed demo catalog.
type Content struct {
	Companies []*talentloop.Company
	People    []*Person
	Programs  []*ProgramSpec
}

// Person is a named demo account: one of the role accounts or an instructor.
type Person struct {
	Key     string            `json:"key"`
	Email   string            `json:"email"`
	Name    string            `json:"name"`
	Lang    string            `json:"lang"`
	Roles   []talentloop.Role `json:"roles"`
	Company string            `json:"company,omitempty"` // company slug
	Title   talentloop.Text   `json:"title"`             // instructors
	Bio     talentloop.Text   `json:"bio"`               // instructors
}

// IsInstructor reports whether p teaches.
func (p *Person) IsInstructor() bool {
	for _, r := range p.Roles {
		if r == talentloop.RoleInstructor {
			return true
		}
	}
	return false
}

// ProgramSpec is a program of the demo catalog.
type ProgramSpec struct {
	Slug          string                  `json:"slug"`
	Chain         string                  `json:"chain"`
	Title         talentloop.Text         `json:"title"`
	Summary       talentloop.Text         `json:"summary"`
	PriceFen      int64                   `json:"price_fen"`
	Level         string                  `json:"level"`
	DurationWeeks int                     `json:"duration_weeks"`
	Status        string                  `json:"status"`
	Skills        []talentloop.SkillLevel `json:"skills"`
	Occupations   []talentloop.Occupation `json:"occupations"`
	Courses       []*CourseSpec           `json:"courses"`
}

// CourseSpec is a course of a demo program.
type CourseSpec struct {
	Title       talentloop.Text `json:"title"`
	Summary     talentloop.Text `json:"summary"`
	Optional    bool            `json:"optional,omitempty"`
	Instructors []string        `json:"instructors"` // Person keys
	Lessons     []*LessonSpec   `json:"lessons"`
	Projects    []*ProjectSpec  `json:"projects"`
}

// LessonSpec is a lesson of a demo course.
type LessonSpec struct {
	Title    talentloop.Text `json:"title"`
	Body     talentloop.Text `json:"body"`
	Minutes  int             `json:"minutes"`
	VideoURL string          `json:"video_url,omitempty"`
	Optional bool            `json:"optional,omitempty"`
}

// ProjectSpec is a real project of a demo course.
type ProjectSpec struct {
	Company      string                  `json:"company"` // company slug
	Title        talentloop.Text         `json:"title"`
	RealWork     talentloop.Text         `json:"real_work"`
	Brief        talentloop.Text         `json:"brief"`
	Deliverables talentloop.Text         `json:"deliverables"`
	Level        int                     `json:"level"`
	Skills       []talentloop.SkillLevel `json:"skills"`
	Rubric       RubricSpec              `json:"rubric"`
	PassMark     int                     `json:"pass_mark,omitempty"` // default: 60% of the maximum, rounded up
	Optional     bool                    `json:"optional,omitempty"`
}

// RubricSpec is a rubric in short form: each criterion names its best
// score and the levels follow from a scale, unless it lists its own.
type RubricSpec struct {
	Scale    string          `json:"scale,omitempty"` // "4" (default) or "3"
	Criteria []CriterionSpec `json:"criteria"`
}

// CriterionSpec is a row of a rubric.
type CriterionSpec struct {
	Key         string                   `json:"key"`
	Name        talentloop.Text          `json:"name"`
	Description talentloop.Text          `json:"description"`
	Points      int                      `json:"points"`
	Levels      []talentloop.RubricLevel `json:"levels,omitempty"`
}

type scaleStep struct {
	name    talentloop.Text
	percent int
}

// scales are the rubric scales used by the demo: the share of a criterion's
// points that each level earns.
var scales = map[string][]scaleStep{
	"4": {
		{talentloop.Text{ZH: "优秀", EN: "Excellent"}, 100},
		{talentloop.Text{ZH: "良好", EN: "Good"}, 80},
		{talentloop.Text{ZH: "合格", EN: "Satisfactory"}, 60},
		{talentloop.Text{ZH: "待改进", EN: "Needs work"}, 30},
	},
	"3": {
		{talentloop.Text{ZH: "优秀", EN: "Excellent"}, 100},
		{talentloop.Text{ZH: "合格", EN: "Satisfactory"}, 60},
		{talentloop.Text{ZH: "待改进", EN: "Needs work"}, 20},
	},
}

// Rubric expands the short form into a talentloop.Rubric.
func (r RubricSpec) Rubric() (talentloop.Rubric, error) {
	scale := r.Scale
	if scale == "" {
		scale = "4"
	}
	steps, ok := scales[scale]
	if !ok {
		return talentloop.Rubric{}, fmt.Errorf("unknown rubric scale %q", r.Scale)
	}
	out := talentloop.Rubric{Version: 1}
	for _, c := range r.Criteria {
		levels := c.Levels
		if len(levels) == 0 {
			for _, s := range steps {
				levels = append(levels, talentloop.RubricLevel{Name: s.name, Points: (c.Points*s.percent + 50) / 100})
			}
		}
		out.Criteria = append(out.Criteria, talentloop.Criterion{Key: c.Key, Name: c.Name, Description: c.Description, Levels: levels})
	}
	return out, nil
}

// Program returns the program without its courses, as a draft.
func (p *ProgramSpec) Program() *talentloop.Program {
	return &talentloop.Program{
		Slug:          p.Slug,
		Chain:         p.Chain,
		Title:         p.Title,
		Summary:       p.Summary,
		PriceFen:      p.PriceFen,
		Currency:      "CNY",
		Level:         p.Level,
		DurationWeeks: p.DurationWeeks,
		Status:        talentloop.StatusDraft,
		Skills:        append([]talentloop.SkillLevel(nil), p.Skills...),
		Occupations:   append([]talentloop.Occupation(nil), p.Occupations...),
	}
}

// Published reports whether the program is published once loaded.
func (p *ProgramSpec) Published() bool { return p.Status == talentloop.StatusPublished }

// Course returns the course at position pos (from 1) of programID.
func (c *CourseSpec) Course(programID int64, pos int) *talentloop.Course {
	return &talentloop.Course{ProgramID: programID, Position: pos, Title: c.Title, Summary: c.Summary, Required: !c.Optional}
}

// Lesson returns the lesson at position pos (from 1) of courseID.
func (l *LessonSpec) Lesson(courseID int64, pos int) *talentloop.Lesson {
	return &talentloop.Lesson{CourseID: courseID, Position: pos, Title: l.Title, Body: l.Body, VideoURL: l.VideoURL, Minutes: l.Minutes, Required: !l.Optional}
}

// Project returns the project at position pos (from 1) of courseID, owned
// by companyID.
func (p *ProjectSpec) Project(courseID, companyID int64, pos int) (*talentloop.Project, error) {
	rubric, err := p.Rubric.Rubric()
	if err != nil {
		return nil, err
	}
	pass := p.PassMark
	if pass == 0 {
		pass = (rubric.MaxPoints()*60 + 99) / 100
	}
	return &talentloop.Project{
		CourseID:     courseID,
		Position:     pos,
		CompanyID:    companyID,
		Title:        p.Title,
		RealWork:     p.RealWork,
		Brief:        p.Brief,
		Deliverables: p.Deliverables,
		Level:        p.Level,
		Skills:       append([]talentloop.SkillLevel(nil), p.Skills...),
		Rubric:       rubric,
		PassMark:     pass,
		Required:     !p.Optional,
	}, nil
}

// Catalog parses the embedded demo catalog. Programs come in file-name order.
func Catalog() (*Content, error) {
	c := &Content{}
	if err := readJSON("data/companies.json", &c.Companies); err != nil {
		return nil, err
	}
	if err := readJSON("data/people.json", &c.People); err != nil {
		return nil, err
	}
	names, err := fs.Glob(dataFS, "data/programs/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		var p ProgramSpec
		if err := readJSON(name, &p); err != nil {
			return nil, err
		}
		c.Programs = append(c.Programs, &p)
	}
	return c, nil
}

func readJSON(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return err
	}
	if err := decodeStrict(b, v); err != nil {
		return fmt.Errorf("demo/%s: %w", name, err)
	}
	return nil
}

// decodeStrict decodes JSON and refuses fields v does not have, so that a
// misspelt key in the data is an error rather than a silent omission.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// Check validates the catalog against the skill taxonomy: every company,
// program, course, lesson and project passes its Validate, every reference
// (skill, company, instructor) resolves and slugs and emails are unique.
func (c *Content) Check(skills []*talentloop.Skill) error {
	known := map[string]bool{}
	for _, s := range skills {
		known[s.ID] = true
	}
	isKnown := func(id string) bool { return known[id] }
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	companies := map[string]bool{}
	for _, co := range c.Companies {
		if err := co.Validate(); err != nil {
			bad("company %q: %v", co.Slug, fields(err))
		}
		if companies[co.Slug] {
			bad("company %q: repeated", co.Slug)
		}
		companies[co.Slug] = true
	}
	people := map[string]*Person{}
	emails := map[string]bool{}
	for _, p := range c.People {
		if err := talentloop.ValidateRegistration(p.Email, p.Name, Password); err != nil {
			bad("person %q: %v", p.Key, fields(err))
		}
		if !strings.HasSuffix(p.Email, "@demo.test") || emails[p.Email] || people[p.Key] != nil {
			bad("person %q: email %q outside demo.test or repeated", p.Key, p.Email)
		}
		if p.Lang != "zh" && p.Lang != "en" {
			bad("person %q: lang %q", p.Key, p.Lang)
		}
		for _, r := range p.Roles {
			if !r.Valid() {
				bad("person %q: role %q", p.Key, r)
			}
		}
		if p.Company != "" && !companies[p.Company] {
			bad("person %q: unknown company %q", p.Key, p.Company)
		}
		if p.IsInstructor() && (p.Company == "" || p.Title.ZH == "" || p.Title.EN == "" || p.Bio.ZH == "" || p.Bio.EN == "") {
			bad("person %q: an instructor needs a company, a title and a bio in zh and en", p.Key)
		}
		people[p.Key] = p
		emails[p.Email] = true
	}
	for role, email := range Accounts {
		if !emails[email] {
			bad("account %s (%s) missing from people.json", email, role)
		}
	}
	slugs := map[string]bool{}
	for _, ps := range c.Programs {
		at := "program " + ps.Slug
		if err := ps.Program().Validate(isKnown); err != nil {
			bad("%s: %v", at, fields(err))
		}
		if ps.Status != talentloop.StatusDraft && ps.Status != talentloop.StatusPublished {
			bad("%s: status %q", at, ps.Status)
		}
		if slugs[ps.Slug] {
			bad("%s: repeated", at)
		}
		slugs[ps.Slug] = true
		if ps.Title.EN == "" || ps.Summary.ZH == "" || ps.Summary.EN == "" || len(ps.Skills) == 0 {
			bad("%s: needs an English title, a summary in zh and en, and skills", at)
		}
		if len(ps.Courses) < 2 || len(ps.Courses) > 4 {
			bad("%s: has %d courses, want 2–4", at, len(ps.Courses))
		}
		for i, cs := range ps.Courses {
			at := fmt.Sprintf("program %s course %d", ps.Slug, i+1)
			if err := cs.Course(1, i+1).Validate(); err != nil {
				bad("%s: %v", at, fields(err))
			}
			if cs.Title.EN == "" {
				bad("%s: no English title", at)
			}
			if len(cs.Lessons) < 3 || len(cs.Lessons) > 6 {
				bad("%s: has %d lessons, want 3–6", at, len(cs.Lessons))
			}
			if len(cs.Projects) < 1 || len(cs.Projects) > 2 {
				bad("%s: has %d projects, want 1–2", at, len(cs.Projects))
			}
			if len(cs.Instructors) < 1 || len(cs.Instructors) > 2 {
				bad("%s: has %d instructors, want 1–2", at, len(cs.Instructors))
			}
			for _, k := range cs.Instructors {
				if p := people[k]; p == nil || !p.IsInstructor() {
					bad("%s: %q is not an instructor", at, k)
				}
			}
			for j, ls := range cs.Lessons {
				at := fmt.Sprintf("%s lesson %d", at, j+1)
				if err := ls.Lesson(1, j+1).Validate(); err != nil {
					bad("%s: %v", at, fields(err))
				}
				if ls.Title.EN == "" || strings.TrimSpace(ls.Body.ZH) == "" || ls.Minutes < 1 {
					bad("%s: needs an English title, a Chinese body and minutes", at)
				}
				if j == 0 && strings.TrimSpace(ls.Body.EN) == "" {
					bad("%s: the first lesson of a course needs an English body", at)
				}
				if msg := markdownProblem(ls.Body); msg != "" {
					bad("%s: %s", at, msg)
				}
			}
			for j, pj := range cs.Projects {
				at := fmt.Sprintf("%s project %d", at, j+1)
				if !companies[pj.Company] {
					bad("%s: unknown company %q", at, pj.Company)
				}
				p, err := pj.Project(1, 1, j+1)
				if err != nil {
					bad("%s: %v", at, err)
					continue
				}
				if err := p.Validate(isKnown); err != nil {
					bad("%s: %v", at, fields(err))
				}
				if n := len(p.Rubric.Criteria); n < 3 || n > 5 {
					bad("%s: rubric has %d criteria, want 3–5", at, n)
				}
				for _, cr := range p.Rubric.Criteria {
					if len(cr.Levels) < 3 || len(cr.Levels) > 4 || cr.Name.EN == "" {
						bad("%s: criterion %q needs 3–4 levels and an English name", at, cr.Key)
					}
				}
				if p.Title.EN == "" || p.Brief.EN == "" || p.RealWork.ZH == "" || p.Deliverables.ZH == "" || len(p.Skills) == 0 {
					bad("%s: needs an English title and brief, the real work, deliverables and skills", at)
				}
				if msg := markdownProblem(p.Brief); msg != "" {
					bad("%s: %s", at, msg)
				}
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("demo catalog: %d problems:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// markdownProblem catches the slips of hand-written Markdown: an unclosed
// code fence, or a line indented by four spaces outside a fence, which would
// render as a code block.
func markdownProblem(t talentloop.Text) string {
	for _, body := range []string{t.ZH, t.EN} {
		fence := false
		for _, line := range strings.Split(body, "\n") {
			switch {
			case strings.HasPrefix(line, "```"):
				fence = !fence
			case !fence && strings.HasPrefix(line, "    "):
				return fmt.Sprintf("Markdown line indented as code outside a fence: %q", line)
			}
		}
		if fence {
			return "Markdown code fence left open"
		}
	}
	return ""
}

func fields(err error) string {
	if e, ok := err.(*talentloop.Error); ok && len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k, v := range e.Fields {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		return strings.Join(keys, ", ")
	}
	return err.Error()
}
