package web

import (
	"net/http"
	"strconv"
	"strings"

	"talentloop"
)

// list wraps a list in an object, so fields can be added later.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T any](items []T, total int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total}
}

func (s *Server) apiToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := s.login(r.Context(), r, in.Email, in.Password)
	if err != nil {
		return err
	}
	token, t, err := s.Auth.CreateAPIToken(r.Context(), u.ID, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "id": t.ID, "name": t.Name, "user": u})
	return nil
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Password string `json:"password"`
		Lang     string `json:"lang"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	// Self-registration makes learners only; other roles are granted.
	u := &talentloop.User{Email: in.Email, Name: in.Name, Lang: in.Lang, Roles: []talentloop.Role{talentloop.RoleLearner}}
	if err := s.Users.CreateUser(r.Context(), u, in.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, state(r).user)
	return nil
}

func (s *Server) apiMePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OldPassword string `json:"old_password"`
		NewPassword string `json:"new_password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	st := state(r)
	if err := s.Users.ChangePassword(r.Context(), st.user.ID, in.OldPassword, in.NewPassword); err != nil {
		return err
	}
	if err := s.Auth.DeleteUserSessions(r.Context(), st.user.ID, st.sessionToken); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMeTokens(w http.ResponseWriter, r *http.Request) error {
	tokens, err := s.Auth.FindAPITokens(r.Context(), state(r).user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(tokens, len(tokens)))
	return nil
}

func (s *Server) apiMeTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeAPIToken(r.Context(), state(r).user.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMeInstructorProfile(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title talentloop.Text `json:"title"`
		Bio   talentloop.Text `json:"bio"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if len([]rune(in.Bio.ZH))+len([]rune(in.Bio.EN)) > 4000 || len([]rune(in.Title.ZH))+len([]rune(in.Title.EN)) > 200 {
		return talentloop.Invalid(map[string]string{"bio": "err.too_long"})
	}
	u := state(r).user
	if err := s.Users.SetInstructorProfile(r.Context(), &talentloop.InstructorProfile{UserID: u.ID, Title: in.Title, Bio: in.Bio}); err != nil {
		return err
	}
	prof, err := s.Users.FindInstructorProfile(r.Context(), u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, prof)
	return nil
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := talentloop.UserFilter{Role: talentloop.Role(q.Get("role")), Q: q.Get("q")}
	if f.Role != "" && !f.Role.Valid() {
		return talentloop.Invalid(map[string]string{"role": "err.role"})
	}
	if !state(r).user.HasRole(talentloop.RoleOperator) {
		f.Role = talentloop.RoleLearner
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	users, total, err := s.Users.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(users, total))
	return nil
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, u)
	return nil
}

func (s *Server) apiUserRoles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Roles     []talentloop.Role `json:"roles"`
		CompanyID int64             `json:"company_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Users.SetRoles(r.Context(), state(r).user.ID, id, in.Roles, in.CompanyID); err != nil {
		return err
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, u)
	return nil
}

