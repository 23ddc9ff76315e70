package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// The texts of the learning history are kept as JSON under
// data/learning/, one file per program: what learners wrote when they
// submitted each real project, what instructors wrote when they passed it
// or asked for a revision (and what the learner changed in return), and
// the questions learners asked on the courses with the instructors'
// answers.
//
//go:embed data/learning/*.json
var historyFS embed.FS

// ProgramHistory is the text of one program's learning history.
type ProgramHistory struct {
	Program   string                  `json:"program"`  // program slug
	Projects  map[string]*ProjectText `json:"projects"` // by the project's Chinese title
	Questions []*QuestionText         `json:"questions"`
}

// ProjectText is what is written about one real project.
type ProjectText struct {
	Submission string        `json:"submission"` // Markdown, the learner's first version
	Passed     []string      `json:"passed"`     // review comments that pass it
	Revise     []*ReviseText `json:"revise"`     // review comments that ask for a revision
}

// ReviseText is a review that asks for a revision: the criterion that
// falls short, the comment, and what the learner changed in the next
// version.
type ReviseText struct {
	Weak    string `json:"weak"` // criterion key
	Comment string `json:"comment"`
	Fix     string `json:"fix"`
}

// QuestionText is a question thread on a course.
type QuestionText struct {
	Course  int    `json:"course"`            // position of the course, from 1
	Project string `json:"project,omitempty"` // Chinese title of one of its projects
	Asker   string `json:"asker,omitempty"`   // a Person key; empty: a generated learner
	Title   string `json:"title"`
	Body    string `json:"body"`
	Answer  string `json:"answer"`           // the instructor's answer
	Peer    string `json:"peer,omitempty"`   // a fellow learner's reply
	Thanks  string `json:"thanks,omitempty"` // the asker's reply to the answer
}

// Histories parses the embedded learning-history texts, by program slug.
func Histories() (map[string]*ProgramHistory, error) {
	names, err := fs.Glob(historyFS, "data/learning/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := map[string]*ProgramHistory{}
	for _, name := range names {
		b, err := historyFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var h ProgramHistory
		if err := decodeStrict(b, &h); err != nil {
			return nil, fmt.Errorf("demo/%s: %w", name, err)
		}
		if out[h.Program] != nil {
			return nil, fmt.Errorf("demo/%s: program %s has two history files", name, h.Program)
		}
		out[h.Program] = &h
	}
	return out, nil
}

// CheckHistories reports the first place where the history texts do not
// fit the catalog: every published program needs its texts, every project
// its submission and comments, and every weak criterion, course and
// project named must exist.
func (c *Content) CheckHistories(hs map[string]*ProgramHistory) error {
	people := map[string]bool{}
	for _, p := range c.People {
		people[p.Key] = true
	}
	programs := map[string]*ProgramSpec{}
	for _, p := range c.Programs {
		programs[p.Slug] = p
	}
	for slug := range hs {
		if programs[slug] == nil {
			return fmt.Errorf("learning history for unknown program %s", slug)
		}
	}
	for _, p := range c.Programs {
		h := hs[p.Slug]
		if h == nil {
			if p.Published() {
				return fmt.Errorf("program %s: no learning history", p.Slug)
			}
			continue
		}
		titles := map[string]bool{}
		for _, cs := range p.Courses {
			for _, pj := range cs.Projects {
				titles[pj.Title.ZH] = true
				t := h.Projects[pj.Title.ZH]
				switch {
				case t == nil:
					return fmt.Errorf("program %s: no texts for project %s", p.Slug, pj.Title.ZH)
				case strings.TrimSpace(t.Submission) == "" || len(t.Passed) == 0 || len(t.Revise) == 0:
					return fmt.Errorf("program %s, project %s: a submission, passed and revise comments are required", p.Slug, pj.Title.ZH)
				}
				for _, r := range t.Revise {
					found := false
					for _, cr := range pj.Rubric.Criteria {
						found = found || cr.Key == r.Weak
					}
					if !found || r.Comment == "" || r.Fix == "" {
						return fmt.Errorf("program %s, project %s: revise comment on unknown criterion %q, or without comment or fix", p.Slug, pj.Title.ZH, r.Weak)
					}
				}
			}
		}
		for title := range h.Projects {
			if !titles[title] {
				return fmt.Errorf("program %s: texts for unknown project %s", p.Slug, title)
			}
		}
		for _, q := range h.Questions {
			if q.Course < 1 || q.Course > len(p.Courses) {
				return fmt.Errorf("program %s, question %q: no course %d", p.Slug, q.Title, q.Course)
			}
			if q.Project != "" {
				found := false
				for _, pj := range p.Courses[q.Course-1].Projects {
					found = found || pj.Title.ZH == q.Project
				}
				if !found {
					return fmt.Errorf("program %s, question %q: project %s is not in course %d", p.Slug, q.Title, q.Project, q.Course)
				}
			}
			if q.Asker != "" && !people[q.Asker] {
				return fmt.Errorf("program %s, question %q: unknown asker %s", p.Slug, q.Title, q.Asker)
			}
			if strings.TrimSpace(q.Title) == "" || strings.TrimSpace(q.Body) == "" || strings.TrimSpace(q.Answer) == "" {
				return fmt.Errorf("program %s: a question needs a title, a body and an answer", p.Slug)
			}
		}
	}
	return nil
}
