// Package certify issues and manages certificates (微专业认证): it checks a
// program's certification rule against a learner's reviewed work, builds
// and signs Open Badges 3.0 credentials with the credential engine, keeps
// them revocable through Bitstring Status Lists, and verifies credentials
// from any issuer.
package certify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"talentloop"
	"talentloop/credential"
)

// Service implements talentloop.CertificateService.
type Service struct {
	Store    talentloop.CertificateStore
	Catalog  talentloop.CatalogService
	Users    talentloop.UserService
	Identity *credential.Identity
	// BaseURL is the public https URL credentials point at.
	BaseURL    string
	IssuerName string
	Logger     *slog.Logger
	Now        func() time.Time
	// HTTPClient fetches other issuers' status lists; nil disables that.
	HTTPClient *http.Client

	verifier *credential.Verifier
	mu       sync.Mutex
	lists    map[string]cachedList
}

type cachedList struct {
	version int64
	at      time.Time
	signed  []byte
}

var _ talentloop.CertificateService = (*Service)(nil)

// New returns a service; baseURL must be an absolute http(s) URL (an http
// one is turned into https for the credentials, which must name an https
// verification page).
func New(store talentloop.CertificateStore, catalog talentloop.CatalogService, users talentloop.UserService, id *credential.Identity, baseURL string, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{Store: store, Catalog: catalog, Users: users, Identity: id, BaseURL: PublicBase(baseURL), IssuerName: "talentloop 数字技能认证",
		Logger: logger, Now: time.Now, HTTPClient: &http.Client{Timeout: 5 * time.Second}, lists: map[string]cachedList{}}
	s.verifier = &credential.Verifier{Resolver: credential.MultiResolver{id.Resolver(), credential.KeyResolver{}}, StatusFetcher: credential.StatusFetcherFunc(s.fetchStatusList),
		Now: func() time.Time { return s.Now() }}
	return s
}

// PublicBase turns the configured base URL into the https origin that
// credentials name.
func PublicBase(baseURL string) string {
	baseURL = strings.TrimRight(baseURL, "/")
	if strings.HasPrefix(baseURL, "http://") {
		baseURL = "https://" + strings.TrimPrefix(baseURL, "http://")
	}
	return baseURL
}

// IssuerDID is the DID the service signs with.
func (s *Service) IssuerDID() string { return s.Identity.DID() }

// DIDDocument returns the did:web document to serve at
// /.well-known/did.json, when the issuer is did:web.
func (s *Service) DIDDocument() (json.RawMessage, bool) {
	if !s.Identity.IsWeb() {
		return nil, false
	}
	b, err := json.MarshalIndent(s.Identity.DIDDocument(), "", "  ")
	return b, err == nil
}

// Eligibility checks a learner against a program's rule.
func (s *Service) Eligibility(ctx context.Context, userID, programID int64) (*talentloop.Eligibility, error) {
	rule, err := s.Store.FindRule(ctx, programID)
	if err != nil {
		return nil, err
	}
	return s.eligibility(ctx, rule, userID)
}

func (s *Service) eligibility(ctx context.Context, rule *talentloop.CertificationRule, userID int64) (*talentloop.Eligibility, error) {
	scores, completed, err := s.Store.ProgramScores(ctx, userID, rule.ProgramID)
	if err != nil {
		return nil, err
	}
	e := &talentloop.Eligibility{Completed: completed, Scores: scores}
	if !completed {
		e.Unmet = append(e.Unmet, "cert.unmet_completion")
	}
	sum, n := 0, 0
	low := false
	for _, sc := range scores {
		if !sc.Required {
			continue
		}
		sum += sc.Percent
		n++
		if !sc.Passed || sc.Percent < rule.MinProjectPercent {
			low = true
		}
	}
	if n > 0 {
		e.Average = sum / n
	}
	if low {
		e.Unmet = append(e.Unmet, "cert.unmet_project")
	}
	if e.Average < rule.MinAveragePercent {
		e.Unmet = append(e.Unmet, "cert.unmet_average")
	}
	e.Eligible = len(e.Unmet) == 0
	return e, nil
}

