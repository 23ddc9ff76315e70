package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"talentloop"
)

// The learning history is some five months of the platform's life before
// today: generated learners enrol (and pay, or leave an order pending, or
// cancel it, or get a refund), study lessons, submit their real projects
// and resubmit them after a revision, instructors review with the rubrics
// and answer questions, some fast and some slow. learner@demo.test has a
// story of their own. The history is planned first as a list of dated
// writes, then carried out in date order, so that a storage clock moved to
// each write's date (Options.Clock) gives every row a realistic time.

// historySeed fixes the generated history: the same story every time,
// told relative to the day it is loaded.
const historySeed = 20260107

// historyDays is how far back generated learners' enrolments reach.
const historyDays = 165

// historyNow is the present the history is told up to; tests move it.
var historyNow = time.Now

// historySteps is how many progress steps the learning phase reports.
const historySteps = 50

// enrolTargets is how many generated learners enrol in each program; a
// program not listed gets defaultEnrolTarget.
var enrolTargets = map[string]int{
	"web-starter": 44, "web-frontend": 24, "nodejs-fullstack": 12, "python-data-analysis": 22, "software-testing": 14,
	"game-concept-art": 14, "game-3d-art": 10, "commercial-illustration": 16, "ui-ux-design": 16, "short-video-editing": 20,
	"film-dubbing": 12, "game-voice-acting": 10, "audio-post": 8, "live-ops": 14, "ecommerce-anchor": 18,
}

const defaultEnrolTarget = 10

type history struct {
	ctx   context.Context
	svc   talentloop.LearningService
	clock func(time.Time)
	r     *rand.Rand
	now   time.Time // nothing is planned after it
	today time.Time // local midnight of now

	operator, learner, instructor *talentloop.User
	learners                      []*talentloop.User // generated learners
	users                         map[int64]*talentloop.User
	programs                      []*hProgram
	bySlug                        map[string]*hProgram

	events  []*event
	used    map[*QuestionText]bool
	paySeq  map[string]int
	written historyCounts
}

type historyCounts struct {
	enrolments, lessons, submissions, reviews, questions, answers, accepted int
}

type event struct {
	at  time.Time
	seq int
	do  func() error
}

type hProgram struct {
	p       *talentloop.Program
	text    *ProgramHistory
	courses []*hCourse
	enrols  []*hEnrol // of generated learners, for picking askers and peers
}

type hCourse struct {
	c           *talentloop.Course
	instructors []*talentloop.User
	projects    []*hProject
}

type hProject struct {
	p      *talentloop.Project
	course *hCourse
	text   *ProjectText
	n      int // position in the program, from 1, for URLs
}

// hEnrol is a learner's enrolment as planned; orderID is filled in when
// the enrolment is written.
type hEnrol struct {
	user      *talentloop.User
	prog      *hProgram
	created   time.Time
	paidAt    time.Time // zero: never paid
	accessEnd time.Time // zero: access does not end (no refund)
	last      time.Time // the learner's last planned action
	quality   float64   // 0–1: how good their work is
	orderID   int64
}

// hSubmission and hQuestion carry ids from the write that creates them to
// the later writes that refer to them.
type hSubmission struct{ id int64 }

type hQuestion struct{ id, answerID int64 }

// add plans a write at t; a write after now is not planned, and add
// reports false.
func (h *history) add(t time.Time, do func() error) bool {
	if t.After(h.now) {
		return false
	}
	h.events = append(h.events, &event{at: t, seq: len(h.events), do: do})
	return true
}

