package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"talentloop"
)

// resumeData gathers what a resume shows: profile, verified skills, passed
// projects, and the certificates the learner put on it.
type resumeData struct {
	Resume       *talentloop.Resume
	Skills       []*talentloop.SkillRecord
	Projects     []talentloop.SkillEvidence // one per project, newest first
	Certificates []*certView
	Completed    []*talentloop.Enrolment
	ShareURL     string
}

func (s *Server) resumeData(r *http.Request, userID int64, onlyInResume bool) (*resumeData, error) {
	ctx := r.Context()
	res, err := s.CertStore.FindResume(ctx, userID)
	if err != nil {
		return nil, err
	}
	skills, err := s.Learning.SkillProfile(ctx, userID)
	if err != nil {
		return nil, err
	}
	certs, _, err := s.CertStore.FindCertificates(ctx, talentloop.CertificateFilter{UserID: userID, Limit: 200})
	if err != nil {
		return nil, err
	}
	d := &resumeData{Resume: res, Skills: skills}
	seen := map[int64]bool{}
	for _, sk := range skills {
		for _, ev := range sk.Evidence {
			if !seen[ev.ProjectID] {
				seen[ev.ProjectID] = true
				d.Projects = append(d.Projects, ev)
			}
		}
	}
	sort.Slice(d.Projects, func(i, j int) bool { return d.Projects[i].At.After(d.Projects[j].At) })
	for _, c := range certs {
		// A resume shows certificates the learner put on it that are in force.
		if onlyInResume && (!c.InResume || c.EffectiveStatus(time.Now()) != talentloop.CertValid) {
			continue
		}
		d.Certificates = append(d.Certificates, s.view(r, c))
	}
	enrolments, err := s.Learning.FindEnrolments(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, e := range enrolments {
		if e.Completed {
			d.Completed = append(d.Completed, e)
		}
	}
	if res.Shared && res.ShareSlug != "" {
		d.ShareURL = s.publicBase(r) + "/r/" + res.ShareSlug
	}
	return d, nil
}

func (s *Server) handleMyResume(w http.ResponseWriter, r *http.Request) error {
	d, err := s.resumeData(r, state(r).user.ID, false)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "resume_edit", &page{Title: tr(state(r).lang, "title.resume"), Data: map[string]any{"R": d},
		Form: map[string]string{"headline": d.Resume.Headline, "summary": d.Resume.Summary, "city": d.Resume.City, "shared": checked(d.Resume.Shared)}})
	return nil
}

func (s *Server) handleSaveResume(w http.ResponseWriter, r *http.Request) error {
	res := &talentloop.Resume{UserID: state(r).user.ID, Headline: formValue(r, "headline"), Summary: formValue(r, "summary"), City: formValue(r, "city"),
		Shared: r.PostFormValue("shared") != ""}
	if err := s.CertStore.SaveResume(r.Context(), res); err != nil {
		d, derr := s.resumeData(r, state(r).user.ID, false)
		if derr != nil {
			return derr
		}
		return s.formError(w, r, "resume_edit", &page{Title: tr(state(r).lang, "title.resume"), Data: map[string]any{"R": d}}, err)
	}
	return s.redirect(w, r, "/learn/resume", "flash.saved")
}

// handleResumePrint is the clean printable resume of the signed-in learner.
func (s *Server) handleResumePrint(w http.ResponseWriter, r *http.Request) error {
	d, err := s.resumeData(r, state(r).user.ID, true)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "resume", &page{Title: d.Resume.Name, Data: map[string]any{"R": d, "Print": true}})
	return nil
}

// handlePublicResume serves a resume by its share link while sharing is on.
func (s *Server) handlePublicResume(w http.ResponseWriter, r *http.Request) error {
	res, err := s.CertStore.FindResumeBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	d, err := s.resumeData(r, res.UserID, true)
	if err != nil {
		return err
	}
	d.Resume.Email = "" // a public link shows no email address
	s.render(w, r, 200, "resume", &page{Title: d.Resume.Name, Data: map[string]any{"R": d, "Public": true}})
	return nil
}

