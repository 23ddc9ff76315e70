package web

import (
	"context"
	"net/http"
	"strings"

	"talentloop"
)

// canSeeProgram: published programs are public; drafts are seen by operators
// and by the instructors of their courses.
func (s *Server) canSeeProgram(ctx context.Context, u *talentloop.User, p *talentloop.Program) bool {
	if p.Status == talentloop.StatusPublished || u.HasRole(talentloop.RoleOperator) {
		return true
	}
	if !u.HasRole(talentloop.RoleInstructor) {
		return false
	}
	for _, c := range p.Courses {
		for _, in := range c.Instructors {
			if in.UserID == u.ID {
				return true
			}
		}
	}
	return false
}

// visibleProgram loads a program, hiding drafts from those who may not see
// them behind a plain not-found.
func (s *Server) visibleProgram(r *http.Request, id int64) (*talentloop.Program, error) {
	p, err := s.Catalog.FindProgramByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !s.canSeeProgram(r.Context(), state(r).user, p) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
	}
	return p, nil
}

// pathProgram loads the program named by the {id} path value, with the
// visibility rule of visibleProgram.
func (s *Server) pathProgram(r *http.Request) (*talentloop.Program, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.visibleProgram(r, id)
}

// visibleCourse loads a course and its program, with the same rule.
func (s *Server) visibleCourse(r *http.Request, id int64) (*talentloop.Course, *talentloop.Program, error) {
	c, err := s.Catalog.FindCourseByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.visibleProgram(r, c.ProgramID)
	if err != nil {
		return nil, nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.course_not_found")
	}
	return c, p, nil
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	chains, err := s.Catalog.FindChains(r.Context())
	if err != nil {
		return err
	}
	programs, total, err := s.Catalog.FindPrograms(r.Context(), talentloop.ProgramFilter{Limit: 200})
	if err != nil {
		return err
	}
	// Feature the first program of each chain, then fill up to six.
	var featured []*talentloop.Program
	seen := map[string]bool{}
	for _, p := range programs {
		if !seen[p.Chain] {
			featured, seen[p.Chain] = append(featured, p), true
		}
	}
	for _, p := range programs {
		if len(featured) >= 6 {
			break
		}
		dup := false
		for _, f := range featured {
			dup = dup || f.ID == p.ID
		}
		if !dup {
			featured = append(featured, p)
		}
	}
	if len(featured) > 6 {
		featured = featured[:6]
	}
	lang := state(r).lang
	s.render(w, r, 200, "home", &page{Title: tr(lang, "title.home"), Data: map[string]any{"Chains": chains, "Featured": featured, "Total": total}})
	return nil
}

func (s *Server) handleChain(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	chains, err := s.Catalog.FindChains(r.Context())
	if err != nil {
		return err
	}
	var chain *talentloop.IndustryChain
	for _, c := range chains {
		if c.Code == code {
			chain = c
		}
	}
	if chain == nil {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.chain_not_found")
	}
	programs, _, err := s.Catalog.FindPrograms(r.Context(), talentloop.ProgramFilter{Chain: code, Limit: 200})
	if err != nil {
		return err
	}
	lang := state(r).lang
	s.render(w, r, 200, "chain", &page{Title: chain.Name.In(lang), Data: map[string]any{"Chain": chain, "Chains": chains, "Programs": programs}})
	return nil
}

func (s *Server) handlePrograms(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	chain := r.URL.Query().Get("chain")
	if chain != "" && !talentloop.ValidChain(chain) {
		chain = ""
	}
	programs, total, err := s.Catalog.FindPrograms(r.Context(), talentloop.ProgramFilter{Q: q, Chain: chain, Limit: 200})
	if err != nil {
		return err
	}
	chains, err := s.Catalog.FindChains(r.Context())
	if err != nil {
		return err
	}
	lang := state(r).lang
	s.render(w, r, 200, "programs", &page{Title: tr(lang, "title.programs"), Data: map[string]any{"Programs": programs, "Total": total, "Q": q, "SearchQ": q, "Chain": chain, "Chains": chains}})
	return nil
}

