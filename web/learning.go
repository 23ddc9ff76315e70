package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"talentloop"
)

// parseIncome reads the optional baseline: an amount in yuan and an
// employment status. Both empty means the learner chose not to say.
func parseIncome(amount, employment string) (*talentloop.IncomeReport, error) {
	amount, employment = strings.TrimSpace(amount), strings.TrimSpace(employment)
	if amount == "" && employment == "" {
		return nil, nil
	}
	r := &talentloop.IncomeReport{Employment: employment}
	if r.Employment == "" {
		r.Employment = "unspecified"
	}
	if amount != "" {
		fen, ok := parseYuan(amount)
		if !ok {
			return nil, talentloop.Invalid(map[string]string{"monthly_income": "err.income"})
		}
		r.MonthlyIncomeFen = &fen
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Server) handleEnrolForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathProgram(r)
	if err != nil {
		return err
	}
	if e, err := s.Learning.FindEnrolment(r.Context(), state(r).user.ID, p.ID); err == nil && (e.Active || e.Order.Status == talentloop.OrderPending) {
		return s.redirect(w, r, "/learn", "flash.already_enrolled")
	}
	s.render(w, r, 200, "enrol", &page{Title: tr(state(r).lang, "title.enrol"), Form: map[string]string{}, Data: map[string]any{"Program": p, "Employment": talentloop.EmploymentStatuses}})
	return nil
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathProgram(r)
	if err != nil {
		return err
	}
	pg := &page{Title: tr(state(r).lang, "title.enrol"), Data: map[string]any{"Program": p, "Employment": talentloop.EmploymentStatuses}}
	income, err := parseIncome(r.PostFormValue("monthly_income"), r.PostFormValue("employment"))
	if err != nil {
		return s.formError(w, r, "enrol", pg, err)
	}
	e, _, err := s.Learning.Enrol(r.Context(), state(r).user.ID, p.ID, income)
	if err != nil {
		return s.formError(w, r, "enrol", pg, err)
	}
	if e.Active {
		return s.redirect(w, r, fmt.Sprintf("/programs/%d", p.ID), "flash.enrolled_active")
	}
	return s.redirect(w, r, "/learn", "flash.enrolled_pending")
}

func (s *Server) learnPage(r *http.Request) (*page, error) {
	st := state(r)
	enrolments, err := s.Learning.FindEnrolments(r.Context(), st.user.ID)
	if err != nil {
		return nil, err
	}
	income, err := s.Learning.FindIncomeReports(r.Context(), st.user.ID)
	if err != nil {
		return nil, err
	}
	skills, err := s.Learning.SkillProfile(r.Context(), st.user.ID)
	if err != nil {
		return nil, err
	}
	return &page{Title: tr(st.lang, "title.learn"), Form: map[string]string{},
		Data: map[string]any{"Enrolments": enrolments, "Income": income, "Employment": talentloop.EmploymentStatuses, "Skills": skills}}, nil
}

func (s *Server) handleLearn(w http.ResponseWriter, r *http.Request) error {
	p, err := s.learnPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "learn", p)
	return nil
}

func (s *Server) handleIncome(w http.ResponseWriter, r *http.Request) error {
	p, err := s.learnPage(r)
	if err != nil {
		return err
	}
	income, err := parseIncome(r.PostFormValue("monthly_income"), r.PostFormValue("employment"))
	if err == nil && income == nil {
		err = talentloop.Invalid(map[string]string{"employment": "err.required"})
	}
	if err == nil {
		income.Source = "profile"
		err = s.Learning.AddIncomeReport(r.Context(), state(r).user.ID, income)
	}
	if err != nil {
		return s.formError(w, r, "learn", p, err)
	}
	return s.redirect(w, r, "/learn", "flash.saved")
}

func (s *Server) handleLessonDone(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Learning.MarkLessonDone(r.Context(), state(r).user.ID, id); err != nil {
		return err
	}
	next := fmt.Sprintf("/lessons/%d", id)
	if n, err := strconv.ParseInt(r.PostFormValue("next"), 10, 64); err == nil && n > 0 {
		next = fmt.Sprintf("/lessons/%d", n)
	}
	return s.redirect(w, r, next, "flash.lesson_done")
}