// JSON Resume (jsonresume.org schema v1).
type jsonResume struct {
	Schema       string            `json:"$schema"`
	Basics       jrBasics          `json:"basics"`
	Education    []jrEducation     `json:"education"`
	Certificates []jrCertificate   `json:"certificates"`
	Skills       []jrSkill         `json:"skills"`
	Projects     []jrProject       `json:"projects"`
	Meta         map[string]string `json:"meta"`
}

type jrBasics struct {
	Name     string      `json:"name"`
	Label    string      `json:"label,omitempty"`
	Email    string      `json:"email,omitempty"`
	URL      string      `json:"url,omitempty"`
	Summary  string      `json:"summary,omitempty"`
	Location *jrLocation `json:"location,omitempty"`
}

type jrLocation struct {
	City string `json:"city"`
}

type jrEducation struct {
	Institution string `json:"institution"`
	Area        string `json:"area"`
	StudyType   string `json:"studyType"`
	StartDate   string `json:"startDate,omitempty"`
	EndDate     string `json:"endDate,omitempty"`
}

type jrCertificate struct {
	Name   string `json:"name"`
	Date   string `json:"date"`
	Issuer string `json:"issuer"`
	URL    string `json:"url"`
}

type jrSkill struct {
	Name     string   `json:"name"`
	Level    string   `json:"level"`
	Keywords []string `json:"keywords"`
}

type jrProject struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	EndDate     string   `json:"endDate,omitempty"`
	URL         string   `json:"url,omitempty"`
	Entity      string   `json:"entity,omitempty"`
	Type        string   `json:"type"`
	Roles       []string `json:"roles,omitempty"`
}

func (s *Server) jsonResume(ctx context.Context, r *http.Request, d *resumeData) *jsonResume {
	base := s.publicBase(r)
	jr := &jsonResume{Schema: "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
		Basics:       jrBasics{Name: d.Resume.Name, Label: d.Resume.Headline, Email: d.Resume.Email, URL: d.ShareURL, Summary: d.Resume.Summary},
		Education:    []jrEducation{},
		Certificates: []jrCertificate{}, Skills: []jrSkill{}, Projects: []jrProject{},
		Meta: map[string]string{"canonical": base + "/api/v1/me/resume.json", "version": "v1.0.0"}}
	if d.Resume.City != "" {
		jr.Basics.Location = &jrLocation{City: d.Resume.City}
	}
	for _, e := range d.Completed {
		ed := jrEducation{Institution: "talentloop", Area: e.Program.ZH, StudyType: "微专业 (micro-specialty program)", StartDate: e.CreatedAt.Format("2006-01-02")}
		if e.CompletedAt != nil {
			ed.EndDate = e.CompletedAt.Format("2006-01-02")
		}
		jr.Education = append(jr.Education, ed)
	}
	for _, c := range d.Certificates {
		jr.Certificates = append(jr.Certificates, jrCertificate{Name: "微专业认证：" + c.Program.ZH, Date: c.IssuedAt.Format("2006-01-02"), Issuer: "talentloop", URL: c.VerifyURL})
	}
	seen := map[int64]bool{}
	for _, sk := range d.Skills {
		var kw []string
		for _, ev := range sk.Evidence {
			kw = append(kw, ev.Project.ZH)
			if !seen[ev.ProjectID] {
				seen[ev.ProjectID] = true
				jr.Projects = append(jr.Projects, jrProject{Name: ev.Project.ZH, Description: fmt.Sprintf("实战项目，来自%s，经一线讲师评审通过。A real project from %s, passed in review.", ev.Company.ZH, ev.Company.In("en")),
					EndDate: ev.At.Format("2006-01-02"), URL: fmt.Sprintf("%s/projects/%d", base, ev.ProjectID), Entity: ev.Company.ZH, Type: "application"})
			}
		}
		jr.Skills = append(jr.Skills, jrSkill{Name: sk.Name.ZH + " / " + sk.Name.EN, Level: fmt.Sprintf("L%d / 5", sk.Level), Keywords: kw})
	}
	return jr
}

func (s *Server) apiMyResume(w http.ResponseWriter, r *http.Request) error {
	d, err := s.resumeData(r, state(r).user.ID, true)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", "attachment; filename=resume.json")
	}
	writeJSON(w, 200, s.jsonResume(r.Context(), r, d))
	return nil
}
