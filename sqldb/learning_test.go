package sqldb_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"talentloop"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
)

// world is a small program: one course with two required lessons and one
// required project (pass mark 12 of 20), an instructor, two learners.
type world struct {
	db                 *sqldb.DB
	program            *talentloop.Program
	course             *talentloop.Course
	lessons            []*talentloop.Lesson
	project            *talentloop.Project
	op, inst, ann, bob *talentloop.User
}

func newWorld(t *testing.T, db *sqldb.DB, price int64) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UpsertSkills(ctx, testSkills()))
	co := &talentloop.Company{Slug: "echo", Name: talentloop.Text{ZH: "回声工作室"}}
	must(db.CreateCompany(ctx, co))
	w.op = &talentloop.User{Email: "op@example.com", Name: "运营", Roles: []talentloop.Role{talentloop.RoleOperator}}
	w.inst = &talentloop.User{Email: "inst@example.com", Name: "讲师", Roles: []talentloop.Role{talentloop.RoleInstructor}, CompanyID: co.ID}
	w.ann = &talentloop.User{Email: "ann@example.com", Name: "Ann", Lang: "en"}
	w.bob = &talentloop.User{Email: "bob@example.com", Name: "Bob"}
	for _, u := range []*talentloop.User{w.op, w.inst, w.ann, w.bob} {
		must(db.CreateUser(ctx, u, "password-1234"))
	}
	w.program = &talentloop.Program{Slug: "dub", Chain: "sound", Title: talentloop.Text{ZH: "影视配音", EN: "Dubbing"}, PriceFen: price, Level: "beginner", DurationWeeks: 4,
		Status: talentloop.StatusPublished}
	must(db.CreateProgram(ctx, w.op.ID, w.program))
	w.course = &talentloop.Course{ProgramID: w.program.ID, Title: talentloop.Text{ZH: "角色配音"}, Required: true}
	must(db.CreateCourse(ctx, w.op.ID, w.course))
	must(db.SetCourseInstructors(ctx, w.op.ID, w.course.ID, []int64{w.inst.ID}))
	for _, title := range []string{"气息", "发声"} {
		l := &talentloop.Lesson{CourseID: w.course.ID, Title: talentloop.Text{ZH: title}, Required: true}
		must(db.CreateLesson(ctx, w.op.ID, l))
		w.lessons = append(w.lessons, l)
	}
	w.project = &talentloop.Project{CourseID: w.course.ID, CompanyID: co.ID, Title: talentloop.Text{ZH: "动画配音"}, Brief: talentloop.Text{ZH: "配一段动画"}, Level: 3,
		Skills: []talentloop.SkillLevel{{SkillID: "sound.dubbing", Level: 3}}, PassMark: 12, Required: true,
		Rubric: talentloop.Rubric{Criteria: []talentloop.Criterion{
			{Key: "voice", Name: talentloop.Text{ZH: "声音"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "差"}, Points: 0}, {Name: talentloop.Text{ZH: "中"}, Points: 5}, {Name: talentloop.Text{ZH: "好"}, Points: 10}}},
			{Key: "sync", Name: talentloop.Text{ZH: "口型"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "差"}, Points: 0}, {Name: talentloop.Text{ZH: "好"}, Points: 10}}},
		}}}
	must(db.CreateProject(ctx, w.op.ID, w.project))
	return w
}

