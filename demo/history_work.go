package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"sort"
	"strings"

	"talentloop"
)

// The learners' work in the demo history: submissions, attachments and
// review scores.

func (h *history) submission(e *hEnrol, pj *hProject, version int, fix *ReviseText) *talentloop.SubmissionInput {
	body := pj.text.Submission
	if version > 1 && fix != nil {
		body = fmt.Sprintf("## 第 %d 版修改说明\n\n%s\n\n---\n\n%s", version, fix.Fix, body)
	}
	chain := e.prog.p.Chain
	if c := closers[chain]; len(c) > 0 && h.r.Float64() < 0.4 {
		body += "\n\n" + pick(h.r, c)
	}
	in := &talentloop.SubmissionInput{ProjectID: pj.p.ID, Body: body}
	handle := strings.TrimSuffix(e.user.Email, "@demo.test")
	slug := fmt.Sprintf("%s-%d", e.prog.p.Slug, pj.n)
	switch chain {
	case "it":
		in.RepoURL = fmt.Sprintf("https://git.demo.test/%s/%s", handle, slug)
		if h.r.Float64() < 0.7 {
			in.DemoURL = fmt.Sprintf("https://%s.pages.demo.test/%s/", handle, slug)
		}
	case "games", "visual-art":
		in.DemoURL = fmt.Sprintf("https://works.demo.test/%s/%s", handle, slug)
	case "sound":
		in.DemoURL = fmt.Sprintf("https://audio.demo.test/%s/%s", handle, slug)
	default:
		in.DemoURL = fmt.Sprintf("https://video.demo.test/%s/%s", handle, slug)
	}
	if h.r.Float64() < 0.5 {
		in.Files = []talentloop.Upload{h.attachment(e, pj, chain, version)}
	}
	return in
}

// attachment is a small file that goes with a submission: notes as
// Markdown or text, or a tiny preview image for visual work.
func (h *history) attachment(e *hEnrol, pj *hProject, chain string, version int) talentloop.Upload {
	switch chain {
	case "games", "visual-art":
		return talentloop.Upload{Name: "preview.png", Data: swatch(h.r)}
	case "sound":
		var b strings.Builder
		fmt.Fprintf(&b, "%s — %s（第 %d 版）\n\n", pj.p.Title.ZH, e.user.Name, version)
		for i := 1; i <= 3+h.r.IntN(4); i++ {
			fmt.Fprintf(&b, "take_%02d.wav\t%02d:%02d\t采用\n", i, h.r.IntN(3), h.r.IntN(60))
		}
		b.WriteString("\n格式：48kHz / 24bit WAV\n")
		return talentloop.Upload{Name: "takes.txt", Data: []byte(b.String())}
	default:
		lines := strings.SplitN(pj.text.Submission, "\n", 6)
		note := fmt.Sprintf("# %s\n\n提交人：%s  \n版本：第 %d 版\n\n%s\n", pj.p.Title.ZH, e.user.Name, version, strings.Join(lines[:min(len(lines), 5)], "\n"))
		return talentloop.Upload{Name: "NOTES.md", Data: []byte(note)}
	}
}

// swatch draws a tiny PNG: a colour study of three bands.
func swatch(r *rand.Rand) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 24, 12))
	for band := range 3 {
		c := color.RGBA{uint8(40 + r.IntN(200)), uint8(40 + r.IntN(200)), uint8(40 + r.IntN(200)), 255}
		for x := band * 8; x < band*8+8; x++ {
			for y := range 12 {
				img.Set(x, y, c)
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// scores gives a level on every criterion of p's rubric so that the total
// passes or misses the pass mark as wanted, a revision falling short on
// the weak criterion. Totals land near the mark as often as real ones do.
func (h *history) scores(p *talentloop.Project, pass bool, weak string) []talentloop.Score {
	crit := p.Rubric.Criteria
	ranked := make([][]int, len(crit)) // level indexes, best first
	for i, c := range crit {
		for j := range c.Levels {
			ranked[i] = append(ranked[i], j)
		}
		sort.SliceStable(ranked[i], func(a, b int) bool { return c.Levels[ranked[i][a]].Points > c.Levels[ranked[i][b]].Points })
	}
	out := make([]talentloop.Score, len(crit))
	for range 300 {
		q := between(h.r, 0.25, 0.6)
		if pass {
			q = between(h.r, 0.5, 0.97)
		}
		total := 0
		for i, c := range crit {
			k := len(ranked[i])
			rank := min(max(int((1-(q+0.17*h.r.NormFloat64()))*float64(k)), 0), k-1)
			if !pass && c.Key == weak {
				rank = k - 1
			}
			out[i] = talentloop.Score{CriterionKey: c.Key, Level: ranked[i][rank]}
			total += c.Levels[ranked[i][rank]].Points
		}
		if total >= p.PassMark == pass {
			return out
		}
	}
	for i, c := range crit { // the best, or the worst, on every criterion
		rank := 0
		if !pass {
			rank = len(ranked[i]) - 1
		}
		out[i] = talentloop.Score{CriterionKey: c.Key, Level: ranked[i][rank]}
	}
	return out
}
