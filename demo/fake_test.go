package demo

import (
	"context"
	"strings"
	"sync"

	"talentloop"
)

// fake is an in-memory UserService and CatalogService, enough to exercise
// Load without a database. Methods Load does not call are left to the
// embedded nil interfaces and panic if called.
type fake struct {
	talentloop.UserService
	talentloop.CatalogService

	mu          sync.Mutex
	nextID      int64
	users       []*talentloop.User
	companies   []*talentloop.Company
	profiles    map[int64]*talentloop.InstructorProfile
	skills      map[string]*talentloop.Skill
	programs    []*talentloop.Program
	courses     []*talentloop.Course
	lessons     []*talentloop.Lesson
	projects    []*talentloop.Project
	instructors map[int64][]int64
	writes      int
}

func newFake() *fake {
	return &fake{profiles: map[int64]*talentloop.InstructorProfile{}, skills: map[string]*talentloop.Skill{}, instructors: map[int64][]int64{}}
}

func (f *fake) id() int64 { f.nextID++; f.writes++; return f.nextID }

func (f *fake) CreateUser(_ context.Context, u *talentloop.User, password string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := talentloop.ValidateRegistration(u.Email, u.Name, password); err != nil {
		return err
	}
	u.Email = talentloop.NormalizeEmail(u.Email)
	for _, x := range f.users {
		if x.Email == u.Email {
			return talentloop.Errorf(talentloop.ECONFLICT, "err.email_taken")
		}
	}
	u.ID = f.id()
	c := *u
	f.users = append(f.users, &c)
	return nil
}

func (f *fake) FindUserByEmail(_ context.Context, email string) (*talentloop.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Email == talentloop.NormalizeEmail(email) {
			c := *u
			return &c, nil
		}
	}
	return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.not_found")
}

func (f *fake) FindUsers(_ context.Context, flt talentloop.UserFilter) ([]*talentloop.User, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*talentloop.User
	for _, u := range f.users {
		if flt.Demo != nil && u.Demo != *flt.Demo || flt.Role != "" && !u.HasRole(flt.Role) ||
			flt.Q != "" && !strings.Contains(u.Name+u.Email, flt.Q) {
			continue
		}
		out = append(out, u)
	}
	n := len(out)
	if flt.Limit > 0 && len(out) > flt.Limit {
		out = out[:flt.Limit]
	}
	return out, n, nil
}

func (f *fake) SetRoles(_ context.Context, actorID, userID int64, roles []talentloop.Role, companyID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.ID == userID {
			u.Roles, u.CompanyID = roles, companyID
			f.writes++
			return nil
		}
	}
	return talentloop.Errorf(talentloop.ENOTFOUND, "err.not_found")
}

func (f *fake) CreateCompany(_ context.Context, c *talentloop.Company) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := c.Validate(); err != nil {
		return err
	}
	c.ID = f.id()
	f.companies = append(f.companies, c)
	return nil
}

func (f *fake) FindCompanies(context.Context) ([]*talentloop.Company, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*talentloop.Company(nil), f.companies...), nil
}

func (f *fake) SetInstructorProfile(_ context.Context, p *talentloop.InstructorProfile) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.profiles[p.UserID] = p
	f.writes++
	return nil
}

func (f *fake) UpsertSkills(_ context.Context, skills []*talentloop.Skill) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range skills {
		f.skills[s.ID] = s
	}
	f.writes++
	return nil
}

func (f *fake) known(id string) bool { return f.skills[id] != nil }

func (f *fake) FindPrograms(_ context.Context, flt talentloop.ProgramFilter) ([]*talentloop.Program, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*talentloop.Program
	for _, p := range f.programs {
		if p.Status == talentloop.StatusPublished || flt.IncludeDrafts {
			out = append(out, p)
		}
	}
	return out, len(out), nil
}

func (f *fake) CreateProgram(_ context.Context, actorID int64, p *talentloop.Program) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := p.Validate(f.known); err != nil {
		return err
	}
	p.ID = f.id()
	c := *p
	f.programs = append(f.programs, &c)
	return nil
}

func (f *fake) UpdateProgram(_ context.Context, actorID int64, p *talentloop.Program) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := p.Validate(f.known); err != nil {
		return err
	}
	for i, x := range f.programs {
		if x.ID == p.ID {
			c := *p
			f.programs[i] = &c
			f.writes++
			return nil
		}
	}
	return talentloop.Errorf(talentloop.ENOTFOUND, "err.not_found")
}

func (f *fake) CreateCourse(_ context.Context, actorID int64, c *talentloop.Course) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := c.Validate(); err != nil {
		return err
	}
	c.ID = f.id()
	f.courses = append(f.courses, c)
	return nil
}

func (f *fake) CreateLesson(_ context.Context, actorID int64, l *talentloop.Lesson) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := l.Validate(); err != nil {
		return err
	}
	l.ID = f.id()
	f.lessons = append(f.lessons, l)
	return nil
}

func (f *fake) CreateProject(_ context.Context, actorID int64, p *talentloop.Project) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := p.Validate(f.known); err != nil {
		return err
	}
	p.ID = f.id()
	f.projects = append(f.projects, p)
	return nil
}

func (f *fake) SetCourseInstructors(_ context.Context, actorID, courseID int64, userIDs []int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range userIDs {
		if f.profiles[id] == nil {
			return talentloop.Errorf(talentloop.EINVALID, "err.not_instructor")
		}
	}
	f.instructors[courseID] = userIDs
	f.writes++
	return nil
}