// newHistory reads the published catalog and the demo users the history
// is about.
func newHistory(ctx context.Context, users talentloop.UserService, catalog talentloop.CatalogService, opts Options, content *Content, now time.Time) (*history, error) {
	texts, err := Histories()
	if err != nil {
		return nil, err
	}
	if err := content.CheckHistories(texts); err != nil {
		return nil, err
	}
	h := &history{ctx: ctx, svc: opts.Learning, clock: opts.Clock, r: rand.New(rand.NewPCG(historySeed, historySeed>>3)),
		now: now.UTC(), today: day(now), users: map[int64]*talentloop.User{}, bySlug: map[string]*hProgram{},
		used: map[*QuestionText]bool{}, paySeq: map[string]int{}}

	yes := true
	byEmail := map[string]*talentloop.User{}
	for offset := 0; ; {
		page, total, err := users.FindUsers(ctx, talentloop.UserFilter{Demo: &yes, Limit: 500, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, u := range page {
			byEmail[u.Email] = u
			h.users[u.ID] = u
		}
		offset += len(page)
		if len(page) == 0 || offset >= total {
			break
		}
	}
	h.operator, h.learner, h.instructor = byEmail[Accounts[talentloop.RoleOperator]], byEmail[markerEmail], byEmail[Accounts[talentloop.RoleInstructor]]
	if h.operator == nil || h.learner == nil || h.instructor == nil {
		return nil, fmt.Errorf("the demo accounts are incomplete: no learning history without %s, %s and %s",
			Accounts[talentloop.RoleOperator], markerEmail, Accounts[talentloop.RoleInstructor])
	}
	for _, u := range Learners() {
		if x := byEmail[u.Email]; x != nil {
			h.learners = append(h.learners, x)
		}
	}

	for offset := 0; ; {
		page, total, err := catalog.FindPrograms(ctx, talentloop.ProgramFilter{Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			text := texts[p.Slug]
			if text == nil {
				continue // not a demo program
			}
			full, err := catalog.FindProgramByID(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			h.addProgram(full, text)
		}
		offset += len(page)
		if len(page) == 0 || offset >= total {
			break
		}
	}
	// Catalog order, as the content lists the programs.
	order := map[string]int{}
	for i, p := range content.Programs {
		order[p.Slug] = i
	}
	sort.SliceStable(h.programs, func(i, j int) bool { return order[h.programs[i].p.Slug] < order[h.programs[j].p.Slug] })
	return h, nil
}

func (h *history) addProgram(p *talentloop.Program, text *ProgramHistory) {
	hp := &hProgram{p: p, text: text}
	n := 0
	sort.Slice(p.Courses, func(i, j int) bool { return p.Courses[i].Position < p.Courses[j].Position })
	for _, c := range p.Courses {
		sort.Slice(c.Lessons, func(i, j int) bool { return c.Lessons[i].Position < c.Lessons[j].Position })
		sort.Slice(c.Projects, func(i, j int) bool { return c.Projects[i].Position < c.Projects[j].Position })
		hc := &hCourse{c: c}
		for _, in := range c.Instructors {
			if u := h.users[in.UserID]; u != nil {
				hc.instructors = append(hc.instructors, u)
			}
		}
		for _, pj := range c.Projects {
			n++
			hc.projects = append(hc.projects, &hProject{p: pj, course: hc, text: text.Projects[pj.Title.ZH], n: n})
		}
		hp.courses = append(hp.courses, hc)
	}
	// Every course needs a reviewer and every project its texts.
	for _, c := range hp.courses {
		if len(c.instructors) == 0 {
			return
		}
		for _, pj := range c.projects {
			if pj.text == nil {
				return
			}
		}
	}
	h.programs = append(h.programs, hp)
	h.bySlug[p.Slug] = hp
}

// plan lays out the whole history.
func (h *history) plan() {
	h.planLearnerAccount()
	idle := h.planLearners()
	h.planNewcomers(idle)
	h.planQuestions()
	h.planReads()
	sort.SliceStable(h.events, func(i, j int) bool {
		if !h.events[i].at.Equal(h.events[j].at) {
			return h.events[i].at.Before(h.events[j].at)
		}
		return h.events[i].seq < h.events[j].seq
	})
}

// run carries out the planned writes in date order, moving the clock to
// each write's date.
func (h *history) run(step func()) error {
	reported := 0
	for i, ev := range h.events {
		if err := h.ctx.Err(); err != nil {
			return err
		}
		if h.clock != nil {
			h.clock(ev.at)
		}
		if err := ev.do(); err != nil {
			return fmt.Errorf("learning history at %s: %w", ev.at.In(china).Format("2006-01-02 15:04"), err)
		}
		for want := (i + 1) * (historySteps - 2) / len(h.events); reported < want; reported++ {
			step()
		}
	}
	for ; reported < historySteps-2; reported++ {
		step()
	}
	return nil
}

// --- writes ---

func (h *history) enrol(e *hEnrol, income *talentloop.IncomeReport) {
	h.add(e.created, func() error {
		en, _, err := h.svc.Enrol(h.ctx, e.user.ID, e.prog.p.ID, income)
		if err != nil {
			return err
		}
		e.orderID = en.Order.ID
		h.written.enrolments++
		return nil
	})
	e.last = e.created
}

// pay has the operator confirm the payment of a paid program in office
// hours after the order, or, for a free program, records that it was paid
// at once. It reports false when the payment would come after now.
func (h *history) pay(e *hEnrol, lo time.Time) bool {
	if e.prog.p.PriceFen == 0 {
		e.paidAt = e.created
		return true
	}
	at := slotAfter(lo, officeSlot(h.r))
	prefix := "WX"
	switch x := h.r.Float64(); {
	case x > 0.85:
		prefix = "BANK"
	case x > 0.6:
		prefix = "ZFB"
	}
	if !h.add(at, func() error {
		// Numbered by day in the order the payments came in.
		d := at.In(china).Format("20060102")
		if h.paySeq[d] == 0 {
			h.paySeq[d] = 11 + int(at.In(china).YearDay()*7%29)
		}
		h.paySeq[d]++
		_, err := h.svc.MarkOrderPaid(h.ctx, h.operator.ID, e.orderID, fmt.Sprintf("%s-%s-%04d", prefix, d, h.paySeq[d]))
		return err
	}) {
		return false
	}
	e.paidAt = at
	return true
}

func (h *history) lesson(e *hEnrol, l *talentloop.Lesson, at time.Time) {
	if h.add(at, func() error {
		h.written.lessons++
		return h.svc.MarkLessonDone(h.ctx, e.user.ID, l.ID)
	}) {
		e.last = maxTime(e.last, at)
	}
}

// submit plans version of the learner's work on pj; fix is what the
// learner changed after the review that asked for this version.
func (h *history) submit(e *hEnrol, pj *hProject, at time.Time, version int, fix *ReviseText) *hSubmission {
	in := h.submission(e, pj, version, fix)
	sub := &hSubmission{}
	if !h.add(at, func() error {
		s, err := h.svc.Submit(h.ctx, e.user.ID, in, 1<<20)
		if err != nil {
			return err
		}
		sub.id = s.ID
		h.written.submissions++
		return nil
	}) {
		return nil
	}
	e.last = maxTime(e.last, at)
	return sub
}

// review plans a review of sub: passed, or asking for a revision with rev.
func (h *history) review(sub *hSubmission, reviewer *talentloop.User, pj *hProject, at time.Time, version int, rev *ReviseText) bool {
	pass := rev == nil
	weak := ""
	if !pass {
		weak = rev.Weak
	}
	scores := h.scores(pj.p, pass, weak)
	var comment string
	switch {
	case !pass:
		comment = rev.Comment
	case version > 1:
		comment = pick(h.r, afterRevision) + pick(h.r, pj.text.Passed)
	default:
		comment = pick(h.r, pj.text.Passed)
	}
	return h.add(at, func() error {
		if _, err := h.svc.ReviewSubmission(h.ctx, reviewer.ID, sub.id, scores, comment); err != nil {
			return err
		}
		h.written.reviews++
		return nil
	})
}

func (h *history) read(u *talentloop.User, at time.Time) {
	h.add(at, func() error { return h.svc.MarkNotificationsRead(h.ctx, u.ID) })
}

// --- the generated learners ---

// profile is what a generated learner brings: their income and how good
// their work is.
type profile struct {
	income  *talentloop.IncomeReport // nil: skipped the question
	quality float64
}

// planLearners gives the generated learners their enrolments and plans
// each one. It returns the learners left without an enrolment.
func (h *history) planLearners() (idle []*talentloop.User) {
	profiles := make([]profile, len(h.learners))
	for i := range h.learners {
		profiles[i] = profile{income: h.income(), quality: between(h.r, 0.3, 0.95)}
	}
	count := make([]int, len(h.learners))
	for _, p := range h.programs {
		target, ok := enrolTargets[p.p.Slug]
		if !ok {
			target = defaultEnrolTarget
		}
		chosen := map[int]bool{}
		for tries := 0; len(chosen) < min(target, len(h.learners)) && tries < 100*target; tries++ {
			i := h.r.IntN(len(h.learners))
			// Most enrolled learners are in one program, some in two.
			if chosen[i] || count[i] >= 2 || count[i] == 1 && h.r.Float64() < 0.7 {
				continue
			}
			chosen[i] = true
			count[i]++
		}
		idx := make([]int, 0, len(chosen))
		for i := range chosen {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		for _, i := range idx {
			e := &hEnrol{user: h.learners[i], prog: p, quality: profiles[i].quality}
			h.planEnrolment(e, profiles[i].income)
		}
	}
	for i, u := range h.learners {
		if count[i] == 0 {
			idle = append(idle, u)
		}
	}
	return idle
}

// planNewcomers has a few learners join the free program that opens with
// a course of instructor@demo.test's in the past fortnight and submit its
// first project in the past few days: it waits in the review queue.
func (h *history) planNewcomers(idle []*talentloop.User) {
	var p *hProgram
	for _, x := range h.programs {
		if x.p.PriceFen == 0 && len(x.courses) > 0 && h.teaches(h.instructor, x.courses[0]) && len(x.courses[0].projects) > 0 {
			p = x
			break
		}
	}
	if p == nil {
		return
	}
	c := p.courses[0]
	for i, u := range idle[:min(3, len(idle))] {
		e := &hEnrol{user: u, prog: p, quality: between(h.r, 0.4, 0.9)}
		e.created = slotAfter(h.today.AddDate(0, 0, -9-2*i), learnerSlot(h.r))
		h.enrol(e, h.income())
		h.pay(e, e.created)
		p.enrols = append(p.enrols, e)
		at := e.created
		for _, l := range c.c.Lessons {
			at = slotAfter(at.Add(hours(between(h.r, 8, 30))), learnerSlot(h.r))
			h.lesson(e, l, at)
		}
		submitted := maxTime(at.Add(time.Hour), h.now.Add(-hours(between(h.r, 20, 100))))
		h.submit(e, c.projects[0], submitted, 1, nil)
	}
}

// planEnrolment decides what becomes of one enrolment and plans it.
func (h *history) planEnrolment(e *hEnrol, income *talentloop.IncomeReport) {
	p := e.prog
	first := h.today.AddDate(0, 0, -historyDays)
	for {
		e.created = slotAfter(first.Add(time.Duration(h.r.Float64()*float64(historyDays*24*time.Hour))), learnerSlot(h.r))
		if e.created.Before(h.now.Add(-time.Hour)) {
			break
		}
	}
	h.enrol(e, income)
	paid := p.p.PriceFen > 0
	age := h.now.Sub(e.created)
	x := h.r.Float64()
	switch {
	case paid && age < 14*24*time.Hour && x < 0.55:
		return // pending: awaiting payment
	case paid && x < 0.045:
		h.cancel(e)
		return
	}
	if !h.pay(e, e.created.Add(hours(between(h.r, 0.3, 30)))) {
		return // the operator has not confirmed it yet
	}
	p.enrols = append(p.enrols, e)
	if paid && x > 0.965 {
		h.refund(e)
		return
	}
	// How fast the learner goes, as a share of the program's duration, and
	// whether they stop part of the way.
	var pace, stop float64
	keen := false
	switch y := h.r.Float64(); {
	case y < 0.36:
		pace, keen = between(h.r, 0.45, 0.95), true
	case y < 0.62:
		pace = between(h.r, 1.05, 1.6)
	case y < 0.82:
		pace = between(h.r, 1.6, 2.5)
	default:
		pace, stop = between(h.r, 0.6, 1.5), between(h.r, 0.1, 0.7)
	}
	h.study(e, pace, stop, keen)
}

// cancel plans the cancellation of a pending order: by the learner, or by
// the operator tidying up unpaid orders.
func (h *history) cancel(e *hEnrol) {
	lo := e.created.Add(hours(between(h.r, 18, 220)))
	actor, at := e.user, slotAfter(lo, learnerSlot(h.r))
	if h.r.Float64() < 0.4 {
		actor, at = h.operator, slotAfter(lo, officeSlot(h.r))
	}
	h.add(at, func() error {
		_, err := h.svc.CancelOrder(h.ctx, actor.ID, e.orderID)
		return err
	})
}

var refundNotes = []string{
	"七天无理由退款，学员已确认。",
	"学员工作变动，时间上跟不上，协商全额退款。",
	"学员误购（本想报体验课），已原路退回。",
	"家里有事，暂停学习，办理退款；学员表示之后会再报名。",
	"学员反馈课程难度高于预期，试听后申请退款，已按规则全额退回。",
}

// refund plans a learner who starts, then asks for their money back within
// two weeks.
func (h *history) refund(e *hEnrol) {
	at := e.paidAt
	lessons := e.prog.courses[0].c.Lessons
	for _, l := range lessons[:min(h.r.IntN(4), len(lessons))] {
		at = slotAfter(at.Add(hours(between(h.r, 2, 40))), learnerSlot(h.r))
		h.lesson(e, l, at)
	}
	refundAt := slotAfter(maxTime(at, e.paidAt.Add(hours(between(h.r, 40, 300)))), officeSlot(h.r))
	note := pick(h.r, refundNotes)
	if h.add(refundAt, func() error {
		_, err := h.svc.RefundOrder(h.ctx, h.operator.ID, e.orderID, note)
		return err
	}) {
		e.accessEnd = refundAt
	}
}

// step is one thing to do in a program: a lesson or a project.
type step struct {
	lesson  *talentloop.Lesson
	project *hProject
}

// steps lists what a learner sets out to do: the required lessons and
// projects of the required courses, some optional lessons and, for keen
// learners, optional courses and projects.
func (h *history) steps(p *hProgram, keen bool) []step {
	var out []step
	for _, c := range p.courses {
		if !c.c.Required && !(keen && h.r.Float64() < 0.5) {
			continue
		}
		for _, l := range c.c.Lessons {
			if l.Required || h.r.Float64() < 0.5 {
				out = append(out, step{lesson: l})
			}
		}
		for _, pj := range c.projects {
			if pj.p.Required || keen && h.r.Float64() < 0.4 {
				out = append(out, step{project: pj})
			}
		}
	}
	return out
}

// study plans the lessons and projects of an enrolment spread over pace
// times the program's duration; a learner with stop > 0 gives up after
// that share of the way.
func (h *history) study(e *hEnrol, pace, stop float64, keen bool) {
	steps := h.steps(e.prog, keen)
	if len(steps) == 0 {
		return
	}
	span := float64(e.prog.p.DurationWeeks) * 7 * 24 * pace
	limit := len(steps)
	persist := 0.93 // chance of resubmitting after a revision
	if stop > 0 {
		limit, persist = max(1, int(stop*float64(len(steps)))), 0.5
	}
	at := e.paidAt
	for i, s := range steps[:limit] {
		nominal := e.paidAt.Add(hours(span * (float64(i) + between(h.r, 0.7, 1.2)) / float64(len(steps)+1)))
		at = slotAfter(maxTime(nominal, at.Add(20*time.Minute)), learnerSlot(h.r))
		if at.After(h.now) {
			return
		}
		if h.r.Float64() < 0.15 {
			h.read(e.user, at.Add(-3*time.Minute))
		}
		if s.lesson != nil {
			h.lesson(e, s.lesson, at)
		} else {
			h.project(e, s.project, at, persist)
		}
	}
}

// project plans the versions of a learner's work on pj and their reviews
// until one passes, the learner gives up, or now is reached.
func (h *history) project(e *hEnrol, pj *hProject, at time.Time, persist float64) {
	var fix *ReviseText
	revisions := slices.Clone(pj.text.Revise)
	h.r.Shuffle(len(revisions), func(i, j int) { revisions[i], revisions[j] = revisions[j], revisions[i] })
	for version := 1; ; version++ {
		sub := h.submit(e, pj, at, version, fix)
		if sub == nil {
			return
		}
		reviewer := h.reviewer(pj.course)
		reviewAt := instructorAt(h.r, at.Add(h.reviewDelay(reviewer, at)))
		pass := version >= 3 || h.r.Float64() < passChance(e.quality, version)
		var rev *ReviseText
		if !pass {
			rev = revisions[(version-1)%len(revisions)]
		}
		if !h.review(sub, reviewer, pj, reviewAt, version, rev) || pass || h.r.Float64() > persist {
			return
		}
		fix = rev
		at = slotAfter(reviewAt.Add(hours(between(h.r, 16, 120))), learnerSlot(h.r))
	}
}

// passChance is the chance that a version passes: the first depends on the
// learner, a revised one usually passes.
func passChance(quality float64, version int) float64 {
	if version == 1 {
		return 0.3 + 0.6*quality
	}
	return 0.8
}

// reviewer picks who reviews a submission in course c: instructor@demo.test
// where they teach, as they take most of their courses' reviews.
func (h *history) reviewer(c *hCourse) *talentloop.User {
	for _, u := range c.instructors {
		if u.ID == h.instructor.ID && h.r.Float64() < 0.65 {
			return u
		}
	}
	return c.instructors[h.r.IntN(len(c.instructors))]
}

// reviewDelay is how long a submission waits for its review. Most are
// reviewed within two days; instructor@demo.test has fallen behind this
// past week, so their recent submissions wait.
func (h *history) reviewDelay(reviewer *talentloop.User, submitted time.Time) time.Duration {
	if reviewer.ID == h.instructor.ID && h.now.Sub(submitted) < 7*24*time.Hour {
		return hours(between(h.r, 40, 180))
	}
	switch x := h.r.Float64(); {
	case x < 0.55:
		return hours(between(h.r, 1, 20))
	case x < 0.9:
		return hours(between(h.r, 20, 48))
	default:
		return hours(between(h.r, 48, 100))
	}
}

// income draws a learner's baseline income; about one in eight skips the
// question.
func (h *history) income() *talentloop.IncomeReport {
	if h.r.Float64() < 0.12 {
		return nil
	}
	yuan := func(lo, hi, round float64) *int64 {
		v := int64(between(h.r, lo, hi)/round) * int64(round) * 100
		return &v
	}
	zero := func() *int64 { var v int64; return &v }
	r := &talentloop.IncomeReport{}
	switch x := h.r.Float64(); {
	case x < 0.44:
		r.Employment = "employed"
		switch y := h.r.Float64(); {
		case y < 0.45:
			r.MonthlyIncomeFen = yuan(3500, 6000, 100)
		case y < 0.8:
			r.MonthlyIncomeFen = yuan(6000, 10000, 500)
		case y < 0.97:
			r.MonthlyIncomeFen = yuan(10000, 18000, 500)
		default:
			r.MonthlyIncomeFen = yuan(18000, 30000, 1000)
		}
	case x < 0.60:
		r.Employment = "unemployed"
		if h.r.Float64() < 0.7 {
			r.MonthlyIncomeFen = zero()
		}
	case x < 0.74:
		r.Employment = "student"
		r.MonthlyIncomeFen = zero()
		if h.r.Float64() < 0.4 {
			r.MonthlyIncomeFen = yuan(500, 2000, 100) // a part-time job
		}
	case x < 0.86:
		r.Employment = "freelance"
		r.MonthlyIncomeFen = yuan(1500, 9000, 100)
	case x < 0.94:
		r.Employment = "self_employed"
		r.MonthlyIncomeFen = yuan(3000, 20000, 500)
	default:
		r.Employment = "other"
		r.MonthlyIncomeFen = yuan(2000, 6000, 100)
	}
	if h.r.Float64() < 0.08 {
		r.MonthlyIncomeFen = nil // would rather not say
	}
	return r
}

// --- learner@demo.test ---

// planLearnerAccount tells learner@demo.test's story: a program taught by
// instructor@demo.test completed on time, another under way with work
// waiting for instructor@demo.test's review and a question they answered,
// and a new order not yet paid. Their first enrolment is the earliest
// write of the history, so that once it exists the history has been
// loaded.
func (h *history) planLearnerAccount() {
	done, current, pending := h.learnerPrograms()
	if done == nil {
		return
	}
	u := h.learner
	income := &talentloop.IncomeReport{Employment: "employed", MonthlyIncomeFen: ptr(int64(6800_00))}

	// The completed program: everything, optional parts included, in about
	// three quarters of its duration.
	e := &hEnrol{user: u, prog: done, quality: 0.85, created: atHours(h.today.AddDate(0, 0, -historyDays-5), 20.5)}
	h.enrol(e, income)
	if !h.pay(e, e.created.Add(10*time.Hour)) {
		return
	}
	var steps []step
	for _, c := range done.courses {
		for _, l := range c.c.Lessons {
			steps = append(steps, step{lesson: l})
		}
		for _, pj := range c.projects {
			steps = append(steps, step{project: pj})
		}
	}
	span := float64(done.p.DurationWeeks) * 7 * 24 * 0.72
	at := e.paidAt
	projects := 0
	var finished time.Time
	for i, s := range steps {
		at = slotAfter(maxTime(e.paidAt.Add(hours(span*float64(i+1)/float64(len(steps)))), at.Add(time.Hour)), learnerSlot(h.r))
		if s.lesson != nil {
			h.lesson(e, s.lesson, at)
			finished = maxTime(finished, at)
			continue
		}
		projects++
		pj := s.project
		reviewer := h.teacher(pj.course)
		sub := h.submit(e, pj, at, 1, nil)
		reviewAt := instructorAt(h.r, at.Add(hours(between(h.r, 3, 30))))
		if projects == 2 { // the second project needs one revision
			rev := pj.text.Revise[0]
			h.review(sub, reviewer, pj, reviewAt, 1, rev)
			at = slotAfter(reviewAt.Add(40*time.Hour), learnerSlot(h.r))
			sub = h.submit(e, pj, at, 2, rev)
			reviewAt = instructorAt(h.r, at.Add(hours(between(h.r, 3, 20))))
			h.review(sub, reviewer, pj, reviewAt, 2, nil)
		} else {
			h.review(sub, reviewer, pj, reviewAt, 1, nil)
		}
		finished = maxTime(finished, reviewAt)
	}
	// A question on the last course, answered by instructor@demo.test.
	last := done.courses[len(done.courses)-1]
	if qt := h.takeQuestion(done, last); qt != nil {
		askAt := slotAfter(finished.Add(-20*24*time.Hour), learnerSlot(h.r))
		h.thread(e, last, qt, askAt, h.teacher(last), hours(between(h.r, 2, 5)), true)
	}
	h.read(u, slotAfter(finished.Add(48*time.Hour), learnerSlot(h.r)))

	if current != nil {
		h.planLearnerCurrent(current, income)
	}
	if pending != nil {
		p := &hEnrol{user: u, prog: pending, quality: 0.85, created: atHours(h.today.AddDate(0, 0, -1), 22.2)}
		h.enrol(p, income)
	}
}

// planLearnerCurrent: learner@demo.test, five weeks into a second
// program, has passed the courses before the one instructor@demo.test
// teaches and submitted its project three days ago.
func (h *history) planLearnerCurrent(p *hProgram, income *talentloop.IncomeReport) {
	u := h.learner
	e := &hEnrol{user: u, prog: p, quality: 0.85, created: atHours(h.today.AddDate(0, 0, -38), 21.1)}
	h.enrol(e, income)
	if !h.pay(e, e.created.Add(14*time.Hour)) {
		return
	}
	at := e.paidAt
	next := func(days float64) time.Time {
		at = slotAfter(maxTime(at.Add(time.Hour), e.paidAt.Add(hours(days*24))), learnerSlot(h.r))
		return at
	}
	days := 1.0
	for _, c := range p.courses {
		taught := h.teaches(h.instructor, c) && len(c.projects) > 0
		lessons := c.c.Lessons
		if taught {
			lessons = lessons[:len(lessons)-1]
		}
		for _, l := range lessons {
			h.lesson(e, l, next(days))
			days += 3
		}
		if !taught {
			for _, pj := range c.projects {
				if !pj.p.Required {
					continue
				}
				sub := h.submit(e, pj, next(days), 1, nil)
				reviewAt := instructorAt(h.r, at.Add(hours(between(h.r, 5, 26))))
				h.review(sub, h.teacher(c), pj, reviewAt, 1, nil)
				days += 3
			}
			continue
		}
		// The project waits for instructor@demo.test's review (they do not
		// get to it before today), and a question they answered.
		if qt := h.takeQuestion(p, c); qt != nil {
			askAt := atHours(h.today.AddDate(0, 0, -4), 20.6)
			h.thread(e, c, qt, askAt, h.instructor, 13*time.Hour, false)
		}
		h.read(u, atHours(h.today.AddDate(0, 0, -30), 21.0))
		h.submit(e, c.projects[0], atHours(h.today.AddDate(0, 0, -3), 21.7), 1, nil)
		return
	}
}

// learnerPrograms picks learner@demo.test's programs: a paid one that
// instructor@demo.test teaches most of, to complete; another paid one with
// a course of theirs, under way; a third, ordered but not paid.
func (h *history) learnerPrograms() (done, current, pending *hProgram) {
	taught := func(p *hProgram) int {
		n := 0
		for _, c := range p.courses {
			if h.teaches(h.instructor, c) {
				n++
			}
		}
		return n
	}
	for _, p := range h.programs {
		if p.p.PriceFen == 0 || taught(p) == 0 {
			continue
		}
		if done == nil || taught(p) > taught(done) {
			done = p
		}
	}
	if done == nil {
		for _, p := range h.programs {
			if p.p.PriceFen > 0 {
				done = p
				break
			}
		}
	}
	for _, p := range h.programs {
		if p != done && p.p.PriceFen > 0 && taught(p) > 0 {
			current = p
			break
		}
	}
	if p := h.bySlug["ui-ux-design"]; p != nil && p != done && p != current {
		pending = p
	}
	for _, p := range h.programs {
		if pending == nil && p != done && p != current && p.p.PriceFen > 0 {
			pending = p
		}
	}
	return done, current, pending
}

// teacher is the instructor of c who reviews and answers for the
// learner@demo.test: instructor@demo.test where they teach.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func ptr[T any](v T) *T { return &v }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
