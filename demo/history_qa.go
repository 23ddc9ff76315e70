package demo

// The Q&A and notification-reading part of the demo history.

import (
	"time"

	"talentloop"
)

func (h *history) teacher(c *hCourse) *talentloop.User {
	if h.teaches(h.instructor, c) {
		return h.instructor
	}
	return c.instructors[0]
}

func (h *history) teaches(u *talentloop.User, c *hCourse) bool {
	for _, x := range c.instructors {
		if x.ID == u.ID {
			return true
		}
	}
	return false
}

// takeQuestion returns the question written for learner@demo.test on
// course c, or any unused one on it.
func (h *history) takeQuestion(p *hProgram, c *hCourse) *QuestionText {
	var fallback *QuestionText
	for _, q := range p.text.Questions {
		if h.used[q] || p.courses[q.Course-1] != c {
			continue
		}
		if q.Asker == "learner" {
			h.used[q] = true
			return q
		}
		if fallback == nil && q.Asker == "" {
			fallback = q
		}
	}
	if fallback != nil {
		h.used[fallback] = true
	}
	return fallback
}

// --- questions ---

// Kinds of question placement.
const (
	askAnytime = iota
	askOverdue // a day or more ago, no instructor has answered
	askFresh   // a few hours ago
)

// planQuestions places the written questions with generated learners who
// had access at the time: most answered, a few waiting past the limit and
// a few asked today.
func (h *history) planQuestions() {
	type ref struct {
		p *hProgram
		q *QuestionText
	}
	var pool []ref
	for _, p := range h.programs {
		for _, q := range p.text.Questions {
			if q.Asker == "" && !h.used[q] {
				pool = append(pool, ref{p, q})
			}
		}
	}
	h.r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	overdue, fresh := 0, 0
	for _, x := range pool {
		switch {
		case overdue < 4:
			if h.ask(x.p, x.q, askOverdue) {
				overdue++
				continue
			}
		case fresh < 2:
			if h.ask(x.p, x.q, askFresh) {
				fresh++
				continue
			}
		}
		h.ask(x.p, x.q, askAnytime)
	}
}

// ask places one question; it reports false when no learner could have
// asked it then.
func (h *history) ask(p *hProgram, qt *QuestionText, kind int) bool {
	c := p.courses[qt.Course-1]
	for range 25 {
		var at time.Time
		switch kind {
		case askOverdue:
			at = slotAfter(h.now.Add(-hours(between(h.r, 30, 90))), learnerSlot(h.r))
			if at.After(h.now.Add(-25 * time.Hour)) {
				continue
			}
		case askFresh:
			at = h.now.Add(-hours(between(h.r, 1.5, 12)))
		default:
			recent := 0.4
			if h.teaches(h.instructor, c) {
				recent = 0.65 // keeps instructor@demo.test's answer times current
			}
			ago := between(h.r, 30, historyDays-10)
			if h.r.Float64() < recent {
				ago = between(h.r, 0.3, 30)
			}
			at = slotAfter(h.now.Add(-hours(ago*24)), learnerSlot(h.r))
			if at.After(h.now.Add(-30 * time.Minute)) {
				continue
			}
		}
		asker := h.pickLearner(p, at, nil)
		if asker == nil {
			continue
		}
		h.used[qt] = true
		var delay time.Duration
		switch x := h.r.Float64(); {
		case kind == askOverdue:
			delay = -1
		case x < 0.35:
			delay = hours(between(h.r, 0.3, 3))
		case x < 0.75:
			delay = hours(between(h.r, 3, 20))
		default:
			delay = hours(between(h.r, 26, 70))
		}
		h.thread(asker, c, qt, at, h.answerer(c), delay, h.r.Float64() < 0.55)
		return true
	}
	return false
}

