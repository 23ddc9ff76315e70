package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"talentloop"
)

// parseYuan turns a price typed in yuan ("1999", "1,999.5", "0.99") into fen,
// exactly, without floating point.
func parseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "¥")), ",", "")
	if s == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > 1_000_000 {
		return 0, false
	}
	return w*100 + f, true
}

// formatYuan is parseYuan's inverse for form fields.
func formatYuan(fen int64) string {
	if fen%100 == 0 {
		return strconv.FormatInt(fen/100, 10)
	}
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// parseSkillLines reads "skill-id level" lines.
func parseSkillLines(s string) ([]talentloop.SkillLevel, bool) {
	var out []talentloop.SkillLevel
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(strings.NewReplacer(":", " ", "：", " ").Replace(line))
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return nil, false
		}
		lv, err := strconv.Atoi(f[1])
		if err != nil {
			return nil, false
		}
		out = append(out, talentloop.SkillLevel{SkillID: f[0], Level: lv})
	}
	return out, true
}

func formatSkillLines(skills []talentloop.SkillLevel) string {
	var b strings.Builder
	for _, s := range skills {
		fmt.Fprintf(&b, "%s %d\n", s.SkillID, s.Level)
	}
	return b.String()
}

// parseOccupationLines reads "code name" lines.
func parseOccupationLines(s string) []talentloop.Occupation {
	var out []talentloop.Occupation
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		code, name, _ := strings.Cut(line, " ")
		out = append(out, talentloop.Occupation{Code: code, Name: talentloop.Text{ZH: strings.TrimSpace(name)}})
	}
	return out
}

func formatOccupationLines(occ []talentloop.Occupation) string {
	var b strings.Builder
	for _, o := range occ {
		fmt.Fprintf(&b, "%s %s\n", o.Code, o.Name.ZH)
	}
	return b.String()
}

// parseRubric reads one criterion a line:
//
//	key | 名称 | English name | 待改进:0, 合格:6, 优秀:10
func parseRubric(s string) (talentloop.Rubric, int, bool) {
	var r talentloop.Rubric
	n := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n++
		parts := strings.Split(line, "|")
		if len(parts) != 4 {
			return r, n, false
		}
		c := talentloop.Criterion{Key: strings.TrimSpace(parts[0]), Name: talentloop.Text{ZH: strings.TrimSpace(parts[1]), EN: strings.TrimSpace(parts[2])}}
		for _, lv := range strings.FieldsFunc(parts[3], func(r rune) bool { return r == ',' || r == '，' }) {
			name, pts, ok := strings.Cut(strings.NewReplacer("：", ":").Replace(lv), ":")
			p, err := strconv.Atoi(strings.TrimSpace(pts))
			if !ok || err != nil {
				return r, n, false
			}
			c.Levels = append(c.Levels, talentloop.RubricLevel{Name: talentloop.Text{ZH: strings.TrimSpace(name)}, Points: p})
		}
		r.Criteria = append(r.Criteria, c)
	}
	return r, n, true
}

// mergeRubric keeps what the one-line-per-criterion form cannot show — the
// descriptions and the English names of levels — for criteria and levels
// that are still there, so saving an unchanged form changes nothing.
func mergeRubric(old, edited talentloop.Rubric) talentloop.Rubric {
	byKey := map[string]talentloop.Criterion{}
	for _, c := range old.Criteria {
		byKey[c.Key] = c
	}
	for i, c := range edited.Criteria {
		prev, ok := byKey[c.Key]
		if !ok {
			continue
		}
		edited.Criteria[i].Description = prev.Description
		levelEN := map[string]string{}
		for _, l := range prev.Levels {
			levelEN[l.Name.ZH] = l.Name.EN
		}
		for j, l := range c.Levels {
			edited.Criteria[i].Levels[j].Name.EN = levelEN[l.Name.ZH]
		}
	}
	return edited
}

func formatRubric(r talentloop.Rubric) string {
	var b strings.Builder
	for _, c := range r.Criteria {
		var lv []string
		for _, l := range c.Levels {
			lv = append(lv, fmt.Sprintf("%s:%d", l.Name.ZH, l.Points))
		}
		fmt.Fprintf(&b, "%s | %s | %s | %s\n", c.Key, c.Name.ZH, c.Name.EN, strings.Join(lv, ", "))
	}
	return b.String()
}

// formValue reads a form field with browser line endings (CRLF) made plain.
func formValue(r *http.Request, field string) string {
	return strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), "\r\n", "\n"))
}

func formText(r *http.Request, field string) talentloop.Text {
	return talentloop.Text{ZH: formValue(r, field+"_zh"), EN: formValue(r, field+"_en")}
}

