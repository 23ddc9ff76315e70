package web

import (
	"context"
	"net/http"
	"strconv"

	"talentloop"
)

// canEditCourse: operators edit every course, instructors the ones they teach.
func (s *Server) canEditCourse(ctx context.Context, u *talentloop.User, courseID int64) (bool, error) {
	if u.HasRole(talentloop.RoleOperator) {
		return true, nil
	}
	if !u.HasRole(talentloop.RoleInstructor) {
		return false, nil
	}
	return s.Catalog.IsCourseInstructor(ctx, courseID, u.ID)
}

// mustEditCourse returns EFORBIDDEN unless the caller may edit the course.
func (s *Server) mustEditCourse(r *http.Request, courseID int64) error {
	if _, err := s.Catalog.FindCourseByID(r.Context(), courseID); err != nil {
		return err
	}
	ok, err := s.canEditCourse(r.Context(), state(r).user, courseID)
	if err != nil {
		return err
	}
	if !ok {
		return talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_your_course")
	}
	return nil
}

func (s *Server) handleAdminPrograms(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	f := talentloop.ProgramFilter{IncludeDrafts: true, Limit: 200}
	if !st.user.HasRole(talentloop.RoleOperator) {
		f.InstructorID = st.user.ID
	}
	programs, _, err := s.Catalog.FindPrograms(r.Context(), f)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "admin_programs", &page{Title: tr(st.lang, "title.admin_programs"), Data: map[string]any{"Programs": programs}})
	return nil
}

func (s *Server) programFormPage(r *http.Request, title string, p *talentloop.Program) (*page, error) {
	chains, err := s.Catalog.FindChains(r.Context())
	if err != nil {
		return nil, err
	}
	return &page{Title: title, Form: programForm(p), Data: map[string]any{"Program": p, "Chains": chains, "Levels": talentloop.ProgramLevels}}, nil
}

func (s *Server) handleProgramNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.programFormPage(r, tr(state(r).lang, "title.program_new"), &talentloop.Program{Chain: "it", Currency: "CNY", Level: "beginner", DurationWeeks: 8, Status: talentloop.StatusDraft})
	if err != nil {
		return err
	}
	s.render(w, r, 200, "program_form", p)
	return nil
}

func (s *Server) handleProgramCreate(w http.ResponseWriter, r *http.Request) error {
	prog := &talentloop.Program{}
	bad := programFromForm(r, prog)
	pg, err := s.programFormPage(r, tr(state(r).lang, "title.program_new"), prog)
	if err != nil {
		return err
	}
	pg.Form = nil
	if len(bad) > 0 {
		return s.formError(w, r, "program_form", pg, mergeFields(bad, prog.Validate(nil)))
	}
	if err := s.Catalog.CreateProgram(r.Context(), state(r).user.ID, prog); err != nil {
		return s.formError(w, r, "program_form", pg, err)
	}
	return s.redirect(w, r, "/admin/programs/"+idString(prog.ID)+"/edit", "flash.saved")
}

func (s *Server) handleProgramEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	prog, err := s.Catalog.FindProgramByID(r.Context(), id)
	if err != nil {
		return err
	}
	pg, err := s.programFormPage(r, prog.Title.In(state(r).lang), prog)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "program_form", pg)
	return nil
}

func (s *Server) handleProgramUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	prog, err := s.Catalog.FindProgramByID(r.Context(), id)
	if err != nil {
		return err
	}
	bad := programFromForm(r, prog)
	pg, err := s.programFormPage(r, prog.Title.In(state(r).lang), prog)
	if err != nil {
		return err
	}
	pg.Form = nil
	if len(bad) > 0 {
		return s.formError(w, r, "program_form", pg, mergeFields(bad, prog.Validate(nil)))
	}
	if err := s.Catalog.UpdateProgram(r.Context(), state(r).user.ID, prog); err != nil {
		return s.formError(w, r, "program_form", pg, err)
	}
	return s.redirect(w, r, "/admin/programs/"+idString(prog.ID)+"/edit", "flash.saved")
}

// Courses.

func (s *Server) courseFormPage(r *http.Request, title string, c *talentloop.Course) (*page, error) {
	prog, err := s.Catalog.FindProgramByID(r.Context(), c.ProgramID)
	if err != nil {
		return nil, err
	}
	instructors, _, err := s.Users.FindUsers(r.Context(), talentloop.UserFilter{Role: talentloop.RoleInstructor, Limit: 500})
	if err != nil {
		return nil, err
	}
	assigned := map[int64]bool{}
	for _, in := range c.Instructors {
		assigned[in.UserID] = true
	}
	return &page{Title: title, Form: map[string]string{"title_zh": c.Title.ZH, "title_en": c.Title.EN, "summary_zh": c.Summary.ZH, "summary_en": c.Summary.EN,
		"required": checked(c.Required), "position": strconv.Itoa(c.Position)},
		Data: map[string]any{"Course": c, "Program": prog, "Instructors": instructors, "Assigned": assigned, "IsOperator": state(r).user.HasRole(talentloop.RoleOperator)}}, nil
}