// learnerProgress returns the learner's progress in a course when the
// caller is a learner with access to it, else nil.
func (s *Server) learnerProgress(ctx context.Context, u *talentloop.User, programID, courseID int64) (*talentloop.CourseProgress, bool, error) {
	if !u.HasRole(talentloop.RoleLearner) {
		return nil, false, nil
	}
	ok, err := s.Learning.HasAccess(ctx, u.ID, programID)
	if err != nil || !ok {
		return nil, false, err
	}
	p, err := s.Learning.CourseProgress(ctx, u.ID, courseID)
	return p, true, err
}

// readUploads reads the files of a multipart form; an empty file input is
// not a file.
func readUploads(headers []*multipart.FileHeader, limit int64) ([]talentloop.Upload, error) {
	var out []talentloop.Upload
	for _, h := range headers {
		if h.Filename == "" && h.Size == 0 {
			continue
		}
		if h.Size > limit {
			return nil, &talentloop.Error{Code: talentloop.ETOOLARGE, Message: "err.file_too_large", Args: []any{h.Filename, limit >> 20}, Fields: map[string]string{"files": "err.file_too_large"}}
		}
		f, err := h.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, limit+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, talentloop.Upload{Name: h.Filename, ContentType: h.Header.Get("Content-Type"), Data: data})
	}
	return out, nil
}

// submissionInput reads a submission from a form (urlencoded or multipart)
// or, for the API, from JSON.
func (s *Server) submissionInput(r *http.Request, projectID int64) (*talentloop.SubmissionInput, error) {
	in := &talentloop.SubmissionInput{ProjectID: projectID, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/json") {
		var body struct {
			Body           string `json:"body"`
			RepoURL        string `json:"repo_url"`
			DemoURL        string `json:"demo_url"`
			IdempotencyKey string `json:"idempotency_key"`
		}
		if err := decodeJSON(r, &body); err != nil {
			return nil, err
		}
		in.Body, in.RepoURL, in.DemoURL = body.Body, body.RepoURL, body.DemoURL
		if body.IdempotencyKey != "" {
			in.IdempotencyKey = body.IdempotencyKey
		}
		return in, nil
	}
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, err
			}
			return nil, talentloop.Errorf(talentloop.EINVALID, "err.form")
		}
		files, err := readUploads(r.MultipartForm.File["files"], s.Config.MaxFileBytes)
		if err != nil {
			return nil, err
		}
		in.Files = files
	}
	in.Body, in.RepoURL, in.DemoURL = r.FormValue("body"), r.FormValue("repo_url"), r.FormValue("demo_url")
	if k := r.FormValue("idempotency_key"); k != "" {
		in.IdempotencyKey = k
	}
	if len(in.IdempotencyKey) > 100 {
		return nil, talentloop.Invalid(map[string]string{"idempotency_key": "err.too_long"})
	}
	return in, nil
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.submissionInput(r, id)
	if err == nil {
		_, err = s.Learning.Submit(r.Context(), state(r).user.ID, in, s.Config.MaxFileBytes)
	}
	if err != nil {
		code := talentloop.ErrorCode(err)
		if code == talentloop.EINVALID || code == talentloop.ETOOLARGE || code == talentloop.ECONFLICT {
			pg, perr := s.projectPage(r, id)
			if perr != nil {
				return perr
			}
			return s.formError(w, r, "project", pg, err)
		}
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/projects/%d#work", id), "flash.submitted")
}

// canSeeSubmission: the learner who made it, the course's instructors and
// operators. Anyone else is told it does not exist.
func (s *Server) canSeeSubmission(ctx context.Context, u *talentloop.User, sub *talentloop.Submission) error {
	if u.ID == sub.UserID || u.HasRole(talentloop.RoleOperator) {
		return nil
	}
	if u.HasRole(talentloop.RoleInstructor) {
		ok, err := s.Catalog.IsCourseInstructor(ctx, sub.CourseID, u.ID)
		if err != nil || ok {
			return err
		}
	}
	return talentloop.Errorf(talentloop.ENOTFOUND, "err.submission_not_found")
}