func (s *Server) apiUserPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Users.SetPassword(r.Context(), id, in.Password); err != nil {
		return err
	}
	if err := s.Auth.DeleteUserSessions(r.Context(), id, ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiCompanies(w http.ResponseWriter, r *http.Request) error {
	companies, err := s.Users.FindCompanies(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(companies, len(companies)))
	return nil
}

func (s *Server) apiCompanyCreate(w http.ResponseWriter, r *http.Request) error {
	var c talentloop.Company
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	c.ID = 0
	if err := s.Users.CreateCompany(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiInstructor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil || !u.HasRole(talentloop.RoleInstructor) {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.instructor_not_found")
	}
	p, err := s.Users.FindInstructorProfile(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

func (s *Server) apiChains(w http.ResponseWriter, r *http.Request) error {
	chains, err := s.Catalog.FindChains(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(chains, len(chains)))
	return nil
}

func (s *Server) apiSkills(w http.ResponseWriter, r *http.Request) error {
	skills, err := s.Catalog.FindSkills(r.Context())
	if err != nil {
		return err
	}
	if chain := r.URL.Query().Get("chain"); chain != "" {
		var out []*talentloop.Skill
		for _, sk := range skills {
			if sk.Chain == chain {
				out = append(out, sk)
			}
		}
		skills = out
	}
	writeJSON(w, 200, newList(skills, len(skills)))
	return nil
}

func (s *Server) apiPrograms(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := talentloop.ProgramFilter{Chain: q.Get("chain"), Q: q.Get("q")}
	if f.Chain != "" && !talentloop.ValidChain(f.Chain) {
		return talentloop.Invalid(map[string]string{"chain": "err.chain"})
	}
	if v := q.Get("status"); v != "" {
		if !state(r).user.HasRole(talentloop.RoleOperator) {
			return talentloop.Errorf(talentloop.EFORBIDDEN, "err.forbidden")
		}
		f.IncludeDrafts = v == "all" || v == talentloop.StatusDraft
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	programs, total, err := s.Catalog.FindPrograms(r.Context(), f)
	if err != nil {
		return err
	}
	if q.Get("status") == talentloop.StatusDraft {
		var drafts []*talentloop.Program
		for _, p := range programs {
			if p.Status == talentloop.StatusDraft {
				drafts = append(drafts, p)
			}
		}
		programs, total = drafts, len(drafts)
	}
	writeJSON(w, 200, newList(programs, total))
	return nil
}

func (s *Server) apiProgram(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathProgram(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

// programInput is the writable part of a program.
type programInput struct {
	Slug          string                  `json:"slug"`
	Chain         string                  `json:"chain"`
	Title         talentloop.Text         `json:"title"`
	Summary       talentloop.Text         `json:"summary"`
	PriceFen      int64                   `json:"price_fen"`
	Currency      string                  `json:"currency"`
	Level         string                  `json:"level"`
	DurationWeeks int                     `json:"duration_weeks"`
	Status        string                  `json:"status"`
	Skills        []talentloop.SkillLevel `json:"skills"`
	Occupations   []talentloop.Occupation `json:"occupations"`
}

func (in programInput) apply(p *talentloop.Program) {
	p.Slug, p.Chain, p.Title, p.Summary, p.PriceFen, p.Currency = strings.TrimSpace(in.Slug), in.Chain, in.Title, in.Summary, in.PriceFen, in.Currency
	p.Level, p.DurationWeeks, p.Status, p.Skills, p.Occupations = in.Level, in.DurationWeeks, in.Status, in.Skills, in.Occupations
}

func (s *Server) apiProgramCreate(w http.ResponseWriter, r *http.Request) error {
	var in programInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := &talentloop.Program{}
	in.apply(p)
	if err := s.Catalog.CreateProgram(r.Context(), state(r).user.ID, p); err != nil {
		return err
	}
	full, err := s.Catalog.FindProgramByID(r.Context(), p.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/programs/"+idString(p.ID))
	writeJSON(w, http.StatusCreated, full)
	return nil
}

func (s *Server) apiProgramUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Catalog.FindProgramByID(r.Context(), id)
	if err != nil {
		return err
	}
	var in programInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.apply(p)
	if err := s.Catalog.UpdateProgram(r.Context(), state(r).user.ID, p); err != nil {
		return err
	}
	full, err := s.Catalog.FindProgramByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, full)
	return nil
}

type courseInput struct {
	Title    talentloop.Text `json:"title"`
	Summary  talentloop.Text `json:"summary"`
	Required *bool           `json:"required"`
	Position int             `json:"position"`
}

func (in courseInput) apply(c *talentloop.Course) {
	c.Title, c.Summary = in.Title, in.Summary
	if in.Required != nil {
		c.Required = *in.Required
	}
	if in.Position > 0 {
		c.Position = in.Position
	}
}

func (s *Server) apiCourseCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Catalog.FindProgramByID(r.Context(), id); err != nil {
		return err
	}
	var in courseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := &talentloop.Course{ProgramID: id, Required: true}
	in.apply(c)
	if err := s.Catalog.CreateCourse(r.Context(), state(r).user.ID, c); err != nil {
		return err
	}
	full, err := s.Catalog.FindCourseByID(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, full)
	return nil
}

func (s *Server) apiCourse(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, _, err := s.visibleCourse(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}

func (s *Server) apiCourseUpdate(w http.ResponseWriter, r *http.Request) error {
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
	var in courseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.apply(c)
	if err := s.Catalog.UpdateCourse(r.Context(), state(r).user.ID, c); err != nil {
		return err
	}
	full, err := s.Catalog.FindCourseByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, full)
	return nil
}

func (s *Server) apiCourseInstructors(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		UserIDs []int64 `json:"user_ids"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Catalog.SetCourseInstructors(r.Context(), state(r).user.ID, id, in.UserIDs); err != nil {
		return err
	}
	c, err := s.Catalog.FindCourseByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}

type lessonInput struct {
	Title    talentloop.Text `json:"title"`
	Body     talentloop.Text `json:"body"`
	VideoURL string          `json:"video_url"`
	Minutes  int             `json:"minutes"`
	Required *bool           `json:"required"`
	Position int             `json:"position"`
}

func (in lessonInput) apply(l *talentloop.Lesson) {
	l.Title, l.Body, l.VideoURL, l.Minutes = in.Title, in.Body, strings.TrimSpace(in.VideoURL), in.Minutes
	if in.Required != nil {
		l.Required = *in.Required
	}
	if in.Position > 0 {
		l.Position = in.Position
	}
}

func (s *Server) apiLessonCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	var in lessonInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	l := &talentloop.Lesson{CourseID: id, Required: true}
	in.apply(l)
	if err := s.Catalog.CreateLesson(r.Context(), state(r).user.ID, l); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) apiLesson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.Catalog.FindLessonByID(r.Context(), id)
	if err != nil {
		return err
	}
	if _, _, err := s.visibleCourse(r, l.CourseID); err != nil {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.lesson_not_found")
	}
	writeJSON(w, 200, l)
	return nil
}

func (s *Server) apiLessonUpdate(w http.ResponseWriter, r *http.Request) error {
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
	var in lessonInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.apply(l)
	if err := s.Catalog.UpdateLesson(r.Context(), state(r).user.ID, l); err != nil {
		return err
	}
	writeJSON(w, 200, l)
	return nil
}

type projectInput struct {
	CompanyID    int64                   `json:"company_id"`
	Title        talentloop.Text         `json:"title"`
	RealWork     talentloop.Text         `json:"real_work"`
	Brief        talentloop.Text         `json:"brief"`
	Deliverables talentloop.Text         `json:"deliverables"`
	Level        int                     `json:"level"`
	Skills       []talentloop.SkillLevel `json:"skills"`
	Rubric       talentloop.Rubric       `json:"rubric"`
	PassMark     int                     `json:"pass_mark"`
	Required     *bool                   `json:"required"`
	Position     int                     `json:"position"`
}

func (in projectInput) apply(p *talentloop.Project) {
	p.CompanyID, p.Title, p.RealWork, p.Brief, p.Deliverables = in.CompanyID, in.Title, in.RealWork, in.Brief, in.Deliverables
	p.Level, p.Skills, p.Rubric.Criteria, p.PassMark = in.Level, in.Skills, in.Rubric.Criteria, in.PassMark
	if in.Required != nil {
		p.Required = *in.Required
	}
	if in.Position > 0 {
		p.Position = in.Position
	}
}

func (s *Server) apiProjectCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mustEditCourse(r, id); err != nil {
		return err
	}
	var in projectInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := &talentloop.Project{CourseID: id, Required: true}
	in.apply(p)
	if err := s.Catalog.CreateProject(r.Context(), state(r).user.ID, p); err != nil {
		return err
	}
	full, err := s.Catalog.FindProjectByID(r.Context(), p.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, full)
	return nil
}

func (s *Server) apiProject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Catalog.FindProjectByID(r.Context(), id)
	if err != nil {
		return err
	}
	if _, _, err := s.visibleCourse(r, p.CourseID); err != nil {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.project_not_found")
	}
	writeJSON(w, 200, p)
	return nil
}

func (s *Server) apiProjectUpdate(w http.ResponseWriter, r *http.Request) error {
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
	var in projectInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.apply(p)
	if err := s.Catalog.UpdateProject(r.Context(), state(r).user.ID, p); err != nil {
		return err
	}
	full, err := s.Catalog.FindProjectByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, full)
	return nil
}

func (s *Server) apiCatalogStats(w http.ResponseWriter, r *http.Request) error {
	counts, err := s.Catalog.Counts(r.Context())
	if err != nil {
		return err
	}
	changes, err := s.Catalog.RecentChanges(r.Context(), 20)
	if err != nil {
		return err
	}
	if changes == nil {
		changes = []*talentloop.Change{}
	}
	writeJSON(w, 200, map[string]any{"counts": counts, "recent_changes": changes})
	return nil
}
