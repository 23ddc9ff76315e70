package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"talentloop"
)

// courseRole says how the caller takes part in a course's Q&A: as one of
// its instructors, as a learner with paid access, as an operator, or not.
func (s *Server) courseRole(ctx context.Context, u *talentloop.User, courseID int64) (instructor, learner, operator bool, err error) {
	c, err := s.Catalog.FindCourseByID(ctx, courseID)
	if err != nil {
		return false, false, false, err
	}
	if instructor, err = s.Catalog.IsCourseInstructor(ctx, courseID, u.ID); err != nil {
		return
	}
	if u.HasRole(talentloop.RoleLearner) {
		if learner, err = s.Learning.HasAccess(ctx, u.ID, c.ProgramID); err != nil {
			return
		}
	}
	return instructor, learner, u.HasRole(talentloop.RoleOperator), nil
}

func (s *Server) questionsPage(r *http.Request, courseID int64) (*page, error) {
	c, p, err := s.visibleCourse(r, courseID)
	if err != nil {
		return nil, err
	}
	inst, learner, op, err := s.courseRole(r.Context(), state(r).user, courseID)
	if err != nil {
		return nil, err
	}
	if !inst && !learner && !op {
		return nil, talentloop.Errorf(talentloop.EFORBIDDEN, "err.not_enrolled")
	}
	qs, err := s.Learning.FindQuestions(r.Context(), courseID)
	if err != nil {
		return nil, err
	}
	return &page{Title: tr(state(r).lang, "title.questions"), Form: map[string]string{"project_id": r.URL.Query().Get("project")},
		Data: map[string]any{"Course": c, "Program": p, "Questions": qs, "CanAsk": learner}}, nil
}

func (s *Server) handleQuestions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.questionsPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "questions", p)
	return nil
}

func (s *Server) handleAsk(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.questionsPage(r, id)
	if err != nil {
		return err
	}
	projectID, _ := strconv.ParseInt(r.PostFormValue("project_id"), 10, 64)
	q, err := s.Learning.AskQuestion(r.Context(), state(r).user.ID, id, projectID, r.PostFormValue("title"), r.PostFormValue("body"))
	if err != nil {
		p.Form = nil
		return s.formError(w, r, "questions", p, err)
	}
	return s.redirect(w, r, fmt.Sprintf("/questions/%d", q.ID), "flash.asked")
}

func (s *Server) questionPage(r *http.Request, id int64) (*page, *talentloop.Question, error) {
	q, err := s.Learning.FindQuestionByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	u := state(r).user
	inst, learner, op, err := s.courseRole(r.Context(), u, q.CourseID)
	if err != nil {
		return nil, nil, err
	}
	if !inst && !learner && !op {
		return nil, nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.question_not_found")
	}
	return &page{Title: q.Title, Data: map[string]any{"Question": q, "CanAnswer": inst || learner, "CanAccept": inst || u.ID == q.UserID}}, q, nil
}

func (s *Server) handleQuestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, _, err := s.questionPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "question", p)
	return nil
}

func (s *Server) handleAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, _, err := s.questionPage(r, id)
	if err != nil {
		return err
	}
	if _, err := s.Learning.AnswerQuestion(r.Context(), state(r).user.ID, id, r.PostFormValue("body")); err != nil {
		return s.formError(w, r, "question", p, err)
	}
	return s.redirect(w, r, fmt.Sprintf("/questions/%d", id), "flash.answered")
}

func (s *Server) handleAccept(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	answerID, _ := strconv.ParseInt(r.PostFormValue("answer_id"), 10, 64)
	if err := s.Learning.AcceptAnswer(r.Context(), state(r).user.ID, id, answerID); err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/questions/%d", id), "flash.accepted")
}

// instructorStats returns every instructor's answer-time service level.
func (s *Server) instructorStats(ctx context.Context) ([]*talentloop.AnswerStats, error) {
	instructors, _, err := s.Users.FindUsers(ctx, talentloop.UserFilter{Role: talentloop.RoleInstructor, Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []*talentloop.AnswerStats
	for _, in := range instructors {
		st, err := s.Learning.AnswerStats(ctx, in.ID, 30)
		if err != nil {
			return nil, err
		}
		if st.Answered > 0 || st.OpenQuestions > 0 {
			out = append(out, st)
		}
	}
	return out, nil
}

func (s *Server) handleAdminQA(w http.ResponseWriter, r *http.Request) error {
	stats, err := s.instructorStats(r.Context())
	if err != nil {
		return err
	}
	overdue, err := s.Learning.OverdueQuestions(r.Context(), 0)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "admin_qa", &page{Title: tr(state(r).lang, "title.admin_qa"), Data: map[string]any{"Stats": stats, "Overdue": overdue}})
	return nil
}