// Issue issues a qualified learner's certificate, or returns the one they
// hold.
func (s *Service) Issue(ctx context.Context, actorID, userID, programID int64) (*talentloop.Certificate, bool, error) {
	if c, err := s.Store.FindCertificate(ctx, userID, programID); err == nil {
		return c, false, nil
	} else if talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
		return nil, false, err
	}
	user, err := s.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, false, err
	}
	if !user.HasRole(talentloop.RoleLearner) {
		return nil, false, talentloop.Invalid(map[string]string{"learner_id": "err.not_a_learner"})
	}
	rule, err := s.Store.FindRule(ctx, programID)
	if err != nil {
		return nil, false, err
	}
	el, err := s.eligibility(ctx, rule, userID)
	if err != nil {
		return nil, false, err
	}
	if !el.Eligible {
		return nil, false, &talentloop.Error{Code: talentloop.EINVALID, Message: "err.not_eligible", Fields: map[string]string{"learner_id": el.Unmet[0]}}
	}
	program, err := s.Catalog.FindProgramByID(ctx, programID)
	if err != nil {
		return nil, false, err
	}
	issuer := s.Identity.DID()
	revList, revIdx, err := s.Store.AllocateStatus(ctx, string(credential.Revocation), issuer, s.newList(credential.Revocation, issuer))
	if err != nil {
		return nil, false, err
	}
	susList, susIdx, err := s.Store.AllocateStatus(ctx, string(credential.Suspension), issuer, s.newList(credential.Suspension, issuer))
	if err != nil {
		return nil, false, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	c := &talentloop.Certificate{ID: newID(), UserID: userID, HolderName: user.Name, HolderEmail: user.Email, ProgramID: programID, Program: program.Title,
		IssuerDID: issuer, IssuedAt: now, RevocationList: revList, RevocationIndex: revIdx, SuspensionList: susList, SuspensionIndex: susIdx}
	if rule.ValidityMonths > 0 {
		until := now.AddDate(0, rule.ValidityMonths, 0)
		c.ValidUntil = &until
	}
	raw, err := s.sign(ctx, c, program, rule, el)
	if err != nil {
		return nil, false, err
	}
	c.Credential = raw
	if err := s.Store.CreateCertificate(ctx, actorID, c); err != nil {
		if talentloop.ErrorCode(err) == talentloop.ECONFLICT {
			// Issued concurrently by another server: that one stands.
			existing, ferr := s.Store.FindCertificate(ctx, userID, programID)
			if ferr == nil {
				return existing, false, nil
			}
		}
		return nil, false, err
	}
	s.Logger.Info("certificate issued", "certificate", c.ID, "learner", userID, "program", programID)
	return c, true, nil
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// VerifyURL is a certificate's public page.
func (s *Service) VerifyURL(id string) string { return s.BaseURL + "/credentials/" + id }

func (s *Service) newList(purpose credential.StatusPurpose, issuer string) func() (*talentloop.StatusListRecord, error) {
	return func() (*talentloop.StatusListRecord, error) {
		id := string(purpose[0]) + "-" + newID()
		url := s.BaseURL + "/status-lists/" + id
		l, err := credential.NewStatusList(url, issuer, purpose, 0)
		if err != nil {
			return nil, err
		}
		data, err := l.MarshalBinary()
		if err != nil {
			return nil, err
		}
		return &talentloop.StatusListRecord{ID: id, URL: url, Purpose: string(purpose), IssuerDID: issuer, Data: data}, nil
	}
}

// sign builds and signs the Open Badges credential of c.
func (s *Service) sign(ctx context.Context, c *talentloop.Certificate, p *talentloop.Program, rule *talentloop.CertificationRule, el *talentloop.Eligibility) ([]byte, error) {
	var aligns []credential.Alignment
	for _, sk := range p.Skills {
		aligns = append(aligns, credential.Alignment{TargetName: sk.Name.ZH + " / " + sk.Name.EN, TargetURL: s.BaseURL + "/skills#" + sk.SkillID,
			TargetDescription: fmt.Sprintf("Level %d of 5", sk.Level), TargetFramework: "talentloop skills", TargetCode: sk.SkillID, TargetType: credential.AlignSkill})
	}
	for _, o := range p.Occupations {
		framework := "中华人民共和国职业分类大典 (2022)"
		switch {
		case len(o.Code) == 4:
			framework = "ISCO-08"
		case strings.Contains(o.Code, "."):
			framework = "O*NET-SOC"
		}
		aligns = append(aligns, credential.Alignment{TargetName: o.Name.ZH, TargetURL: fmt.Sprintf("%s/programs/%d#occupations", s.BaseURL, p.ID),
			TargetFramework: framework, TargetCode: o.Code, TargetType: credential.AlignOccupation})
	}
	var evidence []credential.Evidence
	for _, sc := range el.Scores {
		if !sc.Passed {
			continue
		}
		evidence = append(evidence, credential.Evidence{ID: fmt.Sprintf("%s/projects/%d", s.BaseURL, sc.ProjectID), Name: sc.Project.ZH, Genre: "Real project",
			Description: fmt.Sprintf("实战项目，来自%s / A real project from %s", sc.Company.ZH, sc.Company.In("en")),
			Narrative:   fmt.Sprintf("由一线讲师%s评审通过：%d / %d 分（%s）。Passed in review by %s: %d of %d.", sc.Reviewer, sc.Total, sc.Max, sc.At.Format("2006-01-02"), sc.Reviewer, sc.Total, sc.Max)})
	}
	summary := strings.TrimSpace(p.Summary.ZH + "\n\n" + p.Summary.EN)
	if summary == "" {
		summary = fmt.Sprintf("talentloop 微专业「%s」/ the talentloop program “%s”", p.Title.ZH, p.Title.In("en"))
	}
	criteria := fmt.Sprintf("完成微专业全部必修课程；每个必做实战项目经一线讲师按量规评审通过，且得分不低于满分的 %d%%", rule.MinProjectPercent)
	if rule.MinAveragePercent > 0 {
		criteria += fmt.Sprintf("，平均不低于 %d%%", rule.MinAveragePercent)
	}
	criteria += fmt.Sprintf("。Complete every required course; pass every required real project in review by a front-line engineer with at least %d%% of the points", rule.MinProjectPercent)
	if rule.MinAveragePercent > 0 {
		criteria += fmt.Sprintf(" and %d%% on average", rule.MinAveragePercent)
	}
	criteria += "."
	params := credential.OpenBadgeParams{
		ID:        s.VerifyURL(c.ID),
		Issuer:    credential.Issuer{ID: c.IssuerDID, Name: s.IssuerName, URL: s.BaseURL},
		ValidFrom: c.IssuedAt,
		Name:      "微专业认证：" + p.Title.ZH,
		Description: strings.TrimSpace(fmt.Sprintf("%s 完成了 talentloop 微专业「%s」的学习与实战项目考核。%s completed the talentloop program “%s” and its real projects.",
			c.HolderName, p.Title.ZH, c.HolderName, p.Title.In("en"))),
		HolderEmail: c.HolderEmail,
		Achievement: credential.AchievementParams{
			ID: fmt.Sprintf("%s/programs/%d", s.BaseURL, p.ID), Name: p.Title.ZH + " / " + p.Title.In("en"),
			Description: summary, CriteriaNarrative: criteria,
			FieldOfStudy: p.Chain, Alignments: aligns,
		},
		Evidence: evidence,
	}
	if c.ValidUntil != nil {
		params.ValidUntil = *c.ValidUntil
	}
	rev, err := s.Store.FindStatusList(ctx, c.RevocationList)
	if err != nil {
		return nil, err
	}
	sus, err := s.Store.FindStatusList(ctx, c.SuspensionList)
	if err != nil {
		return nil, err
	}
	params.Status = []credential.StatusEntry{entry(rev, c.RevocationIndex), entry(sus, c.SuspensionIndex)}
	vc, err := credential.BuildOpenBadge(params)
	if err != nil {
		return nil, err
	}
	return credential.Sign(vc, s.Identity.Signer(), c.IssuedAt)
}

func entry(rec *talentloop.StatusListRecord, i int) credential.StatusEntry {
	l := credential.StatusList{ID: rec.URL, Purpose: credential.StatusPurpose(rec.Purpose)}
	return l.Entry(i)
}

// IssueEligible issues every due certificate of a program (0: all),
// whatever the programs' auto-issue setting: an operator's batch.
func (s *Service) IssueEligible(ctx context.Context, actorID, programID int64, progress func(done, total int)) (int, error) {
	return s.issueDue(ctx, actorID, programID, false, progress)
}

// AutoIssue issues the due certificates of programs whose rule issues
// automatically; the background job calls it.
func (s *Service) AutoIssue(ctx context.Context) (int, error) {
	return s.issueDue(ctx, 0, 0, true, nil)
}

func (s *Service) issueDue(ctx context.Context, actorID, programID int64, onlyAuto bool, progress func(done, total int)) (int, error) {
	pairs, err := s.Store.CompletedWithoutCertificate(ctx, programID)
	if err != nil {
		return 0, err
	}
	issued := 0
	rules := map[int64]*talentloop.CertificationRule{}
	for i, p := range pairs {
		if progress != nil {
			progress(i, len(pairs))
		}
		if err := ctx.Err(); err != nil {
			return issued, err
		}
		rule := rules[p[1]]
		if rule == nil {
			if rule, err = s.Store.FindRule(ctx, p[1]); err != nil {
				return issued, err
			}
			rules[p[1]] = rule
		}
		if onlyAuto && !rule.AutoIssue {
			continue
		}
		// Issue checks eligibility itself; not yet qualifying is no failure.
		if _, created, err := s.Issue(ctx, actorID, p[0], p[1]); talentloop.ErrorCode(err) == talentloop.EINVALID {
			continue
		} else if err != nil {
			s.Logger.Warn("certificate not issued", "learner", p[0], "program", p[1], "err", err)
		} else if created {
			issued++
		}
	}
	if progress != nil {
		progress(len(pairs), len(pairs))
	}
	return issued, nil
}

// Revoke revokes a certificate for good, with a reason shown publicly.
func (s *Service) Revoke(ctx context.Context, actorID int64, id, reason string) (*talentloop.Certificate, error) {
	return s.Store.SetCertificateStatus(ctx, actorID, id, talentloop.CertRevoked, reason)
}

// Suspend suspends a certificate until it is unsuspended.
func (s *Service) Suspend(ctx context.Context, actorID int64, id, reason string) (*talentloop.Certificate, error) {
	return s.Store.SetCertificateStatus(ctx, actorID, id, talentloop.CertSuspended, reason)
}

// Unsuspend lifts a suspension.
func (s *Service) Unsuspend(ctx context.Context, actorID int64, id, reason string) (*talentloop.Certificate, error) {
	return s.Store.SetCertificateStatus(ctx, actorID, id, talentloop.CertValid, reason)
}

// MatchHolder reports whether email is the certificate holder's, by the
// salted hash inside the credential.
func (s *Service) MatchHolder(c *talentloop.Certificate, email string) bool {
	var doc map[string]any
	if json.Unmarshal(c.Credential, &doc) != nil {
		return false
	}
	return credential.MatchIdentity(doc, email)
}

// StatusListCredential returns a list's signed BitstringStatusListCredential,
// signed again only when the list changed.
func (s *Service) StatusListCredential(ctx context.Context, id string) ([]byte, error) {
	rec, err := s.Store.FindStatusList(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	cached, ok := s.lists[id]
	s.mu.Unlock()
	if ok && cached.version == rec.Version && s.Now().Sub(cached.at) < 12*time.Hour {
		return cached.signed, nil
	}
	var l credential.StatusList
	if err := l.UnmarshalBinary(rec.Data); err != nil {
		return nil, err
	}
	signed, err := l.SignedCredential(s.Identity, s.Now().UTC().Truncate(time.Second))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.lists[id] = cachedList{version: rec.Version, at: s.Now(), signed: signed}
	s.mu.Unlock()
	return signed, nil
}

// fetchStatusList reads our own lists from the database and others' over
// HTTP.
func (s *Service) fetchStatusList(ctx context.Context, url string) ([]byte, error) {
	// Our own lists are read from the database, whatever base URL they were
	// issued under (a demo database moved to another address keeps working).
	if i := strings.Index(url, "/status-lists/"); i > 0 {
		id := url[i+len("/status-lists/"):]
		if rec, err := s.Store.FindStatusList(ctx, id); err == nil && rec.URL == url {
			return s.StatusListCredential(ctx, id)
		}
	}
	if s.HTTPClient == nil || !strings.HasPrefix(url, "https://") {
		return nil, fmt.Errorf("status list %s cannot be fetched", url)
	}
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vc+ld+json, application/json")
	resp, err := s.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status list %s: HTTP %d", url, resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}

// Verify checks a credential from any issuer and reports every check.
func (s *Service) Verify(ctx context.Context, raw []byte) (*talentloop.VerifyResult, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, talentloop.Invalid(map[string]string{"credential": "err.credential_empty"})
	}
	res := s.verifier.Verify(ctx, raw)
	out := &talentloop.VerifyResult{Verified: res.Verified, Issuer: res.Issuer}
	if name, ok := res.Credential["name"].(string); ok {
		out.Name = name
	}
	for _, c := range res.Checks {
		vc := talentloop.VerifyCheck{Name: string(c.Name), Outcome: string(c.Outcome)}
		if c.Reason != nil {
			vc.Code, vc.Message = string(c.Reason.Code), c.Reason.Message
		}
		out.Checks = append(out.Checks, vc)
	}
	for _, st := range res.Status {
		if st.Set && st.Purpose == string(credential.Revocation) {
			out.Revoked = true
		}
		if st.Set && st.Purpose == string(credential.Suspension) {
			out.Suspended = true
		}
	}
	return out, nil
}