func (s *Server) handleProgram(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathProgram(r)
	if err != nil {
		return err
	}
	lessons, projects, minutes := 0, 0, 0
	instructors := map[int64]talentloop.InstructorProfile{}
	var order []int64
	for _, c := range p.Courses {
		lessons += len(c.Lessons)
		projects += len(c.Projects)
		for _, l := range c.Lessons {
			minutes += l.Minutes
		}
		for _, in := range c.Instructors {
			if _, ok := instructors[in.UserID]; !ok {
				order = append(order, in.UserID)
			}
			instructors[in.UserID] = in
		}
	}
	var ins []talentloop.InstructorProfile
	for _, id := range order {
		ins = append(ins, instructors[id])
	}
	lang := state(r).lang
	u := state(r).user
	var enrolment *talentloop.Enrolment
	if u.HasRole(talentloop.RoleLearner) {
		if enrolment, err = s.Learning.FindEnrolment(r.Context(), u.ID, p.ID); talentloop.ErrorCode(err) == talentloop.ENOTFOUND {
			enrolment = nil
		} else if err != nil {
			return err
		}
	}
	s.render(w, r, 200, "program", &page{Title: p.Title.In(lang), Data: map[string]any{"Program": p, "Lessons": lessons, "Projects": projects,
		"Hours": (minutes + 59) / 60, "Instructors": ins, "CanEdit": u.HasRole(talentloop.RoleOperator), "Enrolment": enrolment,
		"IsLearner": u.HasRole(talentloop.RoleLearner), "SignedIn": u != nil}})
	return nil
}

func (s *Server) handleCourse(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, p, err := s.visibleCourse(r, id)
	if err != nil {
		return err
	}
	u := state(r).user
	canEdit, _ := s.canEditCourse(r.Context(), u, c.ID)
	progress, enrolled, err := s.learnerProgress(r.Context(), u, p.ID, c.ID)
	if err != nil {
		return err
	}
	var overdue []*talentloop.Question
	if canEdit {
		if overdue, err = s.Learning.OverdueQuestions(r.Context(), c.ID); err != nil {
			return err
		}
	}
	inst, _ := s.Catalog.IsCourseInstructor(r.Context(), c.ID, u.ID)
	lang := state(r).lang
	s.render(w, r, 200, "course", &page{Title: c.Title.In(lang), Data: map[string]any{"Course": c, "Program": p, "CanEdit": canEdit,
		"Enrolled": enrolled, "Progress": progress, "Overdue": overdue, "CanQA": enrolled || inst || u.HasRole(talentloop.RoleOperator)}})
	return nil
}

func (s *Server) handleLesson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.Catalog.FindLessonByID(r.Context(), id)
	if err != nil {
		return err
	}
	c, p, err := s.visibleCourse(r, l.CourseID)
	if err != nil {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.lesson_not_found")
	}
	var prev, next *talentloop.Lesson
	for i, x := range c.Lessons {
		if x.ID == l.ID {
			if i > 0 {
				prev = c.Lessons[i-1]
			}
			if i+1 < len(c.Lessons) {
				next = c.Lessons[i+1]
			}
		}
	}
	lang := state(r).lang
	progress, enrolled, err := s.learnerProgress(r.Context(), state(r).user, p.ID, c.ID)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "lesson", &page{Title: l.Title.In(lang), Data: map[string]any{"Lesson": l, "Course": c, "Program": p, "Prev": prev, "Next": next,
		"Enrolled": enrolled, "Progress": progress}})
	return nil
}

func (s *Server) handleProject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.projectPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "project", p)
	return nil
}

// projectPage shows a project; a learner with access also sees their
// versions and, when they may submit, the form.
func (s *Server) projectPage(r *http.Request, id int64) (*page, error) {
	pr, err := s.Catalog.FindProjectByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	c, p, err := s.visibleCourse(r, pr.CourseID)
	if err != nil {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.project_not_found")
	}
	u := state(r).user
	data := map[string]any{"Project": pr, "Course": c, "Program": p, "MaxPoints": pr.Rubric.MaxPoints(), "IdempotencyKey": randomToken()}
	if u.HasRole(talentloop.RoleLearner) {
		ok, err := s.Learning.HasAccess(r.Context(), u.ID, p.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			subs, err := s.Learning.FindSubmissions(r.Context(), u.ID, id)
			if err != nil {
				return nil, err
			}
			canSubmit := len(subs) == 0 || subs[0].Status == talentloop.SubmissionRevise
			data["Enrolled"], data["Submissions"], data["CanSubmit"] = true, subs, canSubmit
		}
	}
	data["MaxFileMB"] = s.Config.MaxFileBytes >> 20
	return &page{Title: pr.Title.In(state(r).lang), Data: data}, nil
}

func (s *Server) handleSkills(w http.ResponseWriter, r *http.Request) error {
	skills, err := s.Catalog.FindSkills(r.Context())
	if err != nil {
		return err
	}
	chains, err := s.Catalog.FindChains(r.Context())
	if err != nil {
		return err
	}
	byChain := map[string][]*talentloop.Skill{}
	for _, sk := range skills {
		byChain[sk.Chain] = append(byChain[sk.Chain], sk)
	}
	lang := state(r).lang
	s.render(w, r, 200, "skills", &page{Title: tr(lang, "title.skills"), Data: map[string]any{"Chains": chains, "ByChain": byChain, "Count": len(skills)}})
	return nil
}
