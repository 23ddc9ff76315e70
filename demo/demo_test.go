package demo

import (
	"context"
	"strings"
	"testing"

	"talentloop"
)

func TestTaxonomy(t *testing.T) {
	skills, err := talentloop.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	if len(skills) < 60 || len(skills) > 90 {
		t.Errorf("%d skills, want 60–90", len(skills))
	}
	perChain := map[string]int{}
	for _, s := range skills {
		perChain[s.Chain]++
		if !strings.HasPrefix(s.ID, s.Chain+".") || s.Category == "" {
			t.Errorf("skill %q: id must start with its chain %q and have a category", s.ID, s.Chain)
		}
	}
	for _, c := range talentloop.ChainCodes {
		if perChain[c] < 8 {
			t.Errorf("chain %s has %d skills, want at least 8", c, perChain[c])
		}
	}
}

func TestCatalog(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	skills, err := talentloop.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(skills); err != nil {
		t.Fatal(err)
	}
}

func TestCatalogCoverage(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	perChain := map[string]int{}
	free, drafts := 0, 0
	for _, p := range c.Programs {
		perChain[p.Chain]++
		if p.PriceFen == 0 {
			free++
		}
		if !p.Published() {
			drafts++
		}
	}
	if len(c.Programs) < 14 {
		t.Errorf("%d programs, want at least 14", len(c.Programs))
	}
	for _, ch := range talentloop.ChainCodes {
		if perChain[ch] == 0 {
			t.Errorf("no program on chain %s", ch)
		}
	}
	if free < 1 || free > 2 || drafts < 1 || drafts > 2 {
		t.Errorf("%d free programs and %d drafts, want 1–2 of each", free, drafts)
	}
	if len(c.Companies) < 8 {
		t.Errorf("%d companies, want at least 8", len(c.Companies))
	}
	// The instructor and partner accounts are wired to the catalog.
	teaches := 0
	for _, p := range c.Programs {
		for _, cs := range p.Courses {
			for _, k := range cs.Instructors {
				if k == "instructor" {
					teaches++
				}
			}
		}
	}
	if teaches < 3 {
		t.Errorf("instructor@demo.test teaches %d courses, want several", teaches)
	}
	var partnerCompany string
	for _, p := range c.People {
		if p.Email == Accounts[talentloop.RolePartner] {
			partnerCompany = p.Company
		}
	}
	owned := 0
	for _, p := range c.Programs {
		for _, cs := range p.Courses {
			for _, pj := range cs.Projects {
				if pj.Company == partnerCompany {
					owned++
				}
			}
		}
	}
	if owned < 2 {
		t.Errorf("the partner's company %q owns %d projects, want several", partnerCompany, owned)
	}
}

func TestLearners(t *testing.T) {
	a, b := Learners(), Learners()
	if len(a) < 200 {
		t.Fatalf("%d learners, want at least 200", len(a))
	}
	emails := map[string]bool{}
	en := 0
	for i, u := range a {
		if u.Email != b[i].Email || u.Name != b[i].Name || u.Lang != b[i].Lang {
			t.Fatalf("learner %d differs between calls: %+v %+v", i, u, b[i])
		}
		if err := talentloop.ValidateRegistration(u.Email, u.Name, Password); err != nil {
			t.Errorf("learner %s: %v", u.Email, err)
		}
		if emails[u.Email] || !u.Demo || !u.HasRole(talentloop.RoleLearner) {
			t.Errorf("learner %s repeated, not demo or not a learner", u.Email)
		}
		emails[u.Email] = true
		if u.Lang == "en" {
			en++
		}
	}
	if a[41].Email != "learner042@demo.test" {
		t.Errorf("learner 42 is %s", a[41].Email)
	}
	if en == 0 || en > len(a)/5 {
		t.Errorf("%d of %d learners prefer English, want a few", en, len(a))
	}
}