func (s *Server) handleCourseNew(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pg, err := s.courseFormPage(r, tr(state(r).lang, "title.course_new"), &talentloop.Course{ProgramID: id, Required: true})
	if err != nil {
		return err
	}
	s.render(w, r, 200, "course_form", pg)
	return nil
}

func courseFromForm(r *http.Request, c *talentloop.Course) {
	c.Title, c.Summary = formText(r, "title"), formText(r, "summary")
	c.Required = r.PostFormValue("required") != ""
	if pos, ok := formInt(r, "position"); ok && pos > 0 {
		c.Position = pos
	}
}

func (s *Server) setInstructorsFromForm(r *http.Request, courseID int64) error {
	if !state(r).user.HasRole(talentloop.RoleOperator) || r.PostFormValue("instructors_present") == "" {
		return nil
	}
	want := map[int64]bool{}
	var ids []int64
	for _, v := range r.PostForm["instructors"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && !want[id] {
			ids = append(ids, id)
			want[id] = true
		}
	}
	// Saving the form unchanged must not record a change.
	c, err := s.Catalog.FindCourseByID(r.Context(), courseID)
	if err != nil {
		return err
	}
	same := len(c.Instructors) == len(ids)
	for _, in := range c.Instructors {
		same = same && want[in.UserID]
	}
	if same {
		return nil
	}
	return s.Catalog.SetCourseInstructors(r.Context(), state(r).user.ID, courseID, ids)
}

func (s *Server) handleCourseCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c := &talentloop.Course{ProgramID: id}
	r.ParseForm()
	courseFromForm(r, c)
	pg, err := s.courseFormPage(r, tr(state(r).lang, "title.course_new"), c)
	if err != nil {
		return err
	}
	pg.Form = nil
	if err := s.Catalog.CreateCourse(r.Context(), state(r).user.ID, c); err != nil {
		return s.formError(w, r, "course_form", pg, err)
	}
	if err := s.setInstructorsFromForm(r, c.ID); err != nil {
		return err
	}
	return s.redirect(w, r, "/admin/courses/"+idString(c.ID)+"/edit", "flash.saved")
}

func (s *Server) handleCourseEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	c, err := s.Catalog.FindCourseByID(r.Context(), id)
	if err != nil {
		return err
	}
	pg, err := s.courseFormPage(r, c.Title.In(state(r).lang), c)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "course_form", pg)
	return nil
}

func (s *Server) handleCourseUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	c, err := s.Catalog.FindCourseByID(r.Context(), id)
	if err != nil {
		return err
	}
	r.ParseForm()
	courseFromForm(r, c)
	pg, err := s.courseFormPage(r, c.Title.In(state(r).lang), c)
	if err != nil {
		return err
	}
	pg.Form = nil
	if err := s.Catalog.UpdateCourse(r.Context(), state(r).user.ID, c); err != nil {
		return s.formError(w, r, "course_form", pg, err)
	}
	if err := s.setInstructorsFromForm(r, c.ID); err != nil {
		return s.formError(w, r, "course_form", pg, err)
	}
	return s.redirect(w, r, "/admin/courses/"+idString(c.ID)+"/edit", "flash.saved")
}

// Lessons.

func (s *Server) lessonFormPage(r *http.Request, title string, l *talentloop.Lesson) (*page, error) {
	c, err := s.Catalog.FindCourseByID(r.Context(), l.CourseID)
	if err != nil {
		return nil, err
	}
	return &page{Title: title, Form: lessonForm(l), Data: map[string]any{"Lesson": l, "Course": c}}, nil
}

func (s *Server) handleLessonNew(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	pg, err := s.lessonFormPage(r, tr(state(r).lang, "title.lesson_new"), &talentloop.Lesson{CourseID: id, Required: true, Minutes: 30})
	if err != nil {
		return err
	}
	pg.Form["position"] = ""
	s.render(w, r, 200, "lesson_form", pg)
	return nil
}

func (s *Server) handleLessonCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	l := &talentloop.Lesson{CourseID: id}
	bad := lessonFromForm(r, l)
	pg, err := s.lessonFormPage(r, tr(state(r).lang, "title.lesson_new"), l)
	if err != nil {
		return err
	}
	pg.Form = nil
	if len(bad) > 0 {
		return s.formError(w, r, "lesson_form", pg, mergeFields(bad, l.Validate()))
	}
	if err := s.Catalog.CreateLesson(r.Context(), state(r).user.ID, l); err != nil {
		return s.formError(w, r, "lesson_form", pg, err)
	}
	return s.redirect(w, r, "/admin/courses/"+idString(id)+"/edit", "flash.saved")
}

