package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"talentloop"
)

// Ensure the DB implements the services.
var (
	_ talentloop.UserService    = (*DB)(nil)
	_ talentloop.AuthService    = (*DB)(nil)
	_ talentloop.CatalogService = (*DB)(nil)
)

// hashPassword returns an encoded argon2id hash in the PHC string format.
func (db *DB) hashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	const threads = 1
	key := argon2.IDKey([]byte(password), salt, db.PasswordTime, db.PasswordMemoryKiB, threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, db.PasswordMemoryKiB, db.PasswordTime, threads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// checkPassword reports whether password matches the encoded hash.
func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash makes a failed lookup take as long as a wrong password.
var dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0000000000000000000000000000000000000000000"

// CreateUser creates an account with the given password and roles; a user
// with no roles becomes a learner.
func (db *DB) CreateUser(ctx context.Context, u *talentloop.User, password string) (err error) {
	defer wrapErr(&err, "CreateUser(%q)", u.Email)
	u.Email = talentloop.NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if err := talentloop.ValidateRegistration(u.Email, u.Name, password); err != nil {
		return err
	}
	if u.Lang != "en" {
		u.Lang = "zh"
	}
	if len(u.Roles) == 0 {
		u.Roles = []talentloop.Role{talentloop.RoleLearner}
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			return talentloop.Invalid(map[string]string{"roles": "err.role"})
		}
	}
	hash := db.hashPassword(password)
	return db.withTx(ctx, func(tx *Tx) error {
		now := db.now()
		var company any
		if u.CompanyID > 0 {
			company = u.CompanyID
		}
		id, err := tx.insert(ctx, `INSERT INTO users (email, name, lang, password_hash, company_id, demo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Email, u.Name, u.Lang, hash, company, u.Demo, now, now)
		if isUnique(err) {
			return &talentloop.Error{Code: talentloop.ECONFLICT, Message: "err.email_taken", Fields: map[string]string{"email": "err.email_taken"}}
		} else if isForeignKey(err) {
			return talentloop.Invalid(map[string]string{"company_id": "err.unknown_company"})
		} else if err != nil {
			return err
		}
		u.ID, u.CreatedAt = id, now
		for _, r := range u.Roles {
			if _, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)`, id, string(r), now); err != nil {
				return err
			}
		}
		return nil
	})
}

const userCols = `u.id, u.email, u.name, u.lang, COALESCE(u.company_id, 0), u.demo, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (*talentloop.User, error) {
	u := &talentloop.User{}
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Lang, &u.CompanyID, &u.Demo, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.user_not_found")
	}
	return u, err
}

// loadRoles fills the roles of users.
func (db *DB) loadRoles(ctx context.Context, q queryer, users ...*talentloop.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := map[int64]*talentloop.User{}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		byID[u.ID] = u
		u.Roles = nil
		ids = append(ids, fmt.Sprint(u.ID))
	}
	// The ids are integers we formatted ourselves, so inlining them is safe.
	rows, err := q.QueryContext(ctx, `SELECT user_id, role FROM user_roles WHERE user_id IN (`+strings.Join(ids, ",")+`) ORDER BY user_id, role`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return err
		}
		byID[id].Roles = append(byID[id].Roles, talentloop.Role(role))
	}
	for _, u := range users {
		sortRoles(u.Roles)
	}
	return rows.Err()
}

// sortRoles puts roles in the order of talentloop.Roles.
func sortRoles(roles []talentloop.Role) {
	rank := map[talentloop.Role]int{}
	for i, r := range talentloop.Roles {
		rank[r] = i
	}
	for i := 1; i < len(roles); i++ {
		for j := i; j > 0 && rank[roles[j]] < rank[roles[j-1]]; j-- {
			roles[j], roles[j-1] = roles[j-1], roles[j]
		}
	}
}

// FindUserByID returns a user with roles, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*talentloop.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`, id))
	if err != nil {
		return nil, err
	}
	return u, db.loadRoles(ctx, db.read, u)
}

// FindUserByEmail returns a user with roles, or ENOTFOUND.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*talentloop.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.email = ?`, talentloop.NormalizeEmail(email)))
	if err != nil {
		return nil, err
	}
	return u, db.loadRoles(ctx, db.read, u)
}