func formInt(r *http.Request, field string) (int, bool) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// programFromForm reads the program form; bad fields are collected.
func programFromForm(r *http.Request, p *talentloop.Program) map[string]string {
	bad := map[string]string{}
	p.Slug = strings.TrimSpace(r.PostFormValue("slug"))
	p.Chain = r.PostFormValue("chain")
	p.Title, p.Summary = formText(r, "title"), formText(r, "summary")
	var ok bool
	if p.PriceFen, ok = parseYuan(r.PostFormValue("price")); !ok {
		bad["price"] = "err.price"
	}
	p.Currency = r.PostFormValue("currency")
	p.Level = r.PostFormValue("level")
	if p.DurationWeeks, ok = formInt(r, "duration_weeks"); !ok {
		bad["duration_weeks"] = "err.number"
	}
	p.Status = r.PostFormValue("status")
	if p.Skills, ok = parseSkillLines(r.PostFormValue("skills")); !ok {
		bad["skills"] = "err.skill_lines"
	}
	// The form edits codes and Chinese names; English names are kept.
	old := map[string]string{}
	for _, o := range p.Occupations {
		old[o.Code] = o.Name.EN
	}
	p.Occupations = parseOccupationLines(r.PostFormValue("occupations"))
	for i := range p.Occupations {
		p.Occupations[i].Name.EN = old[p.Occupations[i].Code]
	}
	return bad
}

func programForm(p *talentloop.Program) map[string]string {
	return map[string]string{"slug": p.Slug, "chain": p.Chain, "title_zh": p.Title.ZH, "title_en": p.Title.EN, "summary_zh": p.Summary.ZH, "summary_en": p.Summary.EN,
		"price": formatYuan(p.PriceFen), "currency": p.Currency, "level": p.Level, "duration_weeks": strconv.Itoa(p.DurationWeeks), "status": p.Status,
		"skills": formatSkillLines(p.Skills), "occupations": formatOccupationLines(p.Occupations)}
}

func lessonFromForm(r *http.Request, l *talentloop.Lesson) map[string]string {
	bad := map[string]string{}
	l.Title, l.Body = formText(r, "title"), formText(r, "body")
	l.VideoURL = strings.TrimSpace(r.PostFormValue("video_url"))
	var ok bool
	if l.Minutes, ok = formInt(r, "minutes"); !ok {
		bad["minutes"] = "err.number"
	}
	if pos, ok := formInt(r, "position"); ok && pos > 0 {
		l.Position = pos
	}
	l.Required = r.PostFormValue("required") != ""
	return bad
}

func lessonForm(l *talentloop.Lesson) map[string]string {
	return map[string]string{"title_zh": l.Title.ZH, "title_en": l.Title.EN, "body_zh": l.Body.ZH, "body_en": l.Body.EN, "video_url": l.VideoURL,
		"minutes": strconv.Itoa(l.Minutes), "position": strconv.Itoa(l.Position), "required": checked(l.Required)}
}

func projectFromForm(r *http.Request, p *talentloop.Project) map[string]string {
	bad := map[string]string{}
	p.Title, p.RealWork, p.Brief, p.Deliverables = formText(r, "title"), formText(r, "real_work"), formText(r, "brief"), formText(r, "deliverables")
	cid, err := strconv.ParseInt(r.PostFormValue("company_id"), 10, 64)
	if err != nil {
		bad["company_id"] = "err.required"
	}
	p.CompanyID = cid
	var ok bool
	if p.Level, ok = formInt(r, "level"); !ok {
		bad["level"] = "err.number"
	}
	if p.PassMark, ok = formInt(r, "pass_mark"); !ok {
		bad["pass_mark"] = "err.number"
	}
	if p.Skills, ok = parseSkillLines(r.PostFormValue("skills")); !ok {
		bad["skills"] = "err.skill_lines"
	}
	rub, _, ok := parseRubric(r.PostFormValue("rubric"))
	if !ok {
		bad["rubric"] = "err.rubric_line"
	}
	rub.Version = p.Rubric.Version
	p.Rubric = mergeRubric(p.Rubric, rub)
	p.Required = r.PostFormValue("required") != ""
	return bad
}

func projectForm(p *talentloop.Project) map[string]string {
	return map[string]string{"title_zh": p.Title.ZH, "title_en": p.Title.EN, "real_work_zh": p.RealWork.ZH, "real_work_en": p.RealWork.EN,
		"brief_zh": p.Brief.ZH, "brief_en": p.Brief.EN, "deliverables_zh": p.Deliverables.ZH, "deliverables_en": p.Deliverables.EN,
		"company_id": strconv.FormatInt(p.CompanyID, 10), "level": strconv.Itoa(p.Level), "pass_mark": strconv.Itoa(p.PassMark),
		"skills": formatSkillLines(p.Skills), "rubric": formatRubric(p.Rubric), "required": checked(p.Required)}
}

func checked(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// mergeFields adds form-parse problems to a validation error so the user
// sees every bad field at once.
func mergeFields(bad map[string]string, err error) error {
	if len(bad) == 0 {
		return err
	}
	e, ok := err.(*talentloop.Error)
	if err == nil || !ok || e.Code != talentloop.EINVALID {
		return talentloop.Invalid(bad)
	}
	for k, v := range bad {
		e.Fields[k] = v
	}
	return e
}