func TestLoadFake(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	var last, total int
	s, err := Load(ctx, f, f, Options{Progress: func(done, n int, what string) {
		if done < last || done > n {
			t.Errorf("progress %d/%d after %d", done, n, last)
		}
		last, total = done, n
	}})
	if err != nil {
		t.Fatal(err)
	}
	if last != total {
		t.Errorf("progress ended at %d/%d", last, total)
	}
	c, _ := Catalog()
	checkSummary(t, s, c)
	if len(f.programs) != s.Programs || len(f.lessons) != s.Lessons || len(f.projects) != s.Projects {
		t.Errorf("summary %+v does not match the store", s)
	}
	for _, u := range f.users {
		if !u.Demo {
			t.Errorf("user %s is not marked demo", u.Email)
		}
	}
	// The role accounts hold their roles.
	for role, email := range Accounts {
		u, err := f.FindUserByEmail(ctx, email)
		if err != nil || !u.HasRole(role) {
			t.Errorf("%s: %v, roles %v", email, err, u.Roles)
		}
	}
	t.Log(s)

	// Again: nothing changes.
	writes := f.writes
	s2, err := Load(ctx, f, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s2.AlreadyLoaded || s2.Programs != 0 || f.writes != writes {
		t.Errorf("second load: %+v, %d writes", s2, f.writes-writes)
	}
}

func TestLoadRefusesRealData(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	if err := f.CreateUser(ctx, &talentloop.User{Email: "someone@example.com", Name: "真实用户", Lang: "zh"}, "a real password"); err != nil {
		t.Fatal(err)
	}
	writes := f.writes
	_, err := Load(ctx, f, f, Options{})
	if talentloop.ErrorCode(err) != talentloop.EINVALID || talentloop.ErrorMessage(err) != "err.demo_nondemo_data" {
		t.Fatalf("got %v, want EINVALID err.demo_nondemo_data", err)
	}
	if f.writes != writes {
		t.Errorf("a refused load wrote %d times", f.writes-writes)
	}
	s, err := Load(ctx, f, f, Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.AlreadyLoaded || s.Learners < 200 {
		t.Errorf("forced load: %+v", s)
	}
}

// checkSummary compares what Load says it created with the catalog.
func checkSummary(t *testing.T, s *Summary, c *Content) {
	t.Helper()
	var courses, lessons, projects, published int
	for _, p := range c.Programs {
		courses += len(p.Courses)
		for _, cs := range p.Courses {
			lessons += len(cs.Lessons)
			projects += len(cs.Projects)
		}
		if p.Published() {
			published++
		}
	}
	skills, _ := talentloop.Taxonomy()
	if s.AlreadyLoaded || s.Programs != len(c.Programs) || s.Published != published || s.Courses != courses ||
		s.Lessons != lessons || s.Projects != projects || s.Companies != len(c.Companies) ||
		s.Accounts != len(c.People) || s.Learners != LearnerCount || s.Skills != len(skills) {
		t.Errorf("summary %+v, want %d programs (%d published), %d courses, %d lessons, %d projects, %d companies, %d accounts",
			s, len(c.Programs), published, courses, lessons, projects, len(c.Companies), len(c.People))
	}
	if len(s.Logins) != len(talentloop.Roles) || s.Password != Password {
		t.Errorf("logins %+v", s.Logins)
	}
	for _, a := range s.Logins {
		if a.Name == "" || a.Email != Accounts[a.Role] {
			t.Errorf("login %+v", a)
		}
	}
}

func TestRubricScales(t *testing.T) {
	r, err := RubricSpec{Criteria: []CriterionSpec{{Key: "a", Name: talentloop.Text{ZH: "甲"}, Points: 30}}}.Rubric()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, l := range r.Criteria[0].Levels {
		got = append(got, l.Points)
	}
	if len(got) != 4 || got[0] != 30 || got[1] != 24 || got[2] != 18 || got[3] != 9 || r.Criteria[0].Levels[3].Name.ZH != "待改进" {
		t.Errorf("4-level scale of 30 points: %v", got)
	}
	r, _ = RubricSpec{Scale: "3", Criteria: []CriterionSpec{{Key: "a", Name: talentloop.Text{ZH: "甲"}, Points: 40}}}.Rubric()
	if n := len(r.Criteria[0].Levels); n != 3 || r.MaxPoints() != 40 {
		t.Errorf("3-level scale: %d levels, max %d", n, r.MaxPoints())
	}
	if _, err := (RubricSpec{Scale: "7"}).Rubric(); err == nil {
		t.Error("unknown scale accepted")
	}
	p, _ := (&ProjectSpec{Rubric: RubricSpec{Criteria: []CriterionSpec{{Key: "a", Name: talentloop.Text{ZH: "甲"}, Points: 45}}}}).Project(1, 1, 1)
	if p.PassMark != 27 {
		t.Errorf("default pass mark of 45 points is %d, want 27", p.PassMark)
	}
}

func TestMarkdownProblem(t *testing.T) {
	for body, bad := range map[string]bool{
		"# 标题\n\n正文\n\n```go\n    x := 1\n```\n": false,
		"正文\n    缩进成了代码块":                        true,
		"```js\nlet a\n":                         true,
	} {
		if got := markdownProblem(talentloop.Text{ZH: body}) != ""; got != bad {
			t.Errorf("markdownProblem(%q) = %v, want %v", body, got, bad)
		}
	}
}
