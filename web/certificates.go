package web

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"talentloop"
)

// certView is what pages and the API show of a certificate.
type certView struct {
	*talentloop.Certificate
	Status      string `json:"status"`
	VerifyURL   string `json:"verify_url"`
	JSONURL     string `json:"json_url"`
	LinkedInURL string `json:"linkedin_url"`
}

// publicBase is the site's public origin for links that leave the site.
func (s *Server) publicBase(r *http.Request) string {
	if s.Config.BaseURL != "" {
		return s.Config.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) view(r *http.Request, c *talentloop.Certificate) *certView {
	base := s.publicBase(r)
	v := &certView{Certificate: c, Status: c.EffectiveStatus(time.Now()), VerifyURL: base + "/credentials/" + c.ID, JSONURL: base + "/credentials/" + c.ID + ".json"}
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", "微专业认证："+c.Program.ZH+" / "+c.Program.In("en"))
	q.Set("organizationName", "talentloop")
	q.Set("issueYear", strconv.Itoa(c.IssuedAt.Year()))
	q.Set("issueMonth", strconv.Itoa(int(c.IssuedAt.Month())))
	if c.ValidUntil != nil {
		q.Set("expirationYear", strconv.Itoa(c.ValidUntil.Year()))
		q.Set("expirationMonth", strconv.Itoa(int(c.ValidUntil.Month())))
	}
	q.Set("certUrl", v.VerifyURL)
	q.Set("certId", c.ID)
	v.LinkedInURL = "https://www.linkedin.com/profile/add?" + q.Encode()
	return v
}

// credentialDoc is the part of a stored credential the verify page shows.
type credentialDoc struct {
	Name              string `json:"name"`
	ValidFrom         string `json:"validFrom"`
	ValidUntil        string `json:"validUntil"`
	CredentialSubject struct {
		Achievement struct {
			Name        string `json:"name"`
			Description string `json:"description"`
			Criteria    struct {
				Narrative string `json:"narrative"`
			} `json:"criteria"`
			Alignment []struct {
				TargetName string `json:"targetName"`
				TargetCode string `json:"targetCode"`
				TargetType string `json:"targetType"`
				TargetDesc string `json:"targetDescription"`
			} `json:"alignment"`
		} `json:"achievement"`
	} `json:"credentialSubject"`
	Evidence []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Narrative string `json:"narrative"`
	} `json:"evidence"`
	Issuer struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"issuer"`
}

func qrDataURI(link string) template.URL {
	png, err := qrcode.Encode(link, qrcode.Medium, 220)
	if err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

// handleCredential serves a certificate's public page, or its JSON at
// /credentials/{id}.json.
func (s *Server) handleCredential(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	asJSON := strings.HasSuffix(id, ".json")
	id = strings.TrimSuffix(id, ".json")
	c, err := s.CertStore.FindCertificateByID(r.Context(), id)
	if err != nil {
		return err
	}
	if asJSON {
		w.Header().Set("Content-Type", "application/vc+ld+json; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=talentloop-%s.json", c.ID))
		w.Write(c.Credential)
		return nil
	}
	return s.renderCredential(w, r, c, nil)
}

func (s *Server) renderCredential(w http.ResponseWriter, r *http.Request, c *talentloop.Certificate, holder map[string]any) error {
	res, err := s.Certs.Verify(r.Context(), c.Credential)
	if err != nil {
		return err
	}
	var doc credentialDoc
	json.Unmarshal(c.Credential, &doc)
	v := s.view(r, c)
	data := map[string]any{"Cert": v, "Result": res, "Doc": doc, "QR": qrDataURI(v.VerifyURL), "OurIssuer": c.IssuerDID == s.Certs.IssuerDID()}
	for k, val := range holder {
		data[k] = val
	}
	s.render(w, r, 200, "credential", &page{Title: tr(state(r).lang, "title.credential"), Data: data, Form: map[string]string{}})
	return nil
}

// handleConfirmHolder lets a recruiter check a candidate's email against
// the certificate's salted hash; the email itself is never shown.
func (s *Server) handleConfirmHolder(w http.ResponseWriter, r *http.Request) error {
	c, err := s.CertStore.FindCertificateByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ok, retry, err := s.Auth.Hit(r.Context(), "holder:"+s.clientIP(r), time.Hour, 30)
	if err != nil {
		return err
	}
	if !ok {
		return talentloop.Errorf(talentloop.ETOOMANY, "err.too_many_checks", int(retry.Minutes())+1)
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" {
		return s.renderCredential(w, r, c, map[string]any{"HolderError": tr(state(r).lang, "err.required")})
	}
	return s.renderCredential(w, r, c, map[string]any{"HolderChecked": true, "HolderMatch": s.Certs.MatchHolder(c, email)})
}

func (s *Server) handleStatusList(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Certs.StatusListCredential(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vc+ld+json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
	return nil
}

func (s *Server) handleDIDDocument(w http.ResponseWriter, r *http.Request) error {
	doc, ok := s.Certs.DIDDocument()
	if !ok {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.page_not_found")
	}
	w.Header().Set("Content-Type", "application/did+json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(doc)
	return nil
}

// readCredentialInput takes a credential from a JSON body, a form field or
// an uploaded file.
func readCredentialInput(r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(4 << 20); err != nil {
			return nil, talentloop.Errorf(talentloop.EINVALID, "err.form")
		}
		if f, _, err := r.FormFile("file"); err == nil {
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, 2<<20))
			if err != nil {
				return nil, err
			}
			if len(b) > 0 {
				return b, nil
			}
		}
		return []byte(r.FormValue("credential")), nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	// A form field named credential, or (as curl -d sends) the JSON itself
	// under a form content type.
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("credential") != "" {
			return []byte(form.Get("credential")), nil
		}
	}
	return body, nil
}

func (s *Server) handleVerifyForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, 200, "verify", &page{Title: tr(state(r).lang, "title.verify"), Form: map[string]string{}})
	return nil
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) error {
	p := &page{Title: tr(state(r).lang, "title.verify")}
	raw, err := readCredentialInput(r)
	if err == nil {
		var res *talentloop.VerifyResult
		if res, err = s.Certs.Verify(r.Context(), raw); err == nil {
			p.Data = map[string]any{"Result": res}
			p.Form = map[string]string{"credential": string(raw)}
			s.render(w, r, 200, "verify", p)
			return nil
		}
	}
	return s.formError(w, r, "verify", p, err)
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	raw, err := readCredentialInput(r)
	if err != nil {
		return err
	}
	if !json.Valid(raw) {
		var v any
		if e := json.Unmarshal(raw, &v); e != nil {
			return jsonError(e)
		}
	}
	res, err := s.Certs.Verify(r.Context(), raw)
	if err != nil {
		return err
	}
	writeJSON(w, 200, res)
	return nil
}

// Learner pages.

func (s *Server) myCertificates(r *http.Request) ([]*certView, error) {
	certs, _, err := s.CertStore.FindCertificates(r.Context(), talentloop.CertificateFilter{UserID: state(r).user.ID, Limit: 200})
	if err != nil {
		return nil, err
	}
	out := make([]*certView, len(certs))
	for i, c := range certs {
		out[i] = s.view(r, c)
	}
	return out, nil
}

func (s *Server) handleMyCertificates(w http.ResponseWriter, r *http.Request) error {
	certs, err := s.myCertificates(r)
	if err != nil {
		return err
	}
	// Programs completed but not (yet) certified, with what is missing.
	enrolments, err := s.Learning.FindEnrolments(r.Context(), state(r).user.ID)
	if err != nil {
		return err
	}
	held := map[int64]bool{}
	for _, c := range certs {
		held[c.ProgramID] = true
	}
	type pending struct {
		Enrolment   *talentloop.Enrolment
		Eligibility *talentloop.Eligibility
	}
	var waiting []pending
	for _, e := range enrolments {
		if e.Active && !held[e.ProgramID] {
			el, err := s.Certs.Eligibility(r.Context(), state(r).user.ID, e.ProgramID)
			if err != nil {
				return err
			}
			waiting = append(waiting, pending{e, el})
		}
	}
	s.render(w, r, 200, "my_certificates", &page{Title: tr(state(r).lang, "title.my_certificates"), Data: map[string]any{"Certificates": certs, "Waiting": waiting}})
	return nil
}

func (s *Server) handleCertificateResume(w http.ResponseWriter, r *http.Request) error {
	in := r.PostFormValue("in_resume") == "1"
	if err := s.CertStore.SetInResume(r.Context(), state(r).user.ID, r.PathValue("id"), in); err != nil {
		return err
	}
	flash := "flash.removed_from_resume"
	if in {
		flash = "flash.added_to_resume"
	}
	return s.redirect(w, r, "/learn/certificates", flash)
}

func (s *Server) apiMyCredentials(w http.ResponseWriter, r *http.Request) error {
	certs, err := s.myCertificates(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, newList(certs, len(certs)))
	return nil
}

// Operator pages.

func certFilter(r *http.Request) (talentloop.CertificateFilter, error) {
	q := r.URL.Query()
	f := talentloop.CertificateFilter{Status: q.Get("status")}
	if v := q.Get("program_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, talentloop.Invalid(map[string]string{"program_id": "err.number"})
		}
		f.ProgramID = id
	}
	switch f.Status {
	case "", talentloop.CertValid, talentloop.CertSuspended, talentloop.CertRevoked, talentloop.CertExpired:
	default:
		return f, talentloop.Invalid(map[string]string{"status": "err.cert_status"})
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	return f, nil
}

func (s *Server) handleAdminCertificates(w http.ResponseWriter, r *http.Request) error {
	f, err := certFilter(r)
	if err != nil {
		f = talentloop.CertificateFilter{}
	}
	if r.URL.Query().Get("format") == "csv" {
		f.Limit = 10000
		certs, _, err := s.CertStore.FindCertificates(r.Context(), f)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", "attachment; filename=certificates.csv")
		w.Write([]byte("\xEF\xBB\xBF"))
		cw := csv.NewWriter(w)
		cw.Write([]string{"certificate_id", "status", "holder", "program", "issued_at", "valid_until", "reason", "verify_url"})
		for _, c := range certs {
			v := s.view(r, c)
			until := ""
			if c.ValidUntil != nil {
				until = c.ValidUntil.UTC().Format(time.RFC3339)
			}
			cw.Write([]string{c.ID, v.Status, c.HolderName, c.Program.ZH, c.IssuedAt.UTC().Format(time.RFC3339), until, c.Reason, v.VerifyURL})
		}
		cw.Flush()
		return cw.Error()
	}
	f.Limit = 100
	certs, total, err := s.CertStore.FindCertificates(r.Context(), f)
	if err != nil {
		return err
	}
	views := make([]*certView, len(certs))
	for i, c := range certs {
		views[i] = s.view(r, c)
	}
	programs, _, err := s.Catalog.FindPrograms(r.Context(), talentloop.ProgramFilter{IncludeDrafts: true, Limit: 200})
	if err != nil {
		return err
	}
	s.render(w, r, 200, "admin_certificates", &page{Title: tr(state(r).lang, "title.certificates"), Form: map[string]string{},
		Data: map[string]any{"Certificates": views, "Total": total, "Filter": f, "Programs": programs, "Query": r.URL.Query()}})
	return nil
}

// issueFor issues one certificate for a learner named by email or id.
func (s *Server) issueFor(ctx context.Context, actorID int64, learner string, programID int64) (*talentloop.Certificate, bool, error) {
	var u *talentloop.User
	var err error
	if id, perr := strconv.ParseInt(learner, 10, 64); perr == nil {
		u, err = s.Users.FindUserByID(ctx, id)
	} else {
		u, err = s.Users.FindUserByEmail(ctx, learner)
	}
	if err != nil {
		return nil, false, talentloop.Invalid(map[string]string{"learner": "err.user_not_found"})
	}
	return s.Certs.Issue(ctx, actorID, u.ID, programID)
}

func (s *Server) handleAdminIssue(w http.ResponseWriter, r *http.Request) error {
	programID, _ := strconv.ParseInt(r.PostFormValue("program_id"), 10, 64)
	c, _, err := s.issueFor(r.Context(), state(r).user.ID, strings.TrimSpace(r.PostFormValue("learner")), programID)
	if err != nil {
		return s.redirectErr(w, r, "/admin/certificates", err)
	}
	return s.redirect(w, r, "/credentials/"+c.ID, "flash.certificate_issued")
}

// redirectErr shows an input error as a flash on the next page.
func (s *Server) redirectErr(w http.ResponseWriter, r *http.Request, to string, err error) error {
	e, ok := err.(*talentloop.Error)
	if !ok || (e.Code != talentloop.EINVALID && e.Code != talentloop.ECONFLICT) {
		return err
	}
	key := e.Message
	for _, v := range e.Fields {
		key = v
	}
	return s.redirect(w, r, to, key)
}

func (s *Server) certAction(w http.ResponseWriter, r *http.Request, act func(ctx context.Context, actor int64, id, reason string) (*talentloop.Certificate, error), flash string) error {
	id := r.PathValue("id")
	if _, err := act(r.Context(), state(r).user.ID, id, r.PostFormValue("reason")); err != nil {
		return s.redirectErr(w, r, "/credentials/"+id, err)
	}
	return s.redirect(w, r, "/credentials/"+id, flash)
}

func (s *Server) handleCertRevoke(w http.ResponseWriter, r *http.Request) error {
	return s.certAction(w, r, s.Certs.Revoke, "flash.certificate_revoked")
}

func (s *Server) handleCertSuspend(w http.ResponseWriter, r *http.Request) error {
	return s.certAction(w, r, s.Certs.Suspend, "flash.certificate_suspended")
}

func (s *Server) handleCertUnsuspend(w http.ResponseWriter, r *http.Request) error {
	return s.certAction(w, r, s.Certs.Unsuspend, "flash.certificate_unsuspended")
}

func (s *Server) apiCredentials(w http.ResponseWriter, r *http.Request) error {
	f, err := certFilter(r)
	if err != nil {
		return err
	}
	certs, total, err := s.CertStore.FindCertificates(r.Context(), f)
	if err != nil {
		return err
	}
	views := make([]*certView, len(certs))
	for i, c := range certs {
		views[i] = s.view(r, c)
	}
	writeJSON(w, 200, newList(views, total))
	return nil
}

func (s *Server) apiIssueCredential(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		LearnerID int64 `json:"learner_id"`
		ProgramID int64 `json:"program_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := s.Users.FindUserByID(r.Context(), in.LearnerID); err != nil {
		return talentloop.Invalid(map[string]string{"learner_id": "err.user_not_found"})
	}
	if _, err := s.Catalog.FindProgramByID(r.Context(), in.ProgramID); err != nil {
		return talentloop.Invalid(map[string]string{"program_id": "err.program_not_found"})
	}
	c, created, err := s.Certs.Issue(r.Context(), state(r).user.ID, in.LearnerID, in.ProgramID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.view(r, c))
	return nil
}