// thread plans a question by e's learner at at, a fellow learner's reply,
// the instructor's answer after delay (none when delay < 0), the asker's
// thanks and, if accept, the asker accepting the answer.
func (h *history) thread(e *hEnrol, c *hCourse, qt *QuestionText, at time.Time, answerer *talentloop.User, delay time.Duration, accept bool) {
	var projectID int64
	for _, pj := range c.projects {
		if pj.p.Title.ZH == qt.Project {
			projectID = pj.p.ID
		}
	}
	q := &hQuestion{}
	if !h.add(at, func() error {
		x, err := h.svc.AskQuestion(h.ctx, e.user.ID, c.c.ID, projectID, qt.Title, qt.Body)
		if err != nil {
			return err
		}
		q.id = x.ID
		h.written.questions++
		return nil
	}) {
		return
	}
	e.last = maxTime(e.last, at)
	answer := func(u *talentloop.User, body string, keep bool) func() error {
		return func() error {
			a, err := h.svc.AnswerQuestion(h.ctx, u.ID, q.id, body)
			if err != nil {
				return err
			}
			if keep {
				q.answerID = a.ID
			}
			h.written.answers++
			return nil
		}
	}
	if qt.Peer != "" {
		pt := slotAfter(at.Add(hours(between(h.r, 0.3, 8))), learnerSlot(h.r))
		if peer := h.pickLearner(e.prog, pt, e); peer != nil {
			h.add(pt, answer(peer.user, qt.Peer, false))
		}
	}
	if delay < 0 {
		return
	}
	answered := instructorAt(h.r, at.Add(delay))
	if !h.add(answered, answer(answerer, qt.Answer, true)) {
		return
	}
	last := answered
	if qt.Thanks != "" && h.r.Float64() < 0.85 {
		tt := slotAfter(answered.Add(hours(between(h.r, 0.5, 12))), learnerSlot(h.r))
		if h.hasAccess(e, tt) && h.add(tt, answer(e.user, qt.Thanks, false)) {
			last = tt
		}
	}
	if accept {
		h.add(last.Add(time.Duration(2+h.r.IntN(20))*time.Minute), func() error {
			if err := h.svc.AcceptAnswer(h.ctx, e.user.ID, q.id, q.answerID); err != nil {
				return err
			}
			h.written.accepted++
			return nil
		})
	}
}

// answerer picks who answers on course c: instructor@demo.test mostly,
// where they teach.
func (h *history) answerer(c *hCourse) *talentloop.User {
	for _, u := range c.instructors {
		if u.ID == h.instructor.ID && h.r.Float64() < 0.8 {
			return u
		}
	}
	return c.instructors[h.r.IntN(len(c.instructors))]
}

func (h *history) hasAccess(e *hEnrol, at time.Time) bool {
	return !e.paidAt.IsZero() && e.paidAt.Add(time.Hour).Before(at) && (e.accessEnd.IsZero() || at.Before(e.accessEnd))
}

// pickLearner picks a generated learner of p, other than not, who had
// access at at and was active around then.
func (h *history) pickLearner(p *hProgram, at time.Time, not *hEnrol) *hEnrol {
	var cands []*hEnrol
	for _, e := range p.enrols {
		if e != not && h.hasAccess(e, at) && at.Before(e.last.Add(48*time.Hour)) {
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return cands[h.r.IntN(len(cands))]
}

// planReads has instructors read their notifications every few days.
func (h *history) planReads() {
	seen := map[int64]bool{}
	for _, p := range h.programs {
		for _, c := range p.courses {
			for _, u := range c.instructors {
				if seen[u.ID] {
					continue
				}
				seen[u.ID] = true
				for at := h.today.AddDate(0, 0, -historyDays); ; {
					at = slotAfter(at.Add(hours(between(h.r, 36, 150))), instructorSlot(h.r))
					if at.After(h.now.Add(-36 * time.Hour)) {
						break
					}
					h.read(u, at)
				}
			}
		}
	}
}

// --- texts and scores ---

// afterRevision opens the review of a revised version that passes.
var afterRevision = []string{"这一版改得到位。", "上次提的问题都改好了。", "修改后达到要求了。", "改动抓住了重点。"}

// closers end some submissions, by chain.
var closers = map[string][]string{
	"it":             {"本地运行方式写在 README 里了。", "第一次做这么完整的项目，请老师多指点。", "CI 是绿的，麻烦老师看一下。"},
	"games":          {"源文件比较大，放在作品页里了，可以直接预览。", "请老师重点看一下配色，这块我最没把握。"},
	"visual-art":     {"源文件放在作品页的下载链接里。", "第一次按商业项目的规范交付，有不对的地方请指出。"},
	"sound":          {"是用耳机监听做的，音箱上听可能会有差异。", "录音环境有限，底噪方面请老师多指点。"},
	"live-streaming": {"视频在作品页里，话术稿见附件。", "第一次完整做下来，节奏上还有点慌，请老师指点。"},
}

// submission writes version of a learner's work on pj.