func TestEnrolmentAndOrders(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 99900)
		income := int64(450000)
		e, created, err := db.Enrol(ctx, w.ann.ID, w.program.ID, &talentloop.IncomeReport{MonthlyIncomeFen: &income, Employment: "employed"})
		if err != nil || !created {
			t.Fatalf("Enrol: %v created=%v", err, created)
		}
		if e.Order.Status != talentloop.OrderPending || e.Order.AmountFen != 99900 || e.Order.Provider != "manual" || e.Active {
			t.Fatalf("new paid-program enrolment: %+v order %+v", e, e.Order)
		}
		// Enrolling twice returns the same enrolment and order.
		e2, created, err := db.Enrol(ctx, w.ann.ID, w.program.ID, nil)
		if err != nil || created || e2.ID != e.ID || e2.Order.ID != e.Order.ID {
			t.Fatalf("second Enrol: %v created=%v %d/%d", err, created, e2.ID, e.ID)
		}
		// Bad income input changes nothing.
		neg := int64(-1)
		if _, _, err := db.Enrol(ctx, w.bob.ID, w.program.ID, &talentloop.IncomeReport{MonthlyIncomeFen: &neg, Employment: "astronaut"}); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("bad income: %v", err)
		}
		if es, _ := db.FindEnrolments(ctx, w.bob.ID); len(es) != 0 {
			t.Errorf("bob has %d enrolments after a rejected enrolment", len(es))
		}
		// Without payment there is no access.
		if err := db.MarkLessonDone(ctx, w.ann.ID, w.lessons[0].ID); talentloop.ErrorCode(err) != talentloop.EFORBIDDEN {
			t.Errorf("lesson before payment: %v", err)
		}
		if _, err := db.MarkOrderPaid(ctx, w.op.ID, e.Order.ID, " "); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("mark paid without reference: %v", err)
		}
		o, err := db.MarkOrderPaid(ctx, w.op.ID, e.Order.ID, "BANK-2026-001")
		if err != nil || o.Status != talentloop.OrderPaid || o.PaidAt == nil || o.Reference != "BANK-2026-001" || len(o.Events) != 2 || o.Events[1].ActorID != w.op.ID {
			t.Fatalf("MarkOrderPaid: %v %+v", err, o)
		}
		if _, err := db.MarkOrderPaid(ctx, w.op.ID, e.Order.ID, "AGAIN"); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("paying twice: %v", err)
		}
		if ok, _ := db.HasAccess(ctx, w.ann.ID, w.program.ID); !ok {
			t.Fatal("no access after payment")
		}
		if n, _ := db.UnreadCount(ctx, w.ann.ID); n != 1 {
			t.Errorf("unread after payment = %d, want 1", n)
		}
		// Refund ends access; re-enrolling opens a new order.
		if _, err := db.RefundOrder(ctx, w.op.ID, e.Order.ID, "changed mind"); err != nil {
			t.Fatal(err)
		}
		if notes, _, _ := db.FindNotifications(ctx, w.ann.ID, 10); len(notes) != 2 || notes[0].Kind != talentloop.NotifyRefund || notes[0].Params["note"] != "changed mind" {
			t.Errorf("the refund did not notify the learner: %+v", notes)
		}
		if ok, _ := db.HasAccess(ctx, w.ann.ID, w.program.ID); ok {
			t.Fatal("access after refund")
		}
		if _, err := db.RefundOrder(ctx, w.op.ID, e.Order.ID, ""); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("refunding twice: %v", err)
		}
		e3, created, err := db.Enrol(ctx, w.ann.ID, w.program.ID, nil)
		if err != nil || !created || e3.ID != e.ID || e3.Order.ID == e.Order.ID || e3.Order.Status != talentloop.OrderPending {
			t.Fatalf("re-enrol after refund: %v %+v", err, e3.Order)
		}
		orders, total, _ := db.FindOrders(ctx, talentloop.OrderFilter{Status: talentloop.OrderRefunded})
		if total != 1 || orders[0].UserEmail != "ann@example.com" {
			t.Errorf("refunded orders = %d", total)
		}
		if reports, _ := db.FindIncomeReports(ctx, w.ann.ID); len(reports) != 1 || *reports[0].MonthlyIncomeFen != 450000 || reports[0].Source != "enrolment" {
			t.Errorf("income history = %+v", reports)
		}
		// A new income report adds history.
		more := int64(520000)
		db.AddIncomeReport(ctx, w.ann.ID, &talentloop.IncomeReport{MonthlyIncomeFen: &more, Employment: "freelance"})
		if reports, _ := db.FindIncomeReports(ctx, w.ann.ID); len(reports) != 2 || *reports[1].MonthlyIncomeFen != 450000 {
			t.Errorf("income history after a change = %d reports", len(reports))
		}
		// Drafts cannot be enrolled in.
		d := &talentloop.Program{Slug: "draft", Chain: "it", Title: talentloop.Text{ZH: "草稿"}, Level: "beginner", DurationWeeks: 2}
		db.CreateProgram(ctx, w.op.ID, d)
		if _, _, err := db.Enrol(ctx, w.bob.ID, d.ID, nil); talentloop.ErrorCode(err) != talentloop.ENOTFOUND {
			t.Errorf("enrol in a draft: %v", err)
		}
	})
}