func (s *Server) apiCertAction(w http.ResponseWriter, r *http.Request, act func(ctx context.Context, actor int64, id, reason string) (*talentloop.Certificate, error)) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	c, err := act(r.Context(), state(r).user.ID, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, 200, s.view(r, c))
	return nil
}

func (s *Server) apiCertRevoke(w http.ResponseWriter, r *http.Request) error {
	return s.apiCertAction(w, r, s.Certs.Revoke)
}
func (s *Server) apiCertSuspend(w http.ResponseWriter, r *http.Request) error {
	return s.apiCertAction(w, r, s.Certs.Suspend)
}
func (s *Server) apiCertUnsuspend(w http.ResponseWriter, r *http.Request) error {
	return s.apiCertAction(w, r, s.Certs.Unsuspend)
}

// Certification rules and batch issuance.

func (s *Server) rulePage(r *http.Request) (*page, *talentloop.Program, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Catalog.FindProgramByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	rule, err := s.CertStore.FindRule(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	_, held, err := s.CertStore.FindCertificates(r.Context(), talentloop.CertificateFilter{ProgramID: id, Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	return &page{Title: tr(state(r).lang, "title.certification"), Form: map[string]string{
		"min_project_percent": strconv.Itoa(rule.MinProjectPercent), "min_average_percent": strconv.Itoa(rule.MinAveragePercent),
		"validity_months": strconv.Itoa(rule.ValidityMonths), "auto_issue": checked(rule.AutoIssue)},
		Data: map[string]any{"Program": p, "Rule": rule, "Held": held}}, p, nil
}

func (s *Server) handleRuleForm(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.rulePage(r)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "certification", p)
	return nil
}

func (s *Server) handleRuleSave(w http.ResponseWriter, r *http.Request) error {
	pg, p, err := s.rulePage(r)
	if err != nil {
		return err
	}
	rule := &talentloop.CertificationRule{ProgramID: p.ID, AutoIssue: r.PostFormValue("auto_issue") != ""}
	bad := map[string]string{}
	for _, f := range []string{"min_project_percent", "min_average_percent", "validity_months"} {
		if strings.TrimSpace(r.PostFormValue(f)) == "" {
			bad[f] = "err.required"
		}
	}
	var ok bool
	if rule.MinProjectPercent, ok = formInt(r, "min_project_percent"); !ok {
		bad["min_project_percent"] = "err.number"
	}
	if rule.MinAveragePercent, ok = formInt(r, "min_average_percent"); !ok {
		bad["min_average_percent"] = "err.number"
	}
	if rule.ValidityMonths, ok = formInt(r, "validity_months"); !ok {
		bad["validity_months"] = "err.number"
	}
	pg.Form = nil
	if len(bad) > 0 {
		return s.formError(w, r, "certification", pg, mergeFields(bad, rule.Validate()))
	}
	if err := s.CertStore.SaveRule(r.Context(), state(r).user.ID, rule); err != nil {
		return s.formError(w, r, "certification", pg, err)
	}
	return s.redirect(w, r, fmt.Sprintf("/admin/programs/%d/certification", p.ID), "flash.saved")
}

// handleBatchIssue starts issuing every due certificate of a program as a
// background job whose progress lives in the database.
func (s *Server) handleBatchIssue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Catalog.FindProgramByID(r.Context(), id)
	if err != nil {
		return err
	}
	due, err := s.CertStore.CompletedWithoutCertificate(r.Context(), id)
	if err != nil {
		return err
	}
	job, err := s.CertStore.StartJob(r.Context(), "certificates.issue", p.Title.ZH, len(due))
	if err != nil {
		return err
	}
	actor := state(r).user.ID
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		last := time.Time{}
		issued, err := s.Certs.IssueEligible(ctx, actor, id, func(done, total int) {
			if time.Since(last) > 300*time.Millisecond || done == total {
				last = time.Now()
				s.CertStore.UpdateJob(ctx, job.ID, done, 0, "running", "")
			}
		})
		status, msg := "finished", fmt.Sprintf("%d", issued)
		if err != nil {
			status, msg = "failed", err.Error()
			s.Logger.Error("batch issuance failed", "job", job.ID, "err", err)
		}
		s.CertStore.UpdateJob(context.Background(), job.ID, issued, 0, status, msg)
	}()
	return s.redirect(w, r, fmt.Sprintf("/admin/jobs/%d", job.ID), "")
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.CertStore.FindJob(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "job", &page{Title: tr(state(r).lang, "title.job"), Data: map[string]any{"Job": j}})
	return nil
}