func (s *Server) handleLessonEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.Catalog.FindLessonByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, l.CourseID); err != nil {
		return err
	}
	pg, err := s.lessonFormPage(r, l.Title.In(state(r).lang), l)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "lesson_form", pg)
	return nil
}

func (s *Server) handleLessonUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.Catalog.FindLessonByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, l.CourseID); err != nil {
		return err
	}
	bad := lessonFromForm(r, l)
	pg, err := s.lessonFormPage(r, l.Title.In(state(r).lang), l)
	if err != nil {
		return err
	}
	pg.Form = nil
	if len(bad) > 0 {
		return s.formError(w, r, "lesson_form", pg, mergeFields(bad, l.Validate()))
	}
	if err := s.Catalog.UpdateLesson(r.Context(), state(r).user.ID, l); err != nil {
		return s.formError(w, r, "lesson_form", pg, err)
	}
	return s.redirect(w, r, "/admin/courses/"+idString(l.CourseID)+"/edit", "flash.saved")
}

// Projects.

func (s *Server) projectFormPage(r *http.Request, title string, p *talentloop.Project) (*page, error) {
	c, err := s.Catalog.FindCourseByID(r.Context(), p.CourseID)
	if err != nil {
		return nil, err
	}
	companies, err := s.Users.FindCompanies(r.Context())
	if err != nil {
		return nil, err
	}
	return &page{Title: title, Form: projectForm(p), Data: map[string]any{"Project": p, "Course": c, "Companies": companies}}, nil
}

func (s *Server) handleProjectNew(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	p := &talentloop.Project{CourseID: id, Level: 2, Required: true, CompanyID: state(r).user.CompanyID, PassMark: 18,
		Rubric: talentloop.Rubric{Criteria: []talentloop.Criterion{
			{Key: "quality", Name: talentloop.Text{ZH: "完成质量", EN: "Quality"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "待改进"}, Points: 0}, {Name: talentloop.Text{ZH: "合格"}, Points: 6}, {Name: talentloop.Text{ZH: "良好"}, Points: 8}, {Name: talentloop.Text{ZH: "优秀"}, Points: 10}}},
			{Key: "process", Name: talentloop.Text{ZH: "工作规范", EN: "Process"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "待改进"}, Points: 0}, {Name: talentloop.Text{ZH: "合格"}, Points: 6}, {Name: talentloop.Text{ZH: "良好"}, Points: 8}, {Name: talentloop.Text{ZH: "优秀"}, Points: 10}}},
			{Key: "communication", Name: talentloop.Text{ZH: "沟通与文档", EN: "Communication"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "待改进"}, Points: 0}, {Name: talentloop.Text{ZH: "合格"}, Points: 6}, {Name: talentloop.Text{ZH: "良好"}, Points: 8}, {Name: talentloop.Text{ZH: "优秀"}, Points: 10}}},
		}}}
	pg, err := s.projectFormPage(r, tr(state(r).lang, "title.project_new"), p)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "project_form", pg)
	return nil
}

func (s *Server) handleProjectCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	p := &talentloop.Project{CourseID: id}
	bad := projectFromForm(r, p)
	pg, err := s.projectFormPage(r, tr(state(r).lang, "title.project_new"), p)
	if err != nil {
		return err
	}
	pg.Form = nil
	if len(bad) > 0 {
		return s.formError(w, r, "project_form", pg, mergeFields(bad, p.Validate(nil)))
	}
	if err := s.Catalog.CreateProject(r.Context(), state(r).user.ID, p); err != nil {
		return s.formError(w, r, "project_form", pg, err)
	}
	return s.redirect(w, r, "/admin/courses/"+idString(id)+"/edit", "flash.saved")
}

func (s *Server) handleProjectEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Catalog.FindProjectByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, p.CourseID); err != nil {
		return err
	}
	pg, err := s.projectFormPage(r, p.Title.In(state(r).lang), p)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "project_form", pg)
	return nil
}

func (s *Server) handleProjectUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Catalog.FindProjectByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, p.CourseID); err != nil {
		return err
	}
	bad := projectFromForm(r, p)
	pg, err := s.projectFormPage(r, p.Title.In(state(r).lang), p)
	if err != nil {
		return err
	}
	pg.Form = nil
	if len(bad) > 0 {
		return s.formError(w, r, "project_form", pg, mergeFields(bad, p.Validate(nil)))
	}
	if err := s.Catalog.UpdateProject(r.Context(), state(r).user.ID, p); err != nil {
		return s.formError(w, r, "project_form", pg, err)
	}
	return s.redirect(w, r, "/admin/courses/"+idString(p.CourseID)+"/edit", "flash.saved")
}
