package web

import (
	"net/http"

	"talentloop"
)

// taughtCourse is a course an instructor teaches, with its program.
type taughtCourse struct {
	Program *talentloop.Program
	Course  *talentloop.Course
}

// handleDashboard shows each of the user's roles its own section, with real
// data for that role.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	ctx := r.Context()
	u := st.user
	data := map[string]any{}
	if u.HasRole(talentloop.RoleLearner) {
		programs, _, err := s.Catalog.FindPrograms(ctx, talentloop.ProgramFilter{Limit: 200})
		if err != nil {
			return err
		}
		// One program from each chain first, so a new learner sees the breadth.
		var rec []*talentloop.Program
		seen := map[string]bool{}
		for _, p := range programs {
			if !seen[p.Chain] {
				rec, seen[p.Chain] = append(rec, p), true
			}
		}
		enrolments, err := s.Learning.FindEnrolments(ctx, u.ID)
		if err != nil {
			return err
		}
		enrolled := map[int64]bool{}
		for _, e := range enrolments {
			enrolled[e.ProgramID] = true
		}
		var fresh []*talentloop.Program
		for _, p := range rec {
			if !enrolled[p.ID] {
				fresh = append(fresh, p)
			}
		}
		skills, err := s.Learning.SkillProfile(ctx, u.ID)
		if err != nil {
			return err
		}
		data["Recommended"], data["Enrolments"], data["MySkills"] = fresh, enrolments, skills
	}
	if u.HasRole(talentloop.RoleInstructor) {
		programs, _, err := s.Catalog.FindPrograms(ctx, talentloop.ProgramFilter{InstructorID: u.ID, IncludeDrafts: true, Limit: 200})
		if err != nil {
			return err
		}
		var courses []taughtCourse
		projects := 0
		for _, p := range programs {
			full, err := s.Catalog.FindProgramByID(ctx, p.ID)
			if err != nil {
				return err
			}
			for _, c := range full.Courses {
				for _, in := range c.Instructors {
					if in.UserID == u.ID {
						courses = append(courses, taughtCourse{Program: full, Course: c})
						projects += len(c.Projects)
					}
				}
			}
		}
		data["Taught"] = courses
		data["TaughtProjects"] = projects
		queue, err := s.Learning.ReviewQueue(ctx, u.ID)
		if err != nil {
			return err
		}
		stats, err := s.Learning.AnswerStats(ctx, u.ID, 30)
		if err != nil {
			return err
		}
		data["Queue"], data["AnswerStats"] = queue, stats
	}
	if u.HasRole(talentloop.RolePartner) && u.CompanyID > 0 {
		company, err := s.Users.FindCompanyByID(ctx, u.CompanyID)
		if err != nil {
			return err
		}
		projects, err := s.Catalog.FindProjects(ctx, u.CompanyID)
		if err != nil {
			return err
		}
		data["Company"] = company
		data["CompanyProjects"] = projects
	}
	if u.HasRole(talentloop.RoleOperator) {
		counts, err := s.Catalog.Counts(ctx)
		if err != nil {
			return err
		}
		changes, err := s.Catalog.RecentChanges(ctx, 12)
		if err != nil {
			return err
		}
		chains, err := s.Catalog.FindChains(ctx)
		if err != nil {
			return err
		}
		most := 1
		for _, c := range chains {
			most = max(most, c.Programs)
		}
		data["Counts"], data["Changes"], data["Chains"], data["MaxChain"] = counts, changes, chains, most
		_, pending, err := s.Learning.FindOrders(ctx, talentloop.OrderFilter{Status: talentloop.OrderPending, Limit: 1})
		if err != nil {
			return err
		}
		overdue, err := s.Learning.OverdueQuestions(ctx, 0)
		if err != nil {
			return err
		}
		data["PendingOrders"], data["OverdueQuestions"] = pending, len(overdue)
	}
	if u.HasRole(talentloop.RoleCounsellor) {
		learners, total, err := s.Users.FindUsers(ctx, talentloop.UserFilter{Role: talentloop.RoleLearner, Limit: 20})
		if err != nil {
			return err
		}
		data["Learners"], data["LearnerTotal"] = learners, total
	}
	s.render(w, r, 200, "dashboard", &page{Title: tr(st.lang, "title.dashboard"), Data: data})
	return nil
}