func (s *Server) submissionPage(r *http.Request, id int64) (*page, *talentloop.Submission, error) {
	sub, err := s.Learning.FindSubmissionByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	u := state(r).user
	if err := s.canSeeSubmission(r.Context(), u, sub); err != nil {
		return nil, nil, err
	}
	project, err := s.Catalog.FindProjectByID(r.Context(), sub.ProjectID)
	if err != nil {
		return nil, nil, err
	}
	versions, err := s.Learning.FindSubmissions(r.Context(), sub.UserID, sub.ProjectID)
	if err != nil {
		return nil, nil, err
	}
	canReview, _ := s.Catalog.IsCourseInstructor(r.Context(), sub.CourseID, u.ID)
	canReview = canReview && len(versions) > 0 && versions[0].ID == sub.ID
	// A correction starts from the review in force.
	form := map[string]string{}
	if sub.Review != nil {
		for _, sc := range sub.Review.Scores {
			form["level_"+sc.CriterionKey] = strconv.Itoa(sc.Level)
			form["comment_"+sc.CriterionKey] = sc.Comment
		}
		form["comment"] = sub.Review.Comment
	}
	return &page{Form: form, Title: fmt.Sprintf("%s · v%d", project.Title.In(state(r).lang), sub.Version),
		Data: map[string]any{"Submission": sub, "Project": project, "Versions": versions, "CanReview": canReview}}, sub, nil
}

func (s *Server) handleSubmission(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, _, err := s.submissionPage(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "submission", p)
	return nil
}

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, sub, err := s.submissionPage(r, id)
	if err != nil {
		return err
	}
	project := p.Data["Project"].(*talentloop.Project)
	p.Form = nil // a failed post shows what was posted
	var scores []talentloop.Score
	for _, c := range project.Rubric.Criteria {
		v := r.PostFormValue("level_" + c.Key)
		if v == "" {
			continue
		}
		lv, err := strconv.Atoi(v)
		if err != nil {
			return s.formError(w, r, "submission", p, talentloop.Invalid(map[string]string{"scores": "err.score_level"}))
		}
		scores = append(scores, talentloop.Score{CriterionKey: c.Key, Level: lv, Comment: r.PostFormValue("comment_" + c.Key)})
	}
	if _, err := s.Learning.ReviewSubmission(r.Context(), state(r).user.ID, sub.ID, scores, r.PostFormValue("comment")); err != nil {
		return s.formError(w, r, "submission", p, err)
	}
	return s.redirect(w, r, "/review", "flash.reviewed")
}

func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	info, subID, data, err := s.Learning.FindFile(r.Context(), id)
	if err != nil {
		return err
	}
	sub, err := s.Learning.FindSubmissionByID(r.Context(), subID)
	if err != nil {
		return err
	}
	if err := s.canSeeSubmission(r.Context(), state(r).user, sub); err != nil {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.file_not_found")
	}
	w.Header().Set("Content-Type", info.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(info.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Write(data)
	return nil
}

func (s *Server) handleReviewQueue(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	queue, err := s.Learning.ReviewQueue(r.Context(), st.user.ID)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "review_queue", &page{Title: tr(st.lang, "title.review_queue"), Data: map[string]any{"Queue": queue}})
	return nil
}

func (s *Server) handleMySkills(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	skills, err := s.Learning.SkillProfile(r.Context(), st.user.ID)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "my_skills", &page{Title: tr(st.lang, "title.my_skills"), Data: map[string]any{"Skills": skills}})
	return nil
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	notes, unread, err := s.Learning.FindNotifications(r.Context(), st.user.ID, 100)
	if err != nil {
		return err
	}
	// Seeing the list reads it; this view still shows which were new.
	if unread > 0 {
		if err := s.Learning.MarkNotificationsRead(r.Context(), st.user.ID); err != nil {
			return err
		}
	}
	s.render(w, r, 200, "notifications", &page{Title: tr(st.lang, "title.notifications"), Data: map[string]any{"Notifications": notes, "Unread": unread}})
	return nil
}

func (s *Server) handleNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.Learning.MarkNotificationsRead(r.Context(), state(r).user.ID); err != nil {
		return err
	}
	return s.redirect(w, r, "/notifications", "")
}
