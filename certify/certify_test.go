package certify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"talentloop"
	"talentloop/certify"
	"talentloop/credential"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

type world struct {
	db      *sqldb.DB
	svc     *certify.Service
	program *talentloop.Program
	lesson  *talentloop.Lesson
	project *talentloop.Project
	op      *talentloop.User
	inst    *talentloop.User
}

func newWorld(t *testing.T, db *sqldb.DB) *world {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w := &world{db: db}
	lv := [5]talentloop.Text{{ZH: "1", EN: "1"}, {ZH: "2", EN: "2"}, {ZH: "3", EN: "3"}, {ZH: "4", EN: "4"}, {ZH: "5", EN: "5"}}
	must(db.UpsertSkills(ctx, []*talentloop.Skill{{ID: "sound.dubbing", Name: talentloop.Text{ZH: "配音", EN: "Dubbing"}, Category: "voice", Chain: "sound", Levels: lv}}))
	co := &talentloop.Company{Slug: "echo", Name: talentloop.Text{ZH: "回声工作室", EN: "Echo Studio"}}
	must(db.CreateCompany(ctx, co))
	w.op = &talentloop.User{Email: "op@example.com", Name: "运营", Roles: []talentloop.Role{talentloop.RoleOperator}}
	w.inst = &talentloop.User{Email: "inst@example.com", Name: "王讲师", Roles: []talentloop.Role{talentloop.RoleInstructor}, CompanyID: co.ID}
	must(db.CreateUser(ctx, w.op, "password-1234"))
	must(db.CreateUser(ctx, w.inst, "password-1234"))
	w.program = &talentloop.Program{Slug: "dub", Chain: "sound", Title: talentloop.Text{ZH: "影视配音", EN: "Film Dubbing"}, Level: "beginner", DurationWeeks: 8,
		Status: talentloop.StatusPublished, Skills: []talentloop.SkillLevel{{SkillID: "sound.dubbing", Level: 3}},
		Occupations: []talentloop.Occupation{{Code: "2655", Name: talentloop.Text{ZH: "演员（ISCO-08）"}}}}
	must(db.CreateProgram(ctx, w.op.ID, w.program))
	c := &talentloop.Course{ProgramID: w.program.ID, Title: talentloop.Text{ZH: "角色配音"}, Required: true}
	must(db.CreateCourse(ctx, w.op.ID, c))
	must(db.SetCourseInstructors(ctx, w.op.ID, c.ID, []int64{w.inst.ID}))
	w.lesson = &talentloop.Lesson{CourseID: c.ID, Title: talentloop.Text{ZH: "气息"}, Required: true}
	must(db.CreateLesson(ctx, w.op.ID, w.lesson))
	w.project = &talentloop.Project{CourseID: c.ID, CompanyID: co.ID, Title: talentloop.Text{ZH: "动画配音"}, Brief: talentloop.Text{ZH: "配音"}, Level: 3, PassMark: 6, Required: true,
		Skills: []talentloop.SkillLevel{{SkillID: "sound.dubbing", Level: 3}},
		Rubric: talentloop.Rubric{Criteria: []talentloop.Criterion{{Key: "v", Name: talentloop.Text{ZH: "声音"}, Levels: []talentloop.RubricLevel{
			{Name: talentloop.Text{ZH: "差"}, Points: 0}, {Name: talentloop.Text{ZH: "中"}, Points: 6}, {Name: talentloop.Text{ZH: "好"}, Points: 10}}}}}}
	must(db.CreateProject(ctx, w.op.ID, w.project))
	ks, err := credential.OpenKeystore(t.TempDir(), nil)
	must(err)
	id, err := credential.NewIdentity(ks, "")
	must(err)
	w.svc = certify.New(db, db, db, id, "http://talentloop.test", nil)
	return w
}