// FindUsers lists users by the filter, newest first, with the total count.
func (db *DB) FindUsers(ctx context.Context, f talentloop.UserFilter) (_ []*talentloop.User, total int, err error) {
	defer wrapErr(&err, "FindUsers")
	where, args := []string{"1=1"}, []any{}
	if f.Role != "" {
		where = append(where, `EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)`)
		args = append(args, string(f.Role))
	}
	if q := strings.ToLower(strings.TrimSpace(f.Q)); q != "" {
		where = append(where, `(lower(u.name) LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\')`)
		args = append(args, "%"+likeEscape(q)+"%", "%"+likeEscape(q)+"%")
	}
	if f.Demo != nil {
		where = append(where, `u.demo = ?`)
		args = append(args, *f.Demo)
	}
	w := strings.Join(where, " AND ")
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM users u WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.query(ctx, `SELECT `+userCols+` FROM users u WHERE `+w+` ORDER BY u.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var users []*talentloop.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return users, total, db.loadRoles(ctx, db.read, users...)
}

// likeEscape makes LIKE wildcards in user input literal (with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Authenticate checks an email and password.
func (db *DB) Authenticate(ctx context.Context, email, password string) (*talentloop.User, error) {
	var id int64
	var hash string
	err := db.queryRow(ctx, `SELECT id, password_hash FROM users WHERE email = ?`, talentloop.NormalizeEmail(email)).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash, password)
		return nil, talentloop.Errorf(talentloop.EUNAUTHORIZED, "err.bad_credentials")
	} else if err != nil {
		return nil, err
	}
	if !checkPassword(hash, password) {
		return nil, talentloop.Errorf(talentloop.EUNAUTHORIZED, "err.bad_credentials")
	}
	return db.FindUserByID(ctx, id)
}

// SetPassword replaces a user's password (an operator's reset).
func (db *DB) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := talentloop.ValidatePassword(password); err != nil {
		return &talentloop.Error{Code: talentloop.EINVALID, Message: err.(*talentloop.Error).Message, Fields: map[string]string{"password": err.(*talentloop.Error).Message}}
	}
	hash := db.hashPassword(password)
	return db.withTx(ctx, func(tx *Tx) error {
		return tx.execOne(ctx, "err.user_not_found", `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, db.now(), userID)
	})
}

// ChangePassword replaces a password after checking the old one.
func (db *DB) ChangePassword(ctx context.Context, userID int64, oldPassword, newPassword string) error {
	var hash string
	if err := db.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); errors.Is(err, sql.ErrNoRows) {
		return talentloop.Errorf(talentloop.ENOTFOUND, "err.user_not_found")
	} else if err != nil {
		return err
	}
	if !checkPassword(hash, oldPassword) {
		return talentloop.Invalid(map[string]string{"old_password": "err.wrong_password"})
	}
	return db.SetPassword(ctx, userID, newPassword)
}

