package web

import (
	"fmt"
	"net/http"
	"strconv"

	"talentloop"
)

func (s *Server) apiEnrol(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		MonthlyIncomeFen *int64 `json:"monthly_income_fen"`
		Employment       string `json:"employment"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	var income *talentloop.IncomeReport
	if in.MonthlyIncomeFen != nil || in.Employment != "" {
		income = &talentloop.IncomeReport{MonthlyIncomeFen: in.MonthlyIncomeFen, Employment: in.Employment}
		if income.Employment == "" {
			income.Employment = "other"
		}
	}
	if _, err := s.visibleProgram(r, id); err != nil {
		return err
	}
	e, created, err := s.Learning.Enrol(r.Context(), state(r).user.ID, id, income)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, e)
	return nil
}

func (s *Server) apiMyEnrolments(w http.ResponseWriter, r *http.Request) error {
	es, err := s.Learning.FindEnrolments(r.Context(), state(r).user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(es, len(es)))
	return nil
}

func (s *Server) apiMyIncome(w http.ResponseWriter, r *http.Request) error {
	reports, err := s.Learning.FindIncomeReports(r.Context(), state(r).user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(reports, len(reports)))
	return nil
}

func (s *Server) apiAddIncome(w http.ResponseWriter, r *http.Request) error {
	var in talentloop.IncomeReport
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.ID, in.Source = 0, "profile"
	if err := s.Learning.AddIncomeReport(r.Context(), state(r).user.ID, &in); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, in)
	return nil
}

func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request) error {
	f := orderFilter(r)
	if v := r.URL.Query().Get("status"); v != "" && f.Status == "" {
		return talentloop.Invalid(map[string]string{"status": "err.status"})
	}
	f.Limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
	f.Offset, _ = strconv.Atoi(r.URL.Query().Get("offset"))
	orders, total, err := s.Learning.FindOrders(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(orders, total))
	return nil
}

func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.Learning.FindOrderByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, o)
	return nil
}

func (s *Server) apiOrderAction(w http.ResponseWriter, r *http.Request, act func(id int64, reference, note string) (*talentloop.Order, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reference string `json:"reference"`
		Note      string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	o, err := act(id, in.Reference, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, o)
	return nil
}

func (s *Server) apiOrderMarkPaid(w http.ResponseWriter, r *http.Request) error {
	return s.apiOrderAction(w, r, func(id int64, ref, _ string) (*talentloop.Order, error) {
		return s.Learning.MarkOrderPaid(r.Context(), state(r).user.ID, id, ref)
	})
}

func (s *Server) apiOrderRefund(w http.ResponseWriter, r *http.Request) error {
	return s.apiOrderAction(w, r, func(id int64, _, note string) (*talentloop.Order, error) {
		return s.Learning.RefundOrder(r.Context(), state(r).user.ID, id, note)
	})
}

func (s *Server) apiOrderCancel(w http.ResponseWriter, r *http.Request) error {
	return s.apiOrderAction(w, r, func(id int64, _, _ string) (*talentloop.Order, error) {
		return s.Learning.CancelOrder(r.Context(), state(r).user.ID, id)
	})
}

func (s *Server) apiLessonDone(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Learning.MarkLessonDone(r.Context(), state(r).user.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiCourseProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Learning.CourseProgress(r.Context(), state(r).user.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

func (s *Server) apiSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.submissionInput(r, id)
	if err != nil {
		return err
	}
	sub, err := s.Learning.Submit(r.Context(), state(r).user.ID, in, s.Config.MaxFileBytes)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/submissions/%d", sub.ID))
	writeJSON(w, http.StatusCreated, sub)
	return nil
}

func (s *Server) apiMySubmissions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	subs, err := s.Learning.FindSubmissions(r.Context(), state(r).user.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(subs, len(subs)))
	return nil
}

func (s *Server) apiSubmission(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sub, err := s.Learning.FindSubmissionByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.canSeeSubmission(r.Context(), state(r).user, sub); err != nil {
		return err
	}
	writeJSON(w, 200, sub)
	return nil
}

func (s *Server) apiReviewQueue(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Learning.ReviewQueue(r.Context(), state(r).user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(q, len(q)))
	return nil
}

func (s *Server) apiReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Scores  []talentloop.Score `json:"scores"`
		Comment string             `json:"comment"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sub, err := s.Learning.FindSubmissionByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.canSeeSubmission(r.Context(), state(r).user, sub); err != nil {
		return err
	}
	rv, err := s.Learning.ReviewSubmission(r.Context(), state(r).user.ID, id, in.Scores, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rv)
	return nil
}

func (s *Server) apiMySkills(w http.ResponseWriter, r *http.Request) error {
	skills, err := s.Learning.SkillProfile(r.Context(), state(r).user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(skills, len(skills)))
	return nil
}

func (s *Server) apiLearnerSkills(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil || !u.HasRole(talentloop.RoleLearner) {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.user_not_found")
	}
	skills, err := s.Learning.SkillProfile(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(skills, len(skills)))
	return nil
}

func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CourseID  int64  `json:"course_id"`
		ProjectID int64  `json:"project_id"`
		Title     string `json:"title"`
		Body      string `json:"body"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	q, err := s.Learning.AskQuestion(r.Context(), state(r).user.ID, in.CourseID, in.ProjectID, in.Title, in.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, q)
	return nil
}

func (s *Server) apiCourseQuestions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	inst, learner, op, err := s.courseRole(r.Context(), state(r).user, id)
	if err != nil {
		return err
	}
	if !inst && !learner && !op {
		return talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_enrolled")
	}
	qs, err := s.Learning.FindQuestions(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(qs, len(qs)))
	return nil
}

func (s *Server) apiQuestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, _, err := s.questionPage(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, p.Data["Question"])
	return nil
}

func (s *Server) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.Learning.AnswerQuestion(r.Context(), state(r).user.ID, id, in.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiAccept(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		AnswerID int64 `json:"answer_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Learning.AcceptAnswer(r.Context(), state(r).user.ID, id, in.AnswerID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiAnswerStats: an instructor sees their own service level, operators
// everyone's.
func (s *Server) apiAnswerStats(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u := state(r).user
	if id != u.ID && !u.HasRole(talentloop.RoleOperator) {
		return talentloop.Errorf(talentloop.EFORBIDDEN, "err.forbidden")
	}
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	st, err := s.Learning.AnswerStats(r.Context(), id, days)
	if err != nil {
		return err
	}
	writeJSON(w, 200, st)
	return nil
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) error {
	notes, unread, err := s.Learning.FindNotifications(r.Context(), state(r).user.ID, 100)
	if err != nil {
		return err
	}
	if notes == nil {
		notes = []*talentloop.Notification{}
	}
	writeJSON(w, 200, map[string]any{"items": notes, "unread": unread})
	return nil
}

func (s *Server) apiNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.Learning.MarkNotificationsRead(r.Context(), state(r).user.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
