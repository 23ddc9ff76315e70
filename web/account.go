package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"talentloop"
)

// Login limits: per account and per client address, in a window shared by
// every app server through the database.
const (
	loginWindow     = 15 * time.Minute
	loginPerAccount = 5
	loginPerIP      = 100
)

func (s *Server) handleRegisterForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, 200, "register", &page{Title: tr(state(r).lang, "title.register")})
	return nil
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	u := &talentloop.User{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Lang: st.lang, Roles: []talentloop.Role{talentloop.RoleLearner}}
	p := &page{Title: tr(st.lang, "title.register")}
	password := r.PostFormValue("password")
	// Show every problem at once: the field checks and the confirmation.
	verr := talentloop.ValidateRegistration(u.Email, u.Name, password)
	if password != r.PostFormValue("password_confirm") {
		verr = mergeFields(map[string]string{"password_confirm": "err.password_mismatch"}, verr)
	}
	if verr != nil {
		return s.formError(w, r, "register", p, verr)
	}
	if err := s.Users.CreateUser(r.Context(), u, password); err != nil {
		return s.formError(w, r, "register", p, err)
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		return err
	}
	s.Logger.Info("learner registered", "user", u.ID)
	return s.redirect(w, r, "/dashboard", "flash.welcome")
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64) error {
	token, _, err := s.Auth.CreateSession(r.Context(), userID, s.Config.SessionTTL)
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, token, s.Config.SessionTTL, true)
	return nil
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if st.user != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, 200, "login", &page{Title: tr(st.lang, "title.login"), Form: map[string]string{"next": r.URL.Query().Get("next")}})
	return nil
}

// login checks a password under the rate limits and returns the user.
func (s *Server) login(ctx context.Context, r *http.Request, email, password string) (*talentloop.User, error) {
	email = talentloop.NormalizeEmail(email)
	if email == "" || password == "" {
		return nil, talentloop.Invalid(map[string]string{"email": "err.required", "password": "err.required"})
	}
	acctKey, ipKey := "login:acct:"+email, "login:ip:"+s.clientIP(r)
	for _, k := range []struct {
		key   string
		limit int
	}{{ipKey, loginPerIP}, {acctKey, loginPerAccount}} {
		ok, retry, err := s.Auth.Hit(ctx, k.key, loginWindow, k.limit)
		if err != nil {
			return nil, err
		}
		if !ok {
			mins := int(retry.Minutes()) + 1
			return nil, talentloop.Errorf(talentloop.ETOOMANY, "err.too_many_logins", mins)
		}
	}
	u, err := s.Users.Authenticate(ctx, email, password)
	if err != nil {
		return nil, err
	}
	// A success clears the account's failures and gives the address its
	// attempt back, so a classroom behind one NAT is not locked out.
	s.Auth.ResetHits(ctx, acctKey)
	s.Auth.ForgiveHit(ctx, ipKey)
	return u, nil
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	p := &page{Title: tr(st.lang, "title.login")}
	u, err := s.login(r.Context(), r, r.PostFormValue("email"), r.PostFormValue("password"))
	if err != nil {
		return s.formError(w, r, "login", p, err)
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		return err
	}
	s.setCookie(w, r, langCookie, st.lang, 365*24*time.Hour, false)
	return s.redirect(w, r, safeNext(r.PostFormValue("next")), "")
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if st.sessionToken != "" {
		if err := s.Auth.DeleteSession(r.Context(), st.sessionToken); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie)
	return s.redirect(w, r, "/", "flash.logged_out")
}

func (s *Server) accountPage(r *http.Request) (*page, error) {
	st := state(r)
	tokens, err := s.Auth.FindAPITokens(r.Context(), st.user.ID)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Tokens": tokens}
	if st.user.HasRole(talentloop.RoleInstructor) {
		prof, err := s.Users.FindInstructorProfile(r.Context(), st.user.ID)
		if err != nil {
			return nil, err
		}
		data["Profile"] = prof
	}
	if st.user.CompanyID > 0 {
		if c, err := s.Users.FindCompanyByID(r.Context(), st.user.CompanyID); err == nil {
			data["Company"] = c
		}
	}
	return &page{Title: tr(st.lang, "title.account"), Data: data}, nil
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) error {
	p, err := s.accountPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "account", p)
	return nil
}

func (s *Server) handleAccountPassword(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	p, err := s.accountPage(r)
	if err != nil {
		return err
	}
	bad := map[string]string{}
	if r.PostFormValue("new_password") != r.PostFormValue("new_password_confirm") {
		bad["new_password_confirm"] = "err.password_mismatch"
	}
	if err := talentloop.ValidatePassword(r.PostFormValue("new_password")); err != nil {
		bad["new_password"] = err.(*talentloop.Error).Message
	}
	if r.PostFormValue("old_password") == "" {
		bad["old_password"] = "err.required"
	}
	if len(bad) > 0 {
		return s.formError(w, r, "account", p, talentloop.Invalid(bad))
	}
	err = s.Users.ChangePassword(r.Context(), st.user.ID, r.PostFormValue("old_password"), r.PostFormValue("new_password"))
	if e, ok := err.(*talentloop.Error); ok && e.Fields["password"] != "" {
		e.Fields["new_password"] = e.Fields["password"]
	}
	if err != nil {
		return s.formError(w, r, "account", p, err)
	}
	// Other devices signed in with the old password are signed out.
	if err := s.Auth.DeleteUserSessions(r.Context(), st.user.ID, st.sessionToken); err != nil {
		return err
	}
	return s.redirect(w, r, "/account", "flash.password_changed")
}

func (s *Server) handleAccountTokenCreate(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	token, _, err := s.Auth.CreateAPIToken(r.Context(), st.user.ID, r.PostFormValue("name"))
	p, perr := s.accountPage(r)
	if perr != nil {
		return perr
	}
	if err != nil {
		return s.formError(w, r, "account", p, err)
	}
	p.Data["NewToken"] = token
	p.Flash = tr(st.lang, "flash.token_created")
	s.render(w, r, 200, "account", p)
	return nil
}

func (s *Server) handleAccountTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeAPIToken(r.Context(), state(r).user.ID, id); err != nil {
		return err
	}
	return s.redirect(w, r, "/account", "flash.token_revoked")
}

func (s *Server) handleAccountProfile(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	prof := &talentloop.InstructorProfile{UserID: st.user.ID,
		Title: talentloop.Text{ZH: strings.TrimSpace(r.PostFormValue("title_zh")), EN: strings.TrimSpace(r.PostFormValue("title_en"))},
		Bio:   talentloop.Text{ZH: strings.TrimSpace(r.PostFormValue("bio_zh")), EN: strings.TrimSpace(r.PostFormValue("bio_en"))}}
	if n := len([]rune(prof.Bio.ZH)) + len([]rune(prof.Bio.EN)); n > 4000 {
		p, err := s.accountPage(r)
		if err != nil {
			return err
		}
		return s.formError(w, r, "account", p, talentloop.Invalid(map[string]string{"bio_zh": "err.too_long"}))
	}
	if err := s.Users.SetInstructorProfile(r.Context(), prof); err != nil {
		return err
	}
	return s.redirect(w, r, "/account", "flash.saved")
}

// roleList parses role checkboxes.
func roleList(values []string) []talentloop.Role {
	var out []talentloop.Role
	for _, v := range values {
		out = append(out, talentloop.Role(strings.TrimSpace(v)))
	}
	return out
}

func idString(id int64) string { return fmt.Sprint(id) }