// SetRoles replaces a user's roles and company.
func (db *DB) SetRoles(ctx context.Context, actorID, userID int64, roles []talentloop.Role, companyID int64) error {
	seen := map[talentloop.Role]bool{}
	for _, r := range roles {
		if !r.Valid() || seen[r] {
			return talentloop.Invalid(map[string]string{"roles": "err.role"})
		}
		seen[r] = true
	}
	if len(roles) == 0 {
		return talentloop.Invalid(map[string]string{"roles": "err.role_required"})
	}
	if (seen[talentloop.RolePartner] || seen[talentloop.RoleInstructor]) && companyID <= 0 {
		return talentloop.Invalid(map[string]string{"company_id": "err.company_required"})
	}
	if actorID == userID && !seen[talentloop.RoleOperator] {
		// An operator who drops their own role could lock everyone out.
		return &talentloop.Error{Code: talentloop.EINVALID, Message: "err.cannot_drop_own_operator", Fields: map[string]string{"roles": "err.cannot_drop_own_operator"}}
	}
	return db.withTx(ctx, func(tx *Tx) error {
		var company any
		if companyID > 0 {
			company = companyID
		}
		res, err := tx.exec(ctx, `UPDATE users SET company_id = ?, updated_at = ? WHERE id = ?`, company, db.now(), userID)
		if isForeignKey(err) {
			return talentloop.Invalid(map[string]string{"company_id": "err.unknown_company"})
		} else if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.user_not_found")
		}
		if _, err := tx.exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
			return err
		}
		var by any
		if actorID > 0 {
			by = actorID
		}
		for _, r := range roles {
			if _, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)`, userID, string(r), by, db.now()); err != nil {
				return err
			}
		}
		var name string
		if err := tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, userID).Scan(&name); err != nil {
			return err
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		return tx.change(ctx, actorID, "user.roles", name+" → "+strings.Join(names, ", "))
	})
}

// CreateCompany creates a partner company.
func (db *DB) CreateCompany(ctx context.Context, c *talentloop.Company) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		id, err := tx.insert(ctx, `INSERT INTO companies (slug, name_zh, name_en, description_zh, description_en, website, city, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Slug, c.Name.ZH, c.Name.EN, c.Description.ZH, c.Description.EN, c.Website, c.City, db.now())
		if isUnique(err) {
			return &talentloop.Error{Code: talentloop.ECONFLICT, Message: "err.slug_taken", Fields: map[string]string{"slug": "err.slug_taken"}}
		} else if err != nil {
			return err
		}
		c.ID = id
		return nil
	})
}

const companyCols = `id, slug, name_zh, name_en, description_zh, description_en, website, city`

func scanCompany(row interface{ Scan(...any) error }) (*talentloop.Company, error) {
	c := &talentloop.Company{}
	err := row.Scan(&c.ID, &c.Slug, &c.Name.ZH, &c.Name.EN, &c.Description.ZH, &c.Description.EN, &c.Website, &c.City)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.company_not_found")
	}
	return c, err
}

// FindCompanies lists every company by name.
func (db *DB) FindCompanies(ctx context.Context) ([]*talentloop.Company, error) {
	rows, err := db.query(ctx, `SELECT `+companyCols+` FROM companies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.Company
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindCompanyByID returns a company or ENOTFOUND.
func (db *DB) FindCompanyByID(ctx context.Context, id int64) (*talentloop.Company, error) {
	return scanCompany(db.queryRow(ctx, `SELECT `+companyCols+` FROM companies WHERE id = ?`, id))
}

// SetInstructorProfile creates or replaces an instructor's profile.
func (db *DB) SetInstructorProfile(ctx context.Context, p *talentloop.InstructorProfile) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO instructor_profiles (user_id, title_zh, title_en, bio_zh, bio_en) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET title_zh = excluded.title_zh, title_en = excluded.title_en, bio_zh = excluded.bio_zh, bio_en = excluded.bio_en`,
			p.UserID, p.Title.ZH, p.Title.EN, p.Bio.ZH, p.Bio.EN)
		if isForeignKey(err) {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.user_not_found")
		}
		return err
	})
}

const instructorSelect = `SELECT u.id, u.name, COALESCE(u.company_id, 0), COALESCE(c.name_zh, ''), COALESCE(c.name_en, ''),
	COALESCE(p.title_zh, ''), COALESCE(p.title_en, ''), COALESCE(p.bio_zh, ''), COALESCE(p.bio_en, '')
	FROM users u LEFT JOIN instructor_profiles p ON p.user_id = u.id LEFT JOIN companies c ON c.id = u.company_id`

func scanInstructor(row interface{ Scan(...any) error }) (*talentloop.InstructorProfile, error) {
	p := &talentloop.InstructorProfile{}
	err := row.Scan(&p.UserID, &p.Name, &p.CompanyID, &p.Company.ZH, &p.Company.EN, &p.Title.ZH, &p.Title.EN, &p.Bio.ZH, &p.Bio.EN)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.user_not_found")
	}
	return p, err
}

// FindInstructorProfile returns an instructor's profile (empty fields when
// none was written yet).
func (db *DB) FindInstructorProfile(ctx context.Context, userID int64) (*talentloop.InstructorProfile, error) {
	return scanInstructor(db.queryRow(ctx, instructorSelect+` WHERE u.id = ?`, userID))
}
