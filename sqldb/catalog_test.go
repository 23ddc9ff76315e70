package sqldb_test

import (
	"context"
	"testing"

	"talentloop"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

func testSkills() []*talentloop.Skill {
	lv := [5]talentloop.Text{{ZH: "入门", EN: "Novice"}, {ZH: "初级", EN: "Beginner"}, {ZH: "中级", EN: "Intermediate"}, {ZH: "高级", EN: "Advanced"}, {ZH: "专家", EN: "Expert"}}
	return []*talentloop.Skill{
		{ID: "sound.dubbing", Name: talentloop.Text{ZH: "配音", EN: "Dubbing"}, Category: "voice", Chain: "sound", Levels: lv},
		{ID: "it.frontend.react", Name: talentloop.Text{ZH: "React 开发", EN: "React"}, Category: "frontend", Chain: "it", Levels: lv},
	}
}

func TestCatalog(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := db.UpsertSkills(ctx, testSkills()); err != nil {
			t.Fatal(err)
		}
		chains, err := db.FindChains(ctx)
		if err != nil || len(chains) != 5 || chains[0].Code != "it" || chains[4].Code != "live-streaming" {
			t.Fatalf("chains = %v, %v", chains, err)
		}
		p := &talentloop.Program{Slug: "film-dubbing", Chain: "sound", Title: talentloop.Text{ZH: "影视配音", EN: "Film Dubbing"},
			Summary: talentloop.Text{ZH: "为影视剧和动画配音", EN: "Voice acting for film and animation"}, PriceFen: 199900, Level: "beginner", DurationWeeks: 12,
			Status: talentloop.StatusPublished, Skills: []talentloop.SkillLevel{{SkillID: "sound.dubbing", Level: 3}},
			Occupations: []talentloop.Occupation{{Code: "2-09-03-05", Name: talentloop.Text{ZH: "配音演员"}}}}
		if err := db.CreateProgram(ctx, 0, p); err != nil {
			t.Fatal(err)
		}
		draft := &talentloop.Program{Slug: "react-draft", Chain: "it", Title: talentloop.Text{ZH: "React 进阶"}, Level: "advanced", DurationWeeks: 8}
		if err := db.CreateProgram(ctx, 0, draft); err != nil {
			t.Fatal(err)
		}
		if draft.Status != talentloop.StatusDraft || draft.Currency != "CNY" {
			t.Errorf("defaults: status %q currency %q", draft.Status, draft.Currency)
		}

		// Bad input: unknown skill, bad chain, negative price; nothing stored.
		bad := &talentloop.Program{Slug: "Bad Slug", Chain: "cooking", Title: talentloop.Text{ZH: "x"}, PriceFen: -1, Level: "beginner", DurationWeeks: 4,
			Skills: []talentloop.SkillLevel{{SkillID: "nope", Level: 2}}}
		err = db.CreateProgram(ctx, 0, bad)
		e, _ := err.(*talentloop.Error)
		if e == nil || e.Code != talentloop.EINVALID || e.Fields["slug"] == "" || e.Fields["chain"] == "" || e.Fields["price_fen"] == "" || e.Fields["skills"] == "" {
			t.Fatalf("bad program: %v", err)
		}
		if err := db.CreateProgram(ctx, 0, &talentloop.Program{Slug: "film-dubbing", Chain: "sound", Title: talentloop.Text{ZH: "重复"}, Level: "beginner", DurationWeeks: 4}); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("duplicate slug: %v", err)
		}

		// Search in Chinese and English; drafts hidden.
		for _, tc := range []struct {
			q      string
			drafts bool
			want   int
		}{{"配音", false, 1}, {"dubbing", false, 1}, {"DUBBING film", false, 1}, {"React", false, 0}, {"React", true, 1}, {"", false, 1}, {"50%", false, 0}, {"%", false, 0}, {"_", false, 0}} {
			got, n, err := db.FindPrograms(ctx, talentloop.ProgramFilter{Q: tc.q, IncludeDrafts: tc.drafts})
			if err != nil || n != tc.want || len(got) != tc.want {
				t.Errorf("FindPrograms(%q, drafts=%v) = %d (%d), %v; want %d", tc.q, tc.drafts, len(got), n, err, tc.want)
			}
		}
		if got, _, _ := db.FindPrograms(ctx, talentloop.ProgramFilter{Chain: "sound"}); len(got) != 1 || got[0].Skills[0].Name.ZH != "配音" {
			t.Errorf("by chain: %+v", got)
		}

		co := &talentloop.Company{Slug: "echo-studio", Name: talentloop.Text{ZH: "回声配音工作室", EN: "Echo Studio"}}
		if err := db.CreateCompany(ctx, co); err != nil {
			t.Fatal(err)
		}
		inst := &talentloop.User{Email: "inst@example.com", Name: "王老师", Roles: []talentloop.Role{talentloop.RoleInstructor}, CompanyID: co.ID}
		if err := db.CreateUser(ctx, inst, "password-1234"); err != nil {
			t.Fatal(err)
		}
		db.SetInstructorProfile(ctx, &talentloop.InstructorProfile{UserID: inst.ID, Title: talentloop.Text{ZH: "配音导演"}})
		c := &talentloop.Course{ProgramID: p.ID, Title: talentloop.Text{ZH: "角色配音基础"}, Required: true}
		if err := db.CreateCourse(ctx, 0, c); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateCourse(ctx, 0, &talentloop.Course{ProgramID: 9999, Title: talentloop.Text{ZH: "孤儿"}}); talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
			t.Errorf("course of missing program: %v", err)
		}
		if err := db.SetCourseInstructors(ctx, 0, c.ID, []int64{inst.ID}); err != nil {
			t.Fatal(err)
		}
		learner := &talentloop.User{Email: "l@example.com", Name: "学员"}
		db.CreateUser(ctx, learner, "password-1234")
		if err := db.SetCourseInstructors(ctx, 0, c.ID, []int64{learner.ID}); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("a learner as instructor: %v", err)
		}
		if ok, _ := db.IsCourseInstructor(ctx, c.ID, inst.ID); !ok {
			t.Error("instructor should still teach the course after the rejected change")
		}
		for i, title := range []string{"气息与发声", "角色塑造"} {
			l := &talentloop.Lesson{CourseID: c.ID, Title: talentloop.Text{ZH: title}, Body: talentloop.Text{ZH: "## 练习\n\n每天朗读 10 分钟。"}, Minutes: 20 + i, Required: true}
			if err := db.CreateLesson(ctx, 0, l); err != nil {
				t.Fatal(err)
			}
			if l.Position != i+1 {
				t.Errorf("lesson position = %d, want %d", l.Position, i+1)
			}
		}
		rub := talentloop.Rubric{Criteria: []talentloop.Criterion{
			{Key: "voice", Name: talentloop.Text{ZH: "声音表现"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "待改进"}, Points: 0}, {Name: talentloop.Text{ZH: "合格"}, Points: 6}, {Name: talentloop.Text{ZH: "优秀"}, Points: 10}}},
			{Key: "sync", Name: talentloop.Text{ZH: "口型同步"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "待改进"}, Points: 0}, {Name: talentloop.Text{ZH: "优秀"}, Points: 10}}},
		}}
		pr := &talentloop.Project{CourseID: c.ID, CompanyID: co.ID, Title: talentloop.Text{ZH: "动画短片角色配音"}, Brief: talentloop.Text{ZH: "为 90 秒动画片段配音"},
			Level: 3, Skills: []talentloop.SkillLevel{{SkillID: "sound.dubbing", Level: 3}}, Rubric: rub, PassMark: 12, Required: true}
		if err := db.CreateProject(ctx, 0, pr); err != nil {
			t.Fatal(err)
		}
		badPass := *pr
		badPass.PassMark = 21
		if err := db.UpdateProject(ctx, 0, &badPass); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("pass mark above max: %v", err)
		}
		// Same rubric keeps its version; a changed one gets a new version.
		pr.Title.EN = "Character dubbing"
		if err := db.UpdateProject(ctx, 0, pr); err != nil || pr.Rubric.Version != 1 {
			t.Fatalf("update without rubric change: v%d %v", pr.Rubric.Version, err)
		}
		pr.Rubric.Criteria[1].Levels[1].Points = 8
		if err := db.UpdateProject(ctx, 0, pr); err != nil || pr.Rubric.Version != 2 {
			t.Fatalf("update with rubric change: v%d %v", pr.Rubric.Version, err)
		}

		full, err := db.FindProgramByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Courses) != 1 || len(full.Courses[0].Lessons) != 2 || len(full.Courses[0].Projects) != 1 || len(full.Courses[0].Instructors) != 1 {
			t.Fatalf("program detail: %+v", full.Courses)
		}
		gp := full.Courses[0].Projects[0]
		if gp.Company.ZH != "回声配音工作室" || gp.Rubric.MaxPoints() != 18 || gp.Rubric.Version != 2 || gp.Skills[0].Level != 3 {
			t.Errorf("project: %+v", gp)
		}
		if full.Courses[0].Instructors[0].Title.ZH != "配音导演" {
			t.Errorf("instructor: %+v", full.Courses[0].Instructors[0])
		}
		if full.Occupations[0].Code != "2-09-03-05" {
			t.Errorf("occupations: %+v", full.Occupations)
		}
		if got, _, _ := db.FindPrograms(ctx, talentloop.ProgramFilter{InstructorID: inst.ID, IncludeDrafts: true}); len(got) != 1 {
			t.Errorf("programs of instructor = %d, want 1", len(got))
		}
		counts, _ := db.Counts(ctx)
		if counts.Programs != 2 || counts.Published != 1 || counts.Lessons != 2 || counts.Projects != 1 || counts.Learners != 1 {
			t.Errorf("counts = %+v", counts)
		}
		changes, _ := db.RecentChanges(ctx, 5)
		if len(changes) != 5 || changes[0].Action != "project.update" {
			t.Errorf("changes = %+v", changes[0])
		}
		if _, err := db.FindProgramByID(ctx, 424242); talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
			t.Errorf("missing program: %v", err)
		}
	})
}