func TestSubmissionReviewCompletion(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 0)
		e, _, err := db.Enrol(ctx, w.ann.ID, w.program.ID, nil)
		if err != nil || !e.Active || e.Order.Provider != "free" {
			t.Fatalf("free enrolment: %v %+v", err, e)
		}
		for _, l := range w.lessons {
			if err := db.MarkLessonDone(ctx, w.ann.ID, l.ID); err != nil {
				t.Fatal(err)
			}
		}
		db.MarkLessonDone(ctx, w.ann.ID, w.lessons[0].ID) // twice is harmless
		if e, _ := db.FindEnrolment(ctx, w.ann.ID, w.program.ID); e.Progress != 66 || e.Completed {
			t.Fatalf("progress after lessons = %d completed=%v, want 66", e.Progress, e.Completed)
		}

		// Bad submissions store nothing.
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
		bad := []struct {
			in   talentloop.SubmissionInput
			code string
		}{
			{talentloop.SubmissionInput{ProjectID: w.project.ID}, talentloop.EINVALID},
			{talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "x", Files: []talentloop.Upload{{Name: "virus.exe", Data: []byte("MZ")}}}, talentloop.EINVALID},
			{talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "x", Files: []talentloop.Upload{{Name: "big.png", Data: bytes.Repeat(png, 100)}}}, talentloop.ETOOLARGE},
			{talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "x", Files: []talentloop.Upload{{Name: "fake.png", Data: []byte("just text")}}}, talentloop.EINVALID},
			{talentloop.SubmissionInput{ProjectID: w.project.ID, RepoURL: "ftp://x"}, talentloop.EINVALID},
		}
		for i, b := range bad {
			if _, err := db.Submit(ctx, w.ann.ID, &b.in, 1000); talentloop.ErrorCode(err) != b.code {
				t.Errorf("bad submission %d: %v, want %s", i, err, b.code)
			}
		}
		if subs, _ := db.FindSubmissions(ctx, w.ann.ID, w.project.ID); len(subs) != 0 {
			t.Fatalf("%d submissions stored from bad input", len(subs))
		}
		// Bob is not enrolled.
		if _, err := db.Submit(ctx, w.bob.ID, &talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "hi"}, 1000); talentloop.ErrorCode(err) != talentloop.EFORBIDDEN {
			t.Errorf("submission without enrolment: %v", err)
		}

		in := talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "我的配音作品", RepoURL: "https://example.com/ann/dub", IdempotencyKey: "form-1",
			Files: []talentloop.Upload{{Name: "poster.png", Data: png}}}
		s1, err := db.Submit(ctx, w.ann.ID, &in, 1000)
		if err != nil || s1.Version != 1 || len(s1.Files) != 1 || s1.Files[0].ContentType != "image/png" {
			t.Fatalf("Submit: %v %+v", err, s1)
		}
		again := in
		if s, err := db.Submit(ctx, w.ann.ID, &again, 1000); err != nil || s.ID != s1.ID {
			t.Fatalf("the same form twice: %v, id %d vs %d", err, s.ID, s1.ID)
		}
		if _, err := db.Submit(ctx, w.ann.ID, &talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "v2"}, 1000); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("resubmitting while awaiting review: %v", err)
		}
		_, _, data, err := db.FindFile(ctx, s1.Files[0].ID)
		if err != nil || !bytes.Equal(data, png) {
			t.Fatalf("file round trip: %v", err)
		}

		queue, _ := db.ReviewQueue(ctx, w.inst.ID)
		if len(queue) != 1 || queue[0].ID != s1.ID || queue[0].Waiting == "" {
			t.Fatalf("review queue = %+v", queue)
		}
		if q, _ := db.ReviewQueue(ctx, w.op.ID); len(q) != 0 {
			t.Errorf("a non-instructor has a queue of %d", len(q))
		}
		// A review must score every criterion, and only the course's instructors review.
		if _, err := db.ReviewSubmission(ctx, w.inst.ID, s1.ID, []talentloop.Score{{CriterionKey: "voice", Level: 2}}, ""); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("review missing a criterion: %v", err)
		}
		if _, err := db.ReviewSubmission(ctx, w.op.ID, s1.ID, []talentloop.Score{{CriterionKey: "voice", Level: 2}, {CriterionKey: "sync", Level: 1}}, ""); talentloop.ErrorCode(err) != talentloop.EFORBIDDEN {
			t.Errorf("review by a non-instructor: %v", err)
		}
		r, err := db.ReviewSubmission(ctx, w.inst.ID, s1.ID, []talentloop.Score{{CriterionKey: "voice", Level: 1, Comment: "气息不稳"}, {CriterionKey: "sync", Level: 0}}, "再练练")
		if err != nil || r.Total != 5 || r.Result != talentloop.ReviewRevise || r.RubricVersion != 1 || len(r.Scores) != 2 {
			t.Fatalf("revise review: %v %+v", err, r)
		}
		s2, err := db.Submit(ctx, w.ann.ID, &talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "第二版"}, 1000)
		if err != nil || s2.Version != 2 {
			t.Fatalf("resubmit after revise: %v", err)
		}
		r, err = db.ReviewSubmission(ctx, w.inst.ID, s2.ID, []talentloop.Score{{CriterionKey: "voice", Level: 2}, {CriterionKey: "sync", Level: 1}}, "很好")
		if err != nil || r.Total != 20 || r.Result != talentloop.ReviewPassed {
			t.Fatalf("pass review: %v %+v", err, r)
		}
		e, _ = db.FindEnrolment(ctx, w.ann.ID, w.program.ID)
		if !e.Completed || e.Progress != 100 || e.OnTime == nil || !*e.OnTime {
			t.Fatalf("after passing: completed=%v progress=%d onTime=%v", e.Completed, e.Progress, e.OnTime)
		}
		prof, _ := db.SkillProfile(ctx, w.ann.ID)
		if len(prof) != 1 || prof[0].SkillID != "sound.dubbing" || prof[0].Level != 3 || len(prof[0].Evidence) != 1 {
			t.Fatalf("skill profile = %+v", prof)
		}
		if _, err := db.Submit(ctx, w.ann.ID, &talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "v3"}, 1000); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("submitting after passing: %v", err)
		}
		// Reviewing an old version is refused.
		if _, err := db.ReviewSubmission(ctx, w.inst.ID, s1.ID, []talentloop.Score{{CriterionKey: "voice", Level: 2}, {CriterionKey: "sync", Level: 1}}, ""); talentloop.ErrorCode(err) != talentloop.ECONFLICT {
			t.Errorf("review of an old version: %v", err)
		}
		// The review is corrected to "revise": evidence and completions reopen together.
		if _, err := db.ReviewSubmission(ctx, w.inst.ID, s2.ID, []talentloop.Score{{CriterionKey: "voice", Level: 1}, {CriterionKey: "sync", Level: 0}}, "更正"); err != nil {
			t.Fatal(err)
		}
		e, _ = db.FindEnrolment(ctx, w.ann.ID, w.program.ID)
		if e.Completed || e.Progress != 66 {
			t.Errorf("after the correction: completed=%v progress=%d", e.Completed, e.Progress)
		}
		if prof, _ := db.SkillProfile(ctx, w.ann.ID); len(prof) != 0 {
			t.Errorf("evidence survived the correction: %+v", prof)
		}
		cp, _ := db.CourseProgress(ctx, w.ann.ID, w.course.ID)
		if cp.Completed || cp.ProjectStatus[w.project.ID] != talentloop.SubmissionRevise {
			t.Errorf("course progress after the correction: %+v", cp)
		}
		notes, unread, _ := db.FindNotifications(ctx, w.ann.ID, 50)
		kinds := map[string]int{}
		for _, n := range notes {
			kinds[n.Kind]++
		}
		if kinds[talentloop.NotifyReview] != 3 || kinds[talentloop.NotifyCompletion] != 2 || unread != len(notes) {
			t.Errorf("notifications = %v unread %d", kinds, unread)
		}
		db.MarkNotificationsRead(ctx, w.ann.ID)
		if n, _ := db.UnreadCount(ctx, w.ann.ID); n != 0 {
			t.Errorf("unread after marking read = %d", n)
		}
	})
}