// learner enrols, finishes the lesson and gets the project reviewed at level.
func (w *world) learner(t *testing.T, email string, level int) *talentloop.User {
	ctx := context.Background()
	u := &talentloop.User{Email: email, Name: "学员" + email[:3]}
	if err := w.db.CreateUser(ctx, u, "password-1234"); err != nil {
		t.Fatal(err)
	}
	w.db.Enrol(ctx, u.ID, w.program.ID, nil)
	w.db.MarkLessonDone(ctx, u.ID, w.lesson.ID)
	s, err := w.db.Submit(ctx, u.ID, &talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "作品"}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ReviewSubmission(ctx, w.inst.ID, s.ID, []talentloop.Score{{CriterionKey: "v", Level: level}}, ""); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestIssueVerifyRevoke(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		ann := w.learner(t, "ann@example.com", 2) // 10/10
		bob := w.learner(t, "bob@example.com", 1) // 6/10: passes review, under a 70% rule
		if err := db.SaveRule(ctx, w.op.ID, &talentloop.CertificationRule{ProgramID: w.program.ID, MinProjectPercent: 70, ValidityMonths: 24, AutoIssue: true}); err != nil {
			t.Fatal(err)
		}
		n, err := w.svc.AutoIssue(ctx)
		if err != nil || n != 1 {
			t.Fatalf("AutoIssue = %d, %v; want 1 (ann only)", n, err)
		}
		if _, _, err := w.svc.Issue(ctx, w.op.ID, bob.ID, w.program.ID); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("issuing to bob under the bar: %v", err)
		}
		cert, created, err := w.svc.Issue(ctx, w.op.ID, ann.ID, w.program.ID)
		if err != nil || created {
			t.Fatalf("second Issue for ann: created=%v %v", created, err)
		}
		if n, _ := w.svc.AutoIssue(ctx); n != 0 {
			t.Errorf("AutoIssue again issued %d", n)
		}
		var doc map[string]any
		json.Unmarshal(cert.Credential, &doc)
		if doc["id"] != "https://talentloop.test/credentials/"+cert.ID || doc["validUntil"] == nil || bytes.Contains(cert.Credential, []byte("ann@example.com")) {
			t.Errorf("credential: id %v validUntil %v, email in clear: %v", doc["id"], doc["validUntil"], bytes.Contains(cert.Credential, []byte("ann@example.com")))
		}
		if !w.svc.MatchHolder(cert, " Ann@Example.com ") || w.svc.MatchHolder(cert, "bob@example.com") {
			t.Error("holder matching is wrong")
		}
		res, err := w.svc.Verify(ctx, cert.Credential)
		if err != nil || !res.Verified || res.Revoked || res.Suspended {
			t.Fatalf("fresh certificate: %+v %v", res, err)
		}
		tampered := bytes.Replace(cert.Credential, []byte("影视配音"), []byte("影视配音（高级）"), 1)
		if res, _ := w.svc.Verify(ctx, tampered); res.Verified {
			t.Error("a tampered certificate verified")
		}
		if res, _ := w.svc.Verify(ctx, []byte(`{"not":"a credential"`)); res.Verified || res.Checks[0].Outcome != "failed" {
			t.Errorf("malformed JSON: %+v", res)
		}
		if _, err := w.svc.Suspend(ctx, w.op.ID, cert.ID, ""); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("suspending without a reason: %v", err)
		}
		if c, err := w.svc.Suspend(ctx, w.op.ID, cert.ID, "核查作品原创性"); err != nil || c.Status != talentloop.CertSuspended {
			t.Fatalf("suspend: %v", err)
		}
		if res, _ := w.svc.Verify(ctx, cert.Credential); res.Verified || !res.Suspended {
			t.Errorf("suspended certificate: %+v", res)
		}
		if c, err := w.svc.Unsuspend(ctx, w.op.ID, cert.ID, "核查通过"); err != nil || c.Status != talentloop.CertValid {
			t.Fatalf("unsuspend: %v", err)
		}
		if res, _ := w.svc.Verify(ctx, cert.Credential); !res.Verified {
			t.Errorf("after unsuspending: %+v", res)
		}
		if c, err := w.svc.Revoke(ctx, w.op.ID, cert.ID, "作品抄袭"); err != nil || c.Status != talentloop.CertRevoked || c.Reason != "作品抄袭" {
			t.Fatalf("revoke: %v %+v", err, c)
		}
		if notes, _, _ := db.FindNotifications(ctx, ann.ID, 1); len(notes) != 1 || notes[0].Kind != talentloop.NotifyCertStatus || notes[0].Params["status"] != "revoked" {
			t.Errorf("the holder was not told of the revocation: %+v", notes)
		}
		if _, err := w.svc.Revoke(ctx, w.op.ID, cert.ID, "again"); err != nil {
			t.Errorf("revoking twice should be harmless: %v", err)
		}
		if _, err := w.svc.Unsuspend(ctx, w.op.ID, cert.ID, "undo"); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("un-revoking: %v", err)
		}
		res, _ = w.svc.Verify(ctx, cert.Credential)
		if res.Verified || !res.Revoked {
			t.Errorf("revoked certificate: %+v", res)
		}
		// The stored credential never changes after signing.
		again, _ := db.FindCertificateByID(ctx, cert.ID)
		if !bytes.Equal(again.Credential, cert.Credential) {
			t.Error("the stored credential changed")
		}
		// Lowering the bar lets the batch issue bob's.
		db.SaveRule(ctx, w.op.ID, &talentloop.CertificationRule{ProgramID: w.program.ID, MinProjectPercent: 60})
		var calls int
		issued, err := w.svc.IssueEligible(ctx, w.op.ID, w.program.ID, func(done, total int) { calls++ })
		if err != nil || issued != 1 || calls == 0 {
			t.Errorf("IssueEligible = %d, %v (progress calls %d)", issued, err, calls)
		}
		list, total, _ := db.FindCertificates(ctx, talentloop.CertificateFilter{ProgramID: w.program.ID, Status: talentloop.CertValid})
		if total != 1 || list[0].UserID != bob.ID {
			t.Errorf("valid certificates = %d", total)
		}
	})
}
