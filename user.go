package talentloop

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do. A user may hold several roles.
type Role string

// The roles of talentloop.
const (
	RoleLearner    Role = "learner"    // 学员
	RoleInstructor Role = "instructor" // 讲师: a front-line engineer of a partner company
	RolePartner    Role = "partner"    // 合作企业: a member of a partner company
	RoleCounsellor Role = "counsellor" // 就业辅导
	RoleOperator   Role = "operator"   // 运营
)

// Roles lists every role in display order.
var Roles = []Role{RoleLearner, RoleInstructor, RolePartner, RoleCounsellor, RoleOperator}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is an account. Email is stored lower-cased and is unique.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Lang      string    `json:"lang"` // "zh" or "en": the language of emails and the default UI
	Roles     []Role    `json:"roles"`
	CompanyID int64     `json:"company_id,omitempty"` // partners and instructors belong to a company
	Demo      bool      `json:"-"`                    // created by the demo data set
	CreatedAt time.Time `json:"created_at"`
}

// HasRole reports whether the user holds role r.
func (u *User) HasRole(r Role) bool {
	if u == nil {
		return false
	}
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAnyRole reports whether the user holds at least one of roles.
func (u *User) HasAnyRole(roles ...Role) bool {
	for _, r := range roles {
		if u.HasRole(r) {
			return true
		}
	}
	return false
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateRegistration checks the fields of a new account and returns an
// EINVALID error naming each bad field, or nil.
func ValidateRegistration(email, name, password string) error {
	f := map[string]string{}
	if e := NormalizeEmail(email); e == "" {
		f["email"] = "err.required"
	} else if a, err := mail.ParseAddress(e); err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@"):], ".") {
		f["email"] = "err.email"
	}
	if n := strings.TrimSpace(name); n == "" {
		f["name"] = "err.required"
	} else if utf8.RuneCountInString(n) > 80 {
		f["name"] = "err.too_long"
	}
	if err := ValidatePassword(password); err != nil {
		f["password"] = err.(*Error).Message
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// ValidatePassword checks a new password's length.
func ValidatePassword(p string) error {
	if utf8.RuneCountInString(p) < MinPasswordLen {
		return Errorf(EINVALID, "err.password_short")
	}
	if len(p) > 1024 {
		return Errorf(EINVALID, "err.too_long")
	}
	return nil
}

// Company is a partner company: it contributes real projects and employs
// instructors and partner members.
type Company struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
	Website     string `json:"website,omitempty"`
	City        string `json:"city,omitempty"`
}

// Validate checks a company's fields.
func (c *Company) Validate() error {
	f := map[string]string{}
	if !validSlug(c.Slug) {
		f["slug"] = "err.slug"
	}
	if strings.TrimSpace(c.Name.ZH) == "" {
		f["name_zh"] = "err.required"
	}
	if c.Website != "" && !validURL(c.Website) {
		f["website"] = "err.url"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	return nil
}

// InstructorProfile describes an instructor: a front-line engineer.
type InstructorProfile struct {
	UserID    int64  `json:"user_id"`
	Name      string `json:"name"`
	CompanyID int64  `json:"company_id"`
	Company   Text   `json:"company"`
	Title     Text   `json:"title"`
	Bio       Text   `json:"bio"`
}

// UserFilter selects users.
type UserFilter struct {
	Role   Role
	Q      string // substring of name or email
	Demo   *bool  // when set, only demo (true) or only real (false) users
	Limit  int
	Offset int
}

// Session is a signed-in browser. Only a hash of its token is stored.
type Session struct {
	UserID    int64
	CSRF      string
	ExpiresAt time.Time
}

// APIToken is a bearer token for the JSON API. Only a hash is stored; the
// token itself is shown once, at creation.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters, to tell tokens apart
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// UserService manages accounts, companies and instructor profiles.
type UserService interface {
	CreateUser(ctx context.Context, u *User, password string) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// Authenticate returns the user whose email and password match, or
	// EUNAUTHORIZED.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	SetPassword(ctx context.Context, userID int64, password string) error
	ChangePassword(ctx context.Context, userID int64, oldPassword, newPassword string) error
	// SetRoles replaces a user's roles and company; actorID is recorded.
	SetRoles(ctx context.Context, actorID, userID int64, roles []Role, companyID int64) error

	CreateCompany(ctx context.Context, c *Company) error
	FindCompanies(ctx context.Context) ([]*Company, error)
	FindCompanyByID(ctx context.Context, id int64) (*Company, error)
	SetInstructorProfile(ctx context.Context, p *InstructorProfile) error
	FindInstructorProfile(ctx context.Context, userID int64) (*InstructorProfile, error)
}

// AuthService keeps the state that must be shared by every app server:
// sessions, API tokens and rate-limit counters.
type AuthService interface {
	CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, s *Session, err error)
	// FindSession returns the live session and its user, or EUNAUTHORIZED.
	FindSession(ctx context.Context, token string) (*Session, *User, error)
	DeleteSession(ctx context.Context, token string) error
	DeleteUserSessions(ctx context.Context, userID int64, exceptToken string) error

	CreateAPIToken(ctx context.Context, userID int64, name string) (token string, t *APIToken, err error)
	FindUserByAPIToken(ctx context.Context, token string) (*User, error)
	FindAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, tokenID int64) error

	// Hit counts one attempt against key within a fixed window and reports
	// whether it is within limit; when not, retryAfter says when to retry.
	Hit(ctx context.Context, key string, window time.Duration, limit int) (ok bool, retryAfter time.Duration, err error)
	// ResetHits forgets the attempts counted for key.
	ResetHits(ctx context.Context, key string) error
	// ForgiveHit takes back one attempt counted for key.
	ForgiveHit(ctx context.Context, key string) error
}
