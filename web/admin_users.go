package web

import (
	"net/http"
	"strconv"
	"strings"

	"talentloop"
)

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	q := r.URL.Query()
	role := talentloop.Role(q.Get("role"))
	if role != "" && !role.Valid() {
		role = ""
	}
	// Counsellors see learners only.
	if !st.user.HasRole(talentloop.RoleOperator) {
		role = talentloop.RoleLearner
	}
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	const per = 50
	users, total, err := s.Users.FindUsers(r.Context(), talentloop.UserFilter{Role: role, Q: q.Get("q"), Limit: per, Offset: (pageNo - 1) * per})
	if err != nil {
		return err
	}
	s.render(w, r, 200, "admin_users", &page{Title: tr(st.lang, "title.users"), Data: map[string]any{
		"Users": users, "Total": total, "Role": string(role), "Q": q.Get("q"), "Page": pageNo,
		"HasNext": pageNo*per < total, "Roles": talentloop.Roles}})
	return nil
}

func (s *Server) userFormPage(r *http.Request, title string) (*page, error) {
	companies, err := s.Users.FindCompanies(r.Context())
	if err != nil {
		return nil, err
	}
	return &page{Title: title, Data: map[string]any{"Companies": companies, "Roles": talentloop.Roles}}, nil
}

func (s *Server) handleAdminUserNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.userFormPage(r, tr(state(r).lang, "title.user_new"))
	if err != nil {
		return err
	}
	p.Form = map[string]string{}
	s.render(w, r, 200, "admin_user_new", p)
	return nil
}

func (s *Server) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	p, err := s.userFormPage(r, tr(st.lang, "title.user_new"))
	if err != nil {
		return err
	}
	r.ParseForm()
	companyID, _ := strconv.ParseInt(r.PostFormValue("company_id"), 10, 64)
	roles := roleList(r.PostForm["roles"])
	if len(roles) == 0 {
		return s.formError(w, r, "admin_user_new", p, talentloop.Invalid(map[string]string{"roles": "err.role_required"}))
	}
	for _, role := range roles {
		if (role == talentloop.RolePartner || role == talentloop.RoleInstructor) && companyID <= 0 {
			return s.formError(w, r, "admin_user_new", p, talentloop.Invalid(map[string]string{"company_id": "err.company_required"}))
		}
	}
	u := &talentloop.User{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Lang: r.PostFormValue("lang"), Roles: roles, CompanyID: companyID}
	if err := s.Users.CreateUser(r.Context(), u, r.PostFormValue("password")); err != nil {
		return s.formError(w, r, "admin_user_new", p, err)
	}
	return s.redirect(w, r, "/admin/users/"+idString(u.ID), "flash.user_created")
}

func (s *Server) adminUserPage(r *http.Request) (*page, *talentloop.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.userFormPage(r, u.Name)
	if err != nil {
		return nil, nil, err
	}
	p.Data["Subject"] = u
	return p, u, nil
}

func (s *Server) handleAdminUser(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.adminUserPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "admin_user", p)
	return nil
}

func (s *Server) handleAdminUserRoles(w http.ResponseWriter, r *http.Request) error {
	p, u, err := s.adminUserPage(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	companyID, _ := strconv.ParseInt(r.PostFormValue("company_id"), 10, 64)
	if err := s.Users.SetRoles(r.Context(), state(r).user.ID, u.ID, roleList(r.PostForm["roles"]), companyID); err != nil {
		return s.formError(w, r, "admin_user", p, err)
	}
	return s.redirect(w, r, "/admin/users/"+idString(u.ID), "flash.roles_saved")
}

func (s *Server) handleAdminUserPassword(w http.ResponseWriter, r *http.Request) error {
	p, u, err := s.adminUserPage(r)
	if err != nil {
		return err
	}
	if err := s.Users.SetPassword(r.Context(), u.ID, r.PostFormValue("password")); err != nil {
		return s.formError(w, r, "admin_user", p, err)
	}
	if err := s.Auth.DeleteUserSessions(r.Context(), u.ID, ""); err != nil {
		return err
	}
	return s.redirect(w, r, "/admin/users/"+idString(u.ID), "flash.password_reset")
}

func (s *Server) handleAdminCompanies(w http.ResponseWriter, r *http.Request) error {
	companies, err := s.Users.FindCompanies(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, 200, "admin_companies", &page{Title: tr(state(r).lang, "title.companies"), Data: map[string]any{"Companies": companies}, Form: map[string]string{}})
	return nil
}

func (s *Server) handleAdminCompanyCreate(w http.ResponseWriter, r *http.Request) error {
	c := &talentloop.Company{Slug: strings.TrimSpace(r.PostFormValue("slug")),
		Name:        talentloop.Text{ZH: strings.TrimSpace(r.PostFormValue("name_zh")), EN: strings.TrimSpace(r.PostFormValue("name_en"))},
		Description: talentloop.Text{ZH: strings.TrimSpace(r.PostFormValue("description_zh")), EN: strings.TrimSpace(r.PostFormValue("description_en"))},
		Website:     strings.TrimSpace(r.PostFormValue("website")), City: strings.TrimSpace(r.PostFormValue("city"))}
	if err := s.Users.CreateCompany(r.Context(), c); err != nil {
		companies, ferr := s.Users.FindCompanies(r.Context())
		if ferr != nil {
			return ferr
		}
		return s.formError(w, r, "admin_companies", &page{Title: tr(state(r).lang, "title.companies"), Data: map[string]any{"Companies": companies}}, err)
	}
	return s.redirect(w, r, "/admin/companies", "flash.saved")
}