func TestLateCompletion(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 0)
		db.Enrol(ctx, w.ann.ID, w.program.ID, nil)
		real := db.Now
		db.Now = func() time.Time { return real().Add(5 * 7 * 24 * time.Hour) } // the program lasts 4 weeks
		defer func() { db.Now = real }()
		for _, l := range w.lessons {
			db.MarkLessonDone(ctx, w.ann.ID, l.ID)
		}
		s, err := db.Submit(ctx, w.ann.ID, &talentloop.SubmissionInput{ProjectID: w.project.ID, Body: "迟到的作品"}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReviewSubmission(ctx, w.inst.ID, s.ID, []talentloop.Score{{CriterionKey: "voice", Level: 2}, {CriterionKey: "sync", Level: 1}}, ""); err != nil {
			t.Fatal(err)
		}
		e, _ := db.FindEnrolment(ctx, w.ann.ID, w.program.ID)
		if !e.Completed || e.OnTime == nil || *e.OnTime {
			t.Errorf("late completion: completed=%v onTime=%v", e.Completed, e.OnTime)
		}
	})
}

func TestQuestionsAndAnswerStats(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 0)
		db.Enrol(ctx, w.ann.ID, w.program.ID, nil)
		if _, err := db.AskQuestion(ctx, w.bob.ID, w.course.ID, 0, "问题", "内容"); talentloop.ErrorCode(err) != talentloop.EFORBIDDEN {
			t.Errorf("question from a learner not enrolled: %v", err)
		}
		if _, err := db.AskQuestion(ctx, w.ann.ID, w.course.ID, 0, "", ""); talentloop.ErrorCode(err) != talentloop.EINVALID {
			t.Errorf("empty question: %v", err)
		}
		real := db.Now
		base := real()
		db.Now = func() time.Time { return base }
		q1, err := db.AskQuestion(ctx, w.ann.ID, w.course.ID, w.project.ID, "口型对不上怎么办？", "我总是慢半拍。")
		if err != nil {
			t.Fatal(err)
		}
		q2, _ := db.AskQuestion(ctx, w.ann.ID, w.course.ID, 0, "推荐什么麦克风？", "预算 500 元。")
		q3, _ := db.AskQuestion(ctx, w.ann.ID, w.course.ID, 0, "第三个问题", "还没人回答。")
		// Ann answers herself first: not an instructor answer.
		db.Now = func() time.Time { return base.Add(1 * time.Hour) }
		if _, err := db.AnswerQuestion(ctx, w.ann.ID, q1.ID, "我自己试试先"); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return base.Add(2 * time.Hour) }
		a1, err := db.AnswerQuestion(ctx, w.inst.ID, q1.ID, "先看波形再对口型。")
		if err != nil || !a1.ByInstructor {
			t.Fatalf("instructor answer: %v %+v", err, a1)
		}
		db.Now = func() time.Time { return base.Add(10 * time.Hour) }
		db.AnswerQuestion(ctx, w.inst.ID, q2.ID, "入门电容麦即可。")
		db.Now = func() time.Time { return base.Add(30 * time.Hour) }
		st, err := db.AnswerStats(ctx, w.inst.ID, 30)
		if err != nil {
			t.Fatal(err)
		}
		if st.Answered != 2 || st.MedianHours != 2 || st.P90Hours != 10 || st.OpenQuestions != 1 || st.Overdue != 1 {
			t.Errorf("answer stats = %+v, want answered 2, median 2h, p90 10h, 1 open, 1 overdue", st)
		}
		over, _ := db.OverdueQuestions(ctx, 0)
		if len(over) != 1 || over[0].ID != q3.ID || !over[0].Overdue {
			t.Errorf("overdue = %+v", over)
		}
		if err := db.AcceptAnswer(ctx, w.bob.ID, q1.ID, a1.ID); talentloop.ErrorCode(err) != talentloop.EFORBIDDEN {
			t.Errorf("accept by a stranger: %v", err)
		}
		if err := db.AcceptAnswer(ctx, w.ann.ID, q1.ID, a1.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindQuestionByID(ctx, q1.ID)
		if got.AcceptedAnswerID != a1.ID || len(got.Answers) != 2 || got.ProjectID != w.project.ID {
			t.Errorf("thread = %+v", got)
		}
		if n, _ := db.UnreadCount(ctx, w.inst.ID); n != 3 {
			t.Errorf("instructor notified of %d questions, want 3", n)
		}
	})
}
